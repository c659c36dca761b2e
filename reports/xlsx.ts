// The summary workbook in the plan's layout (附件3 表3, 附件4 表4, and 表5), per scope: the city
// first when it was built, then each town. Chinese throughout, print-ready on A4.

import ExcelJS from 'exceljs';
import { type Campaign, groupForTown, SIGNATURE_LINE, townById } from '../domain/campaign';
import {
  type ScopeTables,
  type SummaryModels,
  TABLE4_ROWS,
  type Table3,
  type Table4,
  type Table4Row,
  type Table4Value,
  type Table5,
  type Table5Delay,
  type TownTables,
} from '../domain/tables/index';
import { TABLE3_NOTE } from '../domain/tables/table3';
import {
  addPrintableSheet,
  BORDER,
  bodyRow,
  type CellValue,
  columnWidths,
  displayWidth,
  FONT,
  finishPages,
  headerRow,
  heightFor,
  type KeepTogether,
  localDateTime,
  mergedLine,
  toBuffer,
} from './sheet';

/** The seed's captions (附件3–5: 表3 督查发现问题汇总表 …), as the printed titles. */
export const TITLES = {
  table3: '表3 督查发现问题汇总表',
  table4: '表4 督查任务完成情况汇总表',
  table5: '表5 反馈问题整改情况抽查汇总表',
  comparison: '表4 督查任务完成情况分镇对比表',
} as const;

export const COMPARISON_SHEET = '表4-分镇对比';

export const TABLE4_HEADER = ['类别', '项目', '单位', '数量', '备注'] as const;
export const TABLE3_HEADER = ['序号', '类别', '问题'] as const;
export const TABLE5_HEADER = [
  '序号',
  '问题类别',
  '问题',
  '整改措施',
  '责任人',
  '整改时限',
  '整改状态',
  '抽查结果',
] as const;

interface ScopeInfo {
  /** Short name in sheet names: 全市, 东兴镇. */
  name: string;
  /** 督查镇名称 */
  town: string;
  /** 督查单位 */
  unit: string;
}

function scopeInfo(campaign: Campaign, townId: string | undefined): ScopeInfo {
  if (townId === undefined) {
    return { name: '全市', town: '全市', unit: campaign.groups.map((g) => g.name).join('、') };
  }
  const name = townById(campaign, townId)?.name ?? townId;
  return { name, town: name, unit: groupForTown(campaign, townId)?.name ?? '' };
}

const footer = (builtAt: string, campaign: Campaign) =>
  `汇总时间:${localDateTime(builtAt, campaign.timeZone)}(根据已提交的调查表和问题清单自动生成)`;

const BLANK = '__________';

/** 填表人:__________    审核人:__________ … (the campaign's signatureLine, else every item blank). */
export function signatureText(campaign: Campaign): string {
  return (campaign.signatureLine ?? SIGNATURE_LINE)
    .map((item) => `${item.label}:${item.value ?? BLANK}`)
    .join('    ');
}

/**
 * The lines under a table, from `row`: a gap, the notes, the signature line (填表人 … 单位盖章) and
 * the build time. They print together, on the table's last page when they fit there.
 */
function closingLines(
  ws: ExcelJS.Worksheet,
  row: number,
  columns: number,
  campaign: Campaign,
  builtAt: string,
  notes: readonly string[] = [],
): KeepTogether {
  let r = row;
  mergedLine(ws, r++, columns, '', { size: 6 });
  for (const note of notes) mergedLine(ws, r++, columns, note, { size: 9 });
  mergedLine(ws, r++, columns, signatureText(campaign), { size: 11 });
  mergedLine(ws, r, columns, footer(builtAt, campaign), { size: 9 });
  return { first: row, last: r };
}

