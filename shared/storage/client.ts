import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { traceClient } from '../observability/tracer';

/** Where the SDK sends requests: AWS by default, DynamoDB Local when an endpoint is given. */
export interface DynamoConnection {
  readonly endpoint?: string;
  readonly region?: string;
}

/** A document client that drops undefined attributes and keeps numbers exact. */
export function createDocumentClient(connection: DynamoConnection = {}): DynamoDBDocumentClient {
  const local = connection.endpoint !== undefined;
  const client = new DynamoDBClient({
    endpoint: connection.endpoint,
    region: connection.region ?? process.env.AWS_REGION ?? 'us-east-1',
    // DynamoDB Local accepts any credentials; dummy ones keep the SDK from looking for real ones.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
  });

  // In Lambda each DynamoDB call becomes an X-Ray subsegment; elsewhere tracing is off.
  return DynamoDBDocumentClient.from(traceClient(client), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
