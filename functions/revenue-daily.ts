import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';

import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { arrFromMrr } from '../shared/domain/money';
import { logger } from '../shared/observability/logger';
import {
  METRIC,
  metrics,
  MetricUnit,
  publishRevenueFigures,
} from '../shared/observability/metrics';
import { reconciliationKey, REVENUE_ENTITY } from '../shared/revenue/keys';
import { readLiveFigures } from '../shared/revenue/live-figures';
import { dayOf, parseDailyInput, previousDay } from '../shared/revenue/periods';
import {
  compareFigures,
  isDrifting,
  repairAggregates,
  type CurrencyDrift,
} from '../shared/revenue/reconcile';
import { recomputeFromSales, totalsOf, type MrrFigures } from '../shared/revenue/recompute';
import { writeSnapshot, type SnapshotOutcome } from '../shared/revenue/snapshot';

export interface DailyOptions {
  /** Parallel scan segments for the recomputation. @default DEFAULT_SCAN_SEGMENTS */
  readonly segments?: number;
  /**
   * How long to wait before reading a drifting currency's aggregates again: a sale changed
   * while the scan ran reaches the aggregates a moment later, and must not count as drift.
   * @default 5000
   */
  readonly settleMs?: number;
}

/** What one currency's run found and did. */
export interface CurrencyReport extends Omit<CurrencyDrift, 'parts'> {
  readonly driftingItems: readonly string[];
  readonly snapshot: SnapshotOutcome;
  readonly repairedItems?: number;
  readonly skippedItems?: readonly string[];
}

export interface DailyResult {
  readonly day: string;
  readonly salesRead: number;
  readonly pagesRead: number;
  readonly repairRequested: boolean;
  readonly repaired: boolean;
  readonly totalDrift: number;
  readonly currencies: readonly CurrencyReport[];
  readonly recordedAt: string;
}

// A run record lists at most this many drifting items per currency; the log has them all.
const ITEMS_RECORDED = 50;

/**
 * revenue-daily: writes the ended day's MRR snapshot per currency, then reconciles the
 * live aggregates with a recomputation from the sales, and repairs them when asked.
 * Input: an EventBridge scheduled event, or `{ "date"?: "YYYY-MM-DD", "repair"?: true }`.
 */
export const revenueDaily =
  (deps: ServiceDeps, options: DailyOptions = {}) =>
  async (input: unknown): Promise<DailyResult> => {
    const run = parseDailyInput(input, deps.clock);
    logger.appendKeys({ day: run.day, repair: run.repair });
    const recomputation = await recomputeFromSales(deps, { segments: options.segments });
    const reports: CurrencyReport[] = [];
    let repaired = false;

    for (const [currency, recomputed] of [...recomputation.figures].sort(byKey)) {
      let live = await readLiveFigures(deps, currency);
      let drift = compareFigures(live, recomputed);
      if (isDrifting(drift) && (options.settleMs ?? 5000) > 0) {
        await sleep(options.settleMs ?? 5000);
        live = await readLiveFigures(deps, currency);
        drift = compareFigures(live, recomputed);
      }
      publishDrift(currency, drift.mrrDrift);
      if (isDrifting(drift)) {
        logger.warn('MRR drift', { ...drift, parts: drift.parts.slice(0, ITEMS_RECORDED) });
      }

      let repair: { repairedItems: number; skippedItems: string[] } | undefined;
      if (run.repair && isDrifting(drift)) {
        const outcome = await repairAggregates(deps, live, recomputed);
        repair = { repairedItems: outcome.written, skippedItems: [...outcome.skipped] };
        repaired ||= outcome.written > 0;
        logger.info('Aggregates repaired', { currency, ...repair });
        live = outcome.skipped.length === 0 ? recomputed : await readLiveFigures(deps, currency);
      }

      const snapshot = await snapshotDay(deps, run, live, drift.mrrDrift);
      // The dashboard's MRR and ARR gauges: one point a day per currency, from the live
      // aggregates as reconciled, so the chart shows what finance would read.
      const { mrr } = totalsOf(live);
      publishRevenueFigures(currency, mrr, arrFromMrr(mrr));
      const { parts, ...figures } = drift;
      reports.push({
        ...figures,
        driftingItems: parts.slice(0, ITEMS_RECORDED).map((part) => part.item),
        snapshot,
        ...repair,
      });
    }

    const totalDrift = reports.reduce((sum, report) => sum + report.mrrDrift, 0);
    publishDrift(undefined, totalDrift);
    const result: DailyResult = {
      day: run.day,
      salesRead: recomputation.salesRead,
      pagesRead: recomputation.pagesRead,
      repairRequested: run.repair,
      repaired,
      totalDrift,
      currencies: reports,
      recordedAt: deps.clock().toISOString(),
    };
    const recordedAt = await recordRun(deps, result);
    logger.info('Reconciliation finished', {
      salesRead: result.salesRead,
      currencies: reports.length,
      totalDrift,
      repaired,
    });

    return { ...result, recordedAt };
  };

async function snapshotDay(
  deps: ServiceDeps,
  run: { now: Date; day: string },
  live: MrrFigures,
  mrrDrift: number,
): Promise<SnapshotOutcome> {
  return writeSnapshot(deps, {
    day: run.day,
    figures: live,
    takenAt: deps.clock().toISOString(),
    late: run.day < previousDay(dayOf(run.now)),
    mrrDrift,
  });
}

/**
 * MrrDrift per currency (dimension `currency`) and in total (service dimension only), so
 * one alarm watches every currency, including ones first seen after it was created.
 */
function publishDrift(currency: string | undefined, drift: number): void {
  const single = metrics.singleMetric();
  if (currency !== undefined) {
    single.addDimension('currency', currency);
  }
  single.addMetric(METRIC.mrrDrift, MetricUnit.Count, drift);
}

/**
 * Records the run under its time. Two runs in one millisecond (overlapping re-runs) must
 * not overwrite each other's record, so the put is conditional and moves on by a millisecond.
 */
async function recordRun(deps: ServiceDeps, result: DailyResult): Promise<string> {
  const recordedAt = new Date(result.recordedAt);
  for (;;) {
    const at = recordedAt.toISOString();
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.revenueTable,
          Item: {
            ...reconciliationKey(at),
            entityType: REVENUE_ENTITY.reconciliation,
            ...result,
            recordedAt: at,
            drifting: result.currencies.some((report) => report.driftingItems.length > 0),
            updatedAt: at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );

      return at;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw error;
      }
      recordedAt.setTime(recordedAt.getTime() + 1);
    }
  }
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number =>
  a < b ? -1 : a > b ? 1 : 0;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = revenueDaily(depsFromEnv());
