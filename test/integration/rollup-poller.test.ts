import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { latestStreamArn } from '../../infra/local/create-tables';
import { matchesFilter } from '../../infra/local/stream-filter';
import { deliverBatch, startStreamPoller } from '../../infra/local/stream-poller';
import { ROLLUP_STREAM, type StreamSourceSettings } from '../../shared/config/stream';
import type { ServiceDeps } from '../../shared/deps';
import { createStoredSale, storePaidAmount } from '../helpers/sales-stream';
import { createTestTables, localClient, localEndpoint } from '../helpers/tables';

const ITEMS = [
  {
    productId: 'analytics',
    planId: 'pro',
    quantity: 1,
    unitAmount: 900,
    interval: 'month' as const,
  },
];

const record = (sequence: number): DynamoDBRecord => ({
  eventName: 'MODIFY',
  dynamodb: { SequenceNumber: String(sequence).padStart(6, '0') },
});
const sequences = (records: readonly DynamoDBRecord[]): number[] =>
  records.map((entry) => Number(entry.dynamodb?.SequenceNumber));

describe('local stream delivery', () => {
  const hooks = () => {
    const deadLetters: number[][] = [];

    return {
      deadLetters,
      hooks: {
        deadLetter: (letter: { records: readonly DynamoDBRecord[] }) =>
          deadLetters.push(sequences(letter.records)),
        pause: async () => true,
      },
    };
  };

  it('resumes from the first record a handler reports as failed', async () => {
    const calls: number[][] = [];
    let failed = false;
    const invoke = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      calls.push(sequences(event.Records));
      const third = event.Records[2];
      if (!failed && third) {
        failed = true;

        return { batchItemFailures: [{ itemIdentifier: third.dynamodb!.SequenceNumber! }] };
      }

      return { batchItemFailures: [] };
    };
    const { hooks: deliveryHooks } = hooks();

    await deliverBatch([1, 2, 3, 4, 5].map(record), invoke, ROLLUP_STREAM, deliveryHooks);

    expect(calls).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
  });

  it('bisects a failing batch to isolate a poison record and dead-letters only it', async () => {
    const invoke = async (event: DynamoDBStreamEvent) => {
      if (sequences(event.Records).includes(6)) {
        throw new Error('poison');
      }
    };
    const { deadLetters, hooks: deliveryHooks } = hooks();
    const settings = { bisectBatchOnError: true, retryAttempts: 2 };

    await deliverBatch([1, 2, 3, 4, 5, 6, 7, 8].map(record), invoke, settings, deliveryHooks);

    expect(deadLetters).toEqual([[6]]);
  });

  it('retries a failing batch a bounded number of times before dead-lettering it', async () => {
    let calls = 0;
    const invoke = async () => {
      calls += 1;
      throw new Error('down');
    };
    const { deadLetters, hooks: deliveryHooks } = hooks();
    const settings = { bisectBatchOnError: false, retryAttempts: 3 };

    await deliverBatch([1, 2].map(record), invoke, settings, deliveryHooks);

    expect(calls).toBe(4);
    expect(deadLetters).toEqual([[1, 2]]);
  });
});

describe('local stream poller', () => {
  let deps: ServiceDeps;
  let stateDir: string;
  let streamArn: string;

  beforeAll(async () => {
    deps = await createTestTables();
    stateDir = mkdtempSync(join(tmpdir(), 'stream-poller-'));
    const client = localClient();
    streamArn = (await latestStreamArn(client, deps.salesTable))!;
    client.destroy();
  });

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  function poll(
    settings: StreamSourceSettings,
    invoke: (event: DynamoDBStreamEvent) => Promise<void>,
  ) {
    const logged: string[] = [];
    const client = new DynamoDBStreamsClient({
      endpoint: localEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const worker = startStreamPoller({
      client,
      streamArn,
      settings,
      invoke,
      checkpointFile: join(stateDir, 'checkpoint.json'),
      deadLetterFile: join(stateDir, 'dead-letters.jsonl'),
      log: (line) => logged.push(line),
      idlePollMs: 50,
    });

    return {
      logged,
      stop: async () => {
        await worker.stop();
        client.destroy();
      },
    };
  }

  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 8_000;
    while (!check() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('dead-letters and reports filtered sale records that keep failing', async () => {
    const sale = await createStoredSale(deps, { items: ITEMS }, new Date());
    await storePaidAmount(deps, sale, 100);
    const delivered: DynamoDBRecord[] = [];
    const settings = { ...ROLLUP_STREAM, retryAttempts: 1, maxBatchingWindowSeconds: 0 };
    const poller = poll(settings, async (event) => {
      delivered.push(...event.Records);
      throw new Error('handler keeps failing');
    });

    // Both records (the creation and the payment) fail alone after bisection.
    await until(() => poller.logged.filter((line) => line.includes('dead-lettered')).length >= 2);
    await poller.stop();

    const letters = readFileSync(join(stateDir, 'dead-letters.jsonl'), 'utf8').trim().split('\n');
    expect(delivered.every((entry) => matchesFilter(ROLLUP_STREAM.filterPattern, entry))).toBe(
      true,
    );
    expect(letters).toHaveLength(2);
    expect(JSON.parse(letters[0]!)).toMatchObject({
      reason: 'handler keeps failing',
      attempts: 2,
      record: {
        eventSource: 'aws:dynamodb',
        dynamodb: { NewImage: { salesId: { S: sale.salesId } } },
      },
    });
    expect(poller.logged.join('\n')).toContain('dead-letters.jsonl');
  });

  it('resumes after its checkpoint on restart, re-reading no handled record', async () => {
    const seen: string[] = [];
    const poller = poll({ ...ROLLUP_STREAM, maxBatchingWindowSeconds: 0 }, async (event) => {
      seen.push(...event.Records.map((entry) => entry.eventID!));
    });
    const sale = await createStoredSale(deps, { items: ITEMS }, new Date());
    await until(() => seen.length > 0);
    await poller.stop();

    const restarted = poll({ ...ROLLUP_STREAM, maxBatchingWindowSeconds: 0 }, async (event) => {
      seen.push(...event.Records.map((entry) => entry.eventID!));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await restarted.stop();

    expect(existsSync(join(stateDir, 'checkpoint.json'))).toBe(true);
    // One sale creation is one record past the filter; the restart must not repeat it.
    expect(seen).toHaveLength(1);
    expect(sale.salesId).toMatch(/^sale_/);
  });
});
