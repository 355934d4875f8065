/**
 * The single-table vocabulary of the RevenueTable, spelled once. The stream rollup writes
 * the movement ledger and the live aggregates; the scheduled rollups write snapshots and
 * closed periods. Every item carries `entityType`, its currency and readable ISO times.
 *
 * | item                         | pk                       | sk                    |
 * | ---------------------------- | ------------------------ | --------------------- |
 * | movement (ledger, immutable) | MOVEMENT#<salesId>       | VERSION#<padded>      |
 * | live MRR total, one shard    | MRR#<currency>           | TOTAL#<shard>         |
 * | live MRR breakdown part      | MRR#<currency>           | CHANNEL#/PRODUCT#/PLAN#<id> |
 * | month's movement sums        | MONTH#<currency>         | <YYYY-MM>             |
 * | daily snapshot               | SNAPSHOT#<currency>      | <YYYY-MM-DD>          |
 * | closed period (immutable)    | PERIOD#<currency>        | <YYYY-MM>             |
 * | month-close marker           | CLOSE                    | <YYYY-MM>             |
 * | reconciliation run           | RECONCILIATION           | <ISO time>            |
 *
 * Attributes (besides pk, sk, entityType, currency, updatedAt as ISO time):
 * - MrrTotalShard: `shard`, `mrr`, `activeSales` (both maintained with ADD).
 * - MrrBreakdown: `dimension` ('channel' | 'product' | 'plan'), `id`, `mrr` (ADD).
 * - MonthMovements: `month`, one amount per kind (`new`, `expansion`, `contraction`,
 *   `churn`, `reactivation`, all non-negative) and a count per kind (`newCount`, …).
 *   Opening and closing are derived: the closing of a month is the sum of every net
 *   movement up to and including it, so they are never stored where they could drift.
 * - Movement: `salesId`, `version`, `kind`, `amount` (non-negative), `mrrBefore`,
 *   `mrrAfter`, `month`, `at`, `channel`, and the per-product and per-plan deltas
 *   (`productDeltas`, `planDeltas`, `channelDeltas`, `activeSalesDelta`). A version that
 *   changes no MRR but does change a breakdown or the active count is recorded with
 *   `kind: 'none'` and `amount: 0`, so every aggregate cent still traces to a version.
 */

export const REVENUE_ENTITY = {
  movement: 'Movement',
  mrrTotalShard: 'MrrTotalShard',
  mrrBreakdown: 'MrrBreakdown',
  monthMovements: 'MonthMovements',
  snapshot: 'DailySnapshot',
  period: 'ClosedPeriod',
  closeMarker: 'MonthClose',
  reconciliation: 'Reconciliation',
} as const;

export interface RevenueKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * The live total is split over this many items, chosen by sales ID, so one currency's
 * total never caps the system at a single partition's write rate; reads add the shards.
 */
export const MRR_TOTAL_SHARDS = 8;

export type BreakdownDimension = 'CHANNEL' | 'PRODUCT' | 'PLAN';

const paddedVersion = (version: number): string => String(version).padStart(10, '0');

export const movementKey = (salesId: string, version: number): RevenueKey => ({
  pk: `MOVEMENT#${salesId}`,
  sk: `VERSION#${paddedVersion(version)}`,
});

export const mrrPartition = (currency: string): string => `MRR#${currency}`;

export const mrrTotalShardKey = (currency: string, shard: number): RevenueKey => ({
  pk: mrrPartition(currency),
  sk: `TOTAL#${shard}`,
});

export const mrrBreakdownKey = (
  currency: string,
  dimension: BreakdownDimension,
  id: string,
): RevenueKey => ({ pk: mrrPartition(currency), sk: `${dimension}#${id}` });

export const monthPartition = (currency: string): string => `MONTH#${currency}`;

export const monthMovementsKey = (currency: string, month: string): RevenueKey => ({
  pk: monthPartition(currency),
  sk: month,
});

export const snapshotKey = (currency: string, day: string): RevenueKey => ({
  pk: `SNAPSHOT#${currency}`,
  sk: day,
});

export const periodKey = (currency: string, month: string): RevenueKey => ({
  pk: `PERIOD#${currency}`,
  sk: month,
});

export const closeMarkerKey = (month: string): RevenueKey => ({ pk: 'CLOSE', sk: month });

export const reconciliationKey = (at: string): RevenueKey => ({ pk: 'RECONCILIATION', sk: at });

/**
 * The total shard a sale's MRR is counted in: FNV-1a of the sales ID, so the stream rollup
 * and a reconciliation repair put each sale's share in the same shard.
 */
export function shardFor(salesId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < salesId.length; index += 1) {
    hash ^= salesId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }

  return hash % MRR_TOTAL_SHARDS;
}
