import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';

import { ServiceError } from '../errors';
import { logger } from '../observability/logger';
import { problemResponse } from './problem';
import { toHttpRequest } from './request';
import type { ApiEvent, ApiResult, HttpRequest, HttpResponse } from './types';

/** The code behind one route: a parsed request in, a response out, typed errors thrown. */
export type RouteHandler = (request: HttpRequest) => Promise<HttpResponse>;

export type LambdaHttpHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Wraps route code in the shared middleware stack: logging context and problem details. */
export function httpRoute(route: RouteHandler): LambdaHttpHandler {
  return middy<ApiEvent, ApiResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemDetails())
    .handler(async (event, context) => {
      const request = toHttpRequest(event, context.awsRequestId);
      const response = await route(request);

      return toApiResult(response);
    });
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
