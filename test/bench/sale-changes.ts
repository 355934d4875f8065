import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

import { amendSale } from '../../functions/amend-sale';
import { cancelSale } from '../../functions/cancel-sale';
import { listSales } from '../../functions/list-sales';
import { recordPayment } from '../../functions/record-payment';
import { recordUsage } from '../../functions/record-usage';
import type { ServiceDeps } from '../../shared/deps';
import type { SalesId } from '../../shared/domain/sales-id';
import { httpRoute, type RouteHandler } from '../../shared/http/route';
import { ENTITY, paymentKey, saleKey, versionKey } from '../../shared/storage/keys';
import { apiEvent, lambdaContext } from '../helpers/api-event';
import { issueTestSale } from '../helpers/issue-sale';
import { benchDeps } from './create-sale';
import { countRequests, printComparison, timed } from './measure';

const WARM_UP = 20;
const ROUNDS = 200;

const itemsOf = (quantity: number) => [
  { productId: 'analytics', planId: 'pro', quantity, unitAmount: 4900, interval: 'month' },
];

/**
 * An amendment and a payment through the whole handler, each beside the bare DynamoDB
 * requests it needs, alternating the two so both see the same DynamoDB Local warmth; then
 * the DynamoDB requests every post-sale operation sends.
 */
export async function benchSaleChanges(endpoint: string): Promise<void> {
  const deps = await benchDeps(endpoint);

  await benchAmendment(deps);
  await benchPayment(deps);
  await printRequestCounts(await benchDeps(endpoint));
}

async function benchAmendment(deps: ServiceDeps): Promise<void> {
  const handler = httpRoute(amendSale(deps));
  const bareSale = await newSale(deps);
  const handlerSale = await newSale(deps);
  const bare: number[] = [];
  const full: number[] = [];

  for (let round = 0; round < WARM_UP + ROUNDS; round += 1) {
    const version = round + 1;
    const bareMs = await timed(() => bareAmend(deps, bareSale, version));
    const event = post(`/sales/${handlerSale}/amendments`, handlerSale, {
      body: { items: itemsOf(version + 1) },
      headers: { 'If-Match': `"${version}"` },
    });
    const fullMs = await timed(() => expectStatus(handler(event, lambdaContext()), 200));
    if (round >= WARM_UP) {
      bare.push(bareMs);
      full.push(fullMs);
    }
  }
  printComparison({
    label: 'POST /sales/{id}/amendments (GetItem + TransactWrite of 2 actions)',
    baseline: bare,
    subject: full,
  });
}

/** What an amendment must send: read the sale, then update it and add the version. */
async function bareAmend(deps: ServiceDeps, salesId: SalesId, version: number): Promise<void> {
  const read = await deps.db.send(
    new GetCommand({ TableName: deps.salesTable, Key: saleKey(salesId), ConsistentRead: true }),
  );
  const now = new Date().toISOString();
  const mrrBefore = Number(read.Item?.mrr);
  const items = itemsOf(version + 1);
  const mrr = (version + 1) * 4900;

  await deps.db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: deps.salesTable,
            Key: saleKey(salesId),
            UpdateExpression: 'SET #v = :v, mrr = :mrr, arr = :arr, #items = :items',
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version', '#items': 'items' },
            ExpressionAttributeValues: {
              ':v': version + 1,
              ':mrr': mrr,
              ':arr': mrr * 12,
              ':items': items,
              ':expected': version,
            },
          },
        },
        {
          Put: {
            TableName: deps.salesTable,
            Item: {
              ...versionKey(salesId, version + 1),
              entityType: ENTITY.saleVersion,
              version: version + 1,
              type: 'amended',
              at: now,
              mrrBefore,
              mrrAfter: mrr,
              items,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
}

async function benchPayment(deps: ServiceDeps): Promise<void> {
  const handler = httpRoute(recordPayment(deps));
  const bareSale = await newSale(deps);
  const handlerSale = await newSale(deps);
  const bare: number[] = [];
  const full: number[] = [];

  for (let round = 0; round < WARM_UP + ROUNDS; round += 1) {
    const bareMs = await timed(() => barePayment(deps, bareSale, `bare_${round}`));
    const event = post(`/sales/${handlerSale}/payments`, handlerSale, {
      body: { paymentId: `pay_${round}`, amount: 4900, currency: 'USD' },
    });
    const fullMs = await timed(() => expectStatus(handler(event, lambdaContext()), 201));
    if (round >= WARM_UP) {
      bare.push(bareMs);
      full.push(fullMs);
    }
  }
  printComparison({
    label: 'POST /sales/{id}/payments (one TransactWrite of 2 actions)',
    baseline: bare,
    subject: full,
  });
}

/** What a payment must send: the record and the sale's running total, in one transaction. */
async function barePayment(deps: ServiceDeps, salesId: SalesId, paymentId: string) {
  const now = new Date().toISOString();

  await deps.db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: deps.salesTable,
            Item: {
              ...paymentKey(salesId, paymentId),
              entityType: ENTITY.payment,
              salesId,
              paymentId,
              amount: 4900,
              currency: 'USD',
              receivedAt: now,
              recordedAt: now,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: deps.salesTable,
            Key: saleKey(salesId),
            UpdateExpression: 'ADD paidAmount :amount',
            ConditionExpression: 'attribute_exists(pk) AND currency = :currency',
            ExpressionAttributeValues: { ':amount': 4900, ':currency': 'USD' },
          },
        },
      ],
    }),
  );
}

