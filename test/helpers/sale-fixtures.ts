import { ScanCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../../shared/deps';

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
