// The summary workbook in the plan's layout (附件3 表3, 附件4 表4, and 表5), per scope: the city
// first when it was built, then each town. Chinese throughout, print-ready on A4.

import ExcelJS from 'exceljs';
import { type Campaign, groupForTown, townById } from '../domain/campaign';
import type {
  ScopeTables,
  SummaryModels,
  Table3,
  Table4,
  Table4Row,
  Table5,
  Table5Delay,
} from '../domain/tables/index';
import { TABLE3_NOTE } from '../domain/tables/table3';
import {
  addPrintableSheet,
  BORDER,
  bodyRow,
  FONT,
  headerRow,
  localDateTime,
  mergedLine,
  toBuffer,
} from './sheet';

export const TITLES = {
  table3: '脱贫攻坚大检查发现问题汇总表',
  table4: '脱贫攻坚大检查任务完成情况汇总表',
  table5: '反馈问题整改情况抽查汇总表',
} as const;

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
  mergedLine(ws, r + 1, widths.length, footer(builtAt, campaign), { size: 9 });
}

// ---------------------------------------------------------------------------------------------
// 表4

const display = (row: Table4Row): string | number => (row.value === null ? '' : row.value);

/** 类别 cell text: the category, and the heading inside it when there is one. */
const categoryText = (row: Table4Row) => (row.group ? `${row.category}\n${row.group}` : row.category);

function addTable4(wb: ExcelJS.Workbook, info: ScopeInfo, t: Table4, builtAt: string, campaign: Campaign) {
  const ws = addPrintableSheet(wb, `表4-${info.name}`, [20, 46, 7, 12, 26], {
    orientation: 'portrait',
    headerRow: 3,
  });
  mergedLine(ws, 1, 5, TITLES.table4, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, 5, `督查镇名称:${info.town}  督查单位:${info.unit}`);
  headerRow(ws, 3, TABLE4_HEADER);
  // Runs of rows sharing a 类别 cell, merged down; their height comes from the other columns.
  const runLength = t.rows.map((row, i) => {
    let n = 1;
    while (t.rows[i + n] && categoryText(t.rows[i + n]!) === categoryText(row)) n++;
    return n;
  });
  let r = 4;
  let i = 0;
  while (i < t.rows.length) {
    const n = runLength[i]!;
    for (let k = 0; k < n; k++) {
      const row = t.rows[i + k]!;
      bodyRow(
        ws,
        r + k,
        [k === 0 ? categoryText(row) : '', row.label, row.unit, display(row), row.note ?? ''],
        {
          align: ['center', 'left', 'center', 'right', 'left'],
          indent: [0, row.parent ? 1 : 0, 0, 0, 0],
          ...(n > 1 ? { unmeasured: [0] } : {}),
        },
      );
    }
    if (n > 1) ws.mergeCells(r, 1, r + n - 1, 1);
    r += n;
    i += n;
  }
  mergedLine(ws, r + 1, 5, footer(builtAt, campaign), { size: 9 });
}

// ---------------------------------------------------------------------------------------------
// 表3

function addTable3(wb: ExcelJS.Workbook, info: ScopeInfo, t: Table3, builtAt: string, campaign: Campaign) {
  const ws = addPrintableSheet(wb, `表3-${info.name}`, [8, 22, 76], {
    orientation: 'portrait',
    headerRow: 3,
  });
  mergedLine(ws, 1, 3, TITLES.table3, { size: 16, bold: true, align: 'center' });
  mergedLine(ws, 2, 3, `督查镇名称:${info.town}  督查单位:${info.unit}`);
  headerRow(ws, 3, TABLE3_HEADER);
  let r = 4;
  const centerFirst = { align: ['center', 'left', 'left'] as const };
  for (const section of t.sections) {
    const count = section.parts.reduce((n, p) => n + p.rows.length, 0);
    bodyRow(ws, r++, [section.no, section.title, count === 0 ? '无' : ''], { ...centerFirst, bold: true });
    for (const part of section.parts) {
      if (part.label) {
        bodyRow(ws, r++, ['', part.label, part.rows.length === 0 ? '无' : ''], {
          ...centerFirst,
          bold: true,
        });
      }
      for (const row of part.rows) {
        bodyRow(ws, r++, [row.no, '', `${row.place}:${row.text}`], centerFirst);
      }
    }
  }
  mergedLine(ws, r + 1, 3, TABLE3_NOTE, { size: 9 });
  mergedLine(ws, r + 2, 3, footer(builtAt, campaign), { size: 9 });
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
  for (const town of t.towns) {
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
  }
  mergedLine(ws, r + 1, widths.length, footer(builtAt, campaign), { size: 9 });
}
