import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The service's metrics, written as CloudWatch embedded metric format to the function log. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SalesIdService',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'sales-id',
});

/** Metric names, spelled once; the dashboard and alarms read the same constants. */
export const METRIC = {
  salesIssued: 'SalesIssued',
  idempotentReplays: 'IdempotentReplays',
  idempotencyConflicts: 'IdempotencyConflicts',
  versionConflicts: 'VersionConflicts',
  paymentsApplied: 'PaymentsApplied',
  usageRecorded: 'UsageRecorded',
  movements: 'Movements',
  mrr: 'Mrr',
  arr: 'Arr',
  mrrDrift: 'MrrDrift',
} as const;

export { MetricUnit };
