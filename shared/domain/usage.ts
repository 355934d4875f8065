import { requestFingerprint } from './canonical-json';
import { ServiceError } from '../errors';
import type { SalesId } from './sales-id';

/** What a metering client reports: a quantity of one meter, optionally priced per unit. */
export interface UsageTerms {
  readonly eventId: string;
  readonly meter: string;
  readonly quantity: number;
  readonly occurredAt?: string;
  readonly unitAmount?: number;
}

/** A usage event as recorded, with the month it counts in and its amount when priced. */
export interface UsageEvent {
  readonly salesId: SalesId;
  readonly eventId: string;
  readonly meter: string;
  readonly quantity: number;
  readonly unitAmount?: number;
  /** quantity × unitAmount in the sale's currency; 0 for unpriced usage. */
  readonly amount: number;
  readonly currency: string;
  readonly occurredAt: string;
  /** The UTC month (YYYY-MM) the usage is summed in: that of `occurredAt`. */
  readonly month: string;
  readonly recordedAt: string;
  /** Fingerprint of the terms as sent, so a retry is told apart from a reuse of the ID. */
  readonly fingerprint: string;
}

/** A usage event before the sale's currency is known. */
export type UsageDraft = Omit<UsageEvent, 'currency'>;

/**
 * Builds a usage event; the caller adds the sale's currency. `occurredAt` defaults to now
 * and may not lie in the future: usage is a fact that happened, and is summed by its month.
 */
export function newUsageEvent(salesId: SalesId, terms: UsageTerms, now: Date): UsageDraft {
  const recordedAt = now.toISOString();
  const occurredAt = terms.occurredAt ?? recordedAt;
  if (Date.parse(occurredAt) > now.getTime()) {
    throw new ServiceError('validation_failed', 'occurredAt lies in the future', {
      errors: [{ pointer: '/occurredAt', detail: 'must not be in the future' }],
    });
  }

  return {
    salesId,
    eventId: terms.eventId,
    meter: terms.meter,
    quantity: terms.quantity,
    ...(terms.unitAmount !== undefined ? { unitAmount: terms.unitAmount } : {}),
    amount: terms.quantity * (terms.unitAmount ?? 0),
    occurredAt,
    month: new Date(occurredAt).toISOString().slice(0, 7),
    recordedAt,
    fingerprint: requestFingerprint(terms),
  };
}

/** The usage event as the usage route answers it. */
export function usageEventResponse(event: UsageEvent): Omit<UsageEvent, 'fingerprint'> {
  const { fingerprint: _fingerprint, ...view } = event;

  return view;
}
