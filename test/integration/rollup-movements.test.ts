import { QueryCommand } from '@aws-sdk/lib-dynamodb';

import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import type { SaleItem } from '../../shared/domain/sale';
import { readLiveMrr } from '../../shared/revenue/aggregates';
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

const item = (planId: string, quantity: number, unitAmount = 4900): SaleItem => ({
  productId: 'analytics',
  planId,
  quantity,
  unitAmount,
  interval: 'month',
});
const PRO = [item('pro', 3)]; // 14,700 a month
const TEAM = [item('team', 5)]; // 24,500 a month
const FREE = [item('free', 1, 0)];
const at = (month: string, day = '10'): Date => new Date(`${month}-${day}T12:00:00Z`);

async function applyAll(deps: ServiceDeps, atLeast: number) {
  const records = await streamRecords(deps, { atLeast });

  return rollupRevenue(deps)({ Records: records });
}

describe('stream rollup movements', () => {
  let deps: ServiceDeps;

  beforeAll(async () => {
    deps = await createTestTables();
    let a = await createStoredSale(
      deps,
      { items: PRO, activatedAt: '2026-01-05T00:00:00Z' },
      at('2026-01'),
    );
    a = await storeAmendment(deps, a, TEAM, at('2026-02'));
    a = await storeAmendment(deps, a, PRO, at('2026-03'));
    a = await storeCancellation(deps, a, at('2026-04'));
    a = await storeReactivation(deps, a, at('2026-05'));
    await storePaidAmount(deps, a, 500);
    const b = await createStoredSale(
      deps,
      { items: FREE, activatedAt: '2026-05-02T00:00:00Z', channel: 'partner' },
      at('2026-05'),
    );
    await storeAmendment(deps, b, PRO, at('2026-06'));
    const c = await createStoredSale(
      deps,
      { items: PRO, currency: 'EUR', activatedAt: '2026-01-20T00:00:00Z' },
      at('2026-01', '25'),
    );
    await storeAmendment(deps, c, FREE, at('2026-02'));
  });

  it('classifies new, expansion, contraction, churn and reactivation per month', async () => {
    const response = await applyAll(deps, 10);

    const months = await readMonths(deps, 'USD', '2026-01', '2026-06');
    expect(response.batchItemFailures).toEqual([]);
    expect(months.map((month) => [month.month, month.movements, month.closing])).toEqual([
      ['2026-01', kinds({ new: 14700 }), 14700],
      ['2026-02', kinds({ expansion: 9800 }), 24500],
      ['2026-03', kinds({ contraction: 9800 }), 14700],
      ['2026-04', kinds({ churn: 14700 }), 0],
      ['2026-05', kinds({ reactivation: 14700 }), 14700],
      ['2026-06', kinds({ new: 14700 }), 29400],
    ]);
    expect(months[5]).toMatchObject({ opening: 14700, closed: false, counts: kinds({ new: 1 }) });
  });

  it('keeps live MRR, active sales and breakdowns per currency', async () => {
    const usd = await readLiveMrr(deps, 'USD');
    const eur = await readLiveMrr(deps, 'EUR');

    expect(usd).toEqual({
      mrr: 29400,
      activeSales: 2,
      byChannel: { direct: 14700, partner: 14700 },
      byProduct: { analytics: 29400 },
      byPlan: { pro: 29400 },
    });
    expect(eur).toEqual({ mrr: 0, activeSales: 1, byChannel: {}, byProduct: {}, byPlan: {} });
  });

  it('counts an amendment to a free plan as churn', async () => {
    const [january, february] = await readMonths(deps, 'EUR', '2026-01', '2026-02');

    expect(january?.movements.new).toBe(14700);
    expect(february).toMatchObject({
      opening: 14700,
      closing: 0,
      movements: kinds({ churn: 14700 }),
    });
  });

  it('keeps a ledger entry per sale version that names its movement', async () => {
    const records = await streamRecords(deps);
    const salesId = String(records[0]?.dynamodb?.NewImage?.salesId?.S);

    const ledger = await deps.db.send(
      new QueryCommand({
        TableName: deps.revenueTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `MOVEMENT#${salesId}` },
      }),
    );

    expect(ledger.Items?.map((entry) => [entry.version, entry.kind, entry.amount])).toEqual([
      [1, 'new', 14700],
      [2, 'expansion', 9800],
      [3, 'contraction', 9800],
      [4, 'churn', 14700],
      [5, 'reactivation', 14700],
    ]);
  });

  it('ignores records that are not sale versions when given them anyway', async () => {
    const before = await readLiveMrr(deps, 'USD');
    const everything = await streamRecords(deps, { filtered: false });

    const response = await rollupRevenue(deps)({ Records: everything });

    expect(everything.length).toBeGreaterThan(10);
    expect(response.batchItemFailures).toEqual([]);
    expect(await readLiveMrr(deps, 'USD')).toEqual(before);
  });
});

describe('stream rollup without a movement', () => {
  it('moves MRR between plans at an equal total without a movement', async () => {
    const deps = await createTestTables();
    const sale = await createStoredSale(
      deps,
      { items: PRO, activatedAt: '2026-03-01T00:00:00Z' },
      at('2026-03'),
    );
    await storeAmendment(deps, sale, [item('pro-plus', 3)], at('2026-03', '20'));

    await applyAll(deps, 2);

    const [march] = await readMonths(deps, 'USD', '2026-03', '2026-03');
    expect(march?.counts).toEqual(kinds({ new: 1 }));
    expect((await readLiveMrr(deps, 'USD')).byPlan).toEqual({ 'pro-plus': 14700 });
  });

  it('drops a cancelled free sale from active sales without a movement', async () => {
    const deps = await createTestTables();
    const sale = await createStoredSale(
      deps,
      { items: FREE, activatedAt: '2026-03-01T00:00:00Z' },
      at('2026-03'),
    );
    await storeCancellation(deps, sale, at('2026-03', '20'));

    await applyAll(deps, 2);

    const [march] = await readMonths(deps, 'USD', '2026-03', '2026-03');
    expect(march?.counts).toEqual(kinds({}));
    expect(await readLiveMrr(deps, 'USD')).toMatchObject({ mrr: 0, activeSales: 0 });
  });
});

function kinds(values: Partial<Record<string, number>>): Record<string, number> {
  return { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, ...values };
}
