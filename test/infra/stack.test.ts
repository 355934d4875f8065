import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';

import { buildApp } from '../../infra/app';
import { ROUTES, type RouteDeclaration } from '../../shared/config/routes';
import { SALES_TABLE } from '../../shared/config/tables';

// One synthesis for the whole file, bundling skipped: these tests read the template only.
const outdir = mkdtempSync(join(tmpdir(), 'sales-id-synth-'));
const { stack } = buildApp({ 'aws:cdk:bundling-stacks': [] }, { outdir });
const template = Template.fromStack(stack);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});
const json = template.toJSON() as { Resources: Record<string, CfnResource> };
const resources = Object.entries(json.Resources);

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const ofType = (type: string): [string, CfnResource][] =>
  resources.filter(([, resource]) => resource.Type === type);

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const statementsOf = (resource: CfnResource): Statement[] =>
  (resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;

/** The logical ID of the function a route's code runs in, found by its entry description. */
function functionOf(route: RouteDeclaration): string {
  const found = ofType('AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties?.Description === route.description,
  );
  expect(found).toHaveLength(1);

  return found[0]![0];
}

/** Every statement the function's role is granted, by inline policy. */
function roleStatements(functionId: string): Statement[] {
  const fn = json.Resources[functionId]!;
  const roleRef = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties?.Roles as { Ref: string }[]).some((role) => role.Ref === roleRef),
    )
    .flatMap(([, policy]) => statementsOf(policy));
}

const refersTo = (value: unknown, logicalId: string): boolean =>
  JSON.stringify(value).includes(`"${logicalId}"`);

