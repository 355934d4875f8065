import { Logger } from '@aws-lambda-powertools/logger';

import { SERVICE_NAME } from './names';

/**
 * The service's one structured logger: JSON lines with the service name, and, inside a
 * handler, the cold start flag and request IDs. Level comes from POWERTOOLS_LOG_LEVEL
 * (default INFO), which the stack sets per function and tests set to SILENT.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});
