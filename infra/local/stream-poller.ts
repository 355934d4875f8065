import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type AttributeValue as SdkAttributeValue,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

import type { StreamSourceSettings } from '../../shared/config/stream';
import { assertSupportedPattern, matchesFilter } from './stream-filter';
import type { LocalWorker } from './local-context';

/**
 * A local stand-in for Lambda's DynamoDB event source mapping: polls a stream on DynamoDB
 * Local, filters and batches records as the shared declaration says, invokes the handler
 * with real `DynamoDBStreamEvent`s, resumes from the first failed record, bisects failing
 * batches, retries a bounded number of times and dead-letters what is left to a JSONL file.
 */

export type StreamInvoke = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface DeadLetter {
  readonly records: readonly DynamoDBRecord[];
  readonly reason: string;
  readonly attempts: number;
}

export interface DeliveryHooks {
  readonly deadLetter: (letter: DeadLetter) => void;
  /** Waits between retries; resolves false when the poller is stopping. */
  readonly pause: (ms: number) => Promise<boolean>;
}

/** Thrown out of a delivery interrupted by stop(); its records are read again next start. */
export class DeliveryStopped extends Error {
  constructor() {
    super('stream delivery stopped');
    this.name = 'DeliveryStopped';
  }
}

// Lambda backs off between retries of a failing batch; locally a short, growing pause is
// enough for a transient fault to clear without stalling `npm start` for long.
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Delivers one batch the way the event source mapping does: a reported failure resumes
 * from the first failed record; an error or a failure at the first record bisects the
 * batch (when enabled) until the culprit is alone, then retries it up to `retryAttempts`
 * times before dead-lettering it. Bisecting spends no retries, since it is bounded by log2
 * of the batch size and it is what isolates a poison record from its neighbours.
 */
export async function deliverBatch(
  records: readonly DynamoDBRecord[],
  invoke: StreamInvoke,
  settings: Pick<StreamSourceSettings, 'bisectBatchOnError' | 'retryAttempts'>,
  hooks: DeliveryHooks,
): Promise<void> {
  const queue: { records: readonly DynamoDBRecord[]; attempts: number }[] = [
    { records, attempts: 0 },
  ];

  while (queue.length > 0) {
    const segment = queue.shift()!;
    const { failedIndex, reason } = await invokeOnce(segment.records, invoke);
    if (failedIndex === undefined) {
      continue;
    }
    const rest = segment.records.slice(failedIndex);
    if (failedIndex > 0) {
      queue.unshift({ records: rest, attempts: segment.attempts });
      continue;
    }
    if (settings.bisectBatchOnError && rest.length > 1) {
      const middle = Math.ceil(rest.length / 2);
      queue.unshift(
        { records: rest.slice(0, middle), attempts: segment.attempts },
        { records: rest.slice(middle), attempts: segment.attempts },
      );
      continue;
    }
    if (segment.attempts >= settings.retryAttempts) {
      hooks.deadLetter({ records: rest, reason, attempts: segment.attempts + 1 });
      continue;
    }
    const delay = Math.min(RETRY_BASE_MS * 2 ** segment.attempts, RETRY_MAX_MS);
    if (!(await hooks.pause(delay))) {
      throw new DeliveryStopped();
    }
    queue.unshift({ records: rest, attempts: segment.attempts + 1 });
  }
}

async function invokeOnce(
  records: readonly DynamoDBRecord[],
  invoke: StreamInvoke,
): Promise<{ failedIndex?: number; reason: string }> {
  let response: DynamoDBBatchResponse | void;
  try {
    response = await invoke({ Records: [...records] });
  } catch (error) {
    return { failedIndex: 0, reason: error instanceof Error ? error.message : String(error) };
  }
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) {
    return { reason: '' };
  }
  const indices = failures.map((failure) =>
    records.findIndex((record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier),
  );
  // Lambda treats an identifier it cannot find as a failure of the whole batch.
  const failedIndex = indices.includes(-1) ? 0 : Math.min(...indices);

  return { failedIndex, reason: 'reported in batchItemFailures' };
}

