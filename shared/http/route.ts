import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';

import { ServiceError } from '../errors';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { tracer } from '../observability/tracer';
import { problemResponse } from './problem';
import { toHttpRequest } from './request';
import type { ApiEvent, ApiResult, HttpRequest, HttpResponse } from './types';

/** The code behind one route: a parsed request in, a response out, typed errors thrown. */
export type RouteHandler = (request: HttpRequest) => Promise<HttpResponse>;

export type LambdaHttpHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Wraps route code in the shared middleware stack: an X-Ray segment around the whole call,
 * logging context (cold start, request IDs), metrics flushed once per request, and problem
 * details for every error.
 */
export function httpRoute(route: RouteHandler): LambdaHttpHandler {
  return middy<ApiEvent, ApiResult>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics())
    .use(problemDetails())
    .handler(async (event, context) => {
      // API Gateway's own request ID ties these logs to the stage's access log line.
      logger.appendKeys({ apiRequestId: event.requestContext?.requestId });
      const request = toHttpRequest(event, context.awsRequestId);
      const response = await route(request);

      return toApiResult(response);
    });
}

/**
 * Flushes the metrics a request recorded, after success and after an error alike. Unlike
 * Powertools' `logMetrics`, it stays quiet on the many requests (reads) that record none.
 */
function publishMetrics(): middy.MiddlewareObj<ApiEvent, ApiResult> {
  const flush = async (): Promise<void> => {
    if (metrics.hasStoredMetrics()) {
      metrics.publishStoredMetrics();
    }
  };

  return { after: flush, onError: flush };
}

function problemDetails(): middy.MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof ServiceError && error.status < 500) {
        logger.info('Request refused', { code: error.code, status: error.status });
      } else {
        logger.error('Request failed', error as Error);
      }
      request.response = problemResponse(error);
    },
  };
}

function toApiResult(response: HttpResponse): ApiResult {
  const hasBody = response.body !== undefined;

  return {
    statusCode: response.status,
    headers: {
      ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
      ...response.headers,
    },
    body: hasBody ? JSON.stringify(response.body) : '',
  };
}
