// The stack keeps personal data as long as the campaign file says and no longer: the table's TTL
// attribute is the one the store stamps (store/expiry.ts), and the evidence bucket expires photos
// after the campaign's retention plus its span, so a photo never goes before its survey. Bundling
// is skipped, as in infra.test.ts.

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { evidenceRetentionDays } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import { buildApp, campaignFile } from '../../infra/app';
import { DEFAULT_EVIDENCE_RETENTION_DAYS, DeployConfigError, readConfig } from '../../infra/config';
import { TABLE } from '../../store/table';

const seed = parseCampaign(JSON.parse(readFileSync('campaigns/dongxing-2017.json', 'utf8')));
const cdkContext = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const node = (context: Record<string, unknown>) => new App({ context }).node;

describe('how long the deployment keeps personal data', () => {
  it("keeps the photos for the campaign's retention plus its span unless told otherwise", () => {
    const days = evidenceRetentionDays(seed);
    expect(days).toBeGreaterThan(seed.retention.daysAfterEnd);
    expect(readConfig(node({}), campaignFile).evidenceRetentionDays).toBe(days);
    expect(
      readConfig(node({ evidenceRetentionDays: String(days + 100) }), campaignFile).evidenceRetentionDays,
    ).toBe(days + 100);
    // A campaign that is not in this checkout: the fixed default.
    expect(readConfig(node({ campaignId: 'other-2018' }), campaignFile).evidenceRetentionDays).toBe(
      DEFAULT_EVIDENCE_RETENTION_DAYS,
    );
  });

  it('refuses to deploy photos that would be deleted before the surveys they belong to', () => {
    expect(() => readConfig(node({ evidenceRetentionDays: '90' }), campaignFile)).toThrow(DeployConfigError);
    expect(() => readConfig(node({ evidenceRetentionDays: '90' }), campaignFile)).toThrow(
      /shorter than campaign dongxing-2017 keeps its records/,
    );
  });

  it('synthesizes the table with TTL on the attribute the store stamps, and the photos expiring to match', () => {
    const { stack } = buildApp(
      new App({
        context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], botUsername: 'dongxing_inspection_bot' },
      }),
    );
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
    const rules = Object.values(template.findResources('AWS::S3::Bucket'))
      .flatMap((b) => (b.Properties?.LifecycleConfiguration?.Rules ?? []) as Record<string, unknown>[])
      .filter((r) => r.Prefix === 'evidence/');
    expect(rules).toEqual([
      expect.objectContaining({ ExpirationInDays: evidenceRetentionDays(seed), Status: 'Enabled' }),
    ]);
  });
});
