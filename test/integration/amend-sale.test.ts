import { amendSale } from '../../functions/amend-sale';
import { cancelSale } from '../../functions/cancel-sale';
import { getSale } from '../../functions/get-sale';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { issueTestSale, withoutDatabase } from '../helpers/issue-sale';
import { allSalesItems } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables();
});

const PRO = {
  productId: 'analytics',
  planId: 'pro',
  quantity: 3,
  unitAmount: 4900,
  interval: 'month',
};
const TEAM = {
  productId: 'analytics',
  planId: 'team',
  quantity: 5,
  unitAmount: 4900,
  interval: 'month',
};
const SEATS = {
  productId: 'seats',
  planId: 'seat-annual',
  quantity: 2,
  unitAmount: 12000,
  interval: 'year',
};

const newSale = (overrides: Record<string, unknown> = {}) => issueTestSale(deps, overrides);

function amend(
  salesId: string,
  body: unknown,
  headers: Record<string, string> = { 'If-Match': '"1"' },
  serviceDeps = deps,
) {
  const event = apiEvent({
    method: 'POST',
    path: `/sales/${salesId}/amendments`,
    pathParameters: { salesId },
    body,
    headers,
  });

  return httpRoute(amendSale(serviceDeps))(event, lambdaContext());
}

async function read(salesId: string) {
  const event = apiEvent({ path: `/sales/${salesId}`, pathParameters: { salesId } });

  return jsonBody(await httpRoute(getSale(deps))(event, lambdaContext()));
}

const noDatabase = () => withoutDatabase(deps);

