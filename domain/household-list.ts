// Turns the household list a town hands over (already read into a table of strings) into a
// validated list, reporting every bad row at once so the town can fix the file in one go.
// Pure: no I/O. node:crypto is used only for the fingerprint hash.

import { createHash } from 'node:crypto';
import { STRATA, type StratumId } from './forms/types';

export interface Household {
  id: string;
  name: string;
  stratum: StratumId;
  /** 人口 as the list gives it (1–30); absent when the list has no such column or the cell is empty. */
  population?: number;
  /** 村民小组 / 组 / 屯, as written. */
  team?: string;
  /** 备注, at most 100 characters. */
  note?: string;
}

/** A village as the list checks see it: its full name (大田村) and, when ids carry one, their prefix. */
export interface VillageRef {
  id: string;
  name: string;
  idPrefix?: string;
}

export interface HouseholdListOptions {
  /** The village the list is uploaded for. */
  village: VillageRef;
  /** The campaign's other villages: a list naming one of them is refused. */
  others: readonly VillageRef[];
}

/** Most households a village list may hold (DOMAIN.md §2). */
export const MAX_HOUSEHOLDS = 20_000;
export const MAX_ID_LENGTH = 32;
export const MAX_NAME_LENGTH = 20;
export const MAX_TEAM_LENGTH = 30;
export const MAX_NOTE_LENGTH = 100;
export const MIN_POPULATION = 1;
export const MAX_POPULATION = 30;

export type ListRowErrorCode =
  | 'empty_id'
  | 'empty_name'
  | 'empty_stratum'
  | 'unknown_stratum'
  | 'ambiguous_stratum'
  | 'id_scientific'
  | 'id_too_long'
  | 'name_too_long'
  /** An id or name starting with = + - @, which a spreadsheet would run as a formula. */
  | 'formula_like'
  | 'bad_population'
  | 'team_too_long'
  | 'note_too_long'
  | 'duplicate_id'
  | 'missing_column'
  | 'duplicate_column'
  | 'empty_list'
  | 'too_many_households'
  | 'wrong_village';

export interface ListRowError {
  /** 1-based row as the spreadsheet shows it (the header is row 1 unless a title row precedes it). */
  row: number;
  /** The header text as written in the file (or our name for a missing column). */
  column?: string;
  code: ListRowErrorCode;
  /** Chinese, ready to show to the town contact. */
  message: string;
}

/** Why a list seems to be another village's; `name` is that village's name. */
export interface WrongVillage {
  villageId: string;
  name: string;
  evidence: 'title' | 'column' | 'ids';
}

export type HouseholdListResult =
  | {
      ok: true;
      households: Household[];
      /** Header texts of the columns not kept (phone, 身份证号, 序号 …), as written; see droppedColumnsNotice. */
      droppedColumns: string[];
    }
  | {
      ok: false;
      errors: ListRowError[];
      /** Set (with one 'wrong_village' error) when the list names another village of the campaign. */
      wrongVillage?: WrongVillage;
    };

type Field = 'id' | 'name' | 'stratum';
type OptionalField = 'population' | 'team' | 'note';

const fieldLabels: Record<Field, string> = { id: '户编号', name: '户主姓名', stratum: '农户类型' };

/** How towns write each stratum, for messages. */
const stratumLabels: Record<StratumId, string> = {
  exited_2014_2015: '2014、2015年退出户',
  exited_2016: '2016年已脱贫户',
  planned_2017: '2017年计划脱贫户',
  registered_poor: '建档立卡贫困户',
  non_poor: '非贫困户',
};

const acceptedStrata = STRATA.map((s) => stratumLabels[s]).join('、');

/** Long values are quoted in messages only up to here. */
const preview = (value: string) => ([...value].length > 20 ? `${[...value].slice(0, 20).join('')}…` : value);

