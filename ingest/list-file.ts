// Reads a household list file as towns actually produce it (XLSX, or CSV saved by Chinese Excel/WPS
// in GBK/GB18030, UTF-8 with or without BOM, or "Unicode text" UTF-16) into a table of strings for
// domain/household-list. Row i of the result is spreadsheet row i + 1, blank rows included (trailing
// blank rows are dropped), so error messages point at the line the town sees.
//
// The bytes come from a chat upload, so nothing in them is trusted (DOMAIN.md §2):
// - the file is recognised from its content, never its name: a picture, a PDF, a Word file or an
//   archive is named for what it is instead of being parsed as CSV;
// - parsing is bounded before the sheet is read: the ZIP central directory is read by hand, declared
//   and real uncompressed sizes are capped (every entry we read is inflated with a hard output cap,
//   so a forged size cannot get past), and rows, columns and cells are capped. exceljs then reads a
//   re-packed copy holding only the cells that passed those checks, so no part of an XLSX that we
//   did not measure (merged ranges, data validations, drawings, styled cells out at column XFD …)
//   ever reaches it.
//
// exceljs is imported when an XLSX arrives, not with this module: the webhook's bundle holds this
// file (the bot names ListFileError), and a CSV, a refused file or an answer never needs exceljs.

import { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { ListFileError, type ListFileErrorCode } from './list-file-error';

export { ListFileError, type ListFileErrorCode } from './list-file-error';

/** Bounds on what a list file may hold; a village has at most 20,000 households (DOMAIN.md §2). */
export const LIST_FILE_LIMITS = {
  /** Bytes of the uploaded file (the chat already refuses more than 5 MB). */
  maxFileBytes: 16 * 1024 * 1024,
  /** Sum of uncompressed sizes of an XLSX's parts, declared and real. */
  maxUncompressedBytes: 64 * 1024 * 1024,
  /** Parts of an XLSX package; Excel writes a dozen or two. */
  maxZipEntries: 1000,
  /** Uncompressed/compressed ratio refused for a part larger than ratioGraceBytes (cf. Apache POI). */
  maxCompressionRatio: 100,
  ratioGraceBytes: 1024 * 1024,
  /** Non-blank rows: 20,000 households plus header, title and footer rows. */
  maxRows: 20_100,
  /** No content below this row (blank rows between households are allowed, a stray cell far below is not). */
  maxRowNumber: 50_000,
  /** Columns read; a non-empty cell to the right of them is refused, empty ones are ignored. */
  maxColumns: 64,
  /** Non-empty cells read: 20,000 households × 10 columns (a real village has a few thousand households). */
  maxCells: 200_000,
  /** Entries of an XLSX shared-string table (shared by all sheets of the workbook). */
  maxSharedStrings: 1_000_000,
  /** styles.xml beyond this is left out (dates then read as numbers) rather than parsed. */
  maxStylesBytes: 1024 * 1024,
} as const;

const L = LIST_FILE_LIMITS;

const ASK_FOR_LIST = '请发送 Excel(.xlsx)或 CSV 格式的农户名单。';
const SAVE_AS = '选择“另存为”,保存为 Excel 工作簿(.xlsx)或 CSV(逗号分隔)后重新上传';

const messages = {
  xls_unsupported: `不支持旧版 Excel(.xls)文件。请在 Excel 或 WPS 中打开,${SAVE_AS}`,
  xlsb_unsupported: `不支持 Excel 二进制工作簿(.xlsb)。请在 Excel 中打开,${SAVE_AS}`,
  ods_unsupported: `不支持 OpenDocument 表格(.ods)。请在 WPS 或 LibreOffice 中打开,${SAVE_AS}`,
  xml2003_unsupported: `不支持 Excel 2003 XML 表格。请在 Excel 或 WPS 中打开,${SAVE_AS}`,
  encrypted: '该文件设有打开密码,无法读取。请在 Excel 或 WPS 中取消密码(或另存为不加密的 .xlsx)后重新上传',
  notAList: (what: string) => `这是${what},不是名单文件。${ASK_FOR_LIST}`,
  archive: (what: string) =>
    `这是${what},不是名单文件。请解压后,单独发送其中的 Excel(.xlsx)或 CSV 格式的农户名单。`,
  binary: `该文件不是表格或文本文件(内容为二进制数据),不是名单文件。${ASK_FOR_LIST}`,
  fileTooLarge: (bytes: number) =>
    `文件过大(${(bytes / 1024 / 1024).toFixed(1)} MB,上限 ${L.maxFileBytes / 1024 / 1024} MB)。一个村的农户名单通常不到 1 MB,请确认是否发错了文件。`,
  uncompressedTooLarge: `该 Excel 文件解压后超过 ${L.maxUncompressedBytes / 1024 / 1024} MB,超出名单文件的处理上限,已拒绝读取。请只保留名单所在的工作表,另存为 .xlsx 或 CSV 后重新上传。`,
  zipAnomaly:
    '该 Excel 文件内部数据异常(解压后的大小与文件记录不符,或压缩比异常),已拒绝读取。请在 Excel 或 WPS 中打开后重新另存为 .xlsx 再上传。',
  tooManyParts: (n: number) =>
    `该 Excel 文件内部包含 ${n} 个部件,远多于普通表格,已拒绝读取。请只保留名单所在的工作表,另存为 .xlsx 或 CSV 后重新上传。`,
  tooManySharedStrings: `该 Excel 文件中的文字条目过多(超过 ${L.maxSharedStrings} 条),已拒绝读取。请只保留名单所在的工作表,另存为 .xlsx 或 CSV 后重新上传。`,
  tooManyCells: `表格内容过多(超过 ${L.maxCells} 个有内容的单元格)。请只保留户编号、户主姓名、农户类型等需要的列后重新上传。`,
  tooManyRows: `名单行数过多:有内容的行超过 ${L.maxRows} 行(每村最多 20000 户)。请确认文件是否为单个村的名单。`,
  rowTooFar: (row: number) =>
    `表格第${row}行仍有内容,超出名单可读取的范围(前 ${L.maxRowNumber} 行)。请删除多余内容后重新上传。`,
  tooManyColumns: (row: number, column: number) =>
    `表格第${row}行第${column}列(${columnLetters(column)}列)有内容;名单只读取前 ${L.maxColumns} 列(A–${columnLetters(L.maxColumns)}列)。请删除多余的列或内容后重新上传。`,
  lineTooLong: (line: number | undefined) =>
    `该 CSV 文件${line ? `第${line}行` : '中有一行'}内容过长,不像是农户名单。请在 Excel 或 WPS 中另存为 CSV(逗号分隔)后重新上传`,
  unreadable_xlsx:
    '无法读取该 .xlsx 文件,文件可能已损坏或并非 Excel 工作簿。请重新另存为 .xlsx 或 CSV 后上传',
  no_worksheet: '该 Excel 文件中没有工作表',
  unreadable_csv: (line: number | undefined) =>
    `无法读取该 CSV 文件${line ? `(第${line}行附近格式有误)` : ''}。请在 Excel 或 WPS 中另存为 CSV(逗号分隔)后重新上传`,
  empty_file: '文件是空的',
};

const fail = (code: ListFileErrorCode, message: string, cause?: unknown): never => {
  throw new ListFileError(code, message, cause === undefined ? undefined : { cause });
};

/**
 * Rows of the first worksheet (XLSX) or of the CSV, each cell as trimmed text, at most
 * LIST_FILE_LIMITS.maxColumns cells a row. Throws ListFileError for anything that is not a list
 * we can read safely; `fileName` only picks the message for content that names no format.
 */
export async function readListFile(bytes: Uint8Array, fileName: string): Promise<string[][]> {
  if (bytes.length === 0) fail('empty_file', messages.empty_file);
  if (bytes.length > L.maxFileBytes) fail('too_large', messages.fileTooLarge(bytes.length));
  const lowerName = fileName.toLowerCase();
  // Content wins over the name: towns rename files; the magic bytes do not lie.
  const kind = sniff(bytes);
  if (kind === 'zip') return readZip(bytes);
  if (kind === 'ole') throw oleError(bytes);
  if (kind) throw new ListFileError(kind.code, kind.message);
  if (lowerName.endsWith('.xlsx') || lowerName.endsWith('.xlsm'))
    fail('unreadable_xlsx', messages.unreadable_xlsx);
  // Some systems export an HTML table named .xls; it is no more readable than a real one.
  if (lowerName.endsWith('.xls') || lowerName.endsWith('.et'))
    fail('xls_unsupported', messages.xls_unsupported);
  return readCsv(bytes);
}

// ---------------------------------------------------------------------------------------------
// What the bytes are

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  magic.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]; // legacy .xls/.doc/.ppt, WPS, encrypted OOXML
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

