import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

import { revenueDaily } from '../../functions/revenue-daily';
import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import type { SaleItem } from '../../shared/domain/sale';
import { hasCode } from '../../shared/errors';
import { logger } from '../../shared/observability/logger';
import { readLiveMrr } from '../../shared/revenue/aggregates';
import {
  mrrBreakdownKey,
  mrrTotalShardKey,
  shardFor,
  snapshotKey,
} from '../../shared/revenue/keys';
import { recomputeFromSales } from '../../shared/revenue/recompute';
import { createDocumentClient } from '../../shared/storage/client';
import {
  createStoredSale,
  storeAmendment,
  storeCancellation,
  storeReactivation,
  streamRecords,
} from '../helpers/sales-stream';
import { createTestTables, localEndpoint } from '../helpers/tables';

const NOW = new Date('2026-12-04T00:15:00Z');
const SCHEDULED = {
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time: NOW.toISOString(),
};

const item = (planId: string, quantity: number, unitAmount = 4900): SaleItem => ({
  productId: planId === 'seats' ? 'collab' : 'analytics',
  planId,
  quantity,
  unitAmount,
  interval: 'month',
});
const at = (day: string): Date => new Date(`2026-${day}T12:00:00Z`);

/** Runs every stream record so far through the real rollup, as the event source would. */
async function rollUp(deps: ServiceDeps, atLeast: number): Promise<void> {
  const records = await streamRecords(deps, { atLeast });
  const response = await rollupRevenue(deps)({ Records: records });
  expect(response.batchItemFailures).toEqual([]);
}

async function addToItem(deps: ServiceDeps, key: object, attribute: string, amount: number) {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.revenueTable,
      Key: key,
      UpdateExpression: 'ADD #a :n',
      ExpressionAttributeNames: { '#a': attribute },
      ExpressionAttributeValues: { ':n': amount },
    }),
  );
}

describe('revenue-daily reconciliation', () => {
  let deps: ServiceDeps;
  let firstSalesId = '';

  beforeAll(async () => {
    deps = await createTestTables({ clock: () => NOW });
    const a = await createStoredSale(deps, { items: [item('pro', 3)] }, at('11-02'));
    firstSalesId = a.salesId;
    const b = await createStoredSale(
      deps,
      { items: [item('pro', 1), item('seats', 7, 1250)], channel: 'partner' },
      at('11-05'),
    );
    await storeAmendment(deps, b, [item('team', 2, 9999), item('seats', 3, 1250)], at('11-20'));
    const c = await createStoredSale(deps, { items: [item('pro', 2)] }, at('11-07'));
    const cancelled = await storeCancellation(deps, c, at('11-21'));
    const d = await createStoredSale(deps, { items: [item('team', 1, 333)] }, at('11-08'));
    await storeReactivation(deps, await storeCancellation(deps, d, at('11-09')), at('12-01'));
    await createStoredSale(deps, { items: [item('pro', 4)], currency: 'EUR' }, at('11-10'));
    expect(cancelled.status).toBe('cancelled');
    await rollUp(deps, 9);
  });

  it('reports no drift after a clean workload and snapshots the ended day', async () => {
    const result = await revenueDaily(deps, { settleMs: 0 })(SCHEDULED);

    const usd = await readLiveMrr(deps, 'USD');
    const snapshot = await deps.db.send(
      new GetCommand({ TableName: deps.revenueTable, Key: snapshotKey('USD', '2026-12-03') }),
    );
    expect(result).toMatchObject({ day: '2026-12-03', totalDrift: 0, salesRead: 5 });
    expect(result.currencies.map((c) => [c.currency, c.mrrDrift, c.snapshot])).toEqual([
      ['EUR', 0, 'written'],
      ['USD', 0, 'written'],
    ]);
    expect(snapshot.Item).toMatchObject({
      day: '2026-12-03',
      mrr: usd.mrr,
      arr: usd.mrr * 12,
      activeSales: usd.activeSales,
      byChannel: usd.byChannel,
      byPlan: usd.byPlan,
      byProduct: usd.byProduct,
      late: false,
      takenAt: NOW.toISOString(),
    });
    expect(usd.activeSales).toBe(3);
  });

  it('keeps the first snapshot of a day when the run is repeated', async () => {
    const result = await revenueDaily(deps, { settleMs: 0 })({ date: '2026-12-03' });

    expect(result.currencies.map((c) => c.snapshot)).toEqual([
      'already_written',
      'already_written',
    ]);
  });

  it('detects and reports every planted drift without changing the aggregates', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const shardKey = mrrTotalShardKey('USD', shardFor(firstSalesId));
    await addToItem(deps, shardKey, 'mrr', 1234);
    await addToItem(deps, shardKey, 'activeSales', 1);
    await addToItem(deps, mrrBreakdownKey('USD', 'PLAN', 'pro'), 'mrr', -100);
    await addToItem(deps, mrrBreakdownKey('USD', 'CHANNEL', 'ghost'), 'mrr', 55);

    const result = await revenueDaily(deps, { settleMs: 0 })({ date: '2026-12-02' });

    const usd = result.currencies.find((c) => c.currency === 'USD');
    expect(result.totalDrift).toBe(1234 + 100 + 55);
    expect(usd).toMatchObject({
      mrrDrift: 1389,
      liveMrr: (usd?.recomputedMrr ?? 0) + 1234,
      liveActiveSales: (usd?.recomputedActiveSales ?? 0) + 1,
      snapshot: 'written',
    });
    expect(usd?.repairedItems).toBeUndefined();
    expect([...(usd?.driftingItems ?? [])].sort()).toEqual(
      [shardKey.sk, 'CHANNEL#ghost', 'PLAN#pro'].sort(),
    );
    expect(warn).toHaveBeenCalledWith('MRR drift', expect.objectContaining({ currency: 'USD' }));
    expect(result.currencies.find((c) => c.currency === 'EUR')?.mrrDrift).toBe(0);
    expect(result.repaired).toBe(false);
    expect((await readLiveMrr(deps, 'USD')).byChannel.ghost).toBe(55);
    warn.mockRestore();
  });

  it('repairs the aggregates on request and records the repair', async () => {
    const truth = await recomputeFromSales(deps);

    const repair = await revenueDaily(deps, { settleMs: 0 })({ date: '2026-12-02', repair: true });
    const after = await revenueDaily(deps, { settleMs: 0 })({ date: '2026-12-02' });

    const usd = await readLiveMrr(deps, 'USD');
    const runs = await deps.db.send(
      new QueryCommand({
        TableName: deps.revenueTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'RECONCILIATION' },
      }),
    );
    expect(repair).toMatchObject({ repairRequested: true, repaired: true, totalDrift: 1389 });
    expect(repair.currencies.find((c) => c.currency === 'USD')?.repairedItems).toBe(3);
    expect(after.totalDrift).toBe(0);
    expect(usd.mrr).toBe(truth.figures.get('USD')?.shards.reduce((s, x) => s + x.mrr, 0));
    expect(usd.byChannel.ghost).toBeUndefined();
    expect(runs.Items?.some((run) => run.repaired === true && run.totalDrift === 1389)).toBe(true);
  });

  it.each([
    [{ date: '2026-02-30' }, '/date'],
    [{ date: '2026-12-04' }, '/date'],
    [{ date: '2027-01-01' }, '/date'],
    [{ date: '12/03/2026' }, '/date'],
    [{ repair: 'yes' }, '/repair'],
    [{ month: '2026-11' }, '/'],
  ])('refuses the invalid period %j', async (input, pointer) => {
    const error = await rejection(revenueDaily(deps, { settleMs: 0 })(input));

    expect(hasCode(error, 'validation_failed')).toBe(true);
    expect(hasCode(error, 'validation_failed') && error.errors?.[0]?.pointer).toBe(pointer);
  });
});

