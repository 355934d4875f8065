import { z } from 'zod';

import { channel, currency, externalId, metadata, saleItems, utcTime } from './fields';

/** Body of `POST /sales`. Unknown fields are refused. */
export const createSaleBody = z
  .object({
    customerId: externalId,
    opportunityId: externalId.optional(),
    contractId: externalId.optional(),
    channel,
    currency,
    activatedAt: utcTime.optional(),
    items: saleItems,
    metadata: metadata.optional(),
  })
  .strict();

export type CreateSaleBody = z.infer<typeof createSaleBody>;

/** `Idempotency-Key`: 1 to 255 printable ASCII characters. */
export const idempotencyKey = z.string().regex(/^[\x20-\x7e]{1,255}$/);
