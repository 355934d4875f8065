import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import { allocateMrr, BILLING_INTERVALS } from '../../shared/domain/money';
import type { Sale, SaleItem } from '../../shared/domain/sale';
import { readLiveMrr, type LiveMrr } from '../../shared/revenue/aggregates';
import { readMonths } from '../../shared/revenue/months';
import {
  createStoredSale,
  storeAmendment,
  storeCancellation,
  storePaidAmount,
  storeReactivation,
  streamRecords,
} from '../helpers/sales-stream';
import { createTestTables } from '../helpers/tables';

// A seeded generator: the workload is random in shape but the same on every run, so a
// failure can be replayed. Change SEED to explore other workloads.
const SEED = 20261203;
const OPERATIONS = 140;
const CURRENCIES = ['USD', 'EUR'];
const FIRST_MONTH = '2026-01';
const LAST_MONTH = '2026-06';

function mulberry32(seed: number): () => number {
  let state = seed;

  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const between = (low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

function randomItems(): SaleItem[] {
  return Array.from({ length: between(1, 3) }, () => ({
    productId: pick(['analytics', 'seats', 'storage', 'support']),
    planId: pick(['free', 'basic', 'pro', 'team', 'enterprise', 'annual']),
    quantity: between(1, 7),
    // Odd amounts and quarterly or yearly intervals exercise the half-to-even rounding.
    unitAmount: pick([0, between(1, 9999), between(1, 9999)]),
    interval: pick(BILLING_INTERVALS),
  }));
}

/** Runs a random mix of creates, amendments, cancellations, reactivations and payments. */
async function runWorkload(deps: ServiceDeps): Promise<void> {
  const sales: Sale[] = [];
  let clock = Date.parse(`${FIRST_MONTH}-01T00:00:00Z`);
  const step = (Date.parse(`${LAST_MONTH}-28T00:00:00Z`) - clock) / OPERATIONS;

  for (let operation = 0; operation < OPERATIONS; operation += 1) {
    clock += step;
    const now = new Date(clock);
    const index = Math.floor(random() * sales.length);
    const sale = sales[index];
    const roll = random();
    if (sale === undefined || roll < 0.3) {
      // Some sales are back-dated into an earlier month, as a checkout may do.
      const activatedAt = new Date(clock - between(0, 40) * 24 * 3600 * 1000).toISOString();
      const terms = {
        items: randomItems(),
        currency: pick(CURRENCIES),
        channel: pick(['direct', 'partner', 'marketplace']),
        activatedAt: activatedAt < `${FIRST_MONTH}-01` ? undefined : activatedAt,
      };
      sales.push(await createStoredSale(deps, terms, now));
    } else if (roll < 0.6 && sale.status === 'active') {
      sales[index] = await storeAmendment(deps, sale, randomItems(), now);
    } else if (roll < 0.75 && sale.status === 'active') {
      sales[index] = await storeCancellation(deps, sale, now);
    } else if (roll < 0.9 && sale.status === 'cancelled') {
      sales[index] = await storeReactivation(deps, sale, now);
    } else {
      await storePaidAmount(deps, sale, between(1, 5000));
    }
  }
}

/** Delivers records in random batches, redelivering some and bisecting others. */
async function deliverRandomly(deps: ServiceDeps, records: readonly DynamoDBRecord[]) {
  const handler = rollupRevenue(deps);
  const again: DynamoDBRecord[][] = [];
  for (let start = 0; start < records.length;) {
    const size = between(1, 100);
    const batch = records.slice(start, start + size);
    start += size;
    if (random() < 0.25) {
      const middle = Math.ceil(batch.length / 2);
      await handler({ Records: batch.slice(0, middle) });
      await handler({ Records: batch.slice(middle) });
    } else {
      await handler({ Records: batch });
    }
    if (random() < 0.4) {
      again.push(batch);
    }
  }
  for (const batch of again.reverse()) {
    const response = await handler({ Records: batch });
    expect(response.batchItemFailures).toEqual([]);
  }
}

type Item = Record<string, unknown>;

async function scanSales(deps: ServiceDeps): Promise<Item[]> {
  const result = await deps.db.send(new ScanCommand({ TableName: deps.salesTable }));

  return result.Items ?? [];
}

/** MRR recomputed from the sale items themselves, the source of truth. */
function expectedLive(items: readonly Item[], currency: string): LiveMrr {
  const live: LiveMrr = { mrr: 0, activeSales: 0, byChannel: {}, byProduct: {}, byPlan: {} };
  const add = (into: Record<string, number>, key: string, amount: number) => {
    if (amount !== 0) {
      into[key] = (into[key] ?? 0) + amount;
    }
  };
  let mrr = 0;
  let activeSales = 0;
  for (const sale of items) {
    if (sale.entityType !== 'Sale' || sale.currency !== currency || sale.status !== 'active') {
      continue;
    }
    const saleItems = sale.items as SaleItem[];
    mrr += Number(sale.mrr);
    activeSales += 1;
    add(live.byChannel, String(sale.channel), Number(sale.mrr));
    const byProduct = allocateMrr(saleItems, (i) => saleItems[i]!.productId);
    const byPlan = allocateMrr(saleItems, (i) => saleItems[i]!.planId);
    Object.entries(byProduct).forEach(([key, amount]) => add(live.byProduct, key, amount));
    Object.entries(byPlan).forEach(([key, amount]) => add(live.byPlan, key, amount));
  }
  const drop = (record: Record<string, number>) =>
    Object.fromEntries(Object.entries(record).filter(([, amount]) => amount !== 0));

  return {
    mrr,
    activeSales,
    byChannel: drop(live.byChannel),
    byProduct: drop(live.byProduct),
    byPlan: drop(live.byPlan),
  };
}

/** Movement sums per month recomputed from each sale's version history. */
function expectedMovements(items: readonly Item[], currency: string) {
  const sales = new Map(
    items.filter((item) => item.entityType === 'Sale').map((sale) => [sale.salesId, sale]),
  );
  const versions = items
    .filter((item) => item.entityType === 'SaleVersion' && item.currency === currency)
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
  const sums = new Map<string, Record<string, number>>();
  const peaks = new Map<unknown, number>();
  for (const version of versions) {
    const before = Number(version.mrrBefore);
    const after = Number(version.mrrAfter);
    const peak = peaks.get(version.salesId) ?? 0;
    peaks.set(version.salesId, Math.max(peak, after));
    const at =
      version.type === 'created'
        ? String(sales.get(version.salesId)?.activatedAt)
        : String(version.at);
    const month = new Date(at).toISOString().slice(0, 7);
    const kind =
      before === after
        ? undefined
        : before === 0
          ? peak > 0
            ? 'reactivation'
            : 'new'
          : after === 0
            ? 'churn'
            : after > before
              ? 'expansion'
              : 'contraction';
    if (kind) {
      const sum = sums.get(month) ?? {};
      sum[kind] = (sum[kind] ?? 0) + Math.abs(after - before);
      sums.set(month, sum);
    }
  }

  return sums;
}

describe('stream rollup on a randomized workload', () => {
  let deps: ServiceDeps;
  let salesItems: Item[];

  beforeAll(async () => {
    deps = await createTestTables();
    await runWorkload(deps);
    salesItems = await scanSales(deps);
    const saleVersions = salesItems.filter((item) => item.entityType === 'SaleVersion').length;
    const records = await streamRecords(deps, { atLeast: saleVersions });
    await deliverRandomly(deps, records);
  });

  it('exercises every movement kind', () => {
    const kinds = new Set(
      CURRENCIES.flatMap((currency) =>
        [...expectedMovements(salesItems, currency).values()].flatMap((sums) => Object.keys(sums)),
      ),
    );

    expect([...kinds].sort()).toEqual(['churn', 'contraction', 'expansion', 'new', 'reactivation']);
  });

  it.each(CURRENCIES)(
    'has live %s aggregates equal to a recomputation from the sales',
    async (currency) => {
      const live = await readLiveMrr(deps, currency);

      expect(live).toEqual(expectedLive(salesItems, currency));
    },
  );

  it.each(CURRENCIES)(
    'has %s movements equal to a recomputation from the histories',
    async (currency) => {
      const expected = expectedMovements(salesItems, currency);
      const earliest = [...expected.keys()].sort()[0] ?? FIRST_MONTH;

      const months = await readMonths(deps, currency, earliest, LAST_MONTH);

      for (const month of months) {
        const sums = expected.get(month.month) ?? {};
        expect(month.movements).toEqual({
          new: sums.new ?? 0,
          expansion: sums.expansion ?? 0,
          contraction: sums.contraction ?? 0,
          churn: sums.churn ?? 0,
          reactivation: sums.reactivation ?? 0,
        });
      }
      expect(months.at(-1)?.closing).toBe(expectedLive(salesItems, currency).mrr);
      expect(months[0]?.opening).toBe(0);
    },
  );
});