const messages = {
  emptyCell: (row: number, column: string, field: Field) =>
    `第${row}行「${column}」为空,请填写${fieldLabels[field]}`,
  unknownStratum: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」无法识别,请填写以下类型之一:${acceptedStrata}`,
  ambiguousStratum: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」未写明脱贫年份,请写成「2014、2015年退出户」或「2016年已脱贫户」`,
  idScientific: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」是科学计数法,编号已丢失位数;请在表格中把该列设为“文本”格式后重新导出`,
  idTooLong: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${preview(value)}」有${[...value].length}个字符,户编号最多${MAX_ID_LENGTH}个字符`,
  nameTooLong: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${preview(value)}」有${[...value].length}个字符,户主姓名最多${MAX_NAME_LENGTH}个字符`,
  formulaLike: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${preview(value)}」以“${value[0]}”开头,会被表格软件当作公式,请删除开头的“${value[0]}”`,
  badPopulation: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${preview(value)}」不是${MIN_POPULATION}–${MAX_POPULATION}之间的整数,请填写家庭人口数(不清楚可留空)`,
  teamTooLong: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${preview(value)}」超过${MAX_TEAM_LENGTH}个字符,请只写组或屯的名称`,
  noteTooLong: (row: number, column: string, length: number) =>
    `第${row}行「${column}」有${length}个字符,备注最多${MAX_NOTE_LENGTH}个字符,请精简`,
  duplicateId: (row: number, column: string, id: string, firstRow: number) =>
    `第${row}行「${column}」${id}与第${firstRow}行重复,同一户只能出现一次`,
  missingColumn: (row: number, field: Field, aliases: readonly string[]) =>
    `第${row}行(表头)缺少「${fieldLabels[field]}」列,可用的列名:${aliases.join('、')}`,
  duplicateColumn: (row: number, column: string, field: Field) =>
    `第${row}行(表头)有多个「${column}」列,无法确定哪一列是${fieldLabels[field]},请删除多余的列`,
  emptyList: (row: number) => `名单中没有任何农户(表头在第${row}行,其后没有数据)`,
  emptyFile: '文件是空的,没有表头也没有农户',
  tooManyHouseholds: (count: number) =>
    `名单有${count}行农户,超过每村${MAX_HOUSEHOLDS}户的上限。请确认文件是否只包含一个村的名单`,
  wrongVillage: (other: string, evidence: string, village: string) =>
    `该名单似乎是${other}的(${evidence}),不是${village}的。请确认后重新上传。`,
  evidenceTitle: (title: string) => `标题为「${preview(title)}」`,
  evidenceColumn: (row: number, column: string, value: string) =>
    `第${row}行「${column}」为「${preview(value)}」`,
  evidenceIdPrefix: (count: number, total: number, prefix: string) =>
    `${total}户中有${count}户的户编号以「${prefix}」开头`,
  evidenceIdName: (count: number, total: number, name: string) =>
    `${total}户中有${count}户的户编号含「${name}」`,
  droppedColumns: (columns: readonly string[]) => `已忽略以下列(不保存):${columns.join('、')}`,
  unnamedColumn: (index: number) => `第${index + 1}列(无表头)`,
};

/** What to tell the uploader about columns that were not kept; undefined when none were dropped. */
export function droppedColumnsNotice(droppedColumns: readonly string[]): string | undefined {
  return droppedColumns.length > 0 ? messages.droppedColumns(droppedColumns) : undefined;
}

/**
 * Header names towns use, most specific first: when two columns match one field (e.g. 户主姓名
 * and 姓名), the one whose alias comes first wins and the other is dropped.
 */
const headerAliases: Record<Field, readonly string[]> = {
  id: [
    '户编号',
    '户号',
    '农户编号',
    '户代码',
    '农户代码',
    '户编码',
    '农户户号',
    '家庭编号',
    '户主编号',
    '编号',
    'householdid',
    'id',
  ],
  name: ['户主姓名', '户主', '户主名称', '户主名字', '户主名', '农户姓名', '姓名', 'name'],
  stratum: [
    '农户类型',
    '农户类别',
    '户类型',
    '户类别',
    '贫困户类型',
    '贫困户属性',
    '农户属性',
    '户属性',
    '脱贫属性',
    '类型',
    '类别',
    'stratum',
    'type',
  ],
};

