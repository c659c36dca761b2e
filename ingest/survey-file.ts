// Reads a file of paper-filled surveys typed in by the office: JSON (an array of records) or XLSX
// (one sheet per kind, header row = question ids, one record per row). This only turns the file
// into records and reports what is malformed; the answers are checked by the form engine in
// app/import-surveys.ts, the same way as answers typed in the chat.
//
// JSON record: { kind: 'household'|'village', villageId, householdId?, inspectorId?,
//                answers: { <questionId>: value } }   (null answers are left out)
// XLSX: sheets named household/农户调查表 and village/村级调查表 (others, e.g. 说明, are ignored);
//       columns villageId, householdId, inspectorId, then question ids; blank cells are no answer.
//       The raw export (reports/raw.ts) is such a file: its first row holds these ids, its second
//       row the labels (skipped), its derived columns (镇, 调查员, 提示标记 …) are ignored, its
//       surveyId names the stored survey (`import --update`), and a multi-select question's 0/1
//       option columns are read beside its joined answer (app/import-surveys.ts decides between them).

import type { ImportKind, RecordIssue, SurveyRecord } from '../app/import-surveys';
import { choicesOf } from '../domain/engine';
import { forms } from '../domain/forms/index';
import type { AnswerValue } from '../domain/forms/types';
import { DERIVED_COLUMNS, parseOptionColumn, RECORD_COLUMNS, VILLAGE_ID_LABEL } from '../domain/raw-columns';

/** A column's letters as the spreadsheet shows them (1 → A, 27 → AA). */
export function columnName(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export interface SurveyFile {
  records: SurveyRecord[];
  issues: RecordIssue[];
}

const KIND_LABEL: Readonly<Record<ImportKind, string>> = { household: '农户调查表', village: '村级调查表' };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const isZip = (b: Uint8Array) => ZIP_MAGIC.every((x, i) => b[i] === x);

export async function readSurveyFile(bytes: Uint8Array, fileName: string): Promise<SurveyFile> {
  const where = fileName;
  if (bytes.length === 0) return fileIssue(where, '文件是空的');
  if (isZip(bytes)) return readXlsx(bytes, fileName);
  if (fileName.toLowerCase().endsWith('.xlsx'))
    return fileIssue(where, '无法读取该 .xlsx 文件,文件可能已损坏');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8').decode(bytes).replace(/^\ufeff/, ''));
  } catch (cause) {
    return fileIssue(where, `文件既不是 Excel 工作簿(.xlsx),也不是有效的 JSON:${(cause as Error).message}`);
  }
  return readJson(json);
}

const fileIssue = (where: string, message: string): SurveyFile => ({
  records: [],
  issues: [{ where, message }],
});

// ---------------------------------------------------------------------------------------------
// JSON

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An id may be typed as a number (household ids often are). */
function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) ? v.toFixed(0) : String(v);
  return undefined;
}

function answerOf(v: unknown): AnswerValue | null | 'bad' {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return v.map(String);
  return 'bad';
}

function readJson(json: unknown): SurveyFile {
  const list = isObject(json) && Array.isArray(json.records) ? json.records : json;
  if (!Array.isArray(list)) {
    return fileIssue(
      '文件',
      'JSON 文件应是一个调查表记录的数组:[{ "kind": "household", "villageId": …, "answers": {…} }, …]',
    );
  }
  const records: SurveyRecord[] = [];
  const issues: RecordIssue[] = [];
  for (const [i, raw] of list.entries()) {
    const no = i + 1;
    const where = `第${no}条`;
    const bad = (message: string, questionId?: string): void => {
      issues.push({ record: no, where, ...(questionId ? { questionId } : {}), message });
    };
    if (!isObject(raw)) {
      bad('记录应是一个对象');
      continue;
    }
    const kind = raw.kind;
    if (kind !== 'household' && kind !== 'village') {
      bad('kind 应为 household(农户调查表)或 village(村级调查表)');
      continue;
    }
    const villageId = idOf(raw.villageId);
    if (!villageId) {
      bad('缺少村编号 villageId');
      continue;
    }
    const householdId = idOf(raw.householdId);
    const inspectorId = idOf(raw.inspectorId);
    if (!isObject(raw.answers)) {
      bad('缺少答案 answers(题目编号 → 答案)');
      continue;
    }
    const answers: Record<string, AnswerValue> = {};
    for (const [id, v] of Object.entries(raw.answers)) {
      const a = answerOf(v);
      if (a === 'bad') bad('答案应是文字、数字或文字列表', id);
      else if (a !== null) answers[id] = a;
    }
    records.push({
      no,
      where,
      kind,
      villageId,
      ...(householdId ? { householdId } : {}),
      ...(inspectorId ? { inspectorId } : {}),
      answers,
    });
  }
  return { records, issues };
}

