// Print-ready sheet helpers shared by the summary and raw-data workbooks: A4, fit to one page wide,
// thin borders, wrapped text, a repeated header row, and row heights estimated from the text (the
// heights a viewer would compute are not stored in the file, and LibreOffice's PDF export and some
// viewers keep the default height, cutting wrapped Chinese text).

import type ExcelJS from 'exceljs';

export const FONT = '宋体';
const THIN: Partial<ExcelJS.Border> = { style: 'thin' };
export const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

export interface PrintOptions {
  orientation: 'portrait' | 'landscape';
  /** 1-based row number of the column header, repeated on every printed page. */
  headerRow: number;
}

export function addPrintableSheet(
  wb: ExcelJS.Workbook,
  name: string,
  widths: readonly number[],
  opts: PrintOptions,
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(safeSheetName(wb, name), {
    pageSetup: {
      paperSize: 9 as ExcelJS.PaperSize, // A4
      orientation: opts.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages down as needed
      horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页,共 &N 页' },
    views: [{ state: 'frozen', ySplit: opts.headerRow }],
  });
  ws.pageSetup.printTitlesRow = `${opts.headerRow}:${opts.headerRow}`;
  ws.columns = widths.map((width) => ({ width }));
  return ws;
}

/** Excel forbids []:*?/\ in sheet names, limits them to 31 characters and wants them unique. */
export function safeSheetName(wb: ExcelJS.Workbook, name: string): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
  let candidate = base;
  for (let i = 2; wb.getWorksheet(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  return candidate;
}

/** A merged line across `columns` (title, 督查镇名称 line, notes). */
export function mergedLine(
  ws: ExcelJS.Worksheet,
  row: number,
  columns: number,
  text: string,
  style: { size?: number; bold?: boolean; align?: 'center' | 'left' } = {},
): void {
  ws.mergeCells(row, 1, row, columns);
  const cell = ws.getCell(row, 1);
  cell.value = text;
  cell.font = { name: FONT, size: style.size ?? 11, bold: style.bold ?? false };
  cell.alignment = { horizontal: style.align ?? 'left', vertical: 'middle', wrapText: true };
  const totalWidth = columnWidths(ws).reduce((a, b) => a + b, 0);
  ws.getRow(row).height = Math.max(
    heightFor([text], [totalWidth], style.size ?? 11),
    (style.size ?? 11) * 1.8,
  );
}

/** A bordered header row. */
export function headerRow(ws: ExcelJS.Worksheet, row: number, labels: readonly string[]): void {
  const r = ws.getRow(row);
  labels.forEach((label, i) => {
    const cell = r.getCell(i + 1);
    cell.value = label;
    cell.font = { name: FONT, size: 11, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
  });
  r.height = heightFor(labels, columnWidths(ws), 11);
}

export type CellValue = string | number | null | undefined;

/** A bordered body row; `align` per column (default left), `indent` for "其中" rows. */
export function bodyRow(
  ws: ExcelJS.Worksheet,
  row: number,
  values: readonly CellValue[],
  opts: {
    align?: readonly ('left' | 'center' | 'right')[];
    bold?: boolean;
    indent?: readonly number[];
    /** Columns left out of the height estimate: a cell merged down over several rows. */
    unmeasured?: readonly number[];
  } = {},
): ExcelJS.Row {
  const r = ws.getRow(row);
  values.forEach((v, i) => {
    const cell = r.getCell(i + 1);
    cell.value = v === null || v === undefined ? '' : v;
    cell.font = { name: FONT, size: 10.5, bold: opts.bold ?? false };
    cell.alignment = {
      horizontal: opts.align?.[i] ?? 'left',
      vertical: 'middle',
      wrapText: true,
      indent: opts.indent?.[i] ?? 0,
    };
    cell.border = BORDER;
  });
  r.height = heightFor(
    values.map((v, i) => (v === null || v === undefined || opts.unmeasured?.includes(i) ? '' : String(v))),
    columnWidths(ws),
    10.5,
  );
  return r;
}

function columnWidths(ws: ExcelJS.Worksheet): number[] {
  return ws.columns.map((c) => c.width ?? 10);
}

/** Display width in Excel character units: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

/** Points needed for the tallest wrapped cell of a row. */
export function heightFor(texts: readonly string[], widths: readonly number[], fontSize: number): number {
  let lines = 1;
  texts.forEach((t, i) => {
    const width = Math.max(1, (widths[i] ?? 10) - 1);
    const n = t
      .split('\n')
      .reduce((sum, part) => sum + Math.max(1, Math.ceil(displayWidth(part) / width)), 0);
    lines = Math.max(lines, n);
  });
  return Math.ceil(lines * fontSize * 1.45 + 6);
}

export async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `YYYY-MM-DD HH:mm` of an instant on a clock in `timeZone`. */
export function localDateTime(instant: string | undefined, timeZone: string): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  const parts = formatterIn(timeZone).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/**
 * One formatter per time zone: building an Intl.DateTimeFormat costs ~0.5 ms, and the raw export
 * formats a few instants per survey (it was most of the CPU of exporting 3,000 surveys).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterIn(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}
