import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The service's one structured logger. Level comes from POWERTOOLS_LOG_LEVEL (default
 * INFO); tests and the local stack set it to keep their output readable.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'sales-id',
});