/** Optional columns we keep. Keys are compared after headerKey (brackets, punctuation, spaces gone). */
const optionalAliases: Record<OptionalField, readonly string[]> = {
  population: [
    '人口',
    '家庭人口',
    '人口数',
    '家庭人口数',
    '家庭人数',
    '户人口',
    '户人数',
    '人数',
    'population',
  ],
  team: [
    '村民小组',
    '所在组',
    '组',
    '组别',
    '组屯', // 组/屯
    '屯组',
    '屯',
    '自然村',
    '所在屯',
    '村小组',
    '小组',
    '村民组',
    '自然屯',
    '所在自然村',
    '所属组',
    'team',
  ],
  note: ['备注', '说明', '备注说明', '备注信息', 'note'],
};

/** A column naming the village: checked against the campaign's villages, then dropped without notice. */
const villageAliases: readonly string[] = [
  '村', // also 村(社区)
  '村名',
  '村名称',
  '所在村',
  '所属村',
  '行政村',
  '行政村名称',
  '村委会',
  '村委',
  '村委会名称',
  '村民委员会',
  '村居',
  '村社区',
];

const FIELDS: readonly Field[] = ['id', 'name', 'stratum'];
const OPTIONAL_FIELDS: readonly OptionalField[] = ['population', 'team', 'note'];

/** A title row (e.g. "大田村农户名单") may sit above the header; look this far down for it. */
const HEADER_SEARCH_ROWS = 10;

/** Full-width → half-width (NFKC), drop whitespace, punctuation and symbols, lower-case. */
function squash(text: string): string {
  return cellText(text)
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .toLowerCase();
}

/** Headers often carry a unit or a note in brackets: "人口(人)", "户主姓名(必填)". */
function headerKey(text: string): string {
  return squash(text.normalize('NFKC').replace(/[([【〔][^)\]】〕]*[)\]】〕]/gu, ''));
}

/**
 * A cell as a person reads it: NFKC (full-width → half-width), line breaks and tabs as spaces,
 * control and invisible characters (zero-width space, BOM, soft hyphen … any \p{Cc} or \p{Cf})
 * removed, trimmed. "A\u200b1" and "A1" look the same on paper, so they are the same id.
 */
