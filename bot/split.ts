// Long screens go out as several messages instead of being cut: Telegram refuses a text over
// 4,096 characters, and a cut one loses answers and can break the HTML (an open <b>, half an
// entity), which Telegram refuses too. A text is split at section boundaries (a blank line) so a
// section stays whole; a section too long for one message at line boundaries; a line too long at
// a character, never inside a tag, an entity or a surrogate pair. A tag open at a cut is closed at
// the end of one part and opened again at the start of the next, so every part is valid HTML.
//
// Lengths are counted on the raw text (tags and entities included) in UTF-16 code units: never
// fewer than the visible characters Telegram counts, so every part passes.

import type { Screen } from './render';

export const MESSAGE_LIMIT = 4096;

type Token =
  | { kind: 'open'; raw: string; name: string }
  | { kind: 'close'; raw: string }
  | { kind: 'newline'; raw: '\n' }
  | { kind: 'text'; raw: string };

// One HTML tag, or one entity, or one character (a surrogate pair stays together).
const HTML_TOKEN =
  /<\/?[a-zA-Z][^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);|[\s\S]/gu;
const CHAR_TOKEN = /[\s\S]/gu;

function tokenize(text: string, html: boolean): Token[] {
  return [...text.matchAll(html ? HTML_TOKEN : CHAR_TOKEN)].map(([raw]): Token => {
    if (raw === '\n') return { kind: 'newline', raw };
    if (html && raw.length > 1 && raw.startsWith('</')) return { kind: 'close', raw };
    if (html && raw.length > 1 && raw.startsWith('<')) {
      const name = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw)?.[1]?.toLowerCase() ?? '';
      return { kind: 'open', raw, name };
    }
    return { kind: 'text', raw };
  });
}

/** How good a cut before token `i` is: 3 the end, 2 a blank line, 1 a line break, 0 anywhere. */
function breakRank(tokens: Token[], i: number): number {
  if (i >= tokens.length) return 3;
  if (tokens[i]?.kind !== 'newline') return 0;
  let j = i;
  while (tokens[j]?.kind === 'newline') j++;
  return j - i >= 2 ? 2 : 1;
}

const closing = (open: readonly Token[]) =>
  open
    .map((t) => (t.kind === 'open' ? `</${t.name}>` : ''))
    .reverse()
    .join('');

/** Whether a part shows nothing (only tags and white space): Telegram refuses an empty text. */
function isBlank(part: string, html: boolean): boolean {
  return (html ? part.replace(/<[^<>]*>/g, '') : part).trim() === '';
}

/**
 * A text as messages of at most `limit` characters, cut where described above. `html` says the
 * text is Telegram HTML (tags and entities are kept whole and balanced in every part).
 */
export function splitMessage(text: string, opts: { html?: boolean; limit?: number } = {}): string[] {
  const limit = opts.limit ?? MESSAGE_LIMIT;
  const html = opts.html ?? false;
  if (text.length <= limit) return [text];
  const tokens = tokenize(text, html);
  const parts: string[] = [];
  let open: Token[] = [];
  let start = 0;
  while (start < tokens.length) {
    // The separators at a cut (the blank line, the line break) are not carried into the next part.
    while (tokens[start]?.kind === 'newline') start++;
    if (start >= tokens.length) break;
    const prefix = open.map((t) => t.raw).join('');
    const stack = [...open];
    let length = prefix.length;
    let best: { end: number; rank: number; stack: Token[] } | undefined;
    for (let i = start; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.kind === 'open') stack.push(token);
      else if (token.kind === 'close') stack.pop();
      length += token.raw.length;
      if (length + closing(stack).length > limit && best) break;
      const rank = breakRank(tokens, i + 1);
      // A later cut of the same rank or better packs more; a worse rank never replaces a better.
      if (!best || rank >= best.rank) best = { end: i + 1, rank, stack: [...stack] };
      if (rank === 3) break;
    }
    const chosen = best as { end: number; stack: Token[] };
    const body = tokens
      .slice(start, chosen.end)
      .map((t) => t.raw)
      .join('');
    const part = `${prefix}${body}${closing(chosen.stack)}`;
    if (!isBlank(part, html)) parts.push(part);
    open = chosen.stack;
    start = chosen.end;
  }
  return parts.length > 0 ? parts : [text];
}

/**
 * A screen as the messages it goes out in: the text split as above, the buttons (or the reply
 * keyboard) on the last message only, where the person reads on from.
 */
export function splitScreen(screen: Screen): Screen[] {
  const texts = splitMessage(screen.text, { html: screen.html ?? false });
  return texts.map((text, i) =>
    i === texts.length - 1
      ? { ...screen, text }
      : { text, buttons: [], ...(screen.html ? { html: true } : {}) },
  );
}
