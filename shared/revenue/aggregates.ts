import type { ServiceDeps } from '../deps';
import { readLiveFigures } from './live-figures';
import { totalsOf } from './recompute';

/** Live MRR of one currency, summed from its total shards and breakdown items. */
export interface LiveMrr {
  readonly mrr: number;
  readonly activeSales: number;
  readonly byChannel: Record<string, number>;
  readonly byProduct: Record<string, number>;
  readonly byPlan: Record<string, number>;
}

/** Reads a currency's live MRR: its total shards summed, and its breakdowns; zeros if unseen. */
export async function readLiveMrr(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  currency: string,
): Promise<LiveMrr> {
  const figures = await readLiveFigures(deps, currency);
  const { byChannel, byProduct, byPlan } = figures;

  return { ...totalsOf(figures), byChannel, byProduct, byPlan };
}

/** A stored counter as a number; absent counters are 0. */
export function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
