// The webhook as it is deployed: the bundle the stack uploads (infra/bundle.ts: minified, split
// into chunks, UTF-8 texts, names kept), configured from the environment as on AWS, with its bot
// secret read from a Secrets Manager on loopback, the table in dynalite, photos in s3rver and the
// Bot API emulator answering. An inspector does a whole household survey through it. Every other
// test runs the sources; only this one would see a bundling option that breaks the running code
// (a library that compares a class's name, a text mangled by the output charset). The bundle runs
// in a process of its own, as in a Lambda container (node with the exec wrapper's options), behind
// a small loopback server that hands each event to its handler.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../bot/messages';
import { bundleFunction, ENTRY_FILE, RUNTIME_NODE_OPTIONS } from '../../infra/bundle';
import { LOCAL_S3_CREDENTIALS } from '../../local/s3-server';
import { DynamoStore } from '../../store/dynamo-store';
import { ChatUser } from '../support/chat-user';
import { type Engine, LOCAL_REGION, startEngine } from '../support/engines';
import { giveEvidence } from '../support/evidence';
import { FakeBotApi } from '../support/fake-bot-api';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { type LocalS3, startS3 } from '../support/s3';
import { answerUntilStop, typicalHousehold } from '../support/survey-driver';
import { campaign, expectNoRefusals, seedPerson, seedSample } from '../support/system';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:BotSecret-bundle';
const TOKEN = '7000321:bundled-webhook-token';
const SECRET = 'bundled-webhook-secret-0123456789';
const INSPECTOR = 9_700_001;
const OFFICE = 9_700_002;
const HOUSEHOLD = '黄秀英';

let dir: string;
let engine: Engine;
let store: DynamoStore;
let secrets: FakeSecretsManager;
let api: FakeBotApi;
let s3: LocalS3;
let container: ChildProcess;
let invokeUrl: string;
/** What the bundled function printed (Powertools writes its JSON lines to stdout). */
const printed: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bundled-webhook-'));
  bundleFunction('telegram-webhook', dir, 'silent');
  engine = await startEngine('dynalite', 'bundled');
  store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  await seedPerson(store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2', name: '阿明' });
  await seedPerson(store, { id: OFFICE, roles: ['office'], name: '市办' });
  await seedSample(store, 'jiaodong', [{ householdId: 'B1', name: HOUSEHOLD, stratum: 'exited_2016' }]);
  secrets = new FakeSecretsManager();
  await secrets.start();
  secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: SECRET }));
  api = new FakeBotApi();
  await api.start();
  s3 = await startS3();
  // As the stack configures the function, with each service's endpoint on loopback.
  const env = {
    PATH: process.env.PATH ?? '',
    TABLE_NAME: engine.tableName,
    CAMPAIGN_ID: campaign.id,
    BOT_USERNAME: 'bundled_bot',
    BOT_SECRET_ARN: ARN,
    EVIDENCE_BUCKET: s3.bucket,
    AWS_REGION: LOCAL_REGION,
    // s3rver checks the signature with its own keys; the local table takes any.
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    DYNAMODB_ENDPOINT: engine.endpoint,
    S3_ENDPOINT: s3.endpoint,
    TELEGRAM_API_ROOT: api.apiRoot,
    POWERTOOLS_METRICS_NAMESPACE: 'InspectionBot',
    AWS_LAMBDA_FUNCTION_NAME: 'telegram-webhook',
  };
  await writeFile(join(dir, 'container.mjs'), CONTAINER);
  container = spawn(process.execPath, [...RUNTIME_NODE_OPTIONS.split(' '), join(dir, 'container.mjs')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  container.stderr?.on('data', (c: Buffer) => printed.push(c.toString()));
  invokeUrl = await new Promise<string>((resolve, reject) => {
    container.once('exit', (code) =>
      reject(new Error(`the container exited (${code}): ${printed.join('')}`)),
    );
    container.stdout?.on('data', (c: Buffer) => {
      const text = c.toString();
      const listening = /^listening (\d+)$/m.exec(text);
      if (listening) resolve(`http://127.0.0.1:${listening[1]}/`);
      printed.push(text);
    });
  });
}, 120_000);

