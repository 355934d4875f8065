import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

import { rollupRevenue } from '../../functions/rollup-revenue';
import { ensureTable } from '../../infra/local/create-tables';
import { REVENUE_TABLE } from '../../shared/config/tables';
import type { ServiceDeps } from '../../shared/deps';
import type { SaleItem } from '../../shared/domain/sale';
import {
  createStoredSale,
  storeAmendment,
  storeCancellation,
  streamRecords,
} from '../helpers/sales-stream';
import { createTestTables, localClient } from '../helpers/tables';

const item = (productId: string, planId: string, quantity: number): SaleItem => ({
  productId,
  planId,
  quantity,
  unitAmount: 1999,
  interval: 'month',
});

let source: ServiceDeps;
let records: DynamoDBRecord[];
let unfiltered: DynamoDBRecord[];
let reference: Map<string, string>;

// Enough sale changes that a batch needs several transactions of at most 100 items.
beforeAll(async () => {
  source = await createTestTables();
  // Each sale's changes are sequential; the sales themselves are written concurrently.
  const saleHistory = async (index: number): Promise<void> => {
    const plan = `plan-${index % 7}`;
    const created = new Date(Date.UTC(2026, index % 3, 1 + (index % 20), 9));
    let sale = await createStoredSale(
      source,
      { items: [item(`product-${index % 4}`, plan, 1 + (index % 5))], channel: `ch-${index % 3}` },
      created,
    );
    const later = new Date(created.getTime() + 40 * 24 * 3600 * 1000);
    sale = await storeAmendment(source, sale, [item('product-9', plan, 2 + (index % 3))], later);
    if (index % 4 === 0) {
      await storeCancellation(source, sale, new Date(later.getTime() + 24 * 3600 * 1000));
    }
  };
  await Promise.all(Array.from({ length: 45 }, (_unused, index) => saleHistory(index)));
  records = await streamRecords(source, { atLeast: 102 });
  unfiltered = await streamRecords(source, { filtered: false });
  const target = await freshRevenue();
  await rollupRevenue(target)({ Records: records });
  reference = await aggregates(target);
});

/** A fresh, empty RevenueTable beside the shared source tables. */
async function freshRevenue(): Promise<ServiceDeps> {
  const revenueTable = `revenue-${randomUUID().slice(0, 8)}`;
  const client = localClient();
  await ensureTable(client, REVENUE_TABLE, revenueTable);
  client.destroy();

  return { ...source, revenueTable };
}

/** Every aggregate item's counters, keyed by item, ignoring bookkeeping times. */
async function aggregates(deps: ServiceDeps): Promise<Map<string, string>> {
  const result = await deps.db.send(new ScanCommand({ TableName: deps.revenueTable }));
  // A counter item at zero means the same as no item: one redelivery order creates and
  // zeroes it, another never writes it.
  const meaningful = (result.Items ?? []).filter(
    (entry) =>
      entry.entityType === 'Movement' ||
      Object.entries(entry).some(
        ([name, value]) => typeof value === 'number' && value !== 0 && name !== 'shard',
      ),
  );
  const entries = meaningful.map((entry) => {
    const { pk, sk, updatedAt: _updatedAt, appliedAt: _appliedAt, ...rest } = entry;

    return [`${pk}|${sk}`, JSON.stringify(rest, Object.keys(rest).sort())] as const;
  });

  return new Map(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** A document client that injects a fault DynamoDB Local cannot produce on chosen calls. */
function faultyClient(
  real: DynamoDBDocumentClient,
  fault: (call: number) => Error | undefined,
): DynamoDBDocumentClient {
  let calls = 0;
  const send = async (command: never) => {
    calls += 1;
    const error = fault(calls);
    if (error) {
      throw error;
    }

    return real.send(command);
  };

  return { send } as unknown as DynamoDBDocumentClient;
}

const conflict = (): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
  });

