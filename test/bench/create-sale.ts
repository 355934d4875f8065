import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';

import { createSale } from '../../functions/create-sale';
import { ensureTable } from '../../infra/local/create-tables';
import { REVENUE_TABLE, SALES_TABLE } from '../../shared/config/tables';
import type { ServiceDeps } from '../../shared/deps';
import { requestFingerprint } from '../../shared/domain/canonical-json';
import { issueSale } from '../../shared/domain/new-sale';
import { generateSalesId } from '../../shared/domain/sales-id';
import { httpRoute } from '../../shared/http/route';
import { createDocumentClient } from '../../shared/storage/client';
import { ENTITY, idempotencyKeyItem } from '../../shared/storage/keys';
import { planLinkItems, saleItem, versionItem } from '../../shared/storage/sale-records';
import { apiEvent, lambdaContext } from '../helpers/api-event';
import { saleBody } from '../helpers/sale-fixtures';
import { countRequests, printComparison, timed } from './measure';

const WARM_UP = 50;
const ROUNDS = 500;

/** Deps on fresh tables at a DynamoDB Local endpoint. */
export async function benchDeps(endpoint: string): Promise<ServiceDeps> {
  const suffix = randomUUID().slice(0, 8);
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(raw, SALES_TABLE, `bench-sales-${suffix}`);
  await ensureTable(raw, REVENUE_TABLE, `bench-revenue-${suffix}`);
  raw.destroy();

  return {
    db: createDocumentClient({ endpoint }),
    salesTable: `bench-sales-${suffix}`,
    revenueTable: `bench-revenue-${suffix}`,
    clock: () => new Date(),
    newSalesId: generateSalesId,
  };
}

/**
 * Issuing a sales ID through the whole handler (middy, validation, logging, problem
 * mapping) beside the one transaction the handler must send, alternating the two so both
 * see the same DynamoDB Local warmth and machine load.
 */
export async function benchCreateSale(endpoint: string): Promise<void> {
  const deps = await benchDeps(endpoint);
  const handler = httpRoute(createSale(deps));
  const body = saleBody({ activatedAt: undefined });
  const bare: number[] = [];
  const full: number[] = [];

  for (let round = 0; round < WARM_UP + ROUNDS; round += 1) {
    const bareMs = await timed(() => bareCreate(deps, body));
    const event = apiEvent({
      method: 'POST',
      path: '/sales',
      body,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    const fullMs = await timed(() => handler(event, lambdaContext()));
    if (round >= WARM_UP) {
      bare.push(bareMs);
      full.push(fullMs);
    }
  }
  printComparison({ label: 'POST /sales (issue a sales ID)', baseline: bare, subject: full });

  const counter = countRequests(deps.db);
  const key = randomUUID();
  const event = () =>
    apiEvent({ method: 'POST', path: '/sales', body, headers: { 'Idempotency-Key': key } });
  await handler(event(), lambdaContext());
  const first = counter.total();
  counter.reset();
  await handler(event(), lambdaContext());
  const replay = counter.total();
  console.log(`  DynamoDB requests per create: first ${first}, replayed ${replay}`);
}

/** The transaction a create makes, with items built outside the timed path's handler. */
async function bareCreate(deps: ServiceDeps, body: Record<string, unknown>): Promise<void> {
  const { sale, firstVersion } = issueSale(body as never, generateSalesId(), new Date());
  const key = randomUUID();
  const items = [saleItem(sale, firstVersion), versionItem(sale.salesId, 'USD', firstVersion)];
  items.push(...planLinkItems(sale), {
    ...idempotencyKeyItem(key),
    entityType: ENTITY.idempotency,
    fingerprint: requestFingerprint(body),
    response: JSON.stringify({ status: 201, body: sale }),
  });

  await deps.db.send(
    new TransactWriteCommand({
      TransactItems: items.map((Item) => ({
        Put: { TableName: deps.salesTable, Item, ConditionExpression: 'attribute_not_exists(pk)' },
      })),
    }),
  );
}
