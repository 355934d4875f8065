import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { ROLLUP_STREAM } from '../../shared/config/stream';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

export interface RevenueRollupProps {
  /** The streamed table; its stream must carry new and old images. */
  readonly salesTable: ITableV2;
  /** Where movements and aggregates are written; never the streamed table. */
  readonly revenueTable: ITableV2;
}

// Item actions of the rollup's transactions: conditional ledger puts and ADD updates.
const REVENUE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * The `revenue-rollup` function behind the SalesTable stream, with the event source
 * mapping declared in shared/config/stream.ts (the local poller reads the same settings)
 * and an encrypted SQS queue that receives what keeps failing.
 */
export class RevenueRollup extends Construct {
  readonly function: ServiceFunction;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RevenueRollupProps) {
    super(scope, id);
    if (!props.salesTable.tableStreamArn) {
      throw new Error(
        'RevenueRollup needs a stream on the sales table: declare `stream: true` for it in ' +
          'shared/config/tables.ts so DataTables sets dynamoStream NEW_AND_OLD_IMAGES.',
      );
    }
    const settings = ROLLUP_STREAM;

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters', {
      catches: 'the rollup event source mapping',
    });

    this.function = new ServiceFunction(this, 'Function', {
      entry: 'functions/rollup-revenue.ts',
      description: 'Rolls sale versions from the SalesTable stream up into MRR and movements',
      environment: { REVENUE_TABLE: props.revenueTable.tableName },
      // A batch of 100 records is a few transactions plus conflict back-offs.
      timeout: Duration.seconds(60),
    });
    this.function.addEventSource(
      new DynamoEventSource(props.salesTable, {
        startingPosition: StartingPosition[settings.startingPosition],
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
        bisectBatchOnError: settings.bisectBatchOnError,
        reportBatchItemFailures: settings.reportBatchItemFailures,
        retryAttempts: settings.retryAttempts,
        maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
        parallelizationFactor: settings.parallelizationFactor,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [FilterCriteria.filter(settings.filterPattern as Record<string, unknown>)],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: REVENUE_ACTIONS, resources: [props.revenueTable.tableArn] }),
    );
  }
}