function cellText(text: string | undefined): string {
  return (text ?? '')
    .normalize('NFKC')
    .replace(/[\t\n\v\f\r\u0085]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim();
}

/** Prose cells (组, 备注): cleaned, inner runs of spaces collapsed. */
function proseText(text: string | undefined): string {
  return cellText(text).replace(/\s+/gu, ' ');
}

/** Names are sometimes padded to align two-character names: "张  三" → "张三". */
function cleanName(text: string): string {
  return proseText(text).replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1');
}

/** Characters as a person counts them (a rare character outside the BMP is one, not two). */
const charCount = (text: string) => [...text].length;

/** Spreadsheet programs run a cell starting with one of these as a formula (CSV injection). */
const startsLikeFormula = (text: string) => /^[=+\-@]/u.test(text);

/** Years mentioned in a stratum text: "2014、2015年" → [2014, 2015]; "16年" → [2016]. */
function yearsIn(text: string): number[] {
  const spaced = text.normalize('NFKC').replace(/[\s\p{P}\p{S}]+/gu, ' ');
  const years: number[] = [];
  for (const match of spaced.matchAll(/\d+/gu)) {
    const digits = match[0];
    if (digits.length === 4) years.push(Number(digits));
    else if (digits.length === 2) years.push(2000 + Number(digits));
    else years.push(Number.NaN); // e.g. "20142015": cannot tell, so never guess
  }
  return years;
}

export type StratumMatch = { stratum: StratumId } | { ambiguous: true } | undefined;

/**
 * Maps a stratum as a town writes it to a stratum id. Rules, not a fixed list, because the
 * variants are endless (2014年退出户, 已脱贫户(2016), 今年计划脱贫户, 一般农户 …). Order matters:
 * "非贫困户" contains "贫困户" and "未脱贫户" contains "脱贫户".
 */
export function matchStratum(raw: string): StratumMatch {
  const plain = raw.trim().toLowerCase();
  if ((STRATA as readonly string[]).includes(plain)) return { stratum: plain as StratumId };
  const s = squash(raw);
  if (s === '') return undefined;
  const years = yearsIn(raw);
  const onlyYears = (allowed: readonly number[]) =>
    years.length > 0 && years.every((y) => allowed.includes(y));

  if (/非贫困|非建档|一般农户|一般户|普通农户/u.test(s)) return { stratum: 'non_poor' };
  if (/预脱贫|计划脱贫|拟脱贫|计划退出|预退出|今年脱贫/u.test(s)) {
    return years.length === 0 || onlyYears([2017]) ? { stratum: 'planned_2017' } : undefined;
  }
  if (/未脱贫|未退出|尚未脱贫/u.test(s))
    return years.length === 0 ? { stratum: 'registered_poor' } : undefined;
  if (/退出|脱贫/u.test(s)) {
    if (onlyYears([2014, 2015])) return { stratum: 'exited_2014_2015' };
    if (onlyYears([2016])) return { stratum: 'exited_2016' };
    // In the 2017 campaign a "2017年脱贫户" is one meant to exit this year.
    if (onlyYears([2017])) return { stratum: 'planned_2017' };
    return years.length === 0 ? { ambiguous: true } : undefined;
  }
  if (/建档立卡|贫困户|贫困/u.test(s)) return years.length === 0 ? { stratum: 'registered_poor' } : undefined;
  return undefined;
}

interface HeaderMap {
  row: number;
  columns: Record<Field, number>;
  optional: Partial<Record<OptionalField, number>>;
  /** Columns naming the village (村, 村名 …): checked, then dropped without notice. */
  villageColumns: number[];
  headers: readonly string[];
}

function isBlank(row: readonly string[]): boolean {
  return row.every((cell) => cellText(cell) === '');
}

/** Finds each field's column in one candidate header row; errors when a field is missing or doubled. */
function mapHeader(cells: readonly string[], rowNo: number): { map?: HeaderMap; errors: ListRowError[] } {
  const keys = cells.map(headerKey);
  const errors: ListRowError[] = [];
  const columns: Partial<Record<Field, number>> = {};
  const used = new Set<number>();
  for (const field of FIELDS) {
    const aliases = headerAliases[field];
    let found = false;
    for (const alias of aliases) {
      const at = keys.flatMap((k, i) => (k === alias && !used.has(i) ? [i] : []));
      if (at.length === 0) continue;
      const first = at[0]!;
      if (at.length > 1) {
        const column = cellText(cells[first]);
        errors.push({
          row: rowNo,
          column,
          code: 'duplicate_column',
          message: messages.duplicateColumn(rowNo, column, field),
        });
      }
      columns[field] = first;
      used.add(first);
      found = true;
      break;
    }
    if (!found) {
      errors.push({
        row: rowNo,
        column: fieldLabels[field],
        code: 'missing_column',
        message: messages.missingColumn(
          rowNo,
          field,
          aliases.filter((a) => /\p{Script=Han}/u.test(a)),
        ),
      });
    }
  }
  if (errors.length > 0) return { errors };
  // Optional columns: the first by alias priority; a second one (two 备注 columns) is dropped.
  const optional: Partial<Record<OptionalField, number>> = {};
  for (const field of OPTIONAL_FIELDS) {
    for (const alias of optionalAliases[field]) {
      const at = keys.findIndex((k, i) => k === alias && !used.has(i));
      if (at < 0) continue;
      optional[field] = at;
      used.add(at);
      break;
    }
  }
  const villageColumns = keys.flatMap((k, i) => (!used.has(i) && villageAliases.includes(k) ? [i] : []));
  return {
    map: { row: rowNo, columns: columns as Record<Field, number>, optional, villageColumns, headers: cells },
    errors: [],
  };
}

/** The header is the first row (within the first few non-blank ones) naming all three fields. */
function findHeader(rows: readonly (readonly string[])[]): { map?: HeaderMap; errors: ListRowError[] } {
  let firstAttempt: { errors: ListRowError[] } | undefined;
  let seen = 0;
  for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
    const row = rows[i]!;
    if (isBlank(row)) continue;
    seen++;
    const attempt = mapHeader(row, i + 1);
    if (attempt.map) return attempt;
    // Report against the first non-blank row: that is where the town thinks its header is.
    firstAttempt ??= attempt;
  }
  return firstAttempt ?? { errors: [{ row: 1, code: 'empty_list', message: messages.emptyFile }] };
}

