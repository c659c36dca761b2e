// `cdk synth` as `npm run synth` runs it: the real CLI, offline, bundling with the local esbuild
// (no Docker), cdk-nag on. Then the bundles themselves, outside the repository (no node_modules):
// each handler is imported by plain Node and run against dynalite and the fake Bot API, so an ESM
// bundle that cannot `require`, or a dependency esbuild left out, fails here and not in Lambda.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_NODE_OPTIONS } from '../../infra/bundle';
import { loadCampaignFile } from '../../local/campaign-file';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../../store/client';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, LOCAL_REGION, startEngine } from '../support/engines';
import { FakeBotApi } from '../support/fake-bot-api';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TOKEN = '424242:AAH-synth-test-token-0123456789abcdefgh';
const SECRET = 'synth-test-webhook-secret-0123456789';
const BOT = 'dongxing_inspection_bot';

type Resource = { Type: string; Properties: Record<string, unknown> };

let out: string;
let synth: { stdout: string; stderr: string; ms: number };
let resources: Record<string, Resource>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cdk-out-'));
  const started = Date.now();
  // A temporary output directory: a concurrent `npm run synth` in the tree keeps its cdk.out.
  const result = await run('npx', ['cdk', 'synth', '--quiet', '--output', out], {
    cwd: ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    timeout: 170_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  synth = { ...result, ms: Date.now() - started };
  const template = JSON.parse(readFileSync(join(out, 'InspectionBot.template.json'), 'utf8'));
  resources = template.Resources;
}, 180_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** The bundle directory of the function whose logical id starts with `prefix`. */
function bundleOf(prefix: string): string {
  const [, fn] =
    Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
    ) ?? [];
  const key = (fn?.Properties.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
  return join(out, `asset.${key.replace(/\.zip$/, '')}`);
}

const FUNCTIONS = ['TelegramWebhook', 'SendReminders', 'BuildSummaries', 'OfficeApi'] as const;

/** index.mjs, its chunks and its islands, relative to the bundle directory. */
const codeFiles = (dir: string) => [
  'index.mjs',
  ...['chunks', 'islands'].flatMap((sub) =>
    existsSync(join(dir, sub))
      ? readdirSync(join(dir, sub))
          .filter((f) => f.endsWith('.mjs'))
          .map((f) => `${sub}/${f}`)
      : [],
  ),
];

/** The files Node evaluates when index.mjs is imported: it and the chunks it imports statically. */
function loadedAtImport(dir: string): string[] {
  const seen = new Set<string>();
  const pending = ['index.mjs'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    // Static imports only (`import{a}from"./chunks/x.mjs"`, `import"./x.mjs"`), not import("…").
    for (const [, path] of code.matchAll(/\bimport\s*(?:[\w$*{},\s]*?from\s*)?["'](\.{1,2}\/[^"']+)["']/g))
      pending.push(join(file, '..', path ?? ''));
  }
  return [...seen];
}

describe('npm run synth (cdk synth --quiet, offline)', () => {
  it('succeeds with cdk-nag on and writes the template', () => {
    expect(synth.stderr).not.toMatch(/AwsSolutions-\w+/);
    expect(existsSync(join(out, 'InspectionBot.template.json'))).toBe(true);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(4);
    console.info(`cdk synth took ${(synth.ms / 1000).toFixed(1)} s`);
  });

  it('has the evidence bucket encrypted, closed to the public and TLS-only; grants name evidence/ and exports/ only', () => {
    const buckets = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::S3::Bucket' && JSON.stringify(r.Properties).includes('"Prefix":"evidence/"'),
    );
    expect(buckets).toHaveLength(1);
    const [id, bucket] = buckets[0]!;
    const props = bucket.Properties as Record<string, unknown>;
    expect(JSON.stringify(props.BucketEncryption)).toContain('"SSEAlgorithm":"AES256"');
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::S3::BucketPolicy' &&
        JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: id }),
    );
    expect(JSON.stringify(policy?.Properties)).toContain('{"Bool":{"aws:SecureTransport":"false"}}');
    const grants = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((st) => JSON.stringify(st.Action).includes('s3:'));
    // The webhook: photos under evidence/ and the chat's exports; the summaries function: exports;
    // the office API: reads exports/, writes its job records.
    const under = (path: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, path]] });
    const exportsGrant = expect.objectContaining({
      Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
      Resource: under('/exports/*'),
    });
    expect(grants).toEqual([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'], Resource: under('/evidence/*') }),
      exportsGrant,
      exportsGrant,
      expect.objectContaining({ Action: 's3:GetObject', Resource: under('/exports/*') }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: under('/exports/*/jobs/*') }),
    ]);
  });

  it('bundles each function as ESM split into chunks, each file with a source map beside it, the require shim and the AWS SDK inside', () => {
    for (const name of FUNCTIONS) {
      const dir = bundleOf(name);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      for (const file of codeFiles(dir)) {
        const text = readFileSync(join(dir, file), 'utf8');
        expect(existsSync(join(dir, `${file}.map`)), `${name} ${file}`).toBe(true);
        expect(
          text.startsWith('import { createRequire as __inspectionCreateRequire }'),
          `${name} ${file}`,
        ).toBe(true);
        // The SDK is bundled (the pinned version), not imported from the runtime's copy; the runs
        // below, from a directory with no node_modules, show nothing else is missing either.
        expect(text, `${name} ${file}`).not.toMatch(
          /(?:\bfrom\s*|\bimport\s*\(|__require\s*\()["']@aws-sdk\//,
        );
      }
    }
  });

  it('starts node with a small young generation through the exec wrapper in each asset, whatever the bootstrap passes', async () => {
    // What Lambda's bootstrap runs for a 1,024 MB function, with a script that prints V8's heap
    // limit: the old space plus three semi-spaces.
    const heapLimitMb = async (command: string[]) => {
      const { stdout } = await run(command[0]!, command.slice(1), { cwd: tmpdir(), timeout: 30_000 });
      return Number(stdout.trim());
    };
    const bootstrap = [
      process.execPath,
      '--expose-gc',
      '--max-semi-space-size=51',
      '--max-old-space-size=192',
      '-e',
      "console.log(require('v8').getHeapStatistics().heap_size_limit / 1048576)",
    ];
    // V8 rounds a semi-space up to a power of two: 51 MB is 64.
    expect(await heapLimitMb(bootstrap)).toBe(192 + 3 * 64);
    for (const name of FUNCTIONS) {
      const wrapper = join(bundleOf(name), 'node-options.sh');
      expect(statSync(wrapper).mode & 0o111, name).not.toBe(0);
      expect(await heapLimitMb([wrapper, ...bootstrap]), name).toBe(192 + 3 * 8);
    }
  });

  it('leaves out of the webhook’s cold start what an answer never needs: exceljs, the workbooks, the S3 client, tr46', () => {
    const dir = bundleOf('TelegramWebhook');
    const sourcesOf = (files: readonly string[]) =>
      files.flatMap((file) => JSON.parse(readFileSync(join(dir, `${file}.map`), 'utf8')).sources as string[]);
    const atImport = sourcesOf(loadedAtImport(dir));
    const heavy =
      /node_modules\/(?:exceljs|@aws-sdk\/client-s3|tr46|whatwg-url)\/|reports\/(?:xlsx|raw)\.ts$/;
    expect(atImport.some((s) => s.endsWith('functions/telegram-webhook.ts'))).toBe(true); // the check sees sources
    expect(atImport.filter((s) => heavy.test(s))).toEqual([]);
    // …but they are in the asset, for the first /summary, list upload or photo.
    const all = sourcesOf(codeFiles(dir));
    for (const lazy of ['node_modules/exceljs/', 'node_modules/@aws-sdk/client-s3/', 'reports/xlsx.ts'])
      expect(
        all.some((s) => s.includes(lazy)),
        lazy,
      ).toBe(true);
  });
});

describe('the bundles run on plain Node, outside the repository', () => {
  let engine: Engine;
  let api: FakeBotApi;
  let apiRoot: string;

  beforeAll(async () => {
    engine = await startEngine('dynalite', 'inspection-synth');
    api = new FakeBotApi({ token: TOKEN });
    apiRoot = await api.start();
    const client = createDynamoClient({
      endpoint: engine.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const store = new DynamoStore({ client, tableName: engine.tableName });
    await store.putCampaign(await loadCampaignFile('dongxing-2017'));
    const at = new Date().toISOString();
    await store.putPerson({
      id: '7001',
      grants: [{ role: 'office' }],
      chatId: 7001,
      lastUpdateId: 0,
      session: {},
      version: 0,
      createdAt: at,
      updatedAt: at,
    });
    client.destroy();
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await engine?.stop();
  });

  /** Imports the bundle's index.mjs in a fresh Node and calls its handler with the event. */
  async function invoke(fn: (typeof FUNCTIONS)[number], event: unknown): Promise<unknown> {
    const script = `const m = await import(${JSON.stringify(join(bundleOf(fn), 'index.mjs'))});
      const result = await m.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'test' });
      process.stdout.write('\\n@@' + JSON.stringify(result ?? null));`;
    const { stdout } = await run(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        cwd: tmpdir(),
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          DYNAMODB_ENDPOINT: engine.endpoint,
          TABLE_NAME: engine.tableName,
          CAMPAIGN_ID: 'dongxing-2017',
          BOT_USERNAME: BOT,
          // Local mode of functions/runtime.ts; on AWS it is BOT_SECRET_ARN.
          BOT_TOKEN: TOKEN,
          WEBHOOK_SECRET: SECRET,
          TELEGRAM_API_ROOT: apiRoot,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          // As deployed (infra/function.ts).
          NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
          EVENT: JSON.stringify(event),
        },
      },
    );
    return JSON.parse(stdout.slice(stdout.lastIndexOf('\n@@') + 3));
  }

  const httpEvent = (routeKey: string, body: unknown, extra: Record<string, unknown> = {}) => ({
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1],
    headers: {},
    isBase64Encoded: false,
    body: JSON.stringify(body),
    requestContext: { requestId: 'r1', routeKey, http: { method: 'POST', path: routeKey.split(' ')[1] } },
    ...extra,
  });

  it('telegram-webhook refuses a wrong secret token and answers a stranger', async () => {
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 9001, type: 'private' },
        from: { id: 9001, is_bot: false, first_name: 'Stranger' },
        text: '/start',
      },
    };
    const refused = await invoke('TelegramWebhook', {
      ...httpEvent('POST /telegram', update),
      headers: { 'x-telegram-bot-api-secret-token': 'wrong' },
    });
    expect(refused).toMatchObject({ statusCode: 401 });
    const answered = await invoke('TelegramWebhook', {
      ...httpEvent('POST /telegram', update),
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
    });
    expect(answered).toMatchObject({ statusCode: 200 });
    expect(api.chat(9001).length).toBeGreaterThan(0);
  }, 60_000);

  it('office-api creates an invite for an IAM caller', async () => {
    const result = (await invoke(
      'OfficeApi',
      httpEvent(
        'POST /office/invites',
        { role: 'office' },
        {
          requestContext: {
            requestId: 'r2',
            routeKey: 'POST /office/invites',
            http: { method: 'POST', path: '/office/invites' },
            authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/office', userId: 'AIDAOFFICE' } },
          },
        },
      ),
    )) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body).link).toMatch(new RegExp(`^https://t\\.me/${BOT}\\?start=`));
  }, 60_000);

  it('build-summaries renders the workbooks (exceljs inside the bundle) and sends them to the office', async () => {
    const result = await invoke('BuildSummaries', { source: 'scheduler', schedule: 'Summaries' });
    expect(result).toMatchObject({ files: 2, recipients: 1, sent: 2, already: 0 });
    const docs = api.callsOf('sendDocument').filter((c) => Number(c.params.chat_id) === 7001);
    expect(docs).toHaveLength(2);
    // The scheduler's retry of the same evening: nothing built, nothing sent again.
    const retry = await invoke('BuildSummaries', { source: 'scheduler', schedule: 'Summaries' });
    expect(retry).toMatchObject({ files: 0, sent: 0, already: 1 });
    expect(api.callsOf('sendDocument')).toHaveLength(2);
  }, 60_000);

  it('send-reminders runs to a report', async () => {
    const result = await invoke('SendReminders', { source: 'scheduler', schedule: 'Reminders' });
    expect(result).toEqual(expect.any(Object));
  }, 60_000);
});
