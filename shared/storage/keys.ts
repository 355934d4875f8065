import type { SalesId } from '../domain/sales-id';

/**
 * The single-table vocabulary of the SalesTable: every key prefix and entity type is
 * spelled here and nowhere else.
 */

export const ENTITY = {
  sale: 'Sale',
  saleVersion: 'SaleVersion',
  salePlan: 'SalePlan',
  payment: 'Payment',
  usage: 'UsageCounter',
  usageEvent: 'UsageEvent',
  idempotency: 'IdempotencyRecord',
} as const;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
  readonly [attribute: string]: string;
}

const salePartition = (salesId: SalesId): string => `SALE#${salesId}`;

// Ten digits keep versions in numeric order under DynamoDB's string sort.
const paddedVersion = (version: number): string => String(version).padStart(10, '0');

export const SALE_SK = 'SALE';
export const VERSION_SK_PREFIX = 'VERSION#';
export const PAYMENT_SK_PREFIX = 'PAYMENT#';
export const USAGE_SK_PREFIX = 'USAGE#';
export const USAGE_EVENT_SK_PREFIX = 'USAGE_EVENT#';
export const PLAN_SK_PREFIX = 'PLAN#';

export const saleKey = (salesId: SalesId): ItemKey => ({
  pk: salePartition(salesId),
  sk: SALE_SK,
});

export const versionKey = (salesId: SalesId, version: number): ItemKey => ({
  pk: salePartition(salesId),
  sk: `${VERSION_SK_PREFIX}${paddedVersion(version)}`,
});

export const planLinkKey = (salesId: SalesId, planId: string): ItemKey => ({
  pk: salePartition(salesId),
  sk: `${PLAN_SK_PREFIX}${planId}`,
});

export const paymentKey = (salesId: SalesId, paymentId: string): ItemKey => ({
  pk: salePartition(salesId),
  sk: `${PAYMENT_SK_PREFIX}${paymentId}`,
});

export const usageCounterKey = (salesId: SalesId, meter: string, month: string): ItemKey => ({
  pk: salePartition(salesId),
  sk: `${USAGE_SK_PREFIX}${meter}#${month}`,
});

export const usageEventKey = (salesId: SalesId, eventId: string): ItemKey => ({
  pk: salePartition(salesId),
  sk: `${USAGE_EVENT_SK_PREFIX}${eventId}`,
});

export const idempotencyKeyItem = (key: string): ItemKey => ({
  pk: `IDEMPOTENCY#${key}`,
  sk: 'IDEMPOTENCY',
});

/** The partition holding every item of one sale, for the single history query. */
export const salePartitionKey = salePartition;
