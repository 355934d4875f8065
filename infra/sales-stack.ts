import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { AccessPolicies } from './constructs/access-policies';
import { DataTables } from './constructs/data-tables';
import { Observability, type WatchedFunction } from './constructs/observability';
import { RevenueRollup } from './constructs/revenue-rollup';
import { RevenueSchedules } from './constructs/revenue-schedules';
import { SalesApi } from './constructs/sales-api';
import type { ServiceFunction } from './constructs/service-function';
import { applyNagAcknowledgements } from './nag-acknowledgements';

/** The whole sales ID service in one stack. */
export class SalesIdStack extends Stack {
  readonly tables: DataTables;
  readonly api: SalesApi;
  readonly policies: AccessPolicies;
  readonly rollup: RevenueRollup;
  readonly schedules: RevenueSchedules;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.tables = new DataTables(this, 'Data');
    const tableProps = {
      salesTable: this.tables.salesTable,
      revenueTable: this.tables.revenueTable,
    };
    this.api = new SalesApi(this, 'Sales', tableProps);
    this.policies = new AccessPolicies(this, 'Access', { api: this.api });
    this.rollup = new RevenueRollup(this, 'RevenueRollup', tableProps);
    this.schedules = new RevenueSchedules(this, 'RevenueSchedules', tableProps);

    const rollup = watched('revenue-rollup', this.rollup.function);
    const rollups = [
      rollup,
      watched('revenue-daily', this.schedules.dailyFunction),
      watched('revenue-close', this.schedules.closeFunction),
    ];
    const routes = [...this.api.functions].map(([routeId, fn]) => watched(routeId, fn));
    this.observability = new Observability(this, 'Operations', {
      api: this.api.api,
      accessLogs: this.api.accessLogs,
      functions: [...routes, ...rollups],
      streamConsumer: rollup,
      rollupFunctions: rollups,
      deadLetterQueues: [
        {
          name: 'RevenueRollup',
          queue: this.rollup.deadLetterQueue,
          firstLook:
            'stream records the rollup gave up on after its retries, so revenue is missing ' +
            'those changes. Read a message for the shard and sequence range, then run the ' +
            '"rollup-failures" saved query for the error.',
        },
        {
          name: 'RevenueSchedules',
          queue: this.schedules.deadLetterQueue,
          firstLook:
            'a revenue-daily or revenue-close run that failed every retry. Run the ' +
            '"rollup-failures" saved query, fix the cause, then re-run the function from the ' +
            "console's Test tab with the message's period.",
        },
      ],
      extraAlarms: [this.schedules.driftAlarm],
    });

    this.addOutputs();
    applyNagAcknowledgements(this, { api: this.api, policies: this.policies });
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, id, { value, description });

    output('ApiUrl', this.api.url, 'Base URL of the API stage; every route needs SigV4 (IAM)');
    output('SalesTableName', this.tables.salesTable.tableName, 'Sales, versions, payments, usage');
    output('RevenueTableName', this.tables.revenueTable.tableName, 'MRR aggregates and periods');
    output('DashboardUrl', this.observability.dashboardUrl, 'CloudWatch dashboard of the service');
    output(
      'AlarmTopicArn',
      this.observability.alarmTopic.topicArn,
      'Subscribe on-call to this topic',
    );
    output(
      'CheckoutPolicyArn',
      this.policies.checkout.managedPolicyArn,
      'Attach to checkout roles: create, read, change sales, payments, usage',
    );
    output(
      'SupportPolicyArn',
      this.policies.support.managedPolicyArn,
      'Attach to support and finance roles: look-ups and revenue, read-only',
    );
  }
}

/** A function as the dashboard, alarms and queries name it: `create-sale` is `CreateSale`. */
function watched(id: string, fn: ServiceFunction): WatchedFunction {
  return { name: pascal(id), function: fn, logGroup: fn.logGroup };
}

const pascal = (id: string): string =>
  id.replace(/(^|-)(\w)/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
