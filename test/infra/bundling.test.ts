import { App, Stack } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_ROOT, ServiceFunction } from '../../infra/constructs/service-function';

describe('function bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sales-id-bundle-'));

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('bundles a handler with the local esbuild into a loadable CommonJS file', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleCheck');
    new ServiceFunction(stack, 'GetSale', {
      entry: 'functions/get-sale.ts',
      description: 'Bundling check',
    });

    const assembly = app.synth();

    const template = assembly.getStackByName('BundleCheck').template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key: string } } }>;
    };
    const code = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    )?.Properties.Code;
    const assetHash = code?.S3Key.replace(/\.zip$/, '');
    const bundle = join(assembly.directory, `asset.${assetHash}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    // The Lambda runtime provides the AWS SDK, so the bundle leaves it out; the project's
    // node_modules stand in for the runtime's copy here.
    const handlerType = execFileSync(
      process.execPath,
      ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundle)}).handler)`],
      {
        env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, 'node_modules') },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).toString();
    expect(handlerType).toBe('function');
  });
});