describe('the synthesized stack', () => {
  it('has no cdk-nag AwsSolutions finding left unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('gives every acknowledged cdk-nag finding a reason of at least a sentence', () => {
    const reasons = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));

    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason).toMatch(/^[A-Z].{40,}[.]$/s);
    }
  });

  it('requires AWS_IAM authorization on every API method, fallbacks included', () => {
    const methods = ofType('AWS::ApiGateway::Method');

    const declaredPaths = new Set(ROUTES.map((route) => route.path));
    // Each declared route, an ANY fallback per declared path, the root ANY and the proxy ANY.
    expect(methods).toHaveLength(ROUTES.length + declaredPaths.size + 2);
    for (const [, method] of methods) {
      expect(method.Properties?.AuthorizationType).toBe('AWS_IAM');
    }
  });

  it('validates requests in API Gateway on every declared route', () => {
    const validators = ofType('AWS::ApiGateway::RequestValidator');

    expect(validators).toHaveLength(1);
    expect(validators[0]![1].Properties).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const validated = ofType('AWS::ApiGateway::Method').filter(
      ([, method]) => method.Properties?.RequestValidatorId !== undefined,
    );
    expect(validated).toHaveLength(ROUTES.length);
  });

  it('answers the errors API Gateway raises itself as problem details with stable codes', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties!);
    const byType = new Map(responses.map((r) => [r.ResponseType as string, r]));

    const denied = byType.get('ACCESS_DENIED');
    const body = (denied?.ResponseTemplates as Record<string, string>)['application/json']!;

    expect(JSON.parse(body.replace('$context.error.messageString', '"denied"'))).toEqual({
      type: 'https://sales-id.example/problems/access_denied',
      title: 'The caller may not use this route',
      status: 403,
      detail: 'denied',
      code: 'access_denied',
    });
    for (const response of responses) {
      const template = (response.ResponseTemplates as Record<string, string>)['application/json'];
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      });
      expect(template).toMatch(/"code":"[a-z_]+"/);
    }
    expect([...byType.keys()]).toEqual(
      expect.arrayContaining(['MISSING_AUTHENTICATION_TOKEN', 'THROTTLED', 'DEFAULT_5XX']),
    );
  });

  it('throttles, traces and logs the stage with JSON access logs', () => {
    const stages = ofType('AWS::ApiGateway::Stage');

    expect(stages).toHaveLength(1);
    const stage = stages[0]![1].Properties!;
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      }),
    ]);
    const format = (stage.AccessLogSetting as { Format: string }).Format;
    // The status is written unquoted, so the line is JSON once API Gateway fills it in.
    expect(JSON.parse(format.replace('$context.status', '503'))).toMatchObject({
      requestId: '$context.requestId',
      status: 503,
      caller: '$context.identity.caller',
    });
  });

  it.each(ROUTES.map((route) => [route.id, route] as const))(
    'grants %s only the table actions its declaration lists',
    (_id, route) => {
      const statements = roleStatements(functionOf(route));

      const tableStatements = statements.filter((statement) =>
        asList(statement.Action).some((action) => action.startsWith('dynamodb:')),
      );
      const granted = tableStatements.flatMap((statement) => asList(statement.Action)).sort();
      const declared = [...(route.access.sales ?? []), ...(route.access.revenue ?? [])].sort();
      expect(granted).toEqual(declared);
      for (const statement of tableStatements) {
        expect(asList(statement.Action).every((action) => !action.includes('*'))).toBe(true);
        for (const resource of asList(statement.Resource)) {
          expect(JSON.stringify(resource)).not.toMatch(/\*/);
        }
      }
      const others = statements.filter((statement) => !tableStatements.includes(statement));
      const otherActions = others.flatMap((statement) => asList(statement.Action)).sort();
      expect(otherActions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', ...XRAY_ACTIONS]);
    },
  );

  it('names the sales indexes one by one for the look-up route, never index/*', () => {
    const listSales = ROUTES.find((route) => route.access.salesIndexes)!;

    const resources = roleStatements(functionOf(listSales))
      .filter((statement) => asList(statement.Action).includes('dynamodb:Query'))
      .flatMap((statement) => asList(statement.Resource));
    const text = JSON.stringify(resources);
    for (const index of SALES_TABLE.indexes) {
      expect(text).toContain(`/index/${index.indexName}`);
    }
    expect(text).not.toContain('/index/*');
  });

  it('lets no policy name a * resource except for the X-Ray actions', () => {
    const policies = [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')];

    const wildcard = policies
      .flatMap(([, policy]) => statementsOf(policy))
      .filter((statement) => asList(statement.Resource).includes('*'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const statement of wildcard) {
      expect(asList(statement.Action).sort()).toEqual(XRAY_ACTIONS);
    }
  });

  it('grants no wildcard action in any function policy', () => {
    const actions = ofType('AWS::IAM::Policy')
      .flatMap(([, policy]) => statementsOf(policy))
      .flatMap((statement) => asList(statement.Action));

    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('attaches no AWS managed policy to any function role', () => {
    const roles = ofType('AWS::IAM::Role').filter(([, role]) =>
      JSON.stringify(role.Properties?.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
    );

    expect(roles.length).toBeGreaterThanOrEqual(ROUTES.length + 1);
    for (const [, role] of roles) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it.each(['checkout', 'support'] as const)(
    'exports a %s policy invoking exactly the routes of that audience',
    (audience) => {
      const policies = ofType('AWS::IAM::ManagedPolicy').filter(([, policy]) =>
        String(policy.Properties?.Description).toLowerCase().includes(audience),
      );

      expect(policies).toHaveLength(1);
      const statements = statementsOf(policies[0]![1]);
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Action).toBe('execute-api:Invoke');
      const granted = asList(statements[0]!.Resource)
        .map((resource) => joinedTail(resource))
        .sort();
      const expected = ROUTES.filter((route) => route.audience.includes(audience))
        .map((route) => `/v1/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`)
        .sort();
      expect(granted).toEqual(expected);
    },
  );

  it('keeps support read-only: its policy opens no POST route', () => {
    const support = ofType('AWS::IAM::ManagedPolicy').find(([, policy]) =>
      String(policy.Properties?.Description).includes('support'),
    )!;

    expect(JSON.stringify(support[1].Properties?.PolicyDocument)).not.toContain('/POST/');
  });

  it('encrypts both tables and protects them with PITR and deletion protection', () => {
    const tables = ofType('AWS::DynamoDB::GlobalTable');

    expect(tables).toHaveLength(2);
    for (const [, table] of tables) {
      expect(table.Properties?.SSESpecification).toMatchObject({ SSEEnabled: true });
      const replica = (table.Properties?.Replicas as Record<string, unknown>[])[0]!;
      expect(replica.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(replica.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('sets a retention period on every log group, API execution logs included', () => {
    const groups = ofType('AWS::Logs::LogGroup');

    for (const [, group] of groups) {
      expect(group.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
    const names = groups.map(([, group]) => JSON.stringify(group.Properties?.LogGroupName ?? ''));
    expect(names.some((name) => name.includes('API-Gateway-Execution-Logs_'))).toBe(true);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const logGroup = (fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)
        ?.LogGroup;
      expect({ id, hasOwnLogGroup: logGroup !== undefined }).toEqual({ id, hasOwnLogGroup: true });
    }
  });

  it('traces every function with X-Ray and sets its log level from the environment', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      const variables = (fn.Properties?.Environment as { Variables: Record<string, string> })
        .Variables;
      expect(variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'sales-id',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'SalesIdService',
      });
    }
  });

  it('gives every alarm a description and the encrypted alarm topic as action', () => {
    const [topicId, topic] = ofType('AWS::SNS::Topic')[0]!;
    const alarms = ofType('AWS::CloudWatch::Alarm');

    expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    expect(alarms.length).toBeGreaterThan(ROUTES.length);
    for (const [, alarm] of alarms) {
      expect(String(alarm.Properties?.AlarmDescription).length).toBeGreaterThan(40);
      expect(refersTo(alarm.Properties?.AlarmActions, topicId)).toBe(true);
    }
    const names = alarms.map(([, alarm]) => alarm.Properties?.AlarmName);
    expect(names).toEqual(expect.arrayContaining(['sales-id-api-5xx-rate']));
  });

  it('requires TLS on the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('charts MRR, ARR, latency, errors, throttles and drift on one dashboard', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');

    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]![1].Properties?.DashboardBody);
    for (const fragment of [
      'MetricName=\\\\\\"Mrr\\\\\\"',
      'MetricName=\\\\\\"Arr\\\\\\"',
      'MetricName=\\\\\\"Movements\\\\\\"',
      'MetricName=\\\\\\"MrrDrift\\\\\\"',
      'p50',
      'p99',
      '5XXError',
      '4XXError',
      'Throttles',
      'Duration',
    ]) {
      expect(body).toContain(fragment);
    }
  });

  it('saves the Logs Insights queries operators start from', () => {
    const names = ofType('AWS::Logs::QueryDefinition').map(([, query]) => query.Properties?.Name);

    expect(names).toEqual(
      expect.arrayContaining([
        'sales-id/sale-story',
        'sales-id/replays-and-conflicts',
        'sales-id/api-errors',
      ]),
    );
  });

  it('finds a sale across the log group of every function', () => {
    const story = ofType('AWS::Logs::QueryDefinition').find(
      ([, query]) => query.Properties?.Name === 'sales-id/sale-story',
    )!;

    const groups = story[1].Properties?.LogGroupNames as unknown[];
    expect(groups).toHaveLength(ofType('AWS::Lambda::Function').length);
  });

  it("alarms on dead letters, iterator age, 5xx rate, drift and every function's errors", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);
    const named = (name: string) => alarms.find((alarm) => alarm.AlarmName === name);

    expect(named('sales-id-revenue-rollup-dlq-not-empty')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(named('sales-id-revenue-schedules-dlq-not-empty')).toBeDefined();
    expect(named('sales-id-rollup-iterator-age')).toMatchObject({ MetricName: 'IteratorAge' });
    expect(named('sales-id-api-5xx-rate')).toBeDefined();
    expect(named('revenue-mrr-drift')).toMatchObject({ MetricName: 'MrrDrift', Threshold: 0 });
    const functionCount = ofType('AWS::Lambda::Function').length;
    const errorAlarms = alarms.filter((alarm) => alarm.MetricName === 'Errors');
    expect(errorAlarms).toHaveLength(functionCount);
  });

  it('charts the rollup iterator age and the dead-letter queue depth', () => {
    const body = JSON.stringify(ofType('AWS::CloudWatch::Dashboard')[0]![1].Properties);

    expect(body).toContain('IteratorAge');
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('saves a rollup-failures query over the rollup and both scheduled functions', () => {
    const query = ofType('AWS::Logs::QueryDefinition').find(
      ([, definition]) => definition.Properties?.Name === 'sales-id/rollup-failures',
    );

    expect(query).toBeDefined();
    expect(query![1].Properties?.LogGroupNames).toHaveLength(3);
  });

  it('outputs the API URL, table names, dashboard link and policy ARNs', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);

    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'SalesTableName',
        'RevenueTableName',
        'DashboardUrl',
        'CheckoutPolicyArn',
        'SupportPolicyArn',
      ]),
    );
  });

  it('tags every taggable resource with the service and owner', () => {
    const taggable = [
      'AWS::Lambda::Function',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Stage',
      'AWS::SNS::Topic',
      'AWS::KMS::Key',
      'AWS::SQS::Queue',
      'AWS::CloudWatch::Alarm',
    ];

    for (const [id, resource] of resources.filter(([, r]) => taggable.includes(r.Type))) {
      const tags = JSON.stringify(resource.Properties?.Tags ?? []);
      expect({ id, tagged: tags.includes('"sales-id"') && tags.includes('"owner"') }).toEqual({
        id,
        tagged: true,
      });
    }
    for (const [, table] of ofType('AWS::DynamoDB::GlobalTable')) {
      const replica = (table.Properties?.Replicas as { Tags?: unknown }[])[0]!;
      expect(JSON.stringify(replica.Tags)).toContain('"sales-id"');
    }
  });
});

/** The stage/method/path tail of an execute-api ARN built with Fn::Join. */
function joinedTail(resource: unknown): string {
  const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const last = parts[parts.length - 1];

  return String(last);
}
