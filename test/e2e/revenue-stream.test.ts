import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { saleBody } from '../helpers/sale-fixtures';

// Over real HTTP against `startLocalStack`, the code behind `npm start`, with its workers:
// the stream poller delivers DynamoDB Local's stream to the rollup as Lambda would.
let stateDir: string;
let stack: LocalStack;
const logged: string[] = [];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sales-revenue-'));
  stack = await startLocalStack({
    port: 0,
    inMemory: true,
    stateDir,
    log: (message) => logged.push(message),
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const thisMonth = (): string => new Date().toISOString().slice(0, 7);

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.url}${path}`);
  expect(response.status).toBe(200);

  return (await response.json()) as Record<string, unknown>;
}

/** Polls a read until it satisfies the check; revenue follows the stream within seconds. */
async function eventually(
  path: string,
  check: (body: Record<string, unknown>) => boolean,
  timeoutMs = 8_000,
): Promise<{ body: Record<string, unknown>; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const body = await getJson(path);
    if (check(body) || Date.now() - started > timeoutMs) {
      return { body, elapsedMs: Date.now() - started };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('revenue on npm start', () => {
  let salesId: string;

  it('reflects a new sale in GET /revenue/mrr within a few seconds', async () => {
    const created = await fetch(`${stack.url}/sales`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'revenue-e2e-1' },
      body: JSON.stringify(saleBody({ activatedAt: undefined, currency: 'GBP' })),
    });
    salesId = ((await created.json()) as { salesId: string }).salesId;

    const { body, elapsedMs } = await eventually(
      '/revenue/mrr?currency=GBP',
      (mrr) => mrr.mrr !== 0,
    );

    expect(created.status).toBe(201);
    expect(body).toMatchObject({
      currency: 'GBP',
      mrr: 14700,
      arr: 176400,
      activeSales: 1,
      byChannel: { partner: 14700 },
      byPlan: { pro: 14700 },
    });
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('shows the sale as new business in this month', async () => {
    const movements = await getJson(`/revenue/movements?currency=GBP&month=${thisMonth()}`);

    expect(movements).toMatchObject({ closed: false, opening: 0, closing: 14700 });
    expect(movements.movements).toMatchObject({ new: 14700 });
  });

  it('follows a cancellation to zero MRR and a churn movement', async () => {
    const cancelled = await fetch(`${stack.url}/sales/${salesId}/cancellation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'e2e' }),
    });

    const { body } = await eventually('/revenue/mrr?currency=GBP', (mrr) => mrr.mrr === 0);
    const movements = await getJson(`/revenue/movements?currency=GBP&month=${thisMonth()}`);

    expect(cancelled.status).toBe(200);
    expect(body).toMatchObject({ mrr: 0, activeSales: 0, byPlan: {} });
    expect(movements).toMatchObject({ closing: 0, movements: { new: 14700, churn: 14700 } });
  });

  it('dead-letters nothing on the way', () => {
    expect(logged.filter((line) => line.includes('dead-lettered'))).toEqual([]);
  });
});