/** Header texts of the columns not kept, as written; a column without header only if it holds data. */
function droppedColumns(map: HeaderMap, rows: readonly (readonly string[])[]): string[] {
  const kept = new Set<number>([
    ...Object.values(map.columns),
    ...Object.values(map.optional),
    ...map.villageColumns,
  ]);
  const width = rows.reduce((w, row, i) => (i >= map.row - 1 ? Math.max(w, row.length) : w), 0);
  const dropped: string[] = [];
  for (let c = 0; c < width; c++) {
    if (kept.has(c)) continue;
    const header = proseText(map.headers[c]);
    if (header !== '') dropped.push(header);
    else if (rows.some((row, i) => i >= map.row && cellText(row[c]) !== ''))
      dropped.push(messages.unnamedColumn(c));
  }
  return [...new Set(dropped)];
}

// ---------------------------------------------------------------------------------------------
// Is this list for this village?

/** Village names compared as written on paper: NFKC, no spaces or invisible characters. */
const plain = (text: string | undefined) => cellText(text).replace(/\s+/gu, '');

/** "大田村" → "大田"; a name not ending in 村 has no shorter form. */
const stemOf = (name: string) => (name.endsWith('村') && name.length > 2 ? name.slice(0, -1) : undefined);

/**
 * Whether a village-column value names the village: its full name, its name without 村 (大田), the
 * committee (大田村委会, 大田村民委员会), or the full name after a town (东兴镇大田村). Never a
 * substring: 马路镇 is not 马路村.
 */
function valueNamesVillage(value: string, full: string): boolean {
  if (full === '') return false;
  const v = value.replace(/(村民委员会|村委会|村委)$/u, '村');
  if (v === full || v === stemOf(full)) return true;
  return v.endsWith(full) && /[镇乡]$/u.test(v.slice(0, -full.length));
}

/** A village with its name normalised once (not once per row). */
type Named = { village: VillageRef; full: string; prefix: string };

/**
 * The villages whose full name occurs in `text`, ignoring an occurrence inside a longer village
 * name that also occurs there (江那村 inside 下江那村).
 */
