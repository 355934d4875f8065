import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';

import { REVENUE_TABLE, SALES_TABLE } from '../../shared/config/tables';
import { PROJECT_ROOT } from '../constructs/service-function';
import { ensureTable } from './create-tables';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startHttpServer, type LocalPage } from './http-server';
import type { LocalContext, LocalWorker } from './local-context';
import { openApiPage } from './openapi-page';
import { startScheduleWorker } from './schedule-worker';
import { startStreamWorker } from './stream-worker';

export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** Keep data in memory only, instead of in `.local/dynamodb`. */
  readonly inMemory: boolean;
  /** DynamoDB Local's port; a free one is chosen when omitted. */
  readonly dynamoDbPort?: number;
  /** Folder for local state. @default `<project>/.local` */
  readonly stateDir?: string;
  /** Whether to run the stream poller and schedule timer. @default true */
  readonly workers?: boolean;
  /** Local-only pages besides `/openapi.json`, which is always served. */
  readonly pages?: readonly LocalPage[];
  readonly log?: (message: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly context: LocalContext;
  readonly dynamoDb: DynamoDbLocal;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local, creates the tables from the declarations CDK uses, serves the
 * API through the Lambda handlers and starts the stream and schedule workers.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stateDir = options.stateDir ?? join(PROJECT_ROOT, '.local');
  mkdirSync(stateDir, { recursive: true });
  const log = options.log ?? ((message: string) => console.log(message));
  const dynamoDb = await startDynamoDbLocal({
    dataDir: options.inMemory ? undefined : join(stateDir, 'dynamodb'),
    port: options.dynamoDbPort,
  });

  // Handlers read the same variables in Lambda; set them before any handler is imported.
  const context: LocalContext = {
    endpoint: dynamoDb.endpoint,
    salesTable: 'SalesTable',
    revenueTable: 'RevenueTable',
    stateDir,
    log,
  };
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: context.endpoint,
    SALES_TABLE: context.salesTable,
    REVENUE_TABLE: context.revenueTable,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });

  let server: Server | undefined;
  const workers: LocalWorker[] = [];
  try {
    await createTables(context);
    server = await startHttpServer(options.port, [openApiPage, ...(options.pages ?? [])]);
    if (options.workers ?? true) {
      workers.push(await startStreamWorker(context));
      workers.push(await startScheduleWorker(context));
    }
  } catch (error) {
    server?.close();
    await dynamoDb.stop();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  // `npm run rollup` runs in another process and finds the running stack through this file.
  const endpointFile = join(stateDir, 'endpoint.json');
  writeFileSync(endpointFile, JSON.stringify(endpointRecord(context, port), null, 2));

  return {
    url: `http://127.0.0.1:${port}`,
    context,
    dynamoDb,
    stop: async () => {
      rmSync(endpointFile, { force: true });
      await Promise.all(workers.map((worker) => worker.stop()));
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      await dynamoDb.stop();
    },
  };
}

function endpointRecord(context: LocalContext, port: number): Record<string, string> {
  return {
    endpoint: context.endpoint,
    salesTable: context.salesTable,
    revenueTable: context.revenueTable,
    apiUrl: `http://127.0.0.1:${port}`,
  };
}

async function createTables(context: LocalContext): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: context.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, SALES_TABLE, context.salesTable);
  await ensureTable(client, REVENUE_TABLE, context.revenueTable);
  client.destroy();
}
