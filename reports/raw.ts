// Raw data: one row per survey, one column per question headed by its Chinese label, answers as
// people read them (choice labels, not codes), flags as Chinese labels, who and when. As a
// workbook (one sheet per form) and as CSV in UTF-8 with a BOM, without which Excel on Chinese
// Windows reads UTF-8 as GBK and shows mojibake.

import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type Campaign, groupForTown, townById, villageById } from '../domain/campaign';
import { computeFlags, formatValue, renderLabel } from '../domain/engine';
import {
  archivePath,
  evidenceFlags,
  evidenceFlagText,
  evidenceReasons,
  needsEvidence,
} from '../domain/evidence';
import { formById, forms } from '../domain/forms/index';
import type { FormContext, FormDef, Question } from '../domain/forms/types';
import type { Survey, SurveyKind, SurveyStatus } from '../domain/model';
import { FONT, localDateTime } from './sheet';

export const RAW_SHEET_NAMES: Readonly<Record<SurveyKind, string>> = {
  household: '农户调查表',
  village: '村级调查表',
  office: '县级数据',
};

const STATUS_LABELS: Readonly<Record<SurveyStatus, string>> = {
  draft: '草稿',
  submitted: '已提交',
  returned: '已退回',
};

export const RAW_META_HEADER = [
  '问卷编号',
  '镇',
  '村',
  '农户编号',
  '检查组',
  '调查员编号',
  '调查员',
  '状态',
  '表单版本',
  '创建时间',
  '提交时间',
  '最后修改时间',
] as const;

export type RawCell = string | number;

function contextFor(campaign: Campaign, s: Survey): FormContext {
  const village = s.villageId ? villageById(campaign, s.villageId) : undefined;
  return {
    povertyLine: campaign.povertyLine,
    year: campaign.year,
    incomeCutoff: campaign.incomeCutoff,
    ...(village ? { villageType: village.type } : {}),
  };
}

/** Header of a question column: its number in the paper form, its wording, and the unit of numbers. */
function questionHeader(q: Question, ctx: FormContext): string {
  const label = renderLabel(q, ctx);
  const unit = q.unit && !label.includes(`(${q.unit})`) ? `(${q.unit})` : '';
  return `${q.seedNo} ${label}${unit}`;
}

/** Numbers stay numbers (so Excel can sum them); everything else as the engine displays it. */
function cellOf(q: Question, value: Survey['answers'][string] | undefined): RawCell {
  if (value === undefined) return '';
  if (typeof value === 'number') return value;
  return formatValue(q, value);
}

/** Who filled a survey, as people know them (their Telegram name), by person id. */
export type InspectorNames = ReadonlyMap<string, string>;

const baseContext = (campaign: Campaign): FormContext => ({
  povertyLine: campaign.povertyLine,
  year: campaign.year,
  incomeCutoff: campaign.incomeCutoff,
});

/** The header of one kind of survey's table: who and when, the current form's questions, flags. */
export function rawHeader(campaign: Campaign, kind: SurveyKind): string[] {
  const current: FormDef = forms[kind]!;
  return [
    ...RAW_META_HEADER,
    ...current.questions.map((q) => questionHeader(q, baseContext(campaign))),
    '提示标记',
    '确认说明',
    ...(needsEvidence(kind) ? RAW_EVIDENCE_HEADER : []),
  ];
}

