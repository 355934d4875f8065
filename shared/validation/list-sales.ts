import { z } from 'zod';

import { ServiceError, type FieldError } from '../errors';
import { channel, externalId } from './fields';
import { toPointer } from './parse';

/** The neighbour keys `GET /sales` can look up by; exactly one per request. */
export const LOOKUP_FILTERS = [
  'customerId',
  'opportunityId',
  'contractId',
  'planId',
  'channel',
] as const;

export type LookupFilter = (typeof LOOKUP_FILTERS)[number];

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Query of `GET /sales`: one look-up filter, an optional page size and cursor. */
export const listSalesQuery = z
  .object({
    customerId: externalId.optional(),
    opportunityId: externalId.optional(),
    contractId: externalId.optional(),
    planId: externalId.optional(),
    channel: channel.optional(),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, `an integer from 1 to ${MAX_PAGE_SIZE}`)
      .transform(Number)
      .pipe(z.int().min(1).max(MAX_PAGE_SIZE))
      .optional(),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .strict()
  .refine((query) => LOOKUP_FILTERS.filter((name) => query[name] !== undefined).length === 1, {
    message: `give exactly one of ${LOOKUP_FILTERS.join(', ')}`,
  });

/** A validated look-up: which neighbour key, its value, the page size and the cursor. */
export interface SalesLookup {
  readonly filter: LookupFilter;
  readonly value: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** Parses the look-up query; every problem, a repeated parameter included, is `invalid_query`. */
export function parseListSalesQuery(
  query: Readonly<Record<string, string>>,
  multiQuery: Readonly<Record<string, readonly string[]>>,
): SalesLookup {
  const repeated = Object.entries(multiQuery)
    .filter(([, values]) => values.length > 1)
    .map(([name]): FieldError => ({ pointer: `/query/${name}`, detail: 'given more than once' }));
  if (repeated.length > 0) {
    throw invalidQuery(repeated);
  }

  const result = listSalesQuery.safeParse(query);
  if (!result.success) {
    throw invalidQuery(
      result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ pointer: `/query/${key}`, detail: 'unknown parameter' }))
          : [{ pointer: `/query${toPointer(issue.path)}`, detail: issue.message }],
      ),
    );
  }
  const parsed = result.data;
  const filter = LOOKUP_FILTERS.find((name) => parsed[name] !== undefined)!;

  return {
    filter,
    value: parsed[filter]!,
    limit: parsed.limit ?? DEFAULT_PAGE_SIZE,
    cursor: parsed.cursor,
  };
}

/** A 400 `invalid_query` with the offending parameters. */
export function invalidQuery(errors: readonly FieldError[]): ServiceError {
  return new ServiceError('invalid_query', `${errors.length} query problem(s)`, { errors });
}
