// Household lists are checked before they are trusted (DOMAIN.md §2): a file that is not a list is
// named for what it is, an XLSX is measured before it is read, a CSV is bounded and must be text,
// and a list is for the village it is uploaded for. Fixtures are built here, byte by byte.

import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type HouseholdListOptions, parseHouseholdList } from '../../domain/household-list';
import { LIST_FILE_LIMITS, ListFileError, readListFile } from '../../ingest/list-file';
import {
  columnName,
  deflatedRepeat,
  ole,
  png,
  sharedStringsXml,
  sheetXml,
  xlsx,
  xlsxOf,
  zip,
} from '../fixtures/lists/build';

async function refusal(bytes: Uint8Array, fileName = '名单.csv'): Promise<ListFileError> {
  const error = await readListFile(bytes, fileName).then(
    (rows) => new Error(`expected a refusal, got ${rows.length} rows`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ListFileError);
  return error as ListFileError;
}

/** Wall time and RSS growth of one call, for generous bounds (the real figures are in comments). */
async function measured<T>(
  run: () => Promise<T>,
): Promise<{ outcome: T | unknown; ms: number; rssGrowthMb: number }> {
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  const outcome = await run().catch((e: unknown) => e);
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { outcome, ms, rssGrowthMb: (peak - rssBefore) / 1024 / 1024 };
}

const ASK = '请发送 Excel(.xlsx)或 CSV 格式的农户名单。';
const header = ['户编号', '户主姓名', '农户类型', '人口', '所在组'];
const STRATA = ['2014年退出户', '2016年已脱贫户', '2017年预脱贫户', '建档立卡贫困户', '非贫困户'];
const SURNAMES = '黄李陈刘梁韦莫覃苏罗何吴邓蒙潘卢周杨黎赵林钟廖谢';
const GIVEN = '志强秀英建华桂兰国庆丽萍海军春燕文杰玉梅德明金凤永福月娥振华美玲';

/** A plausible household row; names vary so the shared-string table is large and mostly Chinese. */
const household = (i: number) => [
  String(4506810100000 + i),
  SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + GIVEN[(i * 13) % GIVEN.length]!,
  STRATA[i % STRATA.length]!,
  1 + (i % 6),
  `第${1 + (i % 9)}组`,
];

describe('a file that is not a household list is named for what it is, never parsed as CSV', () => {
  it('refuses a picture sent as 名单.csv, naming it', async () => {
    const error = await refusal(png(), '名单.csv');
    expect(error.code).toBe('not_a_list');
    expect(error.message).toBe(`这是一张图片(PNG),不是名单文件。${ASK}`);
  });

  it('refuses a Word document, naming it', async () => {
    const docx = zip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'word/document.xml', data: '<w:document/>' },
    ]);
    const error = await refusal(docx, '名单.xlsx');
    expect(error.code).toBe('not_a_list');
    expect(error.message).toBe(`这是一个 Word 文档(.docx),不是名单文件。${ASK}`);
  });

  const riff = (format: string) =>
    new Uint8Array([...Buffer.from('RIFF'), 1, 2, 3, 4, ...Buffer.from(format)]);
  const ftyp = (brand: string) => new Uint8Array([0, 0, 0, 24, ...Buffer.from(`ftyp${brand}`), 0, 0, 0, 0]);
  const bmp = new Uint8Array(60);
  bmp.set([0x42, 0x4d, 60, 0, 0, 0, 0, 0, 0, 0, 54]);
  const cases: [string, Uint8Array, string][] = [
    [
      'a JPEG photo',
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...Buffer.from('JFIF')]),
      '一张图片(JPEG)',
    ],
    ['a GIF', new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00')), '一张图片(GIF)'],
    ['a BMP', bmp, '一张图片(BMP)'],
    ['a WEBP', riff('WEBPVP8 '), '一张图片(WEBP)'],
    ['an iPhone HEIC photo', ftyp('heic'), '一张图片(HEIC)'],
    ['a TIFF scan', new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), '一张图片(TIFF)'],
    ['a video', ftyp('isom'), '一个视频或音频文件'],
    ['a PDF', new Uint8Array(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')), '一个 PDF 文件'],
    ['a legacy Word .doc', ole(['WordDocument', '1Table', 'SummaryInformation']), '一个 Word 文档(.doc)'],
    [
      'a legacy PowerPoint .ppt',
      ole(['PowerPoint Document', 'Current User']),
      '一个 PowerPoint 演示文稿(.ppt)',
    ],
    [
      'a PowerPoint .pptx',
      zip([
        { name: '[Content_Types].xml', data: '<Types/>' },
        { name: 'ppt/presentation.xml', data: '<p:presentation/>' },
      ]),
      '一个 PowerPoint 演示文稿(.pptx)',
    ],
    [
      'an OpenDocument text',
      zip([
        { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', stored: true },
        { name: 'content.xml', data: '<office:document-content/>' },
      ]),
      '一个 OpenDocument 文档(.odt)',
    ],
    ['an RTF document', new Uint8Array(Buffer.from('{\\rtf1\\ansi 户编号}')), '一个 RTF 文档'],
    [
      'a web page',
      new Uint8Array(Buffer.from('<!DOCTYPE html><html><body>户编号</body></html>')),
      '一个网页文件(HTML)',
    ],
  ];
  it.each(cases)('refuses %s, naming it', async (_, bytes, what) => {
    const error = await refusal(bytes, '名单.csv');
    expect(error.code).toBe('not_a_list');
    expect(error.message).toBe(`这是${what},不是名单文件。${ASK}`);
  });

  const archives: [string, Uint8Array, string][] = [
    [
      'a ZIP archive that is not a workbook',
      zip([
        { name: '名单/大田村.xlsx', data: 'PK…' },
        { name: '照片/1.jpg', data: '…' },
      ]),
      '一个 ZIP 压缩包',
    ],
    ['a RAR archive', new Uint8Array([...Buffer.from('Rar!\x1a\x07\x01\x00'), 0, 0]), '一个 RAR 压缩包'],
    ['a 7z archive', new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), '一个 7z 压缩包'],
    ['a gzip file', new Uint8Array(gzipSync('户编号,户主姓名,农户类型\n')), '一个 gzip 压缩文件'],
  ];
  it.each(archives)('refuses %s and asks for the list inside', async (_, bytes, what) => {
    const error = await refusal(bytes, '名单.xlsx');
    expect(error.code).toBe('not_a_list');
    expect(error.message).toBe(
      `这是${what},不是名单文件。请解压后,单独发送其中的 Excel(.xlsx)或 CSV 格式的农户名单。`,
    );
  });

  it('refuses other binary content instead of reporting a CSV line', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const error = await refusal(junk, '名单.csv');
    expect(error.code).toBe('not_a_list');
    expect(error.message).toContain('二进制');
    expect(error.message).not.toMatch(/第\d+行/u);
  });

  it('refuses a password-protected workbook as such', async () => {
    const error = await refusal(ole(['EncryptionInfo', 'EncryptedPackage']), '名单.xlsx');
    expect(error.code).toBe('encrypted');
    expect(error.message).toContain('密码');
  });

  it('keeps the "save as .xlsx" advice for a legacy .xls, and gives it for .xlsb and .ods', async () => {
    const xls = await refusal(ole(['Workbook', 'SummaryInformation']), '名单.xls');
    expect(xls.code).toBe('xls_unsupported');
    expect(xls.message).toContain('另存为');
    const xlsb = await refusal(
      zip([
        { name: '[Content_Types].xml', data: '<Types/>' },
        { name: 'xl/workbook.bin', data: '\x00\x01' },
      ]),
    );
    expect([xlsb.code, xlsb.message]).toEqual(['unsupported_spreadsheet', expect.stringContaining('.xlsb')]);
    const ods = await refusal(
      zip([
        { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', stored: true },
        { name: 'content.xml', data: '<office:document-content/>' },
      ]),
    );
    expect([ods.code, ods.message]).toEqual(['unsupported_spreadsheet', expect.stringContaining('另存为')]);
  });

  it('still reads a real list whatever it is named', async () => {
    const rows = await readListFile(xlsxOf([header, household(1)]), '名单.csv');
    expect(rows[1]![0]).toBe('4506810100001');
    const csv = await readListFile(
      new TextEncoder().encode('户编号,户主姓名,农户类型\nA1,张三,非贫困户\n'),
      'list.bin',
    );
    expect(csv).toEqual([
      ['户编号', '户主姓名', '农户类型'],
      ['A1', '张三', '非贫困户'],
    ]);
  });
});

