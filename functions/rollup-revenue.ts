import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBBatchItemFailure,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';

import { depsFromEnv } from '../shared/deps';
import { logger } from '../shared/observability/logger';
import { METRIC, metrics, MetricUnit } from '../shared/observability/metrics';
import { movementOf, type MovementKind, type SaleChange } from '../shared/revenue/movement';
import { applySaleChanges, type RollupDeps } from '../shared/revenue/rollup';
import { parseSaleRecord } from '../shared/revenue/stream-records';

/** The Lambda signature of a stream handler with partial batch responses. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

/**
 * `revenue-rollup`: turns SalesTable stream records into movements and aggregate updates.
 * Records it cannot apply are returned as `batchItemFailures`, so the event source mapping
 * retries from the first of them; applied ones are no-ops when they come again.
 */
export const rollupRevenue =
  (deps: RollupDeps) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    const parsed = records.map(parseOrError);
    // Records after an unreadable one stay unapplied: the retry resumes from it anyway.
    const firstMalformed = parsed.findIndex((entry) => entry.kind === 'malformed');
    const readable = firstMalformed === -1 ? parsed : parsed.slice(0, firstMalformed);
    const changes = readable.flatMap((entry) => (entry.kind === 'change' ? [entry.change] : []));

    const outcome = await applySaleChanges(deps, changes);

    const failedIds = new Set(outcome.failed.map(changeId));
    const failedIndices = parsed.flatMap((entry, index) =>
      (firstMalformed !== -1 && index >= firstMalformed) ||
      (entry.kind === 'change' && failedIds.has(changeId(entry.change)))
        ? [index]
        : [],
    );
    if (firstMalformed !== -1) {
      const entry = parsed[firstMalformed];
      logger.error('Unreadable sale record', {
        eventID: records[firstMalformed]?.eventID,
        error: entry?.kind === 'malformed' ? entry.message : undefined,
      });
    }
    if (outcome.error !== undefined) {
      logger.warn('Rollup group failed; records reported for retry', {
        error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        errorName: outcome.error instanceof Error ? outcome.error.name : undefined,
        failedRecords: failedIndices.length,
      });
    }
    recordMetrics(outcome.applied);
    logger.info('Rollup batch', {
      records: records.length,
      changes: changes.length,
      movementsApplied: outcome.applied.filter((change) => movementOf(change)).length,
      changesApplied: outcome.applied.length,
      duplicatesSkipped: outcome.duplicates,
      aggregateWrites: outcome.aggregateWrites,
      transactions: outcome.transactions,
      failedRecords: failedIndices.length,
    });

    return { batchItemFailures: failedIndices.map((index) => failureOf(records[index])) };
  };

/** The deployable handler: the rollup with the Lambda context on every log line. */
export function rollupRevenueHandler(deps: RollupDeps): StreamHandler {
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(rollupRevenue(deps));
}

type ParsedEntry =
  | { readonly kind: 'change'; readonly change: SaleChange }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed'; readonly message: string };

function parseOrError(record: DynamoDBRecord): ParsedEntry {
  try {
    const parsed = parseSaleRecord(record);

    return parsed.kind === 'change' ? parsed : { kind: 'ignored' };
  } catch (error) {
    return { kind: 'malformed', message: error instanceof Error ? error.message : String(error) };
  }
}

function failureOf(record: DynamoDBRecord | undefined): DynamoDBBatchItemFailure {
  const sequenceNumber = record?.dynamodb?.SequenceNumber;
  if (sequenceNumber === undefined) {
    // Without a sequence number the record cannot be named; failing the whole batch is
    // the only way left to have it retried.
    throw new Error('Stream record without a sequence number');
  }

  return { itemIdentifier: sequenceNumber };
}

function recordMetrics(applied: readonly SaleChange[]): void {
  const counts = new Map<MovementKind, number>();
  for (const change of applied) {
    const movement = movementOf(change);
    if (movement) {
      counts.set(movement.kind, (counts.get(movement.kind) ?? 0) + 1);
    }
  }
  for (const [kind, count] of counts) {
    const metric = metrics.singleMetric();
    metric.addDimension('kind', kind);
    metric.addMetric(METRIC.movements, MetricUnit.Count, count);
  }
}

const changeId = (change: SaleChange): string => `${change.salesId}#${change.version}`;

export const handler = rollupRevenueHandler(depsFromEnv());
