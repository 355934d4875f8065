import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
  type IResource,
  type Method,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import {
  FALLBACK_ROUTE_ID,
  ROUTES,
  routeEntry,
  type RouteDeclaration,
  type TableAction,
} from '../../shared/config/routes';
import { SALES_TABLE } from '../../shared/config/tables';
import { LOG_RETENTION, ServiceFunction } from './service-function';

/** The API's one stage; callers' policies and the URL name it. */
export const STAGE_NAME = 'v1';

export interface SalesApiProps {
  readonly salesTable: ITableV2;
  readonly revenueTable: ITableV2;
  /** Steady-state requests per second across the stage. @default 100 */
  readonly throttlingRateLimit?: number;
  /** Burst above the rate limit the stage absorbs. @default 200 */
  readonly throttlingBurstLimit?: number;
}

/**
 * The REST API: one function per declared route, IAM authorization on every method
 * (including the `ANY` fallbacks), stage throttling, JSON access logs, execution logs with a
 * retention period, and problem-details bodies for the errors API Gateway answers itself.
 */
export class SalesApi extends Construct {
  readonly api: RestApi;
  /** Route functions by route ID, plus the fallback under FALLBACK_ROUTE_ID. */
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  /** The API method of each declared route, by route ID. */
  readonly methods: ReadonlyMap<string, Method>;
  readonly accessLogs: LogGroup;
  readonly executionLogs: LogGroup;

  constructor(scope: Construct, id: string, props: SalesApiProps) {
    super(scope, id);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'sales-id',
      description: 'Issues sales IDs and serves the facts and revenue behind them',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
      // API Gateway needs an account-level role to write execution logs at all.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
    });
    // API Gateway creates this group on first use with no retention; owning it sets one.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    addProblemResponses(this.api);

    // Bodies have no API Gateway models on purpose: the function validates them and answers
    // with the contract's problem details, pointing at each offending field.
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const environment = {
      SALES_TABLE: props.salesTable.tableName,
      REVENUE_TABLE: props.revenueTable.tableName,
    };
    const functions = new Map<string, ServiceFunction>();
    const methods = new Map<string, Method>();
    for (const route of ROUTES) {
      const fn = new ServiceFunction(this, pascal(route.id), {
        entry: routeEntry(route.id),
        description: route.description,
        environment,
      });
      grantTableAccess(fn, route, props);
      const resource = resourceFor(this.api.root, route.path);
      const method = resource.addMethod(route.method, integration(fn), {
        requestValidator: validator,
        requestParameters: pathParameters(route.path),
      });
      functions.set(route.id, fn);
      methods.set(route.id, method);
    }

    const fallback = new ServiceFunction(this, pascal(FALLBACK_ROUTE_ID), {
      entry: routeEntry(FALLBACK_ROUTE_ID),
      description: 'Answers unknown routes with 404 and wrong methods with 405',
      timeout: Duration.seconds(3),
      memorySize: 256,
    });
    const fallbackIntegration = integration(fallback);
    const paths = new Set(ROUTES.map((route) => route.path));
    for (const path of paths) {
      resourceFor(this.api.root, path).addMethod('ANY', fallbackIntegration);
    }
    this.api.root.addMethod('ANY', fallbackIntegration);
    this.api.root.addProxy({ defaultIntegration: fallbackIntegration, anyMethod: true });
    functions.set(FALLBACK_ROUTE_ID, fallback);

    this.functions = functions;
    this.methods = methods;
  }

  /** The `execute-api:Invoke` ARN of one declared route on the stage. */
  invokeArn(route: RouteDeclaration): string {
    // IAM matches path parameters by wildcard: `/sales/{salesId}` is `/sales/*`.
    const path = route.path.replace(/\{[^}]+\}/g, '*');

    return this.api.arnForExecuteApi(route.method, path, STAGE_NAME);
  }

  /** The stage's URL, `https://<id>.execute-api.<region>.amazonaws.com/v1/`. */
  get url(): string {
    return this.api.url;
  }
}

// Test invocations from the console would need a second permission per method; the stage's
// own permission is all callers use.
const integration = (fn: ServiceFunction): LambdaIntegration =>
  new LambdaIntegration(fn, { allowTestInvoke: false });