type Refusal = { code: ListFileErrorCode; message: string };
const picture = (format: string): Refusal => ({
  code: 'not_a_list',
  message: messages.notAList(`一张图片(${format})`),
});
const other = (what: string): Refusal => ({ code: 'not_a_list', message: messages.notAList(what) });
const archive = (what: string): Refusal => ({ code: 'not_a_list', message: messages.archive(what) });

/** HEIF brands are pictures (iPhone photos); other ISO-media brands are videos or audio. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** A ZIP or OLE container (looked into further), a refusal, or undefined for text. */
function sniff(bytes: Uint8Array): 'zip' | 'ole' | Refusal | undefined {
  // PK\3\4 starts a ZIP with entries, PK\5\6 an empty one; both are read via the central directory.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  if (startsWith(bytes, OLE_MAGIC)) return 'ole';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return picture('PNG');
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return picture('JPEG');
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return picture('GIF');
  // "BM" alone could start a text line; a real BMP has four reserved zero bytes after the size.
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 26 && startsWith(bytes, [0, 0, 0, 0], 6))
    return picture('BMP');
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return picture('WEBP');
  if (startsWith(bytes, ascii('II*\0')) || startsWith(bytes, ascii('MM\0*'))) return picture('TIFF');
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12)).toLowerCase();
    if (HEIF_BRANDS.has(brand)) return picture('HEIC');
    if (brand === 'avif' || brand === 'avis') return picture('AVIF');
    return other('一个视频或音频文件');
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return other('一个 PDF 文件');
  if (startsWith(bytes, ascii('Rar!\x1a\x07'))) return archive('一个 RAR 压缩包');
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return archive('一个 7z 压缩包');
  if (startsWith(bytes, [0x1f, 0x8b])) return archive('一个 gzip 压缩文件');
  if (head.startsWith('{\\rtf')) return other('一个 RTF 文档');
  const start = head.replace(/^(\xef\xbb\xbf)?\s*/u, '').toLowerCase();
  if (start.startsWith('<?xml') && head.includes('urn:schemas-microsoft-com:office:spreadsheet'))
    return { code: 'unsupported_spreadsheet', message: messages.xml2003_unsupported };
  return undefined;
}

