import { ServiceError } from '../errors';
import { AmountOutOfRangeError, saleMrr } from './money';
import type { Sale, SaleTerms, SaleVersion } from './sale';
import type { SalesId } from './sales-id';

/** A freshly issued sale and the first entry of its history. */
export interface NewSale {
  readonly sale: Sale;
  readonly firstVersion: SaleVersion;
}

/** Builds version 1 of a sale from confirmed checkout terms. Pure: time and ID come in. */
export function issueSale(terms: SaleTerms, salesId: SalesId, now: Date): NewSale {
  const nowIso = now.toISOString();
  const activatedAt = terms.activatedAt ?? nowIso;
  if (Date.parse(activatedAt) > now.getTime()) {
    throw new ServiceError('validation_failed', 'activatedAt lies in the future', {
      errors: [{ pointer: '/activatedAt', detail: 'must not be in the future' }],
    });
  }
  const mrr = mrrOrRefuse(terms.items);

  const sale: Sale = {
    ...terms,
    salesId,
    status: 'active',
    version: 1,
    mrr,
    arr: mrr * 12,
    activatedAt,
    createdAt: nowIso,
    updatedAt: nowIso,
    peakMrr: mrr,
    paidAmount: 0,
  };
  const firstVersion: SaleVersion = {
    version: 1,
    type: 'created',
    at: nowIso,
    mrrBefore: 0,
    mrrAfter: mrr,
    items: terms.items,
    status: 'active',
  };

  return { sale, firstVersion };
}

/** MRR of a set of items, or `validation_failed` when its ARR would not be exact in JSON. */
export function mrrOrRefuse(items: SaleTerms['items']): number {
  try {
    return saleMrr(items);
  } catch (error) {
    if (error instanceof AmountOutOfRangeError) {
      throw new ServiceError('validation_failed', 'The sale is too large to represent', {
        errors: [{ pointer: '/items', detail: 'ARR would exceed 2^53 - 1 minor units' }],
        cause: error,
      });
    }
    throw error;
  }
}
