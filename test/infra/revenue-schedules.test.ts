import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { rmSync } from 'node:fs';

import { DataTables } from '../../infra/constructs/data-tables';
import { RevenueSchedules } from '../../infra/constructs/revenue-schedules';

/** Every IAM action granted in the template's policies, per policy logical ID. */
function policyActions(template: Template): Map<string, string[]> {
  const policies = template.findResources('AWS::IAM::Policy');
  const actions = new Map<string, string[]>();
  for (const [id, policy] of Object.entries(policies)) {
    const statements = (policy.Properties.PolicyDocument.Statement ?? []) as {
      Action: string | string[];
    }[];
    actions.set(
      id,
      statements.flatMap((statement) =>
        Array.isArray(statement.Action) ? statement.Action : [statement.Action],
      ),
    );
  }

  return actions;
}

describe('RevenueSchedules', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Schedules');
  const tables = new DataTables(stack, 'Data');
  const schedules = new RevenueSchedules(stack, 'Schedules', {
    salesTable: tables.salesTable,
    revenueTable: tables.revenueTable,
  });
  const template = Template.fromStack(stack);

  afterAll(() => {
    rmSync(app.outdir, { recursive: true, force: true });
  });

  it('fires revenue-daily and revenue-close on their UTC crons', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 0 * * ? *)',
      State: 'ENABLED',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(45 0 1 * ? *)',
    });
  });

  it('retries delivery and sends what cannot be delivered to the dead-letter queue', () => {
    const rules = template.findResources('AWS::Events::Rule');

    expect(Object.keys(rules)).toHaveLength(2);
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: expect.anything() },
        }),
      ]);
    }
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('encrypts the dead-letter queue and refuses plain HTTP to it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms on any MRR drift and tells the operator where to look first', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'MrrDrift',
      Namespace: 'SalesIdService',
      Dimensions: [{ Name: 'service', Value: 'sales-id' }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmDescription: Match.stringLikeRegexp("'MRR drift'.*RECONCILIATION.*repair"),
    });
  });

  it('grants each function only the table actions its code uses', () => {
    const daily = stack.getLogicalId(schedules.dailyFunction.role!.node.defaultChild as never);
    const close = stack.getLogicalId(schedules.closeFunction.role!.node.defaultChild as never);
    const dynamo = (id: string) =>
      [...policyActions(template).entries()]
        .filter(([policyId]) => policyId.startsWith(id.replace(/[0-9A-F]{8}$/, '')))
        .flatMap(([, actions]) => actions.filter((action) => action.startsWith('dynamodb:')))
        .sort();

    expect(dynamo(daily)).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo(close)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
    ]);
  });

  it('names * only for the X-Ray actions, which accept no narrower resource', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );

    const starred = statements.filter((statement) => [statement.Resource].flat().includes('*'));

    expect([...new Set(starred.flatMap((statement) => [statement.Action].flat()))].sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('passes the AwsSolutions checks but for the X-Ray grant the stack acknowledges', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    // applyNagAcknowledgements (infra/nag-acknowledgements.ts) accepts the X-Ray `*` on every
    // function's role in the real stack; this bare stack does not apply it.
    const findings = report.violations
      .filter((violation) => violation.ruleName !== 'AwsSolutions-IAM5[Resource::*]')
      .flatMap((violation) =>
        violation.violatingResources
          .filter((resource) => resource.constructPath?.includes('/Schedules/'))
          .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    expect(findings).toEqual([]);
  });
});