/** Names of the streams and storages in an OLE compound file, found by their directory entries. */
function oleEntryNames(bytes: Uint8Array): Set<string> {
  // Directory entries are 128 bytes and every sector starts at a multiple of 512, so every entry
  // sits at a multiple of 128: checking those offsets finds them without following the FAT chain.
  const names = new Set<string>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 512; at + 128 <= bytes.length; at += 128) {
    const nameBytes = view.getUint16(at + 64, true);
    const type = bytes[at + 66];
    if (nameBytes < 4 || nameBytes > 64 || nameBytes % 2 !== 0 || (type !== 1 && type !== 2 && type !== 5))
      continue;
    if (view.getUint16(at + nameBytes - 2, true) !== 0) continue;
    let name = '';
    for (let i = 0; i < nameBytes - 2; i += 2) name += String.fromCharCode(view.getUint16(at + i, true));
    names.add(name);
  }
  return names;
}

function oleError(bytes: Uint8Array): ListFileError {
  const names = oleEntryNames(bytes);
  if (names.has('EncryptedPackage')) return new ListFileError('encrypted', messages.encrypted);
  if (names.has('WordDocument'))
    return new ListFileError('not_a_list', messages.notAList('一个 Word 文档(.doc)'));
  if (names.has('PowerPoint Document'))
    return new ListFileError('not_a_list', messages.notAList('一个 PowerPoint 演示文稿(.ppt)'));
  // Workbook/Book (.xls, WPS .et) and anything unrecognised keep the "save as" advice.
  return new ListFileError('xls_unsupported', messages.xls_unsupported);
}

// ---------------------------------------------------------------------------------------------
// ZIP, read from its central directory (the same records unzip tools trust)

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const unreadableXlsx = (cause?: unknown) =>
  new ListFileError('unreadable_xlsx', messages.unreadable_xlsx, cause === undefined ? undefined : { cause });

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX32 = 0xffffffff;

function readCentralDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const inside = (at: number, length: number) => at >= 0 && length >= 0 && at + length <= bytes.length;

  // The end record is the last thing in the file, followed only by a comment of up to 64 KB.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === EOCD_SIG) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw unreadableXlsx();
  let count = u16(eocd + 10);
  let dirSize = u32(eocd + 12);
  let dirOffset = u32(eocd + 16);
  if (
    (count === 0xffff || dirSize === MAX32 || dirOffset === MAX32) &&
    eocd >= 20 &&
    u32(eocd - 20) === ZIP64_LOCATOR_SIG
  ) {
    const at = u64(eocd - 12);
    if (!inside(at, 56) || u32(at) !== ZIP64_EOCD_SIG) throw unreadableXlsx();
    count = u64(at + 32);
    dirSize = u64(at + 40);
    dirOffset = u64(at + 48);
  }
  if (!inside(dirOffset, dirSize)) throw unreadableXlsx();

  const entries: ZipEntry[] = [];
  const names = new TextDecoder('utf-8');
  let at = dirOffset;
  // Bounded by the directory's size, whatever count claims: each record takes at least 46 bytes.
  while (entries.length < count && at + 46 <= dirOffset + dirSize) {
    if (u32(at) !== CENTRAL_SIG) throw unreadableXlsx();
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    if (!inside(at + 46, nameLength + extraLength + commentLength)) throw unreadableXlsx();
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: u16(at + 8),
      method: u16(at + 10),
      compressedSize: u32(at + 20),
      size: u32(at + 24),
      localOffset: u32(at + 42),
    };
    // ZIP64: a field of all ones is given in the 0x0001 extra field, in this order.
    if (entry.size === MAX32 || entry.compressedSize === MAX32 || entry.localOffset === MAX32) {
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd && u16(extra) !== 0x0001) extra += 4 + u16(extra + 2);
      if (extra + 4 > extraEnd) throw unreadableXlsx();
      let field = extra + 4;
      const next = () => {
        if (field + 8 > extraEnd) throw unreadableXlsx();
        const value = u64(field);
        field += 8;
        return value;
      };
      if (entry.size === MAX32) entry.size = next();
      if (entry.compressedSize === MAX32) entry.compressedSize = next();
      if (entry.localOffset === MAX32) entry.localOffset = next();
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Inflates one entry; its output can never exceed its declared size, nor the budget left. */
function inflateEntry(bytes: Uint8Array, entry: ZipEntry, budget: { left: number }): Buffer {
  if (entry.size > budget.left) throw new ListFileError('too_large', messages.uncompressedTooLarge);
  if (entry.flags & 0x0001) throw new ListFileError('encrypted', messages.encrypted);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_SIG) throw unreadableXlsx();
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length) throw unreadableXlsx();
  const data = bytes.subarray(start, start + entry.compressedSize);
  let out: Buffer;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw unreadableXlsx();
    out = Buffer.from(data);
  } else if (entry.method === 8) {
    try {
      // maxOutputLength stops zlib as soon as the output passes the declared size: a forged small
      // size in the directory costs us that size, not the gigabyte behind it.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size), chunkSize: 64 * 1024 });
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ListFileError('too_large', messages.zipAnomaly, { cause });
      throw unreadableXlsx(cause);
    }
    if (out.length !== entry.size) throw unreadableXlsx();
  } else throw unreadableXlsx();
  budget.left -= out.length;
  return out;
}

