import { toSaleView } from '../shared/domain/sale-view';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { listSales as listPage } from '../shared/storage/list-sales';
import { parseListSalesQuery } from '../shared/validation/list-sales';

/** `GET /sales?customerId=` (or another neighbour key): sales newest first, paginated. */
export const listSales =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const lookup = parseListSalesQuery(request.query, request.multiQuery);

    const page = await listPage(deps, lookup);

    return {
      status: 200,
      body: { items: page.sales.map(toSaleView), nextCursor: page.nextCursor },
    };
  };

export const handler = httpRoute(listSales(depsFromEnv()));
