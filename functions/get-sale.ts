import { saleEtag, toSaleView } from '../shared/domain/sale-view';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { ServiceError } from '../shared/errors';
import { httpRoute } from '../shared/http/route';
import { salesIdParam } from '../shared/http/sales-id-param';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { readSale } from '../shared/storage/read-sale';
import { toPaymentView, toUsageView } from '../shared/storage/sale-extras';

/** `GET /sales/{salesId}`: the sale with its whole history, payments and usage. */
export const getSale =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });

    const record = await readSale(deps, salesId);
    if (!record) {
      throw new ServiceError('sale_not_found', `No sale ${salesId}`);
    }
    const { sale } = record;

    return {
      status: 200,
      headers: { ETag: saleEtag(sale.version) },
      body: {
        ...toSaleView(sale),
        history: record.history,
        payments: record.payments.map(toPaymentView),
        paidAmount: sale.paidAmount,
        usage: record.usage.map(toUsageView),
      },
    };
  };

export const handler = httpRoute(getSale(depsFromEnv()));
