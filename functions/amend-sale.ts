import { amendSale as amend } from '../shared/domain/sale-changes';
import { mrrOrRefuse } from '../shared/domain/new-sale';
import { saleEtag, toSaleView } from '../shared/domain/sale-view';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { salesIdParam } from '../shared/http/sales-id-param';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { changeSale } from '../shared/storage/change-sale';
import { amendSaleBody, ifMatchVersion } from '../shared/validation/change-sale';
import { parseBody } from '../shared/validation/parse';

/** `POST /sales/{salesId}/amendments`: replaces the items of an active sale under If-Match. */
export const amendSale =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });
    const amendment = parseBody(amendSaleBody, request.body);
    // Too large a sale is a malformed request, refused before the sale is even read.
    mrrOrRefuse(amendment.items);
    const expectedVersion = ifMatchVersion(request.headers);

    const { after } = await changeSale(deps, salesId, {
      expectedVersion,
      preconditionRequired: true,
      decide: (sale) => amend(sale, amendment, deps.clock()),
    });
    logger.info('Sale amended', { version: after.version, mrr: after.mrr });

    return { status: 200, headers: { ETag: saleEtag(after.version) }, body: toSaleView(after) };
  };

export const handler = httpRoute(amendSale(depsFromEnv()));