function readZip(bytes: Uint8Array): Promise<string[][]> {
  const entries = readCentralDirectory(bytes);
  const names = new Set(entries.map((e) => e.name));
  const has = (name: string) => names.has(name);
  const anyUnder = (prefix: string) => entries.some((e) => e.name.startsWith(prefix));
  if (has('xl/workbook.xml')) return readXlsx(bytes, entries);
  if (has('xl/workbook.bin')) fail('unsupported_spreadsheet', messages.xlsb_unsupported);
  if (has('[Content_Types].xml') && anyUnder('word/'))
    fail('not_a_list', messages.notAList('一个 Word 文档(.docx)'));
  if (has('[Content_Types].xml') && anyUnder('ppt/'))
    fail('not_a_list', messages.notAList('一个 PowerPoint 演示文稿(.pptx)'));
  if (has('mimetype')) {
    const mime = readSmallEntry(bytes, entries.find((e) => e.name === 'mimetype')!);
    if (mime.includes('opendocument.spreadsheet')) fail('unsupported_spreadsheet', messages.ods_unsupported);
    if (mime.includes('opendocument.text'))
      fail('not_a_list', messages.notAList('一个 OpenDocument 文档(.odt)'));
    if (mime.includes('opendocument.presentation'))
      fail('not_a_list', messages.notAList('一个 OpenDocument 演示文稿(.odp)'));
  }
  return fail('not_a_list', messages.archive('一个 ZIP 压缩包'));
}

function readSmallEntry(bytes: Uint8Array, entry: ZipEntry): string {
  if (entry.size > 1024) return '';
  try {
    return inflateEntry(bytes, entry, { left: 1024 }).toString('latin1');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// XLSX: measure, keep only what we read, then let exceljs read that

/** The first worksheet's part and the parts it needs, as found through workbook.xml and its rels. */
interface WorkbookParts {
  sheet: string;
  sharedStrings?: string;
  styles?: string;
  date1904: boolean;
}

async function readXlsx(bytes: Uint8Array, entries: ZipEntry[]): Promise<string[][]> {
  // Built in a separate (synchronous) step so the inflated parts are garbage once it returns,
  // instead of staying referenced from this function's frame while exceljs reads.
  const pruned = prunedWorkbook(bytes, entries);
  return pruned ? readPrunedWorkbook(pruned.chunks, pruned.withStyles) : [];
}

/** The measured, pruned package for exceljs, or undefined when the sheet has no content. */
function prunedWorkbook(
  bytes: Uint8Array,
  entries: ZipEntry[],
): { chunks: Buffer[]; withStyles: boolean } | undefined {
  if (entries.length > L.maxZipEntries) fail('too_large', messages.tooManyParts(entries.length));
  // Declared sizes first (the plain message for an honest bomb), then ratios; real sizes are
  // checked as each part we need is inflated.
  const declared = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > L.maxUncompressedBytes) fail('too_large', messages.uncompressedTooLarge);
  for (const entry of entries) {
    const ratio = entry.size / Math.max(1, entry.compressedSize);
    if (entry.size > L.ratioGraceBytes && ratio > L.maxCompressionRatio)
      fail('too_large', messages.zipAnomaly);
  }

  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  const budget = { left: L.maxUncompressedBytes };
  const part = (name: string | undefined): string | undefined => {
    const entry = name === undefined ? undefined : byName.get(name);
    // latin1 keeps one char per byte: tags are ASCII, and UTF-8 text is decoded where it is used.
    return entry && inflateEntry(bytes, entry, budget).toString('latin1');
  };

  const parts = workbookParts(part('xl/workbook.xml')!, part('xl/_rels/workbook.xml.rels'), (name) =>
    byName.has(name),
  );
  const sheetXml = part(parts.sheet);
  if (sheetXml === undefined) throw unreadableXlsx();
  const sharedStrings = indexSharedStrings(part(parts.sharedStrings));
  const stylesEntry = parts.styles === undefined ? undefined : byName.get(parts.styles);
  const stylesXml = stylesEntry && stylesEntry.size <= L.maxStylesBytes ? part(parts.styles) : undefined;

  const pruned = pruneSheet(sheetXml, sharedStrings, stylesXml !== undefined);
  if (pruned.rowCount === 0) return undefined;
  const files = [
    { name: 'xl/_rels/workbook.xml.rels', data: WORKBOOK_RELS },
    { name: 'xl/workbook.xml', data: workbookXml(parts.date1904) },
    ...(stylesXml === undefined ? [] : [{ name: 'xl/styles.xml', data: asciiXmlBytes(stylesXml) }]),
    // Always present and before the sheet: exceljs's reader then reads the sheet as it streams
    // instead of parking it in a temporary file.
    { name: 'xl/sharedStrings.xml', data: sharedStringsXml(sharedStrings, pruned.strings) },
    { name: 'xl/worksheets/sheet1.xml', data: pruned.xml },
  ];
  return { chunks: storedZip(files), withStyles: stylesXml !== undefined };
}

// Module-level regexes walked with exec: matchAll() clones its regex on every call, which made
// walking 160,000 cells take a second, mostly in the garbage collector.
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/gu;
const TEXT_RUN = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/gu;

/** The r, s and t attributes of a <row> or <c> tag: a character loop, as this runs once a cell. */
function cellAttributes(tag: string): { r?: string; s?: string; t?: string } {
  const found: { r?: string; s?: string; t?: string } = {};
  let i = 0;
  while (i < tag.length) {
    while (i < tag.length && tag.charCodeAt(i) <= 32) i++;
    const nameStart = i;
    while (i < tag.length && tag[i] !== '=' && tag.charCodeAt(i) > 32) i++;
    const name = tag.slice(nameStart, i);
    while (i < tag.length && tag.charCodeAt(i) <= 32) i++;
    if (tag[i] !== '=') break; // "/" of a self-closing tag, or the end
    i++;
    while (i < tag.length && tag.charCodeAt(i) <= 32) i++;
    const quote = tag[i];
    if (quote !== '"' && quote !== "'") break;
    const close = tag.indexOf(quote, i + 1);
    if (close < 0) break;
    if (name === 'r' || name === 's' || name === 't') found[name] = tag.slice(i + 1, close);
    i = close + 1;
  }
  return found;
}

function attributes(tag: string): Map<string, string> {
  const map = new Map<string, string>();
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(tag); m; m = ATTRIBUTE.exec(tag)) map.set(m[1]!, m[2] ?? m[3] ?? '');
  return map;
}

