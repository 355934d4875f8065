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
