import { randomUUID } from 'node:crypto';

import { revenueClose } from '../../functions/revenue-close';
import { revenueDaily, type DailyResult } from '../../functions/revenue-daily';
import {
  cronExpression,
  nextOccurrence,
  SCHEDULES,
  type ScheduleDeclaration,
} from '../../shared/config/schedules';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import type { CloseOutcome } from '../../shared/revenue/close-period';
import { createDocumentClient } from '../../shared/storage/client';
import type { LocalContext, LocalWorker } from './local-context';

/** A scheduled rollup run locally: takes the same input its Lambda handler takes. */
export type ScheduledRun = (input: unknown) => Promise<DailyResult | CloseOutcome>;

// setTimeout cannot wait more than about 24.8 days, and a month is longer: wake up at least
// every six hours and wait again until the occurrence is due.
const MAX_WAIT_MS = 6 * 60 * 60 * 1000;

/** Service dependencies on the local stack's DynamoDB Local. */
export function localDeps(context: Pick<LocalContext, 'endpoint' | 'salesTable' | 'revenueTable'>) {
  const deps: ServiceDeps = {
    db: createDocumentClient({ endpoint: context.endpoint }),
    salesTable: context.salesTable,
    revenueTable: context.revenueTable,
    clock: () => new Date(),
    newSalesId: generateSalesId,
  };

  return deps;
}

/** The scheduled rollups by schedule ID, built on the given dependencies. */
export function scheduledRuns(deps: ServiceDeps): Record<string, ScheduledRun> {
  return { 'revenue-daily': revenueDaily(deps), 'revenue-close': revenueClose(deps) };
}

/** The EventBridge scheduled event AWS would deliver at `time`. */
export function scheduledEvent(time: Date): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail: {},
  };
}

export interface ScheduleWorkerOptions {
  /** The time the crons are matched against (tests move it). @default the system clock */
  readonly clock?: () => Date;
  /** @default SCHEDULES */
  readonly schedules?: readonly ScheduleDeclaration[];
}

/**
 * Fires the scheduled rollups on the crons of shared/config/schedules.ts (UTC), with the
 * scheduled event EventBridge would send, and logs what each run did.
 */
export async function startScheduleWorker(
  context: LocalContext,
  options: ScheduleWorkerOptions = {},
): Promise<LocalWorker> {
  const clock = options.clock ?? (() => new Date());
  const runs = scheduledRuns({ ...localDeps(context), clock });
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const fire = async (declaration: ScheduleDeclaration, at: Date): Promise<void> => {
    const run = runs[declaration.id];
    if (!run) {
      return;
    }
    try {
      const result = await run(scheduledEvent(at));
      for (const line of describeRun(result)) {
        context.log(`[${declaration.id}] ${line}`);
      }
    } catch (error) {
      context.log(`[${declaration.id}] failed: ${error instanceof Error ? error.message : error}`);
    }
  };

  const arm = (declaration: ScheduleDeclaration, due: Date): void => {
    if (stopped) {
      return;
    }
    const wait = Math.min(Math.max(due.getTime() - clock().getTime(), 0), MAX_WAIT_MS);
    timers.set(
      declaration.id,
      setTimeout(() => {
        if (clock().getTime() < due.getTime()) {
          arm(declaration, due);

          return;
        }
        const done = fire(declaration, due).finally(() => running.delete(done));
        running.add(done);
        arm(declaration, nextOccurrence(declaration.cron, due));
      }, wait),
    );
  };

  for (const declaration of options.schedules ?? SCHEDULES) {
    const due = nextOccurrence(declaration.cron, clock());
    arm(declaration, due);
    const job = declaration.id.replace('revenue-', '');
    context.log(
      `Schedule ${declaration.id} ${cronExpression(declaration.cron)} UTC, next at ` +
        `${due.toISOString()} (run it now: npm run rollup -- ${job})`,
    );
  }

  return {
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) {
        clearTimeout(timer);
      }
      await Promise.allSettled([...running]);
    },
  };
}

/** What a run did, as lines for an operator. */
export function describeRun(result: DailyResult | CloseOutcome): string[] {
  if ('status' in result) {
    return describeClose(result);
  }

  return describeDaily(result);
}

function describeDaily(result: DailyResult): string[] {
  const lines = [
    `Reconciled ${result.salesRead} sales (${result.pagesRead} scan pages) for ` +
      `${result.currencies.length} currencies`,
  ];
  if (result.currencies.length === 0) {
    lines.push(`No sales yet: no snapshot of ${result.day} written`);
  }
  for (const report of result.currencies) {
    const snapshot = report.snapshot === 'written' ? 'written' : 'already written, kept';
    lines.push(
      `${report.currency}: snapshot of ${result.day} ${snapshot}; MRR live ${report.liveMrr}, ` +
        `recomputed ${report.recomputedMrr}, drift ${report.mrrDrift}; active sales live ` +
        `${report.liveActiveSales}, recomputed ${report.recomputedActiveSales}`,
    );
    if (report.driftingItems.length > 0) {
      lines.push(`${report.currency}: drifting items ${report.driftingItems.join(', ')}`);
    }
    if (report.repairedItems !== undefined) {
      const skippedItems = report.skippedItems ?? [];
      const skipped = skippedItems.length
        ? `; changed by the stream meanwhile, left for the next run: ${skippedItems.join(', ')}`
        : '';
      lines.push(`${report.currency}: repaired ${report.repairedItems} items${skipped}`);
    }
  }
  const verdict =
    result.totalDrift === 0 && result.currencies.every((c) => c.driftingItems.length === 0)
      ? 'Drift 0 in every currency'
      : `Total drift ${result.totalDrift}` +
        (result.repairRequested
          ? `, ${result.repaired ? 'repaired' : 'nothing repaired'}`
          : ' (re-run with --repair to rewrite the aggregates)');
  lines.push(`${verdict}; run recorded as RECONCILIATION/${result.recordedAt}`);

  return lines;
}

function describeClose(outcome: CloseOutcome): string[] {
  if (outcome.status === 'already_closed') {
    const when = outcome.closedAt ? ` at ${outcome.closedAt}` : ' by an overlapping run';

    return [`${outcome.month} was already closed${when}; nothing changed`];
  }
  const lines = [`Closed ${outcome.month} for ${outcome.periods.length} currencies`];
  for (const period of outcome.periods) {
    const moves = Object.entries(period.movements)
      .map(([kind, amount]) => `${kind} ${amount}`)
      .join(', ');
    lines.push(
      `${period.currency}: opening ${period.opening}, ${moves}, closing ${period.closing}, ` +
        `ARR ${period.arr}`,
    );
  }

  return lines;
}
