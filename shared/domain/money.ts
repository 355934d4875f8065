/**
 * Money and MRR arithmetic. Every amount is an integer number of minor units; intermediate
 * sums use BigInt so that nothing is rounded before the one rounding the contract allows.
 */

export const BILLING_INTERVALS = ['month', 'quarter', 'year', 'once'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/** The parts of a sale item that determine its recurring value. */
export interface PricedItem {
  readonly quantity: number;
  readonly unitAmount: number;
  readonly interval: BillingInterval;
}

// Monthly values are kept as twelfths of a minor unit: a month is 12/12, a quarter 4/12,
// a year 1/12 of its amount, so every item's monthly value is an exact integer of twelfths.
const TWELFTHS_PER_INTERVAL: Record<BillingInterval, bigint> = {
  month: 12n,
  quarter: 4n,
  year: 1n,
  once: 0n,
};

/** Thrown when a figure would leave the range JSON numbers represent exactly. */
export class AmountOutOfRangeError extends Error {
  constructor(readonly figure: string) {
    super(`${figure} exceeds ${Number.MAX_SAFE_INTEGER} minor units`);
    this.name = 'AmountOutOfRangeError';
  }
}

/** An item's monthly value in twelfths of a minor unit (exact). */
export function monthlyTwelfths(item: PricedItem): bigint {
  assertWholeAmount(item.quantity, 'quantity');
  assertWholeAmount(item.unitAmount, 'unitAmount');

  return BigInt(item.quantity) * BigInt(item.unitAmount) * TWELFTHS_PER_INTERVAL[item.interval];
}

/** Divides and rounds half to even (banker's rounding), for non-negative operands. */
export function divideHalfToEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) {
    return quotient + 1n;
  }
  if (twiceRemainder === denominator && quotient % 2n === 1n) {
    return quotient + 1n;
  }

  return quotient;
}

/** A sale's MRR: the exact sum of its items' monthly values, rounded half to even once. */
export function saleMrr(items: readonly PricedItem[]): number {
  const twelfths = items.reduce((sum, item) => sum + monthlyTwelfths(item), 0n);
  const mrr = divideHalfToEven(twelfths, 12n);

  // ARR is 12 × MRR, so bounding ARR bounds MRR and every breakdown of it.
  if (mrr * 12n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AmountOutOfRangeError('ARR');
  }

  return Number(mrr);
}

/** ARR from MRR: twelve months of it. */
export function arrFromMrr(mrr: number): number {
  const arr = mrr * 12;
  if (!Number.isSafeInteger(arr)) {
    throw new AmountOutOfRangeError('ARR');
  }

  return arr;
}

/**
 * Splits a sale's rounded MRR over a key (product or plan) by largest remainder, so the
 * parts always add up to the sale's MRR. Ties go to the key that sorts first.
 */
export function allocateMrr(
  items: readonly PricedItem[],
  keyOf: (index: number) => string,
): Record<string, number> {
  const exact = new Map<string, bigint>();
  items.forEach((item, index) => {
    const key = keyOf(index);
    exact.set(key, (exact.get(key) ?? 0n) + monthlyTwelfths(item));
  });
  const total = BigInt(saleMrr(items));

  const parts = [...exact.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, twelfths]) => ({ key, floor: twelfths / 12n, remainder: twelfths % 12n }));
  let left = total - parts.reduce((sum, part) => sum + part.floor, 0n);

  const byRemainder = [...parts].sort((a, b) => Number(b.remainder - a.remainder));
  for (const part of byRemainder) {
    if (left <= 0n) {
      break;
    }
    part.floor += 1n;
    left -= 1n;
  }

  return Object.fromEntries(parts.map((part) => [part.key, Number(part.floor)]));
}

function assertWholeAmount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
