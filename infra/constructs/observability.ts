import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  TextWidget,
  type Metric,
  TreatMissingData,
  type AlarmBase,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { QueryDefinition, QueryString, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { METRIC, METRICS_NAMESPACE } from '../../shared/observability/names';

/** A function to chart and alarm on, with the short name operators see. */
export interface WatchedFunction {
  readonly name: string;
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
}

/** A dead-letter queue to chart and alarm on. */
export interface WatchedQueue {
  readonly name: string;
  readonly queue: IQueue;
  /** What lands in this queue and where to look first, for the alarm description. */
  readonly firstLook: string;
}

export interface ObservabilityProps {
  readonly api: RestApi;
  /** Every function of the service: errors, throttles, duration; one error alarm each. */
  readonly functions: readonly WatchedFunction[];
  /** The API's access log group, for the API error query. */
  readonly accessLogs: ILogGroup;
  /** The stream rollup, whose iterator age is charted and alarmed on. @default none */
  readonly streamConsumer?: WatchedFunction;
  /** Functions whose errors make up the rollup-failures query. @default the stream consumer */
  readonly rollupFunctions?: readonly WatchedFunction[];
  /** Dead-letter queues: depth charted, any message alarmed on. @default none */
  readonly deadLetterQueues?: readonly WatchedQueue[];
  /** An alarm built elsewhere (e.g. MRR drift) that should notify the same topic. @default none */
  readonly extraAlarms?: readonly AlarmBase[];
  /** Prefix of the dashboard, alarm and query names. @default 'sales-id' */
  readonly namePrefix?: string;
  /** Iterator age above which the rollup is falling behind. @default 5 minutes */
  readonly maxIteratorAge?: Duration;
}

/**
 * What an operator of the service looks at: one dashboard, alarms that say where to look
 * first and notify an encrypted SNS topic, and saved Logs Insights queries.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly queries: QueryDefinition[] = [];
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.prefix = props.namePrefix ?? 'sales-id';

    this.alarmTopic = alarmTopic(this, this.prefix);
    this.addAlarms(props);
    for (const alarm of props.extraAlarms ?? []) {
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    }
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix,
      defaultInterval: Duration.days(7),
      widgets: dashboardRows(props, this.alarms),
    });
    this.addQueries(props);
  }

  /** The dashboard's console link, for the stack outputs. */
  get dashboardUrl(): string {
    const region = Stack.of(this).region;

    return (
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#dashboards/dashboard/${this.prefix}`
    );
  }

  private alarm(id: string, name: string, props: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.prefix}-${name}`,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);

    return alarm;
  }

  private addAlarms(props: ObservabilityProps): void {
    for (const dlq of props.deadLetterQueues ?? []) {
      this.alarm(`${dlq.name}DlqAlarm`, `${kebab(dlq.name)}-dlq-not-empty`, {
        metric: dlq.queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        description:
          `Messages are waiting in the ${dlq.name} dead-letter queue: ${dlq.firstLook} ` +
          'Once fixed, redrive the queue from the SQS console.',
      });
    }

    if (props.streamConsumer) {
      const maxAge = props.maxIteratorAge ?? Duration.minutes(5);
      this.alarm('IteratorAgeAlarm', 'rollup-iterator-age', {
        metric: iteratorAge(props.streamConsumer.function),
        threshold: maxAge.toMilliseconds(),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description:
          `The revenue rollup is more than ${maxAge.toHumanString()} behind the sales ` +
          "stream: revenue reads are stale. Look first at the rollup function's errors and " +
          'throttles on the dashboard, then run the "rollup-failures" saved query.',
      });
    }

    this.alarm('Api5xxAlarm', 'api-5xx-rate', {
      metric: serverErrorRate(props.api),
      threshold: 1,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description:
        'More than 1% of API requests fail with 5xx. Look first at the "Lambda errors" ' +
        'graph to find the function, then run the "api-errors" saved query for the request ' +
        "IDs and the function's log group for the stack traces.",
    });

    for (const watched of props.functions) {
      this.alarm(`${watched.name}ErrorsAlarm`, `${kebab(watched.name)}-errors`, {
        metric: watched.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        description:
          `The ${watched.name} function threw unhandled errors. Look first at its log group ` +
          `(${watched.name}) for "level":"ERROR" lines, then at its X-Ray traces.`,
      });
    }
  }

  private addQueries(props: ObservabilityProps): void {
    const allLogGroups = props.functions.map((watched) => watched.logGroup);
    const query = (id: string, name: string, logGroups: ILogGroup[], text: QueryString) =>
      this.queries.push(
        new QueryDefinition(this, id, {
          queryDefinitionName: `${this.prefix}/${name}`,
          queryString: text,
          logGroups,
        }),
      );

    query(
      'SaleStoryQuery',
      'sale-story',
      allLogGroups,
      new QueryString({
        fields: [
          '@timestamp',
          'function_name',
          'level',
          'message',
          'salesId',
          'version',
          'idempotencyKey',
          'code',
          'function_request_id',
        ],
        // Replace the placeholder with the sales ID; the text match also finds rollup lines
        // that name the sale inside a movement.
        filterStatements: ['@message like "sale_PASTE_THE_SALES_ID"'],
        sort: '@timestamp asc',
        limit: 1000,
      }),
    );
    query(
      'ReplaysAndConflictsQuery',
      'replays-and-conflicts',
      allLogGroups,
      new QueryString({
        fields: ['@timestamp', 'function_name', 'message', 'code', 'salesId', 'idempotencyKey'],
        filterStatements: [
          'message like /(?i)replay|conflict/ or code in ["idempotency_key_reused", ' +
            '"idempotency_in_progress", "version_conflict", "payment_conflict", ' +
            '"usage_conflict"]',
        ],
        sort: '@timestamp desc',
        limit: 500,
      }),
    );
    const rollups = props.rollupFunctions ?? (props.streamConsumer ? [props.streamConsumer] : []);
    if (rollups.length > 0) {
      query(
        'RollupFailuresQuery',
        'rollup-failures',
        rollups.map((watched) => watched.logGroup),
        new QueryString({
          fields: ['@timestamp', 'function_name', 'level', 'message', 'salesId', 'error.message'],
          filterStatements: ['level = "ERROR" or level = "WARN"'],
          sort: '@timestamp desc',
          limit: 500,
        }),
      );
    }
    query(
      'ApiErrorsQuery',
      'api-errors',
      [props.accessLogs],
      new QueryString({
        fields: [
          '@timestamp',
          'status',
          'httpMethod',
          'path',
          'errorMessage',
          'caller',
          'requestId',
        ],
        filterStatements: ['status >= 500'],
        sort: '@timestamp desc',
        limit: 500,
      }),
    );
  }
}

interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  readonly comparison?: ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

function alarmTopic(scope: Construct, prefix: string): Topic {
  // CloudWatch cannot publish to a topic under the AWS-managed SNS key, so the topic gets a
  // key of its own whose policy lets CloudWatch use it.
  const key = new Key(scope, 'AlarmTopicKey', {
    description: `Encrypts the ${prefix} alarm topic`,
    enableKeyRotation: true,
  });
  key.grant(
    new ServicePrincipal('cloudwatch.amazonaws.com'),
    'kms:Decrypt',
    'kms:GenerateDataKey*',
  );

  return new Topic(scope, 'AlarmTopic', {
    displayName: `${prefix} alarms`,
    masterKey: key,
    enforceSSL: true,
  });
}

const iteratorAge = (fn: IFunction): Metric =>
  fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });

function serverErrorRate(api: RestApi): MathExpression {
  const period = Duration.minutes(1);

  return new MathExpression({
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: {
      errors: api.metricServerError({ period, statistic: 'Sum' }),
      requests: api.metricCount({ period, statistic: 'Sum' }),
    },
    label: '5xx rate (%)',
    period,
  });
}

/** A metric of the service's own namespace, one line per dimension set (e.g. currency). */
function serviceSearch(metricName: string, statistic: string, label: string): MathExpression {
  return new MathExpression({
    expression:
      `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', ` +
      `'${statistic}', 3600)`,
    usingMetrics: {},
    label,
    period: Duration.hours(1),
  });
}

