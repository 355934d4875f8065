import {
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import { arrFromMrr } from '../domain/money';
import { logger } from '../observability/logger';
import { closeMarkerKey, periodKey, REVENUE_ENTITY } from './keys';
import { readMonths } from './months';
import type { MovementKind } from './movement';
import { DEFAULT_SCAN_SEGMENTS, parallelScan } from './parallel-scan';

/**
 * Month close: one immutable period record per currency, sealed by a `CLOSE/<month>`
 * marker. The marker is written if absent in the same transaction as the period records,
 * so of two overlapping closes exactly one writes, and a repeated close changes nothing.
 *
 * Which currencies: every currency with a month-movements item or a live MRR total, found
 * by one paged, parallel Scan of the RevenueTable that also reads the movement ledger for
 * the breakdowns. Its cost grows with the table, once a month; a currency registry item
 * would make it O(currencies), and is the upgrade if that scan ever gets slow.
 *
 * Breakdowns: `byChannel` and `byPlan` are the MRR by channel and plan as the month ended,
 * summed from the ledger's per-movement deltas up to that month, so they add up to the
 * same movements as `closing` does, whenever the close runs.
 *
 * The close trusts that the stream rollup has caught up with the ended month (it runs 45
 * minutes after midnight; the rollup lags by seconds). It does not check the iterator age:
 * with a stream backlog past that, the iterator-age alarm fires and the close seals
 * figures that are missing the backlog.
 */

/** A closed period's figures, as `GET /revenue/movements` returns them after the close. */
export interface PeriodRecord {
  readonly currency: string;
  readonly month: string;
  readonly opening: number;
  readonly movements: Record<MovementKind, number>;
  readonly closing: number;
  readonly arr: number;
  readonly counts: Record<MovementKind, number>;
  readonly byChannel: Record<string, number>;
  readonly byPlan: Record<string, number>;
  readonly closedAt: string;
}

export type CloseOutcome =
  | { readonly status: 'closed'; readonly month: string; readonly periods: PeriodRecord[] }
  | { readonly status: 'already_closed'; readonly month: string; readonly closedAt?: string };

export interface CloseOptions {
  /** Parallel scan segments. @default DEFAULT_SCAN_SEGMENTS */
  readonly segments?: number;
}

// One transaction holds 100 actions; one of them is always the marker's put or check.
const PERIODS_PER_TRANSACTION = 99;

/** Closes a month (`YYYY-MM`) for every currency, or reports that it was closed already. */
export async function closeMonth(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable' | 'clock'>,
  month: string,
  options: CloseOptions = {},
): Promise<CloseOutcome> {
  const existing = await readMarker(deps, month);
  if (existing !== undefined) {
    return { status: 'already_closed', month, closedAt: existing };
  }

  const closedAt = deps.clock().toISOString();
  const scanned = await scanRevenue(deps, month, options.segments ?? DEFAULT_SCAN_SEGMENTS);
  const periods: PeriodRecord[] = [];
  for (const currency of [...scanned.currencies].sort()) {
    const [figures] = await readMonths(deps, currency, month, month);
    if (figures === undefined) {
      continue;
    }
    const breakdowns = scanned.breakdowns.get(currency) ?? emptyBreakdowns();
    warnIfUnbalanced(currency, month, figures.closing, breakdowns.byChannel);
    periods.push({
      currency,
      month,
      opening: figures.opening,
      movements: figures.movements,
      closing: figures.closing,
      arr: arrFromMrr(figures.closing),
      counts: figures.counts,
      byChannel: withoutZeros(breakdowns.byChannel),
      byPlan: withoutZeros(breakdowns.byPlan),
      closedAt,
    });
  }

  const written = await writePeriods(deps, month, periods, closedAt);

  return written ? { status: 'closed', month, periods } : { status: 'already_closed', month };
}

async function readMarker(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  month: string,
): Promise<string | undefined> {
  const result = await deps.db.send(
    new GetCommand({
      TableName: deps.revenueTable,
      Key: closeMarkerKey(month),
      ConsistentRead: true,
    }),
  );
  if (result.Item === undefined) {
    return undefined;
  }

  return String(result.Item.closedAt ?? '');
}

interface Breakdowns {
  readonly byChannel: Record<string, number>;
  readonly byPlan: Record<string, number>;
}

interface RevenueScan {
  readonly currencies: Set<string>;
  readonly breakdowns: Map<string, Breakdowns>;
}

async function scanRevenue(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  month: string,
  segments: number,
): Promise<RevenueScan> {
  const currencies = new Set<string>();
  const breakdowns = new Map<string, Breakdowns>();
  // A service that ignores segments hands every segment the whole table; movements are
  // counted once per ledger key so the sums stay right either way.
  const seenMovements = new Set<string>();

  await parallelScan(
    deps,
    {
      TableName: deps.revenueTable,
      FilterExpression:
        '(entityType = :movement AND #month <= :month) OR entityType IN (:monthItem, :total)',
      ProjectionExpression: 'pk, sk, entityType, currency, channelDeltas, planDeltas',
      ExpressionAttributeNames: { '#month': 'month' },
      ExpressionAttributeValues: {
        ':movement': REVENUE_ENTITY.movement,
        ':month': month,
        ':monthItem': REVENUE_ENTITY.monthMovements,
        ':total': REVENUE_ENTITY.mrrTotalShard,
      },
    },
    segments,
    (items) => {
      for (const item of items) {
        const currency = String(item.currency);
        currencies.add(currency);
        const id = `${String(item.pk)}|${String(item.sk)}`;
        if (item.entityType !== REVENUE_ENTITY.movement || seenMovements.has(id)) {
          continue;
        }
        seenMovements.add(id);
        let entry = breakdowns.get(currency);
        if (!entry) {
          entry = emptyBreakdowns();
          breakdowns.set(currency, entry);
        }
        addDeltas(entry.byChannel, item.channelDeltas);
        addDeltas(entry.byPlan, item.planDeltas);
      }
    },
  );

  return { currencies, breakdowns };
}

/**
 * Writes the period records and the marker. Up to 99 currencies fit the marker's own
 * transaction. Beyond that the records go in several transactions: each earlier one checks
 * that the marker is still absent, and the last puts it; a run that fails part-way leaves
 * records but no marker, so the month stays open and the next run rewrites them all.
 */
async function writePeriods(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  month: string,
  periods: readonly PeriodRecord[],
  closedAt: string,
): Promise<boolean> {
  const chunks: PeriodRecord[][] = [];
  for (let start = 0; start < periods.length; start += PERIODS_PER_TRANSACTION) {
    chunks.push(periods.slice(start, start + PERIODS_PER_TRANSACTION));
  }
  if (chunks.length === 0) {
    chunks.push([]);
  }

  for (const [index, chunk] of chunks.entries()) {
    const last = index === chunks.length - 1;
    const marker = last
      ? {
          Put: {
            TableName: deps.revenueTable,
            Item: markerItem(month, periods, closedAt),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }
      : {
          ConditionCheck: {
            TableName: deps.revenueTable,
            Key: closeMarkerKey(month),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        };
    const puts = chunk.map((period) => ({
      Put: { TableName: deps.revenueTable, Item: periodItem(period) },
    }));
    const written = await transact(deps, month, [marker, ...puts]);
    if (!written) {
      return false;
    }
  }

  return true;
}

// In AWS two overlapping closes can collide as TransactionConflict rather than as a failed
// condition; after a short pause the marker tells whether the other run sealed the month.
const CONFLICT_RETRIES = 3;

/** Runs one close transaction; false when the marker turned out to exist already. */
async function transact(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  month: string,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
): Promise<boolean> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await deps.db.send(new TransactWriteCommand({ TransactItems: items }));

      return true;
    } catch (error) {
      if (markerExists(error)) {
        return false;
      }
      if (!isConflict(error) || attempt >= CONFLICT_RETRIES) {
        throw error;
      }
      await sleep(50 * 2 ** attempt);
      if ((await readMarker(deps, month)) !== undefined) {
        return false;
      }
    }
  }
}

