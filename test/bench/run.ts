import './bench-env';

import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { benchCreateSale } from './create-sale';
import { benchRollup } from './rollup';
import { benchSaleChanges } from './sale-changes';

/**
 * `npm run bench`: each benchmark measures its subject beside a baseline in the same run,
 * against one in-memory DynamoDB Local started here.
 */
async function main(): Promise<void> {
  const local = await startDynamoDbLocal();
  console.log(`DynamoDB Local ${local.endpoint}; node ${process.version}`);

  try {
    await benchCreateSale(local.endpoint);
    await benchSaleChanges(local.endpoint);
    await benchRollup(local.endpoint);
  } finally {
    await local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
