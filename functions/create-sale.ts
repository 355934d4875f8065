import { requestFingerprint } from '../shared/domain/canonical-json';
import { issueSale } from '../shared/domain/new-sale';
import { saleEtag, toSaleView } from '../shared/domain/sale-view';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { hasCode, ServiceError } from '../shared/errors';
import { httpRoute } from '../shared/http/route';
import type { HttpRequest, HttpResponse } from '../shared/http/types';
import { logger } from '../shared/observability/logger';
import { METRIC, metrics, MetricUnit } from '../shared/observability/metrics';
import { isMonthClosed } from '../shared/revenue/closed-months';
import { writeNewSale, type StoredResponse } from '../shared/storage/create-sale';
import { createSaleBody, idempotencyKey } from '../shared/validation/create-sale';
import { parseBody } from '../shared/validation/parse';

// A KSUID collision needs two IDs in one second sharing 128 random bits; three tries is
// already more than the odds ask for, and a bound keeps a broken generator from looping.
const MAX_ID_ATTEMPTS = 3;

/** `POST /sales`: issues a sales ID for a confirmed checkout, safe to retry. */
export const createSale =
  (deps: ServiceDeps) =>
  async (request: HttpRequest): Promise<HttpResponse> => {
    const key = requireIdempotencyKey(request);
    logger.appendKeys({ idempotencyKey: key });
    const terms = parseBody(createSaleBody, request.body);
    await refuseClosedMonth(deps, terms.activatedAt);
    const fingerprint = requestFingerprint(request.body);

    for (let attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt += 1) {
      const newSale = issueSale(terms, deps.newSalesId(), deps.clock());
      const { salesId, version } = newSale.sale;
      const response: StoredResponse = {
        status: 201,
        body: toSaleView(newSale.sale),
        headers: { Location: `/sales/${salesId}`, ETag: saleEtag(version) },
      };

      const outcome = await writeNewSale(deps, {
        idempotencyKey: key,
        fingerprint,
        newSale,
        response,
      }).catch(countIdempotencyConflict);
      if (outcome.kind === 'created') {
        logger.info('Sale issued', { salesId, version, mrr: newSale.sale.mrr });
        metrics.addMetric(METRIC.salesIssued, MetricUnit.Count, 1);

        return response;
      }
      if (outcome.kind === 'replayed') {
        logger.info('Idempotent replay', { salesId: responseSalesId(outcome.response) });
        metrics.addMetric(METRIC.idempotentReplays, MetricUnit.Count, 1);

        return {
          ...outcome.response,
          headers: { ...outcome.response.headers, 'Idempotent-Replayed': 'true' },
        };
      }
      logger.warn('Sales ID collision, retrying with a fresh ID', { salesId, attempt });
    }

    throw new Error(`No unused sales ID after ${MAX_ID_ATTEMPTS} attempts`);
  };

function requireIdempotencyKey(request: HttpRequest): string {
  const key = request.headers['idempotency-key'];
  if (key === undefined || key === '') {
    throw new ServiceError('idempotency_key_missing', 'Send an Idempotency-Key header');
  }
  if (!idempotencyKey.safeParse(key).success) {
    throw new ServiceError('validation_failed', 'Idempotency-Key is malformed', {
      errors: [
        { pointer: '/headers/Idempotency-Key', detail: '1 to 255 printable ASCII characters' },
      ],
    });
  }

  return key;
}

/**
 * A back-dated sale must not land in a month revenue-close has sealed. Only a month before
 * the current one can be closed, so the usual create (activated now) costs no extra read.
 */
async function refuseClosedMonth(
  deps: ServiceDeps,
  activatedAt: string | undefined,
): Promise<void> {
  if (activatedAt === undefined) {
    return;
  }
  const month = activatedAt.slice(0, 7);
  const currentMonth = deps.clock().toISOString().slice(0, 7);
  if (month >= currentMonth || !(await isMonthClosed(deps, month))) {
    return;
  }

  throw new ServiceError('validation_failed', `Revenue for ${month} is closed`, {
    errors: [{ pointer: '/activatedAt', detail: `falls in ${month}, which is closed` }],
  });
}

function countIdempotencyConflict(error: unknown): never {
  if (hasCode(error, 'idempotency_in_progress') || hasCode(error, 'idempotency_key_reused')) {
    metrics.addMetric(METRIC.idempotencyConflicts, MetricUnit.Count, 1);
  }

  throw error;
}

function responseSalesId(response: StoredResponse): unknown {
  return (response.body as { salesId?: unknown } | undefined)?.salesId;
}

export const handler = httpRoute(createSale(depsFromEnv()));
