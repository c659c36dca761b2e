// The CDK app (cdk.json runs `npx tsx infra/app.ts`). Parameters come from context
// (`-c campaignId=... -c botUsername=... [-c alarmEmail=...] [-c stackName=...]`), with defaults so
// `npm run synth` works offline. cdk-nag's AwsSolutions checks run on every synth: a finding
// that is not acknowledged (infra/stack.ts) stops the synth.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Campaign } from '../domain/campaign';
import { parseCampaign } from '../domain/campaign-schema';
import { campaignFilePath } from '../local/campaign-file';
import { readConfig } from './config';
import { InspectionStack } from './stack';

/** The app as `cdk` builds it; tests pass an App with their own context. */
export function buildApp(app: App = new App()): { app: App; stack: InspectionStack } {
  const { stackName, ...config } = readConfig(app.node, campaignFile);
  // S3 access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (the
  // log bucket can then enforce bucket-owner object ownership, with ACLs off).
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  // Environment-agnostic on purpose: no lookups, so synth needs no account; `cdk deploy` deploys
  // to the region of the AWS profile in use.
  const stack = new InspectionStack(app, stackName, {
    ...config,
    description: `Field inspection bot, campaign ${config.campaignId}: Telegram webhook, schedules, office API`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/** campaigns/<id>.json as the functions will run it, or undefined when this checkout has no such file. */
export function campaignFile(id: string): Campaign | undefined {
  const path = campaignFilePath(id);
  if (!existsSync(path)) return undefined;
  return parseCampaign(JSON.parse(readFileSync(path, 'utf8')));
}

const entry = process.argv[1];
if (entry && pathToFileURL(realpathSync(entry)).href === import.meta.url) {
  buildApp().app.synth();
}
