/**
 * The tables as plain data, read by the CDK stack and by the local stack's table creation,
 * so that DynamoDB Local serves exactly the keys and indexes AWS will.
 */

export interface IndexDeclaration {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDeclaration {
  /** Logical name, used as the CDK construct ID and the local table name's stem. */
  readonly id: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly IndexDeclaration[];
  /** Stream with new and old images, when the table feeds a consumer. */
  readonly stream: boolean;
  /** Attribute holding an expiry time in epoch seconds, if any. */
  readonly timeToLiveAttribute?: string;
}

// Neighbour look-ups sort by sales ID: KSUIDs sort by creation time, so a descending
// query returns the newest sales first without a separate timestamp attribute.
const neighbourIndex = (attribute: string, indexName: string): IndexDeclaration => ({
  indexName,
  partitionKey: attribute,
  sortKey: 'salesId',
});

/** Index names, spelled once. */
export const SALES_INDEXES = {
  customer: 'byCustomer',
  opportunity: 'byOpportunity',
  contract: 'byContract',
  plan: 'byPlan',
  channel: 'byChannel',
} as const;

export const SALES_TABLE: TableDeclaration = {
  id: 'SalesTable',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    neighbourIndex('customerId', SALES_INDEXES.customer),
    neighbourIndex('opportunityId', SALES_INDEXES.opportunity),
    neighbourIndex('contractId', SALES_INDEXES.contract),
    // Only plan-link items carry `planId`, one per plan a sale holds, since a sale's items
    // can name several plans and an index key must be a single value.
    neighbourIndex('planId', SALES_INDEXES.plan),
    neighbourIndex('channel', SALES_INDEXES.channel),
  ],
  stream: true,
  timeToLiveAttribute: 'expiresAt',
};

export const REVENUE_TABLE: TableDeclaration = {
  id: 'RevenueTable',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [],
  stream: false,
};

export const TABLES = [SALES_TABLE, REVENUE_TABLE] as const;
