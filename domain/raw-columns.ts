// The raw export's column ids (its first header row), shared by the writer (reports/raw.ts) and
// the reader that takes an edited export back (ingest/survey-file.ts): a question's column is its
// question id; the others are named here. Pure data.

/**
 * The columns before the answers: machine ids (the workbook's first row, what `npm run import`
 * reads back) and the labels people read (its second row; the CSV's header).
 */
export const RAW_META_COLUMNS = [
  ['surveyId', '问卷编号'],
  ['town', '镇'],
  ['village', '村'],
  ['villageId', '村编号'],
  ['householdId', '农户编号'],
  ['group', '检查组'],
  ['inspectorId', '调查员编号'],
  ['inspector', '调查员'],
  ['status', '状态'],
  ['formVersion', '表单版本'],
  ['createdAt', '创建时间'],
  ['submittedAt', '提交时间'],
  ['updatedAt', '最后修改时间'],
  // The survey's version when exported: `import --update` refuses a row whose survey changed
  // since (exact, where the time above is to the minute).
  ['version', '数据版本(勿改)'],
] as const;

/** Ids of the columns after the answers; `import` ignores them (they are derived). */
export const RAW_TRAILING_COLUMNS = [
  ['_flags', '提示标记'],
  ['_confirmations', '确认说明'],
] as const;

/** The visit's evidence in raw data: photo count, where it was sent from, its flags and reasons. */
export const RAW_EVIDENCE_COLUMNS = [
  ['_photos', '照片数'],
  ['_lat', '纬度'],
  ['_lon', '经度'],
  ['_distanceKm', '距村(公里)'],
  ['_evidenceFlags', '证据标记'],
  ['_evidenceNotes', '证据说明'],
] as const;

/** The columns an import reads as the record's own (the rest of the meta is derived). */
export const RECORD_COLUMNS = ['surveyId', 'villageId', 'householdId', 'inspectorId'] as const;

/** Every column id of the export that is neither a question nor read by an import. */
export const DERIVED_COLUMNS: ReadonlySet<string> = new Set([
  ...RAW_META_COLUMNS.map(([id]) => id).filter((id) => !(RECORD_COLUMNS as readonly string[]).includes(id)),
  ...RAW_TRAILING_COLUMNS.map(([id]) => id),
  ...RAW_EVIDENCE_COLUMNS.map(([id]) => id),
]);

/** The label of the village id column: the export's second header row is known by it. */
export const VILLAGE_ID_LABEL = '村编号';

/** The column of one option of a multi-select question: 1 when chosen, 0 when not. */
export const optionColumnId = (questionId: string, choiceId: string) => `${questionId}/${choiceId}`;

/** The question and option of an option column id, if it is one. */
export function parseOptionColumn(id: string): { questionId: string; choiceId: string } | undefined {
  const m = /^([^/]+)\/([^/]+)$/.exec(id);
  return m ? { questionId: m[1]!, choiceId: m[2]! } : undefined;
}
