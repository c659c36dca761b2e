// 📊 汇总表 built in the summaries function (issue 18): the webhook only hands the request on and
// says so (⏳); the function builds the package and sends it to the chat that asked. Here the hand-
// over queues the request as Lambda would, and the test runs the queue as the summaries function
// (functions/chat-summary.ts, on dynalite, s3rver and the fake Bot API). A retried event (Lambda
// retries an asynchronous invoke) delivers nothing twice; the next press is a new delivery; a
// person who lost the office grant meanwhile gets a clear answer and no files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, ManualClock, type Messenger, systemClock } from '../../app/messaging';
import { telegramMessenger } from '../../bot/telegram-messenger';
import { CHAT_SUMMARY_LEASE_MS, type ChatSummaryRequest, runChatSummary } from '../../functions/chat-summary';
import type { ChatUser } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { type System, seedPerson, startSystem } from '../support/system';

let engine: Engine;
let sys: System;
let office: ChatUser;
const queued: ChatSummaryRequest[] = [];

const run = (req: ChatSummaryRequest, clock: Clock = systemClock, messenger?: Messenger) =>
  runChatSummary(
    {
      store: sys.store,
      clock,
      campaign: sys.campaign,
      messenger: messenger ?? telegramMessenger(sys.bot.telegram),
      files: sys.files,
    },
    req,
  );

beforeAll(async () => {
  engine = await startEngine('dynalite', 'summary-later');
  sys = await startSystem({
    engine,
    summariesLater: async (actor, scope, requestId) => {
      queued.push({ type: 'chat-summary', personId: actor.id, scope, requestId });
    },
  });
  await seedPerson(sys.store, { id: 9_710_001, roles: ['office'], name: '扶贫办' });
  office = sys.user(9_710_001, '扶贫办');
  await office.send('/start');
}, 60_000);

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('the summary built after the tap', () => {
  it('says it is on its way, then the files arrive in the chat once, however often the event comes', async () => {
    await office.send('/summary');
    await office.press('全市');
    expect(office.lastText()).toBe('⏳ 正在生成汇总表,完成后会发到这里。数据多时需要几分钟,无需重复点击。');
    expect(office.messages().filter((m) => m.document)).toHaveLength(0);
    expect(queued).toHaveLength(1);
    const [request] = queued;
    if (!request) throw new Error('no request');
    expect(request).toMatchObject({ type: 'chat-summary', personId: '9710001', scope: 'city' });

    expect(await run(request)).toBe('sent');
    const docs = office.messages().filter((m) => m.document);
    expect(docs.map((d) => d.document?.fileName)).toEqual([
      expect.stringMatching(/全市-汇总表-.*\.xlsx$/),
      expect.stringMatching(/全市-原始数据-.*\.xlsx$/),
    ]);
    for (const d of docs)
      expect(
        Buffer.from(d.document?.bytes ?? [])
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
    const count = office.messages().length;
    expect(office.textsSince(count - 2)[0]).toBe('📊 全市汇总表已生成。');

    // Lambda delivers the same event again: nothing more is sent.
    expect(await run(request)).toBe('duplicate');
    expect(office.messages()).toHaveLength(count);
  });

  it('a run cut off after the first workbook is finished after its lease: each file, the ready line and 表5 arrive once', async () => {
    await office.send('/summary');
    await office.press('全市');
    const request = queued.at(-1);
    if (!request) throw new Error('no request');
    const before = office.messages().length;
    const clock = new ManualClock(new Date());
    // The function stops (a timeout) while sending the second workbook: it never returns.
    const messenger = telegramMessenger(sys.bot.telegram);
    let documents = 0;
    const stalled: Messenger = {
      ...messenger,
      sendDocument: (d) => (++documents === 2 ? new Promise(() => undefined) : messenger.sendDocument(d)),
    };
    void run(request, clock, stalled);
    await expect.poll(() => documents).toBe(2);
    expect(
      office
        .messages()
        .slice(before)
        .filter((m) => m.document),
    ).toHaveLength(1);

    // Lambda's retry of the event, once the lease is over.
    clock.advance(CHAT_SUMMARY_LEASE_MS + 1_000);
    expect(await run(request, clock)).toBe('sent');
    const arrived = office.messages().slice(before);
    const names = arrived.filter((m) => m.document).map((m) => m.document?.fileName);
    expect(names).toEqual([
      expect.stringMatching(/全市-汇总表-.*\.xlsx$/),
      expect.stringMatching(/全市-原始数据-.*\.xlsx$/),
    ]);
    expect(arrived.filter((m) => m.text === '📊 全市汇总表已生成。')).toHaveLength(1);
    expect(arrived.filter((m) => m.text?.startsWith('表5 整改情况'))).toHaveLength(1);
  });

  it('is counted failed, not sent, when Telegram refuses one of the files', async () => {
    await office.send('/summary');
    await office.press('全市');
    const request = queued.at(-1);
    if (!request) throw new Error('no request');
    const messenger = telegramMessenger(sys.bot.telegram);
    const refusing: Messenger = {
      ...messenger,
      sendDocument: async () => ({ ok: false, kind: 'error', description: 'Bad Request: file too big' }),
    };
    expect(await run(request, systemClock, refusing)).toBe('failed');
    const [delivery] = await sys.store.deliveriesOfReminder(
      `${sys.campaign.id}/summary:${request.requestId}`,
    );
    expect(delivery).toMatchObject({ status: 'failed', lastError: 'error' });
    // The event again: nothing more.
    expect(await run(request)).toBe('duplicate');
  });

  it('is refused with a clear answer when the person may no longer build it', async () => {
    await office.send('/summary');
    await office.press('全市');
    const request = queued.at(-1);
    if (!request) throw new Error('no request');
    const person = await sys.store.getPerson('9710001');
    if (!person) throw new Error('no person');
    await sys.store.savePerson({ ...person, grants: [] }, person.version);
    const before = office.messages().filter((m) => m.document).length;
    expect(await run(request)).toBe('failed');
    expect(office.lastText()).toBe('⚠️ 汇总表生成失败,请稍后再点 📊 汇总表 重试。如果多次失败,请联系管理员。');
    expect(office.messages().filter((m) => m.document)).toHaveLength(before);
  });
});
