/**
 * The one declaration of the scheduled rollups. The CDK stack builds an EventBridge rule
 * and a function from each entry; the local stack's timer fires the same entries on the
 * same crons. All times are UTC, as EventBridge cron expressions are.
 */

/**
 * A cron in EventBridge's fields. Only a number or `*` per field: that is all these
 * schedules need, and it keeps the local timer's matcher small and exact.
 */
export interface CronFields {
  /** Minute of the hour, 0-59. */
  readonly minute: string;
  /** Hour of the day (UTC), 0-23. */
  readonly hour: string;
  /** Day of the month, 1-31. @default '*' */
  readonly day?: string;
}

export interface ScheduleDeclaration {
  /** Function name stem and the entry file's name in `functions/`. */
  readonly id: string;
  readonly cron: CronFields;
  readonly description: string;
  /** How long one run may take, in seconds: a full scan of the sales grows with the sales. */
  readonly timeoutSeconds: number;
}

export const REVENUE_DAILY: ScheduleDeclaration = {
  id: 'revenue-daily',
  // A quarter past midnight: the day has ended and the stream has long caught up with it.
  cron: { minute: '15', hour: '0' },
  description: "Writes the ended day's MRR snapshot per currency and reconciles the aggregates",
  timeoutSeconds: 900,
};

export const REVENUE_CLOSE: ScheduleDeclaration = {
  id: 'revenue-close',
  // After revenue-daily on the 1st, so the last day's snapshot (the close's breakdowns)
  // exists when the month is sealed.
  cron: { minute: '45', hour: '0', day: '1' },
  description: 'Closes the previous month into immutable period records per currency',
  timeoutSeconds: 300,
};

export const SCHEDULES = [REVENUE_DAILY, REVENUE_CLOSE] as const;

/** The entry file of a scheduled function, relative to the project root. */
export const scheduleEntry = (id: string): string => `functions/${id}.ts`;

/** The declaration as an EventBridge expression, e.g. `cron(15 0 * * ? *)`. */
export function cronExpression(cron: CronFields): string {
  const day = cron.day ?? '*';
  // EventBridge wants `?` in exactly one of day-of-month and day-of-week.
  return `cron(${cron.minute} ${cron.hour} ${day} * ? *)`;
}

/** True when the UTC minute of `at` matches the cron. */
export function cronMatches(cron: CronFields, at: Date): boolean {
  const field = (value: string | undefined, actual: number): boolean =>
    value === undefined || value === '*' || Number(value) === actual;

  return (
    field(cron.minute, at.getUTCMinutes()) &&
    field(cron.hour, at.getUTCHours()) &&
    field(cron.day, at.getUTCDate())
  );
}

// Day 31 can be two months away (from 1 February to 31 March): search 62 days of minutes.
const MINUTES_TO_SEARCH = 62 * 24 * 60;

/** The first whole UTC minute strictly after `after` at which the cron fires. */
export function nextOccurrence(cron: CronFields, after: Date): Date {
  const candidate = new Date(after.getTime());
  candidate.setUTCSeconds(0, 0);
  for (let step = 0; step < MINUTES_TO_SEARCH; step += 1) {
    candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
    if (cronMatches(cron, candidate)) {
      return candidate;
    }
  }

  throw new Error(`Cron ${cronExpression(cron)} never fires`);
}
