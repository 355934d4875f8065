import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

import type { ServiceDeps } from '../deps';
import { ServiceError } from '../errors';
import type { Item } from './sale-records';

// DynamoDB cancels a transaction with `TransactionConflict` when another one holds an item
// it touches (payments racing on one sale do). Nothing was written, so trying again is safe;
// a few jittered tries clear ordinary contention, and past them the client is told to retry.
const CONFLICT_ATTEMPTS = 4;
const BASE_DELAY_MS = 15;

/** Why each action of a cancelled transaction failed, with the old item where one existed. */
export interface CancellationReason {
  readonly code: string;
  readonly item?: Item;
}

export type TransactOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'cancelled'; readonly reasons: readonly CancellationReason[] };

/**
 * Runs one TransactWriteItems, retrying transaction conflicts. A cancellation by failed
 * conditions comes back as reasons per action (old items unmarshalled), for the caller to
 * explain; other errors are thrown.
 */
export async function transactWrite(
  deps: ServiceDeps,
  input: TransactWriteCommandInput,
): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.db.send(new TransactWriteCommand(input));

      return { kind: 'committed' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) {
        throw error;
      }
      const reasons = (error.CancellationReasons ?? []).map((reason): CancellationReason => ({
        code: reason.Code ?? 'None',
        // The old item comes back as raw attribute values, even through the document client.
        item: reason.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined,
      }));
      const conflicted = reasons.some((reason) => reason.code === 'TransactionConflict');
      const refused = reasons.some((reason) => reason.code === 'ConditionalCheckFailed');
      if (refused || !conflicted) {
        return { kind: 'cancelled', reasons };
      }
      if (attempt >= CONFLICT_ATTEMPTS) {
        throw new ServiceError('throttled', 'The sale is busy; retry shortly', {
          headers: { 'Retry-After': '1' },
          cause: error,
        });
      }
      await sleep(BASE_DELAY_MS * 2 ** attempt * Math.random());
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
