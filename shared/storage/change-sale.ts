import { GetCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import { versionConflict, type SaleChange } from '../domain/sale-changes';
import type { Sale } from '../domain/sale';
import type { SalesId } from '../domain/sales-id';
import { ServiceError } from '../errors';
import { metrics, METRIC, MetricUnit } from '../observability/metrics';
import { planLinkKey, saleKey } from './keys';
import { planLinkItems, saleFromItem, versionItem } from './sale-records';
import { transactWrite } from './transact';

// DynamoDB allows 100 actions per transaction: the sale, its new version, and the links of
// plans that come and go.
const MAX_TRANSACTION_ACTIONS = 100;

/** The current sale item alone (strongly consistent), or undefined when there is none. */
export async function readCurrentSale(
  deps: ServiceDeps,
  salesId: SalesId,
): Promise<Sale | undefined> {
  const result = await deps.db.send(
    new GetCommand({ TableName: deps.salesTable, Key: saleKey(salesId), ConsistentRead: true }),
  );

  return result.Item ? saleFromItem(result.Item) : undefined;
}

export type ChangeOutcome =
  | { readonly kind: 'written' }
  /** The sale moved on since it was read: what it is now (undefined if it vanished). */
  | { readonly kind: 'stale'; readonly current: Sale | undefined };

/**
 * Writes a change in one transaction: the sale item is updated only if it is still at the
 * version the change was made from, the new history entry is added, and plan links follow
 * the items. The update names just the fields a change sets, so a payment landing in between
 * (which adds to `paidAmount` without a new version) is never overwritten.
 */
export async function writeSaleChange(
  deps: ServiceDeps,
  change: SaleChange,
): Promise<ChangeOutcome> {
  const { before, after, entry } = change;
  const oldPlans = new Set(before.items.map((item) => item.planId));
  const newPlans = new Set(after.items.map((item) => item.planId));
  const added = planLinkItems(after).filter((link) => !oldPlans.has(String(link.planId)));
  const removed = [...oldPlans].filter((planId) => !newPlans.has(planId));
  if (2 + added.length + removed.length > MAX_TRANSACTION_ACTIONS) {
    throw new ServiceError('validation_failed', 'Too many plans change at once', {
      errors: [{ pointer: '/items', detail: 'swap at most 98 plans per amendment' }],
    });
  }

  const outcome = await transactWrite(deps, {
    TransactItems: [
      {
        Update: {
          TableName: deps.salesTable,
          Key: saleKey(after.salesId),
          UpdateExpression:
            'SET #version = :version, #status = :status, #mrr = :mrr, #arr = :arr, ' +
            '#items = :items, #peakMrr = :peakMrr, #changeType = :changeType, ' +
            '#changedAt = :changedAt, #updatedAt = :updatedAt',
          ConditionExpression: '#version = :expected AND #status = :expectedStatus',
          // Every name is aliased: several (status, items) are DynamoDB reserved words.
          ExpressionAttributeNames: attributeNames([
            'version',
            'status',
            'mrr',
            'arr',
            'items',
            'peakMrr',
            'changeType',
            'changedAt',
            'updatedAt',
          ]),
          ExpressionAttributeValues: {
            ':version': after.version,
            ':status': after.status,
            ':mrr': after.mrr,
            ':arr': after.arr,
            ':items': after.items,
            ':peakMrr': after.peakMrr,
            ':changeType': entry.type,
            ':changedAt': entry.at,
            ':updatedAt': after.updatedAt,
            ':expected': before.version,
            ':expectedStatus': before.status,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: deps.salesTable,
          Item: versionItem(after.salesId, after.currency, entry),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...added.map((Item) => ({ Put: { TableName: deps.salesTable, Item } })),
      ...removed.map((planId) => ({
        Delete: { TableName: deps.salesTable, Key: planLinkKey(after.salesId, planId) },
      })),
    ],
  });
  if (outcome.kind === 'committed') {
    return { kind: 'written' };
  }
  const saleReason = outcome.reasons[0];
  if (saleReason?.code !== 'ConditionalCheckFailed') {
    throw new Error(`Sale change cancelled: ${outcome.reasons.map((r) => r.code).join(',')}`);
  }

  return { kind: 'stale', current: saleReason.item ? saleFromItem(saleReason.item) : undefined };
}

function attributeNames(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`#${name}`, name]));
}

/** How a route asks for a change: the precondition it carries and the change itself. */
export interface ChangeRequest {
  /** The version an `If-Match` header named, if any. */
  readonly expectedVersion: number | undefined;
  /** Whether a missing `If-Match` is refused (428), as for amendments. */
  readonly preconditionRequired: boolean;
  /** Builds the change from the current sale, throwing 409/422 when it does not apply. */
  readonly decide: (sale: Sale) => SaleChange;
}

// Without If-Match a change applies to whatever the sale is now, so losing a race to another
// change just means deciding again on the newer state; a bound keeps a hot sale from looping.
const MAX_CHANGE_ATTEMPTS = 3;

/**
 * Reads the sale, checks in the contract's order (404, then 428/412, then 409/422) and
 * writes the change conditionally. When the write loses a race the old item the condition
 * saw explains it, with no extra read: 412 under If-Match, otherwise a fresh decision.
 */
export async function changeSale(
  deps: ServiceDeps,
  salesId: SalesId,
  request: ChangeRequest,
): Promise<SaleChange> {
  let sale = await readCurrentSale(deps, salesId);

  for (let attempt = 1; ; attempt += 1) {
    if (!sale) {
      throw new ServiceError('sale_not_found', `No sale ${salesId}`);
    }
    if (request.preconditionRequired && request.expectedVersion === undefined) {
      throw new ServiceError('precondition_required', "Send If-Match with the sale's ETag");
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== sale.version) {
      throw conflict(sale.version, request.expectedVersion);
    }
    const change = request.decide(sale);

    const outcome = await writeSaleChange(deps, change);
    if (outcome.kind === 'written') {
      return change;
    }
    if (attempt >= MAX_CHANGE_ATTEMPTS) {
      throw new ServiceError('throttled', 'The sale keeps changing; retry shortly', {
        headers: { 'Retry-After': '1' },
      });
    }
    sale = outcome.current;
  }
}

function conflict(currentVersion: number, expectedVersion: number): ServiceError {
  metrics.addMetric(METRIC.versionConflicts, MetricUnit.Count, 1);

  return versionConflict(currentVersion, expectedVersion);
}
