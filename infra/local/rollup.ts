import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { ServiceError } from '../../shared/errors';
import { logger } from '../../shared/observability/logger';
import { PROJECT_ROOT } from '../constructs/service-function';
import { describeRun, localDeps, scheduledRuns } from './schedule-worker';

/**
 * `npm run rollup -- daily|close [--date YYYY-MM-DD | --month YYYY-MM] [--repair]`: runs one
 * scheduled rollup now against the running local stack (found through the endpoint file
 * `npm start` writes) and prints what it did.
 */

const USAGE =
  'Usage: npm run rollup -- daily [--date YYYY-MM-DD] [--repair]\n' +
  '       npm run rollup -- close [--month YYYY-MM]';

interface EndpointFile {
  readonly endpoint: string;
  readonly salesTable: string;
  readonly revenueTable: string;
}

async function main(argv: readonly string[]): Promise<number> {
  const request = parseRequest(argv);
  if (typeof request === 'string') {
    console.error(`${request}\n${USAGE}`);

    return 2;
  }
  const stack = readEndpointFile(join(PROJECT_ROOT, '.local', 'endpoint.json'));
  if (stack === undefined) {
    console.error(
      'No running local stack: .local/endpoint.json is missing. ' +
        'Start the local stack with npm start first.',
    );

    return 1;
  }

  // The printed summary says what the JSON log lines would; keep only errors from those.
  logger.setLogLevel(
    process.env.POWERTOOLS_LOG_LEVEL === undefined ? 'ERROR' : logger.getLevelName(),
  );
  const deps = localDeps(stack);
  const run = scheduledRuns(deps)[request.scheduleId];
  try {
    const result = await run!(request.input);
    for (const line of describeRun(result)) {
      console.log(line);
    }

    return 0;
  } catch (error) {
    return reportFailure(error, stack.endpoint);
  } finally {
    deps.db.destroy();
  }
}

interface RollupRequest {
  readonly scheduleId: string;
  readonly input: Record<string, unknown>;
}

/** The run and its explicit input, or a message saying what is wrong with the arguments. */
function parseRequest(argv: readonly string[]): RollupRequest | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        date: { type: 'string' },
        month: { type: 'string' },
        repair: { type: 'boolean' },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { positionals, values } = parsed;
  const [job, ...extra] = positionals;
  if (extra.length > 0) {
    return `Unexpected arguments: ${extra.join(' ')}`;
  }
  if (job === 'daily') {
    if (values.month !== undefined) {
      return 'daily takes --date, not --month';
    }

    return {
      scheduleId: 'revenue-daily',
      input: { date: values.date, repair: values.repair },
    };
  }
  if (job === 'close') {
    if (values.date !== undefined || values.repair !== undefined) {
      return 'close takes only --month';
    }

    return { scheduleId: 'revenue-close', input: { month: values.month } };
  }

  return job === undefined ? 'Name the rollup to run' : `Unknown rollup: ${job}`;
}

function readEndpointFile(path: string): EndpointFile | undefined {
  if (!existsSync(path)) {
    return undefined;
  }

  return JSON.parse(readFileSync(path, 'utf8')) as EndpointFile;
}

function reportFailure(error: unknown, endpoint: string): number {
  if (error instanceof ServiceError) {
    console.error(error.message);
    for (const field of (error.errors ?? []).filter((e) => e.detail !== error.message)) {
      console.error(`  ${field.pointer}: ${field.detail}`);
    }

    return 1;
  }
  const code = (error as { code?: string } | undefined)?.code;
  if (
    code === 'ECONNREFUSED' ||
    (error instanceof Error && error.name === 'ResourceNotFoundException')
  ) {
    const reason = error instanceof Error ? error.message : code;
    console.error(
      `Cannot use DynamoDB Local at ${endpoint} (${reason}). ` +
        'Is npm start still running? Start the local stack with npm start first.',
    );

    return 1;
  }
  console.error('Rollup failed:', error);

  return 1;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error('Rollup failed:', error);
    process.exit(1);
  },
);