/** The workbook of one build: 表3, 表4 and 表5 for the city (when built) and for each town. */
export async function summaryWorkbook(models: SummaryModels, campaign: Campaign): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = campaign.office.name;
  wb.created = new Date(models.builtAt);
  const scopes: { info: ScopeInfo; tables: ScopeTables }[] = [
    ...(models.city ? [{ info: scopeInfo(campaign, undefined), tables: models.city }] : []),
    ...models.towns.map((t) => ({ info: scopeInfo(campaign, t.townId), tables: t })),
  ];
  for (const { info, tables } of scopes) {
    addTable3(wb, info, tables.table3, models.builtAt, campaign);
    addTable4(wb, info, tables.table4, models.builtAt, campaign);
    if (tables === models.city) addComparison(wb, info, models.city, models.towns, models.builtAt, campaign);
    addTable5(wb, info, tables.table5, models.builtAt, campaign);
  }
  // The written list once, for the widest scope built: the city's, or every town's in order.
  const delays = models.city?.table5.delays ?? models.towns.flatMap((t) => t.table5.delays);
  addDelays(wb, delays, models.builtAt, campaign);
  return toBuffer(wb);
}

export const DELAY_SHEET = '表5附-延期清单';
export const DELAY_HEADER = ['序号', '镇', '问题', '延期原因', '计划完成时间'] as const;

