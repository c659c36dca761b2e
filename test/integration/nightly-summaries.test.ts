// The nightly summary is sent once per campaign-local date (functions/nightly-summaries.ts): a
// retried run of the same evening sends nothing twice, the next evening sends again, and a run
// that was cut off after claiming is taken over only once its lease is over. The store is
// dynalite, the Bot API the emulator.

import { Telegraf } from 'telegraf';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { telegramMessenger } from '../../bot/telegram-messenger';
import { CHAT_SUMMARY_LEASE_MS } from '../../functions/chat-summary';
import { type NightlyDeps, nightlyDeliveryId, sendNightlySummaries } from '../../functions/nightly-summaries';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';
import { FakeBotApi } from '../support/fake-bot-api';
import { campaign, seedPerson } from '../support/system';

const OFFICE = [820_001, 820_002];
/** 21:00 in Dongxing (UTC+8) on 1 and 2 November 2017. */
const EVENING = new Date('2017-11-01T13:00:00Z');
const NEXT_EVENING = new Date('2017-11-02T13:00:00Z');

let engine: Engine;
let api: FakeBotApi;
let deps: NightlyDeps & { clock: ManualClock; store: DynamoStore };

beforeAll(async () => {
  api = new FakeBotApi();
  await api.start();
});

afterAll(async () => {
  await api?.stop();
});

beforeEach(async () => {
  // A fresh table per scenario (dynalite starts in milliseconds): one's deliveries must not
  // answer for another's.
  engine = await startEngine('dynalite', 'nightly');
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  for (const id of OFFICE) await seedPerson(store, { id, roles: ['office'] });
  api.calls.length = 0;
  const telegram = new Telegraf('7000124:nightly', { telegram: { apiRoot: api.apiRoot } }).telegram;
  deps = { store, clock: new ManualClock(EVENING), messenger: telegramMessenger(telegram) };
});

afterEach(async () => {
  await engine?.stop();
});

/** Workbooks each office chat was sent, by chat. */
const documents = () =>
  OFFICE.map((chat) => api.callsOf('sendDocument').filter((c) => Number(c.params.chat_id) === chat).length);

describe('the nightly summary', () => {
  it('a retried run of the same evening sends nothing twice; the next evening sends again', async () => {
    const first = await sendNightlySummaries(deps, campaign);
    expect(first).toMatchObject({ date: '2017-11-01', files: 2, recipients: 2, sent: 4, already: 0 });
    expect(documents()).toEqual([2, 2]);

    deps.clock.set(new Date('2017-11-01T13:40:00Z')); // the scheduler's retry, 40 minutes on
    const retry = await sendNightlySummaries(deps, campaign);
    expect(retry).toMatchObject({ date: '2017-11-01', files: 0, sent: 0, already: 2 });
    expect(documents()).toEqual([2, 2]);

    deps.clock.set(NEXT_EVENING);
    const next = await sendNightlySummaries(deps, campaign);
    expect(next).toMatchObject({ date: '2017-11-02', files: 2, sent: 4, already: 0 });
    expect(documents()).toEqual([4, 4]);
  });

  it('two runs at once send each office member one copy', async () => {
    const [a, b] = await Promise.all([
      sendNightlySummaries(deps, campaign),
      sendNightlySummaries(deps, campaign),
    ]);
    expect(a.sent + b.sent).toBe(4);
    expect(documents()).toEqual([2, 2]);
  });

  it('a run cut off after claiming is taken over after its lease, not during it', async () => {
    // The cut-off run claimed the first office member and died before sending.
    const id = nightlyDeliveryId(campaign, '2017-11-01');
    const claimedAt = EVENING.getTime();
    await deps.store.claimDelivery(id, String(OFFICE[0]), {
      now: EVENING.toISOString(),
      until: new Date(claimedAt + CHAT_SUMMARY_LEASE_MS).toISOString(),
    });
    deps.clock.set(new Date(claimedAt + 60_000));
    const during = await sendNightlySummaries(deps, campaign);
    expect(during).toMatchObject({ sent: 2, already: 1 });
    expect(documents()).toEqual([0, 2]);

    deps.clock.set(new Date(claimedAt + CHAT_SUMMARY_LEASE_MS + 1_000));
    const after = await sendNightlySummaries(deps, campaign);
    expect(after).toMatchObject({ sent: 2, already: 1 });
    expect(documents()).toEqual([2, 2]);
    const deliveries = await deps.store.deliveriesOfReminder(id);
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('a run cut off after a slow first workbook sends only the second when it is taken over after the lease', async () => {
    const names = (chat: number) =>
      api
        .callsOf('sendDocument')
        .filter((c) => Number(c.params.chat_id) === chat)
        .map((c) => (c.params.document as { fileName: string }).fileName);
    // The first workbook takes four minutes to go up; the function dies (a timeout) as it is about
    // to send the second.
    let documentsSent = 0;
    const dying = {
      ...deps,
      messenger: {
        ...deps.messenger,
        sendDocument: (d: Parameters<typeof deps.messenger.sendDocument>[0]) => {
          if (++documentsSent === 2) throw new Error('Task timed out');
          deps.clock.advance(4 * 60_000);
          return deps.messenger.sendDocument(d);
        },
      },
    };
    await expect(sendNightlySummaries(dying, campaign)).rejects.toThrow('Task timed out');
    expect(documents()).toEqual([1, 0]);

    deps.clock.set(new Date(EVENING.getTime() + CHAT_SUMMARY_LEASE_MS + 1_000));
    const after = await sendNightlySummaries(deps, campaign);
    expect(after).toMatchObject({ sent: 3, already: 0 });
    expect(documents()).toEqual([2, 2]);
    // Each workbook once: the first member's two are different files.
    const [chat] = OFFICE;
    expect(new Set(names(chat!)).size).toBe(2);
  });

  it('a member Telegram failed is not sent to again that evening, and is counted as not delivered', async () => {
    api.failures.push({
      method: 'sendDocument',
      chatId: OFFICE[1],
      errorCode: 400,
      description: 'Bad Request',
    });
    const counted: string[] = [];
    const run = () => sendNightlySummaries({ ...deps, counter: { count: (n) => counted.push(n) } }, campaign);
    expect(await run()).toMatchObject({ sent: 3 });
    expect(counted).toEqual(['SummariesNotDelivered']);
    expect(await run()).toMatchObject({ sent: 0, already: 2 });
    const [, failed] = (
      await deps.store.deliveriesOfReminder(nightlyDeliveryId(campaign, '2017-11-01'))
    ).sort((x, y) => x.recipientId.localeCompare(y.recipientId));
    expect(failed).toMatchObject({ recipientId: String(OFFICE[1]), status: 'failed', lastError: 'error' });
  });
});
