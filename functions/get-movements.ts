import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { readMonths } from '../shared/revenue/months';
import { movementsQuery, parseRevenueQuery } from '../shared/validation/revenue-queries';

/** `GET /revenue/movements`: one month's opening MRR, movements and closing MRR. */
export const getMovements =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const { currency, month } = parseRevenueQuery(
      movementsQuery,
      request.query,
      request.multiQuery,
    );

    const [figures] = await readMonths(deps, currency, month, month);

    return { status: 200, body: figures };
  };

export const handler = httpRoute(getMovements(depsFromEnv()));