/** A stream record as Lambda delivers it: numbers as strings, binaries base64, time in seconds. */
export function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const image = (value: Record<string, SdkAttributeValue> | undefined) =>
    value === undefined ? undefined : convertMap(value);
  const created = stream.ApproximateCreationDateTime;

  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime:
        created === undefined ? undefined : Math.floor(new Date(created).getTime() / 1000),
      Keys: image(stream.Keys),
      NewImage: image(stream.NewImage),
      OldImage: image(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
}

function convertMap(map: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, convert(value)]));
}

function convert(value: SdkAttributeValue): AttributeValue {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(convert) };
  if (value.M !== undefined) return { M: convertMap(value.M) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };

  throw new Error(`Unknown attribute value type: ${Object.keys(value).join()}`);
}

export interface StreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly settings: StreamSourceSettings;
  readonly invoke: StreamInvoke;
  /** JSON file holding the last handled sequence number per shard. */
  readonly checkpointFile: string;
  /** JSONL file that receives records which exhausted their retries or aged out. */
  readonly deadLetterFile: string;
  readonly log: (message: string) => void;
  /** Pause between polls of an idle stream. @default 250 ms, Lambda's four polls a second */
  readonly idlePollMs?: number;
}

interface Checkpoint {
  readonly streamArn: string;
  readonly shards: Record<string, string>;
}

interface ShardState {
  readonly shard: Shard;
  iterator?: string;
  finished: boolean;
  lastRead?: string;
  buffer: DynamoDBRecord[];
  bufferSince: number;
}

