// Texts sent outside a chat turn (a summary's narrative, a reminder listing many problems) go
// through the Messenger port: one too long for a message arrives as several, nothing cut, the
// buttons under the last, and the port reports the last message's id.

import { Telegram } from 'telegraf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { telegramMessenger } from '../../bot/telegram-messenger';
import { TelegramEmulator } from '../../local/telegram-emulator';

const CHAT = 777;
let emulator: TelegramEmulator;
let telegram: Telegram;

beforeAll(async () => {
  emulator = new TelegramEmulator();
  telegram = new Telegram('7000002:messenger-test', { apiRoot: await emulator.start() });
});

afterAll(async () => {
  await emulator.stop();
});

it('a narrative of 10,000 characters reaches the office in several messages, whole, the button under the last', async () => {
  const paragraphs = Array.from({ length: 42 }, (_, i) =>
    `${i + 1}. 江平镇交东村:抽查农户 12 户,发现 <漏评> 1 户 & 错退 0 户;帮扶干部走访记录齐全,村委会意见已记录。`.repeat(
      4,
    ),
  );
  const text = paragraphs.join('\n\n');
  expect(text.length).toBeGreaterThan(10_000);
  const result = await telegramMessenger(telegram).send({
    chatId: CHAT,
    text,
    buttons: [[{ text: '已完成', data: 'ack:x' }]],
  });
  const messages = emulator.chat(CHAT);
  expect(messages.length).toBeGreaterThan(2);
  expect(emulator.refusals).toEqual([]);
  expect(result).toEqual({ ok: true, messageId: messages.at(-1)?.message_id });
  // Split between paragraphs: each paragraph is whole in one message, in order.
  expect(messages.map((m) => m.text).join('\n\n')).toBe(text);
  expect(messages.slice(0, -1).every((m) => m.buttons.length === 0)).toBe(true);
  expect(messages.at(-1)?.buttons).toEqual([[{ text: '已完成', callback_data: 'ack:x' }]]);
});

it('a person who blocked the bot is unreachable, not an error', async () => {
  emulator.failures.push({
    method: 'sendMessage',
    errorCode: 403,
    description: 'Forbidden: bot was blocked by the user',
  });
  expect(await telegramMessenger(telegram).send({ chatId: CHAT, text: '提醒' })).toEqual({
    ok: false,
    kind: 'unreachable',
  });
});
