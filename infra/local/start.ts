import { JavaMissingError } from './dynamodb-local';
import { startLocalStack } from './local-stack';

/**
 * `npm start`: the whole service on this machine. `--in-memory` keeps nothing on disk;
 * otherwise data lives in `.local/dynamodb` across restarts. PORT overrides 3000.
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const port = Number(process.env.PORT ?? 3000);
  const stack = await startLocalStack({ port, inMemory });

  console.log(
    `DynamoDB Local on ${stack.dynamoDb.endpoint} (pid ${stack.dynamoDb.pid}), ` +
      `${inMemory ? 'in memory' : 'data in .local/dynamodb'}`,
  );
  console.log(`Sales ID service listening on ${stack.url} (OpenAPI: ${stack.url}/openapi.json)`);
  console.log('Issue a sales ID:');
  console.log(sampleCurl(stack.url));
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log('Stopping…');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function sampleCurl(url: string): string {
  const body = JSON.stringify({
    customerId: 'cus_81',
    channel: 'partner',
    currency: 'USD',
    items: [
      { productId: 'analytics', planId: 'pro', quantity: 3, unitAmount: 4900, interval: 'month' },
    ],
  });

  return [
    `  curl -i -X POST ${url}/sales \\`,
    `    -H 'Content-Type: application/json' \\`,
    `    -H "Idempotency-Key: $(date +%s)" \\`,
    `    -d '${body}'`,
  ].join('\n');
}

main().catch((error: unknown) => {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
  } else {
    console.error('Could not start the local stack:', error);
  }
  process.exit(1);
});
