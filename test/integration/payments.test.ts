import { amendSale } from '../../functions/amend-sale';
import { cancelSale } from '../../functions/cancel-sale';
import { getSale } from '../../functions/get-sale';
import { recordPayment } from '../../functions/record-payment';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { issueTestSale, withoutDatabase } from '../helpers/issue-sale';
import { allSalesItems, saleBody } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables();
});

const newSale = (overrides: Record<string, unknown> = {}) => issueTestSale(deps, overrides);

function pay(salesId: string, body: unknown, serviceDeps = deps) {
  const event = apiEvent({
    method: 'POST',
    path: `/sales/${salesId}/payments`,
    pathParameters: { salesId },
    body,
  });

  return httpRoute(recordPayment(serviceDeps))(event, lambdaContext());
}

async function read(salesId: string) {
  const event = apiEvent({ path: `/sales/${salesId}`, pathParameters: { salesId } });

  return jsonBody(await httpRoute(getSale(deps))(event, lambdaContext()));
}

const payment = (overrides: Record<string, unknown> = {}) => ({
  paymentId: 'pay_1',
  amount: 14_700,
  currency: 'USD',
  receivedAt: '2026-12-02T10:00:00Z',
  ...overrides,
});

describe('POST /sales/{salesId}/payments', () => {
  it('records the payment and adds it to paidAmount, answering 201', async () => {
    const salesId = await newSale();

    const result = await pay(salesId, payment());

    expect(result.statusCode).toBe(201);
    expect(jsonBody(result)).toEqual({
      salesId,
      paymentId: 'pay_1',
      amount: 14_700,
      currency: 'USD',
      receivedAt: '2026-12-02T10:00:00Z',
      recordedAt: expect.stringMatching(/Z$/),
    });
    const sale = await read(salesId);
    expect(sale.paidAmount).toBe(14_700);
    expect(sale.payments).toEqual([
      {
        paymentId: 'pay_1',
        amount: 14_700,
        currency: 'USD',
        receivedAt: '2026-12-02T10:00:00Z',
        recordedAt: expect.any(String),
      },
    ]);
  });

  it('leaves the sale version alone: a payment is not a change of terms', async () => {
    const salesId = await newSale();

    await pay(salesId, payment());

    const sale = await read(salesId);
    expect(sale.version).toBe(1);
    expect(sale.history).toHaveLength(1);
  });

  it('defaults receivedAt to now', async () => {
    const salesId = await newSale();
    const now = new Date('2026-12-03T08:00:00.000Z');

    const result = await pay(
      salesId,
      { paymentId: 'pay_now', amount: 1, currency: 'USD' },
      { ...deps, clock: () => now },
    );

    expect(jsonBody(result)).toMatchObject({ receivedAt: now.toISOString() });
  });

  it('stores a readable payment item with its entity type, times and currency', async () => {
    const salesId = await newSale();

    await pay(salesId, payment());

    const item = (await allSalesItems(deps)).find(
      (entry) => entry.salesId === salesId && entry.entityType === 'Payment',
    );
    expect(item).toMatchObject({
      sk: 'PAYMENT#pay_1',
      amount: 14_700,
      currency: 'USD',
      receivedAt: '2026-12-02T10:00:00Z',
    });
  });

  it('replays the same payment with 200 and the stored record, adding nothing', async () => {
    const salesId = await newSale();
    const first = await pay(salesId, payment());

    const again = await pay(salesId, {
      receivedAt: '2026-12-02T10:00:00Z',
      currency: 'USD',
      amount: 14_700,
      paymentId: 'pay_1',
    });

    expect(again.statusCode).toBe(200);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
    expect(jsonBody(again)).toEqual(jsonBody(first));
    expect((await read(salesId)).paidAmount).toBe(14_700);
  });

  it.each([
    ['another amount', { amount: 100 }],
    ['another time', { receivedAt: '2026-12-02T11:00:00Z' }],
    ['another currency', { currency: 'EUR' }],
  ])('answers 409 payment_conflict for the same paymentId with %s', async (_, change) => {
    const salesId = await newSale();
    await pay(salesId, payment());

    const result = await pay(salesId, payment(change));

    expect(result.statusCode).toBe(409);
    expect(jsonBody(result).code).toBe('payment_conflict');
    expect((await read(salesId)).paidAmount).toBe(14_700);
  });

  it('answers 422 currency_mismatch when the currency is not the sale’s', async () => {
    const salesId = await newSale();

    const result = await pay(salesId, payment({ currency: 'EUR' }));

    expect(result.statusCode).toBe(422);
    expect(jsonBody(result).code).toBe('currency_mismatch');
    const sale = await read(salesId);
    expect(sale.paidAmount).toBe(0);
    expect(sale.payments).toEqual([]);
  });

  it('answers 404 for an unknown sale and writes nothing anywhere', async () => {
    const salesId = generateSalesId();
    const before = (await allSalesItems(deps)).length;

    const result = await pay(salesId, payment({ currency: 'EUR' }));

    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).code).toBe('sale_not_found');
    expect(await allSalesItems(deps)).toHaveLength(before);
  });

  it('refuses a payment that would take paidAmount past 2^53 - 1, keeping it exact', async () => {
    const salesId = await newSale();
    await pay(salesId, payment({ amount: Number.MAX_SAFE_INTEGER - 10 }));

    const result = await pay(salesId, payment({ paymentId: 'pay_2', amount: 11 }));

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).errors).toEqual([expect.objectContaining({ pointer: '/amount' })]);
    expect((await read(salesId)).paidAmount).toBe(Number.MAX_SAFE_INTEGER - 10);
  });

  it('applies a payment ID to each sale it names, never to another', async () => {
    const first = await newSale();
    const second = await newSale();

    await pay(first, payment({ amount: 500 }));

    expect((await read(first)).paidAmount).toBe(500);
    expect((await read(second)).paidAmount).toBe(0);
  });

  it.each([
    ['a zero amount', { amount: 0 }, '/amount'],
    ['a fractional amount', { amount: 10.5 }, '/amount'],
    ['a lower-case currency', { currency: 'usd' }, '/currency'],
    ['a malformed paymentId', { paymentId: 'pay 1' }, '/paymentId'],
    ['a local time', { receivedAt: '2026-12-02T10:00:00+01:00' }, '/receivedAt'],
    ['a future receivedAt', { receivedAt: '2999-01-01T00:00:00Z' }, '/receivedAt'],
    ['an unknown field', { note: 'x' }, '/note'],
  ])('answers 400 for %s, before any database call', async (_, change, pointer) => {
    const noDatabase = withoutDatabase(deps);

    const result = await pay(generateSalesId(), payment(change), noDatabase);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ pointer })],
    });
  });

  it('answers 400 invalid_sales_id for a malformed sales ID', async () => {
    const result = await pay('opp_5521', payment());

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('invalid_sales_id');
  });

  it('never loses an update under concurrent payments with distinct IDs', async () => {
    const salesId = await newSale();
    const amounts = Array.from({ length: 20 }, (_, index) => 100 + index);

    const results = await Promise.all(
      amounts.map((amount, index) => pay(salesId, payment({ paymentId: `pay_${index}`, amount }))),
    );

    expect(results.every((result) => result.statusCode === 201)).toBe(true);
    const sale = await read(salesId);
    expect(sale.paidAmount).toBe(amounts.reduce((sum, amount) => sum + amount, 0));
    expect(sale.payments).toHaveLength(amounts.length);
  });

  it('applies one of many concurrent copies of a payment; the rest replay it', async () => {
    const salesId = await newSale();

    const results = await Promise.all(Array.from({ length: 6 }, () => pay(salesId, payment())));

    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    expect((await read(salesId)).paidAmount).toBe(14_700);
  });

  it('keeps every payment when amendments race with payments', async () => {
    const salesId = await newSale();
    const amend = (version: number) =>
      httpRoute(amendSale(deps))(
        apiEvent({
          method: 'POST',
          path: `/sales/${salesId}/amendments`,
          pathParameters: { salesId },
          body: { items: saleBody().items },
          headers: { 'If-Match': `"${version}"` },
        }),
        lambdaContext(),
      );

    await Promise.all([
      ...Array.from({ length: 8 }, (_, index) => pay(salesId, payment({ paymentId: `p${index}` }))),
      amend(1),
    ]);
    await amend(2);

    const sale = await read(salesId);
    expect(sale.version).toBe(3);
    expect(sale.paidAmount).toBe(8 * 14_700);
  });

  it('accepts payments on a cancelled sale, which may still be settling its bills', async () => {
    const salesId = await newSale();
    await httpRoute(cancelSale(deps))(
      apiEvent({ method: 'POST', path: '/x', pathParameters: { salesId } }),
      lambdaContext(),
    );

    const result = await pay(salesId, payment());

    expect(result.statusCode).toBe(201);
    expect((await read(salesId)).paidAmount).toBe(14_700);
  });
});
