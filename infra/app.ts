import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { SalesIdStack } from './sales-stack';

/** Builds the CDK app; tests call it with context to skip bundling and a folder to clean. */
export function buildApp(
  context: Record<string, unknown> = {},
  options: { readonly outdir?: string } = {},
): { app: App; stack: SalesIdStack } {
  const app = new App({ context, outdir: options.outdir });
  const stack = new SalesIdStack(app, 'SalesIdService', {
    description: 'Sales ID service: time-sortable sales IDs and the MRR rolled up from them',
  });
  // cdk-nag runs as a policy validation plugin: an unacknowledged finding fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Tags.of(app).add('service', 'sales-id');
  Tags.of(app).add('owner', 'revenue-platform');

  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
