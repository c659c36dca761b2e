// What Telegram's Bot API refuses in what a bot sends, with Telegram's own 400 descriptions, so the
// emulator (and with it every test and the local chat) fails where Telegram would: texts over
// 4,096 characters, empty texts, HTML that Telegram cannot parse, captions over 1,024 characters,
// toasts over 200 characters, inline buttons without text or with callback data outside 1–64 bytes.
//
// Lengths: Telegram counts a text after entity parsing (tags removed, entities decoded). We count
// that visible text in UTF-16 code units, which is never fewer than Telegram's count (a character
// outside the BMP is two units here), so what passes here passes there. Captions keep the
// emulator's earlier count in code points.

export const MESSAGE_TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_ANSWER_LIMIT = 200;
export const CALLBACK_DATA_BYTES = 64;

/** Tags Telegram's HTML parse mode understands (https://core.telegram.org/bots/api#html-style). */
const SUPPORTED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export type HtmlParse = { ok: true; text: string } | { ok: false; error: string };

const START_TAG =
  /^<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/;
const ATTRIBUTE = /([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
const END_TAG = /^<\/([a-zA-Z][a-zA-Z0-9-]*)\s*>/;
const ENTITY = /^&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));/;

/**
 * Parses a text as Telegram's HTML parse mode does: the visible text, or why Telegram refuses it
 * (`can't parse entities: …`, offsets in UTF-8 bytes as Telegram gives them).
 */
export function parseTelegramHtml(html: string): HtmlParse {
  const stack: string[] = [];
  let text = '';
  const at = (i: number) => Buffer.byteLength(html.slice(0, i));
  const fail = (reason: string): HtmlParse => ({
    ok: false,
    error: `Bad Request: can't parse entities: ${reason}`,
  });
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '<') {
      const rest = html.slice(i);
      if (rest.startsWith('</')) {
        const end = END_TAG.exec(rest);
        const name = end?.[1]?.toLowerCase();
        if (!end || !name) return fail(`Unexpected end tag at byte offset ${at(i)}`);
        const open = stack.pop();
        if (open === undefined) return fail(`Unexpected end tag at byte offset ${at(i)}`);
        if (open !== name)
          return fail(`Unmatched end tag at byte offset ${at(i)}, expected "</${open}>", found "</${name}>"`);
        i += end[0].length;
        continue;
      }
      const start = START_TAG.exec(rest);
      const name = start?.[1]?.toLowerCase();
      if (!start || !name) {
        // "<" that starts no tag (a bare "a < b") or a tag with no ">".
        const word = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(rest)?.[1];
        return word && !rest.includes('>')
          ? fail(`Unclosed start tag at byte offset ${at(i)}`)
          : fail(`Unsupported start tag "${word ?? ''}" at byte offset ${at(i)}`);
      }
      if (!SUPPORTED_TAGS.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${at(i)}`);
      const attributes = new Map<string, string>();
      for (const a of (start[2] ?? '').matchAll(ATTRIBUTE))
        attributes.set((a[1] ?? '').toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
      if (name === 'span' && attributes.get('class') !== 'tg-spoiler')
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(i)}`);
      if (name === 'tg-emoji' && !/^\d+$/.test(attributes.get('emoji-id') ?? ''))
        return fail(
          `Custom emoji entity must contain a valid custom emoji identifier at byte offset ${at(i)}`,
        );
      stack.push(name);
      i += start[0].length;
      continue;
    }
    if (c === '&') {
      const entity = ENTITY.exec(html.slice(i, i + 12));
      if (!entity) return fail(`Can't find end of the entity starting at byte offset ${at(i)}`);
      const code = entity[1] ? Number(entity[1]) : entity[2] ? Number.parseInt(entity[2], 16) : undefined;
      if (code !== undefined) {
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
          return fail(`Unsupported HTML entity at byte offset ${at(i)}`);
        text += String.fromCodePoint(code);
      } else {
        const named = NAMED_ENTITIES[entity[3] ?? ''];
        if (named === undefined)
          return fail(`Unsupported HTML entity "${entity[0]}" at byte offset ${at(i)}`);
        text += named;
      }
      i += entity[0].length;
      continue;
    }
    text += c;
    i++;
  }
  const open = stack.pop();
  if (open !== undefined) return fail(`Can't find end tag corresponding to start tag "${open}"`);
  return { ok: true, text };
}

