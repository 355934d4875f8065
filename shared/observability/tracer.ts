import { Tracer } from '@aws-lambda-powertools/tracer';

import { SERVICE_NAME } from './names';

/**
 * The service's X-Ray tracer. It switches itself off outside Lambda (tests, the local stack,
 * where no X-Ray daemon listens) and wherever POWERTOOLS_TRACE_ENABLED is `false`.
 */
export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

/** Records an AWS SDK v3 client's calls as X-Ray subsegments; a no-op when tracing is off. */
export function traceClient<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