describe('revenue-daily recomputation cost', () => {
  let deps: ServiceDeps;
  let requests = 0;

  beforeAll(async () => {
    const tables = await createTestTables({ clock: () => NOW });
    const db = createDocumentClient({ endpoint: localEndpoint() });
    db.middlewareStack.add(
      (next) => async (args) => {
        requests += 1;

        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    deps = { ...tables, db };
  });

  async function addSales(count: number): Promise<void> {
    // Ten writes in flight: DynamoDB Local takes them about three times as fast as one by one.
    for (let start = 0; start < count; start += 10) {
      const batch = Array.from({ length: Math.min(10, count - start) }, (_, offset) =>
        createStoredSale(deps, { items: [item('pro', 1 + ((start + offset) % 5))] }, at('11-15')),
      );
      await Promise.all(batch);
    }
  }

  async function scanRequests(): Promise<{ requests: number; salesRead: number }> {
    requests = 0;
    // Small pages make the page count visible at test sizes; in AWS a page is 1 MB.
    const result = await recomputeFromSales(deps, { segments: 1, pageSize: 40 });

    return { requests, salesRead: result.salesRead };
  }

  it('grows linearly with the number of sales', async () => {
    await addSales(50);
    const small = await scanRequests();
    await addSales(150);
    const large = await scanRequests();

    expect(small.salesRead).toBe(50);
    expect(large.salesRead).toBe(200);
    // Four times the sales cost four times the pages, plus the one final empty page.
    const ratio = large.requests / small.requests;
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThanOrEqual(4);
    expect(large.requests / large.salesRead).toBeLessThanOrEqual(small.requests / small.salesRead);
  });

  it('reads every sale once whatever the number of scan segments', async () => {
    const single = await recomputeFromSales(deps, { segments: 1 });
    const parallel = await recomputeFromSales(deps, { segments: 4 });

    expect(parallel.salesRead).toBe(single.salesRead);
    expect(parallel.figures).toEqual(single.figures);
  });
});

async function rejection(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }

  throw new Error('expected the run to fail');
}
