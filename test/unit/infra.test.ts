// The CDK stack as CloudFormation sees it: the table from store/table.ts, four Node 24 ARM64
// functions with least-privilege roles, the HTTP API's routes and authorizers, the schedules in
// Asia/Shanghai with retries and dead-letter queues, the secret never in plain text, alarms, and
// cdk-nag's AwsSolutions checks with nothing left unacknowledged. Bundling is skipped here; the
// integration test (test/integration/synth.test.ts) runs the real `cdk synth` with esbuild.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import seedCampaign from '../../campaigns/dongxing-2017.json';
import { evidenceRetentionDays } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import { buildApp } from '../../infra/app';
import { DeployConfigError, PLACEHOLDER_BOT_USERNAME, readConfig } from '../../infra/config';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../infra/function';
import { OUTPUTS } from '../../infra/outputs';
import type { InspectionStack } from '../../infra/stack';
import { createTableInput, TABLE, timeToLiveInput } from '../../store/table';

const BOT = 'dongxing_inspection_bot';
/** The feature flags `cdk` passes from cdk.json, so the template here is the one that deploys. */
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
const SKIP_BUNDLING = { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] };

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let app: App;
let stack: InspectionStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ app, stack } = buildApp(new App({ context: { ...SKIP_BUNDLING, botUsername: BOT } })));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 60_000);

/** A resource's properties ({} when there is no such resource: the assertion then fails). */
const propsOf = (id: string): Json => resources[id]?.Properties ?? {};
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (c: { node: { defaultChild?: unknown } } | unknown): string => {
  const child = (c as { node: { defaultChild: unknown } }).node.defaultChild;
  return stack.getLogicalId(child as never);
};
const fnId = (name: keyof InspectionStack['functions']) => logicalId(stack.functions[name].fn);
const roleId = (name: keyof InspectionStack['functions']) => logicalId(stack.functions[name].role);

/** Every statement of the inline policies attached to a role. */
function statementsOf(role: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: role })),
    )
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (role: string) =>
  new Set(statementsOf(role).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));

describe('the table', () => {
  it('is built from store/table.ts: keys, attribute types and both GSIs with projection ALL', () => {
    const expected = createTableInput();
    const [[, table] = []] = ofType('AWS::DynamoDB::Table');
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
    expect(table?.Properties.KeySchema).toEqual(expected.KeySchema);
    expect(new Set(table?.Properties.AttributeDefinitions as unknown[])).toEqual(
      new Set(expected.AttributeDefinitions),
    );
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
    expect(TABLE.indexes.map((i) => i.name)).toEqual(['GSI1', 'GSI2']);
  });

  it('is on-demand, with point-in-time recovery, deletion protection, encryption and the TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: timeToLiveInput().TimeToLiveSpecification,
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('the functions', () => {
  const names = ['webhook', 'reminders', 'summaries', 'officeApi'] as const;

  it('are four, each Node 24 on ARM64 with an ESM-bundle handler and powertools settings, a small young generation, source maps not read at run time', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(4);
    for (const name of names) {
      const fn = resources[fnId(name)];
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: 'inspection-bot',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            CAMPAIGN_ID: 'dongxing-2017',
            BOT_USERNAME: BOT,
            TABLE_NAME: { Ref: logicalId(stack.table) },
            BOT_SECRET_ARN: { Ref: logicalId(stack.botSecret) },
          },
        },
      });
      // A small young generation, set by the asset's exec wrapper (the bootstrap's own options
      // would win over NODE_OPTIONS), and nothing else: --enable-source-maps would slow every cold
      // start.
      const variables = (fn?.Properties.Environment as { Variables: Json } | undefined)?.Variables;
      expect(variables?.AWS_LAMBDA_EXEC_WRAPPER, name).toBe('/var/task/node-options.sh');
      expect(variables, name).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('log to their own log groups, kept for 90 days', () => {
    for (const name of names) {
      const group = (propsOf(fnId(name)).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[group]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 90 },
      });
    }
  });

  it('take campaign and bot username from context', () => {
    const other = buildApp(
      new App({ context: { ...SKIP_BUNDLING, campaignId: 'other-2018', botUsername: '@other_bot' } }),
    );
    Template.fromStack(other.stack).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CAMPAIGN_ID: 'other-2018', BOT_USERNAME: 'other_bot' }) },
    });
  });
});