/** 需较长时间整改的问题清单 (the seed's written list, due 11-10): what, why, by when. */
function addDelays(
  wb: ExcelJS.Workbook,
  delays: readonly Table5Delay[],
  builtAt: string,
  campaign: Campaign,
) {
  const widths = [6, 16, 46, 34, 14];
  const ws = addPrintableSheet(wb, DELAY_SHEET, widths, { orientation: 'landscape', headerRow: 3 });
  mergedLine(ws, 1, widths.length, '需较长时间整改的问题清单', { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, widths.length, `共 ${delays.length} 个问题`);
  headerRow(ws, 3, DELAY_HEADER);
  let r = 4;
  if (delays.length === 0) bodyRow(ws, r++, ['', '', '无', '', ''], { align: ['center', 'left', 'left'] });
  for (const d of delays) {
    bodyRow(ws, r++, [d.no, d.townName, `${d.place}:${d.problem}`, d.reason, d.plannedDate], {
      align: ['center', 'center', 'left', 'left', 'center'],
    });
  }
  finishPages(ws, 3, [closingLines(ws, r, widths.length, campaign, builtAt)]);
}

// ---------------------------------------------------------------------------------------------
// 表4

const display = (value: Table4Value): string | number => (value === null ? '' : value);

/** 数量: numbers right-aligned as figures, words (达标, 不能) centred. */
const valueAlign = (value: CellValue): 'center' | 'right' => (typeof value === 'string' ? 'center' : 'right');

/** 类别 cell text: the category, and the heading inside it when there is one. */
const categoryText = (row: Table4Row) => (row.group ? `${row.category}\n${row.group}` : row.category);

/**
 * 表4's rows under their 类别 from `firstRow`, each run of rows sharing a 类别 a group whose 类别
 * cell is merged down, page by page: `cells` gives the columns after 类别. Returns the groups to
 * paginate and `merge`, to call after paginating, which merges each group's 类别 cell over the
 * rows it has on each page (a group taller than a page repeats its label where it continues).
 */
function table4Body(
  ws: ExcelJS.Worksheet,
  rows: readonly Table4Row[],
  firstRow: number,
  cells: (row: Table4Row) => { values: CellValue[]; align: ('left' | 'center' | 'right')[] },
): { next: number; groups: KeepTogether[]; merge: () => void } {
  const groups: KeepTogether[] = [];
  const parts: number[][] = [];
  const labelWidth = columnWidths(ws)[0] ?? 10;
  let r = firstRow;
  let i = 0;
  while (i < rows.length) {
    const label = categoryText(rows[i]!);
    let n = 1;
    while (rows[i + n] && categoryText(rows[i + n]!) === label) n++;
    for (let k = 0; k < n; k++) {
      const row = rows[i + k]!;
      const { values, align } = cells(row);
      bodyRow(ws, r + k, [k === 0 ? label : '', ...values], {
        align: ['center', ...align],
        indent: [0, row.parent ? 1 : 0],
        // A merged 类别 cell takes its height from the rows it spans.
        ...(n > 1 ? { unmeasured: [0] } : {}),
      });
    }
    const starts = [r];
    parts.push(starts);
    groups.push({
      first: r,
      last: r + n - 1,
      continueAt: (row) => {
        starts.push(row);
        const cell = ws.getCell(row, 1);
        cell.value = label;
        // It may be the only row of the group on its page: tall enough for the label alone.
        const height = heightFor([label], [labelWidth], 10.5);
        ws.getRow(row).height = Math.max(ws.getRow(row).height ?? 0, height);
      },
    });
    r += n;
    i += n;
  }
  const merge = () => {
    groups.forEach((g, gi) => {
      const starts = parts[gi]!;
      starts.forEach((start, k) => {
        const end = (starts[k + 1] ?? g.last + 1) - 1;
        if (end > start) ws.mergeCells(start, 1, end, 1);
      });
    });
  };
  return { next: r, groups, merge };
}

function addTable4(wb: ExcelJS.Workbook, info: ScopeInfo, t: Table4, builtAt: string, campaign: Campaign) {
  const ws = addPrintableSheet(wb, `表4-${info.name}`, [20, 46, 7, 12, 26], {
    orientation: 'portrait',
    headerRow: 3,
  });
  mergedLine(ws, 1, 5, TITLES.table4, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, 5, `督查镇名称:${info.town}  督查单位:${info.unit}`);
  headerRow(ws, 3, TABLE4_HEADER);
  const body = table4Body(ws, t.rows, 4, (row) => {
    const value = display(row.value);
    return {
      values: [row.label, row.unit, value, row.note ?? ''],
      align: ['left', 'center', valueAlign(value), 'left'],
    };
  });
  finishPages(ws, 3, [...body.groups, closingLines(ws, body.next, 5, campaign, builtAt)]);
  body.merge();
}

// ---------------------------------------------------------------------------------------------
// 分镇对比: 表4 with a column per town and 合计, in the city workbook.

export const COUNTY_LEVEL = '县级数据';
const NOT_APPLICABLE = '—';

/** Why the city's figure of a row is not the sum of the towns' (shown when they differ). */
const CITY_FIGURE: Readonly<Record<string, string>> = {
  participatingDepartments: '全市为扶贫办填报数,或各组去重后的单位数',
  participatingPeople: '全市为扶贫办填报数',
};

/**
 * One row per 表4 row, with the town tables' figures side by side and the city table's in 合计:
 * the county's own figures (the office form: 九有一低于, 资金, 综合研判 …) have no per-town value
 * and are shown in 合计 only.
 */
function addComparison(
  wb: ExcelJS.Workbook,
  info: ScopeInfo,
  city: ScopeTables,
  towns: readonly TownTables[],
  builtAt: string,
  campaign: Campaign,
) {
  const names = towns.map((t) => townById(campaign, t.townId)?.name ?? t.townId);
  const townWidths = names.map((n) => Math.max(9, displayWidth(n) + 2));
  const widths = [16, 40, 6, ...townWidths, 9, 22];
  const columns = widths.length;
  const total = widths.reduce((a, b) => a + b, 0);
  const ws = addPrintableSheet(wb, COMPARISON_SHEET, widths, {
    // Portrait while a page wide still prints at three quarters size or more (about 130 characters).
    orientation: total > 130 ? 'landscape' : 'portrait',
    headerRow: 3,
  });
  mergedLine(ws, 1, columns, TITLES.comparison, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, columns, `督查范围:${info.town}(${names.join('、')})  督查单位:${info.unit}`);
  headerRow(ws, 3, ['类别', '项目', '单位', ...names, '合计', '备注']);
  const defs = new Map(TABLE4_ROWS.map((d) => [d.id, d]));
  const townRows = towns.map((t) => new Map(t.table4.rows.map((row) => [row.id, row])));
  const body = table4Body(ws, city.table4.rows, 4, (row) => {
    const rule = defs.get(row.id)?.rule;
    const countyLevel = rule?.kind === 'office';
    const perTown = townRows.map((rows) =>
      countyLevel ? NOT_APPLICABLE : display(rows.get(row.id)?.value ?? null),
    );
    const cityValue = display(row.value);
    const numbers = perTown.filter((v): v is number => typeof v === 'number');
    const sum = numbers.reduce((a, b) => a + b, 0);
    let note = countyLevel ? COUNTY_LEVEL : '';
    if (
      !countyLevel &&
      typeof cityValue === 'number' &&
      numbers.length === perTown.length &&
      sum !== cityValue &&
      rule?.kind === 'special'
    ) {
      note = CITY_FIGURE[rule.name] ?? '';
    }
    const values = [...perTown, cityValue];
    return {
      values: [row.label, row.unit, ...values, note],
      align: ['left', 'center', ...values.map(valueAlign), 'left'],
    };
  });
  finishPages(ws, 3, [...body.groups, closingLines(ws, body.next, columns, campaign, builtAt)]);
  body.merge();
}

// ---------------------------------------------------------------------------------------------
// 表3

function addTable3(wb: ExcelJS.Workbook, info: ScopeInfo, t: Table3, builtAt: string, campaign: Campaign) {
  const widths = [8, 22, 76];
  const ws = addPrintableSheet(wb, `表3-${info.name}`, widths, {
    orientation: 'portrait',
    headerRow: 3,
  });
  mergedLine(ws, 1, 3, TITLES.table3, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, 3, `督查镇名称:${info.town}  督查单位:${info.unit}`);
  headerRow(ws, 3, TABLE3_HEADER);
  let r = 4;
  const centerFirst = { align: ['center', 'left', 'left'] as const };
  // Each category's rows (the section's heading row with its first part) print together; a
  // category longer than a page names itself, 续, in 类别 on each page it continues on.
  const groups: KeepTogether[] = [];
  for (const section of t.sections) {
    const count = section.parts.reduce((n, p) => n + p.rows.length, 0);
    let first = r;
    bodyRow(ws, r++, [section.no, section.title, count === 0 ? '无' : ''], { ...centerFirst, bold: true });
    section.parts.forEach((part, pi) => {
      if (pi > 0) first = r;
      if (part.label) {
        bodyRow(ws, r++, ['', part.label, part.rows.length === 0 ? '无' : ''], {
          ...centerFirst,
          bold: true,
        });
      }
      for (const row of part.rows) {
        bodyRow(ws, r++, [row.no, '', `${row.place}:${row.text}`], centerFirst);
      }
      const label = `${part.label ? `${section.title}·${part.label}` : section.title}(续)`;
      groups.push({
        first,
        last: r - 1,
        continueAt: (row) => {
          const cell = ws.getCell(row, 2);
          cell.value = label;
          const height = heightFor([label], [widths[1]!], 10.5);
          ws.getRow(row).height = Math.max(ws.getRow(row).height ?? 0, height);
        },
      });
    });
  }
  finishPages(ws, 3, [...groups, closingLines(ws, r, 3, campaign, builtAt, [TABLE3_NOTE])]);
}

// ---------------------------------------------------------------------------------------------
// 表5

function addTable5(wb: ExcelJS.Workbook, info: ScopeInfo, t: Table5, builtAt: string, campaign: Campaign) {
  const widths = [6, 18, 40, 30, 16, 12, 12, 20];
  const ws = addPrintableSheet(wb, `表5-${info.name}`, widths, { orientation: 'landscape', headerRow: 3 });
  mergedLine(ws, 1, widths.length, TITLES.table5, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, widths.length, `督查镇名称:${info.town}  督查单位:${info.unit}`);
  headerRow(ws, 3, TABLE5_HEADER);
  let r = 4;
  const several = t.towns.length > 1;
  // A town's rows print together when they fit on a page (the heading names the town).
  const groups: KeepTogether[] = [];
  for (const town of t.towns) {
    const first = r;
    if (several) {
      ws.mergeCells(r, 1, r, widths.length);
      const cell = ws.getCell(r, 1);
      cell.value = `${town.townName}(${town.rows.length}个问题)`;
      cell.font = { name: FONT, size: 11, bold: true };
      cell.alignment = { vertical: 'middle', wrapText: true };
      cell.border = BORDER;
      ws.getRow(r).height = 20;
      r++;
    }
    if (town.rows.length === 0) {
      bodyRow(ws, r++, ['', '', '无', '', '', '', '', ''], { align: ['center', 'left', 'left'] });
    }
    for (const row of town.rows) {
      bodyRow(
        ws,
        r++,
        [
          row.no,
          row.category,
          `${row.place}:${row.problem}`,
          row.measures,
          row.responsible,
          row.deadline,
          row.statusLabel,
          row.checkResult,
        ],
        { align: ['center', 'left', 'left', 'left', 'left', 'center', 'center', 'left'] },
      );
    }
    if (several) groups.push({ first, last: r - 1 });
  }
  finishPages(ws, 3, [...groups, closingLines(ws, r, widths.length, campaign, builtAt)]);
}
