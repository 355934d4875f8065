import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';

import { METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/observability/names';

/** The project root: entry paths are built from it, never from a compiled file's folder. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The newest Node.js runtime Lambda offers; cdk-nag's AwsSolutions-L1 insists on it. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** How long every log group of the service keeps its events. */
export const LOG_RETENTION = RetentionDays.THREE_MONTHS;

export interface ServiceFunctionProps {
  /** Entry file relative to the project root, e.g. `functions/create-sale.ts`. */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** Environment beyond the defaults (service name, log level, metrics namespace). */
  readonly environment?: Record<string, string>;
  /**
   * Powertools log level: `DEBUG`, `INFO`, `WARN` or `ERROR`.
   * @default the app's `logLevel` context value, else `INFO`
   */
  readonly logLevel?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
}

/**
 * A Lambda function as every function of this service is built: bundled by the locally
 * installed esbuild (never Docker), arm64, newest Node.js runtime, X-Ray tracing, a log
 * group of its own with a retention period, and a role that may write only to that log
 * group until callers grant it more.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions name every
    // log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}: ${props.description}`,
    });
    logGroup.grantWrite(role);
    const logLevel =
      props.logLevel ?? (scope.node.tryGetContext('logLevel') as string | undefined) ?? 'INFO';

    super(scope, id, {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: logLevel,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Responses carry customer data; X-Ray keeps timings and errors, not payloads.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        target: 'node22',
        forceDockerBundling: false,
      },
    });
  }
}
