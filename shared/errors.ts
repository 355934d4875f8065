/**
 * Typed service errors. Domain and data code throw these with a stable `code`; the HTTP
 * error middleware is the one place that turns them into problem details.
 */

/** Every error code a client may see, with its HTTP status and a short title. */
export const ERROR_CODES = {
  invalid_json: { status: 400, title: 'Body is not valid JSON' },
  validation_failed: { status: 400, title: 'Request failed validation' },
  idempotency_key_missing: { status: 400, title: 'Idempotency-Key header is required' },
  invalid_sales_id: { status: 400, title: 'Malformed sales ID' },
  invalid_query: { status: 400, title: 'Invalid query' },
  invalid_cursor: { status: 400, title: 'Invalid cursor' },
  not_found: { status: 404, title: 'No such route' },
  sale_not_found: { status: 404, title: 'Sale not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  idempotency_in_progress: { status: 409, title: 'A request with this key is in progress' },
  sale_not_active: { status: 409, title: 'Sale is not active' },
  sale_already_active: { status: 409, title: 'Sale is already active' },
  payment_conflict: { status: 409, title: 'Payment ID reused with other content' },
  usage_conflict: { status: 409, title: 'Usage event ID reused with other content' },
  version_conflict: { status: 412, title: 'Sale has changed since it was read' },
  payload_too_large: { status: 413, title: 'Body exceeds 64 KiB' },
  unsupported_media_type: { status: 415, title: 'Body must be application/json' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused with another body' },
  currency_mismatch: { status: 422, title: 'Currency differs from the sale' },
  precondition_required: { status: 428, title: 'If-Match header is required' },
  throttled: { status: 503, title: 'Service is busy, retry later' },
  internal_error: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One offending field, located by JSON Pointer (RFC 6901). */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export interface ServiceErrorOptions {
  /** Field-level details, for validation errors. */
  readonly errors?: readonly FieldError[];
  /** Extra problem members the contract names, such as `currentVersion`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Response headers the error implies, such as `Retry-After` or `Allow`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The underlying error, for logs only; never shown to a client. */
  readonly cause?: unknown;
}

/** An error with a stable code that maps to one HTTP status. */
export class ServiceError extends Error {
  readonly status: number;
  readonly errors?: readonly FieldError[];
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: ServiceErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ServiceError';
    this.status = ERROR_CODES[code].status;
    this.errors = options.errors;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

/** True for a ServiceError with the given code. */
export function hasCode(error: unknown, code: ErrorCode): error is ServiceError {
  return error instanceof ServiceError && error.code === code;
}
