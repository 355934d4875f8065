import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

import type { TableDeclaration } from '../../shared/config/tables';

/** Creates a table from its shared declaration, if it does not exist yet. */
export async function ensureTable(
  client: DynamoDBClient,
  declaration: TableDeclaration,
  tableName: string,
): Promise<void> {
  const attributes = new Set([declaration.partitionKey, declaration.sortKey]);
  declaration.indexes.forEach((index) => {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  });

  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: declaration.partitionKey, KeyType: 'HASH' },
          { AttributeName: declaration.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: declaration.indexes.length
          ? declaration.indexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
        StreamSpecification: declaration.stream
          ? { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' }
          : undefined,
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) {
      return;
    }
    throw error;
  }

  // DynamoDB Local records the setting but never expires items (see README).
  if (declaration.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: declaration.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

/** The ARN of a table's latest stream, for the local stream poller. */
export async function latestStreamArn(
  client: DynamoDBClient,
  tableName: string,
): Promise<string | undefined> {
  const description = await client.send(new DescribeTableCommand({ TableName: tableName }));

  return description.Table?.LatestStreamArn;
}
