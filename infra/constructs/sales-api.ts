import { Duration } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
  type IResource,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import {
  FALLBACK_ROUTE_ID,
  ROUTES,
  routeEntry,
  type RouteDeclaration,
  type TableAction,
} from '../../shared/config/routes';
import { ServiceFunction } from './service-function';

export interface SalesApiProps {
  readonly salesTable: ITableV2;
  readonly revenueTable: ITableV2;
}

/**
 * The REST API: one function per declared route, IAM authorization on every method, and
 * a fallback function behind `ANY` methods so unknown paths and methods get problem details.
 */
export class SalesApi extends Construct {
  readonly api: RestApi;
  readonly functions: ReadonlyMap<string, ServiceFunction>;

  constructor(scope: Construct, id: string, props: SalesApiProps) {
    super(scope, id);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'sales-id',
      description: 'Issues sales IDs and serves the facts and revenue behind them',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
      cloudWatchRole: true,
    });
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: false,
      validateRequestParameters: true,
    });

    const environment = {
      SALES_TABLE: props.salesTable.tableName,
      REVENUE_TABLE: props.revenueTable.tableName,
    };
    const functions = new Map<string, ServiceFunction>();
    for (const route of ROUTES) {
      const fn = new ServiceFunction(this, pascal(route.id), {
        entry: routeEntry(route.id),
        description: route.description,
        environment,
      });
      grantTableAccess(fn, route, props);
      resourceFor(this.api.root, route.path).addMethod(route.method, new LambdaIntegration(fn), {
        requestValidator: validator,
      });
      functions.set(route.id, fn);
    }

    const fallback = new ServiceFunction(this, pascal(FALLBACK_ROUTE_ID), {
      entry: routeEntry(FALLBACK_ROUTE_ID),
      description: 'Answers unknown routes with 404 and wrong methods with 405',
      timeout: Duration.seconds(3),
      memorySize: 256,
    });
    const fallbackIntegration = new LambdaIntegration(fallback);
    const paths = new Set(ROUTES.map((route) => route.path));
    for (const path of paths) {
      resourceFor(this.api.root, path).addMethod('ANY', fallbackIntegration);
    }
    this.api.root.addMethod('ANY', fallbackIntegration);
    this.api.root.addProxy({ defaultIntegration: fallbackIntegration, anyMethod: true });
    functions.set(FALLBACK_ROUTE_ID, fallback);

    this.functions = functions;
  }
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
      resources.push(`${props.salesTable.tableArn}/index/*`);
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

function resourceFor(root: IResource, path: string): IResource {
  return path
    .split('/')
    .filter(Boolean)
    .reduce((parent, part) => parent.getResource(part) ?? parent.addResource(part), root);
}

const pascal = (id: string): string =>
  id.replace(/(^|-)(\w)/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
