import { arrFromMrr } from './money';
import type { Sale } from './sale';

/** The sale as the API shows it: current state without internal bookkeeping. */
export interface SaleView {
  readonly salesId: string;
  readonly status: string;
  readonly version: number;
  readonly mrr: number;
  readonly arr: number;
  readonly currency: string;
  readonly customerId: string;
  readonly opportunityId?: string;
  readonly contractId?: string;
  readonly channel: string;
  readonly activatedAt: string;
  readonly items: Sale['items'];
  readonly metadata?: Sale['metadata'];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toSaleView(sale: Sale): SaleView {
  return {
    salesId: sale.salesId,
    status: sale.status,
    version: sale.version,
    mrr: sale.mrr,
    arr: arrFromMrr(sale.mrr),
    currency: sale.currency,
    customerId: sale.customerId,
    opportunityId: sale.opportunityId,
    contractId: sale.contractId,
    channel: sale.channel,
    activatedAt: sale.activatedAt,
    items: sale.items,
    metadata: sale.metadata,
    createdAt: sale.createdAt,
    updatedAt: sale.updatedAt,
  };
}

/** The `ETag` of a sale: its version, quoted as RFC 9110 requires. */
export const saleEtag = (version: number): string => `"${version}"`;