describe('an XLSX is measured before its sheet is read', () => {
  const sheetPrefix =
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">';

  it('refuses a zip bomb (900 MiB of sheet XML in under 1 MB) quickly, in Chinese', async () => {
    const bomb = deflatedRepeat(sheetPrefix, '<c/>', 900);
    const file = xlsx({ sheetPart: { deflated: bomb } });
    expect(file.length).toBeLessThan(1024 * 1024);
    const { outcome, ms, rssGrowthMb } = await measured(() => readListFile(file, '名单.xlsx'));
    // Measured: refused from the central directory in about 1 ms, before anything is inflated.
    expect(outcome).toBeInstanceOf(ListFileError);
    expect((outcome as ListFileError).code).toBe('too_large');
    expect((outcome as ListFileError).message).toContain('解压后超过 64 MB');
    expect(ms).toBeLessThan(5000);
    expect(rssGrowthMb).toBeLessThan(256);
  });

  it('does not let a forged small size in the central directory get past the inflate cap', async () => {
    // The directory says 40 KB; inflating stops at 40 KB instead of producing 900 MiB.
    const bomb = deflatedRepeat(sheetPrefix, '<c/>', 900);
    const file = xlsx({ sheetPart: { deflated: bomb, declaredSize: 40_000 } });
    const { outcome, ms, rssGrowthMb } = await measured(() => readListFile(file, '名单.xlsx'));
    // Measured: about 3 ms and no measurable memory.
    expect(outcome).toBeInstanceOf(ListFileError);
    expect((outcome as ListFileError).code).toBe('too_large');
    expect((outcome as ListFileError).message).toContain('内部数据异常');
    expect(ms).toBeLessThan(5000);
    expect(rssGrowthMb).toBeLessThan(256);
  });

  it('refuses a part whose compression ratio no spreadsheet has', async () => {
    // Honest sizes, 2 MiB from about 2 KB: over 100:1, which Apache POI refuses too.
    const file = xlsx({ sheetPart: { deflated: deflatedRepeat(sheetPrefix, ' ', 2) } });
    const error = await refusal(file, '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('内部数据异常')]);
  });

  it('refuses a package with more parts than a workbook has, and reads one just under the limit', async () => {
    const { sheet, sharedStrings } = sheetXml([header, household(1)]);
    const withParts = (count: number) =>
      zip([
        ...Array.from({ length: count }, (_, i) => ({
          name: `xl/media/image${i}.png`,
          data: 'x',
          stored: true,
        })),
        {
          name: 'xl/workbook.xml',
          data: '<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
        },
        { name: 'xl/worksheets/sheet1.xml', data: sheet },
        { name: 'xl/sharedStrings.xml', data: sharedStringsXml(sharedStrings) },
      ]);
    // No relationships part either: the sheet and strings are found where Excel puts them.
    expect(await readListFile(withParts(LIST_FILE_LIMITS.maxZipEntries - 3), '名单.xlsx')).toHaveLength(2);
    const error = await refusal(withParts(LIST_FILE_LIMITS.maxZipEntries - 2), '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('1001 个部件')]);
  });

  it('refuses a cell with content in column XFD quickly, naming the cell', async () => {
    // The file that took 10 s to run a 1 GB process out of memory: content out at XFD on every row.
    const rows = [['大田村农户名单'], header, ...Array.from({ length: 2000 }, (_, i) => household(i))];
    const file = xlsxOf(rows, (r) => (r > 2 ? `<c r="XFD${r}" t="inlineStr"><is><t>x</t></is></c>` : ''));
    const { outcome, ms } = await measured(() => readListFile(file, '名单.xlsx'));
    // Measured: 10–40 ms; the previous reader ran a 1 GB heap out of memory on this file.
    expect(outcome).toBeInstanceOf(ListFileError);
    expect((outcome as ListFileError).code).toBe('too_many_columns');
    expect((outcome as ListFileError).message).toBe(
      '表格第3行第16384列(XFD列)有内容;名单只读取前 64 列(A–BL列)。请删除多余的列或内容后重新上传。',
    );
    expect(ms).toBeLessThan(5000);
  });

  it('reads content in column 64 and refuses it in column 65', async () => {
    const at = (column: number) =>
      xlsxOf([header, household(1)], (r) => (r === 2 ? `<c r="${columnName(column)}2"><v>7</v></c>` : ''));
    expect((await readListFile(at(64), 'x.xlsx'))[1]).toHaveLength(64);
    const error = await refusal(at(65), 'x.xlsx');
    expect([error.code, error.message]).toEqual([
      'too_many_columns',
      expect.stringContaining('第65列(BM列)'),
    ]);
  });

  it('ignores empty styled cells out at XFD, as Excel writes for formatted rows', async () => {
    const rows = [header, household(1), household(2)];
    const file = xlsxOf(
      rows,
      (r) => `<c r="BM${r}" s="1"/><c r="XFD${r}" s="1"/><c r="XFA${r}" s="1"><v></v></c>`,
    );
    expect(await readListFile(file, '名单.xlsx')).toEqual(rows.map((row) => row.map(String)));
  });

  it('reads rows formatted across all 16,384 columns without building those cells', async () => {
    // 100 rows × 16,384 empty bordered cells: 33 MB of sheet XML that exceljs never sees.
    const everyColumn = (r: number) => {
      const cells: string[] = [];
      for (let c = 6; c <= 16_384; c++) cells.push(`<c r="${columnName(c)}${r}" s="1"/>`);
      return cells.join('');
    };
    const rows = [header, ...Array.from({ length: 99 }, (_, i) => household(i))];
    const file = xlsxOf(rows, everyColumn);
    const { outcome, ms } = await measured(() => readListFile(file, '名单.xlsx'));
    // Measured: about 0.6 s and 67 MB more RSS; the previous reader took 6.9 s and 485 MB.
    expect(outcome).toEqual(rows.map((row) => row.map(String)));
    expect(ms).toBeLessThan(5000);
  });

  it('reads a list of 20,000 households, every Chinese character intact', async () => {
    const rows = [
      ['东兴镇大田村农户名单'],
      header,
      ...Array.from({ length: 20_000 }, (_, i) => household(i)),
    ];
    const file = xlsxOf(rows);
    const { outcome, ms, rssGrowthMb } = await measured(() => readListFile(file, '大田村.xlsx'));
    // Measured on Node 20 (this machine, in a fresh process): 1.1–1.3 s and 55–60 MB more RSS for
    // this 0.5 MB file of 100,000 cells; the previous reader (whole workbook) took 1.1 s and 73 MB.
    expect(outcome).toEqual(rows.map((row) => row.map(String)));
    expect(ms).toBeLessThan(15_000);
    expect(rssGrowthMb).toBeLessThan(512);
    const result = parseHouseholdList(outcome as string[][]);
    expect(result.ok && result.households.length).toBe(20_000);
  });

  it('reads 20,001 households, which the list check then refuses with one message', async () => {
    const rows = [header, ...Array.from({ length: 20_001 }, (_, i) => household(i))];
    const result = parseHouseholdList(await readListFile(xlsxOf(rows), '名单.xlsx'));
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          row: 1,
          code: 'too_many_households',
          message: '名单有20001行农户,超过每村20000户的上限。请确认文件是否只包含一个村的名单',
        },
      ],
    });
  });

  it('refuses a sheet with more rows than any village list', async () => {
    const rows = Array.from({ length: LIST_FILE_LIMITS.maxRows + 1 }, (_, i) => [`H${i}`]);
    const error = await refusal(xlsxOf(rows), '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_many_rows', expect.stringContaining('20100')]);
  });

  it('refuses content far below the list, naming its row', async () => {
    const { sheet, sharedStrings } = sheetXml([header, household(1)]);
    const far = sheet.replace('</sheetData>', '<row r="60000"><c r="A60000"><v>1</v></c></row></sheetData>');
    const error = await refusal(xlsx({ sheet: far, sharedStrings }), '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_many_rows', expect.stringContaining('第60000行')]);
  });

  it('refuses more cells than a list needs', async () => {
    const wide = Array.from({ length: 64 }, (_, c) => `列${c}`);
    const rows = Array.from({ length: Math.ceil(LIST_FILE_LIMITS.maxCells / 64) + 1 }, () => wide);
    const error = await refusal(xlsxOf(rows), '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('有内容的单元格')]);
  });

  it('refuses a shared-string table larger than a list needs', async () => {
    const { sheet } = sheetXml([header]);
    const huge = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${Array.from({ length: LIST_FILE_LIMITS.maxSharedStrings + 1 }, (_, i) => `<si><t>${i}</t></si>`).join('')}</sst>`;
    const file = zip([
      {
        name: 'xl/workbook.xml',
        data: '<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data:
          '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
      },
      { name: 'xl/worksheets/sheet1.xml', data: sheet },
      { name: 'xl/sharedStrings.xml', data: huge },
    ]);
    const error = await refusal(file, '名单.xlsx');
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('文字条目过多')]);
  });
});

describe('a CSV is bounded and must be text', () => {
  const encode = (text: string) => new TextEncoder().encode(text);

  it('refuses text with NUL bytes as binary', async () => {
    const bytes = encode('户编号,户主姓名,农户类型\nA1,张三,非贫困户\n');
    const withNul = new Uint8Array([...bytes.subarray(0, 10), 0, 0, 0, ...bytes.subarray(10)]);
    const error = await refusal(withNul);
    expect([error.code, error.message]).toEqual(['not_a_list', expect.stringContaining('二进制')]);
  });

  it('refuses more rows than any village list', async () => {
    const text = Array.from({ length: LIST_FILE_LIMITS.maxRows + 1 }, (_, i) => `H${i},张三,非贫困户`).join(
      '\n',
    );
    const error = await refusal(encode(text));
    expect(error.code).toBe('too_many_rows');
  });

  it('refuses content in column 65 but ignores empty trailing columns', async () => {
    const wideEmpty = `户编号,户主姓名,农户类型${','.repeat(500)}\nA1,张三,非贫困户${','.repeat(500)}\n`;
    expect(await readListFile(encode(wideEmpty), 'x.csv')).toEqual([
      ['户编号', '户主姓名', '农户类型'],
      ['A1', '张三', '非贫困户'],
    ]);
    const error = await refusal(encode(`户编号,户主姓名,农户类型\nA1,张三,非贫困户${','.repeat(62)}x\n`));
    expect([error.code, error.message]).toEqual(['too_many_columns', expect.stringContaining('第2行第65列')]);
  });

  it('refuses a line of a megabyte', async () => {
    const error = await refusal(encode(`户编号,户主姓名\nA1,${'张'.repeat(400_000)}\n`));
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('第2行内容过长')]);
  });

  it('refuses content far below the list', async () => {
    const error = await refusal(encode(`户编号,户主姓名,农户类型\n${'\n'.repeat(60_000)}x\n`));
    expect(error.code).toBe('too_many_rows');
  });

  it('refuses a file larger than any list', async () => {
    const error = await refusal(new Uint8Array(LIST_FILE_LIMITS.maxFileBytes + 1).fill(0x41));
    expect([error.code, error.message]).toEqual(['too_large', expect.stringContaining('文件过大')]);
  });
});

describe('the sample lists in local/sample-data', () => {
  const villages = {
    交东村: { id: 'jiaodong', name: '交东村', idPrefix: '45068101' },
    大田村: { id: 'datian', name: '大田村', idPrefix: '45068102' },
    马路村: { id: 'malu', name: '马路村', idPrefix: '45068103' },
  };
  const others = [
    { id: 'jiangna', name: '江那村' },
    { id: 'zhushan', name: '竹山村' },
    ...Object.values(villages),
  ];
  const optionsFor = (name: keyof typeof villages): HouseholdListOptions => ({
    village: villages[name],
    others: others.filter((v) => v.name !== name),
  });
  const sample = async (file: string) =>
    readListFile(
      new Uint8Array(await readFile(new URL(`../../local/sample-data/${file}`, import.meta.url))),
      file,
    );

  it.each([
    ['交东村', 'csv', 30],
    ['交东村', 'xlsx', 30],
    ['大田村', 'csv', 24],
    ['大田村', 'xlsx', 24],
    ['马路村', 'csv', 36],
    ['马路村', 'xlsx', 36],
  ] as const)('reads %s农户名单.%s for its own village', async (village, ext, count) => {
    const result = parseHouseholdList(await sample(`${village}农户名单.${ext}`), optionsFor(village));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.households).toHaveLength(count);
    expect(result.households.every((h) => h.population !== undefined && h.team !== undefined)).toBe(true);
    expect(result.droppedColumns).toEqual([]);
  });

  it('refuses 大田村农户名单.xlsx uploaded for 交东村, naming 大田村', async () => {
    const result = parseHouseholdList(await sample('大田村农户名单.xlsx'), optionsFor('交东村'));
    expect(result).toMatchObject({
      ok: false,
      wrongVillage: { villageId: 'datian', name: '大田村', evidence: 'title' },
    });
    expect(!result.ok && result.errors[0]!.message).toBe(
      '该名单似乎是大田村的(标题为「大田村农户名单(2017年)」),不是交东村的。请确认后重新上传。',
    );
  });

  it('refuses 大田村农户名单.csv (no title) uploaded for 交东村 by its household ids', async () => {
    const result = parseHouseholdList(await sample('大田村农户名单.csv'), optionsFor('交东村'));
    expect(result).toMatchObject({ ok: false, wrongVillage: { villageId: 'datian', evidence: 'ids' } });
    expect(!result.ok && result.errors[0]!.message).toContain('大田村');
  });
});
