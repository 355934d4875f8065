import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';

import { REVENUE_TABLE, SALES_TABLE } from '../../shared/config/tables';
import { generateSalesId } from '../../shared/domain/sales-id';
import type { ServiceDeps } from '../../shared/deps';
import { createDocumentClient } from '../../shared/storage/client';
import { ensureTable } from '../../infra/local/create-tables';

/** The DynamoDB Local endpoint the global setup started. */
export function localEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error('DYNAMODB_ENDPOINT is not set: run the tests through jest');
  }

  return endpoint;
}

/** A raw client on DynamoDB Local, for table set-up and stream reads. */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: localEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Fresh sales and revenue tables with unique names, so test files never see each other's
 * data, and service dependencies pointing at them.
 */
export async function createTestTables(overrides: Partial<ServiceDeps> = {}): Promise<ServiceDeps> {
  const suffix = randomUUID().slice(0, 8);
  const salesTable = `sales-${suffix}`;
  const revenueTable = `revenue-${suffix}`;
  const client = localClient();
  await ensureTable(client, SALES_TABLE, salesTable);
  await ensureTable(client, REVENUE_TABLE, revenueTable);
  client.destroy();

  return {
    db: createDocumentClient({ endpoint: localEndpoint() }),
    salesTable,
    revenueTable,
    clock: () => new Date(),
    newSalesId: generateSalesId,
    ...overrides,
  };
}