describe('deployment parameters', () => {
  const node = (context: Json) => new App({ context }).node;

  it('default so that synth works with no context, and say when the bot username is a placeholder', () => {
    expect(readConfig(node({}))).toEqual({
      stackName: 'InspectionBot',
      campaignId: 'dongxing-2017',
      botUsername: PLACEHOLDER_BOT_USERNAME,
      botUsernameIsPlaceholder: true,
      evidenceRetentionDays: 730,
    });
    const warnings = Annotations.fromStack(buildApp(new App({ context: SKIP_BUNDLING })).stack).findWarning(
      '*',
      Match.stringLikeRegexp('placeholder'),
    );
    expect(warnings).toHaveLength(1);
  });

  it('refuse a bot username Telegram would not accept, and a malformed campaign id', () => {
    expect(() => readConfig(node({ botUsername: 'not a bot' }))).toThrow(DeployConfigError);
    expect(() => readConfig(node({ botUsername: 'helper' }))).toThrow(/ending in "bot"/);
    expect(() => readConfig(node({ campaignId: 'Dongxing 2017' }))).toThrow(DeployConfigError);
    expect(readConfig(node({ botUsername: 'Dongxing_Bot', alarmEmail: 'ops@example.org' }))).toMatchObject({
      botUsername: 'Dongxing_Bot',
      alarmEmail: 'ops@example.org',
    });
    expect(readConfig(node({ evidenceRetentionDays: '365' })).evidenceRetentionDays).toBe(365);
    expect(() => readConfig(node({ evidenceRetentionDays: '7' }))).toThrow(/30 to 3650/);
    expect(() => readConfig(node({ evidenceRetentionDays: 'forever' }))).toThrow(DeployConfigError);
  });
});

