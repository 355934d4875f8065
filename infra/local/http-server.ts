import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

import { FALLBACK_ROUTE_ID, routeEntry } from '../../shared/config/routes';
import type { LambdaHttpHandler } from '../../shared/http/route';
import { matchRoute } from '../../shared/http/route-matcher';
import type { ApiEvent, ApiResult } from '../../shared/http/types';
import { PROJECT_ROOT } from '../constructs/service-function';

// Read a little past the contract's limit so the handler, not the socket, answers 413.
const MAX_READ_BYTES = 1024 * 1024;

/** Extra local-only pages, such as `/openapi.json`, answered before route matching. */
export type LocalPage = (method: string, path: string) => ApiResult | undefined;

/**
 * Serves the declared routes the way API Gateway's REST proxy integration would: each
 * request becomes an APIGatewayProxyEvent for the same handler file the Lambda bundles.
 */
export function startHttpServer(port: number, pages: readonly LocalPage[] = []): Promise<Server> {
  const server = createServer((request, response) => {
    serve(request, response, pages).catch((error: unknown) => {
      console.error('local server error', error);
      response.writeHead(500, { 'Content-Type': 'application/problem+json' });
      response.end(
        JSON.stringify({ title: 'Internal error', status: 500, code: 'internal_error' }),
      );
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  pages: readonly LocalPage[],
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const page = pages.map((render) => render(method, url.pathname)).find(Boolean);
  if (page) {
    send(response, page);

    return;
  }

  const match = matchRoute(method, url.pathname);
  const routeId = match.kind === 'matched' ? match.match.route.id : FALLBACK_ROUTE_ID;
  const resource = match.kind === 'matched' ? match.match.route.path : url.pathname;
  const body = await readBody(request);
  const event = toProxyEvent(request, url, method, resource, body);
  event.pathParameters = match.kind === 'matched' ? match.match.pathParameters : null;

  const handler = await loadHandler(routeId);
  send(response, await handler(event, localContext(routeId)));
}

function toProxyEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  resource: string,
  body: Buffer,
): ApiEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    headers[name] = values.join(', ');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;

  return {
    httpMethod: method,
    path: url.pathname,
    resource,
    headers,
    multiValueHeaders,
    pathParameters: null,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    stageVariables: null,
    body: body.byteLength > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.byteLength > 0,
    requestContext: {
      requestId: randomUUID(),
      httpMethod: method,
      path: url.pathname,
      resourcePath: resource,
    } as ApiEvent['requestContext'],
  };
}

const handlers = new Map<string, Promise<LambdaHttpHandler>>();

function loadHandler(routeId: string): Promise<LambdaHttpHandler> {
  let loaded = handlers.get(routeId);
  if (!loaded) {
    const entry = join(PROJECT_ROOT, routeEntry(routeId));
    loaded = import(entry).then((module: { handler: LambdaHttpHandler }) => module.handler);
    handlers.set(routeId, loaded);
  }

  return loaded;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      // Past the cap the rest is drained unread; the handler still sees an oversized body.
      if (size <= MAX_READ_BYTES) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: ApiResult): void {
  response.writeHead(result.statusCode, result.headers as Record<string, string>);
  response.end(result.body);
}

function localContext(routeId: string): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: `local-${routeId}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${routeId}`,
    memoryLimitInMB: '512',
    logGroupName: `/local/${routeId}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
