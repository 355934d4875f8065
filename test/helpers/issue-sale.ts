import { randomUUID } from 'node:crypto';

import { createSale } from '../../functions/create-sale';
import type { ServiceDeps } from '../../shared/deps';
import type { SalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { apiEvent, jsonBody, lambdaContext } from './api-event';
import { saleBody } from './sale-fixtures';

// Kept apart from sale-fixtures: importing a handler module builds its dependencies from the
// environment at once, and the end-to-end tests must set that environment (by starting the
// local stack) before any handler module loads.

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
