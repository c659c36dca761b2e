// Turns the household list a town hands over (already read into a table of strings) into a
// validated list, reporting every bad row at once so the town can fix the file in one go.
// Pure: no I/O. node:crypto is used only for the fingerprint hash.

import { createHash } from 'node:crypto';
import { STRATA, type StratumId } from './forms/types';

export interface Household {
  id: string;
  name: string;
  stratum: StratumId;
  /** Columns we do not interpret (人口, 组/屯, 联系电话 …), keyed by their header text; empty cells left out. */
  extra: Record<string, string>;
}

export type ListRowErrorCode =
  | 'empty_id'
  | 'empty_name'
  | 'empty_stratum'
  | 'unknown_stratum'
  | 'ambiguous_stratum'
  | 'id_scientific'
  | 'duplicate_id'
  | 'missing_column'
  | 'duplicate_column'
  | 'empty_list';

export interface ListRowError {
  /** 1-based row as the spreadsheet shows it (the header is row 1 unless a title row precedes it). */
  row: number;
  /** The header text as written in the file (or our name for a missing column). */
  column?: string;
  code: ListRowErrorCode;
  /** Chinese, ready to show to the town contact. */
  message: string;
}

export type HouseholdListResult =
  | { ok: true; households: Household[] }
  | { ok: false; errors: ListRowError[] };

type Field = 'id' | 'name' | 'stratum';

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

const messages = {
  emptyCell: (row: number, column: string, field: Field) =>
    `第${row}行「${column}」为空,请填写${fieldLabels[field]}`,
  unknownStratum: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」无法识别,请填写以下类型之一:${acceptedStrata}`,
  ambiguousStratum: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」未写明脱贫年份,请写成「2014、2015年退出户」或「2016年已脱贫户」`,
  idScientific: (row: number, column: string, value: string) =>
    `第${row}行「${column}」的值「${value}」是科学计数法,编号已丢失位数;请在表格中把该列设为“文本”格式后重新导出`,
  duplicateId: (row: number, column: string, id: string, firstRow: number) =>
    `第${row}行「${column}」${id}与第${firstRow}行重复,同一户只能出现一次`,
  missingColumn: (row: number, field: Field, aliases: readonly string[]) =>
    `第${row}行(表头)缺少「${fieldLabels[field]}」列,可用的列名:${aliases.join('、')}`,
  duplicateColumn: (row: number, column: string, field: Field) =>
    `第${row}行(表头)有多个「${column}」列,无法确定哪一列是${fieldLabels[field]},请删除多余的列`,
  emptyList: (row: number) => `名单中没有任何农户(表头在第${row}行,其后没有数据)`,
  emptyFile: '文件是空的,没有表头也没有农户',
};

/**
 * Header names towns use, most specific first: when two columns match one field (e.g. 户主姓名
 * and 姓名), the one whose alias comes first wins and the other is kept as an extra column.
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

const FIELDS: readonly Field[] = ['id', 'name', 'stratum'];

/** A title row (e.g. "大田村农户名单") may sit above the header; look this far down for it. */
const HEADER_SEARCH_ROWS = 10;

/** Full-width → half-width (NFKC), drop whitespace, punctuation and symbols, lower-case. */
function squash(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .toLowerCase();
}

/** Headers often carry a unit or a note in brackets: "人口(人)", "户主姓名(必填)". */
function headerKey(text: string): string {
  return squash(text.normalize('NFKC').replace(/[([【〔][^)\]】〕]*[)\]】〕]/gu, ''));
}

function cellText(text: string | undefined): string {
  return (text ?? '').normalize('NFKC').trim();
}

