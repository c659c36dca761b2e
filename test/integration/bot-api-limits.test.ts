// Every Bot API call has a time limit (bot/telegram-messenger.ts limitBotApi: 10 s on AWS, 200 ms
// here), and what Telegram refuses is counted (functions/metrics.ts): a Bot API that takes the
// request and never answers ends the call at the limit, and the outcome is reported, never a
// function hanging until Lambda kills it. The working Bot API is the emulator; the silent one a
// raw HTTP server that reads requests and answers nothing.

import { createServer, type Server } from 'node:http';
import { Telegraf } from 'telegraf';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { deliveryId, sendDueReminders } from '../../app/reminders';
import { createBot, type LoggerLike } from '../../bot/bot';
import { type BotApiLimits, limitBotApi, telegramMessenger } from '../../bot/telegram-messenger';
import { deadlineInstant } from '../../domain/campaign';
import type { Person } from '../../domain/model';
import { countedMessenger, counter, flushMetrics, type MetricName } from '../../functions/metrics';
import { botInfoFrom } from '../../functions/runtime';
import { createWebhookHandler } from '../../functions/webhook-handler';
import { apiGatewayEvent, textMessageUpdate } from '../../local/updates';
import { FakeBotApi } from '../support/fake-bot-api';
import { grantsOf } from '../support/people';
import { campaign } from '../support/system';

const TOKEN = '7000125:limits-token';
const SECRET = 'limits-webhook-secret-0123456789';
const LIMITS: BotApiLimits = { timeoutMs: 200, uploadTimeoutMs: 200 };
const LEADER = 830_001;
/** 08:30 in Dongxing on 28 October 2017: the staff list and training reminders are due. */
const MORNING = deadlineInstant(campaign, '2017-10-28T08:30');

/** Takes every request and never answers (Telegram unreachable half-way through a call). */
class SilentApi {
  apiRoot = '';
  readonly requests: string[] = [];
  #server?: Server;

  async start(): Promise<void> {
    this.#server = createServer((req) => {
      this.requests.push(req.url ?? '');
      req.resume();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.apiRoot = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const leader = (chatId: number): Person => ({
  id: `leader-${chatId}`,
  grants: grantsOf(['leader'], { groupId: 'g2' }),
  chatId,
  displayName: '组长',
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-20T00:00:00.000Z',
  updatedAt: '2017-10-20T00:00:00.000Z',
});

let silent: SilentApi;
let api: FakeBotApi;
let counted: MetricName[];
const count = { count: (name: MetricName) => counted.push(name) };

/** The Messenger of the reminders as functions/runtime.ts wires it, over the given Bot API. */
function messengerAt(apiRoot: string) {
  const bot = limitBotApi(new Telegraf(TOKEN, { telegram: { apiRoot } }), {
    ...LIMITS,
    onRateLimited: () => count.count('TelegramRateLimited'),
  });
  return countedMessenger(telegramMessenger(bot.telegram), count);
}

beforeAll(async () => {
  silent = new SilentApi();
  await silent.start();
  api = new FakeBotApi();
  await api.start();
});

afterAll(async () => {
  await silent?.stop();
  await api?.stop();
});

beforeEach(() => {
  counted = [];
  api.calls.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a reminder send', () => {
  it('without an answer is ended at the time limit, counted as a failed send, and sent on the next run', async () => {
    const store = new MemoryStore();
    await store.putCampaign(campaign);
    await store.putPerson(leader(LEADER));
    const clock = new ManualClock(MORNING);
    const deps = { store, clock, sleep: async () => undefined };

    const started = Date.now();
    const first = await sendDueReminders({ ...deps, messenger: messengerAt(silent.apiRoot) }, campaign);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(silent.requests.length).toBeGreaterThan(0);
    expect(first).toMatchObject({ sent: 0, failed: silent.requests.length });
    expect(counted).toEqual(silent.requests.map(() => 'SendsFailed'));
    const [d] = await store.deliveriesOfReminder(deliveryId(campaign, 'staff_list:3d0830:g.g2'));
    expect(d).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Bot API sendMessage: no answer within 200 ms',
    });

    // Telegram answers again by the next quarter hour: the failed sends go out.
    clock.advance(15 * 60_000);
    const next = await sendDueReminders({ ...deps, messenger: messengerAt(api.apiRoot) }, campaign);
    expect(next.sent).toBe(first.failed);
    expect(api.chat(LEADER).map((m) => m.text.split('\n')[0])).toHaveLength(first.failed);
  });

  it('Telegram refuses with a 500 or a 429 is counted, and the counts leave the function as metrics', async () => {
    const store = new MemoryStore();
    await store.putCampaign(campaign);
    await store.putPerson(leader(LEADER));
    api.failures.push(
      { method: 'sendMessage', chatId: LEADER, errorCode: 500, description: 'Internal Server Error' },
      {
        method: 'sendMessage',
        chatId: LEADER,
        errorCode: 429,
        description: 'Too Many Requests',
        retryAfter: 1,
      },
    );
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    // The functions' own counter (Powertools Metrics), flushed as the middleware does.
    const bot = limitBotApi(new Telegraf(TOKEN, { telegram: { apiRoot: api.apiRoot } }), {
      ...LIMITS,
      onRateLimited: () => counter.count('TelegramRateLimited'),
    });
    const report = await sendDueReminders(
      {
        store,
        clock: new ManualClock(MORNING),
        sleep: async () => undefined,
        messenger: countedMessenger(telegramMessenger(bot.telegram), counter),
      },
      campaign,
    );
    await (flushMetrics().after as () => Promise<void>)();
    vi.restoreAllMocks();

    // The 500 failed its send; the 429 was waited out and the send went through.
    expect(report.failed).toBe(1);
    expect(report.sent).toBeGreaterThan(0);
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ SendsFailed: 1, TelegramRateLimited: 1, service: 'inspection-bot' });
    expect(emf[0]._aws.CloudWatchMetrics[0].Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'SendsFailed', Unit: 'Count' },
        { Name: 'TelegramRateLimited', Unit: 'Count' },
      ]),
    );
  });

  it('to a person who blocked the bot (403) is not a failed send', async () => {
    api.failures.push({
      method: 'sendMessage',
      chatId: LEADER,
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    const result = await messengerAt(api.apiRoot).send({ chatId: LEADER, text: '提醒' });
    expect(result).toEqual({ ok: false, kind: 'unreachable' });
    expect(counted).toEqual([]);
  });
});

