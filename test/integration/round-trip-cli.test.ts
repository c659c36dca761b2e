// The office corrects data through a spreadsheet (issue 20): the raw export, edited in Excel (here
// with exceljs, as Excel saves it) and imported with `npm run import -- FILE --update`, changes
// exactly the answers that were edited, as the office's edits: checked by the form engine, each
// change in the survey's history with who, when, old → new and the reason, 表4 and the group
// report following. A dry run lists the changes first; a broken value refuses the file whole,
// naming the row and the column. Child processes against dynalite, as the office runs them.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportState, signOffGroupReport } from '../../app/group-report';
import { ManualClock } from '../../app/messaging';
import { surveyIdFor } from '../../app/surveys';
import { type ApplyResult, applyAnswer, choicesOf, nextQuestion } from '../../domain/engine';
import { formById } from '../../domain/forms';
import { EMPTY_STATE, type FormContext, type SurveyState } from '../../domain/forms/types';
import type { Person, Survey } from '../../domain/model';
import { computeTable4, TABLE4_ROWS } from '../../domain/tables/index';
import { table4ById } from '../../reports/json';
import { DynamoStore } from '../../store/dynamo-store';
import { localEnv, runScript } from '../support/cli';
import { type Engine, startEngine } from '../support/engines';
import { rng, scriptHousehold } from '../support/household-scripts';
import { storeSurveys } from '../support/stored-surveys';
import { submittedHousehold } from '../support/submitted-surveys';
import { campaign } from '../support/system';

const TABLE = 'round-trip';
const TOWN = 'dongxing';
const VILLAGE = 'datian';
const GROUP = campaign.groups.find((g) => g.townId === TOWN)!.id;

let engine: Engine;
let store: DynamoStore;
let dir: string;

/** `npm run <script>` against the test's table. */
const cli = (script: 'summary' | 'import', ...args: string[]) =>
  runScript(script, args, localEnv(engine.endpoint, TABLE));

