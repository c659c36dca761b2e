// Raw data: one row per survey, one column per question headed by its Chinese label, answers as
// people read them (choice labels, not codes), flags as Chinese labels, who and when. As a
// workbook (one sheet per form) and as CSV in UTF-8 with a BOM, without which Excel on Chinese
// Windows reads UTF-8 as GBK and shows mojibake.

import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type Campaign, groupForTown, townById, villageById } from '../domain/campaign';
import { choicesOf, computeFlags, formatValue, renderLabel } from '../domain/engine';
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
import {
  optionColumnId,
  RAW_EVIDENCE_COLUMNS,
  RAW_META_COLUMNS,
  RAW_TRAILING_COLUMNS,
} from '../domain/raw-columns';
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

export {
  optionColumnId,
  RAW_EVIDENCE_COLUMNS,
  RAW_META_COLUMNS,
  RAW_TRAILING_COLUMNS,
} from '../domain/raw-columns';

export const RAW_META_HEADER = RAW_META_COLUMNS.map(([, label]) => label);
export const RAW_EVIDENCE_HEADER = RAW_EVIDENCE_COLUMNS.map(([, label]) => label);
/** The meta columns that hold instants (real dates in the workbook). */
const TIME_COLUMNS = new Set(['createdAt', 'submittedAt', 'updatedAt']);

/** A cell: text, a number, or an instant shown as a local date and time. */
export type RawCell = string | number | LocalTime;

/** An instant as the campaign's clock showed it (wall-clock fields, no zone: what Excel keeps). */
export class LocalTime {
  constructor(readonly wall: Date) {}
  /** 2017-10-31 10:00 */
  toString(): string {
    return this.wall.toISOString().slice(0, 16).replace('T', ' ');
  }
}

function localTime(instant: string | undefined, timeZone: string): RawCell {
  const text = localDateTime(instant, timeZone);
  return text ? new LocalTime(new Date(`${text.replace(' ', 'T')}:00Z`)) : '';
}

export interface RawOptions {
  /** Choice ids instead of their labels (Kobo's "XML values"), for analysts' tools. */
  values?: boolean;
}

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
function cellOf(q: Question, value: Survey['answers'][string] | undefined, opts: RawOptions): RawCell {
  if (value === undefined) return '';
  if (typeof value === 'number') return value;
  // Choice ids of a multi-select space-separated, as KoboToolbox writes them; a list of names
  // with 、, the one separator a name never holds (the import splits there, never at spaces).
  if (opts.values) return Array.isArray(value) ? value.join(q.type === 'multi' ? ' ' : '、') : value;
  return formatValue(q, value);
}

/** Who filled a survey, as people know them (their Telegram name), by person id. */
export type InspectorNames = ReadonlyMap<string, string>;

const baseContext = (campaign: Campaign): FormContext => ({
  povertyLine: campaign.povertyLine,
  year: campaign.year,
  incomeCutoff: campaign.incomeCutoff,
});

/** A column of one kind of survey's table: its id, its label, and each survey's cell. */
interface RawColumn {
  id: string;
  label: string;
  /** Questions' columns (the joined answer and its options' 0/1 columns) carry the question. */
  question?: Question;
  choice?: string;
}

/**
 * The columns of one kind of survey's table: who and when, the current form's questions (a
 * multi-select's joined answer followed by one 0/1 column per option, as KoboToolbox exports
 * them), flags, and the visit's evidence.
 */
export function rawColumns(campaign: Campaign, kind: SurveyKind): RawColumn[] {
  const current: FormDef = forms[kind]!;
  const ctx = baseContext(campaign);
  return [
    ...RAW_META_COLUMNS.map(([id, label]) => ({ id, label })),
    ...current.questions.flatMap((q) => [
      { id: q.id, label: questionHeader(q, ctx), question: q },
      ...(q.type === 'multi'
        ? choicesOf(q).map((c) => ({
            id: optionColumnId(q.id, c.id),
            label: `${q.seedNo} ${c.label}`,
            question: q,
            choice: c.id,
          }))
        : []),
    ]),
    ...RAW_TRAILING_COLUMNS.map(([id, label]) => ({ id, label })),
    ...(needsEvidence(kind) ? RAW_EVIDENCE_COLUMNS.map(([id, label]) => ({ id, label })) : []),
  ];
}

