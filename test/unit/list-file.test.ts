import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseHouseholdList } from '../../domain/household-list';
import { ListFileError, readListFile } from '../../ingest/list-file';

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
