import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import {
  mrrBreakdownKey,
  mrrTotalShardKey,
  REVENUE_ENTITY,
  type BreakdownDimension,
  type RevenueKey,
} from './keys';
import { totalsOf, type MrrFigures } from './recompute';

/**
 * Compares live aggregates with a recomputation from the sales, and repairs them on
 * request. Both sides are laid out as the aggregate items they describe, so a difference
 * names the exact item to look at (`TOTAL#3`, `PLAN#pro`) and to rewrite.
 */

/** One aggregate item whose live value differs from the recomputation. */
export interface PartDrift {
  /** The item's sort key in the currency's `MRR#` partition. */
  readonly item: string;
  readonly live: number;
  readonly recomputed: number;
  /** Active sales, for total shards only. */
  readonly liveActiveSales?: number;
  readonly recomputedActiveSales?: number;
}

/** How far one currency's live aggregates are from the sales. */
export interface CurrencyDrift {
  readonly currency: string;
  readonly liveMrr: number;
  readonly recomputedMrr: number;
  readonly liveActiveSales: number;
  readonly recomputedActiveSales: number;
  /**
   * Minor units: the total's absolute difference plus every breakdown part's, so a part
   * that drifts while the total holds still counts. 0 is the only healthy value.
   */
  readonly mrrDrift: number;
  /** Every item that differs, total shards included (a repair rewrites exactly these). */
  readonly parts: readonly PartDrift[];
}

interface Cell {
  readonly key: RevenueKey;
  readonly mrr: number;
  readonly activeSales?: number;
  readonly shard?: number;
  readonly dimension?: BreakdownDimension;
  readonly id?: string;
}

const DIMENSIONS = [
  ['CHANNEL', 'byChannel'],
  ['PRODUCT', 'byProduct'],
  ['PLAN', 'byPlan'],
] as const;

/** Compares a currency's live figures with its recomputation. */
export function compareFigures(live: MrrFigures, recomputed: MrrFigures): CurrencyDrift {
  const liveTotals = totalsOf(live);
  const recomputedTotals = totalsOf(recomputed);
  const parts = differingCells(live, recomputed).map(({ live: seen, recomputed: truth }) => ({
    item: truth.key.sk,
    live: seen?.mrr ?? 0,
    recomputed: truth.mrr,
    ...(truth.shard === undefined
      ? {}
      : { liveActiveSales: seen?.activeSales ?? 0, recomputedActiveSales: truth.activeSales }),
  }));
  const breakdownDrift = parts
    .filter((part) => part.liveActiveSales === undefined)
    .reduce((sum, part) => sum + Math.abs(part.live - part.recomputed), 0);

  return {
    currency: live.currency,
    liveMrr: liveTotals.mrr,
    recomputedMrr: recomputedTotals.mrr,
    liveActiveSales: liveTotals.activeSales,
    recomputedActiveSales: recomputedTotals.activeSales,
    mrrDrift: Math.abs(liveTotals.mrr - recomputedTotals.mrr) + breakdownDrift,
    parts,
  };
}

/** True when anything differs: MRR anywhere, or the active sale count. */
export const isDrifting = (drift: CurrencyDrift): boolean => drift.parts.length > 0;

export interface RepairOutcome {
  /** Items rewritten with the recomputed values. */
  readonly written: number;
  /** Items the stream changed after they were read; left alone, for the next run to check. */
  readonly skipped: readonly string[];
}

/**
 * Overwrites the differing live aggregate items with the recomputed values, per total
 * shard (by `shardFor`, so the stream's later ADDs land where the repair put each sale).
 *
 * Race with the stream: each write is conditional on the item still holding the value this
 * run read, so an ADD that lands after the read makes that write skip (reported, never
 * lost). What no condition can catch is a sale that changed after the scan read it but
 * before its delta reached the aggregate that was read: the repair then writes the older
 * figure and drops that delta. Run repairs in a quiet hour; the next reconciliation finds
 * whatever such a race left.
 */
