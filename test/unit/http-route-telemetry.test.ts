import { ServiceError } from '../../shared/errors';
import { httpRoute } from '../../shared/http/route';
import { logger } from '../../shared/observability/logger';
import {
  METRIC,
  MetricUnit,
  metrics,
  publishRevenueFigures,
} from '../../shared/observability/metrics';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event';

describe('the shared HTTP middleware stack', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('publishes the metrics a request recorded once, after the response', async () => {
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    const handler = httpRoute(async () => {
      metrics.addMetric(METRIC.salesIssued, MetricUnit.Count, 1);

      return { status: 201, body: { ok: true } };
    });

    const result = await handler(apiEvent({ method: 'POST', path: '/sales' }), lambdaContext());

    expect(result.statusCode).toBe(201);
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes recorded metrics on failure and still answers problem details', async () => {
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    const handler = httpRoute(async () => {
      metrics.addMetric(METRIC.versionConflicts, MetricUnit.Count, 1);
      throw new ServiceError('version_conflict', 'Sale has moved on', {
        extensions: { currentVersion: 3 },
      });
    });

    const result = await handler(apiEvent({ method: 'POST', path: '/x' }), lambdaContext());

    expect(result.statusCode).toBe(412);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
    expect(jsonBody(result)).toMatchObject({ code: 'version_conflict', currentVersion: 3 });
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('publishes and warns nothing for a request that recorded no metric', async () => {
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    const warn = jest.spyOn(logger, 'warn');
    const handler = httpRoute(async () => ({ status: 200, body: {} }));

    await handler(apiEvent({ path: '/revenue/mrr' }), lambdaContext());

    expect(publish).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('publishRevenueFigures', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('publishes MRR and ARR each with the currency dimension', () => {
    const published: { dimensions: Record<string, string>; metric: string; value: number }[] = [];
    jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      const dimensions: Record<string, string> = {};
      const gauge = {
        addDimension: (name: string, value: string) => {
          dimensions[name] = value;
        },
        addMetric: (metric: string, _unit: unknown, value: number) => {
          published.push({ dimensions: { ...dimensions }, metric, value });
        },
      };

      return gauge as unknown as ReturnType<typeof metrics.singleMetric>;
    });

    publishRevenueFigures('EUR', 14_700, 176_400);

    expect(published).toEqual([
      { dimensions: { currency: 'EUR' }, metric: 'Mrr', value: 14_700 },
      { dimensions: { currency: 'EUR' }, metric: 'Arr', value: 176_400 },
    ]);
  });
});
