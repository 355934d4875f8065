import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { DataTables } from './constructs/data-tables';
import { SalesApi } from './constructs/sales-api';
import { applyNagAcknowledgements } from './nag-acknowledgements';

/** The whole sales ID service in one stack. */
export class SalesIdStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const tables = new DataTables(this, 'Data');
    const api = new SalesApi(this, 'Sales', {
      salesTable: tables.salesTable,
      revenueTable: tables.revenueTable,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.api.url });
    new CfnOutput(this, 'SalesTableName', { value: tables.salesTable.tableName });
    new CfnOutput(this, 'RevenueTableName', { value: tables.revenueTable.tableName });

    applyNagAcknowledgements(this);
  }
}
