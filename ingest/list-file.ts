// Reads a household list file as towns actually produce it (XLSX, or CSV saved by Chinese Excel/WPS
// in GBK/GB18030, UTF-8 with or without BOM, or "Unicode text" UTF-16) into a table of strings for
// domain/household-list. Row i of the result is spreadsheet row i + 1, blank rows included, so
// error messages point at the line the town sees.

import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type ListFileErrorCode =
  | 'xls_unsupported'
  | 'unreadable_xlsx'
  | 'no_worksheet'
  | 'unreadable_csv'
  | 'empty_file';

const messages = {
  xls_unsupported:
    '不支持旧版 Excel(.xls)文件。请在 Excel 或 WPS 中打开,选择“另存为”,保存为 Excel 工作簿(.xlsx)或 CSV(逗号分隔)后重新上传',
  unreadable_xlsx:
    '无法读取该 .xlsx 文件,文件可能已损坏或并非 Excel 工作簿。请重新另存为 .xlsx 或 CSV 后上传',
  no_worksheet: '该 Excel 文件中没有工作表',
  unreadable_csv: (line: number | undefined) =>
    `无法读取该 CSV 文件${line ? `(第${line}行附近格式有误)` : ''}。请在 Excel 或 WPS 中另存为 CSV(逗号分隔)后重新上传`,
  empty_file: '文件是空的',
};

/** A file we cannot turn into rows; `message` is Chinese and can be shown to the uploader as is. */
export class ListFileError extends Error {
  override readonly name = 'ListFileError';
  constructor(
    readonly code: ListFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\x03\x04: XLSX is a ZIP package
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]; // legacy .xls / WPS .et
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/** Rows of the first worksheet (XLSX) or of the CSV, each cell as trimmed text. */
export async function readListFile(bytes: Uint8Array, fileName: string): Promise<string[][]> {
  if (bytes.length === 0) throw new ListFileError('empty_file', messages.empty_file);
  const lowerName = fileName.toLowerCase();
  // Content wins over the name: towns rename files; the magic bytes do not lie.
  if (startsWith(bytes, OLE_MAGIC)) throw new ListFileError('xls_unsupported', messages.xls_unsupported);
  if (startsWith(bytes, ZIP_MAGIC)) return readXlsx(bytes);
  if (lowerName.endsWith('.xlsx')) throw new ListFileError('unreadable_xlsx', messages.unreadable_xlsx);
  // Some systems export an HTML table named .xls; it is no more readable than a real one.
  if (lowerName.endsWith('.xls') || lowerName.endsWith('.et')) {
    throw new ListFileError('xls_unsupported', messages.xls_unsupported);
  }
  return readCsv(bytes);
}

async function readXlsx(bytes: Uint8Array): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // A copy as ArrayBuffer: exceljs hands it to JSZip, which accepts it, and typings expect one.
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    await workbook.xlsx.load(data);
  } catch (cause) {
    throw new ListFileError('unreadable_xlsx', messages.unreadable_xlsx, { cause });
  }
  // The first sheet by position, not by id: ids survive sheet reordering, positions are what users see.
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ListFileError('no_worksheet', messages.no_worksheet);
  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellToText(row.getCell(c).value).trim());
    rows.push(trimTrailingEmpty(cells));
  }
  return rows;
}

/** Cell text as the user sees it: numbers as digits (ids typed as numbers), rich text flattened. */
function cellToText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? numberToText(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return v.richText.map((part: { text?: unknown }) => cellToText(part.text)).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellToText(v.result);
    if ('text' in v) return cellToText(v.text); // hyperlink
    if (typeof v.error === 'string') return v.error;
  }
  return '';
}

/** Integers without exponent (long household ids), other numbers as JavaScript prints them. */
function numberToText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
}

function trimTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  return cells.slice(0, end);
}

function decodeText(bytes: Uint8Array): string {
  if (startsWith(bytes, UTF8_BOM)) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  // Excel's "Unicode text" export is UTF-16 with a BOM (and tab-separated).
  if (startsWith(bytes, UTF16LE_BOM)) return iconv.decode(bytes.subarray(2), 'utf-16le');
  if (startsWith(bytes, UTF16BE_BOM)) return iconv.decode(bytes.subarray(2), 'utf-16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: Chinese Excel/WPS saves CSV in the system code page. GB18030 is a superset of GBK/GB2312.
    return iconv.decode(bytes, 'gb18030');
  }
}

/** Tab when the first line has tabs and no commas (Unicode-text exports), comma otherwise. */
function detectDelimiter(text: string): ',' | '\t' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/u));
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
}

function readCsv(bytes: Uint8Array): string[][] {
  const text = decodeText(bytes);
  try {
    const records: string[][] = parse(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      // Keep blank lines so record i stays spreadsheet row i + 1; the domain skips them.
      skip_empty_lines: false,
    });
    return records.map(trimTrailingEmpty);
  } catch (cause) {
    // csv-parse errors carry the line they stopped at; its English text stays in `cause` for logs.
    const line = (cause as { lines?: unknown }).lines;
    throw new ListFileError(
      'unreadable_csv',
      messages.unreadable_csv(typeof line === 'number' ? line : undefined),
      {
        cause,
      },
    );
  }
}
