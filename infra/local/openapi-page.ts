import { buildOpenApiDocument } from '../../shared/openapi/document';
import type { LocalPage } from './http-server';

/** Serves the OpenAPI document at `GET /openapi.json`, built once on first request. */
export const openApiPage: LocalPage = (method, path) => {
  if (path !== '/openapi.json' || (method !== 'GET' && method !== 'HEAD')) {
    return undefined;
  }
  body ??= JSON.stringify(buildOpenApiDocument(), null, 2);

  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: method === 'HEAD' ? '' : body,
  };
};

let body: string | undefined;