// ---------------------------------------------------------------------------------------------
// XLSX

function sheetKind(name: string): ImportKind | undefined {
  const n = name.trim().toLowerCase();
  if (n === 'household' || n === '农户调查表' || n === '农户') return 'household';
  if (n === 'village' || n === '村级调查表' || n === '村级') return 'village';
  return undefined;
}

/** A cell as an answer: numbers stay numbers, text is trimmed, blank is no answer. */
function cellValue(value: unknown): AnswerValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return cellValue(
        v.richText.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join(''),
      );
    }
    if ('formula' in v || 'sharedFormula' in v) return cellValue(v.result);
    if ('text' in v) return cellValue(v.text);
  }
  return undefined;
}

/** A local time cell of the export (a date, or the text 2017-10-31 10:00) as "2017-10-31 10:00". */
function wallClock(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime()))
    return value.toISOString().slice(0, 16).replace('T', ' ');
  // Saved as text by WPS or a CSV round: 2017-10-31 10:00, 2017/10/31 10:00, 2017/10/31 10:00:00.
  const m =
    typeof value === 'string'
      ? /^(\d{4})[-/](\d{1,2})[-/](\d{1,2}) (\d{1,2}):(\d\d)(?::\d\d)?$/.exec(value.trim())
      : null;
  if (!m) return undefined;
  const two = (x: string | undefined) => (x ?? '').padStart(2, '0');
  return `${m[1]}-${two(m[2])}-${two(m[3])} ${two(m[4])}:${m[5]}`;
}

