import type { Item } from './sale-records';

/**
 * API views of the items that hang off a sale besides its versions. Payments and usage
 * counters are written by their own routes; these only strip the storage keys.
 */

export function toPaymentView(item: Item): Item {
  const { pk: _pk, sk: _sk, entityType: _entityType, salesId: _salesId, ...payment } = item;

  return payment;
}

export function toUsageView(item: Item): Item {
  const { pk: _pk, sk: _sk, entityType: _entityType, salesId: _salesId, ...usage } = item;

  return usage;
}