/** One survey's row under rawHeader(kind). */
export function rawRow(campaign: Campaign, s: Survey, names: InspectorNames = new Map()): RawCell[] {
  const current: FormDef = forms[s.kind]!;
  const form = formById(s.formId, s.formVersion) ?? current;
  const ctx = contextFor(campaign, s);
  // Flags are recomputed, like 表4, so raw data and tables agree under the current poverty line.
  const flagIds = computeFlags(form, ctx, s.answers);
  const flags = form.flags.filter((f) => flagIds.includes(f.id)).map((f) => f.label);
  const confirmations = Object.entries(s.confirmations).map(([qid, c]) => {
    const q = form.questions.find((x) => x.id === qid);
    return `${q ? renderLabel(q, ctx) : qid}:${c.reason ?? '已确认'}`;
  });
  return [
    s.id,
    townById(campaign, s.townId)?.name ?? s.townId,
    s.villageId ? (villageById(campaign, s.villageId)?.name ?? s.villageId) : '',
    s.householdId ?? '',
    (s.groupId
      ? campaign.groups.find((g) => g.id === s.groupId)?.name
      : groupForTown(campaign, s.townId)?.name) ?? '',
    s.inspectorId,
    names.get(s.inspectorId) ?? '',
    STATUS_LABELS[s.status],
    `${s.formId} v${s.formVersion}`,
    localDateTime(s.createdAt, campaign.timeZone),
    localDateTime(s.submittedAt, campaign.timeZone),
    localDateTime(s.updatedAt, campaign.timeZone),
    ...current.questions.map((q) => cellOf(form.questions.find((x) => x.id === q.id) ?? q, s.answers[q.id])),
    flags.join('、'),
    confirmations.join(';'),
    ...(needsEvidence(s.kind) ? evidenceCells(campaign, s) : []),
  ];
}

const byPlace = (a: Survey, b: Survey) =>
  a.townId + (a.villageId ?? '') + a.id < b.townId + (b.villageId ?? '') + b.id ? -1 : 1;

/** The visit's evidence in raw data: photo count, where it was sent from, its flags and reasons. */
export const RAW_EVIDENCE_HEADER = ['照片数', '纬度', '经度', '距村(公里)', '证据标记', '证据说明'] as const;

function evidenceCells(campaign: Campaign, s: Survey): RawCell[] {
  const e = s.evidence;
  const loc = e?.location;
  // Recomputed like the other flags, so a changed radius or minimum shows in the next export.
  const flags = evidenceFlags(campaign, s.kind, e).map((f) => evidenceFlagText(f, e));
  return [
    e?.photos.length ?? 0,
    loc ? loc.lat : '',
    loc ? loc.lon : '',
    loc?.distanceKm ?? '',
    flags.join('、'),
    evidenceReasons(e).join(';'),
  ];
}

export const EVIDENCE_SHEET = '现场照片';
export const EVIDENCE_SHEET_HEADER = [
  '问卷编号',
  '镇',
  '村',
  '农户编号',
  '序号',
  '发送时间',
  '关联题目',
  '说明',
  '发送人',
  '大小(KB)',
  '存档文件',
] as const;

/**
 * One row per photo (survey → photos, with time, the question it was sent under and its caption),
 * and a row for each survey without photos saying why. The files themselves are exported to
 * folders by `npm run evidence -- export` (the last column names each one's path there).
 */
export function evidenceTable(
  campaign: Campaign,
  surveys: readonly Survey[],
  names: InspectorNames = new Map(),
): RawCell[][] {
  return surveys
    .filter((s) => needsEvidence(s.kind) && s.status !== 'draft')
    .sort(byPlace)
    .flatMap((s) => evidenceRows(campaign, s, names));
}

/** One survey's rows of the evidence sheet: one per photo, or one saying why there is none. */
function evidenceRows(campaign: Campaign, s: Survey, names: InspectorNames): RawCell[][] {
  const place = [
    s.id,
    townById(campaign, s.townId)?.name ?? s.townId,
    s.villageId ? (villageById(campaign, s.villageId)?.name ?? s.villageId) : '',
    s.householdId ?? '',
  ];
  const photos = s.evidence?.photos ?? [];
  if (photos.length === 0)
    return [[...place, '', '', '', evidenceReasons(s.evidence)[0] ?? '无照片', '', '', '']];
  const form = formById(s.formId, s.formVersion) ?? forms[s.kind]!;
  const ctx = contextFor(campaign, s);
  return photos.map((p, i) => {
    const q = form.questions.find((x) => x.id === p.questionId);
    return [
      ...place,
      i + 1,
      localDateTime(p.at, campaign.timeZone),
      q ? `${q.seedNo} ${renderLabel(q, ctx)}` : '整份问卷',
      p.caption ?? '',
      names.get(p.by) ?? p.by,
      Math.round(p.size / 102.4) / 10,
      archivePath(campaign, s, p.key),
    ];
  });
}