/** Starts polling; stop() ends the loop after the current poll and delivery. */
export function startStreamPoller(options: StreamPollerOptions): LocalWorker {
  const { client, streamArn, settings } = options;
  assertSupportedPattern(settings.filterPattern);
  const idleMs = options.idlePollMs ?? 250;
  const checkpoint = readCheckpoint(options.checkpointFile, streamArn);
  const shards = new Map<string, ShardState>();
  let stopping = false;
  let refreshNeeded = true;
  let wake: (() => void) | undefined;

  const pause = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (stopping) {
        resolve(false);

        return;
      }
      const timer = setTimeout(() => {
        wake = undefined;
        resolve(!stopping);
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });

  const deadLetter = (letter: DeadLetter): void => {
    const at = new Date().toISOString();
    for (const record of letter.records) {
      const line = { deadLetteredAt: at, reason: letter.reason, attempts: letter.attempts, record };
      appendFileSync(options.deadLetterFile, `${JSON.stringify(line)}\n`);
    }
    options.log(
      `stream: ${letter.records.length} record(s) dead-lettered after ${letter.attempts} ` +
        `attempt(s) (${letter.reason}); see ${options.deadLetterFile}`,
    );
  };

  const saveCheckpoint = (shardId: string, sequenceNumber: string): void => {
    if (checkpoint.shards[shardId] === sequenceNumber) {
      return;
    }
    checkpoint.shards[shardId] = sequenceNumber;
    const temporary = `${options.checkpointFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(checkpoint, null, 2));
    renameSync(temporary, options.checkpointFile);
  };

  const refreshShards = async (): Promise<void> => {
    let startId: string | undefined;
    do {
      const page = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: startId }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !shards.has(shard.ShardId)) {
          shards.set(shard.ShardId, { shard, finished: false, buffer: [], bufferSince: 0 });
        }
      }
      startId = page.StreamDescription?.LastEvaluatedShardId;
    } while (startId);
  };

  const iteratorFor = async (state: ShardState, trimmed = false): Promise<string | undefined> => {
    const shardId = state.shard.ShardId!;
    const after = trimmed ? undefined : (state.lastRead ?? checkpoint.shards[shardId]);
    const type: ShardIteratorType = after
      ? 'AFTER_SEQUENCE_NUMBER'
      : trimmed
        ? 'TRIM_HORIZON'
        : settings.startingPosition;
    const result = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        SequenceNumber: after,
      }),
    );

    return result.ShardIterator;
  };

  // A child shard starts only after its parent is drained, so one sale's records stay in
  // order as they do in Lambda.
  const ready = (state: ShardState): boolean => {
    const parent = state.shard.ParentShardId;

    return !state.finished && (parent === undefined || shards.get(parent)?.finished !== false);
  };

  const deliverReady = async (state: ShardState, flush: boolean): Promise<void> => {
    const windowOver = Date.now() - state.bufferSince >= settings.maxBatchingWindowSeconds * 1000;
    while (
      state.buffer.length >= settings.batchSize ||
      (state.buffer.length > 0 && (windowOver || flush))
    ) {
      const batch = state.buffer.splice(0, settings.batchSize);
      const live = dropExpired(batch, settings.maxRecordAgeSeconds, deadLetter);
      if (live.length > 0) {
        await deliverBatch(live, options.invoke, settings, { deadLetter, pause });
      }
      const last = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
      if (last) {
        saveCheckpoint(state.shard.ShardId!, last);
      }
    }
    if (state.buffer.length === 0 && state.lastRead) {
      saveCheckpoint(state.shard.ShardId!, state.lastRead);
    }
  };

  const pollShard = async (state: ShardState): Promise<number> => {
    state.iterator ??= await iteratorFor(state);
    if (state.iterator === undefined) {
      state.finished = true;

      return 0;
    }
    let page;
    try {
      page = await client.send(new GetRecordsCommand({ ShardIterator: state.iterator }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        state.iterator = await iteratorFor(state);

        return 0;
      }
      if (error instanceof TrimmedDataAccessException) {
        options.log('stream: records were trimmed before they were read; resuming at the oldest');
        state.iterator = await iteratorFor(state, true);

        return 0;
      }
      throw error;
    }
    const read = page.Records ?? [];
    const matching = read
      .map((record) => toLambdaRecord(record, streamArn))
      .filter((record) => matchesFilter(settings.filterPattern, record));
    if (matching.length > 0 && state.buffer.length === 0) {
      state.bufferSince = Date.now();
    }
    state.buffer.push(...matching);
    state.lastRead = read[read.length - 1]?.dynamodb?.SequenceNumber ?? state.lastRead;
    state.iterator = page.NextShardIterator;
    const closed = state.iterator === undefined;
    await deliverReady(state, closed);
    state.finished = closed;
    refreshNeeded ||= closed;

    return read.length;
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let read = 0;
      try {
        // A shard closes when DynamoDB rolls it over; its children appear on the next look.
        if (refreshNeeded) {
          refreshNeeded = false;
          await refreshShards();
        }
        for (const state of [...shards.values()].filter(ready)) {
          read += await pollShard(state);
        }
      } catch (error) {
        if (error instanceof DeliveryStopped) {
          return;
        }
        options.log(`stream: poll failed (${error instanceof Error ? error.message : error})`);
      }
      if (read === 0) {
        await pause(idleMs);
      }
    }
  };

  const running = loop();

  return {
    stop: async () => {
      stopping = true;
      wake?.();
      await running;
    },
  };
}

function dropExpired(
  records: readonly DynamoDBRecord[],
  maxAgeSeconds: number,
  deadLetter: (letter: DeadLetter) => void,
): DynamoDBRecord[] {
  const oldest = Date.now() / 1000 - maxAgeSeconds;
  const expired = records.filter(
    (record) => (record.dynamodb?.ApproximateCreationDateTime ?? Infinity) < oldest,
  );
  if (expired.length > 0) {
    deadLetter({ records: expired, reason: 'older than maxRecordAge', attempts: 0 });
  }

  return records.filter((record) => !expired.includes(record));
}

function readCheckpoint(file: string, streamArn: string): Checkpoint {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    // A recreated table has a new stream: an old checkpoint says nothing about it.
    if (stored.streamArn === streamArn) {
      return { streamArn, shards: { ...stored.shards } };
    }
  }

  return { streamArn, shards: {} };
}
