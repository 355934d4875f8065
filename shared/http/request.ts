import { ServiceError } from '../errors';
import type { ApiEvent, HttpRequest } from './types';

/** Largest body accepted, in bytes; API Gateway allows far more, the contract does not. */
export const MAX_BODY_BYTES = 64 * 1024;

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** Builds the route's view of an API Gateway event, parsing and guarding the JSON body. */
export function toHttpRequest(event: ApiEvent, requestId: string): HttpRequest {
  const headers = lowerCaseKeys(event.headers ?? {});

  return {
    method: event.httpMethod,
    path: event.path,
    headers,
    pathParameters: definedValues(event.pathParameters ?? {}),
    query: definedValues(event.queryStringParameters ?? {}),
    multiQuery: definedValues(event.multiValueQueryStringParameters ?? {}),
    body: parseJsonBody(event, headers),
    requestId,
  };
}

function parseJsonBody(event: ApiEvent, headers: Record<string, string>): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    return undefined;
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body);

  // Order matters: the contract ranks 413 and 415 with the other malformed-request errors,
  // and size is checked first so a huge body is never decoded.
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new ServiceError('payload_too_large', `Body is ${raw.byteLength} bytes`);
  }
  if (!JSON_MEDIA_TYPE.test(headers['content-type'] ?? '')) {
    throw new ServiceError('unsupported_media_type', 'Send Content-Type: application/json');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ServiceError('invalid_json', 'Body is not valid JSON', { cause: error });
  }
}

function lowerCaseKeys(record: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) {
      result[key.toLowerCase()] = value;
    }
  }

  return result;
}

function definedValues<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined),
  );
}
