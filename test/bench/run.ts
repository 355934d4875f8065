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
    // maxRSS is in KiB on Linux; DynamoDB Local runs in its own JVM and is not included.
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    console.log(`peak resident memory of the bench process: ${peakMiB.toFixed(0)} MiB`);
  } finally {
    await local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
