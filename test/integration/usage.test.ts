import { getSale } from '../../functions/get-sale';
import { recordUsage } from '../../functions/record-usage';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { issueTestSale, withoutDatabase } from '../helpers/issue-sale';
import { allSalesItems } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

const NOW = new Date('2026-12-15T12:00:00.000Z');

beforeAll(async () => {
  deps = await createTestTables({ clock: () => NOW });
});

const newSale = () => issueTestSale(deps, { currency: 'EUR' });

function record(salesId: string, body: unknown, serviceDeps = deps) {
  const event = apiEvent({
    method: 'POST',
    path: `/sales/${salesId}/usage`,
    pathParameters: { salesId },
    body,
  });

  return httpRoute(recordUsage(serviceDeps))(event, lambdaContext());
}

async function usageOf(salesId: string) {
  const event = apiEvent({ path: `/sales/${salesId}`, pathParameters: { salesId } });

  return jsonBody(await httpRoute(getSale(deps))(event, lambdaContext())).usage;
}

const usage = (overrides: Record<string, unknown> = {}) => ({
  eventId: 'evt_1',
  meter: 'api-calls',
  quantity: 1200,
  occurredAt: '2026-12-10T09:30:00Z',
  ...overrides,
});

describe('POST /sales/{salesId}/usage', () => {
  it('records the event with 201 and its month, amount and the sale’s currency', async () => {
    const salesId = await newSale();

    const result = await record(salesId, usage({ unitAmount: 2 }));

    expect(result.statusCode).toBe(201);
    expect(jsonBody(result)).toEqual({
      salesId,
      eventId: 'evt_1',
      meter: 'api-calls',
      quantity: 1200,
      unitAmount: 2,
      amount: 2400,
      currency: 'EUR',
      occurredAt: '2026-12-10T09:30:00Z',
      month: '2026-12',
      recordedAt: NOW.toISOString(),
    });
  });

  it('sums usage per meter and month, priced usage beside the quantity', async () => {
    const salesId = await newSale();

    await record(salesId, usage({ eventId: 'a', quantity: 100, unitAmount: 3 }));
    await record(salesId, usage({ eventId: 'b', quantity: 50 }));
    await record(salesId, usage({ eventId: 'c', quantity: 7, occurredAt: '2026-11-30T23:59:59Z' }));
    await record(salesId, usage({ eventId: 'd', meter: 'storage-gb', quantity: 9 }));

    expect(await usageOf(salesId)).toEqual([
      expect.objectContaining({ meter: 'api-calls', month: '2026-11', quantity: 7, amount: 0 }),
      {
        meter: 'api-calls',
        month: '2026-12',
        quantity: 150,
        amount: 300,
        currency: 'EUR',
        events: 2,
        updatedAt: NOW.toISOString(),
      },
      expect.objectContaining({ meter: 'storage-gb', month: '2026-12', quantity: 9, events: 1 }),
    ]);
  });

  it('defaults occurredAt to now', async () => {
    const salesId = await newSale();

    const result = await record(salesId, { eventId: 'now', meter: 'seats', quantity: 1 });

    expect(jsonBody(result)).toMatchObject({ occurredAt: NOW.toISOString(), month: '2026-12' });
  });

  it('replays the same event with 200 and changes no sum', async () => {
    const salesId = await newSale();
    const first = await record(salesId, usage({ unitAmount: 2 }));

    const again = await record(salesId, usage({ unitAmount: 2 }));

    expect(again.statusCode).toBe(200);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
    expect(jsonBody(again)).toEqual(jsonBody(first));
    expect(await usageOf(salesId)).toEqual([
      expect.objectContaining({ quantity: 1200, amount: 2400, events: 1 }),
    ]);
  });

  it('changes no sum when the same event is replayed concurrently', async () => {
    const salesId = await newSale();

    const results = await Promise.all(Array.from({ length: 6 }, () => record(salesId, usage())));

    expect(results.map((result) => result.statusCode).sort()).toEqual([
      200, 200, 200, 200, 200, 201,
    ]);
    expect(await usageOf(salesId)).toEqual([
      expect.objectContaining({ quantity: 1200, events: 1 }),
    ]);
  });

  it('counts every distinct event recorded concurrently', async () => {
    const salesId = await newSale();

    await Promise.all(
      Array.from({ length: 15 }, (_, index) =>
        record(salesId, usage({ eventId: `e${index}`, quantity: index + 1 })),
      ),
    );

    expect(await usageOf(salesId)).toEqual([
      expect.objectContaining({ quantity: 120, events: 15 }),
    ]);
  });

  it.each([
    ['another quantity', { quantity: 1 }],
    ['another meter', { meter: 'seats' }],
    ['a price added', { unitAmount: 1 }],
  ])('answers 409 usage_conflict for the same eventId with %s', async (_, change) => {
    const salesId = await newSale();
    await record(salesId, usage());

    const result = await record(salesId, usage(change));

    expect(result.statusCode).toBe(409);
    expect(jsonBody(result).code).toBe('usage_conflict');
    expect(await usageOf(salesId)).toEqual([expect.objectContaining({ quantity: 1200 })]);
  });

  it('refuses usage that would take a monthly sum past 2^53 - 1, keeping it exact', async () => {
    const salesId = await newSale();
    await record(salesId, usage({ quantity: Number.MAX_SAFE_INTEGER }));

    const result = await record(salesId, usage({ eventId: 'evt_2', quantity: 1 }));

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).errors).toEqual([expect.objectContaining({ pointer: '/quantity' })]);
    expect(await usageOf(salesId)).toEqual([
      expect.objectContaining({ quantity: Number.MAX_SAFE_INTEGER, events: 1 }),
    ]);
  });

  it('answers 404 for an unknown sale and writes nothing', async () => {
    const before = (await allSalesItems(deps)).length;

    const result = await record(generateSalesId(), usage());

    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).code).toBe('sale_not_found');
    expect(await allSalesItems(deps)).toHaveLength(before);
  });

  it('keeps usage events out of the sale view while storing them readably', async () => {
    const salesId = await newSale();

    await record(salesId, usage());

    const items = (await allSalesItems(deps)).filter((item) => item.salesId === salesId);
    expect(items).toContainEqual(
      expect.objectContaining({
        entityType: 'UsageEvent',
        sk: 'USAGE_EVENT#evt_1',
        occurredAt: '2026-12-10T09:30:00Z',
        currency: 'EUR',
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({ entityType: 'UsageCounter', sk: 'USAGE#api-calls#2026-12' }),
    );
    expect(await usageOf(salesId)).toHaveLength(1);
  });

  it.each([
    ['a zero quantity', { quantity: 0 }, '/quantity'],
    ['a fractional quantity', { quantity: 1.5 }, '/quantity'],
    ['an upper-case meter', { meter: 'API' }, '/meter'],
    ['a meter with #', { meter: 'api#calls' }, '/meter'],
    ['a future occurredAt', { occurredAt: '2026-12-15T12:00:01Z' }, '/occurredAt'],
    ['a negative unitAmount', { unitAmount: -1 }, '/unitAmount'],
    ['an amount beyond 2^53', { quantity: 10_000_000, unitAmount: 1e12 }, '/unitAmount'],
    ['a missing eventId', { eventId: undefined }, '/eventId'],
    ['an unknown field', { currency: 'EUR' }, '/currency'],
  ])('answers 400 for %s, before any database call', async (_, change, pointer) => {
    const noDatabase = withoutDatabase(deps);

    const result = await record(generateSalesId(), usage(change), noDatabase);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ pointer })],
    });
  });

  it('answers 400 invalid_sales_id for a malformed sales ID', async () => {
    const result = await record('sale_', usage());

    expect(jsonBody(result).code).toBe('invalid_sales_id');
  });
});