describe('stream rollup under redelivery', () => {
  it('has a workload big enough to need several transactions per batch', () => {
    expect(records.length).toBeGreaterThan(100);
    expect(reference.size).toBeGreaterThan(records.length);
  });

  it('changes no aggregate when the same batch is applied twice', async () => {
    const target = await freshRevenue();
    await rollupRevenue(target)({ Records: records });

    const again = await rollupRevenue(target)({ Records: records });

    expect(again.batchItemFailures).toEqual([]);
    expect(await aggregates(target)).toEqual(reference);
  });

  it('gives the same aggregates when the batch is bisected and halves come again', async () => {
    const target = await freshRevenue();
    const middle = Math.floor(records.length / 2);
    const quarter = Math.floor(middle / 2);

    for (const part of [
      records.slice(0, middle),
      records.slice(quarter, middle),
      records.slice(middle),
      records.slice(0, quarter),
    ]) {
      await rollupRevenue(target)({ Records: part });
    }

    expect(await aggregates(target)).toEqual(reference);
  });

  it('applies later versions before earlier ones to the same totals', async () => {
    const target = await freshRevenue();

    const reversed = [...records].reverse();
    for (let start = 0; start < reversed.length; start += 4) {
      await rollupRevenue(target)({ Records: reversed.slice(start, start + 4) });
    }

    expect(await aggregates(target)).toEqual(reference);
  });

  it('handles the records of each sales transaction arriving in separate batches', async () => {
    const target = await freshRevenue();

    for (let start = 0; start < unfiltered.length; start += 7) {
      await rollupRevenue(target)({ Records: unfiltered.slice(start, start + 7) });
    }

    expect(await aggregates(target)).toEqual(reference);
  });

  it('recovers when a handler crashes part-way and the batch is retried', async () => {
    const real = await freshRevenue();
    // Fault injection: the stub fails the second write, after the first transaction has
    // committed, as a Lambda that dies mid-batch would leave things.
    const crashing = {
      ...real,
      db: faultyClient(real.db, (call) => (call === 2 ? new Error('crash') : undefined)),
    };

    const first = await rollupRevenue(crashing)({ Records: records });
    const retry = await rollupRevenue(real)({ Records: records });

    expect(first.batchItemFailures.length).toBeGreaterThan(0);
    expect(first.batchItemFailures.length).toBeLessThan(records.length);
    expect(retry.batchItemFailures).toEqual([]);
    expect(await aggregates(real)).toEqual(reference);
  });

  it('retries a transaction conflict and then applies the batch', async () => {
    const real = await freshRevenue();
    // Fault injection: DynamoDB Local never raises TransactionConflict; the stub does twice.
    const contended = {
      ...real,
      db: faultyClient(real.db, (call) => (call <= 2 ? conflict() : undefined)),
    };

    const response = await rollupRevenue(contended)({ Records: records });

    expect(response.batchItemFailures).toEqual([]);
    expect(await aggregates(real)).toEqual(reference);
  });

  it('reports every record as failed when conflicts persist, and writes nothing', async () => {
    const real = await freshRevenue();
    // Fault injection: a conflict on every call, which DynamoDB Local cannot produce.
    const stuck = { ...real, db: faultyClient(real.db, () => conflict()) };
    const saleRecords = records.slice(0, 10);

    const response = await rollupRevenue(stuck)({ Records: saleRecords });

    expect(response.batchItemFailures).toEqual(
      saleRecords.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber })),
    );
    expect((await aggregates(real)).size).toBe(0);
  });

  it('reports an unreadable record and those after it, applying those before', async () => {
    const target = await freshRevenue();
    const broken: DynamoDBRecord = {
      ...records[3]!,
      dynamodb: { ...records[3]!.dynamodb, NewImage: { entityType: { S: 'Sale' } } },
    };
    const batch = [records[0]!, records[1]!, records[2]!, broken, records[4]!];

    const response = await rollupRevenue(target)({ Records: batch });

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      broken.dynamodb?.SequenceNumber,
      records[4]?.dynamodb?.SequenceNumber,
    ]);
    expect((await aggregates(target)).size).toBeGreaterThan(3);
  });
});