/** Resolves a relationship target against xl/ (relative) or the package root (absolute). */
function resolveTarget(target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return out.join('/');
}

function workbookParts(
  workbook: string,
  rels: string | undefined,
  exists: (name: string) => boolean,
): WorkbookParts {
  const relations = new Map<string, { type: string; target: string }>();
  for (const m of (rels ?? '').matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/gu)) {
    const a = attributes(m[1]!);
    const id = a.get('Id');
    if (id && a.get('TargetMode') !== 'External')
      relations.set(id, { type: a.get('Type') ?? '', target: resolveTarget(a.get('Target') ?? '') });
  }
  const ofType = (suffix: string) => [...relations.values()].find((r) => r.type.endsWith(suffix))?.target;
  // The first worksheet by position in <sheets>, not by id: positions are what users see.
  let sheet: string | undefined;
  for (const m of workbook.matchAll(/<(?:[\w.-]+:)?sheet\s([^>]*)>/gu)) {
    const a = attributes(m[1]!);
    const relId = [...a].find(([key]) => /^[\w.-]+:id$/u.test(key))?.[1];
    const relation = relId === undefined ? undefined : relations.get(relId);
    if (relation?.type.endsWith('/worksheet')) {
      sheet = relation.target;
      break;
    }
  }
  // Some generators write no relationships at all; their parts sit where Excel puts them.
  const usual = (name: string) => (exists(name) ? name : undefined);
  sheet ??= rels === undefined ? usual('xl/worksheets/sheet1.xml') : undefined;
  if (!sheet) return fail('no_worksheet', messages.no_worksheet);
  const pr = /<(?:[\w.-]+:)?workbookPr\b([^>]*)>/u.exec(workbook);
  const date1904 = pr ? ['1', 'true'].includes(attributes(pr[1]!).get('date1904') ?? '') : false;
  return {
    sheet,
    sharedStrings: ofType('/sharedStrings') ?? usual('xl/sharedStrings.xml'),
    styles: ofType('/styles') ?? usual('xl/styles.xml'),
    date1904,
  };
}

/** Start offsets of the <si> items of sharedStrings.xml (latin1 text). */
interface SharedStrings {
  xml: string;
  starts: number[];
}

function indexSharedStrings(xml: string | undefined): SharedStrings | undefined {
  if (xml === undefined) return undefined;
  const starts: number[] = [];
  const open = /<si(?=[\s/>])/gu;
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    if (starts.length >= L.maxSharedStrings) fail('too_large', messages.tooManySharedStrings);
    starts.push(m.index);
  }
  return { xml, starts };
}

/** The <si>…</si> item at `index`, with phonetic runs removed (exceljs's reader would keep only their text). */
function sharedStringItem(strings: SharedStrings, index: number): string | undefined {
  const start = strings.starts[index];
  if (start === undefined) return undefined;
  const tagEnd = strings.xml.indexOf('>', start);
  if (tagEnd < 0) return undefined;
  if (strings.xml[tagEnd - 1] === '/') return '<si/>';
  const end = strings.xml.indexOf('</si>', tagEnd);
  if (end < 0) return undefined;
  return withoutPhonetics(strings.xml.slice(start, end + 5));
}

/** Phonetic runs (<rPh>, furigana) are a reading aid, not the cell's text. */
const withoutPhonetics = (xml: string) =>
  xml.includes('<rPh') ? xml.replace(/<rPh\b[\s\S]*?<\/rPh>/gu, '') : xml;

/** Concatenated <t> texts of a string item, still XML-escaped. */
function itemText(item: string): string {
  let text = '';
  TEXT_RUN.lastIndex = 0;
  for (let m = TEXT_RUN.exec(item); m; m = TEXT_RUN.exec(item)) text += m[1]!;
  if (!text.includes('<![CDATA[')) return text;
  return text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/gu, (_, cdata: string) =>
    cdata.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;'),
  );
}

/** Whether a string item has a visible character in any of its runs (phonetic runs already removed). */
const hasText = (item: string) => /(?:^|>)\s*[^\s<]/u.test(item) && !isBlankXmlText(itemText(item));

