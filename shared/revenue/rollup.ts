import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import {
  mrrBreakdownKey,
  monthMovementsKey,
  movementKey,
  mrrTotalShardKey,
  REVENUE_ENTITY,
  shardFor,
  type BreakdownDimension,
  type RevenueKey,
} from './keys';
import {
  contributionOf,
  differenceOf,
  effectiveMrr,
  movementOf,
  type Movement,
  type SaleChange,
} from './movement';

/**
 * Applies sale changes to the RevenueTable exactly once in effect. Each change's ledger
 * item (`MOVEMENT#<salesId>`/`VERSION#<n>`, put only if absent) commits in the same
 * transaction as the aggregate updates it contributes to, so a redelivered change finds
 * its ledger item and is dropped before it can add anything twice. Deltas are coalesced
 * per aggregate item over each transaction's group of changes, so writes grow with the
 * aggregates a batch touches, not with its records.
 */

export type RollupDeps = Pick<ServiceDeps, 'db' | 'revenueTable' | 'clock'>;

/** DynamoDB's limit on actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

// Conflicts and throttling are transient: a few quick retries usually clear them, and what
// is left is reported as failed records for the event source mapping to retry later.
const MAX_TRANSIENT_RETRIES = 4;
const BACKOFF_BASE_MS = 25;
const TRANSIENT_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/** One aggregate item's coalesced update: descriptive fields SET, counters ADDed. */
export interface AggregateUpdate {
  readonly key: RevenueKey;
  readonly fields: Readonly<Record<string, string | number>>;
  readonly add: Record<string, number>;
}

/** What applying a group of changes did. */
export interface ApplyResult {
  readonly applied: readonly SaleChange[];
  readonly duplicates: number;
  readonly aggregateWrites: number;
  readonly transactions: number;
}

/** Outcome of applying a whole batch: what was applied, and the changes left unapplied. */
export interface BatchOutcome extends ApplyResult {
  /** Changes not applied because a group failed; the caller reports their records. */
  readonly failed: readonly SaleChange[];
  readonly error?: unknown;
}

/** Thrown when one change alone touches more aggregates than a transaction can hold. */
export class OversizedChangeError extends Error {
  constructor(readonly change: SaleChange) {
    super(`change ${change.salesId} v${change.version} touches more than one transaction holds`);
    this.name = 'OversizedChangeError';
  }
}

/** The aggregate updates one change contributes; empty when it changes nothing. */
export function aggregateUpdatesOf(change: SaleChange, updatedAt: string): AggregateUpdate[] {
  const { currency } = change;
  const before = contributionOf(change.before);
  const after = contributionOf(change.after);
  const updates: AggregateUpdate[] = [];
  const base = { currency, updatedAt };

  const mrrDelta = after.mrr - before.mrr;
  const activeDelta = after.active - before.active;
  if (mrrDelta !== 0 || activeDelta !== 0) {
    const shard = shardFor(change.salesId);
    updates.push({
      key: mrrTotalShardKey(currency, shard),
      fields: { ...base, entityType: REVENUE_ENTITY.mrrTotalShard, shard },
      add: { mrr: mrrDelta, activeSales: activeDelta },
    });
  }
  const dimensions: [BreakdownDimension, string, Record<string, number>][] = [
    ['PLAN', 'plan', differenceOf(after.byPlan, before.byPlan)],
    ['PRODUCT', 'product', differenceOf(after.byProduct, before.byProduct)],
    ['CHANNEL', 'channel', differenceOf(after.byChannel, before.byChannel)],
  ];
  for (const [dimension, name, deltas] of dimensions) {
    for (const [id, delta] of Object.entries(deltas)) {
      updates.push({
        key: mrrBreakdownKey(currency, dimension, id),
        fields: { ...base, entityType: REVENUE_ENTITY.mrrBreakdown, dimension: name, id },
        add: { mrr: delta },
      });
    }
  }
  const movement = movementOf(change);
  if (movement) {
    updates.push({
      key: monthMovementsKey(currency, change.month),
      fields: { ...base, entityType: REVENUE_ENTITY.monthMovements, month: change.month },
      add: { [movement.kind]: movement.amount, [`${movement.kind}Count`]: 1 },
    });
  }

  return updates;
}

