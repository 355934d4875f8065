import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';

import { createSale } from '../../functions/create-sale';
import type { ServiceDeps } from '../../shared/deps';
import type { SalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from './api-event';

/** A valid `POST /sales` body, as the contract's example shows it. */
export function saleBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'cus_81',
    opportunityId: 'opp_5521',
    contractId: 'ctr_90',
    channel: 'partner',
    currency: 'USD',
    activatedAt: '2026-12-01T00:00:00Z',
    items: [
      { productId: 'analytics', planId: 'pro', quantity: 3, unitAmount: 4900, interval: 'month' },
    ],
    metadata: { checkoutSessionId: 'cs_77' },
    ...overrides,
  };
}

/** Every item in the sales table, for asserting what a request wrote (or did not). */
export async function allSalesItems(deps: ServiceDeps): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new ScanCommand({ TableName: deps.salesTable, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  return items;
}

/** Issues a sale through the real create handler and returns its sales ID. */
export async function issueTestSale(
  deps: ServiceDeps,
  overrides: Record<string, unknown> = {},
): Promise<SalesId> {
  const created = await httpRoute(createSale(deps))(
    apiEvent({
      method: 'POST',
      path: '/sales',
      body: saleBody(overrides),
      headers: { 'Idempotency-Key': randomUUID() },
    }),
    lambdaContext(),
  );

  return jsonBody(created).salesId as SalesId;
}

/** The same dependencies with a client that fails the test if any request reaches it. */
export function withoutDatabase(deps: ServiceDeps): ServiceDeps {
  const db = {
    send: () => {
      throw new Error('no database call expected');
    },
  };

  return { ...deps, db: db as unknown as ServiceDeps['db'] };
}
