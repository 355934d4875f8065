import { z } from 'zod';

import { ServiceError } from '../errors';

/**
 * Days and months as the scheduled rollups name them: `YYYY-MM-DD` and `YYYY-MM`, always
 * UTC, validated as real calendar dates.
 */

const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** True for a real calendar day written `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDay(value: string): boolean {
  if (!DAY_PATTERN.test(value)) {
    return false;
  }

  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/** True for a month written `YYYY-MM`. */
export const isMonth = (value: string): boolean => MONTH_PATTERN.test(value);

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** The UTC month of an instant, `YYYY-MM`. */
export const monthOf = (at: Date): string => at.toISOString().slice(0, 7);

/** The day before a `YYYY-MM-DD` day. */
export function previousDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);

  return dayOf(date);
}

/** The month before a `YYYY-MM` month. */
export function previousMonth(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() - 1);

  return monthOf(date);
}

/** The last day of a `YYYY-MM` month, `YYYY-MM-DD`. */
export function lastDayOf(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1, 0);

  return dayOf(date);
}

const scheduledEvent = z.object({
  'detail-type': z.literal('Scheduled Event'),
  time: z.iso.datetime({ offset: true }),
});

const dailyRequest = z.strictObject({
  date: z.string().refine(isCalendarDay, 'must be a calendar day written YYYY-MM-DD').optional(),
  repair: z.boolean().optional(),
});

const closeRequest = z.strictObject({
  month: z.string().refine(isMonth, 'must be a month written YYYY-MM').optional(),
});

/** What revenue-daily is asked to do, resolved against the time of the run. */
export interface DailyRun {
  readonly now: Date;
  /** The day whose snapshot to write: the day that just ended unless one is named. */
  readonly day: string;
  readonly repair: boolean;
}

/** What revenue-close is asked to do, resolved against the time of the run. */
export interface CloseRun {
  readonly now: Date;
  readonly month: string;
}

/**
 * Reads revenue-daily's input: an EventBridge scheduled event (its `time` is the run's
 * "now"), or `{ "date"?: "YYYY-MM-DD", "repair"?: true }` from an operator.
 */
export function parseDailyInput(input: unknown, clock: () => Date): DailyRun {
  const event = scheduledEvent.safeParse(input);
  if (event.success) {
    const now = new Date(event.data.time);

    return { now, day: previousDay(dayOf(now)), repair: false };
  }
  const request = parseRequest(dailyRequest, input);
  const now = clock();
  const today = dayOf(now);
  const day = request.date ?? previousDay(today);
  if (day >= today) {
    throw periodError('/date', `${day} has not ended yet: name a day before ${today}`);
  }

  return { now, day, repair: request.repair ?? false };
}

/**
 * Reads revenue-close's input: an EventBridge scheduled event (closes the month before its
 * `time`), or `{ "month"?: "YYYY-MM" }`; the current or a future month is refused.
 */
export function parseCloseInput(input: unknown, clock: () => Date): CloseRun {
  const event = scheduledEvent.safeParse(input);
  if (event.success) {
    const now = new Date(event.data.time);

    return { now, month: previousMonth(monthOf(now)) };
  }
  const request = parseRequest(closeRequest, input);
  const now = clock();
  const current = monthOf(now);
  const month = request.month ?? previousMonth(current);
  if (month >= current) {
    throw periodError(
      '/month',
      `${month} has not ended yet: only a month before ${current} closes`,
    );
  }

  return { now, month };
}

function parseRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    return result.data;
  }
  const errors = result.error.issues.map((issue) => ({
    pointer: `/${issue.path.map(String).join('/')}`,
    detail: issue.message,
  }));

  throw new ServiceError('validation_failed', 'Invalid rollup period', { errors });
}

function periodError(pointer: string, detail: string): ServiceError {
  return new ServiceError('validation_failed', detail, { errors: [{ pointer, detail }] });
}
