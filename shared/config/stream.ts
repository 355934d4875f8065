/**
 * The one declaration of how the SalesTable stream feeds the revenue rollup. The CDK event
 * source mapping and the local stream poller both read it, so the two cannot drift apart.
 */

/** An event filter pattern in the subset both Lambda and the local poller evaluate. */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly FilterValue[] };

export type FilterValue = string | number | null | { readonly exists: boolean };

export interface StreamSourceSettings {
  /** Records per invocation at most. */
  readonly batchSize: number;
  /** How long to gather records before invoking with a batch smaller than batchSize. */
  readonly maxBatchingWindowSeconds: number;
  /** Split a failing batch in two and retry the halves, to isolate a poison record. */
  readonly bisectBatchOnError: boolean;
  /** The handler returns `batchItemFailures`; retries resume from the first failed record. */
  readonly reportBatchItemFailures: boolean;
  /** Retries of a failing batch before its records go to the dead-letter destination. */
  readonly retryAttempts: number;
  /** Records older than this go to the dead-letter destination unprocessed. */
  readonly maxRecordAgeSeconds: number;
  /** Concurrent batches per stream shard (records of one sale stay in order). */
  readonly parallelizationFactor: number;
  /** Where a new consumer starts: every record the stream still holds. */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Only sale versions invoke the rollup: payments, usage and keys are filtered out. */
  readonly filterPattern: FilterPattern;
}

export const ROLLUP_STREAM: StreamSourceSettings = {
  // 100 records coalesce into far fewer aggregate writes; larger batches gain little more
  // because one transaction holds at most 100 items anyway.
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  // Transient faults (throttling, conflicts) are retried inside the handler first; what is
  // left after this many invocations is a poison record for the dead-letter queue.
  retryAttempts: 8,
  maxRecordAgeSeconds: 24 * 60 * 60,
  // Two batches per shard drain a busy shard faster; movements commute, so order across
  // the two does not matter, and conflicts on shared aggregates are retried.
  parallelizationFactor: 2,
  startingPosition: 'TRIM_HORIZON',
  filterPattern: {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { entityType: { S: ['Sale'] } } },
  },
};
