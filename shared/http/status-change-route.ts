import type { ServiceDeps } from '../deps';
import type { Sale } from '../domain/sale';
import type { SaleChange } from '../domain/sale-changes';
import { saleEtag, toSaleView } from '../domain/sale-view';
import { logger } from '../observability/logger';
import { changeSale } from '../storage/change-sale';
import { changeReasonBody, ifMatchVersion } from '../validation/change-sale';
import { parseBody } from '../validation/parse';
import { salesIdParam } from './sales-id-param';
import type { HttpRequest, HttpResponse } from './types';

/** A status change of the domain: the sale, the reason given, and the time of the change. */
export type StatusChange = (sale: Sale, reason: string | undefined, now: Date) => SaleChange;

/**
 * The route behind cancellation and reactivation: an optional `reason` body, an optional
 * `If-Match`, one domain decision, the sale at its new version in return.
 */
export const statusChangeRoute =
  (deps: ServiceDeps, change: StatusChange, logMessage: string) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });
    const { reason } = parseBody(changeReasonBody, request.body ?? {});
    const expectedVersion = ifMatchVersion(request.headers);

    const { after } = await changeSale(deps, salesId, {
      expectedVersion,
      preconditionRequired: false,
      decide: (sale) => change(sale, reason, deps.clock()),
    });
    logger.info(logMessage, { version: after.version });

    return { status: 200, headers: { ETag: saleEtag(after.version) }, body: toSaleView(after) };
  };
