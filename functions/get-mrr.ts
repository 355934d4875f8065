import { arrFromMrr } from '../shared/domain/money';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { readLiveMrr } from '../shared/revenue/aggregates';
import { mrrQuery, parseRevenueQuery } from '../shared/validation/revenue-queries';

/** `GET /revenue/mrr`: live MRR, ARR and active sales of a currency, with breakdowns. */
export const getMrr =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const { currency } = parseRevenueQuery(mrrQuery, request.query, request.multiQuery);
    const asOf = deps.clock().toISOString();

    const live = await readLiveMrr(deps, currency);

    return {
      status: 200,
      body: {
        currency,
        mrr: live.mrr,
        arr: arrFromMrr(live.mrr),
        activeSales: live.activeSales,
        byChannel: live.byChannel,
        byProduct: live.byProduct,
        byPlan: live.byPlan,
        asOf,
      },
    };
  };

export const handler = httpRoute(getMrr(depsFromEnv()));