const BOM = '\ufeff';

/**
 * One CSV field: quoted when it holds a comma, a quote or a line break. A text that Excel or WPS
 * would run as a formula (starting with = + - @, a tab or a carriage return: a list's name
 * `=HYPERLINK(…)`, an answer `=1+2`) gets a leading apostrophe, as OWASP advises, so it opens as
 * the text it is. Numbers are written as numbers (a negative number stays one).
 */
export function csvField(v: RawCell): string {
  if (typeof v === 'number') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

// ---------------------------------------------------------------------------------------------
// Streaming (ARCHITECTURE.md "Scale"): the raw data of a province, in bounded memory

/**
 * Where the streaming writers read surveys from: pages (a village's surveys of one kind, say) in
 * the order they are to be written, and the inspectors' names of a page.
 */
export interface SurveyPages {
  /** The kinds with a sheet (household and village always; office when there is one). */
  kinds: readonly SurveyKind[];
  pages(kind: SurveyKind): AsyncIterable<readonly Survey[]>;
  names(page: readonly Survey[]): Promise<InspectorNames>;
}

const RAW_WIDTH = (header: readonly string[]) =>
  header.map((h, i) =>
    i === 0 ? 22 : i < RAW_META_HEADER.length ? 12 : Math.min(30, Math.max(10, h.length)),
  );

/**
 * The raw workbook written to `out` as it is read, page by page (exceljs's streaming writer: each
 * row is committed and leaves memory), one sheet per kind, then the evidence sheet. Memory holds a
 * page, not the campaign. Frozen header rows and an autofilter; the sheets are for filtering, not
 * for printing.
 */
export async function writeRawWorkbook(
  campaign: Campaign,
  source: SurveyPages,
  out: Writable,
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = campaign.office.name;
  const sheet = (name: string, header: readonly string[], widths: readonly number[]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = widths.map((width) => ({ width }));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: header.length } };
    const head = ws.addRow([...header]);
    head.font = { name: FONT, bold: true };
    head.commit();
    return ws;
  };
  for (const kind of source.kinds) {
    const header = rawHeader(campaign, kind);
    const ws = sheet(RAW_SHEET_NAMES[kind], header, RAW_WIDTH(header));
    for await (const page of source.pages(kind)) {
      const names = await source.names(page);
      for (const s of [...page].sort(byPlace)) ws.addRow(rawRow(campaign, s, names)).commit();
    }
    ws.commit();
  }
  const ws = sheet(EVIDENCE_SHEET, EVIDENCE_SHEET_HEADER, [22, 10, 10, 12, 6, 16, 28, 20, 10, 9, 40]);
  for (const kind of source.kinds.filter(needsEvidence)) {
    for await (const page of source.pages(kind)) {
      const names = await source.names(page);
      for (const s of [...page].sort(byPlace))
        if (s.status !== 'draft') for (const row of evidenceRows(campaign, s, names)) ws.addRow(row).commit();
    }
  }
  ws.commit();
  await wb.commit();
}

/** CSV of one kind of survey written to `out` page by page (UTF-8 with BOM, CRLF). */
export async function writeRawCsv(
  campaign: Campaign,
  source: SurveyPages,
  kind: SurveyKind,
  out: Writable,
): Promise<void> {
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(text)) resolve();
      else {
        out.once('drain', resolve);
        out.once('error', reject);
      }
    });
  await write(`${BOM}${rawHeader(campaign, kind).map(csvField).join(',')}\r\n`);
  for await (const page of source.pages(kind)) {
    const names = await source.names(page);
    const lines = [...page]
      .sort(byPlace)
      .map((s) => `${rawRow(campaign, s, names).map(csvField).join(',')}\r\n`);
    await write(lines.join(''));
  }
}
