import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Percentile of a list of durations in milliseconds (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));

  return sorted[rank] ?? Number.NaN;
}

/** Milliseconds an async call takes, from a monotonic clock. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();

  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Counts the requests a document client sends, by command name. */
export function countRequests(db: DynamoDBDocumentClient): {
  total: () => number;
  byCommand: () => Record<string, number>;
  reset: () => void;
} {
  let counts: Record<string, number> = {};
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts[name] = (counts[name] ?? 0) + 1;

      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );

  return {
    total: () => Object.values(counts).reduce((sum, count) => sum + count, 0),
    byCommand: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
  };
}

export interface Comparison {
  readonly label: string;
  readonly baseline: readonly number[];
  readonly subject: readonly number[];
}

/** Prints p50/p99 of a subject beside its baseline, and the ratios. */
export function printComparison({ label, baseline, subject }: Comparison): void {
  const row = (name: string, samples: readonly number[]): string =>
    `  ${name.padEnd(28)} p50 ${percentile(samples, 50).toFixed(2).padStart(7)} ms` +
    `   p99 ${percentile(samples, 99).toFixed(2).padStart(7)} ms   n=${samples.length}`;
  const ratio = (p: number): string =>
    (percentile(subject, p) / percentile(baseline, p)).toFixed(3);

  console.log(label);
  console.log(row('baseline (bare DynamoDB)', baseline));
  console.log(row('handler', subject));
  console.log(`  ratio handler/baseline      p50 ${ratio(50)}   p99 ${ratio(99)}`);
}
