import { z } from 'zod';

import { ROUTES, type RouteDeclaration } from '../config/routes';
import { ERROR_CODES } from '../errors';
import { amendSaleBody, changeReasonBody } from '../validation/change-sale';
import { createSaleBody, idempotencyKey } from '../validation/create-sale';
import { listSalesQuery } from '../validation/list-sales';
import { recordPaymentBody } from '../validation/payment';
import { monthsQuery, movementsQuery, mrrQuery } from '../validation/revenue-queries';
import { recordUsageBody } from '../validation/usage';

/** A JSON value as it appears in the document. */
type Json = { [key: string]: Json } | Json[] | string | number | boolean | null;
type JsonObject = { [key: string]: Json };

/** What the document says about one route beyond its declaration. */
interface OperationSpec {
  readonly summary: string;
  /** The zod schema the handler parses its body with. */
  readonly body?: z.ZodType;
  /** Whether a request may leave the body out entirely (cancellation, reactivation). */
  readonly bodyOptional?: boolean;
  /** The zod object schema the handler parses its query with. */
  readonly query?: z.ZodType;
  readonly headers?: readonly HeaderParameter[];
  readonly success: { readonly status: number; readonly description: string };
  /** Response headers of the success response. */
  readonly successHeaders?: readonly ResponseHeader[];
  /** Error statuses the route answers besides the ones every route shares. */
  readonly errors: readonly number[];
}

type HeaderParameter = 'IdempotencyKey' | 'IfMatchRequired' | 'IfMatchOptional';
type ResponseHeader = 'ETag' | 'Location' | 'IdempotentReplayed';

const CREATED_SALE = { status: 201, description: 'The new sale, version 1' };
const CHANGED_SALE = { status: 200, description: 'The sale at its new version' };
const CHANGE_HEADERS: readonly ResponseHeader[] = ['ETag'];

/** Route IDs to what their handlers accept; routes not listed still appear, undescribed. */
const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  'create-sale': {
    summary: 'Issue a sales ID for a confirmed checkout',
    body: createSaleBody,
    headers: ['IdempotencyKey'],
    success: CREATED_SALE,
    successHeaders: ['Location', 'ETag', 'IdempotentReplayed'],
    errors: [409, 413, 415, 422],
  },
  'get-sale': {
    summary: 'A sale with its history, payments and usage',
    success: { status: 200, description: 'The sale with every version, oldest first' },
    successHeaders: ['ETag'],
    errors: [404],
  },
  'list-sales': {
    summary: 'Sales by one neighbour key, newest first',
    query: listSalesQuery,
    success: { status: 200, description: '`{ items, nextCursor }`' },
    errors: [],
  },
  'amend-sale': {
    summary: 'Replace the items of an active sale',
    body: amendSaleBody,
    headers: ['IfMatchRequired'],
    success: CHANGED_SALE,
    successHeaders: CHANGE_HEADERS,
    errors: [404, 409, 412, 413, 415, 428],
  },
  'cancel-sale': {
    summary: 'Cancel a sale; its MRR goes to 0',
    body: changeReasonBody,
    bodyOptional: true,
    headers: ['IfMatchOptional'],
    success: CHANGED_SALE,
    successHeaders: CHANGE_HEADERS,
    errors: [404, 409, 412, 413, 415],
  },
  'reactivate-sale': {
    summary: 'Reactivate a cancelled sale',
    body: changeReasonBody,
    bodyOptional: true,
    headers: ['IfMatchOptional'],
    success: CHANGED_SALE,
    successHeaders: CHANGE_HEADERS,
    errors: [404, 409, 412, 413, 415],
  },
  'record-payment': {
    summary: 'Apply a payment to the sale it names',
    body: recordPaymentBody,
    success: { status: 201, description: 'The payment; 200 when the same payment is replayed' },
    errors: [404, 409, 413, 415, 422],
  },
  'record-usage': {
    summary: 'Record metered usage against a sale',
    body: recordUsageBody,
    success: { status: 201, description: 'The usage event; 200 when it is replayed' },
    errors: [404, 409, 413, 415],
  },
  'get-mrr': {
    summary: 'MRR, ARR and active sales of one currency, with breakdowns',
    query: mrrQuery,
    success: { status: 200, description: 'MRR, ARR, active sales, by channel, product, plan' },
    errors: [],
  },
  'get-movements': {
    summary: 'Opening MRR, movements and closing MRR of one month',
    query: movementsQuery,
    success: { status: 200, description: 'The month: opening, movements, closing, counts' },
    errors: [],
  },
  'get-months': {
    summary: 'The month-by-month movements series',
    query: monthsQuery,
    success: { status: 200, description: '`{ currency, months }`, oldest first' },
    errors: [],
  },
};

/** Error statuses any route can answer: bad request, refused signature, throttled, failed. */
const SHARED_ERRORS = [400, 403, 500, 503];

/**
 * The OpenAPI 3.1 document of the API: every route of shared/config/routes.ts, request
 * bodies and queries generated from the zod schemas the handlers validate with.
 */
