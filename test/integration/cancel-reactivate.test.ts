import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

import { amendSale } from '../../functions/amend-sale';
import { cancelSale } from '../../functions/cancel-sale';
import { getSale } from '../../functions/get-sale';
import { reactivateSale } from '../../functions/reactivate-sale';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute, type RouteHandler } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { issueTestSale } from '../helpers/issue-sale';
import { allSalesItems, saleBody } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables();
});

type Route = (deps: ServiceDeps) => RouteHandler;

const newSale = () => issueTestSale(deps);

function call(
  route: Route,
  salesId: string,
  body?: unknown,
  headers: Record<string, string> = {},
  serviceDeps = deps,
) {
  const event = apiEvent({
    method: 'POST',
    path: `/sales/${salesId}/change`,
    pathParameters: { salesId },
    body,
    headers,
  });

  return httpRoute(route(serviceDeps))(event, lambdaContext());
}

async function read(salesId: string) {
  const event = apiEvent({ path: `/sales/${salesId}`, pathParameters: { salesId } });

  return jsonBody(await httpRoute(getSale(deps))(event, lambdaContext()));
}

/** Deps whose client runs `before` just ahead of its first `times` transactions. */
function depsRacing(before: () => Promise<unknown>, times = 1): ServiceDeps {
  let races = times;
  const send = (command: unknown) => {
    if (command instanceof TransactWriteCommand && races > 0) {
      races -= 1;

      return before().then(() => deps.db.send(command));
    }

    return deps.db.send(command as TransactWriteCommand);
  };

  return { ...deps, db: { send } as unknown as ServiceDeps['db'] };
}

describe('POST /sales/{salesId}/cancellation', () => {
  it('cancels the sale: status cancelled, MRR 0, items kept, a new version', async () => {
    const salesId = await newSale();

    const result = await call(cancelSale, salesId, { reason: 'customer left' });

    expect(result.statusCode).toBe(200);
    expect(result.headers?.ETag).toBe('"2"');
    expect(jsonBody(result)).toMatchObject({
      status: 'cancelled',
      version: 2,
      mrr: 0,
      arr: 0,
      items: saleBody().items,
    });
    const sale = await read(salesId);
    expect(sale.history).toEqual([
      expect.objectContaining({ version: 1, type: 'created' }),
      expect.objectContaining({
        version: 2,
        type: 'cancelled',
        mrrBefore: 14_700,
        mrrAfter: 0,
        reason: 'customer left',
        status: 'cancelled',
      }),
    ]);
  });

  it('accepts a request with no body at all', async () => {
    const salesId = await newSale();

    const result = await call(cancelSale, salesId);

    expect(result.statusCode).toBe(200);
    const history = (await read(salesId)).history as Record<string, unknown>[];
    expect(history[1]).toMatchObject({ type: 'cancelled' });
    expect(history[1]).not.toHaveProperty('reason');
  });

  it('answers 409 sale_not_active when the sale is already cancelled', async () => {
    const salesId = await newSale();
    await call(cancelSale, salesId);

    const result = await call(cancelSale, salesId);

    expect(result.statusCode).toBe(409);
    expect(jsonBody(result).code).toBe('sale_not_active');
    expect((await read(salesId)).version).toBe(2);
  });

  it('honours If-Match when given: 412 with the current version when stale', async () => {
    const salesId = await newSale();
    await call(amendSale, salesId, { items: saleBody().items }, { 'If-Match': '"1"' });

    const stale = await call(cancelSale, salesId, undefined, { 'If-Match': '"1"' });
    const current = await call(cancelSale, salesId, undefined, { 'If-Match': '"2"' });

    expect(stale.statusCode).toBe(412);
    expect(jsonBody(stale)).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect(current.statusCode).toBe(200);
  });

  it('answers 404 sale_not_found for an unknown sale', async () => {
    const result = await call(cancelSale, generateSalesId());

    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).code).toBe('sale_not_found');
  });

  it('answers 400 for a malformed sales ID or body, writing nothing', async () => {
    const salesId = await newSale();

    const badId = await call(cancelSale, 'sale_nope');
    const badBody = await call(cancelSale, salesId, { reason: 'x', refund: true });
    const badReason = await call(cancelSale, salesId, { reason: 'x'.repeat(501) });

    expect(jsonBody(badId).code).toBe('invalid_sales_id');
    expect(jsonBody(badBody)).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/refund', detail: 'unknown field' }],
    });
    expect(jsonBody(badReason).code).toBe('validation_failed');
    expect((await read(salesId)).version).toBe(1);
  });

  it('decides again on the newer state when it loses a race without If-Match', async () => {
    const salesId = await newSale();
    const racing = depsRacing(() =>
      call(amendSale, salesId, { items: saleBody().items, reason: 'raced' }, { 'If-Match': '1' }),
    );

    const result = await call(cancelSale, salesId, undefined, {}, racing);

    expect(result.statusCode).toBe(200);
    const sale = await read(salesId);
    expect(sale.history).toEqual([
      expect.objectContaining({ version: 1, type: 'created' }),
      expect.objectContaining({ version: 2, type: 'amended', reason: 'raced' }),
      expect.objectContaining({ version: 3, type: 'cancelled' }),
    ]);
  });

  it('answers 412 from the losing write itself when it loses a race under If-Match', async () => {
    const salesId = await newSale();
    const racing = depsRacing(() => call(cancelSale, salesId));

    const result = await call(cancelSale, salesId, undefined, { 'If-Match': '"1"' }, racing);

    expect(result.statusCode).toBe(412);
    expect(jsonBody(result).currentVersion).toBe(2);
    expect((await read(salesId)).history).toHaveLength(2);
  });

  it('answers 503 with Retry-After when the sale keeps changing under it', async () => {
    const salesId = await newSale();
    let version = 1;
    const amendAgain = () =>
      call(amendSale, salesId, { items: saleBody().items }, { 'If-Match': `"${version++}"` });

    const result = await call(cancelSale, salesId, undefined, {}, depsRacing(amendAgain, 3));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(jsonBody(await call(cancelSale, salesId)).version).toBe(5);
  });

  it('lets one of many concurrent cancellations win; the rest get 409', async () => {
    const salesId = await newSale();

    const results = await Promise.all(Array.from({ length: 6 }, () => call(cancelSale, salesId)));

    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await read(salesId)).version).toBe(2);
  });

  it('retries a transaction conflict and then succeeds', async () => {
    // DynamoDB Local never raises TransactionConflict; this stub injects one, once.
    const salesId = await newSale();
    let conflicts = 1;
    const send = (command: unknown) => {
      if (command instanceof TransactWriteCommand && conflicts > 0) {
        conflicts -= 1;

        return Promise.reject(transactionConflict());
      }

      return deps.db.send(command as TransactWriteCommand);
    };
    const flaky = { ...deps, db: { send } as unknown as ServiceDeps['db'] };

    const result = await call(cancelSale, salesId, undefined, {}, flaky);

    expect(result.statusCode).toBe(200);
    expect(conflicts).toBe(0);
  });

  it('answers 503 with Retry-After when transaction conflicts persist', async () => {
    // DynamoDB Local never raises TransactionConflict; this stub raises it on every try.
    const salesId = await newSale();
    const send = (command: unknown) =>
      command instanceof TransactWriteCommand
        ? Promise.reject(transactionConflict())
        : deps.db.send(command as TransactWriteCommand);
    const busy = { ...deps, db: { send } as unknown as ServiceDeps['db'] };

    const result = await call(cancelSale, salesId, undefined, {}, busy);

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect((await read(salesId)).version).toBe(1);
  });
});

