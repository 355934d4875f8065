import { z } from 'zod';

import { ServiceError } from '../errors';
import { reason, saleItems } from './fields';

/** Body of `POST /sales/{salesId}/amendments`: the new items replace the old ones. */
export const amendSaleBody = z
  .object({
    items: saleItems,
    reason: reason.optional(),
  })
  .strict();

export type AmendSaleBody = z.infer<typeof amendSaleBody>;

/** Body of cancellation and reactivation; the body itself may be left out. */
export const changeReasonBody = z
  .object({
    reason: reason.optional(),
  })
  .strict();

export type ChangeReasonBody = z.infer<typeof changeReasonBody>;

// Our ETags are strong and quoted ("3"); a bare number and the weak form (W/"3", which some
// proxies produce when they re-encode a response) name the same version.
const VERSION_TAG = /^(?:W\/)?"([1-9][0-9]{0,9})"$|^([1-9][0-9]{0,9})$/;

/**
 * The version an `If-Match` header names, or undefined when the header is absent. A value
 * that names no version is a malformed request (400), ranked before any database call.
 */
export function ifMatchVersion(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '') {
    return undefined;
  }
  const match = VERSION_TAG.exec(value);
  const digits = match?.[1] ?? match?.[2];
  if (digits === undefined) {
    throw new ServiceError('validation_failed', 'If-Match must name one version, as "3"', {
      errors: [{ pointer: '/headers/If-Match', detail: 'one version tag from an ETag' }],
    });
  }

  return Number(digits);
}
