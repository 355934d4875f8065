import { createSale } from '../../functions/create-sale';
import { getSale } from '../../functions/get-sale';
import { routeFallback } from '../../functions/route-fallback';
import type { ServiceDeps } from '../../shared/deps';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';
import { withoutDatabase } from '../helpers/issue-sale';
import { saleBody } from '../helpers/sale-fixtures';
import { createTestTables } from '../helpers/tables';

let deps: ServiceDeps;

beforeAll(async () => {
  deps = await createTestTables();
});

function get(salesId: string, serviceDeps = deps) {
  const event = apiEvent({ path: `/sales/${salesId}`, pathParameters: { salesId } });

  return httpRoute(getSale(serviceDeps))(event, lambdaContext());
}

describe('GET /sales/{salesId}', () => {
  it('returns the sale with its first history entry and an ETag', async () => {
    const create = httpRoute(createSale(deps));
    const created = await create(
      apiEvent({
        method: 'POST',
        path: '/sales',
        body: saleBody(),
        headers: { 'Idempotency-Key': 'g1' },
      }),
      lambdaContext(),
    );
    const salesId = String(jsonBody(created).salesId);

    const result = await get(salesId);

    const sale = jsonBody(result);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.ETag).toBe('"1"');
    expect(sale).toMatchObject({ ...jsonBody(created), paidAmount: 0, payments: [], usage: [] });
    expect(sale.history).toEqual([
      {
        version: 1,
        type: 'created',
        at: sale.createdAt,
        mrrBefore: 0,
        mrrAfter: 14_700,
        status: 'active',
        items: saleBody().items,
      },
    ]);
  });

  it('lists item fields in the order the contract writes them', async () => {
    const create = httpRoute(createSale(deps));
    const created = await create(
      apiEvent({
        method: 'POST',
        path: '/sales',
        body: saleBody(),
        headers: { 'Idempotency-Key': 'g2' },
      }),
      lambdaContext(),
    );

    const sale = jsonBody<{ items: object[]; history: { items: object[] }[] }>(
      await get(String(jsonBody(created).salesId)),
    );

    const order = ['productId', 'planId', 'quantity', 'unitAmount', 'interval'];
    expect(Object.keys(sale.items[0]!)).toEqual(order);
    expect(Object.keys(sale.history[0]!.items[0]!)).toEqual(order);
  });

  it('answers 404 for an unknown sales ID', async () => {
    const result = await get(generateSalesId());

    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).code).toBe('sale_not_found');
  });

  it.each(['sale_123', 'opp_5521', `sale_${'z'.repeat(27)}`, 'sale_%00'])(
    'answers 400 for the malformed ID %s before any database call',
    async (salesId) => {
      const noDatabase = withoutDatabase(deps);

      const result = await get(salesId, noDatabase);

      expect(result.statusCode).toBe(400);
      expect(jsonBody(result).code).toBe('invalid_sales_id');
    },
  );
});

describe('unmatched requests', () => {
  const fallback = httpRoute(routeFallback);

  it('answers 404 not_found for an unknown path', async () => {
    const result = await fallback(apiEvent({ path: '/nothing/here' }), lambdaContext());

    expect(result.statusCode).toBe(404);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(jsonBody(result).code).toBe('not_found');
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const event = apiEvent({ method: 'DELETE', path: `/sales/${generateSalesId()}` });

    const result = await fallback(event, lambdaContext());

    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET');
    expect(jsonBody(result).code).toBe('method_not_allowed');
  });
});