/** The header people read (the workbook's second row, the CSV's first). */
export function rawHeader(campaign: Campaign, kind: SurveyKind): string[] {
  return rawColumns(campaign, kind).map((c) => c.label);
}

/** One survey's row under rawColumns(kind). */
export function rawRow(
  campaign: Campaign,
  s: Survey,
  names: InspectorNames = new Map(),
  opts: RawOptions = {},
): RawCell[] {
  const form = formById(s.formId, s.formVersion) ?? forms[s.kind]!;
  const ctx = contextFor(campaign, s);
  // Flags are recomputed, like 表4, so raw data and tables agree under the current poverty line.
  const flagIds = computeFlags(form, ctx, s.answers);
  const flags = form.flags.filter((f) => flagIds.includes(f.id)).map((f) => f.label);
  const confirmations = Object.entries(s.confirmations).map(([qid, c]) => {
    const q = form.questions.find((x) => x.id === qid);
    return `${q ? renderLabel(q, ctx) : qid}:${c.reason ?? '已确认'}`;
  });
  const meta: Record<(typeof RAW_META_COLUMNS)[number][0], RawCell> = {
    surveyId: s.id,
    town: townById(campaign, s.townId)?.name ?? s.townId,
    village: s.villageId ? (villageById(campaign, s.villageId)?.name ?? s.villageId) : '',
    villageId: s.villageId ?? '',
    householdId: s.householdId ?? '',
    group:
      (s.groupId
        ? campaign.groups.find((g) => g.id === s.groupId)?.name
        : groupForTown(campaign, s.townId)?.name) ?? '',
    inspectorId: s.inspectorId,
    inspector: names.get(s.inspectorId) ?? '',
    status: STATUS_LABELS[s.status],
    formVersion: `${s.formId} v${s.formVersion}`,
    createdAt: localTime(s.createdAt, campaign.timeZone),
    submittedAt: localTime(s.submittedAt, campaign.timeZone),
    updatedAt: localTime(s.updatedAt, campaign.timeZone),
    version: s.version,
  };
  const trailing: RawCell[] = [
    flags.join('、'),
    confirmations.join(';'),
    ...(needsEvidence(s.kind) ? evidenceCells(campaign, s) : []),
  ];
  let t = 0;
  return rawColumns(campaign, s.kind).map((c) => {
    if (c.id in meta) return meta[c.id as keyof typeof meta];
    if (c.question) {
      const q = form.questions.find((x) => x.id === c.question!.id) ?? c.question;
      const value = s.answers[q.id];
      if (c.choice === undefined) return cellOf(q, value, opts);
      if (value === undefined) return '';
      return Array.isArray(value) && value.includes(c.choice) ? 1 : 0;
    }
    return trailing[t++] ?? '';
  });
}

const byPlace = (a: Survey, b: Survey) =>
  a.townId + (a.villageId ?? '') + a.id < b.townId + (b.villageId ?? '') + b.id ? -1 : 1;

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
      localTime(p.at, campaign.timeZone),
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
 * the text it is. Numbers are written as numbers (a negative number stays one); a local time as
 * 2017-10-31 10:00.
 */
