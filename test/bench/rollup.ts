import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import { issueSale } from '../../shared/domain/new-sale';
import type { Sale, SaleItem } from '../../shared/domain/sale';
import { amendSale, cancelSale, reactivateSale } from '../../shared/domain/sale-changes';
import { generateSalesId } from '../../shared/domain/sales-id';
import { readLiveMrr } from '../../shared/revenue/aggregates';
import { movementKey } from '../../shared/revenue/keys';
import { aggregateUpdatesOf, ledgerItem } from '../../shared/revenue/rollup';
import { parseSaleRecord } from '../../shared/revenue/stream-records';
import { saleItem } from '../../shared/storage/sale-records';
import { benchDeps } from './create-sale';
import { timed } from './measure';

const BATCH_SIZE = 100;

interface Workload {
  readonly label: string;
  readonly changes: number;
  readonly sales: number;
  readonly channels: number;
  readonly products: number;
  readonly plans: number;
}

// A typical catalogue, and a wide one where a batch touches many more aggregate items:
// coalescing saves less when fewer records share an item, and the bench shows by how much.
const WORKLOADS: readonly Workload[] = [
  { label: 'typical', changes: 2000, sales: 600, channels: 3, products: 4, plans: 8 },
  { label: 'wide', changes: 500, sales: 200, channels: 12, products: 25, plans: 60 },
];

/**
 * `npm run bench` part: the stream rollup (coalesced, one transaction per group of
 * changes) beside a naive rollup (one conditional ledger put and one UpdateItem per
 * aggregate per record) on the same sale-change records, each against fresh tables.
 */
export async function benchRollup(endpoint: string): Promise<void> {
  for (const workload of WORKLOADS) {
    const records = generateRecords(workload);
    const coalesced = await benchDeps(endpoint);
    const naive = await benchDeps(endpoint);
    const coalescedWrites = countItemWrites(coalesced.db);
    const naiveWrites = countItemWrites(naive.db);
    const handler = rollupRevenue(coalesced);

    const coalescedMs = await timed(async () => {
      for (let start = 0; start < records.length; start += BATCH_SIZE) {
        const response = await handler({ Records: records.slice(start, start + BATCH_SIZE) });
        if (response.batchItemFailures.length > 0) {
          throw new Error('rollup reported failures during the bench');
        }
      }
    });
    const naiveMs = await timed(() => naiveRollup(naive, records));
    await assertSameTotals(coalesced, naive);

    const n = records.length;
    const row = (name: string, ms: number, writes: WriteCounts): string =>
      `  ${name.padEnd(20)} ${(n / (ms / 1000)).toFixed(0).padStart(6)} records/s` +
      `   requests/change ${(writes.requests / n).toFixed(3).padStart(6)}` +
      `   aggregate writes/change ${(writes.aggregates / n).toFixed(3).padStart(6)}` +
      `   ledger writes/change ${(writes.ledger / n).toFixed(3)}`;
    console.log(
      `revenue rollup, ${workload.label}: ${n} sale changes over ${workload.sales} sales, ` +
        `${workload.channels} channels, ${workload.products} products, ${workload.plans} plans, ` +
        `batch size ${BATCH_SIZE}`,
    );
    console.log(row('coalesced (handler)', coalescedMs, coalescedWrites.counts));
    console.log(row('naive per record', naiveMs, naiveWrites.counts));
    console.log(
      `  aggregate writes naive/coalesced ${(
        naiveWrites.counts.aggregates / coalescedWrites.counts.aggregates
      ).toFixed(1)}x (target >= 10x)   throughput coalesced/naive ${(naiveMs / coalescedMs).toFixed(
        1,
      )}x`,
    );
  }
}

/** The naive rollup: every record on its own, every aggregate its own UpdateItem. */
async function naiveRollup(deps: ServiceDeps, records: readonly DynamoDBRecord[]) {
  for (const record of records) {
    const parsed = parseSaleRecord(record);
    if (parsed.kind !== 'change') {
      continue;
    }
    const at = new Date().toISOString();
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.revenueTable,
          Item: ledgerItem(parsed.change, at),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        continue;
      }
      throw error;
    }
    await Promise.all(
      aggregateUpdatesOf(parsed.change, at).map((update) => {
        const names = Object.keys(update.add);
        const adds = names.map((_name, index) => `#a${index} :a${index}`).join(', ');

        return deps.db.send(
          new UpdateCommand({
            TableName: deps.revenueTable,
            Key: update.key,
            UpdateExpression: `ADD ${adds}`,
            ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
            ExpressionAttributeValues: Object.fromEntries(
              names.map((name, i) => [`:a${i}`, update.add[name]]),
            ),
          }),
        );
      }),
    );
  }
}

