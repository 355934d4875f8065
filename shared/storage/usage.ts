import { GetCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import type { SalesId } from '../domain/sales-id';
import type { UsageEvent } from '../domain/usage';
import { ServiceError } from '../errors';
import { ENTITY, saleKey, usageCounterKey, usageEventKey } from './keys';
import type { Item } from './sale-records';
import { transactWrite } from './transact';

/** The sale's currency (usage amounts are in it), or 404 when there is no such sale. */
export async function saleCurrency(deps: ServiceDeps, salesId: SalesId): Promise<string> {
  const result = await deps.db.send(
    new GetCommand({
      TableName: deps.salesTable,
      Key: saleKey(salesId),
      ProjectionExpression: 'currency',
      // A sale created a moment ago must be found: usage often follows checkout at once.
      ConsistentRead: true,
    }),
  );
  if (!result.Item) {
    throw new ServiceError('sale_not_found', `No sale ${salesId}`);
  }

  return String(result.Item.currency);
}

export type UsageOutcome =
  { readonly kind: 'recorded' } | { readonly kind: 'replayed'; readonly event: UsageEvent };

/**
 * Records a usage event and adds it to its meter's monthly counter in one transaction, so
 * the sum moves only when a new event ID lands. A replay changes nothing and comes back
 * with the stored event; the same ID with other content is 409 `usage_conflict`.
 */
export async function recordUsageEvent(
  deps: ServiceDeps,
  event: UsageEvent,
): Promise<UsageOutcome> {
  const outcome = await transactWrite(deps, {
    TransactItems: [
      {
        Put: {
          TableName: deps.salesTable,
          Item: {
            ...usageEventKey(event.salesId, event.eventId),
            entityType: ENTITY.usageEvent,
            ...event,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        // The sale itself is not touched: it was read just before and sales are never
        // deleted, and leaving it out keeps usage from contending with payments and changes.
        Update: {
          TableName: deps.salesTable,
          Key: usageCounterKey(event.salesId, event.meter, event.month),
          UpdateExpression:
            'SET #entityType = :entityType, #salesId = :salesId, #meter = :meter, ' +
            '#month = :month, #currency = :currency, #updatedAt = :updatedAt ' +
            'ADD #quantity :quantity, #amount :amount, #events :one',
          // The sums must stay exact in JSON, or the sale could no longer be read back.
          ConditionExpression:
            'attribute_not_exists(#quantity) OR (#quantity <= :quantityRoom AND ' +
            '#amount <= :amountRoom)',
          ExpressionAttributeNames: Object.fromEntries(
            [
              'entityType',
              'salesId',
              'meter',
              'month',
              'currency',
              'updatedAt',
              'quantity',
              'amount',
              'events',
            ].map((name) => [`#${name}`, name]),
          ),
          ExpressionAttributeValues: {
            ':entityType': ENTITY.usage,
            ':salesId': event.salesId,
            ':meter': event.meter,
            ':month': event.month,
            ':currency': event.currency,
            ':updatedAt': event.recordedAt,
            ':quantity': event.quantity,
            ':amount': event.amount,
            ':one': 1,
            ':quantityRoom': Number.MAX_SAFE_INTEGER - event.quantity,
            ':amountRoom': Number.MAX_SAFE_INTEGER - event.amount,
          },
        },
      },
    ],
  });
  if (outcome.kind === 'committed') {
    return { kind: 'recorded' };
  }
  const [eventReason, counterReason] = outcome.reasons;
  const stored = eventReason?.code === 'ConditionalCheckFailed' ? eventReason.item : undefined;
  if (!stored && counterReason?.code === 'ConditionalCheckFailed') {
    throw new ServiceError('validation_failed', "The month's usage would be too large", {
      errors: [{ pointer: '/quantity', detail: 'the monthly sum would exceed 2^53 - 1' }],
    });
  }
  if (!stored) {
    throw new Error(`Usage cancelled: ${outcome.reasons.map((reason) => reason.code).join(',')}`);
  }
  const storedEvent = usageEventFromItem(stored);
  if (storedEvent.fingerprint !== event.fingerprint) {
    throw new ServiceError(
      'usage_conflict',
      `Event ${event.eventId} was recorded with other content`,
    );
  }

  return { kind: 'replayed', event: storedEvent };
}

/** Reads a usage event back from its item. */
export function usageEventFromItem(item: Item): UsageEvent {
  const { pk: _pk, sk: _sk, entityType: _entityType, ...event } = item;

  return event as unknown as UsageEvent;
}
