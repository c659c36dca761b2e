// The local Telegram refuses what Telegram refuses, with Telegram's 400 descriptions: a bot that
// passes the tests against it does not meet "Bad Request" in production. Driven over HTTP with
// telegraf's own client, as the bot calls it.

import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramEmulator } from '../../local/telegram-emulator';

const CHAT = 4242;
let emulator: TelegramEmulator;
let telegram: Telegram;

beforeAll(async () => {
  emulator = new TelegramEmulator();
  telegram = new Telegram('7000001:limits-test', { apiRoot: await emulator.start() });
});

afterAll(async () => {
  await emulator.stop();
});

/** The call fails with Telegram's 400 and this description, and nothing reaches the chat. */
async function refused(call: () => Promise<unknown>, description: string | RegExp) {
  const before = emulator.chat(CHAT).length;
  const refusals = emulator.refusals.length;
  const err = await call().then(
    () => undefined,
    (e: unknown) => e as { code?: number; description?: string },
  );
  expect(err?.code).toBe(400);
  if (typeof description === 'string') expect(err?.description).toBe(description);
  else expect(err?.description).toMatch(description);
  expect(emulator.chat(CHAT).length).toBe(before);
  expect(emulator.refusals.length).toBe(refusals + 1);
}

describe('texts', () => {
  it('a message of 4,096 characters is sent; one of 4,097 is refused as too long', async () => {
    await telegram.sendMessage(CHAT, '检'.repeat(4096));
    expect(emulator.chat(CHAT).at(-1)?.text).toHaveLength(4096);
    await refused(() => telegram.sendMessage(CHAT, '检'.repeat(4097)), 'Bad Request: message is too long');
  });

  it('the limit counts what is shown: tags and entities of an HTML text do not count', async () => {
    const text = `<b>${'&amp;'.repeat(4000)}</b>`;
    await telegram.sendMessage(CHAT, text, { parse_mode: 'HTML' });
    expect(emulator.chat(CHAT).at(-1)?.text).toBe(text);
    await refused(
      () => telegram.sendMessage(CHAT, `<b>${'&amp;'.repeat(4097)}</b>`, { parse_mode: 'HTML' }),
      'Bad Request: message is too long',
    );
  });

  it('an empty text, or one of only spaces or tags, is refused', async () => {
    await refused(() => telegram.sendMessage(CHAT, ''), 'Bad Request: message text is empty');
    await refused(() => telegram.sendMessage(CHAT, '  \n '), 'Bad Request: message text is empty');
    await refused(
      () => telegram.sendMessage(CHAT, '<b> </b>', { parse_mode: 'HTML' }),
      'Bad Request: message text is empty',
    );
  });

  it('an edit is held to the same limits as a new message', async () => {
    const sent = await telegram.sendMessage(CHAT, '原文');
    await refused(
      () => telegram.editMessageText(CHAT, sent.message_id, undefined, '改'.repeat(4097)),
      'Bad Request: message is too long',
    );
    await refused(
      () => telegram.editMessageText(CHAT, sent.message_id, undefined, '<b>未闭合', { parse_mode: 'HTML' }),
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect(emulator.chat(CHAT).find((m) => m.message_id === sent.message_id)?.text).toBe('原文');
  });

  it('an edit that changes nothing, or of a message that is not there, is refused but is no bug of the bot', async () => {
    const sent = await telegram.sendMessage(CHAT, '原文');
    const refusals = emulator.refusals.length;
    await expect(telegram.editMessageText(CHAT, sent.message_id, undefined, '原文')).rejects.toMatchObject({
      code: 400,
      description: expect.stringMatching(/^Bad Request: message is not modified/),
    });
    await expect(telegram.editMessageText(CHAT, 999_999, undefined, '新文')).rejects.toMatchObject({
      code: 400,
      description: 'Bad Request: message to edit not found',
    });
    // The bot expects these (it sends the screen anew): they are not counted as refusals.
    expect(emulator.refusals.length).toBe(refusals);
  });
});

describe('HTML', () => {
  const html = (text: string) => () => telegram.sendMessage(CHAT, text, { parse_mode: 'HTML' });

  it('every tag and entity Telegram supports is taken', async () => {
    const text = [
      '<b>b</b><strong>strong</strong><i>i</i><em>em</em><u>u</u><ins>ins</ins>',
      '<s>s</s><strike>strike</strike><del>del</del><span class="tg-spoiler">spoiler</span>',
      '<tg-spoiler>spoiler</tg-spoiler><a href="https://example.org/?a=1&amp;b=2">link</a>',
      '<code>code</code><pre><code class="language-ts">pre</code></pre>',
      '<blockquote>quote</blockquote><blockquote expandable>long quote</blockquote>',
      '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
      '&lt; &gt; &amp; &quot; &#20013; &#x6587; a > b',
    ].join('\n');
    await telegram.sendMessage(CHAT, text, { parse_mode: 'HTML' });
    expect(emulator.chat(CHAT).at(-1)?.text).toBe(text);
  });

  it('an unsupported tag is refused', async () => {
    await refused(
      html('<div>块</div>'),
      `Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0`,
    );
    await refused(html('第一行<br>第二行'), /Unsupported start tag "br" at byte offset 9$/);
    await refused(html('<span>无类</span>'), /Tag "span" must have class "tg-spoiler"/);
  });

  it('an unclosed or mismatched tag is refused', async () => {
    await refused(
      html('<b>粗体'),
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    await refused(
      html('<b><i>粗斜</b></i>'),
      `Bad Request: can't parse entities: Unmatched end tag at byte offset 12, expected "</i>", found "</b>"`,
    );
    await refused(html('多余</b>'), "Bad Request: can't parse entities: Unexpected end tag at byte offset 6");
    await refused(html('<b 粗体'), /Unsupported start tag|Unclosed start tag/);
  });

  it('a bare "<" or "&" that is not an entity is refused', async () => {
    await refused(
      html('收入 < 支出'),
      `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 7`,
    );
    await refused(
      html('水 & 电'),
      "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 4",
    );
    await refused(html('&nbsp;空格'), /Unsupported HTML entity "&nbsp;"/);
  });

  it('the same text without parse_mode is plain, and "<" and "&" are just characters', async () => {
    await telegram.sendMessage(CHAT, '收入 < 支出 & <b>');
    expect(emulator.chat(CHAT).at(-1)?.text).toBe('收入 < 支出 & <b>');
  });
});

describe('buttons', () => {
  const withButton = (button: Record<string, unknown>) => () =>
    telegram.sendMessage(CHAT, '请选择', { reply_markup: { inline_keyboard: [[button as never]] } });

  it('callback data of 64 bytes is taken; 65 bytes, or none at all, is BUTTON_DATA_INVALID', async () => {
    await withButton({ text: '好', callback_data: 'x'.repeat(64) })();
    expect(emulator.chat(CHAT).at(-1)?.buttons[0]?.[0]?.callback_data).toHaveLength(64);
    // 22 Chinese characters are 66 bytes in UTF-8, though only 22 characters.
    await refused(
      withButton({ text: '好', callback_data: '村'.repeat(22) }),
      'Bad Request: BUTTON_DATA_INVALID',
    );
    await refused(withButton({ text: '好', callback_data: '' }), 'Bad Request: BUTTON_DATA_INVALID');
  });

  it('a button without text is refused', async () => {
    await refused(withButton({ text: '', callback_data: 'ok' }), 'Bad Request: BUTTON_TEXT_INVALID');
  });

  it('an edit of the buttons alone is checked too', async () => {
    const sent = await telegram.sendMessage(CHAT, '请选择');
    await refused(
      () =>
        telegram.editMessageReplyMarkup(CHAT, sent.message_id, undefined, {
          inline_keyboard: [[{ text: '好', callback_data: 'y'.repeat(65) }]],
        }),
      'Bad Request: BUTTON_DATA_INVALID',
    );
  });
});

describe('toasts and captions', () => {
  it('a toast of 200 characters is shown; 201 is refused', async () => {
    await telegram.answerCbQuery('cq1', '知'.repeat(200));
    const before = emulator.refusals.length;
    const err = await telegram
      .answerCbQuery('cq2', '知'.repeat(201))
      .catch((e: unknown) => e as { code?: number });
    expect(err).toMatchObject({ code: 400, description: 'Bad Request: MESSAGE_TOO_LONG' });
    expect(emulator.refusals.length).toBe(before + 1);
  });

  it('a document caption over 1,024 characters is refused', async () => {
    await refused(
      () =>
        telegram.sendDocument(
          CHAT,
          { source: Buffer.from('x'), filename: 'a.txt' },
          { caption: '说'.repeat(1025) },
        ),
      'Bad Request: message caption is too long',
    );
  });

  it('an HTML caption is parsed like a message', async () => {
    await refused(
      () =>
        telegram.sendDocument(
          CHAT,
          { source: Buffer.from('x'), filename: 'a.txt' },
          { caption: '<b>表1', parse_mode: 'HTML' },
        ),
      /Can't find end tag corresponding to start tag "b"/,
    );
  });
});
