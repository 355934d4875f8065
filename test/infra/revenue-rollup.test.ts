import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

import { DataTables } from '../../infra/constructs/data-tables';
import { RevenueRollup } from '../../infra/constructs/revenue-rollup';
import { ROLLUP_STREAM } from '../../shared/config/stream';

// One bare stack with just the tables and the rollup, bundling skipped.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'RollupUnderTest');
const tables = new DataTables(stack, 'Data');
const rollup = new RevenueRollup(stack, 'Rollup', {
  salesTable: tables.salesTable,
  revenueTable: tables.revenueTable,
});
const template = Template.fromStack(stack);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function rollupStatements(): Statement[] {
  const roleId = stack.getLogicalId(rollup.function.role!.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });

  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

describe('RevenueRollup', () => {
  it('maps the sales stream with the shared batching, retry and filter settings', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SalesTable'), 'StreamArn'] },
      StartingPosition: ROLLUP_STREAM.startingPosition,
      BatchSize: ROLLUP_STREAM.batchSize,
      MaximumBatchingWindowInSeconds: ROLLUP_STREAM.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: ROLLUP_STREAM.retryAttempts,
      MaximumRecordAgeInSeconds: ROLLUP_STREAM.maxRecordAgeSeconds,
      ParallelizationFactor: ROLLUP_STREAM.parallelizationFactor,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(ROLLUP_STREAM.filterPattern) }] },
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [
              stack.getLogicalId(rollup.deadLetterQueue.node.defaultChild as never),
              'Arn',
            ],
          },
        },
      },
    });
  });

  it('sends what keeps failing to an encrypted queue that refuses plain HTTP', () => {
    const queueId = stack.getLogicalId(rollup.deadLetterQueue.node.defaultChild as never);

    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
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

  it('grants only the revenue item actions it uses and stream reads on the sales stream', () => {
    const statements = rollupStatements();
    const actions = statements.flatMap((statement) => [statement.Action].flat());

    const revenue = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes('RevenueTable'),
    );
    expect(revenue.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']),
    );
    expect(actions.some((action) => action.endsWith('*'))).toBe(false);
  });

  it('names * only for the X-Ray actions, which accept no narrower resource', () => {
    const starred = rollupStatements().filter((statement) =>
      [statement.Resource].flat().includes('*'),
    );

    expect(starred.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
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
          .filter((resource) => resource.constructPath?.includes('/Rollup/'))
          .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    expect(findings).toEqual([]);
  });
});
