import { newPayment, paymentResponse } from '../shared/domain/payment';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { salesIdParam } from '../shared/http/sales-id-param';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { metrics, METRIC, MetricUnit } from '../shared/observability/metrics';
import { applyPayment } from '../shared/storage/payments';
import { parseBody } from '../shared/validation/parse';
import { recordPaymentBody } from '../shared/validation/payment';

/** `POST /sales/{salesId}/payments`: applies a payment to exactly the sale it names. */
export const recordPayment =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const salesId = salesIdParam(request);
    logger.appendKeys({ salesId });
    const terms = parseBody(recordPaymentBody, request.body);
    const payment = newPayment(salesId, terms, deps.clock());

    const outcome = await applyPayment(deps, payment);
    if (outcome.kind === 'replayed') {
      logger.info('Payment replayed', { paymentId: payment.paymentId });
      metrics.addMetric(METRIC.idempotentReplays, MetricUnit.Count, 1);

      return {
        status: 200,
        headers: { 'Idempotent-Replayed': 'true' },
        body: paymentResponse(outcome.payment),
      };
    }
    logger.info('Payment applied', { paymentId: payment.paymentId, amount: payment.amount });
    metrics.addMetric(METRIC.paymentsApplied, MetricUnit.Count, 1);

    return { status: 201, body: paymentResponse(payment) };
  };

export const handler = httpRoute(recordPayment(depsFromEnv()));
