// Live configuration (issue 19): a running function sees a reloaded campaign and a rotated secret
// within five minutes, without being replaced, and the scheduled functions do nothing (and say
// why) until the deployment has its secret and its campaign. The campaign lives in dynalite, the
// secret in a Secrets Manager on loopback read through Powertools Parameters and the real SDK,
// the Bot API is the emulator; time moves by a clock (the runtime's own, or the Date that
// Powertools' cache reads), never by waiting.

import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../app/messaging';
import type { Campaign } from '../../domain/campaign';
import type { MetricName } from '../../functions/metrics';
import { type Configured, liveRuntime, type Runtime, type RuntimeEnv } from '../../functions/runtime';
import { apiGatewayEvent, textMessageUpdate } from '../../local/updates';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, LOCAL_REGION, startEngine } from '../support/engines';
import { FakeBotApi } from '../support/fake-bot-api';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { campaign, seedPerson, silentLogger } from '../support/system';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:BotSecret-live';
const TOKEN = '7000123:live-config-token';
const OLD_SECRET = 'old-webhook-secret-0123456789';
const NEW_SECRET = 'new-webhook-secret-9876543210';
const REVISED: Campaign = { ...campaign, name: '2017年东兴市脱贫攻坚工作大检查(修订)' };

let engine: Engine;
let store: DynamoStore;
let secrets: FakeSecretsManager;
let api: FakeBotApi;

beforeAll(async () => {
  engine = await startEngine('dynalite', 'live-config');
  store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  secrets = new FakeSecretsManager();
  await secrets.start();
  api = new FakeBotApi();
  await api.start();
});

afterAll(async () => {
  await api?.stop();
  await secrets?.stop();
  await engine?.stop();
});

const ready = async (c: Promise<Configured>): Promise<Runtime> => {
  const out = await c;
  if (!out.ready) throw new Error(`not ready: ${out.missing}`);
  return out.runtime;
};

describe('the campaign while a function runs', () => {
  const env: RuntimeEnv = { TABLE_NAME: 'live-config', CAMPAIGN_ID: campaign.id, BOT_USERNAME: 'live_bot' };
  const secret = async () => ({ botToken: TOKEN, webhookSecret: OLD_SECRET });
  const counted: MetricName[] = [];
  const counter = { count: (name: MetricName) => counted.push(name) };

  beforeEach(async () => {
    await store.putCampaign(campaign);
  });

  it('reaches it once five minutes have passed since it was read, and not before', async () => {
    const clock = new ManualClock(new Date('2017-11-01T02:00:00Z'));
    const live = liveRuntime({ env, store, secret, clock, logger: silentLogger, counter });
    const first = await ready(live());
    expect(first.campaign.name).toBe(campaign.name);

    await store.putCampaign(REVISED); // npx tsx scripts/load-campaign.ts
    clock.advance(4 * 60_000 + 59_000);
    const before = await ready(live());
    expect(before.campaign.name).toBe(campaign.name);
    expect(before).toBe(first); // the same bot, nothing rebuilt

    clock.advance(1_000);
    const after = await ready(live());
    expect(after.campaign.name).toBe(REVISED.name);
    expect(after).not.toBe(first); // the bot was rebuilt over the new campaign
  });

  it('is seen at once when it is loaded after the functions started', async () => {
    const id = 'loaded-later';
    const clock = new ManualClock(new Date('2017-11-01T02:00:00Z'));
    const live = liveRuntime({
      env: { ...env, CAMPAIGN_ID: id },
      store,
      secret,
      clock,
      logger: silentLogger,
    });
    const missing = await live();
    expect(missing).toEqual({
      ready: false,
      missing: `campaign ${id} is not loaded into table live-config (README, Deploying to AWS, step 4)`,
    });
    await store.putCampaign({ ...campaign, id });
    expect((await ready(live())).campaign.id).toBe(id);
  });

  it('stays as it was read when the table cannot be read at refresh time, and is read again on the next call', async () => {
    let failing = false;
    const flaky = new (class extends DynamoStore {
      override async getCampaign(id: string) {
        if (failing) throw new Error('connect ECONNREFUSED');
        return super.getCampaign(id);
      }
    })({ client: engine.client, tableName: engine.tableName });
    const warned: string[] = [];
    const clock = new ManualClock(new Date('2017-11-01T02:00:00Z'));
    const live = liveRuntime({
      env,
      store: flaky,
      secret,
      clock,
      logger: { ...silentLogger, warn: (m: string) => warned.push(m) },
    });
    await ready(live());
    await store.putCampaign(REVISED);
    failing = true;
    clock.advance(5 * 60_000);
    expect((await ready(live())).campaign.name).toBe(campaign.name);
    expect(warned).toEqual(['campaign not refreshed: the one read before is used']);
    failing = false;
    expect((await ready(live())).campaign.name).toBe(REVISED.name);
  });
});