describe('a chat turn', () => {
  it('whose reply gets no answer fails loudly (UpdatesFailed, logged by name) and the webhook still answers in time', async () => {
    const store = new MemoryStore();
    await store.putCampaign(campaign);
    await store.putPerson(leader(LEADER));
    const errors: Record<string, unknown>[] = [];
    const log: LoggerLike = {
      info() {},
      warn() {},
      error: (line, ...attributes) => errors.push({ line, ...Object.assign({}, ...attributes) }),
    };
    const bot = limitBotApi(
      createBot(
        { store, clock: new ManualClock(MORNING), campaign, logger: log, counter: count },
        { token: TOKEN, botInfo: botInfoFrom(TOKEN, 'limits_bot'), apiRoot: silent.apiRoot },
      ),
      LIMITS,
    );
    const webhook = createWebhookHandler({ bot, secret: SECRET, logger: log, counter: count });
    const before = silent.requests.length;

    const started = Date.now();
    const out = await webhook(
      apiGatewayEvent(textMessageUpdate(77, { id: LEADER, firstName: '组长' }, 1, '/help'), SECRET),
    );
    const took = Date.now() - started;

    expect(out.statusCode).toBe(200);
    expect(took).toBeLessThan(3_000);
    // The reply was tried (and ended at the limit), then 系统出错了 (ended too).
    expect(silent.requests.length - before).toBe(2);
    expect(counted).toEqual(['UpdatesFailed']);
    expect(errors).toEqual([
      {
        line: 'update failed',
        updateId: 77,
        error: 'BotApiTimeoutError',
        message: 'Bot API sendMessage: no answer within 200 ms',
      },
    ]);
  });

  it('a file upload gets the longer limit', async () => {
    const bot = limitBotApi(new Telegraf(TOKEN, { telegram: { apiRoot: silent.apiRoot } }), {
      timeoutMs: 100,
      uploadTimeoutMs: 600,
    });
    const started = Date.now();
    const result = await telegramMessenger(bot.telegram).sendDocument({
      chatId: LEADER,
      fileName: '汇总表.xlsx',
      bytes: new Uint8Array([1, 2, 3]),
    });
    const took = Date.now() - started;
    expect(result).toEqual({
      ok: false,
      kind: 'error',
      description: 'Bot API sendDocument: no answer within 600 ms',
    });
    expect(took).toBeGreaterThanOrEqual(550);
  });
});