describe('POST /sales/{salesId}/reactivation', () => {
  it('reactivates a cancelled sale at the MRR of its items, as a new version', async () => {
    const salesId = await newSale();
    await call(cancelSale, salesId);

    const result = await call(reactivateSale, salesId, { reason: 'came back' });

    expect(result.statusCode).toBe(200);
    expect(result.headers?.ETag).toBe('"3"');
    expect(jsonBody(result)).toMatchObject({ status: 'active', version: 3, mrr: 14_700 });
    const sale = await read(salesId);
    expect(sale.history).toContainEqual(
      expect.objectContaining({
        version: 3,
        type: 'reactivated',
        mrrBefore: 0,
        mrrAfter: 14_700,
        reason: 'came back',
        status: 'active',
      }),
    );
    const item = (await allSalesItems(deps)).find(
      (entry) => entry.salesId === salesId && entry.entityType === 'Sale',
    );
    expect(item).toMatchObject({ changeType: 'reactivated', peakMrr: 14_700, arr: 176_400 });
  });

  it('answers 409 sale_already_active for an active sale', async () => {
    const salesId = await newSale();

    const result = await call(reactivateSale, salesId);

    expect(result.statusCode).toBe(409);
    expect(jsonBody(result).code).toBe('sale_already_active');
  });

  it('honours If-Match and ranks a stale one (412) before the state (409)', async () => {
    const salesId = await newSale();

    const result = await call(reactivateSale, salesId, {}, { 'If-Match': '"7"' });

    expect(result.statusCode).toBe(412);
    expect(jsonBody(result).currentVersion).toBe(1);
  });

  it('answers 404 sale_not_found for an unknown sale', async () => {
    const result = await call(reactivateSale, generateSalesId(), { reason: 'why not' });

    expect(result.statusCode).toBe(404);
  });
});

function transactionConflict(): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
  });
}