export function buildOpenApiDocument(): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const schemas: JsonObject = { Problem: PROBLEM_SCHEMA };
  for (const route of ROUTES) {
    const spec = OPERATIONS[route.id];
    if (spec?.body) {
      schemas[schemaName(route)] = jsonSchema(spec.body);
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, spec);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Sales ID service',
      version: '1',
      description:
        'Issues sales IDs for confirmed checkouts and serves the facts and revenue behind ' +
        'them. Amounts are integers in minor units; errors are RFC 9457 problem details.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local stack (`npm start`)' }],
    security: [{ sigv4: [] }],
    paths,
    components: {
      schemas,
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: Object.fromEntries(
        errorStatuses().map((status) => [`E${status}`, problem(status)]),
      ),
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            "AWS Signature Version 4 by an IAM principal holding the stack's checkout or " +
            'support policy (not needed locally).',
        },
      },
    },
  };
}

function operation(route: RouteDeclaration, spec: OperationSpec | undefined): JsonObject {
  const parameters: Json[] = [];
  for (const name of route.path.matchAll(/\{([^}]+)\}/g)) {
    parameters.push(name[1] === 'salesId' ? ref('parameters', 'SalesId') : pathParameter(name[1]));
  }
  for (const header of spec?.headers ?? []) {
    parameters.push(ref('parameters', header));
  }
  parameters.push(...(spec?.query ? queryParameters(spec.query) : []));

  const errors = [...new Set([...SHARED_ERRORS, ...(spec?.errors ?? [])])].sort();
  const responses: JsonObject = {
    [String(spec?.success.status ?? 200)]: {
      description: spec?.success.description ?? 'Success',
      ...(spec?.successHeaders
        ? {
            headers: Object.fromEntries(
              spec.successHeaders.map((header) => [headerName(header), ref('headers', header)]),
            ),
          }
        : {}),
      content: { 'application/json': { schema: { type: 'object' } } },
    },
    ...Object.fromEntries(errors.map((status) => [String(status), ref('responses', `E${status}`)])),
  };

  return {
    operationId: route.id,
    summary: spec?.summary ?? route.description,
    description: route.description,
    tags: [route.path.startsWith('/revenue') ? 'revenue' : 'sales'],
    'x-audience': [...route.audience],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec?.body
      ? {
          requestBody: {
            required: !spec.bodyOptional,
            content: { 'application/json': { schema: ref('schemas', schemaName(route)) } },
          },
        }
      : {}),
    responses,
  };
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), describing what clients send. */
export function jsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonObject;

  return rest;
}

function queryParameters(schema: z.ZodType): Json[] {
  const object = jsonSchema(schema) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };

  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

function pathParameter(name: string | undefined): JsonObject {
  return { name: name ?? '', in: 'path', required: true, schema: { type: 'string' } };
}

const ref = (section: string, name: string): JsonObject => ({
  $ref: `#/components/${section}/${name}`,
});

const pascal = (id: string): string =>
  id.replace(/(^|-)(\w)/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

const schemaName = (route: RouteDeclaration): string => `${pascal(route.id)}Request`;

const headerName = (header: ResponseHeader): string =>
  header === 'IdempotentReplayed' ? 'Idempotent-Replayed' : header;

function errorStatuses(): number[] {
  const specs = Object.values(OPERATIONS).flatMap((spec) => spec.errors);

  return [...new Set([...SHARED_ERRORS, ...specs])].sort();
}

function problem(status: number): JsonObject {
  const codes = Object.entries(ERROR_CODES)
    .filter(([, entry]) => entry.status === status)
    .map(([code]) => code);

  // A busy idempotency key (409) and a throttled service (503) say when to retry.
  const retryAfter = status === 409 || status === 503;

  return {
    description: codes.length > 0 ? `Problem details; code ${codes.join(', ')}` : 'Problem details',
    ...(retryAfter ? { headers: { 'Retry-After': ref('headers', 'RetryAfter') } } : {}),
    content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
  };
}

const PROBLEM_SCHEMA: JsonObject = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: {
          pointer: { type: 'string', description: 'JSON Pointer (RFC 6901) to the field' },
          detail: { type: 'string' },
        },
      },
    },
    currentVersion: { type: 'integer', description: 'With version_conflict: the version now' },
  },
};

const PARAMETERS: JsonObject = {
  SalesId: {
    name: 'salesId',
    in: 'path',
    required: true,
    description: '`sale_` and a 27-character KSUID; malformed IDs get 400 invalid_sales_id',
    schema: { type: 'string', pattern: '^sale_[0-9A-Za-z]{27}$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: true,
    description: 'Same key and body replay the first response; kept at least 24 hours',
    schema: jsonSchema(idempotencyKey),
  },
  IfMatchRequired: {
    name: 'If-Match',
    in: 'header',
    required: true,
    description: 'The ETag of the last read, `"<version>"`; stale versions get 412',
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
  IfMatchOptional: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The ETag of the last read, `"<version>"`; stale versions get 412',
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
};

const HEADERS: JsonObject = {
  ETag: {
    description: 'The sale\'s version, `"<version>"`; send it back as If-Match',
    schema: { type: 'string' },
  },
  Location: { description: 'Path of the new sale, `/sales/{salesId}`', schema: { type: 'string' } },
  RetryAfter: {
    description: 'Seconds to wait before retrying',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored response of an earlier request with the key',
    schema: { type: 'string', enum: ['true'] },
  },
};
