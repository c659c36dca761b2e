// `npm start` with TELEGRAM_BOT_TOKEN: the bot on real Telegram, no AWS. Updates come by long
// polling into the same webhook handler as on Lambda; the schedules run on the real clock; the
// printed one-time links let people join from their phones in each demo role.

import { randomBytes } from 'node:crypto';
import { Telegram } from 'telegraf';
import { type Clock, systemClock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import { createBot, type LoggerLike } from '../bot/bot';
import { telegramMessenger } from '../bot/telegram-messenger';
import type { Campaign } from '../domain/campaign';
import { botDeps, botInfoFrom } from '../functions/runtime';
import { systemOffice } from '../functions/summary-files';
import { createWebhookHandler } from '../functions/telegram-webhook';
import { type DemoInvite, demoInvites } from './demo-people';
import { pollUpdates } from './polling';
import { LocalScheduler } from './scheduler';

export interface TelegramModeOptions {
  token: string;
  /** Another Bot API server (tests point this at the emulator); Telegram's by default. */
  apiRoot?: string;
  store: Store;
  campaign: Campaign;
  clock?: Clock;
  logger?: LoggerLike;
  /** Where photos go (the local s3rver under npm start). */
  files?: FileStore;
  signal: AbortSignal;
  pollTimeoutSeconds?: number;
  schedulerTickMs?: number;
  /** Called once the bot is known and the invites exist, before polling starts. */
  onReady?: (info: { username: string; invites: DemoInvite[] }) => void;
}

/** Runs until `signal` aborts. */
export async function runTelegramMode(opts: TelegramModeOptions): Promise<void> {
  const { token, store, campaign, logger, signal } = opts;
  const clock = opts.clock ?? systemClock;
  const apiOptions = opts.apiRoot ? { apiRoot: opts.apiRoot } : {};
  // The username makes the invite links; one getMe at start-up also proves the token works.
  const me = await new Telegram(token, apiOptions).getMe();
  const username = me.username;
  const bot = createBot(botDeps(store, campaign, clock, logger, opts.files), {
    token,
    botInfo: botInfoFrom(token, username),
    ...apiOptions,
  });
  // Only this process hands updates to the handler; the secret still travels as on AWS.
  const secret = randomBytes(24).toString('base64url');
  const webhook = createWebhookHandler({ bot, secret, ...(logger ? { logger } : {}) });
  const invites = await demoInvites(
    { store, clock },
    systemOffice('local-start', clock.now().toISOString()),
    campaign,
    username,
  );
  const scheduler = new LocalScheduler(
    { store, messenger: telegramMessenger(bot.telegram), clock, campaign, ...(logger ? { logger } : {}) },
    opts.schedulerTickMs,
  );
  opts.onReady?.({ username, invites });
  scheduler.start();
  try {
    await pollUpdates({
      telegram: bot.telegram,
      webhook,
      secret,
      signal,
      ...(opts.pollTimeoutSeconds !== undefined ? { timeoutSeconds: opts.pollTimeoutSeconds } : {}),
      ...(logger ? { logger } : {}),
    });
  } finally {
    await scheduler.stop();
  }
}
