/**
 * Names shared by the code that emits telemetry and the CDK stack that charts and alarms on
 * it. Free of side effects, so the CDK app can import it without starting Powertools.
 */

/** The service name on every log line, metric and trace. */
export const SERVICE_NAME = 'sales-id';

/** The CloudWatch namespace every metric of the service is published in. */
export const METRICS_NAMESPACE = 'SalesIdService';

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
