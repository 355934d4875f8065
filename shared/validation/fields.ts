import { z } from 'zod';

import { BILLING_INTERVALS } from '../domain/money';

/**
 * Field rules shared by every request schema. The same schemas validate requests and
 * generate the OpenAPI document, so the two cannot disagree.
 */

/** Customer, opportunity, contract, product, plan, payment and event IDs. */
export const externalId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1 to 128 characters of A-Z, a-z, 0-9, _ . : -');

export const channel = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lower-case slug')
  .max(64);

export const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in upper case');

/** ISO 8601 UTC time; offsets other than Z are refused so stored times compare as text. */
export const utcTime = z.iso.datetime({ offset: false });

export const reason = z.string().min(1).max(500);

export const saleItem = z
  .object({
    productId: externalId,
    planId: externalId,
    quantity: z.int().min(1).max(1_000_000),
    unitAmount: z.int().min(0).max(1_000_000_000_000),
    interval: z.enum(BILLING_INTERVALS),
  })
  .strict();

export const saleItems = z.array(saleItem).min(1).max(50);

export const metadata = z
  .record(z.string().max(128), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 20, 'at most 20 entries');

/** A positive amount in minor units, bounded so sums stay exact. */
export const positiveAmount = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
