import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

import { logger } from './logger';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from './names';

// Outside Lambda nothing collects embedded metric format from stdout, so tests and the local
// stack keep metrics off unless POWERTOOLS_METRICS_DISABLED says otherwise.
if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}

/** The service's metrics, written as CloudWatch embedded metric format to the function log. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  // Powertools' own warnings go through the service logger, so they honour its level.
  logger,
});

export { METRIC, METRICS_NAMESPACE, MetricUnit };

/** Dimension that splits the revenue metrics by currency; the dashboard draws a line per value. */
export const CURRENCY_DIMENSION = 'currency';

/**
 * Publishes one currency's MRR and ARR (minor units) at once, as the gauges the dashboard
 * charts per currency. Call it wherever a currency's figures are known in full, e.g. after
 * the daily snapshot.
 */
export function publishRevenueFigures(currency: string, mrr: number, arr: number): void {
  // A single metric flushes on add and forgets its dimensions, so each gauge gets its own.
  for (const [name, value] of [
    [METRIC.mrr, mrr],
    [METRIC.arr, arr],
  ] as const) {
    const gauge = metrics.singleMetric();
    gauge.addDimension(CURRENCY_DIMENSION, currency);
    gauge.addMetric(name, MetricUnit.NoUnit, value);
  }
}
