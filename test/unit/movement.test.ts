import fc from 'fast-check';

import { classifyMovement, utcMonth } from '../../shared/revenue/movement';
import { netOf } from '../../shared/revenue/months';

const amount = fc.integer({ min: 0, max: 1_000_000_000 });
const signed = (kind: string, value: number): number =>
  kind === 'contraction' || kind === 'churn' ? -value : value;

describe('classifyMovement', () => {
  it.each([
    [0, 100, false, 'new'],
    [0, 100, true, 'reactivation'],
    [100, 150, true, 'expansion'],
    [150, 100, true, 'contraction'],
    [100, 0, true, 'churn'],
  ])('classifies %i -> %i (had MRR before: %s) as %s', (before, after, had, kind) => {
    const movement = classifyMovement(before, after, had);

    expect(movement?.kind).toBe(kind);
  });

  it('makes no movement when MRR stays as it was', () => {
    fc.assert(fc.property(amount, fc.boolean(), (mrr, had) => !classifyMovement(mrr, mrr, had)));
  });

  it('moves by exactly the change in MRR, with a non-negative amount', () => {
    fc.assert(
      fc.property(amount, amount, fc.boolean(), (before, after, had) => {
        const movement = classifyMovement(before, after, had);
        const moved = movement ? signed(movement.kind, movement.amount) : 0;

        return moved === after - before && (movement?.amount ?? 0) >= 0;
      }),
    );
  });

  it('keeps closing minus opening equal to the net of the month', () => {
    const movements = { new: 5, expansion: 7, contraction: 2, churn: 3, reactivation: 1 };

    expect(netOf(movements)).toBe(8);
  });
});

describe('utcMonth', () => {
  it('takes the month in UTC, whatever the offset of the time', () => {
    expect(utcMonth('2026-12-31T23:30:00-02:00')).toBe('2027-01');
  });
});