/** Merges updates per aggregate item, adding their counters; all-zero updates vanish. */
export function coalesceUpdates(updates: readonly AggregateUpdate[]): AggregateUpdate[] {
  const merged = new Map<string, AggregateUpdate>();
  for (const update of updates) {
    const id = itemId(update.key);
    const existing = merged.get(id);
    if (!existing) {
      merged.set(id, { ...update, add: { ...update.add } });
      continue;
    }
    for (const [name, value] of Object.entries(update.add)) {
      existing.add[name] = (existing.add[name] ?? 0) + value;
    }
  }

  return [...merged.values()].filter((update) =>
    Object.values(update.add).some((value) => value !== 0),
  );
}

/** The movement ledger item of a change: its identity, classification and deltas. */
export function ledgerItem(change: SaleChange, appliedAt: string): Record<string, unknown> {
  const movement: Movement | undefined = movementOf(change);
  const before = contributionOf(change.before);
  const after = contributionOf(change.after);

  return {
    ...movementKey(change.salesId, change.version),
    entityType: REVENUE_ENTITY.movement,
    salesId: change.salesId,
    version: change.version,
    currency: change.currency,
    changeType: change.changeType,
    // A version that moves no MRR can still change active counts or breakdowns.
    kind: movement?.kind ?? 'none',
    amount: movement?.amount ?? 0,
    mrrBefore: effectiveMrr(change.before),
    mrrAfter: effectiveMrr(change.after),
    month: change.month,
    at: change.at,
    channel: change.after.channel,
    activeSalesDelta: after.active - before.active,
    productDeltas: differenceOf(after.byProduct, before.byProduct),
    planDeltas: differenceOf(after.byPlan, before.byPlan),
    channelDeltas: differenceOf(after.byChannel, before.byChannel),
    appliedAt,
  };
}

/**
 * Applies a batch of changes: drops those with no effect, splits the rest into groups that
 * each fit one transaction, and applies the groups in turn, stopping at the first that
 * fails. Changes are sorted so that similar ones share a group and its aggregate writes.
 */
export async function applySaleChanges(
  deps: RollupDeps,
  changes: readonly SaleChange[],
): Promise<BatchOutcome> {
  const updatedAt = deps.clock().toISOString();
  const effective = uniqueChanges(changes)
    .map((change) => ({ change, updates: aggregateUpdatesOf(change, updatedAt) }))
    .filter((entry) => entry.updates.length > 0)
    .sort((a, b) => compareText(signature(a.updates), signature(b.updates)));

  const totals = {
    applied: [] as SaleChange[],
    duplicates: 0,
    aggregateWrites: 0,
    transactions: 0,
  };
  let groups: PlannedChange[][];
  try {
    groups = planGroups(effective);
  } catch (error) {
    return { ...totals, failed: effective.map((entry) => entry.change), error };
  }

  for (const [index, group] of groups.entries()) {
    try {
      const result = await applyGroup(deps, group, updatedAt);
      totals.applied.push(...result.applied);
      totals.duplicates += result.duplicates;
      totals.aggregateWrites += result.aggregateWrites;
      totals.transactions += result.transactions;
    } catch (error) {
      const failed = groups.slice(index).flatMap((rest) => rest.map((entry) => entry.change));

      return { ...totals, failed, error };
    }
  }

  return { ...totals, failed: [] };
}

interface PlannedChange {
  readonly change: SaleChange;
  readonly updates: readonly AggregateUpdate[];
}

/** Greedy grouping: ledger puts plus distinct aggregate items never exceed one transaction. */
function planGroups(entries: readonly PlannedChange[]): PlannedChange[][] {
  const groups: PlannedChange[][] = [];
  let current: PlannedChange[] = [];
  let aggregates = new Set<string>();

  for (const entry of entries) {
    const own = entry.updates.map((update) => itemId(update.key));
    if (own.length + 1 > MAX_TRANSACTION_ITEMS) {
      throw new OversizedChangeError(entry.change);
    }
    const union = new Set([...aggregates, ...own]);
    if (current.length + 1 + union.size > MAX_TRANSACTION_ITEMS) {
      groups.push(current);
      current = [entry];
      aggregates = new Set(own);
      continue;
    }
    current.push(entry);
    aggregates = union;
  }
  if (current.length > 0) {
    groups.push(current);
  }

  return groups;
}

