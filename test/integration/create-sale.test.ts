import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

import { createSale } from '../../functions/create-sale';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId, type SalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { METRIC, metrics } from '../../shared/observability/metrics';
import { closeMarkerKey } from '../../shared/revenue/keys';
import { ENTITY, saleKey } from '../../shared/storage/keys';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { allSalesItems, saleBody } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

const NOW = new Date('2026-12-03T12:00:00Z');

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables({ clock: () => NOW });
});

function post(body: unknown, key: string | undefined, serviceDeps = deps, headers = {}) {
  const handler = httpRoute(createSale(serviceDeps));
  const keyHeader: Record<string, string> = key === undefined ? {} : { 'Idempotency-Key': key };

  return handler(
    apiEvent({ method: 'POST', path: '/sales', body, headers: { ...keyHeader, ...headers } }),
    lambdaContext(),
  );
}

const uniqueKey = (): string => `key-${generateSalesId()}`;

describe('POST /sales', () => {
  it('issues a sales ID with Location and ETag', async () => {
    const result = await post(saleBody(), uniqueKey());

    const sale = jsonBody(result);
    expect(result.statusCode).toBe(201);
    expect(sale.salesId).toMatch(/^sale_[0-9A-Za-z]{27}$/);
    expect(result.headers).toMatchObject({
      Location: `/sales/${String(sale.salesId)}`,
      ETag: '"1"',
      'Content-Type': 'application/json',
    });
    expect(sale).toMatchObject({
      status: 'active',
      version: 1,
      mrr: 14_700,
      arr: 176_400,
      currency: 'USD',
      customerId: 'cus_81',
      opportunityId: 'opp_5521',
      contractId: 'ctr_90',
      channel: 'partner',
      activatedAt: '2026-12-01T00:00:00Z',
      metadata: { checkoutSessionId: 'cs_77' },
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  });

  it('writes the sale, its first version, its plan links and the key together', async () => {
    const isolated = await createTestTables({ clock: () => NOW });
    const body = saleBody({
      items: [
        { productId: 'a', planId: 'pro', quantity: 1, unitAmount: 100, interval: 'month' },
        { productId: 'b', planId: 'pro', quantity: 1, unitAmount: 100, interval: 'month' },
        { productId: 'c', planId: 'team', quantity: 1, unitAmount: 100, interval: 'year' },
      ],
    });

    const result = await post(body, 'writes-all', isolated);

    const salesId = jsonBody(result).salesId;
    const entities = (await allSalesItems(isolated)).map((item) => item.entityType).sort();
    expect(entities).toEqual(
      [
        ENTITY.idempotency,
        ENTITY.sale,
        ENTITY.salePlan,
        ENTITY.salePlan,
        ENTITY.saleVersion,
      ].sort(),
    );
    const sale = (await allSalesItems(isolated)).find((item) => item.entityType === ENTITY.sale);
    expect(sale).toMatchObject({ salesId, currency: 'USD', mrr: 208, changeType: 'created' });
  });

  it('defaults activatedAt to now', async () => {
    const result = await post(saleBody({ activatedAt: undefined }), uniqueKey());

    expect(jsonBody(result).activatedAt).toBe(NOW.toISOString());
  });

  describe('idempotency', () => {
    it('replays the original response for the same key and body', async () => {
      const key = uniqueKey();
      const first = await post(saleBody(), key);

      // Same JSON after parsing: other key order and spacing.
      const reordered = JSON.stringify(
        Object.fromEntries(Object.entries(saleBody()).reverse()),
        null,
        2,
      );
      const replay = await post(reordered, key);

      expect(replay.statusCode).toBe(201);
      expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
      expect(replay.headers?.Location).toBe(first.headers?.Location);
      expect(jsonBody(replay)).toEqual(jsonBody(first));
    });

    it('replays the original body even after the sale has changed', async () => {
      const key = uniqueKey();
      const first = await post(saleBody(), key);
      const salesId = jsonBody(first).salesId as SalesId;
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.salesTable,
          Key: saleKey(salesId),
          UpdateExpression: 'SET version = :v, #status = :s',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':v': 2, ':s': 'cancelled' },
        }),
      );

      const replay = await post(saleBody(), key);

      expect(jsonBody(replay)).toEqual(jsonBody(first));
      expect(jsonBody(replay).version).toBe(1);
    });

    it('refuses the same key with another body and writes nothing', async () => {
      const isolated = await createTestTables({ clock: () => NOW });
      await post(saleBody(), 'reused', isolated);
      const before = await allSalesItems(isolated);

      const result = await post(saleBody({ customerId: 'cus_other' }), 'reused', isolated);

      expect(result.statusCode).toBe(422);
      expect(jsonBody(result).code).toBe('idempotency_key_reused');
      expect(await allSalesItems(isolated)).toHaveLength(before.length);
    });

    it('makes one sale from concurrent duplicates', async () => {
      const isolated = await createTestTables({ clock: () => NOW });

      const results = await Promise.all(
        Array.from({ length: 20 }, () => post(saleBody(), 'concurrent', isolated)),
      );

      const sales = (await allSalesItems(isolated)).filter((i) => i.entityType === ENTITY.sale);
      expect(sales).toHaveLength(1);
      for (const result of results) {
        if (result.statusCode === 409) {
          expect(jsonBody(result).code).toBe('idempotency_in_progress');
        } else {
          expect(result.statusCode).toBe(201);
          expect(jsonBody(result).salesId).toBe(sales[0]!.salesId);
        }
      }
      expect(results.filter((r) => r.headers?.['Idempotent-Replayed'])).toHaveLength(19);
    });

    it('answers 409 with Retry-After when DynamoDB reports a transaction conflict', async () => {
      // DynamoDB Local never raises TransactionConflict; a client stub injects the fault that
      // the real service raises when two transactions race on one idempotency key.
      const conflicting = {
        ...deps,
        db: {
          send: async () => {
            throw new TransactionCanceledException({
              message: 'Transaction cancelled',
              $metadata: {},
              CancellationReasons: [
                { Code: 'None' },
                { Code: 'None' },
                { Code: 'None' },
                { Code: 'TransactionConflict' },
              ],
            });
          },
        },
      } as unknown as ServiceDeps;

      const result = await post(saleBody(), uniqueKey(), conflicting);

      expect(result.statusCode).toBe(409);
      expect(result.headers?.['Retry-After']).toBe('1');
      expect(jsonBody(result).code).toBe('idempotency_in_progress');
    });
  });

  it('counts sales issued, replays and key conflicts as metrics', async () => {
    const recorded = jest.spyOn(metrics, 'addMetric');
    const key = uniqueKey();

    await post(saleBody(), key);
    await post(saleBody(), key);
    await post(saleBody({ customerId: 'cus_other' }), key);

    const names = recorded.mock.calls.map(([name]) => name);
    recorded.mockRestore();
    expect(names).toEqual([
      METRIC.salesIssued,
      METRIC.idempotentReplays,
      METRIC.idempotencyConflicts,
    ]);
  });

  describe('sales ID collisions', () => {
    it('retries with a fresh ID and never overwrites the existing sale', async () => {
      const existing = jsonBody(await post(saleBody(), uniqueKey())).salesId as SalesId;
      const fresh = generateSalesId();
      const ids = [existing, fresh];
      const colliding = { ...deps, newSalesId: () => ids.shift() ?? generateSalesId() };

      const result = await post(saleBody({ customerId: 'cus_second' }), uniqueKey(), colliding);

      expect(result.statusCode).toBe(201);
      expect(jsonBody(result).salesId).toBe(fresh);
      const items = await allSalesItems(deps);
      const original = items.find((i) => i.salesId === existing && i.entityType === ENTITY.sale);
      expect(original?.customerId).toBe('cus_81');
    });

    it('fails with a 500 that reveals nothing when every ID collides', async () => {
      const existing = jsonBody(await post(saleBody(), uniqueKey())).salesId as SalesId;
      const alwaysColliding = { ...deps, newSalesId: () => existing };
      const key = uniqueKey();

      const result = await post(saleBody(), key, alwaysColliding);

      expect(result.statusCode).toBe(500);
      expect(jsonBody(result)).toEqual({
        type: expect.stringContaining('internal_error'),
        title: 'Internal error',
        status: 500,
        detail: 'Internal error',
        code: 'internal_error',
      });
      const keys = (await allSalesItems(deps)).filter((i) => i.idempotencyKey === key);
      expect(keys).toHaveLength(0);
    });
  });
});

