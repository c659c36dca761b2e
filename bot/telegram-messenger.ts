// The Messenger port over Telegram's Bot API (telegraf's client): reminders, pushes and documents
// sent outside a chat turn; a text too long for one message goes out as several (bot/split.ts).
// Telegram's answers map to the port's outcomes: 429 → rate_limited with retry_after,
// 403 → unreachable (blocked or never started), anything else → error (a call that timed out
// too: see limitBotApi).

import type { Telegraf, Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Messenger, OutgoingDocument, OutgoingMessage, SendResult } from '../app/messaging';
import { sendScreen } from './send';

function outcome(err: unknown): SendResult {
  if (err instanceof TelegramError) {
    if (err.code === 429)
      return { ok: false, kind: 'rate_limited', retryAfter: err.parameters?.retry_after ?? 1 };
    if (err.code === 403) return { ok: false, kind: 'unreachable' };
    return { ok: false, kind: 'error', description: `${err.code} ${err.description}` };
  }
  return { ok: false, kind: 'error', description: err instanceof Error ? err.message : 'unknown' };
}

export function telegramMessenger(telegram: Telegram): Messenger {
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      try {
        // A long text (a summary's narrative, a reminder listing many problems) as several messages.
        const sent = await sendScreen(telegram, m.chatId, { text: m.text, buttons: m.buttons ?? [] });
        return { ok: true, messageId: sent.message_id };
      } catch (err) {
        return outcome(err);
      }
    },
    async sendDocument(d: OutgoingDocument): Promise<SendResult> {
      try {
        const sent = await telegram.sendDocument(
          d.chatId,
          { source: Buffer.from(d.bytes), filename: d.fileName },
          d.caption ? { caption: d.caption } : {},
        );
        return { ok: true, messageId: sent.message_id };
      } catch (err) {
        return outcome(err);
      }
    },
  };
}

/** A Bot API call that got no answer in time (the request was aborted). */
export class BotApiTimeoutError extends Error {
  override readonly name = 'BotApiTimeoutError';
  constructor(
    readonly method: string,
    readonly ms: number,
  ) {
    super(`Bot API ${method}: no answer within ${ms} ms`);
  }
}

export interface BotApiLimits {
  /** Every call: telegraf's own limit is 500 s, longer than any function may run. */
  timeoutMs: number;
  /**
   * A call that uploads a file (a workbook, a photo): its bytes take time to reach Telegram, so it
   * gets longer than a message. A province's raw export is tens of MB.
   */
  uploadTimeoutMs: number;
  /** Called on each 429 (functions/metrics.ts counts it as TelegramRateLimited). */
  onRateLimited?: () => void;
}

export const BOT_API_LIMITS: BotApiLimits = { timeoutMs: 10_000, uploadTimeoutMs: 120_000 };

/** Whether a call carries a file of its own (telegraf sends such a call as multipart). */
const uploads = (payload: unknown) =>
  typeof payload === 'object' &&
  payload !== null &&
  Object.values(payload).some((v) => typeof v === 'object' && v !== null && 'source' in v);

/**
 * Puts a time limit on every Bot API call of the bot, and reports 429s. A call without an answer
 * in time is aborted and fails with BotApiTimeoutError: in a chat turn the bot's error handling
 * takes it (UpdatesFailed, 系统出错了), a reminder or summary send becomes a failed send.
 *
 * telegraf has no timeout option (it aborts after 500 s) but takes an AbortSignal per call, so
 * callApi is wrapped. A chat turn gets a Telegram client of its own, built from the bot's options
 * (Telegraf.handleUpdate); `bot.context`, which telegraf copies onto every turn's context, gives
 * each turn the bot's wrapped client instead. With webhookReply off (bot/bot.ts), the turn's own
 * client differed in nothing else.
 */
export function limitBotApi(bot: Telegraf, limits: BotApiLimits = BOT_API_LIMITS): Telegraf {
  const telegram = bot.telegram;
  const call = telegram.callApi.bind(telegram);
  const limited = async (
    method: Parameters<Telegram['callApi']>[0],
    payload: Parameters<Telegram['callApi']>[1],
    options: Parameters<Telegram['callApi']>[2] = {},
  ) => {
    const ms = uploads(payload) ? limits.uploadTimeoutMs : limits.timeoutMs;
    const timeout = AbortSignal.timeout(ms);
    const given = options.signal as AbortSignal | undefined;
    const signal = given ? AbortSignal.any([given, timeout]) : timeout;
    try {
      return await call(method, payload, { ...options, signal: signal as never });
    } catch (err) {
      if (timeout.aborted && !given?.aborted) throw new BotApiTimeoutError(method, ms);
      if (err instanceof TelegramError && err.code === 429) limits.onRateLimited?.();
      throw err;
    }
  };
  telegram.callApi = limited as Telegram['callApi'];
  Object.assign(bot.context, { telegram });
  return bot;
}