describe('the evidence bucket', () => {
  const bucketId = () => logicalId(stack.evidenceBucket);

  it('is encrypted, blocks every kind of public access, is versioned and outlives the stack', () => {
    const props = propsOf(bucketId());
    expect(props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(resources[bucketId()]?.DeletionPolicy).toBe('Retain');
    // No website, no CORS: nothing serves the photos over a public URL.
    expect(props.WebsiteConfiguration).toBeUndefined();
    expect(props.CorsConfiguration).toBeUndefined();
  });

  it('refuses every request that is not over TLS', () => {
    const policies = ofType('AWS::S3::BucketPolicy').filter(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId() }),
    );
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0] ?? [];
    const statements =
      (policy?.Properties.PolicyDocument as { Statement: Json[] } | undefined)?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // Nothing in the policy allows anyone in.
    expect(statements.filter((x) => x.Effect === 'Allow')).toEqual([]);
  });

  it("expires photos after the campaign's retention plus its span and logs access to its own bucket", () => {
    const props = propsOf(bucketId());
    expect(props.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Prefix: 'evidence/',
          // The seed keeps its records 365 days after its end (test/unit/infra-retention.test.ts).
          ExpirationInDays: evidenceRetentionDays(parseCampaign(seedCampaign)),
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          Status: 'Enabled',
        },
        // The chat's large exports are linked to for an hour and gone the next day.
        {
          Prefix: 'exports/',
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ],
    });
    expect(props.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'evidence-bucket/' });
    // Logs are delivered under a bucket policy (S3's logging service, for this bucket only), not an ACL.
    const logs = (props.LoggingConfiguration as { DestinationBucketName: { Ref: string } })
      .DestinationBucketName.Ref;
    expect(propsOf(logs).AccessControl).toBeUndefined();
    expect(propsOf(logs).OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const logPolicy = ofType('AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logs }),
    );
    expect(JSON.stringify(logPolicy?.[1].Properties.PolicyDocument)).toContain('logging.s3.amazonaws.com');
  });

  it('is known to the webhook by name; only the webhook may put and get under evidence/; exports/ for the chat and the office API', () => {
    const env = (name: keyof InspectionStack['functions']) =>
      (propsOf(fnId(name)).Environment as { Variables: Json }).Variables;
    expect(env('webhook').EVIDENCE_BUCKET).toEqual({ Ref: bucketId() });
    // The summaries function builds the chat's 📊 汇总表: exports/ only, never a photo.
    expect(env('summaries').EVIDENCE_BUCKET).toEqual({ Ref: bucketId() });
    expect(statementsOf(roleId('summaries')).filter((x) => JSON.stringify(x.Action).includes('s3:'))).toEqual(
      [
        expect.objectContaining({
          Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/exports/*']] },
        }),
      ],
    );
    // The office API reads exports/ (its jobs, the links it signs) and writes only its job records,
    // never a photo.
    expect(env('officeApi').EVIDENCE_BUCKET).toEqual({ Ref: bucketId() });
    expect(statementsOf(roleId('officeApi')).filter((x) => JSON.stringify(x.Action).includes('s3:'))).toEqual(
      [
        expect.objectContaining({
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/exports/*']] },
        }),
        expect.objectContaining({
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/exports/*/jobs/*']] },
        }),
      ],
    );
    expect(env('reminders').EVIDENCE_BUCKET).toBeUndefined();
    expect([...actionsOf(roleId('reminders'))].filter((a) => a.startsWith('s3:'))).toEqual([]);
    const s3 = statementsOf(roleId('webhook')).filter((x) => JSON.stringify(x.Action).includes('s3:'));
    expect(s3).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/evidence/*']] },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/exports/*']] },
      }),
    ]);
  });
});

describe('the HTTP API', () => {
  const routes = () =>
    Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey as string, r.Properties]),
    );
  const integrationTarget = (route: Json) => {
    const join = (route.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
    return (propsOf(join).IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  };

  it('has exactly POST /telegram and the three office routes', () => {
    expect(Object.keys(routes()).sort()).toEqual([
      'GET /office/summaries/{job}',
      'POST /office/invites',
      'POST /office/summaries',
      'POST /telegram',
    ]);
  });

  it('sends POST /telegram to the webhook with no authorizer (the function checks the secret token)', () => {
    const telegram = routes()['POST /telegram'] ?? {};
    expect(telegram.AuthorizationType).toBe('NONE');
    expect(telegram.AuthorizerId).toBeUndefined();
    expect(integrationTarget(telegram)).toBe(fnId('webhook'));
  });

  it('puts the office routes behind IAM authorization, on the office function', () => {
    for (const key of ['POST /office/summaries', 'GET /office/summaries/{job}', 'POST /office/invites']) {
      const route = routes()[key] ?? {};
      expect(route.AuthorizationType).toBe('AWS_IAM');
      expect(integrationTarget(route)).toBe(fnId('officeApi'));
    }
  });

  it('has one $default stage, auto-deployed, with access logs and throttling', () => {
    expect(ofType('AWS::ApiGatewayV2::Stage')).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('offers a policy allowing exactly the office routes, for the office operators', () => {
    const [[policy = ''] = []] = ofType('AWS::IAM::ManagedPolicy');
    const statements = (propsOf(policy).PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('execute-api:Invoke');
    const arns = JSON.stringify(statements[0]?.Resource);
    expect(arns).toContain('/$default/POST/office/summaries');
    expect(arns).toContain('/$default/POST/office/invites');
    expect(arns).toContain('/$default/GET/office/summaries/*');
    expect(arns).not.toContain('telegram');
  });
});

describe('the schedules', () => {
  const schedules = () => ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
  const byTarget = (name: keyof InspectionStack['functions']) =>
    schedules().find(
      (s) => JSON.stringify((s.Target as Json).Arn) === JSON.stringify({ 'Fn::GetAtt': [fnId(name), 'Arn'] }),
    );

  it('run the summaries nightly at 21:00 and the reminders every 15 minutes, in Asia/Shanghai', () => {
    expect(schedules()).toHaveLength(2);
    expect(byTarget('summaries')).toMatchObject({
      ScheduleExpression: 'cron(0 21 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
    });
    expect(byTarget('reminders')).toMatchObject({
      ScheduleExpression: 'cron(0/15 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
    });
  });

  it('each retry and end in its own encrypted, SSL-only dead-letter queue', () => {
    const queues = new Set<string>();
    for (const name of ['summaries', 'reminders'] as const) {
      const target = byTarget(name)?.Target as Json;
      expect(target.RetryPolicy).toMatchObject({
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      });
      expect((target.RetryPolicy as Json).MaximumRetryAttempts).toBeGreaterThan(0);
      const queue = ((target.DeadLetterConfig as Json).Arn as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      queues.add(queue);
      expect(resources[queue]).toMatchObject({
        Type: 'AWS::SQS::Queue',
        Properties: { SqsManagedSseEnabled: true },
      });
      // The function's own failed runs go to the same queue.
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(name) },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    expect(queues.size).toBe(2);
  });

  it('invoke through roles that may only call their function and write to their queue', () => {
    for (const s of schedules()) {
      const target = s.Target as {
        RoleArn: { 'Fn::GetAtt': [string, string] };
        Arn: unknown;
        DeadLetterConfig: { Arn: unknown };
      };
      const statements = statementsOf(target.RoleArn['Fn::GetAtt'][0]);
      expect(statements).toEqual([
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: target.Arn }),
        expect.objectContaining({ Action: 'sqs:SendMessage', Resource: target.DeadLetterConfig.Arn }),
      ]);
    }
  });
});

describe('the bot secret', () => {
  it('is generated by Secrets Manager: the template holds no token and no secret value', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'webhookSecret',
        ExcludePunctuation: true,
      }),
    });
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('botToken');
    expect(text).not.toContain('"SecretString"');
    // Nothing shaped like a Telegram bot token (<bot id>:<35 characters>).
    expect(text).not.toMatch(/\d{6,}:[A-Za-z0-9_-]{30,}/);
  });

  it('reaches the functions as an ARN only, never as a value in the environment', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment as { Variables: Json }).Variables;
      expect(Object.keys(vars)).not.toContain('BOT_TOKEN');
      expect(Object.keys(vars)).not.toContain('WEBHOOK_SECRET');
      expect(vars.BOT_SECRET_ARN).toEqual({ Ref: logicalId(stack.botSecret) });
    }
  });
});

describe('least privilege', () => {
  const base = ['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'];
  const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  const dlq = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

  it('gives each function exactly the actions its code calls', () => {
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    expect(sorted(actionsOf(roleId('webhook')))).toEqual(
      sorted([
        ...base,
        ...read,
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        's3:PutObject',
        's3:GetObject',
        's3:AbortMultipartUpload',
        'lambda:InvokeFunction',
      ]),
    );
    expect(sorted(actionsOf(roleId('reminders')))).toEqual(
      sorted([...base, ...read, 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...dlq]),
    );
    // Summaries claim and mark the chat's deliveries, and stream its exports; the office API
    // only adds items (audit events, invites).
    expect(sorted(actionsOf(roleId('summaries')))).toEqual(
      sorted([
        ...base,
        ...read,
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        's3:PutObject',
        's3:GetObject',
        's3:AbortMultipartUpload',
        ...dlq,
      ]),
    );
    // …and its workbook jobs under exports/, linked, built by the summaries function.
    expect(sorted(actionsOf(roleId('officeApi')))).toEqual(
      sorted([...base, ...read, 'dynamodb:PutItem', 'lambda:InvokeFunction', 's3:GetObject', 's3:PutObject']),
    );
    // It writes only its job records; the workbooks are the summaries function's.
    const puts = statementsOf(roleId('officeApi')).filter((x) => JSON.stringify(x.Action).includes('s3:Put'));
    expect(JSON.stringify(puts.map((x) => x.Resource))).toContain('/exports/*/jobs/*');
    expect(JSON.stringify(puts.map((x) => x.Resource))).not.toMatch(/\/exports\/\*"/);
  });

  it('lets the webhook and the office API hand workbooks to the summaries function, that one function by its exact ARN', () => {
    for (const name of ['webhook', 'officeApi'] as const) {
      const env = (propsOf(fnId(name)).Environment as { Variables: Json }).Variables;
      expect(env.SUMMARIES_FUNCTION, name).toEqual({ Ref: fnId('summaries') });
      const invoke = statementsOf(roleId(name)).filter((x) => JSON.stringify(x.Action).includes('lambda:'));
      expect(invoke, name).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [fnId('summaries'), 'Arn'] },
        }),
      ]);
    }
    for (const name of ['reminders', 'summaries'] as const) {
      expect([...actionsOf(roleId(name))].filter((a) => a.startsWith('lambda:'))).toEqual([]);
    }
  });

  it('grants every DynamoDB call the store makes (a new kind of call cannot ship unnoticed)', () => {
    // store/s3-files.ts speaks to S3 (the evidence bucket's grant is asserted above).
    const source = readdirSync('store')
      .filter((f) => f.endsWith('.ts') && f !== 's3-files.ts')
      .map((f) => readFileSync(join('store', f), 'utf8'))
      .join('\n');
    const used = new Set([...source.matchAll(/new (\w+)Command\b/g)].map((m) => m[1]));
    const granted = new Set<string>([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS['put-update']]);
    expect(used.size).toBeGreaterThan(3);
    for (const command of used) {
      // The document client's commands map to the table actions without the "Item" suffix.
      const action = `dynamodb:${command === 'Query' ? 'Query' : `${command}Item`}`;
      expect(granted, `${command}Command is used in store/ but ${action} is not granted`).toContain(action);
    }
  });

  it('never grants Scan, deletes, batch writes, wildcards, or a resource "*"', () => {
    for (const [id] of ofType('AWS::IAM::Role')) {
      for (const s of statementsOf(id)) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        for (const a of actions) {
          expect(a).not.toMatch(/\*|Scan|Delete|BatchWrite|Transact/);
        }
        // The prefix grants: objects under evidence/, exports/ and exports/<campaign>/jobs/ of the
        // evidence bucket.
        const prefix = (p: string) =>
          `{"Fn::Join":["",[{"Fn::GetAtt":["${logicalId(stack.evidenceBucket)}","Arn"]},"/${p}/*"]]}`;
        const resource = JSON.stringify(s.Resource)
          .replace(prefix('evidence'), '"evidence-prefix"')
          .replace(prefix('exports'), '"exports-prefix"')
          .replace(prefix('exports/*/jobs'), '"export-jobs-prefix"');
        expect(resource).not.toMatch(/"\*"|\/\*"|index\/\*/);
      }
    }
  });

  it('scopes table access to the table and its two named indexes, and the secret to its ARN', () => {
    const table = logicalId(stack.table);
    for (const name of ['webhook', 'reminders', 'summaries', 'officeApi'] as const) {
      const statements = statementsOf(roleId(name));
      const reads = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb:Query'));
      expect(JSON.stringify(reads?.Resource)).toBe(
        JSON.stringify([
          { 'Fn::GetAtt': [table, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/GSI1']] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/GSI2']] },
        ]),
      );
      const secret = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
      expect(secret?.Resource).toEqual({ Ref: logicalId(stack.botSecret) });
    }
  });

  it('uses no managed policies on the function roles (no AWSLambdaBasicExecutionRole)', () => {
    for (const name of ['webhook', 'reminders', 'summaries', 'officeApi'] as const) {
      expect(resources[roleId(name)]?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const topic = () => ({ Ref: logicalId(stack.alarmTopic) });

  it("watch every function's errors and throttles", () => {
    for (const name of ['webhook', 'reminders', 'summaries', 'officeApi'] as const) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarms().filter(
          (a) =>
            a.MetricName === metric &&
            a.Namespace === 'AWS/Lambda' &&
            JSON.stringify(a.Dimensions) ===
              JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId(name) } }]),
        );
        expect(found, `${name} ${metric}`).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 1, AlarmActions: [topic()] });
      }
    }
  });

  it('fire on any failure the code counts: a failed update, a forged webhook call, an undelivered summary, a failed send, a 429', () => {
    for (const name of [
      'UpdatesFailed',
      'WebhookUnauthorized',
      'SummariesNotDelivered',
      'SendsFailed',
      'TelegramRateLimited',
    ]) {
      const found = alarms().filter((a) => a.MetricName === name);
      expect(found, name).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Namespace: 'InspectionBot',
        Dimensions: [{ Name: 'service', Value: 'inspection-bot' }],
        Statistic: 'Sum',
        Threshold: 1,
        AlarmActions: [topic()],
      });
    }
  });

  it('fire on any message in either dead-letter queue', () => {
    const dlqAlarms = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(2);
    for (const a of dlqAlarms)
      expect(a).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1, AlarmActions: [topic()] });
  });

  it('publish to an SSL-only topic, with an e-mail subscription when one is given', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = buildApp(new App({ context: { ...SKIP_BUNDLING, alarmEmail: 'ops@example.org' } }));
    Template.fromStack(withEmail.stack).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
  });
});