/** Blank as a person sees it: no characters but spaces once entities are read. */
const isBlankXmlText = (text: string) =>
  !/\S/u.test(text) ||
  (text.includes('&#') && !/\S/u.test(text.replace(/&#(32|x20|9|x9|10|xa|13|xd);/giu, '')));

/**
 * UTF-8 (read as latin1) → pure ASCII XML, non-ASCII as character references. exceljs's streaming
 * reader decodes each chunk of a part on its own, so a Chinese character split across two chunks
 * turns into U+FFFD: 3 of 160,000 cells of a 20,000-row sheet as Excel zips it, up to 200 in our
 * stored copy depending on how the unzipper happens to batch chunks. ASCII cannot be split, so
 * this holds whatever the chunking (which no test can pin down).
 */
function asciiXml(latin1: string): string {
  return /[\x80-\xff]/u.test(latin1) ? asciiXmlBytes(latin1).toString('latin1') : latin1;
}

/** asciiXml as bytes, for whole parts (no second copy as a string). */
function asciiXmlBytes(latin1: string): Buffer {
  if (!/[\x80-\xff]/u.test(latin1)) return Buffer.from(latin1, 'latin1');
  const text = Buffer.from(latin1, 'latin1').toString('utf8');
  // A loop into a growing buffer: a regex replace with a callback per character took 0.3 s for
  // the 10 MB of a large shared-string table.
  let out = Buffer.allocUnsafe(text.length * 2 + 16);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    if (at + 12 > out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      out[at++] = unit;
      continue;
    }
    const point = text.codePointAt(i)!;
    if (point > 0xffff) i++;
    at += out.write(`&#${point};`, at, 'latin1');
  }
  return out.subarray(0, at);
}

/** The text of a cell's <v> element ('' when it has none), found with indexOf, once per cell. */
function cellValueText(inner: string): string {
  const open = inner.indexOf('<v');
  if (open < 0) return '';
  const tagEnd = inner.indexOf('>', open);
  const next = inner.charCodeAt(open + 2);
  if (tagEnd < 0 || (next !== 62 && next !== 32 && next !== 47) || inner[tagEnd - 1] === '/') return '';
  const close = inner.indexOf('</v>', tagEnd);
  return close < 0 ? '' : inner.slice(tagEnd + 1, close);
}

/** Column number of a reference such as "XFD7"; refuses anything that is not one. */
function columnOfRef(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length && i < 4; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  if (i === 0 || i > 3 || i === ref.length || !/^\d+$/u.test(ref.slice(i))) throw unreadableXlsx();
  return col;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/**
 * Appends ASCII text to a growing buffer. Pushing 180,000 small strings into an array instead kept
 * them all alive as young objects, and copying them between GC spaces took longer than the walk.
 */
class AsciiWriter {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  write(text: string): void {
    if (this.length + text.length > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + text.length));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

interface PrunedSheet {
  /** A worksheet holding only <sheetData> with the non-empty cells of the first maxColumns columns. */
  xml: Buffer;
  /** Old shared-string index of each new one, in new order. */
  strings: number[];
  rowCount: number;
}

/**
 * Walks the sheet's cells once, in linear time and without building them: refuses content beyond
 * the bounds and writes a new sheet with only the non-empty cells we read (values, no formulas, no
 * styles but the number format's). Empty styled cells, as Excel writes for formatted rows out to
 * column XFD, are dropped here, so exceljs never sees them.
 */
function pruneSheet(xml: string, strings: SharedStrings | undefined, keepStyles: boolean): PrunedSheet {
  const out = new AsciiWriter();
  out.write(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN_NS}"><sheetData>`,
  );
  const stringIndex = new Map<number, number>();
  const newStrings: number[] = [];
  const blankStrings = new Set<number>();
  const start = xml.search(/<sheetData[\s/>]/u);
  const end = start < 0 ? -1 : xml.indexOf('</sheetData>', start);
  let rowNo = 0;
  let rowCount = 0;
  let cellCount = 0;
  let rowOpen = false;
  let rowHasCells = false;
  let col = 0;
  // Empty cells since the last cell with content, for a cell without r (rare) to know its column.
  let lastEmptyWithRef: string | undefined;
  let emptiesSince = 0;
  const tag = /<(?:(row|c)(?=[\s/>])([^>]*)>|\/row>)/gu;
  tag.lastIndex = start;
  for (let m = end < 0 ? null : tag.exec(xml); m && m.index < end; m = tag.exec(xml)) {
    const [, name, attrText = ''] = m;
    const selfClosing = attrText.endsWith('/');
    if (name === undefined) {
      rowOpen = false;
      continue;
    }
    if (name === 'row') {
      const r = cellAttributes(attrText).r;
      const next = r === undefined ? rowNo + 1 : Number(r);
      if (!Number.isInteger(next) || next <= rowNo || next > 1_048_576) throw unreadableXlsx();
      rowNo = next;
      rowOpen = !selfClosing;
      rowHasCells = false;
      col = 0;
      lastEmptyWithRef = undefined;
      emptiesSince = 0;
      continue;
    }
    // A cell: find its content, then decide whether it holds anything a person would see.
    if (!rowOpen) throw unreadableXlsx();
    // An empty cell (<c r="XFD7" s="1"/>, millions of them in formatted rows) is skipped without
    // reading its attributes; its position is only needed if the next cell has no r.
    if (selfClosing) {
      if (attrText.includes('r=')) {
        lastEmptyWithRef = attrText;
        emptiesSince = 0;
      } else emptiesSince++;
      continue;
    }
    const attrs = cellAttributes(attrText);
    const ref = attrs.r;
    if (ref !== undefined) col = columnOfRef(ref);
    else {
      // No r: the cell follows the previous one, empty cells included.
      const anchor =
        lastEmptyWithRef === undefined ? undefined : /\br\s*=\s*["']([A-Z]{1,3})\d+/u.exec(lastEmptyWithRef);
      if (anchor) col = columnNumber(anchor[1]!);
      col += emptiesSince + 1;
    }
    lastEmptyWithRef = undefined;
    emptiesSince = 0;
    if (col > 16_384) throw unreadableXlsx();
    const close = xml.indexOf('</c>', tag.lastIndex);
    if (close < 0 || close > end) throw unreadableXlsx();
    const inner = xml.slice(tag.lastIndex, close);
    tag.lastIndex = close + 4;

    let type = attrs.t;
    let body: string | undefined;
    if (type === 'inlineStr') {
      const text = itemText(withoutPhonetics(inner));
      if (!isBlankXmlText(text)) body = `<is><t>${asciiXml(text)}</t></is>`;
    } else {
      const value = cellValueText(inner);
      if (type === 's') {
        const index = Number(value.trim());
        let mapped = stringIndex.get(index);
        if (mapped === undefined && !blankStrings.has(index)) {
          const item = strings && Number.isInteger(index) ? sharedStringItem(strings, index) : undefined;
          if (item !== undefined && hasText(item)) {
            mapped = newStrings.length;
            stringIndex.set(index, mapped);
            newStrings.push(index);
          } else blankStrings.add(index);
        }
        if (mapped !== undefined) body = `<v>${mapped}</v>`;
      } else if (!isBlankXmlText(value)) {
        // exceljs's reader parses t="d" (ISO 8601 dates) as a number; the date text is what we want.
        const isoDate = type === 'd' && /^\d{4}-\d\d-\d\d/u.test(value);
        if (type === 'd') type = 'str';
        body = `<v>${asciiXml(isoDate ? value.slice(0, 10) : value)}</v>`;
      }
    }
    if (body === undefined) continue; // an empty (perhaps styled) cell, wherever it is

    if (col > L.maxColumns) fail('too_many_columns', messages.tooManyColumns(rowNo, col));
    if (!rowHasCells) {
      if (rowNo > L.maxRowNumber) fail('too_many_rows', messages.rowTooFar(rowNo));
      if (++rowCount > L.maxRows) fail('too_many_rows', messages.tooManyRows);
      if (rowCount > 1) out.write('</row>');
      out.write(`<row r="${rowNo}">`);
      rowHasCells = true;
    }
    if (++cellCount > L.maxCells) fail('too_large', messages.tooManyCells);
    // Only a number needs its style (its number format says whether it is a date).
    const style = keepStyles && (type === undefined || type === 'n') ? attrs.s : undefined;
    const typeAttr = type && type !== 'n' ? ` t="${type}"` : '';
    const styleAttr = style && /^\d+$/u.test(style) ? ` s="${style}"` : '';
    out.write(`<c r="${columnLetters(col)}${rowNo}"${typeAttr}${styleAttr}>${body}</c>`);
  }
  if (start >= 0 && end < 0 && !/<sheetData[^>]*\/>/u.test(xml)) throw unreadableXlsx();
  out.write(`${rowCount > 0 ? '</row>' : ''}</sheetData></worksheet>`);
  return {
    xml: out.bytes(),
    strings: newStrings,
    rowCount,
  };
}

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '</Relationships>';

const workbookXml = (date1904: boolean) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
  `<workbookPr${date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`;

function sharedStringsXml(strings: SharedStrings | undefined, used: readonly number[]): Buffer {
  // Escaped in one pass over the joined items rather than item by item.
  const items = strings
    ? asciiXmlBytes(used.map((index) => sharedStringItem(strings, index)!).join(''))
    : Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN_NS}" count="${used.length}" uniqueCount="${used.length}">`,
    ),
    items,
    Buffer.from('</sst>'),
  ]);
}

