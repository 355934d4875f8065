import { newUsageEvent, usageEventResponse } from '../shared/domain/usage';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { salesIdParam } from '../shared/http/sales-id-param';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { metrics, METRIC, MetricUnit } from '../shared/observability/metrics';
import { recordUsageEvent, saleCurrency } from '../shared/storage/usage';
import { parseBody } from '../shared/validation/parse';
import { recordUsageBody } from '../shared/validation/usage';

/** `POST /sales/{salesId}/usage`: records metered usage, idempotent by event ID. */
export const recordUsage =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });
    const terms = parseBody(recordUsageBody, request.body);
    const draft = newUsageEvent(salesId, terms, deps.clock());

    const event = { ...draft, currency: await saleCurrency(deps, salesId) };
    const outcome = await recordUsageEvent(deps, event);
    if (outcome.kind === 'replayed') {
      logger.info('Usage replayed', { eventId: event.eventId });
      metrics.addMetric(METRIC.idempotentReplays, MetricUnit.Count, 1);

      return {
        status: 200,
        headers: { 'Idempotent-Replayed': 'true' },
        body: usageEventResponse(outcome.event),
      };
    }
    logger.info('Usage recorded', { eventId: event.eventId, meter: event.meter });
    metrics.addMetric(METRIC.usageRecorded, MetricUnit.Count, 1);

    return { status: 201, body: usageEventResponse(event) };
  };

export const handler = httpRoute(recordUsage(depsFromEnv()));
