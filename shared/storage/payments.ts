import type { ServiceDeps } from '../deps';
import type { Payment } from '../domain/payment';
import { ServiceError } from '../errors';
import { ENTITY, paymentKey, saleKey } from './keys';
import type { Item } from './sale-records';
import { transactWrite } from './transact';

export type PaymentOutcome =
  { readonly kind: 'applied' } | { readonly kind: 'replayed'; readonly payment: Payment };

/**
 * Records a payment and adds it to the sale's `paidAmount` in one transaction (one request):
 * the record only if its ID is new, the sum only if the sale exists in the same currency.
 * A refused transaction is explained from the old items the conditions saw.
 */
export async function applyPayment(deps: ServiceDeps, payment: Payment): Promise<PaymentOutcome> {
  const outcome = await transactWrite(deps, {
    TransactItems: [
      {
        Put: {
          TableName: deps.salesTable,
          Item: paymentItem(payment),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        // The sale's version stays: a payment is not a change of terms, and the revenue
        // rollup ignores records that do not bump it.
        Update: {
          TableName: deps.salesTable,
          Key: saleKey(payment.salesId),
          UpdateExpression: 'ADD paidAmount :amount',
          // The total must stay exact in JSON, or the sale could no longer be read back.
          ConditionExpression:
            'attribute_exists(pk) AND currency = :currency AND paidAmount <= :room',
          ExpressionAttributeValues: {
            ':amount': payment.amount,
            ':currency': payment.currency,
            ':room': Number.MAX_SAFE_INTEGER - payment.amount,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ],
  });
  if (outcome.kind === 'committed') {
    return { kind: 'applied' };
  }

  const [paymentReason, saleReason] = outcome.reasons;
  // A sale that does not exist cannot hold the payment, so 404 comes first.
  if (saleReason?.code === 'ConditionalCheckFailed' && !saleReason.item) {
    throw new ServiceError('sale_not_found', `No sale ${payment.salesId}`);
  }
  if (paymentReason?.code === 'ConditionalCheckFailed' && paymentReason.item) {
    return replayOrRefuse(payment, paymentFromItem(paymentReason.item));
  }
  if (saleReason?.code === 'ConditionalCheckFailed' && saleReason.item) {
    return refuseForSale(payment, saleReason.item);
  }

  throw new Error(`Payment cancelled: ${outcome.reasons.map((reason) => reason.code).join(',')}`);
}

function refuseForSale(payment: Payment, sale: Item): never {
  if (sale.currency !== payment.currency) {
    throw new ServiceError(
      'currency_mismatch',
      `The sale is in ${String(sale.currency)}, not ${payment.currency}`,
    );
  }

  throw new ServiceError('validation_failed', 'The total paid would be too large', {
    errors: [{ pointer: '/amount', detail: 'paidAmount would exceed 2^53 - 1 minor units' }],
  });
}

function replayOrRefuse(payment: Payment, stored: Payment): PaymentOutcome {
  if (stored.fingerprint !== payment.fingerprint) {
    throw new ServiceError(
      'payment_conflict',
      `Payment ${payment.paymentId} was recorded with other content`,
    );
  }

  return { kind: 'replayed', payment: stored };
}

function paymentItem(payment: Payment): Item {
  return {
    ...paymentKey(payment.salesId, payment.paymentId),
    entityType: ENTITY.payment,
    ...payment,
  };
}

/** Reads a payment back from its item. */
export function paymentFromItem(item: Item): Payment {
  const { pk: _pk, sk: _sk, entityType: _entityType, ...payment } = item;

  return payment as unknown as Payment;
}
