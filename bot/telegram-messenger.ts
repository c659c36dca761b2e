// The Messenger port over Telegram's Bot API (telegraf's client): reminders, pushes and documents
// sent outside a chat turn; a text too long for one message goes out as several (bot/split.ts).
// Telegram's answers map to the port's outcomes: 429 → rate_limited with retry_after,
// 403 → unreachable (blocked or never started), anything else → error.

import type { Telegram } from 'telegraf';
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
