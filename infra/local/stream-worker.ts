import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { rollupRevenueHandler } from '../../functions/rollup-revenue';
import { ROLLUP_STREAM } from '../../shared/config/stream';
import { createDocumentClient } from '../../shared/storage/client';
import { latestStreamArn } from './create-tables';
import type { LocalContext, LocalWorker } from './local-context';
import { startStreamPoller } from './stream-poller';

/** Where the poller keeps its place in the stream and the records it gave up on. */
export const STREAM_CHECKPOINT_FILE = 'stream-checkpoint.json';
export const STREAM_DEAD_LETTER_FILE = 'stream-dead-letters.jsonl';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Polls the SalesTable stream on DynamoDB Local and feeds the revenue rollup handler with
 * the settings the CDK event source mapping uses (shared/config/stream.ts). It resumes from
 * its checkpoint in the state folder, or from the oldest record the stream still holds:
 * re-reading is safe because the rollup applies each sale version once in effect.
 */
export async function startStreamWorker(context: LocalContext): Promise<LocalWorker> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const tables = new DynamoDBClient({
    endpoint: context.endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const streamArn = await latestStreamArn(tables, context.salesTable);
  tables.destroy();
  if (streamArn === undefined) {
    throw new Error(`${context.salesTable} has no stream; recreate it from shared/config/tables`);
  }

  const handler = rollupRevenueHandler({
    db: createDocumentClient({ endpoint: context.endpoint, region }),
    revenueTable: context.revenueTable,
    clock: () => new Date(),
  });
  const streams = new DynamoDBStreamsClient({
    endpoint: context.endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const poller = startStreamPoller({
    client: streams,
    streamArn,
    settings: ROLLUP_STREAM,
    invoke: (event) => handler(event, localContext()),
    checkpointFile: join(context.stateDir, STREAM_CHECKPOINT_FILE),
    deadLetterFile: join(context.stateDir, STREAM_DEAD_LETTER_FILE),
    log: context.log,
  });

  return {
    stop: async () => {
      await poller.stop();
      streams.destroy();
    },
  };
}

function localContext(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'local-rollup-revenue',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:rollup-revenue',
    memoryLimitInMB: '512',
    logGroupName: '/local/rollup-revenue',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
