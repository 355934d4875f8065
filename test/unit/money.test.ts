import fc from 'fast-check';

import {
  allocateMrr,
  AmountOutOfRangeError,
  arrFromMrr,
  divideHalfToEven,
  monthlyTwelfths,
  saleMrr,
  type BillingInterval,
  type PricedItem,
} from '../../shared/domain/money';

const item = (
  quantity: number,
  unitAmount: number,
  interval: BillingInterval = 'month',
): PricedItem => ({ quantity, unitAmount, interval });

const intervalArb = fc.constantFrom<BillingInterval>('month', 'quarter', 'year', 'once');
const itemArb = fc.record({
  quantity: fc.integer({ min: 1, max: 1_000_000 }),
  unitAmount: fc.integer({ min: 0, max: 1_000_000 }),
  interval: intervalArb,
});

/** Reference: the exact monthly value as a fraction over 12, rounded half to even. */
function referenceMrr(items: readonly PricedItem[]): bigint {
  const weight = { month: 12n, quarter: 4n, year: 1n, once: 0n };
  const twelfths = items.reduce(
    (sum, { quantity, unitAmount, interval }) =>
      sum + BigInt(quantity) * BigInt(unitAmount) * weight[interval],
    0n,
  );
  const floor = twelfths / 12n;
  const remainder = twelfths % 12n;
  if (remainder > 6n || (remainder === 6n && floor % 2n === 1n)) {
    return floor + 1n;
  }

  return floor;
}

describe('MRR arithmetic', () => {
  it('values a monthly item at quantity × unit amount', () => {
    expect(saleMrr([item(3, 4900)])).toBe(14_700);
  });

  it('divides quarterly by 3 and yearly by 12, and ignores one-off items', () => {
    expect(saleMrr([item(1, 300, 'quarter')])).toBe(100);
    expect(saleMrr([item(1, 1200, 'year')])).toBe(100);
    expect(saleMrr([item(5, 99_999, 'once')])).toBe(0);
  });

  it('rounds once, at the end, not per item', () => {
    // Each item is 0.5 a month; per-item rounding to even would give 0 + 0 = 0.
    const items = [item(1, 6, 'year'), item(1, 6, 'year')];

    expect(saleMrr(items)).toBe(1);
  });

  it('rounds ties half to even', () => {
    expect(saleMrr([item(1, 6, 'year')])).toBe(0); // 0.5 -> 0
    expect(saleMrr([item(1, 18, 'year')])).toBe(2); // 1.5 -> 2
    expect(saleMrr([item(1, 30, 'year')])).toBe(2); // 2.5 -> 2
    expect(saleMrr([item(1, 42, 'year')])).toBe(4); // 3.5 -> 4
  });

  it('rounds non-ties to the nearest minor unit', () => {
    expect(saleMrr([item(1, 100, 'quarter')])).toBe(33); // 33.33
    expect(saleMrr([item(2, 100, 'quarter')])).toBe(67); // 66.67
  });

  it('matches an exact rational reference for any items', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 50 }), (items) => {
        expect(BigInt(saleMrr(items))).toBe(referenceMrr(items));
      }),
    );
  });

  it('stays exact for large amounts near the safe-integer limit', () => {
    const largest = Math.floor(Number.MAX_SAFE_INTEGER / 12);

    expect(saleMrr([item(1, largest)])).toBe(largest);
    expect(arrFromMrr(largest)).toBe(largest * 12);
    expect(Number.isSafeInteger(largest * 12)).toBe(true);
  });

  it('keeps products beyond 2^53 exact before dividing', () => {
    // 1,000,000 × 10^12 / 12 per item: the product alone exceeds 2^53.
    const items = [item(1_000_000, 1_000_000_000, 'year')];

    expect(saleMrr(items)).toBe(83_333_333_333_333);
  });

  it('refuses a sale whose ARR would exceed 2^53 − 1', () => {
    const tooLarge = Math.floor(Number.MAX_SAFE_INTEGER / 12) + 1;

    expect(() => saleMrr([item(1, tooLarge)])).toThrow(AmountOutOfRangeError);
    expect(() => saleMrr([item(1_000_000, 1_000_000_000_000)])).toThrow(AmountOutOfRangeError);
  });

  it('refuses fractional or negative amounts', () => {
    expect(() => saleMrr([item(1.5, 100)])).toThrow(RangeError);
    expect(() => saleMrr([item(1, -1)])).toThrow(RangeError);
  });

  it('computes ARR as 12 × MRR for any MRR', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 12) }), (mrr) => {
        expect(arrFromMrr(mrr)).toBe(mrr * 12);
      }),
    );
  });

  it('divides half to even like the reference for any operands', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (numerator, denominator) => {
          const quotient = divideHalfToEven(numerator, denominator);
          const error = numerator - quotient * denominator;

          expect(2n * (error < 0n ? -error : error)).toBeLessThanOrEqual(denominator);
          if (2n * error === denominator || 2n * error === -denominator) {
            expect(quotient % 2n).toBe(0n);
          }
        },
      ),
    );
  });
});

describe('MRR allocation', () => {
  it('splits by largest remainder so parts sum to the rounded whole', () => {
    // Three plans at 33.33 each: the total 100 leaves one unit for the first key.
    const items = [item(1, 100, 'quarter'), item(1, 100, 'quarter'), item(1, 100, 'quarter')];

    const parts = allocateMrr(items, (index) => `plan-${index}`);

    expect(parts).toEqual({ 'plan-0': 34, 'plan-1': 33, 'plan-2': 33 });
    expect(saleMrr(items)).toBe(100);
  });

  it('always sums to the sale MRR', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(itemArb, fc.constantFrom('a', 'b', 'c', 'd')), {
          minLength: 1,
          maxLength: 50,
        }),
        (pairs) => {
          const items = pairs.map(([priced]) => priced);

          const parts = allocateMrr(items, (index) => pairs[index]![1]);

          const sum = Object.values(parts).reduce((total, part) => total + part, 0);
          expect(sum).toBe(saleMrr(items));
          Object.values(parts).forEach((part) => expect(Number.isSafeInteger(part)).toBe(true));
        },
      ),
    );
  });

  it('gives each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 10 }), (items) => {
        const parts = allocateMrr(items, (index) => `k${index}`);

        items.forEach((priced, index) => {
          // Compare in twelfths so the check itself never rounds.
          const gap = BigInt(parts[`k${index}`]!) * 12n - monthlyTwelfths(priced);
          expect(gap < 0n ? -gap : gap).toBeLessThan(12n);
        });
      }),
    );
  });
});