describe('outputs', () => {
  it('give the webhook URL, the office API URL, the secret ARN and the table name', () => {
    const api = logicalId(stack.api);
    template.hasOutput(OUTPUTS.webhookUrl, {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }, '/telegram']] },
    });
    template.hasOutput(OUTPUTS.officeApiUrl, {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }, '/office']] },
    });
    template.hasOutput(OUTPUTS.botSecretArn, { Value: { Ref: logicalId(stack.botSecret) } });
    template.hasOutput(OUTPUTS.tableName, { Value: { Ref: logicalId(stack.table) } });
    template.hasOutput(OUTPUTS.evidenceBucket, { Value: { Ref: logicalId(stack.evidenceBucket) } });
    template.hasOutput(OUTPUTS.campaignId, { Value: 'dongxing-2017' });
    template.hasOutput(OUTPUTS.botUsername, { Value: BOT });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the app', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
    // Nothing reported through annotations either.
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('runs on synth as app.ts wires it, and the synth passes', () => {
    const fresh = buildApp(new App({ context: { ...SKIP_BUNDLING, botUsername: BOT } }));
    expect(() => fresh.app.synth()).not.toThrow();
  }, 60_000);

  it('is live: an unacknowledged finding fails the check', () => {
    const bare = new App({ context: SKIP_BUNDLING });
    new Queue(new Stack(bare, 'Bare'), 'Queue');
    const report = new AwsSolutionsChecks().validateScope(bare);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('every acknowledgement gives a specific reason', () => {
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual([
      'AwsSolutions-APIG4',
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.evidenceBucket)}.Arn>/evidence/*]`,
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.evidenceBucket)}.Arn>/exports/*/jobs/*]`,
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.evidenceBucket)}.Arn>/exports/*]`,
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.evidenceBucket)}.Arn>/exports/*]`,
      `AwsSolutions-IAM5[Resource::<${logicalId(stack.evidenceBucket)}.Arn>/exports/*]`,
      // The job id of GET /office/summaries/{job}.
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalId(stack.api)}>/$default/GET/office/summaries/*]`,
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
      'AwsSolutions-SQS3',
    ]);
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThan(80);
  });
});
