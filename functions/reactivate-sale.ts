import { reactivateSale as reactivate } from '../shared/domain/sale-changes';
import { saleEtag, toSaleView } from '../shared/domain/sale-view';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { salesIdParam } from '../shared/http/sales-id-param';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { changeSale } from '../shared/storage/change-sale';
import { changeReasonBody, ifMatchVersion } from '../shared/validation/change-sale';
import { parseBody } from '../shared/validation/parse';

/** `POST /sales/{salesId}/reactivation`: reactivates a cancelled sale at its items' MRR. */
export const reactivateSale =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });
    const { reason } = parseBody(changeReasonBody, request.body ?? {});
    const expectedVersion = ifMatchVersion(request.headers);

    const { after } = await changeSale(deps, salesId, {
      expectedVersion,
      preconditionRequired: false,
      decide: (sale) => reactivate(sale, reason, deps.clock()),
    });
    logger.info('Sale reactivated', { version: after.version });

    return { status: 200, headers: { ETag: saleEtag(after.version) }, body: toSaleView(after) };
  };

export const handler = httpRoute(reactivateSale(depsFromEnv()));