/** A poor village's survey as an inspector would fill it: the form asked until its end. */
function villageSurvey(): Survey {
  const form = formById('village')!;
  const ctx: FormContext = {
    povertyLine: campaign.povertyLine,
    year: campaign.year,
    incomeCutoff: campaign.incomeCutoff,
    villageType: 'non_poor',
    prefill: { v1_type: 'non_poor' },
  };
  const chosen: Record<string, unknown> = { v1_type: { choice: 'poor' } };
  let state: SurveyState = EMPTY_STATE;
  for (let step = 0; step < 300; step++) {
    const q = nextQuestion(form, ctx, state);
    if (!q) break;
    const first = choicesOf(q)[0]?.id ?? '';
    const inputs = [
      chosen[q.id],
      q.id === 'v2_public_services' ? { choices: ['office', 'clinic'] } : undefined,
      q.type === 'multi' ? { choices: [first] } : undefined,
      ...(choicesOf(q).length > 0 ? choicesOf(q).map((c) => ({ choice: c.id })) : []),
      ...['100', '10', '1', '0', '98', '村里情况正常', '无', '张三'].map((text) => ({ text })),
    ].filter((x) => x !== undefined);
    let result: ApplyResult | undefined;
    for (const input of inputs) {
      result = applyAnswer(form, ctx, state, q.id, input as never, { confirm: { reason: '已核实' } });
      if (result.kind === 'accepted') break;
    }
    if (result?.kind !== 'accepted') throw new Error(`no answer fits ${q.id}`);
    state = result.state;
  }
  const now = '2017-10-31T09:00:00.000Z';
  return {
    id: surveyIdFor(campaign.id, { kind: 'village', villageId: VILLAGE }),
    campaignId: campaign.id,
    kind: 'village',
    formId: form.id,
    formVersion: form.version,
    townId: TOWN,
    villageId: VILLAGE,
    groupId: GROUP,
    inspectorId: '8001',
    status: 'submitted',
    answers: state.answers,
    confirmations: { ...state.confirmations },
    flags: [],
    history: [],
    submittedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

function household(i: number): Survey {
  const plan = {
    name: ['黄明', '李华'][i]!,
    stratum: 'registered_poor' as const,
    villageType: 'non_poor' as const,
  };
  const script = scriptHousehold(campaign, plan, rng(40 + i), { inputs: { h2_income: '5200' } });
  const householdId = `4506810200${i}`;
  return submittedHousehold({
    id: surveyIdFor(campaign.id, { kind: 'household', villageId: VILLAGE, householdId }),
    campaign,
    place: { townId: TOWN, villageId: VILLAGE, groupId: GROUP },
    householdId,
    inspectorId: '8001',
    answers: script.expected,
    confirmations: script.state.confirmations,
    submittedAt: '2017-10-31T08:00:00.000Z',
    extra: { sampled: { name: plan.name, stratum: plan.stratum, index: i } },
  });
}

const leader: Person = {
  id: '8101',
  grants: [{ role: 'leader', groupId: GROUP }],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00.000Z',
  updatedAt: '2017-10-30T00:00:00.000Z',
};

const surveys = [household(0), household(1), villageSurvey()];
const [huang, li, village] = surveys as [Survey, Survey, Survey];

/** The raw export, as `npm run summary` writes it. */
async function exported(): Promise<ExcelJS.Workbook> {
  const out = await cli('summary', '--format', 'xlsx', '--out', dir);
  expect(out.stderr).toBe('');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(join(dir, `raw-${campaign.id}-city.xlsx`));
  return book;
}

/** Sets one cell of the survey's row, found by its 问卷编号 and the column's id (row 1). */
function edit(book: ExcelJS.Workbook, sheet: string, surveyId: string, columnId: string, value: unknown) {
  const ws = book.getWorksheet(sheet)!;
  let col = 0;
  ws.getRow(1).eachCell((cell, n) => {
    if (cell.value === columnId) col = n;
  });
  expect(col, columnId).toBeGreaterThan(0);
  let done = false;
  ws.eachRow((row) => {
    if (row.getCell(1).value === surveyId) {
      row.getCell(col).value = value as ExcelJS.CellValue;
      done = true;
    }
  });
  expect(done, surveyId).toBe(true);
}

beforeAll(async () => {
  engine = await startEngine('dynalite', TABLE);
  store = new DynamoStore({ client: engine.client, tableName: TABLE });
  dir = await mkdtemp(join(tmpdir(), 'round-trip-'));
  await store.putCampaign(campaign);
  await storeSurveys(store, campaign, surveys);
  // The group leader signed the report off before the office's corrections.
  await signOffGroupReport(
    { store, clock: new ManualClock(new Date('2017-11-01T00:00:00Z')) },
    leader,
    campaign,
  );
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run import -- FILE --update (an edited raw export)', { timeout: 240_000 }, () => {
  let file: string;

  it('exports two header rows (ids for the import, labels for people) and 0/1 columns per option', async () => {
    const book = await exported();
    const ws = book.getWorksheet('村级调查表')!;
    const ids = (ws.getRow(1).values as unknown[]).slice(1);
    const labels = (ws.getRow(2).values as unknown[]).slice(1);
    expect(ids.slice(0, 5)).toEqual(['surveyId', 'town', 'village', 'villageId', 'householdId']);
    expect(labels.slice(0, 4)).toEqual(['问卷编号', '镇', '村', '村编号']);
    const joined = ids.indexOf('v2_public_services');
    expect(ids.slice(joined, joined + 4)).toEqual([
      'v2_public_services',
      'v2_public_services/office',
      'v2_public_services/board',
      'v2_public_services/clinic',
    ]);
    const row = (ws.getRow(3).values as unknown[]).slice(1);
    expect(row.slice(joined, joined + 4)).toEqual(['办公场所、卫生室', 1, 0, 1]);
    // The filter sits on the labels' row.
    expect(String(ws.autoFilter)).toMatch(/^A2:[A-Z]+2$/);
  });

  it('a dry run lists exactly the edited answers and changes nothing', async () => {
    const book = await exported();
    edit(book, '农户调查表', huang.id, 'h2_income', 5800);
    edit(book, '农户调查表', li.id, 'h4_opinions', '希望修通屯级道路');
    // The multi-select changed in its option column only, as a person ticking a box would.
    edit(book, '村级调查表', village.id, 'v2_public_services/court', 1);
    file = join(dir, '原始数据-改.xlsx');
    await book.xlsx.writeFile(file);

    const out = await cli('import', file, '--update', '--reason', '复核入户更正', '--dry-run');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      `问卷 ${huang.id}(大田村 农户 ${huang.householdId}):\n  2.3 截止2017年9月底家庭人均纯收入(元):5200元 → 5800元\n`,
    );
    expect(out.stdout).toContain(
      `问卷 ${li.id}(大田村 农户 ${li.householdId}):\n  4.3 你对现在的扶贫工作还有什么意见(想法):${li.answers.h4_opinions} → 希望修通屯级道路\n`,
    );
    expect(out.stdout).toContain(
      `问卷 ${village.id}(大田村):\n  2.8 有公共服务设施(可多选):办公场所、卫生室 → 办公场所、卫生室、篮球场\n`,
    );
    // Exactly those three: no other answer is listed.
    expect(out.stdout.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(3);
    expect(out.stdout).toContain('将更正 3 份调查表,共 3 处答案(未保存;去掉 --dry-run 即按此更正)。');
    expect((await store.getSurvey(huang.id))?.answers.h2_income).toBe(5200);
  });

  it('applies them as the office’s edits: history, 表4 and 签发后有变更 follow; a second run finds nothing', async () => {
    const before = await reportState(store, campaign, GROUP);
    expect(before.changedSince).toBeUndefined();

    const out = await cli('import', file, '--update', '--reason', '复核入户更正');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('已更正 3 份调查表,共 3 处答案,已记入各调查表的修改记录。');

    const h = (await store.getSurvey(huang.id))!;
    expect(h.answers.h2_income).toBe(5800);
    expect(h.history.at(-1)).toMatchObject({
      by: 'cli-office',
      questionId: 'h2_income',
      old: 5200,
      new: 5800,
      reason: '复核入户更正',
    });
    expect(h.correctedAt).toBeDefined();
    const v = (await store.getSurvey(village.id))!;
    expect(v.answers.v2_public_services).toEqual(['office', 'clinic', 'court']);
    // Nothing else of the surveys changed.
    const { h2_income: _a, ...restBefore } = huang.answers;
    const { h2_income: _b, ...restAfter } = h.answers;
    expect(restAfter).toEqual(restBefore);

    // 表4 from the aggregates (the summary) equals 表4 computed from the corrected surveys.
    const json = await cli('summary', '--format', 'json', '--out', dir);
    expect(json.code).toBe(0);
    const table = JSON.parse(await readFile(join(dir, `summary-${campaign.id}-city.json`), 'utf8'));
    const stored = await store.surveysOfVillage(campaign.id, TOWN, VILLAGE, 'submitted');
    const expected = computeTable4(TABLE4_ROWS, {
      campaign,
      householdSurveys: stored.filter((s) => s.kind === 'household'),
      villageSurveys: stored.filter((s) => s.kind === 'village'),
    });
    expect(table.city.table4).toEqual(table4ById(expected));

    const after = await reportState(store, campaign, GROUP);
    expect(after.changedSince?.surveys).toBe(3);

    const again = await cli('import', file, '--update', '--reason', '复核入户更正');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('没有需要更正的内容');
    expect((await store.getSurvey(huang.id))?.history.filter((e) => e.reason)).toHaveLength(1);
  });

  it('refuses a file with a broken value whole, naming the row and the column', async () => {
    const book = await exported();
    edit(book, '农户调查表', huang.id, 'h2_income', '五千');
    edit(book, '农户调查表', li.id, 'h4_opinions', '道路已修通');
    const broken = join(dir, '原始数据-错.xlsx');
    await book.xlsx.writeFile(broken);
    const ws = book.getWorksheet('农户调查表')!;
    let row = 0;
    let col = 0;
    ws.eachRow((r, n) => {
      if (r.getCell(1).value === huang.id) row = n;
    });
    ws.getRow(1).eachCell((c, n) => {
      if (c.value === 'h2_income') col = n;
    });
    const letter =
      col <= 26
        ? String.fromCharCode(64 + col)
        : `${String.fromCharCode(64 + Math.floor((col - 1) / 26))}${String.fromCharCode(65 + ((col - 1) % 26))}`;

    const out = await cli('import', broken, '--update', '--reason', '复核入户更正');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`农户调查表 第${row}行${letter}列`);
    expect(out.stderr).toContain('h2_income');
    // Nothing was applied, not even the good edit.
    expect((await store.getSurvey(li.id))?.answers.h4_opinions).toBe('希望修通屯级道路');
  });

  it('refuses --update without a reason for the history, or with one too long for it', async () => {
    const noReason = await cli('import', file, '--update');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--update 需要 --reason');
    const essay = await cli('import', file, '--update', '--reason', '核'.repeat(201));
    expect(essay.code).toBe(2);
    expect(essay.stderr).toContain('--reason 最多 200 个字,现在有 201 个字。');
  });
});
