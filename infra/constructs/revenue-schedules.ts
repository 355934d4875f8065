import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import {
  cronExpression,
  REVENUE_CLOSE,
  REVENUE_DAILY,
  scheduleEntry,
  type ScheduleDeclaration,
} from '../../shared/config/schedules';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/observability/names';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

export interface RevenueSchedulesProps {
  /** The sales, read in full by the daily reconciliation. */
  readonly salesTable: ITableV2;
  /** Live aggregates to check and repair; snapshots, periods and run records go here too. */
  readonly revenueTable: ITableV2;
}

// EventBridge retries delivery a few times within two hours; Lambda then retries a failed
// run twice more. A run is idempotent (conditional snapshot, marker-guarded close), and one
// that fails every time lands in the dead-letter queue for an operator.
const DELIVERY_RETRIES = 3;
const MAX_EVENT_AGE = Duration.hours(2);

const DRIFT_ALARM_DESCRIPTION =
  'MRR aggregates disagree with the sales (MrrDrift > 0). First read the newest ' +
  "revenue-daily log entries 'MRR drift': currency, liveMrr against recomputedMrr, and the " +
  'exact aggregate items that differ; the newest RECONCILIATION item in the RevenueTable ' +
  'holds the same. Then check the rollup dead-letter queue for stream records that never ' +
  'applied. Once the cause is fixed, run revenue-daily with {"repair": true} ' +
  '(npm run rollup -- daily --repair locally).';

/**
 * The scheduled revenue rollups of shared/config/schedules.ts: revenue-daily (snapshot and
 * reconciliation) and revenue-close (month close) on UTC crons, a shared encrypted
 * dead-letter queue for runs that cannot be delivered or keep failing, and the alarm on
 * MRR drift. Each function may use exactly the table actions its code performs.
 */
export class RevenueSchedules extends Construct {
  readonly dailyFunction: ServiceFunction;
  readonly closeFunction: ServiceFunction;
  readonly deadLetterQueue: Queue;
  readonly driftAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RevenueSchedulesProps) {
    super(scope, id);

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters', {
      catches: 'the scheduled rollups',
    });

    this.dailyFunction = this.scheduled(REVENUE_DAILY, props);
    this.dailyFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.salesTable.tableArn] }),
    );
    this.dailyFunction.addToRolePolicy(
      new PolicyStatement({
        // Query: live aggregates; PutItem: snapshots and run records; UpdateItem: repairs.
        actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.revenueTable.tableArn],
      }),
    );

    this.closeFunction = this.scheduled(REVENUE_CLOSE, props);
    this.closeFunction.addToRolePolicy(
      new PolicyStatement({
        // GetItem: the close marker; Scan: currencies and the ledger's breakdowns; Query:
        // month items; PutItem and ConditionCheckItem: the close transactions.
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [props.revenueTable.tableArn],
      }),
    );

    this.driftAlarm = new Alarm(this, 'DriftAlarm', {
      alarmName: 'revenue-mrr-drift',
      alarmDescription: DRIFT_ALARM_DESCRIPTION,
      // The total over all currencies (service dimension only); per currency the same
      // metric carries a `currency` dimension for the dashboard.
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.mrrDrift,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      // One data point a day: between runs the alarm keeps the last run's verdict.
      treatMissingData: TreatMissingData.IGNORE,
    });
  }

  private scheduled(declaration: ScheduleDeclaration, props: RevenueSchedulesProps) {
    const fn = new ServiceFunction(this, pascal(declaration.id), {
      entry: scheduleEntry(declaration.id),
      description: declaration.description,
      environment: {
        SALES_TABLE: props.salesTable.tableName,
        REVENUE_TABLE: props.revenueTable.tableName,
      },
      timeout: Duration.seconds(declaration.timeoutSeconds),
      memorySize: 1024,
    });
    fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    new Rule(this, `${pascal(declaration.id)}Schedule`, {
      description: `${declaration.description} (UTC)`,
      schedule: Schedule.expression(cronExpression(declaration.cron)),
      targets: [
        new LambdaFunction(fn, {
          retryAttempts: DELIVERY_RETRIES,
          maxEventAge: MAX_EVENT_AGE,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    return fn;
  }
}

const pascal = (id: string): string =>
  id.replace(/(^|-)(\w)/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
