import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeStreamCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

import { latestStreamArn } from '../../infra/local/create-tables';
import { matchesFilter } from '../../infra/local/stream-filter';
import { toLambdaRecord } from '../../infra/local/stream-poller';
import { ROLLUP_STREAM } from '../../shared/config/stream';
import type { ServiceDeps } from '../../shared/deps';
import { issueSale } from '../../shared/domain/new-sale';
import type { Sale, SaleItem, SaleTerms } from '../../shared/domain/sale';
import {
  amendSale,
  cancelSale,
  reactivateSale,
  type SaleChange,
} from '../../shared/domain/sale-changes';
import { generateSalesId } from '../../shared/domain/sales-id';
import { writeSaleChange } from '../../shared/storage/change-sale';
import { writeNewSale } from '../../shared/storage/create-sale';
import { saleKey } from '../../shared/storage/keys';
import { localClient, localEndpoint } from './tables';

/**
 * Writes sales through the real storage code and reads the SalesTable's real stream back
 * from DynamoDB Local as Lambda-shaped records, so rollup tests see what production sees.
 */

/** Issues a sale (version 1) through the same transaction POST /sales uses. */
export async function createStoredSale(
  deps: ServiceDeps,
  terms: Partial<SaleTerms> & Pick<SaleTerms, 'items'>,
  now: Date,
): Promise<Sale> {
  const newSale = issueSale(
    { customerId: 'cus_1', channel: 'direct', currency: 'USD', ...terms },
    generateSalesId(),
    now,
  );
  const outcome = await writeNewSale(deps, {
    idempotencyKey: randomUUID(),
    fingerprint: randomUUID(),
    newSale,
    response: { status: 201, body: {}, headers: {} },
  });
  if (outcome.kind !== 'created') {
    throw new Error(`sale not created: ${outcome.kind}`);
  }

  return newSale.sale;
}

async function storeChange(deps: ServiceDeps, change: SaleChange): Promise<Sale> {
  const outcome = await writeSaleChange(deps, change);
  if (outcome.kind !== 'written') {
    throw new Error('sale change was stale');
  }

  return change.after;
}

export const storeAmendment = (
  deps: ServiceDeps,
  sale: Sale,
  items: readonly SaleItem[],
  now: Date,
): Promise<Sale> => storeChange(deps, amendSale(sale, { items }, now));

export const storeCancellation = (deps: ServiceDeps, sale: Sale, now: Date): Promise<Sale> =>
  storeChange(deps, cancelSale(sale, undefined, now));

export const storeReactivation = (deps: ServiceDeps, sale: Sale, now: Date): Promise<Sale> =>
  storeChange(deps, reactivateSale(sale, undefined, now));

/** A payment-like update: the sale item changes, its version does not. */
export async function storePaidAmount(deps: ServiceDeps, sale: Sale, amount: number) {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.salesTable,
      Key: saleKey(sale.salesId),
      UpdateExpression: 'ADD paidAmount :amount',
      ExpressionAttributeValues: { ':amount': amount },
    }),
  );
}

export interface StreamReadOptions {
  /** Keep only records the event source mapping's filter lets through. @default true */
  readonly filtered?: boolean;
  /** Wait until at least this many (filtered) records are visible. */
  readonly atLeast?: number;
}

/** Every record of the sales table's stream so far, oldest first, as Lambda delivers them. */
export async function streamRecords(
  deps: ServiceDeps,
  options: StreamReadOptions = {},
): Promise<DynamoDBRecord[]> {
  const tables = localClient();
  const streamArn = await latestStreamArn(tables, deps.salesTable);
  tables.destroy();
  if (!streamArn) {
    throw new Error(`${deps.salesTable} has no stream`);
  }
  const client = new DynamoDBStreamsClient({
    endpoint: localEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const filtered = options.filtered ?? true;
  const deadline = Date.now() + 5_000;

  try {
    for (;;) {
      const all = await readWholeStream(client, streamArn);
      const records = filtered
        ? all.filter((record) => matchesFilter(ROLLUP_STREAM.filterPattern, record))
        : all;
      // Records become visible some milliseconds after the write.
      if (records.length >= (options.atLeast ?? 0) || Date.now() > deadline) {
        return records;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.destroy();
  }
}

async function readWholeStream(
  client: DynamoDBStreamsClient,
  streamArn: string,
): Promise<DynamoDBRecord[]> {
  const description = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of description.StreamDescription?.Shards ?? []) {
    const start = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = start.ShardIterator;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const read = page.Records ?? [];
      records.push(...read.map((record) => toLambdaRecord(record, streamArn)));
      // An open shard keeps handing out iterators; an empty page means we are caught up.
      iterator = read.length > 0 ? page.NextShardIterator : undefined;
    }
  }

  return records;
}