async function readXlsx(bytes: Uint8Array, fileName: string): Promise<SurveyFile> {
  // Imported when an XLSX is read: a JSON file never needs exceljs.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  } catch {
    return fileIssue(fileName, '无法读取该 .xlsx 文件,文件可能已损坏或并非 Excel 工作簿');
  }
  const records: SurveyRecord[] = [];
  const issues: RecordIssue[] = [];
  const sheets = wb.worksheets.filter((ws) => sheetKind(ws.name) !== undefined);
  if (sheets.length === 0) {
    return fileIssue(
      fileName,
      '没有找到可导入的工作表:请把农户调查表放在名为“household”或“农户调查表”的工作表,村级调查表放在“village”或“村级调查表”',
    );
  }
  let no = 0;
  for (const ws of sheets) {
    const kind = sheetKind(ws.name)!;
    const form = forms[kind]!;
    const questions = new Map(form.questions.map((q) => [q.id, q]));
    const header = ws.getRow(1);
    const columns: { col: number; id: string }[] = [];
    /** Option columns of multi-select questions (the raw export's 0/1 columns). */
    const options: { col: number; questionId: string; choiceId: string }[] = [];
    /** The export's 最后修改时间: a row exported before the survey last changed is stale. */
    let updatedCol: number | undefined;
    /** …and its version then (exact). */
    let versionCol: number | undefined;
    for (let c = 1; c <= header.cellCount; c++) {
      const id = cellValue(header.getCell(c).value);
      if (id === undefined) continue;
      const text = String(id);
      const option = parseOptionColumn(text);
      const multi = option ? questions.get(option.questionId) : undefined;
      if (multi?.type === 'multi' && choicesOf(multi).some((ch) => ch.id === option?.choiceId)) {
        options.push({ col: c, questionId: multi.id, choiceId: option!.choiceId });
      } else if (text === 'updatedAt') {
        updatedCol = c;
      } else if (text === 'version') {
        versionCol = c;
      } else if (DERIVED_COLUMNS.has(text)) {
        // Derived from the survey (镇, 调查员, 提示标记 …): written by the export, never read back.
      } else if (!(RECORD_COLUMNS as readonly string[]).includes(text) && !questions.has(text)) {
        issues.push({
          where: `${ws.name} 第1行${columnName(c)}列`,
          questionId: text,
          message: `“${text}”不是${KIND_LABEL[kind]}的题目编号,也不是 villageId/householdId/inspectorId`,
        });
      } else columns.push({ col: c, id: text });
    }
    const villageCol = columns.find((c) => c.id === 'villageId')?.col;
    if (villageCol === undefined) {
      issues.push({ where: `${ws.name} 第1行`, message: '表头缺少 villageId(村编号)列' });
      continue;
    }
    const isRecordColumn = (id: string) => (RECORD_COLUMNS as readonly string[]).includes(id);
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      // The raw export's second header row (what people read) is no survey.
      if (r === 2 && cellValue(row.getCell(villageCol).value) === VILLAGE_ID_LABEL) continue;
      const cells = columns.map((c) => [c.id, cellValue(row.getCell(c.col).value)] as const);
      const bits = options.map((o) => [o, cellValue(row.getCell(o.col).value)] as const);
      if (cells.every(([, v]) => v === undefined) && bits.every(([, v]) => v === undefined)) continue;
      no += 1;
      const where = `${ws.name} 第${r}行`;
      const meta = Object.fromEntries(cells.filter(([id]) => isRecordColumn(id)));
      const villageId = idOf(meta.villageId);
      if (!villageId) {
        issues.push({ record: no, where, message: '缺少村编号 villageId' });
        continue;
      }
      const surveyId = idOf(meta.surveyId);
      const householdId = idOf(meta.householdId);
      const inspectorId = idOf(meta.inspectorId);
      const answers: Record<string, AnswerValue> = {};
      for (const [id, v] of cells) if (v !== undefined && !isRecordColumn(id)) answers[id] = v;
      const selections: Record<string, string[]> = {};
      for (const [o, v] of bits) {
        if (v === undefined) continue;
        const chosen = v === 1 || v === '1' ? true : v === 0 || v === '0' ? false : undefined;
        if (chosen === undefined) {
          issues.push({
            record: no,
            where: `${where}${columnName(o.col)}列`,
            questionId: o.questionId,
            message: `多选题的选项列只能填 1(选)或 0(不选),不能填“${String(v)}”`,
          });
          continue;
        }
        selections[o.questionId] ??= [];
        if (chosen) selections[o.questionId]!.push(o.choiceId);
      }
      const exportedAt = updatedCol === undefined ? undefined : wallClock(row.getCell(updatedCol).value);
      const versionCell = versionCol === undefined ? undefined : cellValue(row.getCell(versionCol).value);
      const exportedVersion =
        typeof versionCell === 'number' && Number.isInteger(versionCell)
          ? versionCell
          : typeof versionCell === 'string' && /^\d+$/.test(versionCell)
            ? Number(versionCell)
            : undefined;
      const columnsOf: Record<string, string> = {};
      for (const c of columns) if (!isRecordColumn(c.id)) columnsOf[c.id] = columnName(c.col);
      for (const o of options) columnsOf[o.questionId] ??= columnName(o.col);
      records.push({
        no,
        where,
        kind,
        villageId,
        ...(surveyId ? { surveyId } : {}),
        ...(householdId ? { householdId } : {}),
        ...(inspectorId ? { inspectorId } : {}),
        answers,
        ...(Object.keys(selections).length > 0 ? { selections } : {}),
        ...(exportedAt ? { exportedAt } : {}),
        ...(exportedVersion !== undefined ? { exportedVersion } : {}),
        columns: columnsOf,
      });
    }
  }
  return { records, issues };
}