/** The text a person would see: parsed HTML, or the text itself. Throws Telegram's refusal. */
function visibleText(text: string, parseMode: string | undefined): string {
  if (parseMode === undefined || parseMode === '') return text;
  if (parseMode !== 'HTML') return text; // Markdown is not used by the bot; not checked here.
  const parsed = parseTelegramHtml(text);
  if (!parsed.ok) throw new TelegramRefusal(parsed.error);
  return parsed.text;
}

/** What Telegram answers 400 to; the message is Telegram's description. */
export class TelegramRefusal extends Error {
  override readonly name = 'TelegramRefusal';
}

/** sendMessage / editMessageText: 1–4,096 visible characters, valid HTML when asked for. */
export function checkMessageText(text: unknown, parseMode: string | undefined): void {
  if (typeof text !== 'string' || text.trim() === '')
    throw new TelegramRefusal('Bad Request: message text is empty');
  const visible = visibleText(text, parseMode);
  if (visible.trim() === '') throw new TelegramRefusal('Bad Request: message text is empty');
  if (visible.length > MESSAGE_TEXT_LIMIT) throw new TelegramRefusal('Bad Request: message is too long');
}

/** A caption (photo, document, album item): up to 1,024 visible characters, valid HTML when asked for. */
export function checkCaption(caption: unknown, parseMode: string | undefined): void {
  if (caption === undefined || caption === null) return;
  const visible = visibleText(String(caption), parseMode);
  if ([...visible].length > CAPTION_LIMIT)
    throw new TelegramRefusal('Bad Request: message caption is too long');
}

/** answerCallbackQuery's toast: 0–200 characters. */
export function checkCallbackAnswer(text: unknown): void {
  if (typeof text === 'string' && text.length > CALLBACK_ANSWER_LIMIT)
    throw new TelegramRefusal('Bad Request: MESSAGE_TOO_LONG');
}

interface MarkupButton {
  text?: unknown;
  callback_data?: unknown;
  url?: unknown;
  request_location?: unknown;
}

/**
 * reply_markup: every inline button has a text and either a URL or callback data of 1–64 bytes
 * (UTF-8); every reply-keyboard button has a text.
 */
export function checkReplyMarkup(markup: unknown): void {
  if (markup === undefined || markup === null || typeof markup !== 'object') return;
  const m = markup as { inline_keyboard?: unknown; keyboard?: unknown };
  if (m.inline_keyboard !== undefined) {
    for (const button of buttonsOf(m.inline_keyboard)) {
      if (typeof button.text !== 'string' || button.text.trim() === '')
        throw new TelegramRefusal('Bad Request: BUTTON_TEXT_INVALID');
      if (button.url !== undefined) {
        if (typeof button.url !== 'string' || button.url === '')
          throw new TelegramRefusal('Bad Request: BUTTON_URL_INVALID');
        continue;
      }
      if (button.callback_data === undefined)
        throw new TelegramRefusal('Bad Request: text buttons are unallowed in the inline keyboard');
      const data = button.callback_data;
      if (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > CALLBACK_DATA_BYTES)
        throw new TelegramRefusal('Bad Request: BUTTON_DATA_INVALID');
    }
  }
  if (m.keyboard !== undefined) {
    for (const button of buttonsOf(m.keyboard)) {
      const text = typeof button === 'string' ? button : button.text;
      if (typeof text !== 'string' || text.trim() === '')
        throw new TelegramRefusal('Bad Request: BUTTON_TEXT_INVALID');
    }
  }
}

function buttonsOf(rows: unknown): MarkupButton[] {
  if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r)))
    throw new TelegramRefusal("Bad Request: can't parse reply keyboard markup JSON object");
  return (rows as unknown[][]).flat() as MarkupButton[];
}

/** setMyCommands: commands of 1–32 lowercase letters, digits and underscores, descriptions of 1–256. */
export function checkCommands(commands: unknown): void {
  if (!Array.isArray(commands)) return;
  for (const c of commands as { command?: unknown; description?: unknown }[]) {
    if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
      throw new TelegramRefusal('Bad Request: BOT_COMMAND_INVALID');
    if (typeof c.description !== 'string' || c.description.trim() === '' || c.description.length > 256)
      throw new TelegramRefusal('Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
  }
}
