// A compact chat rendering of a 表4 for a Telegram message: only rows with something to report,
// grouped by category, "其中" rows indented under their row. Telegram caps a message at 4096
// characters; we stay under 4000 and point to the attached workbook when cut.

import type { ProblemStatus } from '../domain/model';
import { formatLocalDate } from '../domain/reminder-messages';
import { PROBLEM_STATUS_LABELS, type Table4, type Table4Row, type Table5 } from '../domain/tables/index';

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

/** The order a reader wants the counts in: what is done first, what is owed last. */
const STATUS_ORDER: readonly ProblemStatus[] = [
  'verified',
  'rectified',
  'rectifying',
  'needs_longer',
  'open',
];
const SHORT = 40;
const short = (s: string) => (s.length > SHORT ? `${s.slice(0, SHORT)}…` : s);

/**
 * 表5 for the chat: per town the count of problems by status, then each one the town still owes
 * (not rectified, not on the written list) with its 抽查结果, and the written list with its dates.
 * Names only what the problem text says; the workbook has every column.
 */
export function table5Text(table: Table5, heading: string): string {
  const lines: string[] = [heading];
  // A province has hundreds of towns: those without problems are one line, not one each.
  const quiet = table.towns.filter((t) => t.rows.length === 0);
  for (const town of table.towns) {
    if (town.rows.length === 0) continue;
    const counts = STATUS_ORDER.map((s) => [s, town.rows.filter((r) => r.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${PROBLEM_STATUS_LABELS[s]} ${n}`);
    lines.push(`${town.townName}:共 ${town.rows.length} 个(${counts.join(' · ')})`);
    for (const r of town.rows.filter((r) => r.status === 'open' || r.status === 'rectifying')) {
      lines.push(`  ${r.no}. ${r.place}:${short(r.problem)}【${r.statusLabel};${r.checkResult}】`);
    }
  }
  if (quiet.length > 0) {
    lines.push(
      quiet.length === table.towns.length
        ? '暂无问题。'
        : `其余 ${quiet.length} 个镇暂无问题(${quiet
            .slice(0, 5)
            .map((t) => t.townName)
            .join('、')}${quiet.length > 5 ? '等' : ''})。`,
    );
  }
  if (table.delays.length > 0) {
    lines.push('需较长时间整改的问题清单:');
    for (const d of table.delays) {
      const where = d.place === d.townName ? d.place : `${d.townName}${d.place}`;
      lines.push(
        `  ${d.no}. ${where}:${short(d.problem)}(计划 ${d.plannedDate ? formatLocalDate(d.plannedDate) : '—'} 前完成;${short(d.reason)})`,
      );
    }
  }
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