function isConflict(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;

  return (
    error.name === 'TransactionConflictException' ||
    (reasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when a transaction was cancelled because the marker (always item 0) exists. */
function markerExists(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
    return false;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;

  return reasons?.[0]?.Code === 'ConditionalCheckFailed';
}

function markerItem(
  month: string,
  periods: readonly PeriodRecord[],
  closedAt: string,
): Record<string, unknown> {
  return {
    ...closeMarkerKey(month),
    entityType: REVENUE_ENTITY.closeMarker,
    month,
    currencies: periods.map((period) => period.currency),
    closedAt,
    updatedAt: closedAt,
  };
}

function periodItem(period: PeriodRecord): Record<string, unknown> {
  return {
    ...periodKey(period.currency, period.month),
    entityType: REVENUE_ENTITY.period,
    ...period,
    updatedAt: period.closedAt,
  };
}

const emptyBreakdowns = (): Breakdowns => ({ byChannel: {}, byPlan: {} });

function addDeltas(target: Record<string, number>, deltas: unknown): void {
  if (typeof deltas !== 'object' || deltas === null) {
    return;
  }
  for (const [id, delta] of Object.entries(deltas as Record<string, unknown>)) {
    if (typeof delta === 'number') {
      target[id] = (target[id] ?? 0) + delta;
    }
  }
}

function withoutZeros(parts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(parts).filter(([, mrr]) => mrr !== 0));
}

// Closing comes from the month items (or an earlier closed period), the breakdowns from
// the ledger; they agree unless an earlier period was sealed before a late movement landed.
function warnIfUnbalanced(
  currency: string,
  month: string,
  closing: number,
  byChannel: Record<string, number>,
): void {
  const channels = Object.values(byChannel).reduce((sum, mrr) => sum + mrr, 0);
  if (channels !== closing) {
    logger.warn('Period breakdown differs from closing', { currency, month, closing, channels });
  }
}