interface WriteCounts {
  requests: number;
  aggregates: number;
  ledger: number;
}

/** Counts write requests and the item writes inside them, with a client middleware. */
function countItemWrites(db: DynamoDBDocumentClient): { counts: WriteCounts } {
  const counts: WriteCounts = { requests: 0, aggregates: 0, ledger: 0 };
  const isLedger = (item: unknown): boolean =>
    String((item as { pk?: unknown } | undefined)?.pk).startsWith('MOVEMENT#');
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TransactItems?: { Put?: { Item?: unknown }; Update?: unknown }[];
        Item?: unknown;
      };
      const command = String(context.commandName);
      if (command === 'TransactWriteItemsCommand') {
        counts.requests += 1;
        for (const action of input.TransactItems ?? []) {
          if (action.Update) counts.aggregates += 1;
          if (action.Put && isLedger(action.Put.Item)) counts.ledger += 1;
        }
      } else if (command === 'UpdateItemCommand') {
        counts.requests += 1;
        counts.aggregates += 1;
      } else if (command === 'PutItemCommand') {
        counts.requests += 1;
        counts.ledger += isLedger(input.Item) ? 1 : 0;
      }

      return next(args);
    },
    { step: 'initialize', name: 'benchItemWriteCounter' },
  );

  return { counts };
}

async function assertSameTotals(a: ServiceDeps, b: ServiceDeps): Promise<void> {
  const [left, right] = await Promise.all([readLiveMrr(a, 'USD'), readLiveMrr(b, 'USD')]);
  if (JSON.stringify(left) !== JSON.stringify(right)) {
    throw new Error('coalesced and naive rollups disagree');
  }
}

/** Sale-change stream records as Lambda delivers them, built from real sale items. */
function generateRecords(workload: Workload): DynamoDBRecord[] {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;

    return seed / 2 ** 31;
  };
  const pick = (count: number): number => Math.floor(random() * count);
  const items = (): SaleItem[] =>
    Array.from({ length: 1 + pick(2) }, () => ({
      productId: `product-${pick(workload.products)}`,
      planId: `plan-${pick(workload.plans)}`,
      quantity: 1 + pick(5),
      unitAmount: 500 + pick(20_000),
      interval: 'month' as const,
    }));
  const start = Date.parse('2026-10-01T00:00:00Z');
  const at = (index: number): Date => new Date(start + index * 60_000);

  const sales: Sale[] = [];
  const records: DynamoDBRecord[] = [];
  const emit = (before: Sale | undefined, after: Sale, type: string, when: Date) => {
    const image = (sale: Sale, change: string) =>
      marshall(saleItem(sale, { type: change as never, at: when.toISOString() }), {
        removeUndefinedValues: true,
      }) as Record<string, AttributeValue>;
    records.push({
      eventID: `${records.length}`,
      eventName: before ? 'MODIFY' : 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: marshall(movementKey(after.salesId, after.version)) as Record<string, AttributeValue>,
        NewImage: image(after, type),
        OldImage: before ? image(before, 'amended') : undefined,
        SequenceNumber: String(records.length).padStart(21, '0'),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  };

  for (let index = 0; records.length < workload.changes; index += 1) {
    const when = at(index);
    if (sales.length < workload.sales && (sales.length === 0 || random() < 0.4)) {
      const { sale } = issueSale(
        {
          customerId: `cus_${index}`,
          channel: `channel-${pick(workload.channels)}`,
          currency: 'USD',
          items: items(),
        },
        generateSalesId(),
        when,
      );
      sales.push(sale);
      emit(undefined, sale, 'created', when);
      continue;
    }
    const target = pick(sales.length);
    const before = sales[target]!;
    const roll = random();
    const change =
      before.status === 'cancelled'
        ? reactivateSale(before, undefined, when)
        : roll < 0.8
          ? amendSale(before, { items: items() }, when)
          : cancelSale(before, undefined, when);
    sales[target] = change.after;
    emit(before, change.after, change.entry.type, when);
  }

  return records;
}
