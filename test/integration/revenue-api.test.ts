import { PutCommand } from '@aws-sdk/lib-dynamodb';

import { getMonths } from '../../functions/get-months';
import { getMovements } from '../../functions/get-movements';
import { getMrr } from '../../functions/get-mrr';
import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import type { SaleItem } from '../../shared/domain/sale';
import { httpRoute, type RouteHandler } from '../../shared/http/route';
import { periodKey, REVENUE_ENTITY } from '../../shared/revenue/keys';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { createStoredSale, storeAmendment, streamRecords } from '../helpers/sales-stream';
import { createTestTables } from '../helpers/tables';

const NOW = new Date('2026-12-03T18:00:00Z');
const item = (productId: string, planId: string, quantity: number): SaleItem => ({
  productId,
  planId,
  quantity,
  unitAmount: 1000,
  interval: 'month',
});

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables({ clock: () => NOW });
  await createStoredSale(
    deps,
    { items: [item('analytics', 'pro', 2)], activatedAt: '2026-02-10T00:00:00Z' },
    new Date('2026-02-10T00:00:00Z'),
  );
  const second = await createStoredSale(
    deps,
    {
      items: [item('analytics', 'pro', 1), item('seats', 'team', 3)],
      channel: 'partner',
      activatedAt: '2026-03-05T00:00:00Z',
    },
    new Date('2026-03-05T00:00:00Z'),
  );
  // The seats move to the pro plan: the team plan's part falls to 0 and is omitted.
  await storeAmendment(deps, second, [item('analytics', 'pro', 1)], new Date('2026-04-01'));
  const records = await streamRecords(deps, { atLeast: 3 });
  await rollupRevenue(deps)({ Records: records });
});

async function get(route: (deps: ServiceDeps) => RouteHandler, query: Record<string, string>) {
  const result = await httpRoute(route(deps))(apiEvent({ query }), lambdaContext());

  return { status: result.statusCode, body: jsonBody(result) };
}

describe('GET /revenue/mrr', () => {
  it('returns MRR, ARR, active sales and non-zero breakdowns of a currency', async () => {
    const response = await get(getMrr, { currency: 'USD' });

    expect(response).toEqual({
      status: 200,
      body: {
        currency: 'USD',
        mrr: 3000,
        arr: 36000,
        activeSales: 2,
        byChannel: { direct: 2000, partner: 1000 },
        byProduct: { analytics: 3000 },
        byPlan: { pro: 3000 },
        asOf: NOW.toISOString(),
      },
    });
  });

  it('answers zeros for a currency never seen', async () => {
    const response = await get(getMrr, { currency: 'JPY' });

    expect(response.body).toMatchObject({ currency: 'JPY', mrr: 0, arr: 0, activeSales: 0 });
    expect(response.body.byPlan).toEqual({});
  });

  it.each([
    [{ currency: 'usd' }, '/query/currency'],
    [{}, '/query/currency'],
    [{ currency: 'USD', month: '2026-01' }, '/query/month'],
  ])('refuses %j with invalid_query', async (query, pointer) => {
    const response = await get(getMrr, query);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_query', errors: [{ pointer }] });
  });
});

describe('GET /revenue/movements', () => {
  it('returns opening, movements, closing and counts of a live month', async () => {
    const response = await get(getMovements, { currency: 'USD', month: '2026-03' });

    expect(response).toEqual({
      status: 200,
      body: {
        currency: 'USD',
        month: '2026-03',
        closed: false,
        opening: 2000,
        movements: { new: 4000, expansion: 0, contraction: 0, churn: 0, reactivation: 0 },
        closing: 6000,
        counts: { new: 1, expansion: 0, contraction: 0, churn: 0, reactivation: 0 },
      },
    });
  });

  it.each(['2026-13', '2026-1', '26-01', ''])(
    'refuses month %j with invalid_query',
    async (month) => {
      const response = await get(getMovements, { currency: 'USD', month });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'invalid_query' });
    },
  );
});

describe('GET /revenue/months', () => {
  it('returns each month oldest first, each opening at the closing before it', async () => {
    const response = await get(getMonths, { currency: 'USD', from: '2026-01', to: '2026-05' });

    const months = response.body.months as { month: string; opening: number; closing: number }[];
    expect(months.map((month) => [month.month, month.opening, month.closing])).toEqual([
      ['2026-01', 0, 0],
      ['2026-02', 0, 2000],
      ['2026-03', 2000, 6000],
      ['2026-04', 6000, 3000],
      ['2026-05', 3000, 3000],
    ]);
  });

  it('answers a closed month from its period record; the next opens at its closing', async () => {
    const closedDeps = await createTestTables();
    await closedDeps.db.send(
      new PutCommand({
        TableName: closedDeps.revenueTable,
        Item: {
          ...periodKey('USD', '2026-01'),
          entityType: REVENUE_ENTITY.period,
          currency: 'USD',
          month: '2026-01',
          opening: 100,
          movements: { new: 50, expansion: 0, contraction: 0, churn: 30, reactivation: 0 },
          closing: 120,
          counts: { new: 1, expansion: 0, contraction: 0, churn: 1, reactivation: 0 },
          arr: 1440,
        },
      }),
    );

    const result = await httpRoute(getMonths(closedDeps))(
      apiEvent({ query: { currency: 'USD', from: '2026-01', to: '2026-02' } }),
      lambdaContext(),
    );

    const [january, february] = jsonBody<{ months: Record<string, unknown>[] }>(result).months;
    expect(january).toEqual({
      currency: 'USD',
      month: '2026-01',
      closed: true,
      opening: 100,
      movements: { new: 50, expansion: 0, contraction: 0, churn: 30, reactivation: 0 },
      closing: 120,
      counts: { new: 1, expansion: 0, contraction: 0, churn: 1, reactivation: 0 },
    });
    expect(february).toMatchObject({ closed: false, opening: 120, closing: 120 });
  });

  it('serves a range of exactly 120 months', async () => {
    const response = await get(getMonths, { currency: 'USD', from: '2017-01', to: '2026-12' });

    expect(response.status).toBe(200);
    expect(response.body.months).toHaveLength(120);
  });

  it.each([
    [{ currency: 'USD', from: '2026-05', to: '2026-04' }, '/query/from'],
    [{ currency: 'USD', from: '2016-12', to: '2026-12' }, '/query/to'],
    [{ currency: 'USD', from: '2026-01' }, '/query/to'],
  ])('refuses %j with invalid_query', async (query, pointer) => {
    const response = await get(getMonths, query);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_query', errors: [{ pointer }] });
  });
});