/** DynamoDB requests per operation, counted by middleware on the client the handlers use. */
async function printRequestCounts(deps: ServiceDeps): Promise<void> {
  const counter = countRequests(deps.db);
  const salesId = await newSale(deps, 'cus_counted');
  await newSale(deps, 'cus_counted');
  const payment = { paymentId: 'pay_counted', amount: 100, currency: 'USD' };
  const usage = { eventId: 'evt_counted', meter: 'api-calls', quantity: 3 };
  const operations: [string, RouteHandler, ReturnType<typeof apiEvent>][] = [
    [
      'amendment',
      amendSale(deps),
      post(`/x`, salesId, { body: { items: itemsOf(9) }, headers: { 'If-Match': '"1"' } }),
    ],
    ['amendment, stale If-Match (412)', amendSale(deps), post('/x', salesId, stale())],
    ['payment', recordPayment(deps), post('/x', salesId, { body: payment })],
    ['payment, replayed', recordPayment(deps), post('/x', salesId, { body: payment })],
    ['usage', recordUsage(deps), post('/x', salesId, { body: usage })],
    ['usage, replayed', recordUsage(deps), post('/x', salesId, { body: usage })],
    ['cancellation', cancelSale(deps), post('/x', salesId, {})],
    ['look-up by customer', listSales(deps), lookup({ customerId: 'cus_counted' })],
    ['look-up by plan', listSales(deps), lookup({ planId: 'pro', limit: '5' })],
  ];

  console.log('DynamoDB requests per operation');
  for (const [label, route, event] of operations) {
    counter.reset();
    await httpRoute(route)(event, lambdaContext());
    const byCommand = Object.entries(counter.byCommand())
      .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
      .join(', ');
    console.log(`  ${label.padEnd(34)} ${counter.total()}  (${byCommand})`);
  }
}

function stale() {
  return { body: { items: itemsOf(2) }, headers: { 'If-Match': '"1"' } };
}

function lookup(query: Record<string, string>) {
  return apiEvent({ path: '/sales', query });
}

function post(
  path: string,
  salesId: string,
  input: { body?: unknown; headers?: Record<string, string> },
) {
  return apiEvent({ method: 'POST', path, pathParameters: { salesId }, ...input });
}

const newSale = (deps: ServiceDeps, customerId = 'cus_bench'): Promise<SalesId> =>
  issueTestSale(deps, { customerId, activatedAt: undefined });

async function expectStatus(response: Promise<{ statusCode: number }>, status: number) {
  const { statusCode } = await response;
  if (statusCode !== status) {
    throw new Error(`Expected ${status}, got ${statusCode}`);
  }
}
