import type { Item } from './sale-records';

/**
 * API views of the items that hang off a sale besides its versions: payments and the
 * monthly usage counters. Storage keys and replay fingerprints are left out.
 */

/** A payment as `GET /sales/{salesId}` lists it. */
export function toPaymentView(item: Item): Item {
  return {
    paymentId: item.paymentId,
    amount: item.amount,
    currency: item.currency,
    receivedAt: item.receivedAt,
    recordedAt: item.recordedAt,
  };
}

/** A meter's total for one month; `amount` is priced usage, reported beside MRR. */
export function toUsageView(item: Item): Item {
  return {
    meter: item.meter,
    month: item.month,
    quantity: item.quantity,
    amount: item.amount,
    currency: item.currency,
    events: item.events,
    updatedAt: item.updatedAt,
  };
}

/** Payments in the order they were received (payment ID breaks ties). */
export function byReceivedAt(a: Item, b: Item): number {
  return compareText(a.receivedAt, b.receivedAt) || compareText(a.paymentId, b.paymentId);
}

/** Usage totals by month, oldest first, then by meter. */
export function byMonthAndMeter(a: Item, b: Item): number {
  return compareText(a.month, b.month) || compareText(a.meter, b.meter);
}

function compareText(a: unknown, b: unknown): number {
  const left = String(a);
  const right = String(b);

  return left < right ? -1 : left > right ? 1 : 0;
}
