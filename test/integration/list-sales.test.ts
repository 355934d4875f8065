import KSUID from 'ksuid';
import { randomBytes, randomUUID } from 'node:crypto';

import { amendSale } from '../../functions/amend-sale';
import { cancelSale } from '../../functions/cancel-sale';
import { listSales } from '../../functions/list-sales';
import type { ServiceDeps } from '../../shared/deps';
import type { SalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { issueTestSale, withoutDatabase } from '../helpers/issue-sale';
import { saleBody } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

// Sales IDs sort by their KSUID's second; one second apart per sale makes "newest first"
// observable without waiting.
let tick = Date.parse('2026-12-01T00:00:00Z');
const steadyIds = (): SalesId => {
  tick += 1000;

  return `sale_${KSUID.fromParts(tick, randomBytes(16)).string}` as SalesId;
};

beforeAll(async () => {
  deps = await createTestTables({ newSalesId: steadyIds });
});

interface Page {
  items: { salesId: string; status: string; version: number }[];
  nextCursor: string | null;
}

async function newSales(count: number, overrides: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    ids.push(await issueTestSale(deps, overrides));
  }

  return ids;
}

function list(query: Record<string, string>, multi?: Record<string, string[]>, serviceDeps = deps) {
  const event = apiEvent({ path: '/sales', query });
  if (multi) {
    event.multiValueQueryStringParameters = multi;
  }

  return httpRoute(listSales(serviceDeps))(event, lambdaContext());
}

async function page(query: Record<string, string>): Promise<Page> {
  const result = await list(query);
  expect(result.statusCode).toBe(200);

  return jsonBody<Page>(result);
}

const unique = (stem: string) => `${stem}_${randomUUID().slice(0, 8)}`;
const ids = (result: Page) => result.items.map((sale) => sale.salesId);

