import { ERROR_CODES, ServiceError } from '../errors';
import type { ApiResult } from './types';

const PROBLEM_TYPE_BASE = 'https://sales-id.example/problems/';

/** The one mapping from an error to an RFC 9457 problem-details response. */
export function problemResponse(error: unknown): ApiResult {
  const known = error instanceof ServiceError ? error : undefined;
  const code = known?.code ?? 'internal_error';
  const { status, title } = ERROR_CODES[code];

  // Only client errors explain themselves; a 5xx says nothing about internals.
  const detail = known && status < 500 ? known.message : title;
  const body = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    ...(known?.errors ? { errors: known.errors } : {}),
    ...(known?.extensions ?? {}),
  };

  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/problem+json', ...(known?.headers ?? {}) },
    body: JSON.stringify(body),
  };
}