function accessLogFormat(): AccessLogFormat {
  const format = JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    path: AccessLogField.contextPath(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    errorMessage: AccessLogField.contextErrorMessage(),
    errorType: AccessLogField.contextErrorResponseType(),
    caller: AccessLogField.contextIdentityCaller(),
    userArn: AccessLogField.contextIdentityUserArn(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    xrayTraceId: AccessLogField.contextXrayTraceId(),
  });

  // The status is always a number: unquoted, Logs Insights compares it as one (status >= 500).
  return AccessLogFormat.custom(
    format.replace(`"${AccessLogField.contextStatus()}"`, AccessLogField.contextStatus()),
  );
}

/**
 * Errors API Gateway answers itself, before any function runs, each with a stable
 * snake_case `code` and its status, as the problem details the functions give.
 */
const GATEWAY_PROBLEMS: readonly (readonly [ResponseType, number, string, string])[] = [
  [ResponseType.MISSING_AUTHENTICATION_TOKEN, 403, 'missing_authentication', 'Sign the request'],
  [ResponseType.INVALID_SIGNATURE, 403, 'invalid_signature', 'The signature does not match'],
  [ResponseType.EXPIRED_TOKEN, 403, 'expired_credentials', 'The credentials have expired'],
  [ResponseType.ACCESS_DENIED, 403, 'access_denied', 'The caller may not use this route'],
  [ResponseType.THROTTLED, 429, 'rate_limited', 'Too many requests, retry later'],
  [ResponseType.QUOTA_EXCEEDED, 429, 'quota_exceeded', 'The usage quota is spent'],
  [ResponseType.REQUEST_TOO_LARGE, 413, 'payload_too_large', 'Body exceeds 64 KiB'],
  [ResponseType.UNSUPPORTED_MEDIA_TYPE, 415, 'unsupported_media_type', 'Body must be JSON'],
  [ResponseType.BAD_REQUEST_PARAMETERS, 400, 'validation_failed', 'Request failed validation'],
  [ResponseType.BAD_REQUEST_BODY, 400, 'validation_failed', 'Request failed validation'],
  [ResponseType.INTEGRATION_TIMEOUT, 504, 'upstream_timeout', 'The request took too long'],
];

function addProblemResponses(api: RestApi): void {
  const responseHeaders = { 'Content-Type': "'application/problem+json'" };
  const template = (status: number | undefined, code: string, title: string) => ({
    'application/json': JSON.stringify({
      type: `https://sales-id.example/problems/${code}`,
      title,
      ...(status === undefined ? {} : { status }),
      detail: '@message',
      code,
    }).replace('"@message"', '$context.error.messageString'),
  });

  for (const [type, status, code, title] of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`Problem${type.responseType}`, {
      type,
      responseHeaders,
      templates: template(status, code, title),
    });
  }
  // Anything else the gateway refuses; its status line says which 4xx or 5xx it is, since
  // templates have no variable holding the status.
  api.addGatewayResponse('Default4xx', {
    type: ResponseType.DEFAULT_4XX,
    responseHeaders,
    templates: template(undefined, 'request_refused', 'The API refused the request'),
  });
  api.addGatewayResponse('Default5xx', {
    type: ResponseType.DEFAULT_5XX,
    responseHeaders,
    templates: template(undefined, 'internal_error', 'Internal error'),
  });
}

function grantTableAccess(
  fn: ServiceFunction,
  route: RouteDeclaration,
  props: SalesApiProps,
): void {
  const { access } = route;
  if (access.sales?.length) {
    const resources = [props.salesTable.tableArn];
    if (access.salesIndexes) {
      // Each index by name: no wildcard, and a new index needs a deliberate grant.
      const indexArns = SALES_TABLE.indexes.map(
        (index) => `${props.salesTable.tableArn}/index/${index.indexName}`,
      );
      resources.push(...indexArns);
    }
    fn.addToRolePolicy(statement(access.sales, resources));
  }
  if (access.revenue?.length) {
    fn.addToRolePolicy(statement(access.revenue, [props.revenueTable.tableArn]));
  }
}

function statement(actions: readonly TableAction[], resources: string[]): PolicyStatement {
  return new PolicyStatement({ actions: [...actions], resources });
}

/** Declares the path's `{param}` placeholders as required, for the request validator. */
function pathParameters(path: string): Record<string, boolean> {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');

  return Object.fromEntries(names.map((name) => [`method.request.path.${name}`, true]));
}

function resourceFor(root: IResource, path: string): IResource {
  return path
    .split('/')
    .filter(Boolean)
    .reduce((parent, part) => parent.getResource(part) ?? parent.addResource(part), root);
}

const pascal = (id: string): string =>
  id.replace(/(^|-)(\w)/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
