import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { saleBody } from '../helpers/sale-fixtures';

// A sale's whole life over real HTTP against `startLocalStack`, the code behind `npm start`.
// Workers are off: this file is about the sale routes, not the revenue rollups.
let stateDir: string;
let stack: LocalStack;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sales-lifecycle-'));
  stack = await startLocalStack({
    port: 0,
    inMemory: true,
    stateDir,
    workers: false,
    log: () => {},
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; etag: string | null; json: Json }> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  return {
    status: response.status,
    etag: response.headers.get('etag'),
    json: (await response.json()) as Json,
  };
}

const TEAM = {
  productId: 'analytics',
  planId: 'team',
  quantity: 5,
  unitAmount: 4900,
  interval: 'month',
};

describe('a sale from checkout to reactivation, over HTTP', () => {
  it('creates, amends, pays, cancels and reactivates, then shows four versions', async () => {
    const created = await send('POST', '/sales', saleBody(), { 'Idempotency-Key': 'life-1' });
    const salesId = String(created.json.salesId);
    const base = `/sales/${salesId}`;

    const amended = await send(
      'POST',
      `${base}/amendments`,
      { items: [TEAM], reason: 'upsell' },
      {
        'If-Match': created.etag!,
      },
    );
    const paid = await send('POST', `${base}/payments`, {
      paymentId: 'pay_life_1',
      amount: 24_500,
      currency: 'USD',
    });
    const used = await send('POST', `${base}/usage`, {
      eventId: 'evt_life_1',
      meter: 'api-calls',
      quantity: 40,
      unitAmount: 5,
    });
    const cancelled = await send('POST', `${base}/cancellation`, { reason: 'budget' });
    const reactivated = await send('POST', `${base}/reactivation`, undefined, {
      'If-Match': cancelled.etag!,
    });
    const sale = await send('GET', base);

    expect([created, amended, paid, used, cancelled, reactivated].map((r) => r.status)).toEqual([
      201, 200, 201, 201, 200, 200,
    ]);
    expect(sale.status).toBe(200);
    expect(sale.etag).toBe('"4"');
    expect(sale.json).toMatchObject({
      salesId,
      status: 'active',
      version: 4,
      mrr: 24_500,
      arr: 294_000,
      paidAmount: 24_500,
      payments: [expect.objectContaining({ paymentId: 'pay_life_1', amount: 24_500 })],
      usage: [
        expect.objectContaining({ meter: 'api-calls', quantity: 40, amount: 200, currency: 'USD' }),
      ],
    });
    expect(sale.json.history).toEqual([
      expect.objectContaining({ version: 1, type: 'created', mrrBefore: 0, mrrAfter: 14_700 }),
      expect.objectContaining({
        version: 2,
        type: 'amended',
        mrrBefore: 14_700,
        mrrAfter: 24_500,
        reason: 'upsell',
      }),
      expect.objectContaining({
        version: 3,
        type: 'cancelled',
        mrrBefore: 24_500,
        mrrAfter: 0,
        reason: 'budget',
      }),
      expect.objectContaining({ version: 4, type: 'reactivated', mrrBefore: 0, mrrAfter: 24_500 }),
    ]);
  });

  it('finds the sale by its neighbour keys and pages through them', async () => {
    const body = saleBody({ customerId: 'cus_life_2', items: [TEAM] });
    const first = await send('POST', '/sales', body, { 'Idempotency-Key': 'life-2a' });
    const second = await send('POST', '/sales', body, { 'Idempotency-Key': 'life-2b' });

    const byCustomer = await send('GET', '/sales?customerId=cus_life_2&limit=1');
    const next = await send(
      'GET',
      `/sales?customerId=cus_life_2&limit=1&cursor=${String(byCustomer.json.nextCursor)}`,
    );
    const byPlan = await send('GET', '/sales?planId=team');
    const twice = await send('GET', '/sales?customerId=a&customerId=b');

    const found = [byCustomer, next].flatMap((page) => page.json.items as Json[]);
    expect(found.map((sale) => sale.salesId).sort()).toEqual(
      [first.json.salesId, second.json.salesId].sort(),
    );
    expect(next.json.nextCursor).toBeNull();
    expect((byPlan.json.items as Json[]).map((sale) => sale.salesId)).toEqual(
      expect.arrayContaining([first.json.salesId, second.json.salesId]),
    );
    expect(twice.status).toBe(400);
    expect(twice.json.code).toBe('invalid_query');
  });

  it('answers the contract’s errors with problem details', async () => {
    const created = await send('POST', '/sales', saleBody(), { 'Idempotency-Key': 'life-3' });
    const base = `/sales/${String(created.json.salesId)}`;

    const noPrecondition = await send('POST', `${base}/amendments`, { items: [TEAM] });
    const stale = await send(
      'POST',
      `${base}/amendments`,
      { items: [TEAM] },
      { 'If-Match': '"9"' },
    );
    const wrongCurrency = await send('POST', `${base}/payments`, {
      paymentId: 'p',
      amount: 1,
      currency: 'EUR',
    });
    const unknownSale = await send('POST', '/sales/sale_000000000000000000000000000/payments', {
      paymentId: 'p',
      amount: 1,
      currency: 'USD',
    });
    const again = await send('POST', `${base}/reactivation`);

    expect(
      [noPrecondition, stale, wrongCurrency, unknownSale, again].map((r) => [
        r.status,
        r.json.code,
      ]),
    ).toEqual([
      [428, 'precondition_required'],
      [412, 'version_conflict'],
      [422, 'currency_mismatch'],
      [404, 'sale_not_found'],
      [409, 'sale_already_active'],
    ]);
    expect(stale.json.currentVersion).toBe(1);
  });
});
