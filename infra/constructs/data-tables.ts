import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

import { REVENUE_TABLE, SALES_TABLE, type TableDeclaration } from '../../shared/config/tables';

/**
 * The SalesTable and RevenueTable, built from the declarations the local stack also uses:
 * on demand, point-in-time recovery, deletion protection, encrypted at rest.
 */
export class DataTables extends Construct {
  readonly salesTable: TableV2;
  readonly revenueTable: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.salesTable = buildTable(this, SALES_TABLE);
    this.revenueTable = buildTable(this, REVENUE_TABLE);
  }
}

function buildTable(scope: Construct, declaration: TableDeclaration): TableV2 {
  const string = (name: string) => ({ name, type: AttributeType.STRING });

  return new TableV2(scope, declaration.id, {
    partitionKey: string(declaration.partitionKey),
    sortKey: string(declaration.sortKey),
    billing: Billing.onDemand(),
    encryption: TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    dynamoStream: declaration.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    timeToLiveAttribute: declaration.timeToLiveAttribute,
    globalSecondaryIndexes: declaration.indexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: string(index.partitionKey),
      sortKey: string(index.sortKey),
    })),
  });
}