/** A ZIP of stored (uncompressed) entries, as chunks: the package exceljs reads, never a file. */
function storedZip(files: readonly { name: string; data: string | Buffer }[]): Buffer[] {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'latin1') : file.data; // all ASCII by now
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIG, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(CENTRAL_SIG, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(0x21, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offset, 42);
    chunks.push(local, name, data);
    central.push(record, name);
    offset += local.length + name.length + data.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD_SIG, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return [...chunks, ...central, end];
}

function* pieces(chunks: readonly Buffer[], size: number): Generator<Buffer> {
  for (const chunk of chunks)
    for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
}

async function readPrunedWorkbook(chunks: Buffer[], withStyles: boolean): Promise<string[][]> {
  const rows: string[][] = [];
  // Outside the try: a missing exceljs is our fault, not an unreadable file.
  const { default: ExcelJS } = await import('exceljs');
  try {
    // The streaming reader: peak RSS 115 MB and 1.0 s for an exceljs-written file of 20,000
    // households × 8 columns, where loading the whole workbook took 205 MB and 1.7 s (Node 20).
    // It parses each chunk it is given at once, keeping all of that chunk's XML events in memory:
    // our stored parts handed over whole peaked at 380 MB, in 64 KB pieces at 120 MB.
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(pieces(chunks, 64 * 1024)), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: withStyles ? 'cache' : 'ignore',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const cells: string[] = [];
        row.eachCell((cell, col) => {
          cells[col - 1] = cellToText(cell.value).trim();
        });
        while (rows.length < row.number - 1) rows.push([]);
        rows.push(trimTrailingEmpty(Array.from(cells, (c) => c ?? '')));
      }
    }
  } catch (cause) {
    throw unreadableXlsx(cause);
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
  return end === cells.length ? cells : cells.slice(0, end);
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Control characters no spreadsheet text contains (tab, line breaks and form feed excepted). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]/gu;