function dashboardRows(props: ObservabilityProps, alarms: readonly Alarm[]): IWidget[][] {
  const wide = { width: 12, height: 6 };
  const third = { width: 8, height: 6 };
  const perFunction = (title: string, metric: (fn: IFunction) => Metric): GraphWidget =>
    new GraphWidget({
      title,
      ...third,
      left: props.functions.map((watched) =>
        metric(watched.function).with({ label: watched.name }),
      ),
    });
  const fiveMinutes = Duration.minutes(5);

  const rows: IWidget[][] = [
    [
      new TextWidget({
        markdown:
          '# Sales ID service\n' +
          'MRR and ARR are in minor units per currency. Alarms: ' +
          alarms
            .map((alarm) => `\`${alarm.alarmName}\``)
            .join(', ')
            .slice(0, 1500) +
          '. Saved queries are under `sales-id/` in Logs Insights.',
        width: 24,
        height: 3,
      }),
    ],
    [
      new GraphWidget({
        title: 'MRR per currency (minor units)',
        ...wide,
        left: [serviceSearch(METRIC.mrr, 'Maximum', '')],
      }),
      new GraphWidget({
        title: 'ARR per currency (minor units)',
        ...wide,
        left: [serviceSearch(METRIC.arr, 'Maximum', '')],
      }),
    ],
    [
      new GraphWidget({
        title: 'MRR movements',
        ...third,
        left: [serviceSearch(METRIC.movements, 'Sum', '')],
      }),
      new GraphWidget({
        title: 'Sales issued, payments, usage',
        ...third,
        left: [
          serviceSearch(METRIC.salesIssued, 'Sum', ''),
          serviceSearch(METRIC.paymentsApplied, 'Sum', ''),
          serviceSearch(METRIC.usageRecorded, 'Sum', ''),
        ],
      }),
      new GraphWidget({
        title: 'Replays and conflicts',
        ...third,
        left: [
          serviceSearch(METRIC.idempotentReplays, 'Sum', ''),
          serviceSearch(METRIC.idempotencyConflicts, 'Sum', ''),
          serviceSearch(METRIC.versionConflicts, 'Sum', ''),
        ],
      }),
    ],
    [
      new GraphWidget({
        title: 'API latency (ms)',
        ...third,
        left: [
          props.api.metricLatency({ statistic: 'p50', period: fiveMinutes, label: 'p50' }),
          props.api.metricLatency({ statistic: 'p99', period: fiveMinutes, label: 'p99' }),
        ],
      }),
      new GraphWidget({
        title: 'API 4xx and 5xx',
        ...third,
        left: [
          props.api.metricClientError({ period: fiveMinutes, statistic: 'Sum', label: '4xx' }),
          props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum', label: '5xx' }),
        ],
        right: [
          props.api.metricCount({ period: fiveMinutes, statistic: 'Sum', label: 'requests' }),
        ],
      }),
      new GraphWidget({
        title: 'MRR drift (minor units; 0 is healthy)',
        ...third,
        left: [serviceSearch(METRIC.mrrDrift, 'Maximum', '')],
      }),
    ],
    [
      perFunction('Lambda errors', (fn) => fn.metricErrors({ period: fiveMinutes })),
      perFunction('Lambda throttles', (fn) => fn.metricThrottles({ period: fiveMinutes })),
      perFunction('Lambda duration p99 (ms)', (fn) =>
        fn.metricDuration({ period: fiveMinutes, statistic: 'p99' }),
      ),
    ],
  ];

  const streamWidgets: IWidget[] = [];
  if (props.streamConsumer) {
    streamWidgets.push(
      new GraphWidget({
        title: 'Stream iterator age (ms)',
        ...wide,
        left: [iteratorAge(props.streamConsumer.function).with({ label: 'revenue rollup' })],
      }),
    );
  }
  if (props.deadLetterQueues?.length) {
    streamWidgets.push(
      new GraphWidget({
        title: 'Dead-letter queue depth',
        ...wide,
        left: props.deadLetterQueues.map((dlq) =>
          dlq.queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            label: dlq.name,
          }),
        ),
      }),
    );
  }
  if (streamWidgets.length > 0) {
    rows.push(streamWidgets);
  }

  return rows;
}

const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
