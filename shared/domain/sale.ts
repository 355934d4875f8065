import type { BillingInterval } from './money';
import type { SalesId } from './sales-id';

export type SaleStatus = 'active' | 'cancelled';

export type ChangeType = 'created' | 'amended' | 'cancelled' | 'reactivated';

/** One line of a sale: what was sold, how many, at what price per interval. */
export interface SaleItem {
  readonly productId: string;
  readonly planId: string;
  readonly quantity: number;
  readonly unitAmount: number;
  readonly interval: BillingInterval;
}

/** The neighbouring identifiers and terms a checkout supplies when it confirms a sale. */
export interface SaleTerms {
  readonly customerId: string;
  readonly opportunityId?: string;
  readonly contractId?: string;
  readonly channel: string;
  readonly currency: string;
  readonly activatedAt?: string;
  readonly items: readonly SaleItem[];
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The current state of a sale, as the API returns it. */
export interface Sale extends SaleTerms {
  readonly salesId: SalesId;
  readonly status: SaleStatus;
  readonly version: number;
  readonly mrr: number;
  readonly arr: number;
  readonly activatedAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Highest MRR the sale ever had; tells a reactivation from new business. */
  readonly peakMrr: number;
  readonly paidAmount: number;
}

/** One entry of a sale's history: a version and the change that made it. */
export interface SaleVersion {
  readonly version: number;
  readonly type: ChangeType;
  readonly at: string;
  readonly mrrBefore: number;
  readonly mrrAfter: number;
  readonly reason?: string;
  readonly items: readonly SaleItem[];
  readonly status: SaleStatus;
}
