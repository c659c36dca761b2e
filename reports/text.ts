// A compact chat rendering of a 表4 for a Telegram message: only rows with something to report,
// grouped by category, "其中" rows indented under their row. Telegram caps a message at 4096
// characters; we stay under 4000 and point to the attached workbook when cut.

import type { Table4, Table4Row } from '../domain/tables/index';

export const CHAT_TEXT_LIMIT = 4000;
const CUT_NOTE = '……(内容较多,完整数据见附件表格)';

const hasValue = (r: Table4Row): boolean =>
  typeof r.value === 'number' ? r.value !== 0 : typeof r.value === 'string' && r.value !== '';

function line(r: Table4Row): string {
  const value = typeof r.value === 'number' ? `${r.value}${r.unit}` : String(r.value);
  const note =
    r.aside && typeof r.aside.value === 'number' && r.aside.value > 0
      ? `(${r.aside.label}${r.aside.value}${r.aside.unit})`
      : '';
  // Sub-rows read "其中 …" whether or not the table's label carries the 其中.
  const label = r.parent ? `其中 ${r.label.replace(/^其中:/, '')}` : r.label;
  return `${r.parent ? '  ' : ''}${label}:${value}${note}`;
}

/**
 * `heading` is the first line, e.g. "东兴镇 表4 督查任务完成情况(截至 2017-11-04 20:00)".
 * A "其中" row is shown only with its parent row.
 */
export function table4Text(table: Table4, heading: string): string {
  const shown = new Set(table.rows.filter((r) => hasValue(r) && !r.parent).map((r) => r.id));
  const lines: string[] = [heading];
  let section = '';
  for (const r of table.rows) {
    const visible = r.parent ? shown.has(r.parent) && hasValue(r) : shown.has(r.id);
    if (!visible) continue;
    const title = r.group ?? r.category;
    if (title !== section) {
      lines.push(`【${title}】`);
      section = title;
    }
    lines.push(line(r));
  }
  if (lines.length === 1) lines.push('暂无已提交的调查数据。');
  return withinLimit(lines);
}

function withinLimit(lines: readonly string[]): string {
  const all = lines.join('\n');
  if (all.length <= CHAT_TEXT_LIMIT) return all;
  const kept: string[] = [];
  let size = CUT_NOTE.length;
  for (const l of lines) {
    if (size + l.length + 1 > CHAT_TEXT_LIMIT) break;
    kept.push(l);
    size += l.length + 1;
  }
  return [...kept, CUT_NOTE].join('\n');
}
