import { z } from 'zod';

import { openApiPage } from '../../infra/local/openapi-page';
import { ROUTES } from '../../shared/config/routes';
import { ERROR_CODES } from '../../shared/errors';
import { buildOpenApiDocument } from '../../shared/openapi/document';
import { amendSaleBody, changeReasonBody } from '../../shared/validation/change-sale';
import { createSaleBody } from '../../shared/validation/create-sale';
import { listSalesQuery } from '../../shared/validation/list-sales';
import { recordPaymentBody } from '../../shared/validation/payment';
import { monthsQuery, movementsQuery, mrrQuery } from '../../shared/validation/revenue-queries';
import { recordUsageBody } from '../../shared/validation/usage';

interface Operation {
  operationId: string;
  parameters?: ({ $ref: string } | { name: string; in: string; schema: unknown })[];
  requestBody?: {
    required: boolean;
    content: { 'application/json': { schema: { $ref: string } } };
  };
  responses: Record<string, unknown>;
}

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

const document = buildOpenApiDocument() as unknown as Document;

const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

const operationFor = (id: string): Operation =>
  operations.find(({ operation }) => operation.operationId === id)!.operation;

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and survives a JSON round trip unchanged', () => {
    const text = JSON.stringify(document);

    expect(document.openapi).toBe('3.1.0');
    expect(JSON.parse(text)).toEqual(document);
  });

  it('lists exactly the declared routes, each under its route ID', () => {
    const listed = operations.map(({ path, method, operation }) => [
      `${method.toUpperCase()} ${path}`,
      operation.operationId,
    ]);

    const declared = ROUTES.map((route) => [`${route.method} ${route.path}`, route.id]);
    expect(listed.sort()).toEqual(declared.sort());
  });

  it('resolves every $ref it contains', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);

    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect({ ref, resolved: resolve(ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  it.each([
    ['create-sale', createSaleBody],
    ['amend-sale', amendSaleBody],
    ['cancel-sale', changeReasonBody],
    ['reactivate-sale', changeReasonBody],
    ['record-payment', recordPaymentBody],
    ['record-usage', recordUsageBody],
  ] as const)('describes the %s body with the JSON Schema of its zod schema', (id, schema) => {
    const body = operationFor(id).requestBody;

    const described = resolve(body!.content['application/json'].schema.$ref);
    const { $schema: _dialect, ...generated } = z.toJSONSchema(schema, { io: 'input' });
    expect(described).toEqual(generated);
    expect(described).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it.each([
    ['create-sale', true],
    ['amend-sale', true],
    ['cancel-sale', false],
    ['reactivate-sale', false],
    ['record-payment', true],
    ['record-usage', true],
  ] as const)('marks the %s body required: %s', (id, required) => {
    expect(operationFor(id).requestBody?.required).toBe(required);
  });

  it.each([
    ['list-sales', listSalesQuery],
    ['get-mrr', mrrQuery],
    ['get-movements', movementsQuery],
    ['get-months', monthsQuery],
  ] as const)('lists the %s query parameters its zod schema accepts', (id, schema) => {
    const parameters = (operationFor(id).parameters ?? []).filter(
      (parameter): parameter is { name: string; in: string; schema: unknown } =>
        'in' in parameter && parameter.in === 'query',
    );

    const properties = (
      z.toJSONSchema(schema, { io: 'input' }) as {
        properties: Record<string, unknown>;
      }
    ).properties;
    expect(parameters.map((parameter) => parameter.name).sort()).toEqual(
      Object.keys(properties).sort(),
    );
    for (const parameter of parameters) {
      expect(parameter.schema).toEqual(properties[parameter.name]);
    }
  });

  it('requires Idempotency-Key on create and If-Match on amendments', () => {
    const headerRefs = (id: string): string[] =>
      (operationFor(id).parameters ?? []).flatMap((p) => ('$ref' in p ? [p.$ref] : []));

    expect(headerRefs('create-sale')).toContain('#/components/parameters/IdempotencyKey');
    expect(headerRefs('amend-sale')).toContain('#/components/parameters/IfMatchRequired');
    expect(resolve('#/components/parameters/IdempotencyKey')).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
    });
  });

  it('documents ETag, Location and Idempotent-Replayed on a created sale', () => {
    const created = operationFor('create-sale').responses['201'] as {
      headers: Record<string, unknown>;
    };

    expect(Object.keys(created.headers).sort()).toEqual([
      'ETag',
      'Idempotent-Replayed',
      'Location',
    ]);
  });

  it('answers errors with the problem-details schema naming every error code', () => {
    const problem = resolve('#/components/schemas/Problem') as {
      properties: { code: { enum: string[] } };
    };

    expect(problem.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const { operation } of operations) {
      expect(operation.responses['400']).toEqual({ $ref: '#/components/responses/E400' });
    }
  });

  it('validates a path sales ID with the sales ID pattern', () => {
    const salesId = resolve('#/components/parameters/SalesId') as { schema: { pattern: string } };

    const pattern = new RegExp(salesId.schema.pattern);
    expect(pattern.test('sale_2JQ0xWy2bJ5bJ5bJ5bJ5bJ5bJ5b')).toBe(true);
    expect(pattern.test('sale_short')).toBe(false);
  });
});

describe('the local /openapi.json page', () => {
  it('serves the document as JSON', () => {
    const result = openApiPage('GET', '/openapi.json');

    expect(result?.statusCode).toBe(200);
    expect(result?.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(result!.body)).toEqual(document);
  });

  it('leaves every other path and method to the API', () => {
    expect(openApiPage('GET', '/sales')).toBeUndefined();
    expect(openApiPage('POST', '/openapi.json')).toBeUndefined();
  });
});