describe('POST /sales/{salesId}/amendments', () => {
  it('replaces the items, bumps the version and returns the new sale with its ETag', async () => {
    const salesId = await newSale();

    const result = await amend(salesId, { items: [TEAM, SEATS], reason: 'upgrade' });

    const sale = jsonBody(result);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.ETag).toBe('"2"');
    expect(sale).toMatchObject({
      salesId,
      status: 'active',
      version: 2,
      mrr: 26_500,
      arr: 318_000,
      currency: 'USD',
      customerId: 'cus_81',
      items: [TEAM, SEATS],
    });
  });

  it('records a history entry with the MRR before and after and the reason', async () => {
    const salesId = await newSale();

    await amend(salesId, { items: [TEAM], reason: 'two more seats' });

    const sale = await read(salesId);
    expect(sale.history).toEqual([
      expect.objectContaining({ version: 1, type: 'created' }),
      {
        version: 2,
        type: 'amended',
        at: sale.updatedAt,
        mrrBefore: 14_700,
        mrrAfter: 24_500,
        reason: 'two more seats',
        items: [TEAM],
        status: 'active',
      },
    ]);
  });

  it('keeps the sale item readable for the rollup: change type, time and peak MRR', async () => {
    const salesId = await newSale();

    await amend(salesId, { items: [TEAM] });
    await amend(salesId, { items: [PRO] }, { 'If-Match': '"2"' });

    const item = (await allSalesItems(deps)).find(
      (entry) => entry.salesId === salesId && entry.entityType === 'Sale',
    );
    expect(item).toMatchObject({
      version: 3,
      mrr: 14_700,
      arr: 176_400,
      peakMrr: 24_500,
      changeType: 'amended',
      changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      currency: 'USD',
    });
  });

  it('moves plan links with the items so the byPlan index follows the amendment', async () => {
    const salesId = await newSale();

    await amend(salesId, { items: [TEAM, SEATS] });

    const links = (await allSalesItems(deps))
      .filter((item) => item.salesId === salesId && item.entityType === 'SalePlan')
      .map((item) => item.planId)
      .sort();
    expect(links).toEqual(['seat-annual', 'team']);
  });

  it.each([['"1"'], ['1'], ['W/"1"']])('accepts If-Match %s for version 1', async (ifMatch) => {
    const salesId = await newSale();

    const result = await amend(salesId, { items: [TEAM] }, { 'If-Match': ifMatch });

    expect(result.statusCode).toBe(200);
  });

  it('answers 428 precondition_required without If-Match and writes nothing', async () => {
    const salesId = await newSale();

    const result = await amend(salesId, { items: [TEAM] }, {});

    expect(result.statusCode).toBe(428);
    expect(jsonBody(result).code).toBe('precondition_required');
    expect((await read(salesId)).version).toBe(1);
  });

  it('answers 412 version_conflict naming the current version when If-Match is stale', async () => {
    const salesId = await newSale();
    await amend(salesId, { items: [TEAM] });

    const result = await amend(salesId, { items: [SEATS] }, { 'If-Match': '"1"' });

    expect(result.statusCode).toBe(412);
    expect(jsonBody(result)).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect((await read(salesId)).items).toEqual([TEAM]);
  });

  it('answers 409 sale_not_active for a cancelled sale', async () => {
    const salesId = await newSale();
    await httpRoute(cancelSale(deps))(
      apiEvent({ method: 'POST', pathParameters: { salesId }, path: `/sales/${salesId}/x` }),
      lambdaContext(),
    );

    const result = await amend(salesId, { items: [TEAM] }, { 'If-Match': '"2"' });

    expect(result.statusCode).toBe(409);
    expect(jsonBody(result).code).toBe('sale_not_active');
  });

  it('ranks a stale version (412) before the cancelled state (409)', async () => {
    const salesId = await newSale();
    await httpRoute(cancelSale(deps))(
      apiEvent({ method: 'POST', pathParameters: { salesId }, path: `/sales/${salesId}/x` }),
      lambdaContext(),
    );

    const result = await amend(salesId, { items: [TEAM] }, { 'If-Match': '"1"' });

    expect(result.statusCode).toBe(412);
  });

  it('answers 404 sale_not_found for an unknown sale, even without If-Match', async () => {
    const result = await amend(generateSalesId(), { items: [TEAM] }, {});

    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).code).toBe('sale_not_found');
  });

  it('answers 400 invalid_sales_id before any database call', async () => {
    const result = await amend('sale_123', { items: [TEAM] }, undefined, noDatabase());

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('invalid_sales_id');
  });

  it.each([
    ['no items', {}, '/items'],
    ['empty items', { items: [] }, '/items'],
    ['a zero quantity', { items: [{ ...TEAM, quantity: 0 }] }, '/items/0/quantity'],
    ['an unknown field', { items: [TEAM], currency: 'EUR' }, '/currency'],
    ['an empty reason', { items: [TEAM], reason: '' }, '/reason'],
  ])('answers 400 validation_failed for %s before any database call', async (_, body, pointer) => {
    const result = await amend(generateSalesId(), body, {}, noDatabase());

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toMatchObject({
      code: 'validation_failed',
      errors: expect.arrayContaining([expect.objectContaining({ pointer })]),
    });
  });

  it('refuses items whose ARR would exceed 2^53 - 1 before reading the sale', async () => {
    const huge = { ...TEAM, quantity: 1_000_000, unitAmount: 1_000_000_000_000 };

    const result = await amend(generateSalesId(), { items: [huge] }, {}, noDatabase());

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('validation_failed');
  });

  it('answers 400 for an If-Match that names no version, before any database call', async () => {
    const result = await amend(
      generateSalesId(),
      { items: [TEAM] },
      { 'If-Match': '*' },
      noDatabase(),
    );

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).errors).toEqual([
      expect.objectContaining({ pointer: '/headers/If-Match' }),
    ]);
  });

  it('answers 415 for a body that is not JSON, ranked before a missing precondition', async () => {
    const salesId = await newSale();

    const result = await amend(salesId, 'items=1', { 'Content-Type': 'text/plain' });

    expect(result.statusCode).toBe(415);
  });

  it('lets exactly one of many concurrent amendments from one version win', async () => {
    const salesId = await newSale();
    const racers = 8;

    const results = await Promise.all(
      Array.from({ length: racers }, (_, index) =>
        amend(salesId, { items: [{ ...TEAM, quantity: index + 1 }] }),
      ),
    );

    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, ...Array<number>(racers - 1).fill(412)]);
    const winner = jsonBody(results.find((result) => result.statusCode === 200)!);
    const sale = await read(salesId);
    expect(sale.version).toBe(2);
    expect(sale.items).toEqual(winner.items);
    expect(sale.history).toHaveLength(2);
  });
});
