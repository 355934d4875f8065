import { z } from 'zod';

import { currency, externalId, positiveAmount, utcTime } from './fields';

/** Body of `POST /sales/{salesId}/payments`. Unknown fields are refused. */
export const recordPaymentBody = z
  .object({
    paymentId: externalId,
    amount: positiveAmount,
    currency,
    receivedAt: utcTime.optional(),
  })
  .strict();

export type RecordPaymentBody = z.infer<typeof recordPaymentBody>;