/**
 * Applies one group in one transaction. Ledger puts that fail their condition were applied
 * before: those changes are dropped and the rest retried with freshly coalesced deltas.
 */
async function applyGroup(
  deps: RollupDeps,
  group: readonly PlannedChange[],
  updatedAt: string,
): Promise<ApplyResult> {
  let pending = [...group];
  let duplicates = 0;
  let transactions = 0;
  let transientRetries = 0;

  while (pending.length > 0) {
    const updates = coalesceUpdates(pending.flatMap((entry) => entry.updates));
    try {
      transactions += 1;
      await deps.db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...pending.map((entry) => ({
              Put: {
                TableName: deps.revenueTable,
                Item: ledgerItem(entry.change, updatedAt),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
            ...updates.map((update) => ({ Update: updateRequest(deps.revenueTable, update) })),
          ],
        }),
      );

      return {
        applied: pending.map((entry) => entry.change),
        duplicates,
        aggregateWrites: updates.length,
        transactions,
      };
    } catch (error) {
      const codes = cancellationCodes(error);
      const applied = pending.filter((_entry, index) => codes[index] === 'ConditionalCheckFailed');
      if (applied.length > 0) {
        duplicates += applied.length;
        pending = pending.filter((entry) => !applied.includes(entry));
        continue;
      }
      if (!isTransient(error, codes) || transientRetries >= MAX_TRANSIENT_RETRIES) {
        throw error;
      }
      transientRetries += 1;
      await sleep(BACKOFF_BASE_MS * 2 ** transientRetries * (0.5 + Math.random()));
    }
  }

  return { applied: [], duplicates, aggregateWrites: 0, transactions };
}

function updateRequest(tableName: string, update: AggregateUpdate) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(update.fields).map(([name, value], index) => {
    names[`#f${index}`] = name;
    values[`:f${index}`] = value;

    return `#f${index} = :f${index}`;
  });
  const adds = Object.entries(update.add).map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;

    return `#a${index} :a${index}`;
  });

  return {
    TableName: tableName,
    Key: update.key,
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Per-item cancellation codes of a cancelled transaction; empty for any other error. */
function cancellationCodes(error: unknown): (string | undefined)[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
    return [];
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;

  return (reasons ?? []).map((reason) => reason.Code);
}

function isTransient(error: unknown, codes: readonly (string | undefined)[]): boolean {
  if (codes.some((code) => code !== undefined && TRANSIENT_CODES.has(code))) {
    return true;
  }
  const name = error instanceof Error ? error.name : '';

  return (
    name === 'TransactionConflictException' ||
    name === 'ThrottlingException' ||
    name === 'ProvisionedThroughputExceededException' ||
    name === 'RequestLimitExceeded'
  );
}

// The same version twice in one batch (a redelivery inside a retried batch) is one change.
function uniqueChanges(changes: readonly SaleChange[]): SaleChange[] {
  const seen = new Set<string>();

  return changes.filter((change) => {
    const id = `${change.salesId}#${change.version}`;
    if (seen.has(id)) {
      return false;
    }
    seen.add(id);

    return true;
  });
}

// Plans vary most, then products, channels, months and shards: sorting by the keys in that
// order puts changes that share aggregates next to each other, so a group boundary splits
// as few aggregate items as possible.
function signature(updates: readonly AggregateUpdate[]): string {
  const order = ['PLAN#', 'PRODUCT#', 'CHANNEL#', 'MONTH', 'TOTAL#'];
  const rank = (key: RevenueKey): number =>
    order.findIndex((prefix) => key.sk.startsWith(prefix) || key.pk.startsWith(prefix));

  return updates
    .map((update) => `${rank(update.key)}:${update.key.pk}:${update.key.sk}`)
    .sort(compareText)
    .join(',');
}

const itemId = (key: RevenueKey): string => `${key.pk}\u0000${key.sk}`;

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