export async function repairAggregates(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable' | 'clock'>,
  live: MrrFigures,
  recomputed: MrrFigures,
): Promise<RepairOutcome> {
  const updatedAt = deps.clock().toISOString();
  let written = 0;
  const skipped: string[] = [];

  for (const pair of differingCells(live, recomputed)) {
    try {
      await deps.db.send(repairCommand(deps.revenueTable, live.currency, pair, updatedAt));
      written += 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw error;
      }
      skipped.push(pair.recomputed.key.sk);
    }
  }

  return { written, skipped };
}

interface CellPair {
  readonly live?: Cell;
  readonly recomputed: Cell;
}

function differingCells(live: MrrFigures, recomputed: MrrFigures): CellPair[] {
  const liveCells = cellsOf(live);
  const truthCells = cellsOf(recomputed);
  // A part only the live side has is recomputed as 0.
  for (const [sk, cell] of liveCells) {
    if (!truthCells.has(sk)) {
      truthCells.set(sk, { ...cell, mrr: 0 });
    }
  }

  return [...truthCells.entries()]
    .map(([sk, truth]) => ({ live: liveCells.get(sk), recomputed: truth }))
    .filter(
      ({ live: seen, recomputed: truth }) =>
        (seen?.mrr ?? 0) !== truth.mrr || (seen?.activeSales ?? 0) !== (truth.activeSales ?? 0),
    );
}

function cellsOf(figures: MrrFigures): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  figures.shards.forEach((shard, index) => {
    const key = mrrTotalShardKey(figures.currency, index);
    cells.set(key.sk, { key, mrr: shard.mrr, activeSales: shard.activeSales, shard: index });
  });
  for (const [dimension, field] of DIMENSIONS) {
    for (const [id, mrr] of Object.entries(figures[field])) {
      const key = mrrBreakdownKey(figures.currency, dimension, id);
      cells.set(key.sk, { key, mrr, dimension, id });
    }
  }

  return cells;
}

function repairCommand(
  tableName: string,
  currency: string,
  pair: CellPair,
  updatedAt: string,
): UpdateCommand {
  const { live, recomputed: cell } = pair;
  const values: Record<string, unknown> = {
    ':currency': currency,
    ':updatedAt': updatedAt,
    ':mrr': cell.mrr,
  };
  const sets = ['currency = :currency', 'updatedAt = :updatedAt', 'mrr = :mrr'];
  if (cell.shard !== undefined) {
    Object.assign(values, {
      ':entityType': REVENUE_ENTITY.mrrTotalShard,
      ':shard': cell.shard,
      ':activeSales': cell.activeSales ?? 0,
    });
    sets.push('entityType = :entityType', '#shard = :shard', 'activeSales = :activeSales');
  } else {
    Object.assign(values, {
      ':entityType': REVENUE_ENTITY.mrrBreakdown,
      ':dimension': (cell.dimension ?? '').toLowerCase(),
      ':id': cell.id,
    });
    sets.push('entityType = :entityType', '#dimension = :dimension', '#id = :id');
  }

  return new UpdateCommand({
    TableName: tableName,
    Key: cell.key,
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: expectedCondition(live, values),
    ExpressionAttributeNames: {
      ...(cell.shard !== undefined
        ? { '#shard': 'shard' }
        : { '#dimension': 'dimension', '#id': 'id' }),
    },
    ExpressionAttributeValues: values,
  });
}

/**
 * The item must still hold what this run read. A zero read may also be an absent item (the
 * reader treats both alike), so that case accepts either.
 */
function expectedCondition(live: Cell | undefined, values: Record<string, unknown>): string {
  values[':seenMrr'] = live?.mrr ?? 0;
  let condition = 'mrr = :seenMrr';
  if (live?.shard !== undefined) {
    values[':seenActive'] = live.activeSales ?? 0;
    condition = 'mrr = :seenMrr AND activeSales = :seenActive';
  }
  const seenZero = (live?.mrr ?? 0) === 0 && (live?.activeSales ?? 0) === 0;

  return seenZero ? `attribute_not_exists(pk) OR (${condition})` : condition;
}