describe('POST /sales refuses bad input and writes nothing', () => {
  let empty: ServiceDeps;

  beforeAll(async () => {
    empty = await createTestTables({ clock: () => NOW });
  });

  afterAll(async () => {
    expect(await allSalesItems(empty)).toHaveLength(0);
  });

  it('requires an Idempotency-Key', async () => {
    const result = await post(saleBody(), undefined, empty);

    expect(result.statusCode).toBe(400);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(jsonBody(result).code).toBe('idempotency_key_missing');
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['with a control character', 'key\u0001'],
    ['with a non-ASCII character', 'clé'],
  ])('refuses an Idempotency-Key %s', async (_case, key) => {
    const result = await post(saleBody(), key, empty);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('validation_failed');
  });

  it('refuses a body that is not JSON', async () => {
    const result = await post('{"customerId":', uniqueKey(), empty);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('invalid_json');
  });

  it('refuses a body that is not application/json', async () => {
    const result = await post(JSON.stringify(saleBody()), uniqueKey(), empty, {
      'Content-Type': 'text/plain',
    });

    expect(result.statusCode).toBe(415);
    expect(jsonBody(result).code).toBe('unsupported_media_type');
  });

  it('accepts application/json with a charset', async () => {
    const isolated = await createTestTables({ clock: () => NOW });

    const result = await post(saleBody(), uniqueKey(), isolated, {
      'Content-Type': 'application/json; charset=utf-8',
    });

    expect(result.statusCode).toBe(201);
  });

  it('refuses a body over 64 KiB', async () => {
    const huge = saleBody({ metadata: { note: 'x'.repeat(70_000) } });

    const result = await post(huge, uniqueKey(), empty);

    expect(result.statusCode).toBe(413);
    expect(jsonBody(result).code).toBe('payload_too_large');
  });

  it('refuses a missing body', async () => {
    const result = await post(undefined, uniqueKey(), empty);

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).code).toBe('validation_failed');
  });

  const item = { productId: 'p', planId: 'pro', quantity: 1, unitAmount: 100, interval: 'month' };
  const withItem = (patch: Record<string, unknown>) => saleBody({ items: [{ ...item, ...patch }] });

  it.each([
    ['no customerId', saleBody({ customerId: undefined }), '/customerId'],
    ['no channel', saleBody({ channel: undefined }), '/channel'],
    ['no currency', saleBody({ currency: undefined }), '/currency'],
    ['no items', saleBody({ items: undefined }), '/items'],
    ['an unknown field', saleBody({ discount: 5 }), '/discount'],
    ['an ID with a space', saleBody({ customerId: 'cus 81' }), '/customerId'],
    ['an empty ID', saleBody({ opportunityId: '' }), '/opportunityId'],
    ['an ID of 129 characters', saleBody({ contractId: 'c'.repeat(129) }), '/contractId'],
    ['an upper-case channel', saleBody({ channel: 'Partner' }), '/channel'],
    ['a channel of 65 characters', saleBody({ channel: 'a'.repeat(65) }), '/channel'],
    ['a lower-case currency', saleBody({ currency: 'usd' }), '/currency'],
    ['a four-letter currency', saleBody({ currency: 'USDT' }), '/currency'],
    ['a local time', saleBody({ activatedAt: '2026-12-01T00:00:00' }), '/activatedAt'],
    ['an offset time', saleBody({ activatedAt: '2026-12-01T01:00:00+01:00' }), '/activatedAt'],
    ['a future activatedAt', saleBody({ activatedAt: '2026-12-03T12:00:01Z' }), '/activatedAt'],
    ['an empty item list', saleBody({ items: [] }), '/items'],
    ['51 items', saleBody({ items: Array.from({ length: 51 }, () => item) }), '/items'],
    ['a zero quantity', withItem({ quantity: 0 }), '/items/0/quantity'],
    ['a fractional quantity', withItem({ quantity: 1.5 }), '/items/0/quantity'],
    ['a quantity over 1,000,000', withItem({ quantity: 1_000_001 }), '/items/0/quantity'],
    ['a negative unitAmount', withItem({ unitAmount: -1 }), '/items/0/unitAmount'],
    ['a fractional unitAmount', withItem({ unitAmount: 10.5 }), '/items/0/unitAmount'],
    ['a unitAmount over 10^12', withItem({ unitAmount: 1e12 + 1 }), '/items/0/unitAmount'],
    ['a string unitAmount', withItem({ unitAmount: '100' }), '/items/0/unitAmount'],
    ['an unknown interval', withItem({ interval: 'week' }), '/items/0/interval'],
    ['an unknown item field', withItem({ discount: 1 }), '/items/0/discount'],
    ['an ARR over 2^53 − 1', withItem({ quantity: 1_000_000, unitAmount: 1e12 }), '/items'],
    ['21 metadata entries', saleBody({ metadata: manyEntries(21) }), '/metadata'],
    [
      'a metadata value of 501 characters',
      saleBody({ metadata: { a: 'x'.repeat(501) } }),
      '/metadata/a',
    ],
    ['a non-string metadata value', saleBody({ metadata: { a: 1 } }), '/metadata/a'],
    ['a body that is an array', [saleBody()], ''],
  ])('refuses %s', async (_case, body, pointer) => {
    const result = await post(body, uniqueKey(), empty);

    const problem = jsonBody<{ code: string; errors: { pointer: string }[] }>(result);
    expect(result.statusCode).toBe(400);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((error) => error.pointer)).toContain(pointer);
  });

  it('accepts the boundaries of every rule', async () => {
    const isolated = await createTestTables({ clock: () => NOW });
    const body = saleBody({
      customerId: 'c'.repeat(128),
      channel: 'a'.repeat(64),
      items: Array.from({ length: 50 }, () => ({ ...item, quantity: 1_000_000, unitAmount: 0 })),
      metadata: manyEntries(20),
    });

    const result = await post(body, 'k'.repeat(255), isolated);

    expect(result.statusCode).toBe(201);
  });

  it('refuses an activatedAt in a month revenue-close has closed', async () => {
    const closing = await createTestTables({ clock: () => NOW });
    await closing.db.send(
      new PutCommand({ TableName: closing.revenueTable, Item: { ...closeMarkerKey('2026-10') } }),
    );

    const closed = await post(saleBody({ activatedAt: '2026-10-15T00:00:00Z' }), 'a', closing);
    const open = await post(saleBody({ activatedAt: '2026-11-15T00:00:00Z' }), 'b', closing);

    expect(closed.statusCode).toBe(400);
    expect(jsonBody<{ errors: unknown[] }>(closed).errors).toEqual([
      { pointer: '/activatedAt', detail: 'falls in 2026-10, which is closed' },
    ]);
    expect(open.statusCode).toBe(201);
  });
});

function manyEntries(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'v']));
}
