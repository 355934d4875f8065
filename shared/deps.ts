import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { generateSalesId, type SalesIdGenerator } from './domain/sales-id';
import { createDocumentClient } from './storage/client';

/**
 * What handlers need from the outside world. Passed in, so tests point the same code at
 * their own DynamoDB Local tables, clock and ID generator without mocking modules.
 */
export interface ServiceDeps {
  readonly db: DynamoDBDocumentClient;
  readonly salesTable: string;
  readonly revenueTable: string;
  readonly clock: () => Date;
  readonly newSalesId: SalesIdGenerator;
}

/** Dependencies from the Lambda environment (or the local stack, which sets the same names). */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceDeps {
  return {
    db: createDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT }),
    salesTable: env.SALES_TABLE ?? 'SalesTable',
    revenueTable: env.REVENUE_TABLE ?? 'RevenueTable',
    clock: () => new Date(),
    newSalesId: generateSalesId,
  };
}
