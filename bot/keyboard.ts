// A screen as the Bot API takes it: inline keyboards, the one-time reply keyboard (the location
// button) and HTML parse mode. Shared by the turn (bot.ts) and the messenger (reminders, pushes).

import type { InlineKeyboardButton } from 'telegraf/types';
import type { Button } from '../app/messaging';
import type { Screen } from './render';

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
