import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';

/** Starts one in-memory DynamoDB Local for the whole run; each test file makes its own tables. */
export default async function globalSetup(): Promise<void> {
  const local = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  (globalThis as { dynamoDbLocal?: typeof local }).dynamoDbLocal = local;
}