export function csvField(v: RawCell): string {
  if (typeof v === 'number') return String(v);
  const text = String(v);
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * An id of digits only, as Excel must keep it: opened from a CSV, 450681010123456789 becomes
 * 4.50681E+17 and its last digits are lost for good (Excel keeps 15). `="…"` is the one way a CSV
 * says "text" to Excel and WPS; it is written only by us, around digits, so it runs nothing else.
 */
export function csvId(id: string): string {
  return /^\d{12,}$/.test(id) ? `="${id}"` : csvField(id);
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

const widthOf = (c: RawColumn, i: number) =>
  i === 0
    ? 22
    : TIME_COLUMNS.has(c.id)
      ? 16
      : i < RAW_META_COLUMNS.length
        ? 12
        : c.choice !== undefined
          ? 8
          : Math.min(30, Math.max(10, c.label.length));

/** Excel's number format for the local times (a real date: filters by year, month and day work). */
const TIME_FORMAT = 'yyyy-mm-dd hh:mm';

const cellValue = (v: RawCell): string | number | Date => (v instanceof LocalTime ? v.wall : v);

/**
 * The raw workbook written to `out` as it is read, page by page (exceljs's streaming writer: each
 * row is committed and leaves memory), one sheet per kind, then the evidence sheet. Memory holds a
 * page, not the campaign. Two header rows, as KoboToolbox's: the first holds the column ids (the
 * question ids `npm run import` reads back), the second what people read; both frozen, with an
 * autofilter on the second. The sheets are for filtering and correcting, not for printing: fit to
 * one page wide if someone prints one anyway.
 */
export async function writeRawWorkbook(
  campaign: Campaign,
  source: SurveyPages,
  out: Writable,
  opts: RawOptions = {},
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = campaign.office.name;
  const sheet = (name: string, columns: readonly Pick<RawColumn, 'id' | 'label'>[], widths: number[]) => {
    const twoRows = columns.some((c) => c.id !== '');
    const ws = wb.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: twoRows ? 2 : 1, xSplit: 1 }],
      pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    ws.columns = widths.map((width, i) => ({
      width,
      ...(TIME_COLUMNS.has(columns[i]?.id ?? '') ? { style: { numFmt: TIME_FORMAT } } : {}),
    }));
    const headerRow = twoRows ? 2 : 1;
    ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: columns.length } };
    if (twoRows) {
      const ids = ws.addRow(columns.map((c) => c.id));
      ids.font = { name: FONT, size: 9, color: { argb: 'FF808080' } };
      ids.commit();
    }
    const head = ws.addRow(columns.map((c) => c.label));
    head.font = { name: FONT, bold: true };
    head.commit();
    return ws;
  };
  const addRow = (ws: ExcelJS.Worksheet, cells: readonly RawCell[]) => {
    const row = ws.addRow(cells.map(cellValue));
    cells.forEach((c, i) => {
      if (c instanceof LocalTime) row.getCell(i + 1).numFmt = TIME_FORMAT;
    });
    row.commit();
  };
  for (const kind of source.kinds) {
    const columns = rawColumns(campaign, kind);
    const ws = sheet(RAW_SHEET_NAMES[kind], columns, columns.map(widthOf));
    for await (const page of source.pages(kind)) {
      const names = await source.names(page);
      for (const s of [...page].sort(byPlace)) addRow(ws, rawRow(campaign, s, names, opts));
    }
    ws.commit();
  }
  const ws = sheet(
    EVIDENCE_SHEET,
    EVIDENCE_SHEET_HEADER.map((label) => ({ id: '', label })),
    [22, 10, 10, 12, 6, 16, 28, 20, 10, 9, 40],
  );
  for (const kind of source.kinds.filter(needsEvidence)) {
    for await (const page of source.pages(kind)) {
      const names = await source.names(page);
      for (const s of [...page].sort(byPlace))
        if (s.status !== 'draft') for (const row of evidenceRows(campaign, s, names)) addRow(ws, row);
    }
  }
  ws.commit();
  await wb.commit();
}

/**
 * CSV of one kind of survey written to `out` page by page (UTF-8 with BOM, CRLF). By default for
 * Excel and WPS: the labels as header, long digit ids kept as text (csvId). With `values`, for
 * analysts' tools: the column ids as header and choice ids as values, ids as they are.
 */
export async function writeRawCsv(
  campaign: Campaign,
  source: SurveyPages,
  kind: SurveyKind,
  out: Writable,
  opts: RawOptions = {},
): Promise<void> {
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(text)) resolve();
      else {
        out.once('drain', resolve);
        out.once('error', reject);
      }
    });
  const columns = rawColumns(campaign, kind);
  const idColumns = new Set(['surveyId', 'villageId', 'householdId', 'inspectorId']);
  const field = (v: RawCell, i: number) =>
    !opts.values && idColumns.has(columns[i]?.id ?? '') && typeof v === 'string' ? csvId(v) : csvField(v);
  const header = columns.map((c) => (opts.values ? c.id : c.label));
  await write(`${BOM}${header.map(csvField).join(',')}\r\n`);
  for await (const page of source.pages(kind)) {
    const names = await source.names(page);
    const lines = [...page]
      .sort(byPlace)
      .map((s) => `${rawRow(campaign, s, names, opts).map(field).join(',')}\r\n`);
    await write(lines.join(''));
  }
}