/** Text a person wrote, not binary that happened to decode: almost no control or replacement characters. */
function looksLikeText(text: string): boolean {
  if (text.includes('\0')) return false;
  const odd = text.match(CONTROL)?.length ?? 0;
  return odd <= Math.max(2, text.length / 1000);
}

function decodeText(bytes: Uint8Array): string {
  if (startsWith(bytes, UTF8_BOM)) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  // Excel's "Unicode text" export is UTF-16 with a BOM (and tab-separated).
  if (startsWith(bytes, UTF16LE_BOM)) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (startsWith(bytes, UTF16BE_BOM)) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) {
    // NUL bytes: UTF-16 without a BOM, or binary.
    for (const encoding of ['utf-16le', 'utf-16be']) {
      try {
        const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
        if (looksLikeText(text) && /[,\t]/u.test(text)) return text;
      } catch {
        // not this one
      }
    }
    return fail('not_a_list', messages.binary);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: Chinese Excel/WPS saves CSV in the system code page. GB18030 is a superset of GBK/GB2312.
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Tab when the first line has tabs and no commas (Unicode-text exports), comma otherwise. */
function detectDelimiter(text: string): ',' | '\t' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/u));
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
}

/** Longest record (one row, all its fields) we read; a list row is a few hundred characters. */
const MAX_RECORD_CHARS = 256 * 1024;

/**
 * CSV as Excel and WPS write it (RFC 4180: quoted fields, "" for a quote, line breaks inside
 * quotes), read leniently like Excel: a quote inside an unquoted field is text, text after a
 * closing quote is kept. Written by hand because csv-parse cost 5 µs a record and 50 µs for every
 * record whose field count differed from the first (it builds an Error with a stack trace each
 * time), so a hostile 16 MB file could keep it busy for minutes.
 */
function readCsv(bytes: Uint8Array): string[][] {
  const text = decodeText(bytes);
  if (!looksLikeText(text)) fail('not_a_list', messages.binary);
  const trimmedStart = text.trimStart().toLowerCase();
  if (/^<(!doctype html|html|table)[\s>]/u.test(trimmedStart))
    fail('not_a_list', messages.notAList('一个网页文件(HTML)'));

  const delimiter = detectDelimiter(text).charCodeAt(0);
  const QUOTE = 34;
  const CR = 13;
  const LF = 10;
  const rows: string[][] = [];
  let record = 0; // spreadsheet row of the record being read
  let line = 1; // physical line, for messages
  let nonBlank = 0;
  let cellCount = 0;
  let i = 0;
  const end = text.length;
  while (i < end) {
    record++;
    const recordStart = i;
    const recordLine = line;
    const fields: string[] = [];
    // One record: fields up to an unquoted line break or the end of the text.
    for (;;) {
      let field = '';
      let j = i;
      while (j < end && (text.charCodeAt(j) === 32 || (text.charCodeAt(j) === 9 && delimiter !== 9))) j++;
      if (j < end && text.charCodeAt(j) === QUOTE) {
        const quoteLine = line;
        let from = j + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) fail('unreadable_csv', messages.unreadable_csv(quoteLine));
          if (q - recordStart > MAX_RECORD_CHARS) fail('too_large', messages.lineTooLong(recordLine));
          field += text.slice(from, q);
          for (let k = from; k < q; k++) if (text.charCodeAt(k) === LF) line++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            from = q + 2;
            continue;
          }
          j = q + 1;
          break;
        }
        // Lenient like Excel: whatever follows the closing quote up to the delimiter is kept.
        const rest = j;
        while (
          j < end &&
          text.charCodeAt(j) !== delimiter &&
          text.charCodeAt(j) !== LF &&
          text.charCodeAt(j) !== CR
        )
          j++;
        field += text.slice(rest, j);
      } else {
        const from = j;
        while (
          j < end &&
          text.charCodeAt(j) !== delimiter &&
          text.charCodeAt(j) !== LF &&
          text.charCodeAt(j) !== CR
        )
          j++;
        field = text.slice(from, j);
      }
      if (j - recordStart > MAX_RECORD_CHARS) fail('too_large', messages.lineTooLong(recordLine));
      fields.push(field.trim());
      if (j < end && text.charCodeAt(j) === delimiter) {
        i = j + 1;
        continue;
      }
      // End of record: CRLF, LF, a lone CR, or the end of the text.
      if (j < end && text.charCodeAt(j) === CR) j++;
      if (j < end && text.charCodeAt(j) === LF) j++;
      line++;
      i = j;
      break;
    }
    const cells = trimTrailingEmpty(fields);
    if (cells.length === 0) continue;
    if (record > L.maxRowNumber) fail('too_many_rows', messages.rowTooFar(record));
    if (++nonBlank > L.maxRows) fail('too_many_rows', messages.tooManyRows);
    if (cells.length > L.maxColumns) fail('too_many_columns', messages.tooManyColumns(record, cells.length));
    for (const cell of cells) if (cell !== '') cellCount++;
    if (cellCount > L.maxCells) fail('too_large', messages.tooManyCells);
    while (rows.length < record - 1) rows.push([]);
    rows.push(cells);
  }
  return rows;
}
