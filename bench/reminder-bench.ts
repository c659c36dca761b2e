// Reminder sending throughput: one scheduler run (app/reminders.ts sendDueReminders, wired as
// functions/send-reminders.ts wires it) to N inspectors against a Bot API that enforces 30
// messages per second and answers 429 with retry_after beyond that. The campaign clock stands
// at the day before the training (every inspector is reminded); the throttle runs on real time,
// as in Lambda.

import { ManualClock, systemClock } from '../app/messaging';
import { SendThrottle, sendDueReminders } from '../app/reminders';
import { telegramMessenger } from '../bot/telegram-messenger';
import { deadlineInstant } from '../domain/campaign';
import { recordCalls } from '../test/support/call-recorder';
import type { Engine } from '../test/support/engines';
import { campaign, seedPerson, startSystem } from '../test/support/system';
import { RateLimitedBotApi } from './rate-limited-bot-api';
import { ms, table } from './stats';

export interface ReminderBenchResult {
  engine: string;
  /** Simulated round trip to Telegram per Bot API call. */
  latencyMs: number;
  recipients: number;
  sent: number;
  failed: number;
  rateLimited: number;
  seconds: number;
  perSecond: number;
  maxInOneSecond: number;
  dynamoCallsPerMessage: number;
  /** Messages a recipient got more than once (must be 0). */
  duplicates: number;
}

const sleep = (msDelay: number) => new Promise<void>((resolve) => setTimeout(resolve, msDelay));

export async function benchReminders(
  engine: Engine,
  recipients = 300,
  latencyMs = 0,
  /** Distinct people per run on one engine (earlier runs' recipients are skipped as delivered). */
  idBase = 700_000,
): Promise<ReminderBenchResult> {
  const botApi = new RateLimitedBotApi(30, latencyMs);
  await botApi.start();
  const sys = await startSystem({ engine, api: botApi.api });
  try {
    const groups = campaign.groups.map((g) => g.id);
    for (let i = 0; i < recipients; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, recipients - i) }, (_, k) =>
          seedPerson(sys.store, {
            id: idBase + i + k,
            roles: ['inspector'],
            groupId: groups[(i + k) % groups.length] ?? 'g1',
          }),
        ),
      );
    }
    // 08:30 the day before the 10:00 training: the "1 day before" reminder to every inspector.
    const clock = new ManualClock(deadlineInstant(campaign, '2017-10-30T09:00'));
    const recorder = recordCalls(sys.client);
    const t0 = performance.now();
    let report: Awaited<ReturnType<typeof sendDueReminders>>;
    try {
      report = await sendDueReminders(
        {
          store: sys.store,
          messenger: telegramMessenger(sys.bot.telegram),
          clock,
          sleep,
          throttle: new SendThrottle(systemClock, sleep),
        },
        campaign,
      );
    } finally {
      recorder.detach();
    }
    const seconds = (performance.now() - t0) / 1000;
    const perChat = new Map<string, number>();
    for (const c of botApi.api.callsOf('sendMessage')) {
      const chat = String(c.params.chat_id);
      perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
    }
    const duplicates = [...perChat.values()].reduce((n, k) => n + Math.max(0, k - 1), 0);
    if (report.planned < recipients) throw new Error(`only ${report.planned} reminders planned`);
    return {
      engine: engine.name,
      latencyMs,
      recipients,
      sent: report.sent,
      failed: report.failed,
      rateLimited: botApi.rejected,
      seconds,
      perSecond: report.sent / seconds,
      maxInOneSecond: botApi.maxPerSecond(),
      dynamoCallsPerMessage: recorder.calls.length / Math.max(1, report.sent),
      duplicates,
    };
  } finally {
    await sys.stop();
    await botApi.stop();
  }
}

export function reminderTable(results: readonly ReminderBenchResult[]): string {
  return table(
    [
      'engine',
      'Bot API round trip',
      'recipients',
      'sent / failed',
      '429 answers',
      'run s',
      'messages/s',
      'most accepted in any 1 s',
      'DynamoDB calls per message',
      'duplicates',
    ],
    results.map((r) => [
      r.engine,
      r.latencyMs === 0 ? 'loopback' : `${r.latencyMs} ms`,
      String(r.recipients),
      `${r.sent} / ${r.failed}`,
      String(r.rateLimited),
      ms(r.seconds, 1),
      ms(r.perSecond, 1),
      String(r.maxInOneSecond),
      r.dynamoCallsPerMessage.toFixed(2),
      String(r.duplicates),
    ]),
  );
}
