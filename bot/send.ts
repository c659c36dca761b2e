// Sending screens through the Bot API: a long one as several messages (bot/split.ts), the buttons
// on the last. Every text the bot sends in a chat turn or to another person goes through here.

import type { Context, Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { InlineKeyboardButton, Message } from 'telegraf/types';
import type { Button } from '../app/messaging';
import type { Screen } from './render';
import { splitScreen } from './split';

export function toKeyboard(buttons: Button[][]): InlineKeyboardButton[][] {
  return buttons.map((row) =>
    row.map((b) =>
      b.url ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.data ?? 'noop' },
    ),
  );
}

export function extra(screen: Screen) {
  const markup = screen.reply
    ? {
        reply_markup: {
          keyboard: screen.reply.map((row) =>
            row.map((b) => (b.requestLocation ? { text: b.text, request_location: true } : { text: b.text })),
          ),
          resize_keyboard: true,
          one_time_keyboard: true,
        },
      }
    : screen.removeKeyboard
      ? { reply_markup: { remove_keyboard: true as const } }
      : screen.buttons.length > 0
        ? { reply_markup: { inline_keyboard: toKeyboard(screen.buttons) } }
        : {};
  return { ...(screen.html ? { parse_mode: 'HTML' as const } : {}), ...markup };
}

export const asScreen = (s: Screen | string): Screen =>
  typeof s === 'string' ? { text: s, buttons: [] } : s;

/** A screen to a chat, in as many messages as it takes; returns the last one (with the buttons). */
export async function sendScreen(
  telegram: Telegram,
  chatId: number,
  s: Screen | string,
): Promise<Message.TextMessage> {
  let last: Message.TextMessage | undefined;
  for (const part of splitScreen(asScreen(s)))
    last = await telegram.sendMessage(chatId, part.text, extra(part));
  return last as Message.TextMessage;
}

/** A screen in the current chat (the turn's reply). */
export async function replyScreen(ctx: Context, s: Screen | string): Promise<void> {
  for (const part of splitScreen(asScreen(s))) await ctx.reply(part.text, extra(part));
}

/**
 * A screen in place of the pressed message: its first part replaces the message, the rest follow
 * as new messages. False when the message could not be edited (too old, unchanged): nothing was
 * sent then, and the caller sends the screen instead.
 */
export async function editScreen(ctx: Context, s: Screen | string): Promise<boolean> {
  const [first, ...rest] = splitScreen(asScreen(s));
  if (!first) return false;
  try {
    await ctx.editMessageText(first.text, {
      ...(first.html ? { parse_mode: 'HTML' as const } : {}),
      ...(first.buttons.length > 0 ? { reply_markup: { inline_keyboard: toKeyboard(first.buttons) } } : {}),
    });
  } catch {
    return false;
  }
  for (const part of rest) await ctx.reply(part.text, extra(part));
  return true;
}

/**
 * Whether Telegram refused a message because the person cannot be reached (403: they blocked the
 * bot or never started it). Only then may anyone be told so; any other failure is ours or
 * Telegram's, and saying "blocked" would send someone to chase a person who did nothing.
 */
export function isUnreachable(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 403;
}
