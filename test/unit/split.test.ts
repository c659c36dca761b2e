// Long screens go out as several messages, split where a reader would pause and never inside a
// tag or an entity: each part passes Telegram's checks (the emulator's, local/telegram-limits.ts).

import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMIT, splitMessage, splitScreen } from '../../bot/split';
import { checkMessageText, parseTelegramHtml } from '../../local/telegram-limits';

/** What a person reads: the visible text (HTML parsed), newlines left out. */
function visible(html: string): string {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.text.replace(/\n/g, '');
}

/** A review-like section: a bold title and `lines` answers of about 60 characters. */
function section(n: number, lines: number): string {
  const answers = Array.from(
    { length: lines },
    (_, i) => `${n}.${i + 1} 家庭成员务工情况说明:在外务工 &amp; 收入稳定,已核实 &lt;${i}&gt;`,
  );
  return [`<b>第${n}部分 情况核实</b>`, ...answers].join('\n');
}

function expectEveryPartSendable(parts: string[]) {
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(() => checkMessageText(part, 'HTML')).not.toThrow();
  }
}

describe('splitting a long screen', () => {
  it('a text that fits goes out as it is, in one message', () => {
    const text = section(1, 10);
    expect(splitMessage(text, { html: true })).toEqual([text]);
  });

  it('a review of 6,000 characters goes out in parts at blank lines, each section whole', () => {
    const sections = Array.from({ length: 8 }, (_, i) => section(i + 1, 16));
    const text = sections.join('\n\n');
    expect(text.length).toBeGreaterThan(6000);
    const parts = splitMessage(text, { html: true });
    expect(parts.length).toBeGreaterThan(1);
    expectEveryPartSendable(parts);
    // Every section is in exactly one part, whole.
    for (const s of sections) expect(parts.filter((p) => p.includes(s))).toHaveLength(1);
    // Nothing lost, nothing added: the parts read as the original (the cut blank lines aside).
    expect(parts.map(visible).join('')).toBe(visible(text));
  });

  it('one section longer than a message is split at line boundaries', () => {
    const text = `${section(1, 5)}\n\n${section(2, 120)}`;
    const parts = splitMessage(text, { html: true });
    expectEveryPartSendable(parts);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // Each part is whole lines of the original.
    const lines = new Set(text.split('\n'));
    for (const part of parts) for (const line of part.split('\n')) expect(lines.has(line)).toBe(true);
    expect(parts.map(visible).join('')).toBe(visible(text));
  });

  it('one line longer than a message is cut between characters, never inside a tag or an entity', () => {
    const line = `<b>原因:${'收入&amp;支出😀'.repeat(1000)}</b>`;
    expect(line.length).toBeGreaterThan(2 * MESSAGE_LIMIT);
    const parts = splitMessage(line, { html: true });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expectEveryPartSendable(parts);
    // The bold stays bold across the cut: closed at the end of a part, opened again in the next.
    for (const part of parts) {
      expect(part.startsWith('<b>')).toBe(true);
      expect(part.endsWith('</b>')).toBe(true);
    }
    expect(parts.map(visible).join('')).toBe(visible(line));
  });

  it('a plain text is split the same way, with no tag or entity to keep', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i + 1}条:村里道路硬化情况 < 标准 & 待整改`).join(
      '\n',
    );
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expect(() => checkMessageText(part, undefined)).not.toThrow();
    }
    expect(parts.join('\n')).toBe(text);
  });

  it('the buttons go under the last message only', () => {
    const screen = {
      text: Array.from({ length: 8 }, (_, i) => section(i + 1, 16)).join('\n\n'),
      html: true,
      buttons: [[{ text: '✅ 提交', data: 'sb:x:1' }]],
    };
    const parts = splitScreen(screen);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.slice(0, -1).every((p) => p.buttons.length === 0 && p.html)).toBe(true);
    expect(parts.at(-1)?.buttons).toEqual(screen.buttons);
  });
});