afterAll(async () => {
  container?.kill();
  await api?.stop();
  await secrets?.stop();
  await s3?.stop();
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The container: imports the bundle as Lambda's runtime does and hands it each event posted to it,
 * with the context Lambda gives. Invocations one at a time, as in one Lambda container.
 */
const CONTAINER = `
import { createServer } from 'node:http';
const { handler } = await import('./${ENTRY_FILE}');
let n = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const context = {
      functionName: 'telegram-webhook', functionVersion: '$LATEST', memoryLimitInMB: '1024',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:telegram-webhook',
      awsRequestId: 'req-' + ++n, getRemainingTimeInMillis: () => 29000,
    };
    const result = await handler(event, context);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

/** Lambda invoking the function with API Gateway's event. */
async function invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const res = await fetch(invokeUrl, { method: 'POST', body: JSON.stringify(event) });
  return (await res.json()) as APIGatewayProxyStructuredResultV2;
}

describe('the webhook bundle as deployed', () => {
  it('takes an inspector through a whole household survey to 已提交, and logs no answer', async () => {
    const inspector = new ChatUser(api, invoke, SECRET, INSPECTOR, '阿明');

    await inspector.send('/start');
    // The bundle's texts arrive as the sources wrote them (that they are UTF-8 in the bundle is
    // bundle.test.ts's check).
    expect(inspector.lastText()).toBe(t.home);
    await inspector.pressData('hs:jiaodong:0');
    await answerUntilStop(inspector, { h1_name: HOUSEHOLD, h1_type: '2016年脱贫户', ...typicalHousehold });
    for (let i = 0; i < 8 && !inspector.lastText().includes('📋 回顾'); i++) {
      if (inspector.lastText().includes('⚠️')) await inspector.press('✅ 确认无误');
      else await giveEvidence(inspector);
    }
    expect(inspector.lastText()).toContain('📋 回顾');
    await inspector.press('✅ 提交');

    expect(inspector.messages().some((m) => m.text.startsWith('✅ 已提交'))).toBe(true);
    const [survey] = await store.surveysOfInspector(String(INSPECTOR));
    expect(survey).toMatchObject({ status: 'submitted', villageId: 'jiaodong' });
    expect(survey?.answers.h1_name).toBe(HOUSEHOLD);
    expect(survey?.answers.h2_income).toBe(5200);
    // The photo went to the bucket through the bundle's S3 client, an island loaded on first use.
    expect((survey?.evidence?.photos ?? []).length).toBeGreaterThan(0);
    expectNoRefusals(api);

    // It did log (one line per update at least), and nothing a household said.
    const lines = printed.join('');
    expect(lines).toContain('"message":"update"');
    for (const secret of [HOUSEHOLD, '李强', TOKEN, SECRET]) expect(lines).not.toContain(secret);
    expect(inspector.messages().some((m) => m.text === t.failed)).toBe(false);
  }, 120_000);

  it('builds the city summary in the chat and uploads both workbooks to the Bot API as documents', async () => {
    // The bundle's Bot API calls go through Node's own fetch (infra/shims/node-fetch.ts): a
    // document is a multipart body streamed from telegraf's form, every other call JSON. The
    // workbooks come from the lazy exceljs chunk, through the bucket, as the chat's export does.
    const office = new ChatUser(api, invoke, SECRET, OFFICE, '市办');
    await office.send('/summary');
    await office.press('全市');

    const docs = office.messages().filter((m) => m.document);
    expect(docs.map((d) => d.document?.fileName)).toEqual([
      expect.stringMatching(/-全市-汇总表-\d{4}-\d\d-\d\d\.xlsx$/),
      expect.stringMatching(/-全市-原始数据-\d{4}-\d\d-\d\d\.xlsx$/),
    ]);
    for (const d of docs) {
      expect(Buffer.from(d.document!.bytes).subarray(0, 2).toString()).toBe('PK');
      expect(d.document!.bytes.byteLength).toBeGreaterThan(4_000);
    }
    expect(office.textsSince(0)).toContain('📊 全市汇总表已生成。');
    expectNoRefusals(api);
    expect(office.messages().some((m) => m.text === t.failed)).toBe(false);
  }, 120_000);
});
