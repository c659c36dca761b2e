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

const MARGINS = { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 };

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
      fitToHeight: 0, // as many pages down as needed; manual row breaks still apply
      horizontalCentered: true,
      margins: MARGINS,
      // Each sheet is a table of its own and numbers its pages from 1: without this, printing the
      // workbook numbers the pages on through every sheet.
      firstPageNumber: 1,
    },
    headerFooter: { oddFooter: '&C第 &P 页,共 &N 页' },
    views: [{ state: 'frozen', ySplit: opts.headerRow }],
  });
  ws.pageSetup.printTitlesRow = `${opts.headerRow}:${opts.headerRow}`;
  // exceljs cannot change the workbook's default font (its Normal style is always Calibri 11), so
  // 宋体 is set on every column (cells created later, and empty cells when printed, take it) and on
  // every cell written (title, header and body helpers below).
  ws.columns = widths.map((width) => ({ width, style: { font: { name: FONT, size: 10.5 } } }));
  return ws;
}

// ---------------------------------------------------------------------------------------------
// Pagination
//
// A viewer breaks pages where it likes, and a 类别 cell merged over rows that cross a break prints
// its label on the first page only. So the summary sheets carry every page break themselves, as
// manual row breaks: rows go onto a page while they fit, a group of rows sharing a label moves
// whole to the next page when it would cross a break, and a group taller than a page repeats its
// label on each page it continues on. That needs the rows a page holds, estimated from the row
// heights (every row written has an explicit height) and the page setup:
//
// - the sheet is fitted to one page wide, so it prints at scale = printable width / sheet width;
// - Excel's column unit is the width of a digit of the workbook's Normal font, Calibri 11: 7 px
//   (+5 px of cell padding) at 96 dpi. A viewer without Calibri substitutes a wider font (LibreOffice
//   on Linux without Carlito: ~9 px), which only shrinks the print and leaves room on each page;
//   nothing narrower is substituted, so the estimate never puts more on a page than it holds;
// - a page holds (paper height - top and bottom margins) / scale points of rows (the footer
//   prints inside the bottom margin), less 5% for rounding (Excel rounds the scale down to a
//   whole percent, row heights to pixels).
// Because no page is filled beyond what it holds, the viewer adds no break of its own, and the
// page count is known: the footer states it (see finishPages).

const PAPER = { portrait: [595.3, 841.9], landscape: [841.9, 595.3] } as const;
const COLUMN_PX = (chars: number) => chars * 7 + 5;
const DEFAULT_ROW_HEIGHT = 15;

/** The points of rows (as the sheet states their heights) one printed page holds. */
export function pageCapacity(ws: ExcelJS.Worksheet): number {
  const [paperWidth, paperHeight] =
    PAPER[ws.pageSetup.orientation === 'landscape' ? 'landscape' : 'portrait'];
  const m = ws.pageSetup.margins ?? MARGINS;
  const printableWidth = paperWidth - (m.left + m.right) * 72;
  const printableHeight = paperHeight - (m.top + m.bottom) * 72;
  const sheetWidth = columnWidths(ws).reduce((sum, w) => sum + COLUMN_PX(w) * 0.75, 0);
  const scale = Math.min(1, printableWidth / sheetWidth);
  return (printableHeight / scale) * 0.95;
}

/** Rows that print together: a 类别 group, a 表3 category, the closing lines. */
export interface KeepTogether {
  first: number;
  last: number;
  /**
   * The group is taller than a page and continues on a new page at `row`: make its label visible
   * there (the row's height may grow; it is read again after the call).
   */
  continueAt?: (row: number) => void;
}

const heightOf = (ws: ExcelJS.Worksheet, row: number) => ws.getRow(row).height ?? DEFAULT_ROW_HEIGHT;

/**
 * Puts a manual page break wherever a page fills up (see above), keeping each group on one page
 * when it fits on one. Rows up to `headerRow` print on the first page; the header row repeats on
 * every page. Returns the page count.
 */
export function paginate(
  ws: ExcelJS.Worksheet,
  headerRow: number,
  groups: readonly KeepTogether[],
  capacity = pageCapacity(ws),
): number {
  const repeated = heightOf(ws, headerRow);
  let used = 0;
  for (let r = 1; r <= headerRow; r++) used += heightOf(ws, r);
  let pages = 1;
  let rowsOnPage = 0;
  const newPageAt = (row: number) => {
    ws.getRow(row - 1).addPageBreak();
    pages++;
    used = repeated;
    rowsOnPage = 0;
  };
  const place = (row: number) => {
    used += heightOf(ws, row);
    rowsOnPage++;
  };
  const startingAt = new Map(groups.map((g) => [g.first, g]));
  const lastRow = ws.rowCount;
  let r = headerRow + 1;
  while (r <= lastRow) {
    const g = startingAt.get(r);
    if (!g) {
      if (rowsOnPage > 0 && used + heightOf(ws, r) > capacity) newPageAt(r);
      place(r++);
      continue;
    }
    let height = 0;
    for (let k = g.first; k <= g.last; k++) height += heightOf(ws, k);
    const tall = repeated + height > capacity;
    // A group that fits on a page starts a new one rather than cross a break; one taller than a
    // page does too when little of this page is left, so that its first part is not a sliver.
    if (rowsOnPage > 0 && used + height > capacity && (!tall || capacity - used < capacity / 3)) newPageAt(r);
    if (used + height <= capacity) {
      for (let k = g.first; k <= g.last; k++) place(k);
    } else {
      // Taller than a page: it fills this page and continues, its label repeated, on the next.
      for (let k = g.first; k <= g.last; k++) {
        if (rowsOnPage > 0 && used + heightOf(ws, k) > capacity) {
          newPageAt(k);
          if (k > g.first) g.continueAt?.(k);
        }
        place(k);
      }
    }
    r = g.last + 1;
  }
  return pages;
}

/**
 * Paginates the sheet and writes its footer: 第 n 页 共 N 页, numbered within the sheet. N is the
 * count paginate() made, not &N: LibreOffice's &N counts the pages of the whole workbook even when
 * each sheet numbers its own pages from 1.
 */
export function finishPages(
  ws: ExcelJS.Worksheet,
  headerRow: number,
  groups: readonly KeepTogether[],
): number {
  const pages = paginate(ws, headerRow, groups);
  ws.headerFooter.oddFooter = `&C第 &P 页 共 ${pages} 页`;
  return pages;
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

export function columnWidths(ws: ExcelJS.Worksheet): number[] {
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

// Local times are written as the campaign's clock shows them (domain/campaign.ts).
export { localDateTime } from '../domain/campaign';