// ---------------------------------------------------------------------------------------------
// The Lambda entries, configured from the environment as on AWS

const ENV = {
  TABLE_NAME: 'live-config',
  CAMPAIGN_ID: campaign.id,
  BOT_USERNAME: 'live_bot',
  BOT_SECRET_ARN: ARN,
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

const saved = { ...process.env };

/** What Lambda hands the handler (the logger reads its names into every line). */
const context = (name: string) =>
  ({
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${name}`,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** A new container: the modules evaluated afresh, as at a cold start. */
async function coldStart() {
  vi.resetModules();
  return {
    reminders: (await import('../../functions/send-reminders')).handler,
    summaries: (await import('../../functions/build-summaries')).handler,
    webhook: (await import('../../functions/telegram-webhook')).handler,
  };
}

/** Everything the functions print (Powertools writes its JSON lines to stdout). */
function captureOutput(): string[] {
  const out: string[] = [];
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      out.push(String(chunk));
      return true;
    }) as typeof stream.write);
  return out;
}

describe('the Lambda functions of a new deployment', () => {
  beforeEach(() => {
    Object.assign(process.env, ENV, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      DYNAMODB_ENDPOINT: engine.endpoint,
      TELEGRAM_API_ROOT: api.apiRoot,
    });
    api.calls.length = 0;
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  });

  it('before the token is in the secret and the campaign in the table, the scheduled ones say what is missing and succeed', async () => {
    await store.putCampaign({ ...campaign, id: 'other-campaign' });
    process.env.CAMPAIGN_ID = 'not-loaded-yet';
    // As the stack creates it: a generated webhook secret, no token.
    const generated = 'Gen3ratedWebhookSecretOf48CharactersXXXXXXXXXXXX';
    secrets.secrets.set(ARN, JSON.stringify({ webhookSecret: generated }));
    const out = captureOutput();
    const fn = await coldStart();
    const reminders = await fn.reminders({}, context('send-reminders'));
    const summaries = await fn.summaries({}, context('build-summaries'));
    expect(reminders).toEqual({
      skipped: 'not configured',
      missing: 'the bot secret lacks a valid botToken (README, Deploying to AWS, step 3)',
    });
    expect(summaries).toEqual(reminders);

    // Step 3 done: the token is in; the campaign is still missing.
    secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: generated }));
    const next = await coldStart();
    expect(await next.reminders({}, context('send-reminders'))).toEqual({
      skipped: 'not configured',
      missing: `campaign not-loaded-yet is not loaded into table live-config (README, Deploying to AWS, step 4)`,
    });
    vi.restoreAllMocks();

    expect(api.calls).toEqual([]);
    const warnings = out.filter((l) => l.includes('not configured yet')).map((l) => JSON.parse(l));
    expect(warnings.map((w) => [w.level, w.message, w.function_name])).toEqual([
      ['WARN', 'reminders: not configured yet, nothing done', 'send-reminders'],
      ['WARN', 'summaries: not configured yet, nothing done', 'build-summaries'],
      ['WARN', 'reminders: not configured yet, nothing done', 'send-reminders'],
    ]);
    // What is missing is named; the values are not.
    expect(out.join('')).not.toContain(generated);
    expect(out.join('')).not.toContain(TOKEN);
  });

  it('a rotated secret is taken within five minutes, without replacing the function', async () => {
    await store.putCampaign(campaign);
    secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: OLD_SECRET }));
    // Powertools keeps the secret by the Date; only the Date is moved.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T12:00:00Z') });
    const out = captureOutput();
    const { webhook } = await coldStart();
    // An update of a kind the bot ignores: answered 200 without a Bot API call.
    const call = async (secret: string) =>
      (await webhook(apiGatewayEvent({ update_id: 900 }, secret), context('telegram-webhook'))).statusCode;
    expect(await call(OLD_SECRET)).toBe(200);
    const reads = secrets.reads.length;

    secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: NEW_SECRET }));
    vi.setSystemTime(new Date('2026-11-30T12:04:59Z'));
    expect(await call(OLD_SECRET)).toBe(200);
    expect(await call(NEW_SECRET)).toBe(401);
    expect(secrets.reads.length).toBe(reads); // kept, not read per request

    vi.setSystemTime(new Date('2026-11-30T12:05:01Z'));
    expect(await call(NEW_SECRET)).toBe(200);
    expect(await call(OLD_SECRET)).toBe(401);
    expect(secrets.reads.length).toBe(reads + 1);

    // Each line names the function and, once the update is read, carries its id; the next
    // invocation starts without it.
    const lines = out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const ignored = lines.filter((l) => l.message === 'update ignored: kind not handled');
    expect(ignored.length).toBe(3);
    for (const l of ignored)
      expect(l).toMatchObject({ correlation_id: 900, function_name: 'telegram-webhook' });
    const refused = lines.filter((l) => l.message === 'webhook request refused: bad secret token');
    expect(refused.length).toBe(2);
    for (const l of refused) expect(l).not.toHaveProperty('correlation_id');
  });

  it('the webhook never logs the event, not even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
    await store.putCampaign(campaign);
    secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: OLD_SECRET }));
    await seedPerson(store, { id: 812_001, roles: ['inspector'], groupId: 'g1', name: '司徒翠花' });
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    const out = captureOutput();
    const { webhook } = await coldStart();
    const update = textMessageUpdate(901, { id: 812_001, firstName: '司徒翠花' }, 1, '我家年收入2987.65元');
    const res = await webhook(apiGatewayEvent(update, OLD_SECRET), context('telegram-webhook'));
    vi.restoreAllMocks();
    expect(res.statusCode).toBe(200);
    expect(api.chat(812_001).length).toBeGreaterThan(0); // answered
    const printed = out.join('');
    expect(printed).toContain('"correlation_id":901');
    for (const secret of ['司徒翠花', '2987.65', OLD_SECRET]) expect(printed).not.toContain(secret);
  });

  it('the nightly summary goes to each office chat once a date, and a failed send is counted (EMF)', async () => {
    await store.putCampaign(campaign);
    secrets.secrets.set(ARN, JSON.stringify({ botToken: TOKEN, webhookSecret: OLD_SECRET }));
    await seedPerson(store, { id: 810_001, roles: ['office'] });
    await seedPerson(store, { id: 810_002, roles: ['office'] });
    // Telegram fails the second office member's workbooks (a 500, then the raw data's too).
    api.failures.push({
      method: 'sendDocument',
      chatId: 810_002,
      errorCode: 500,
      description: 'Internal',
      times: 2,
    });
    const out = captureOutput();
    const { summaries } = await coldStart();
    const first = await summaries({}, context('build-summaries'));
    const retry = await summaries({}, context('build-summaries'));
    vi.restoreAllMocks();

    expect(first).toMatchObject({ files: 2, recipients: 2, sent: 2, already: 0 });
    // The retry (EventBridge's or Lambda's) sends nothing and builds nothing.
    expect(retry).toMatchObject({ files: 0, recipients: 2, sent: 0, already: 2 });
    expect(api.chat(810_001).filter((m) => m.document)).toHaveLength(2);
    expect(api.callsOf('sendDocument').filter((c) => Number(c.params.chat_id) === 810_002)).toHaveLength(2);

    const emf = out.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf).toHaveLength(1);
    const total = (v: unknown) => [v].flat().reduce((a: number, b) => a + Number(b), 0);
    expect(total(emf[0]?.SendsFailed)).toBe(2);
    expect(total(emf[0]?.SummariesNotDelivered)).toBe(1);
  });
});
