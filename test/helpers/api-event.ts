import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export interface EventInput {
  readonly method?: string;
  readonly path?: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** A value to send as JSON, or a raw string sent as it is. */
  readonly body?: unknown;
}

/** An API Gateway proxy event as the REST API delivers it. */
export function apiEvent(input: EventInput = {}): APIGatewayProxyEvent {
  const body =
    input.body === undefined
      ? null
      : typeof input.body === 'string'
        ? input.body
        : JSON.stringify(input.body);
  const headers: Record<string, string> = {
    ...(body !== null ? { 'Content-Type': 'application/json' } : {}),
    ...input.headers,
  };
  const query = input.query ?? null;

  return {
    httpMethod: input.method ?? 'GET',
    path: input.path ?? '/',
    resource: input.path ?? '/',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: input.pathParameters ?? null,
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  };
}

/** A Lambda context with just what the middlewares read. */
export function lambdaContext(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Parses a handler's JSON response body. */
export function jsonBody<T = Record<string, unknown>>(result: { body: string }): T {
  return JSON.parse(result.body) as T;
}
