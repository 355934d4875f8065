import { requestFingerprint } from './canonical-json';
import { ServiceError } from '../errors';
import type { SalesId } from './sales-id';

/** What a client reports: a payment received against one sale. */
export interface PaymentTerms {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly receivedAt?: string;
}

/** A payment as recorded: the terms, their fingerprint for replays, and when it was applied. */
export interface Payment {
  readonly salesId: SalesId;
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly receivedAt: string;
  readonly recordedAt: string;
  /** Fingerprint of the terms as sent, so a retry is told apart from a reuse of the ID. */
  readonly fingerprint: string;
}

/** Builds the payment record; `receivedAt` defaults to now and may not lie in the future. */
export function newPayment(salesId: SalesId, terms: PaymentTerms, now: Date): Payment {
  const recordedAt = now.toISOString();
  const receivedAt = terms.receivedAt ?? recordedAt;
  if (Date.parse(receivedAt) > now.getTime()) {
    throw new ServiceError('validation_failed', 'receivedAt lies in the future', {
      errors: [{ pointer: '/receivedAt', detail: 'must not be in the future' }],
    });
  }

  return {
    salesId,
    paymentId: terms.paymentId,
    amount: terms.amount,
    currency: terms.currency,
    receivedAt,
    recordedAt,
    fingerprint: requestFingerprint(terms),
  };
}

/** The payment as the payments route answers it. */
export function paymentResponse(payment: Payment): Omit<Payment, 'fingerprint'> {
  const { fingerprint: _fingerprint, ...view } = payment;

  return view;
}
