import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { readMonths } from '../shared/revenue/months';
import { monthsQuery, parseRevenueQuery } from '../shared/validation/revenue-queries';

/** `GET /revenue/months`: the month-by-month movements series, oldest first. */
export const getMonths =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const { currency, from, to } = parseRevenueQuery(
      monthsQuery,
      request.query,
      request.multiQuery,
    );

    const months = await readMonths(deps, currency, from, to);

    return { status: 200, body: { currency, months } };
  };

export const handler = httpRoute(getMonths(depsFromEnv()));