describe('GET /sales', () => {
  it('finds sales by customer, newest first, as sale views', async () => {
    const customerId = unique('cus');
    const created = await newSales(3, { customerId });
    await newSales(1, { customerId: unique('cus') });

    const result = await page({ customerId });

    expect(ids(result)).toEqual([...created].reverse());
    expect(result.nextCursor).toBeNull();
    expect(result.items[0]).toMatchObject({ customerId, status: 'active', version: 1 });
    expect(result.items[0]).not.toHaveProperty('pk');
  });

  it.each([
    ['opportunityId', 'opp'],
    ['contractId', 'ctr'],
  ])('finds sales by %s', async (filter, stem) => {
    const value = unique(stem);
    const created = await newSales(2, { [filter]: value });

    const result = await page({ [filter]: value });

    expect(ids(result)).toEqual([...created].reverse());
  });

  it('finds sales by channel', async () => {
    const channel = `ch-${randomUUID().slice(0, 8)}`;
    const created = await newSales(2, { channel });

    const result = await page({ channel });

    expect(ids(result)).toEqual([...created].reverse());
  });

  it('finds sales by plan, in order, following amendments that add or drop the plan', async () => {
    const planId = unique('plan');
    const item = {
      productId: 'analytics',
      planId,
      quantity: 1,
      unitAmount: 100,
      interval: 'month',
    };
    const [first, second, third] = await newSales(3, { items: [item] });
    const [joiner] = await newSales(1, {});
    const amend = (salesId: string, items: unknown[]) =>
      httpRoute(amendSale(deps))(
        apiEvent({
          method: 'POST',
          path: `/sales/${salesId}/amendments`,
          pathParameters: { salesId },
          body: { items },
          headers: { 'If-Match': '"1"' },
        }),
        lambdaContext(),
      );

    await amend(second!, saleBody().items as unknown[]);
    await amend(joiner!, [item]);

    const result = await page({ planId });
    expect(ids(result)).toEqual([joiner, third, first]);
    expect(result.items[0]).toMatchObject({ version: 2, items: [item] });
  });

  it('lists cancelled sales too, with their status', async () => {
    const customerId = unique('cus');
    const [salesId] = await newSales(1, { customerId });
    await httpRoute(cancelSale(deps))(
      apiEvent({ method: 'POST', path: '/x', pathParameters: { salesId: salesId! } }),
      lambdaContext(),
    );

    const result = await page({ customerId });

    expect(result.items).toEqual([expect.objectContaining({ salesId, status: 'cancelled' })]);
  });

  it('pages by limit and cursor to a null nextCursor, missing and repeating nothing', async () => {
    const customerId = unique('cus');
    const created = await newSales(5, { customerId });

    const first = await page({ customerId, limit: '2' });
    const second = await page({ customerId, limit: '2', cursor: first.nextCursor! });
    const third = await page({ customerId, limit: '2', cursor: second.nextCursor! });

    expect([first, second, third].map((result) => result.items.length)).toEqual([2, 2, 1]);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual([...created].reverse());
    expect(third.nextCursor).toBeNull();
  });

  it('ends with nextCursor null when the last page is exactly full', async () => {
    const planId = unique('plan');
    const item = {
      productId: 'analytics',
      planId,
      quantity: 1,
      unitAmount: 100,
      interval: 'month',
    };
    await newSales(4, { items: [item] });

    const first = await page({ planId, limit: '2' });
    const second = await page({ planId, limit: '2', cursor: first.nextCursor! });

    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });

  it('serves 20 sales per page by default', async () => {
    const customerId = unique('cus');
    await newSales(21, { customerId });

    const result = await page({ customerId });

    expect(result.items).toHaveLength(20);
    expect(result.nextCursor).not.toBeNull();
  });

  it('answers an empty page for a key nobody has', async () => {
    const result = await page({ contractId: unique('ctr') });

    expect(result).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a cursor from another query: it cannot be forged into a new look-up', async () => {
    const customerId = unique('cus');
    await newSales(2, { customerId });
    const first = await page({ customerId, limit: '1' });

    const otherValue = await list({ customerId: unique('cus'), cursor: first.nextCursor! });
    const otherFilter = await list({ opportunityId: customerId, cursor: first.nextCursor! });
    const decoded = JSON.parse(
      Buffer.from(first.nextCursor!.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...decoded, v: 'cus_81' })).toString('base64url');
    const forgedUse = await list({ customerId, cursor: `c1.${edited}` });

    for (const result of [otherValue, otherFilter, forgedUse]) {
      expect(result.statusCode).toBe(400);
      expect(jsonBody(result)).toMatchObject({
        code: 'invalid_query',
        errors: [expect.objectContaining({ pointer: '/query/cursor' })],
      });
    }
  });

  const encoded = (value: unknown) =>
    `c1.${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

  it.each([
    ['garbage', 'not-a-cursor'],
    ['bad base64', 'c1.%%%'],
    ['JSON that is no cursor', encoded([1, 2])],
    ['a bad sales ID', encoded({ f: 'customerId', v: 'cus_1', s: 'sale_x' })],
  ])('answers 400 invalid_query for a cursor that is %s', async (_, cursor) => {
    const result = await list({ customerId: 'cus_1', cursor });

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('invalid_query');
  });

  it.each([
    ['no filter', {}, '/query'],
    ['two filters', { customerId: 'cus_1', channel: 'web' }, '/query'],
    ['limit 0', { customerId: 'cus_1', limit: '0' }, '/query/limit'],
    ['limit 101', { customerId: 'cus_1', limit: '101' }, '/query/limit'],
    ['a limit that is no integer', { customerId: 'cus_1', limit: '2.5' }, '/query/limit'],
    ['an unknown parameter', { customerId: 'cus_1', sort: 'asc' }, '/query/sort'],
    ['a malformed value', { customerId: 'cus 1' }, '/query/customerId'],
    ['an empty value', { planId: '' }, '/query/planId'],
    ['a channel that is no slug', { channel: 'Web' }, '/query/channel'],
  ])('answers 400 invalid_query for %s, before any database call', async (_, query, pointer) => {
    const noDatabase = withoutDatabase(deps);

    const result = await list(query, undefined, noDatabase);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toMatchObject({
      code: 'invalid_query',
      errors: expect.arrayContaining([expect.objectContaining({ pointer })]),
    });
  });

  it('answers 400 invalid_query when a filter is given twice', async () => {
    const result = await list({ customerId: 'cus_2' }, { customerId: ['cus_1', 'cus_2'] });

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toMatchObject({
      code: 'invalid_query',
      errors: [{ pointer: '/query/customerId', detail: 'given more than once' }],
    });
  });
});
