import { allocateMrr } from '../domain/money';
import type { SaleItem } from '../domain/sale';

/**
 * Movement classification and the aggregate contributions of one sale change. A change is
 * fully determined by the two images of its own stream record, so changes can be applied
 * in any order, apart or together, and still sum to the same aggregates.
 */

export const MOVEMENT_KINDS = ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** The parts of a sale image that revenue depends on. */
export interface SaleRevenueState {
  readonly status: string;
  readonly mrr: number;
  readonly channel: string;
  readonly items: readonly SaleItem[];
  /** Highest MRR the sale ever had, up to and including this version. */
  readonly peakMrr: number;
}

/** One version of one sale as the rollup sees it: the state before and after the change. */
export interface SaleChange {
  readonly salesId: string;
  readonly version: number;
  readonly currency: string;
  /** ISO time of the change as recorded on the item. */
  readonly at: string;
  /** UTC month (`YYYY-MM`) the change's movement belongs to. */
  readonly month: string;
  readonly changeType: string;
  /** Absent for a creation. */
  readonly before?: SaleRevenueState;
  readonly after: SaleRevenueState;
}

export interface Movement {
  readonly kind: MovementKind;
  /** Non-negative amount in minor units. */
  readonly amount: number;
}

/** What one sale contributes to the live aggregates in one state. */
export interface Contribution {
  readonly mrr: number;
  readonly active: number;
  readonly byChannel: Readonly<Record<string, number>>;
  readonly byProduct: Readonly<Record<string, number>>;
  readonly byPlan: Readonly<Record<string, number>>;
}

const NO_CONTRIBUTION: Contribution = {
  mrr: 0,
  active: 0,
  byChannel: {},
  byProduct: {},
  byPlan: {},
};

/** A sale's effective MRR: a cancelled sale contributes 0 whatever its items say. */
export function effectiveMrr(state: SaleRevenueState | undefined): number {
  return state?.status === 'active' ? state.mrr : 0;
}

/** The movement of a change from MRR before and after it (DESIGN.md §5), or undefined. */
export function classifyMovement(
  mrrBefore: number,
  mrrAfter: number,
  hadMrrBefore: boolean,
): Movement | undefined {
  if (mrrBefore === mrrAfter) {
    return undefined;
  }
  if (mrrBefore === 0) {
    return { kind: hadMrrBefore ? 'reactivation' : 'new', amount: mrrAfter };
  }
  if (mrrAfter === 0) {
    return { kind: 'churn', amount: mrrBefore };
  }

  return mrrAfter > mrrBefore
    ? { kind: 'expansion', amount: mrrAfter - mrrBefore }
    : { kind: 'contraction', amount: mrrBefore - mrrAfter };
}

/** The movement a sale change makes, classified from its own before and after images. */
export function movementOf(change: SaleChange): Movement | undefined {
  const hadMrr = change.before !== undefined && Math.max(change.before.peakMrr, 0) > 0;

  return classifyMovement(effectiveMrr(change.before), effectiveMrr(change.after), hadMrr);
}

/** What a sale in a given state adds to the live aggregates. */
export function contributionOf(state: SaleRevenueState | undefined): Contribution {
  if (state === undefined || state.status !== 'active') {
    return NO_CONTRIBUTION;
  }
  const items = state.items;
  const byProduct = allocateMrr(items, (index) => items[index]?.productId ?? '');
  const byPlan = allocateMrr(items, (index) => items[index]?.planId ?? '');

  return {
    mrr: state.mrr,
    active: 1,
    byChannel: state.mrr === 0 ? {} : { [state.channel]: state.mrr },
    byProduct: withoutZeros(byProduct),
    byPlan: withoutZeros(byPlan),
  };
}

/** After minus before, per key, dropping keys whose difference is 0. */
export function differenceOf(
  after: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0);
    if (delta !== 0) {
      result[key] = delta;
    }
  }

  return result;
}

/** UTC month (`YYYY-MM`) of an ISO time. */
export function utcMonth(isoTime: string): string {
  const time = new Date(isoTime);
  if (Number.isNaN(time.getTime())) {
    throw new RangeError(`Not an ISO time: ${isoTime}`);
  }

  return time.toISOString().slice(0, 7);
}

function withoutZeros(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== 0));
}