/** Names are sometimes padded to align two-character names: "张  三" → "张三". */
function cleanName(text: string): string {
  return cellText(text)
    .replace(/\s+/gu, ' ')
    .replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1');
}

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
  /** Column index → header text, for columns kept as extra. */
  extras: Map<number, string>;
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
  for (const field of FIELDS) {
    const aliases = headerAliases[field];
    let found = false;
    for (const alias of aliases) {
      const at = keys.flatMap((k, i) => (k === alias && !Object.values(columns).includes(i) ? [i] : []));
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
  const used = new Set(Object.values(columns));
  const extras = new Map<number, string>();
  cells.forEach((cell, i) => {
    if (!used.has(i)) extras.set(i, cellText(cell) || `列${i + 1}`);
  });
  return {
    map: { row: rowNo, columns: columns as Record<Field, number>, extras, headers: cells },
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

/**
 * Validates a household list. `rows[0]` is spreadsheet row 1; blank rows are skipped but keep
 * their numbers so messages point at the right line. Any error → ok:false and no households.
 */
export function parseHouseholdList(rows: readonly (readonly string[])[]): HouseholdListResult {
  const { map, errors: headerErrors } = findHeader(rows);
  if (!map) return { ok: false, errors: headerErrors };

  const column = (field: Field) => cellText(map.headers[map.columns[field]]);
  const errors: ListRowError[] = [];
  const households: Household[] = [];
  const firstRowOfId = new Map<string, number>();

  for (let i = map.row; i < rows.length; i++) {
    const cells = rows[i]!;
    const rowNo = i + 1;
    if (isBlank(cells)) continue;
    const rowErrors: ListRowError[] = [];
    const fail = (field: Field, code: ListRowErrorCode, message: string) =>
      rowErrors.push({ row: rowNo, column: column(field), code, message });

    // Ids are codes, not prose: spaces inside them are always typing slips.
    const id = cellText(cells[map.columns.id]).replace(/\s+/gu, '');
    const name = cleanName(cells[map.columns.name] ?? '');
    const stratumText = cellText(cells[map.columns.stratum]);

    if (id === '') fail('id', 'empty_id', messages.emptyCell(rowNo, column('id'), 'id'));
    else if (/^\d+(\.\d+)?e\+\d+$/iu.test(id))
      fail('id', 'id_scientific', messages.idScientific(rowNo, column('id'), id));
    else {
      const firstRow = firstRowOfId.get(id);
      if (firstRow !== undefined)
        fail('id', 'duplicate_id', messages.duplicateId(rowNo, column('id'), id, firstRow));
      else firstRowOfId.set(id, rowNo);
    }

    if (name === '') fail('name', 'empty_name', messages.emptyCell(rowNo, column('name'), 'name'));

    let stratum: StratumId | undefined;
    if (stratumText === '')
      fail('stratum', 'empty_stratum', messages.emptyCell(rowNo, column('stratum'), 'stratum'));
    else {
      const match = matchStratum(stratumText);
      if (match === undefined) {
        fail('stratum', 'unknown_stratum', messages.unknownStratum(rowNo, column('stratum'), stratumText));
      } else if ('ambiguous' in match) {
        fail(
          'stratum',
          'ambiguous_stratum',
          messages.ambiguousStratum(rowNo, column('stratum'), stratumText),
        );
      } else stratum = match.stratum;
    }

    if (rowErrors.length > 0 || stratum === undefined) {
      errors.push(...rowErrors);
      continue;
    }
    const extra: Record<string, string> = {};
    for (const [index, header] of map.extras) {
      const value = cellText(cells[index]);
      if (value !== '') extra[header] = value;
    }
    households.push({ id, name, stratum, extra });
  }

  if (errors.length > 0) return { ok: false, errors };
  if (households.length === 0) {
    return {
      ok: false,
      errors: [{ row: map.row, code: 'empty_list', message: messages.emptyList(map.row) }],
    };
  }
  return { ok: true, households };
}

/**
 * SHA-256 (hex) of the list's canonical form: sorted by id, only id, name and stratum, so row
 * order and extra columns do not change it but any change to who is in which stratum does.
 */
export function listFingerprint(households: readonly Pick<Household, 'id' | 'name' | 'stratum'>[]): string {
  const canonical = households
    .map((h) => [h.id, h.name, h.stratum] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
}
