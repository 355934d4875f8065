import { z } from 'zod';

import type { FieldError } from '../errors';
import { currency } from './fields';
import { invalidQuery } from './list-sales';
import { toPointer } from './parse';

/** Longest `GET /revenue/months` range, in months (ten years). */
export const MAX_MONTHS_RANGE = 120;

const month = z
  .string()
  .regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'a month written YYYY-MM')
  .describe('Calendar month, UTC, YYYY-MM');

/** Months from `from` to `to` inclusive (both `YYYY-MM`). */
export function monthsBetween(from: string, to: string): number {
  const index = (value: string): number => Number(value.slice(0, 4)) * 12 + Number(value.slice(5));

  return index(to) - index(from) + 1;
}

/** Query of `GET /revenue/mrr`. */
export const mrrQuery = z.object({ currency }).strict();

/** Query of `GET /revenue/movements`. */
export const movementsQuery = z.object({ currency, month }).strict();

/** Query of `GET /revenue/months`: `from` not after `to`, at most 120 months. */
export const monthsQuery = z
  .object({ currency, from: month, to: month })
  .strict()
  .refine((query) => query.from <= query.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  })
  .refine((query) => monthsBetween(query.from, query.to) <= MAX_MONTHS_RANGE, {
    message: `the range spans at most ${MAX_MONTHS_RANGE} months`,
    path: ['to'],
  });

/** Parses a revenue query; every problem, a repeated parameter included, is `invalid_query`. */
export function parseRevenueQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: Readonly<Record<string, string>>,
  multiQuery: Readonly<Record<string, readonly string[]>>,
): z.infer<Schema> {
  const repeated = Object.entries(multiQuery)
    .filter(([, values]) => values.length > 1)
    .map(([name]): FieldError => ({ pointer: `/query/${name}`, detail: 'given more than once' }));
  if (repeated.length > 0) {
    throw invalidQuery(repeated);
  }

  const result = schema.safeParse(query);
  if (result.success) {
    return result.data;
  }

  throw invalidQuery(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ pointer: `/query/${key}`, detail: 'unknown parameter' }))
        : [{ pointer: `/query${toPointer(issue.path)}`, detail: issue.message }],
    ),
  );
}
