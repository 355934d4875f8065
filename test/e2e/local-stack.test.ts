import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { assertJavaAvailable, JavaMissingError } from '../../infra/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { saleBody } from '../helpers/sale-fixtures';

// Over real HTTP against `startLocalStack`, the code behind `npm start`, with data on disk
// so a restart can be checked. Workers are off: this file is about the API and storage.
let stateDir: string;
let stack: LocalStack;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sales-local-'));
  stack = await startLocalStack({
    port: 0,
    inMemory: false,
    stateDir,
    workers: false,
    log: () => {},
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const createSale = (key: string, body: unknown = saleBody()) =>
  fetch(`${stack.url}/sales`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  });

describe('npm start', () => {
  it('serves POST /sales and GET /sales/{salesId} on 127.0.0.1', async () => {
    const created = await createSale('e2e-1');
    const sale = (await created.json()) as { salesId: string };

    const read = await fetch(`${stack.url}${created.headers.get('location')}`);

    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(read.status).toBe(200);
    expect(((await read.json()) as { salesId: string }).salesId).toBe(sale.salesId);
  });

  it('replays a retried checkout with Idempotent-Replayed', async () => {
    const first = await createSale('e2e-retry');

    const retry = await createSale('e2e-retry');

    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
  });

  it('answers problem details for unknown routes, wrong methods and oversized bodies', async () => {
    const unknown = await fetch(`${stack.url}/nowhere`);
    const wrongMethod = await fetch(`${stack.url}/sales`, { method: 'PUT' });
    const oversized = await createSale(
      'e2e-big',
      saleBody({ metadata: { a: 'x'.repeat(70_000) } }),
    );

    expect([unknown.status, wrongMethod.status, oversized.status]).toEqual([404, 405, 413]);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
    expect(((await oversized.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('serves the OpenAPI document at /openapi.json', async () => {
    const response = await fetch(`${stack.url}/openapi.json`);

    const document = (await response.json()) as { openapi: string; paths: object };
    expect(response.status).toBe(200);
    expect(document.openapi).toMatch(/^3\.1/);
    expect(Object.keys(document.paths)).toContain('/sales/{salesId}');
  });

  it('writes where DynamoDB Local listens for the rollup command', () => {
    const record = JSON.parse(readFileSync(join(stateDir, 'endpoint.json'), 'utf8'));

    expect(record).toEqual({
      endpoint: stack.dynamoDb.endpoint,
      salesTable: 'SalesTable',
      revenueTable: 'RevenueTable',
      apiUrl: stack.url,
    });
  });

  it('keeps sales across a restart', async () => {
    const created = await createSale('e2e-persist');
    const location = created.headers.get('location');

    // Same DynamoDB Local port: handler modules keep the client they were loaded with.
    const dynamoDbPort = stack.dynamoDb.port;
    await stack.stop();
    stack = await startLocalStack({
      port: 0,
      inMemory: false,
      dynamoDbPort,
      stateDir,
      workers: false,
      log: () => {},
    });
    const read = await fetch(`${stack.url}${location}`);

    expect(read.status).toBe(200);
    expect(existsSync(join(stateDir, 'dynamodb'))).toBe(true);
  });
});

describe('without Java', () => {
  it('stops with a message that says how to install it', () => {
    const noJava = { PATH: '/nonexistent' };

    expect(() => assertJavaAvailable(noJava)).toThrow(JavaMissingError);
    expect(() => assertJavaAvailable(noJava)).toThrow(/Java 17.*apt-get install openjdk-17/);
  });
});
