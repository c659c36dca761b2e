import { build } from 'esbuild';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseHouseholdList } from '../../domain/household-list';
import { ListFileError, readListFile } from '../../ingest/list-file';
import { sharedStringsXml, xlsx, xlsxOf, zip } from '../fixtures/lists/build';

const csvText = [
  '户编号,户主姓名,农户类型,人口',
  '4506810001,黄志明,"2014、2015年退出户",4',
  '4506810002,李秀英,2016年已脱贫户,3',
  '',
  '4506810003,陈国强,2017年预脱贫户,5',
].join('\r\n');

const expectedRows = [
  ['户编号', '户主姓名', '农户类型', '人口'],
  ['4506810001', '黄志明', '2014、2015年退出户', '4'],
  ['4506810002', '李秀英', '2016年已脱贫户', '3'],
  [],
  ['4506810003', '陈国强', '2017年预脱贫户', '5'],
];

const utf8 = (text: string) => new TextEncoder().encode(text);

async function xlsxBytes(build: (workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

async function listFileError(promise: Promise<unknown>): Promise<ListFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ListFileError);
  return error as ListFileError;
}

describe('readListFile', () => {
  it('reads a GBK-encoded CSV as written by Chinese Excel', async () => {
    const bytes = new Uint8Array(iconv.encode(csvText, 'gbk'));
    // Guard the fixture: it must really be invalid UTF-8, or this test proves nothing.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(await readListFile(bytes, '大田村.csv')).toEqual(expectedRows);
  });

  it('reads a GB18030 CSV with a character outside GBK', async () => {
    const text = '户编号,户主姓名,农户类型\r\nA1,𠀀明,非贫困户\r\n';
    expect(await readListFile(new Uint8Array(iconv.encode(text, 'gb18030')), 'list.csv')).toEqual([
      ['户编号', '户主姓名', '农户类型'],
      ['A1', '𠀀明', '非贫困户'],
    ]);
  });

  it('reads a UTF-8 CSV with a BOM without leaking the BOM into the first header', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(csvText)]);
    const rows = await readListFile(bytes, 'list.csv');
    expect(rows).toEqual(expectedRows);
    expect(rows[0]![0]).toBe('户编号');
  });

  it('reads a plain UTF-8 CSV and trims cells', async () => {
    const bytes = utf8('户编号 , 户主姓名,农户类型\n A01 ,张三,非贫困户\n');
    expect(await readListFile(bytes, 'list.txt')).toEqual([
      ['户编号', '户主姓名', '农户类型'],
      ['A01', '张三', '非贫困户'],
    ]);
  });

  it('reads a tab-separated UTF-16 "Unicode text" export', async () => {
    const text = '户编号\t户主姓名\t农户类型\r\nA01\t张三\t非贫困户\r\n';
    const bytes = new Uint8Array([0xff, 0xfe, ...iconv.encode(text, 'utf-16le')]);
    expect(await readListFile(bytes, 'list.txt')).toEqual([
      ['户编号', '户主姓名', '农户类型'],
      ['A01', '张三', '非贫困户'],
    ]);
  });

  it('reads a UTF-16 big-endian export and a UTF-16 file that lost its BOM', async () => {
    const text = '户编号\t户主姓名\t农户类型\r\nA01\t张三\t非贫困户\r\n';
    const expected = [
      ['户编号', '户主姓名', '农户类型'],
      ['A01', '张三', '非贫困户'],
    ];
    const le = new Uint8Array(iconv.encode(text, 'utf-16le'));
    const be = new Uint8Array(le.length);
    for (let i = 0; i < le.length; i += 2) be.set([le[i + 1]!, le[i]!], i);
    expect(await readListFile(new Uint8Array([0xfe, 0xff, ...be]), 'list.txt')).toEqual(expected);
    expect(await readListFile(le, 'list.txt')).toEqual(expected);
  });

  it('reads quoted fields with commas, quotes and line breaks, keeping spreadsheet row numbers', async () => {
    const text =
      '户编号,户主姓名,备注\r\nA1,张三,"外出务工,\r\n已返乡"\r\nA2,"李""四""",无\r\n\r\nA3,王五,x"y\r\n';
    expect(await readListFile(utf8(text), 'list.csv')).toEqual([
      ['户编号', '户主姓名', '备注'],
      ['A1', '张三', '外出务工,\r\n已返乡'],
      ['A2', '李"四"', '无'],
      [],
      ['A3', '王五', 'x"y'],
    ]);
  });

  it('reads a CSV with old Mac line endings (CR only)', async () => {
    expect(await readListFile(utf8('户编号,户主姓名\rA1,张三\r'), 'list.csv')).toEqual([
      ['户编号', '户主姓名'],
      ['A1', '张三'],
    ]);
  });

  it('rejects a CSV with a quote that is never closed, naming the line it opened on', async () => {
    const error = await listFileError(
      readListFile(utf8('户编号,户主姓名\nA1,张三\nA2,"李四\nA3,王五\n'), 'list.csv'),
    );
    expect(error.code).toBe('unreadable_csv');
    expect(error.message).toContain('第3行附近格式有误');
  });

  it('feeds a GBK CSV straight into a valid household list', async () => {
    const rows = await readListFile(new Uint8Array(iconv.encode(csvText, 'gbk')), 'list.csv');
    const result = parseHouseholdList(rows);
    expect(result.ok && result.households.map((h) => h.stratum)).toEqual([
      'exited_2014_2015',
      'exited_2016',
      'planned_2017',
    ]);
  });

  it('reads the first worksheet of an XLSX with Chinese names, numeric ids and rich text', async () => {
    const bytes = await xlsxBytes((workbook) => {
      const sheet = workbook.addWorksheet('大田村农户名单');
      sheet.addRow(['户编号', '户主姓名', '农户类型', '人口']);
      sheet.addRow([450681000123, '黄志明', '2014年退出户', 4]);
      sheet.addRow([]);
      sheet.addRow([
        '4506810002',
        { richText: [{ text: '李' }, { text: '秀英', font: { bold: true } }] },
        { formula: '"2016年"&"已脱贫户"', result: '2016年已脱贫户' },
        3,
      ]);
      workbook.addWorksheet('说明').addRow(['这张表不应被读取']);
    });
    expect(await readListFile(bytes, 'upload.bin')).toEqual([
      ['户编号', '户主姓名', '农户类型', '人口'],
      ['450681000123', '黄志明', '2014年退出户', '4'],
      [],
      ['4506810002', '李秀英', '2016年已脱贫户', '3'],
    ]);
  });

  it('reads dates as the day they show, and keeps a long numeric id whole', async () => {
    const bytes = await xlsxBytes((workbook) => {
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['户编号', '户主姓名', '农户类型', '登记日期']);
      sheet.addRow([450681010100123, '黄志明', '非贫困户', new Date(Date.UTC(2017, 9, 30))]);
      sheet.getCell('D2').numFmt = 'yyyy/m/d';
    });
    expect((await readListFile(bytes, 'x.xlsx'))[1]).toEqual([
      '450681010100123',
      '黄志明',
      '非贫困户',
      '2017-10-30',
    ]);
  });

  it('reads inline strings of several runs as one text without their phonetic guide, and other cell types', async () => {
    const sheet =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">' +
      '<c r="A1" t="inlineStr"><is><r><t>黄</t></r><r><rPr><b/></rPr><t>志明</t></r><rPh sb="0" eb="1"><t>huang</t></rPh></is></c>' +
      '<c r="B1" t="d"><v>2017-10-30T00:00:00Z</v></c><c r="C1" t="b"><v>1</v></c>' +
      '<c r="D1" t="str"><f>A1&amp;"户"</f><v>黄志明户</v></c><c r="E1" t="s"><v>0</v></c></row></sheetData></worksheet>';
    const bytes = xlsx({ sheet, sharedStrings: ['A&B <甲>'] });
    expect(await readListFile(bytes, 'x.xlsx')).toEqual([
      ['黄志明', '2017-10-30', 'TRUE', '黄志明户', 'A&B <甲>'],
    ]);
  });

  it('reads the first sheet by position even when its part is not sheet1.xml', async () => {
    const one = (text: string) =>
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c></row></sheetData></worksheet>`;
    const bytes = zip([
      {
        name: 'xl/workbook.xml',
        data: '<workbook xmlns:r="r"><sheets><sheet name="名单" sheetId="2" r:id="rId2"/><sheet name="说明" sheetId="1" r:id="rId1"/></sheets></workbook>',
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data:
          '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
      },
      { name: 'xl/worksheets/sheet1.xml', data: one('说明') },
      { name: 'xl/worksheets/sheet2.xml', data: one('名单') },
      { name: 'xl/sharedStrings.xml', data: sharedStringsXml([]) },
    ]);
    expect(await readListFile(bytes, 'x.xlsx')).toEqual([['名单']]);
  });

  it('treats a cell holding only spaces as empty, even out beyond the columns read', async () => {
    const bytes = xlsxOf([['户编号', '户主姓名']], () => '<c r="XFD1" t="inlineStr"><is><t>  </t></is></c>');
    expect(await readListFile(bytes, 'x.xlsx')).toEqual([['户编号', '户主姓名']]);
  });

  it('reads a sheet with no content as no rows', async () => {
    expect(await readListFile(xlsxOf([]), 'x.xlsx')).toEqual([]);
  });

  it('needs no iconv-lite: the bundle the Lambda would ship does not contain it', async () => {
    const result = await build({
      entryPoints: [new URL('../../ingest/list-file.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('node_modules/exceljs/'))).toBe(true); // the check sees dependencies
    expect(inputs.filter((path) => path.includes('iconv-lite'))).toEqual([]);
  });

  it('rejects an old binary .xls with a typed error telling the user to save as .xlsx or CSV', async () => {
    const bytes = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
    const error = await listFileError(readListFile(bytes, '名单.csv'));
    expect(error.code).toBe('xls_unsupported');
    expect(error.message).toContain('.xlsx');
    expect(error.message).toContain('CSV');
    expect(error.message).toContain('另存为');
  });

  it('rejects a file named .xls even when it is an HTML table in disguise', async () => {
    const error = await listFileError(
      readListFile(utf8('<table><tr><td>户编号</td></tr></table>'), '导出.XLS'),
    );
    expect(error.code).toBe('xls_unsupported');
  });

  it('rejects a file named .xlsx that is not a ZIP package', async () => {
    const error = await listFileError(readListFile(utf8('户编号,户主姓名'), 'list.xlsx'));
    expect(error.code).toBe('unreadable_xlsx');
  });

  it('rejects a ZIP that is not a workbook', async () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(60).fill(0)]);
    const error = await listFileError(readListFile(bytes, 'list.xlsx'));
    expect(error.code).toBe('unreadable_xlsx');
  });

  it('rejects an empty file', async () => {
    const error = await listFileError(readListFile(new Uint8Array(), 'list.csv'));
    expect(error.code).toBe('empty_file');
  });
});
