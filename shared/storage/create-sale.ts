import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

import type { NewSale } from '../domain/new-sale';
import type { ServiceDeps } from '../deps';
import { ServiceError } from '../errors';
import { ENTITY, idempotencyKeyItem } from './keys';
import { planLinkItems, saleItem, versionItem, type Item } from './sale-records';

/** Idempotency keys are kept at least this long (the contract promises 24 hours). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The response first given for an idempotency key, replayed verbatim on a retry. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export type CreateOutcome =
  | { readonly kind: 'created' }
  | { readonly kind: 'replayed'; readonly response: StoredResponse }
  | { readonly kind: 'collision' };

export interface CreateRequest {
  readonly idempotencyKey: string;
  readonly fingerprint: string;
  readonly newSale: NewSale;
  readonly response: StoredResponse;
}

/**
 * Writes the sale, its first version, its plan links and the idempotency record in one
 * transaction: one request on the happy path, and nothing at all when any condition fails.
 */
export async function writeNewSale(
  deps: ServiceDeps,
  request: CreateRequest,
): Promise<CreateOutcome> {
  const { sale, firstVersion } = request.newSale;
  const now = deps.clock();
  const idempotencyItem: Item = {
    ...idempotencyKeyItem(request.idempotencyKey),
    entityType: ENTITY.idempotency,
    idempotencyKey: request.idempotencyKey,
    fingerprint: request.fingerprint,
    salesId: sale.salesId,
    createdAt: now.toISOString(),
    // TTL needs epoch seconds; the ISO copy is for people reading the item in the console.
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    expiresOn: new Date(now.getTime() + IDEMPOTENCY_TTL_SECONDS * 1000).toISOString(),
    response: JSON.stringify(request.response),
  };
  const puts: Item[] = [
    saleItem(sale, firstVersion),
    versionItem(sale.salesId, sale.currency, firstVersion),
    ...planLinkItems(sale),
  ];

  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...puts.map((Item) => ({
            Put: {
              TableName: deps.salesTable,
              Item,
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
          {
            Put: {
              TableName: deps.salesTable,
              Item: idempotencyItem,
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );

    return { kind: 'created' };
  } catch (error) {
    return explainCancellation(deps, request, error, puts.length);
  }
}

async function explainCancellation(
  deps: ServiceDeps,
  request: CreateRequest,
  error: unknown,
  idempotencyIndex: number,
): Promise<CreateOutcome> {
  if (!(error instanceof TransactionCanceledException)) {
    throw error;
  }
  const reasons = error.CancellationReasons ?? [];
  const keyReason = reasons[idempotencyIndex];

  if (keyReason?.Code === 'ConditionalCheckFailed') {
    // The old item comes back as raw attribute values, even through the document client.
    const stored = keyReason.Item
      ? unmarshall(keyReason.Item)
      : await readIdempotencyRecord(deps, request.idempotencyKey);

    return replayOrRefuse(request, stored);
  }
  if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
    // A concurrent request with the same key holds the items; its result is moments away.
    throw new ServiceError('idempotency_in_progress', 'Retry after the first request ends', {
      headers: { 'Retry-After': '1' },
      cause: error,
    });
  }
  if (reasons[0]?.Code === 'ConditionalCheckFailed') {
    return { kind: 'collision' };
  }

  throw error;
}

function replayOrRefuse(request: CreateRequest, stored: Item | undefined): CreateOutcome {
  if (!stored) {
    throw new ServiceError('idempotency_in_progress', 'Retry after the first request ends', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (stored.fingerprint !== request.fingerprint) {
    throw new ServiceError(
      'idempotency_key_reused',
      'This Idempotency-Key was first used with another body',
    );
  }

  return { kind: 'replayed', response: JSON.parse(String(stored.response)) as StoredResponse };
}

async function readIdempotencyRecord(deps: ServiceDeps, key: string): Promise<Item | undefined> {
  const result = await deps.db.send(
    new GetCommand({
      TableName: deps.salesTable,
      Key: idempotencyKeyItem(key),
      ConsistentRead: true,
    }),
  );

  return result.Item;
}
