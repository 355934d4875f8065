import { z } from 'zod';

import { externalId, utcTime } from './fields';

/**
 * A meter name: a lower-case slug (`api-calls`, `storage_gb`). It is part of the usage
 * counter's key, so it may hold no `#` and is kept short and readable.
 */
export const meter = z
  .string()
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'a lower-case slug of a-z, 0-9, - and _')
  .max(64);

/** Body of `POST /sales/{salesId}/usage`. Unknown fields are refused. */
export const recordUsageBody = z
  .object({
    eventId: externalId,
    meter,
    quantity: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    occurredAt: utcTime.optional(),
    unitAmount: z.int().min(0).max(1_000_000_000_000).optional(),
  })
  .strict()
  .refine(
    (usage) =>
      usage.unitAmount === undefined || Number.isSafeInteger(usage.quantity * usage.unitAmount),
    { path: ['unitAmount'], message: 'quantity × unitAmount must stay below 2^53' },
  );

export type RecordUsageBody = z.infer<typeof recordUsageBody>;