function villagesNamedIn(text: string, villages: readonly Named[]): VillageRef[] {
  const hits: { village: VillageRef; start: number; end: number }[] = [];
  for (const { village, full } of villages) {
    if (full === '') continue;
    for (let at = text.indexOf(full); at >= 0; at = text.indexOf(full, at + 1))
      hits.push({ village, start: at, end: at + full.length });
  }
  const outer = hits.filter(
    (h) =>
      !hits.some((o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start),
  );
  return [...new Set(outer.map((h) => h.village))];
}

type VillageCheck = { wrongVillage: WrongVillage; error: ListRowError } | undefined;

function checkVillage(
  rows: readonly (readonly string[])[],
  map: HeaderMap,
  options: HouseholdListOptions,
): VillageCheck {
  const { village } = options;
  // Callers may pass every village of the campaign as `others`; this one is not "another".
  const others = options.others.filter((o) => o.id !== village.id);
  const all: Named[] = [village, ...others].map((v) => ({
    village: v,
    full: plain(v.name),
    prefix: v.idPrefix ? plain(v.idPrefix) : '',
  }));
  const ownName = all[0]!.full;
  const refuse = (
    other: VillageRef,
    evidence: WrongVillage['evidence'],
    why: string,
    row: number,
    column?: string,
  ) => ({
    wrongVillage: { villageId: other.id, name: other.name, evidence },
    error: {
      row,
      ...(column === undefined ? {} : { column }),
      code: 'wrong_village' as const,
      message: messages.wrongVillage(other.name, why, village.name),
    },
  });

  // 1. A title above the header that names another village and not this one.
  for (let i = 0; i < map.row - 1; i++) {
    for (const cell of rows[i]!) {
      const named = villagesNamedIn(plain(cell), all);
      if (named.length === 0 || named.includes(village)) continue;
      return refuse(named[0]!, 'title', messages.evidenceTitle(proseText(cell)), i + 1);
    }
  }

  // 2. A village column naming another village in any row (the first one is reported).
  for (let i = map.row; i < rows.length; i++) {
    for (const c of map.villageColumns) {
      const value = plain(rows[i]![c]);
      if (value === '' || valueNamesVillage(value, ownName)) continue;
      const other = all.slice(1).find((o) => valueNamesVillage(value, o.full))?.village;
      if (other) {
        const column = proseText(map.headers[c]);
        return refuse(
          other,
          'column',
          messages.evidenceColumn(i + 1, column, proseText(rows[i]![c])),
          i + 1,
          column,
        );
      }
    }
  }

  // 3. Household ids: most carry another village's prefix or full name, few or none this one's.
  const ids: { id: string; row: number; named: readonly VillageRef[] }[] = [];
  for (let i = map.row; i < rows.length; i++) {
    const id = plain(rows[i]![map.columns.id]);
    // Names are looked for once per id (not once per id and village): 20,000 ids × 23 villages.
    if (id !== '') ids.push({ id, row: i + 1, named: villagesNamedIn(id, all) });
  }
  if (ids.length === 0) return undefined;
  const byPrefix = (n: Named, id: string) => n.prefix !== '' && id.startsWith(n.prefix);
  const matches = (n: Named, entry: (typeof ids)[number]) =>
    byPrefix(n, entry.id) || entry.named.includes(n.village);
  const ours = ids.filter((entry) => matches(all[0]!, entry)).length;
  if (ours > ids.length * 0.2) return undefined;
  let best: { other: Named; count: number } | undefined;
  for (const other of all.slice(1)) {
    const count = ids.filter((entry) => matches(other, entry)).length;
    if (count >= ids.length * 0.8 && (!best || count > best.count)) best = { other, count };
  }
  if (!best) return undefined;
  const { other, count } = best;
  const prefixCount = ids.filter(({ id }) => byPrefix(other, id)).length;
  const why =
    prefixCount * 2 >= count
      ? messages.evidenceIdPrefix(prefixCount, ids.length, other.prefix)
      : messages.evidenceIdName(count, ids.length, other.full);
  const first = ids.find((entry) => matches(other, entry))!;
  return refuse(other.village, 'ids', why, first.row, proseText(map.headers[map.columns.id]));
}

// ---------------------------------------------------------------------------------------------

/**
 * Validates a household list. `rows[0]` is spreadsheet row 1; blank rows are skipped but keep
 * their numbers so messages point at the right line. Any error → ok:false and no households.
 * With `options`, a list that names another village of the campaign (title, village column or
 * ids) is refused first, with `wrongVillage` saying which.
 */
export function parseHouseholdList(
  rows: readonly (readonly string[])[],
  options?: HouseholdListOptions,
): HouseholdListResult {
  const { map, errors: headerErrors } = findHeader(rows);
  if (!map) return { ok: false, errors: headerErrors };

  // Counted before anything else, so an oversized file gets one message instead of thousands.
  let dataRows = 0;
  for (let i = map.row; i < rows.length; i++) if (!isBlank(rows[i]!)) dataRows++;
  if (dataRows > MAX_HOUSEHOLDS) {
    return {
      ok: false,
      errors: [{ row: map.row, code: 'too_many_households', message: messages.tooManyHouseholds(dataRows) }],
    };
  }

  if (options) {
    const wrong = checkVillage(rows, map, options);
    if (wrong) return { ok: false, errors: [wrong.error], wrongVillage: wrong.wrongVillage };
  }

  const column = (field: Field) => cellText(map.headers[map.columns[field]]);
  const optionalColumn = (field: OptionalField) => cellText(map.headers[map.optional[field]!]);
  const errors: ListRowError[] = [];
  const households: Household[] = [];
  const firstRowOfId = new Map<string, number>();

  for (let i = map.row; i < rows.length; i++) {
    const cells = rows[i]!;
    const rowNo = i + 1;
    if (isBlank(cells)) continue;
    const rowErrors: ListRowError[] = [];
    const fail = (columnText: string, code: ListRowErrorCode, message: string) =>
      rowErrors.push({ row: rowNo, column: columnText, code, message });

    // Ids are codes, not prose: spaces inside them are always typing slips.
    const id = cellText(cells[map.columns.id]).replace(/\s+/gu, '');
    const name = cleanName(cells[map.columns.name] ?? '');
    const stratumText = cellText(cells[map.columns.stratum]);

    const idColumn = column('id');
    if (id === '') fail(idColumn, 'empty_id', messages.emptyCell(rowNo, idColumn, 'id'));
    else if (/^\d+(\.\d+)?e\+\d+$/iu.test(id))
      fail(idColumn, 'id_scientific', messages.idScientific(rowNo, idColumn, id));
    else if (charCount(id) > MAX_ID_LENGTH)
      fail(idColumn, 'id_too_long', messages.idTooLong(rowNo, idColumn, id));
    else if (startsLikeFormula(id)) fail(idColumn, 'formula_like', messages.formulaLike(rowNo, idColumn, id));
    else {
      const firstRow = firstRowOfId.get(id);
      if (firstRow !== undefined)
        fail(idColumn, 'duplicate_id', messages.duplicateId(rowNo, idColumn, id, firstRow));
      else firstRowOfId.set(id, rowNo);
    }

    const nameColumn = column('name');
    if (name === '') fail(nameColumn, 'empty_name', messages.emptyCell(rowNo, nameColumn, 'name'));
    else if (charCount(name) > MAX_NAME_LENGTH)
      fail(nameColumn, 'name_too_long', messages.nameTooLong(rowNo, nameColumn, name));
    else if (startsLikeFormula(name))
      fail(nameColumn, 'formula_like', messages.formulaLike(rowNo, nameColumn, name));

    let stratum: StratumId | undefined;
    const stratumColumn = column('stratum');
    if (stratumText === '')
      fail(stratumColumn, 'empty_stratum', messages.emptyCell(rowNo, stratumColumn, 'stratum'));
    else {
      const match = matchStratum(stratumText);
      if (match === undefined) {
        fail(stratumColumn, 'unknown_stratum', messages.unknownStratum(rowNo, stratumColumn, stratumText));
      } else if ('ambiguous' in match) {
        fail(
          stratumColumn,
          'ambiguous_stratum',
          messages.ambiguousStratum(rowNo, stratumColumn, stratumText),
        );
      } else stratum = match.stratum;
    }

    let population: number | undefined;
    if (map.optional.population !== undefined) {
      const text = cellText(cells[map.optional.population]).replace(/\s+/gu, '');
      // "4人" is how some towns write it; anything else must be a plain whole number.
      const digits = /^(\d{1,3})人?$/u.exec(text)?.[1];
      const value = digits === undefined ? Number.NaN : Number(digits);
      if (text === '') population = undefined;
      else if (value >= MIN_POPULATION && value <= MAX_POPULATION) population = value;
      else {
        const col = optionalColumn('population');
        fail(col, 'bad_population', messages.badPopulation(rowNo, col, text));
      }
    }

    const team = map.optional.team === undefined ? '' : proseText(cells[map.optional.team]);
    if (charCount(team) > MAX_TEAM_LENGTH) {
      const col = optionalColumn('team');
      fail(col, 'team_too_long', messages.teamTooLong(rowNo, col, team));
    }
    const note = map.optional.note === undefined ? '' : proseText(cells[map.optional.note]);
    if (charCount(note) > MAX_NOTE_LENGTH) {
      const col = optionalColumn('note');
      fail(col, 'note_too_long', messages.noteTooLong(rowNo, col, charCount(note)));
    }

    if (rowErrors.length > 0 || stratum === undefined) {
      errors.push(...rowErrors);
      continue;
    }
    // Optional values only when present, so a stored household has no empty keys.
    households.push({
      id,
      name,
      stratum,
      ...(population === undefined ? {} : { population }),
      ...(team === '' ? {} : { team }),
      ...(note === '' ? {} : { note }),
    });
  }

  if (errors.length > 0) return { ok: false, errors };
  if (households.length === 0) {
    return {
      ok: false,
      errors: [{ row: map.row, code: 'empty_list', message: messages.emptyList(map.row) }],
    };
  }
  return { ok: true, households, droppedColumns: droppedColumns(map, rows) };
}

/**
 * SHA-256 (hex) of the list's canonical form: sorted by id, only id, name and stratum, so row
 * order and the optional columns (人口, 组, 备注) do not change it but any change to who is in
 * which stratum does.
 */
export function listFingerprint(households: readonly Pick<Household, 'id' | 'name' | 'stratum'>[]): string {
  const canonical = households
    .map((h) => [h.id, h.name, h.stratum] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
}
