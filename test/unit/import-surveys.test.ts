import ExcelJS from 'exceljs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../app/authz';
import { importSurveys, PAPER_REASON } from '../../app/import-surveys';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { confirmProposal, officeQueue } from '../../app/problems';
import { buildSummaries } from '../../app/summaries';
import { surveyIdFor } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { AnswerValue } from '../../domain/forms/types';
import type { Person } from '../../domain/model';
import { problemIdFor } from '../../domain/proposals';
import { rowValue } from '../../domain/tables/index';
import { columnName, readSurveyFile } from '../../ingest/survey-file';
import { rawWorkbook } from '../support/raw-export';

const campaign = parseCampaign(seed);

const person = (id: string, p: Partial<Person>): Person => ({
  id,
  grants: [],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00.000Z',
  updatedAt: '2017-10-30T00:00:00.000Z',
  ...p,
});
const office = person('office-1', { grants: [{ role: 'office' }] });
/** 第二组 checks 江平镇, not 东兴镇. */
const leaderOfJiangping = person('leader-2', { grants: [{ role: 'leader', groupId: 'g2' }] });
const townContact = person('contact-1', { grants: [{ role: 'town_contact', townId: 'dongxing' }] });

/** A 建档立卡户 as typed from paper: labels, not codes. */
const registered = (name: string, type: string, extra: Record<string, AnswerValue> = {}) => ({
  h1_name: name,
  h1_type: type,
  h1_pop_actual: 4,
  h1_pop_registered: 4,
  h1_pop_card: 4,
  h1_pop_manual: 4,
  h1_measures_match: '是',
  h1_records_match: '是',
  h2_food: '是',
  h2_clothing: '是',
  h2_income: '5200',
  h2_dropout: '无',
  h2_insured_all: '是',
  h2_serious_illness: '否',
  h2_safe_housing: '有',
  h2_housing_structure: '砖混',
  h2_area_per_person: 28.5,
  h2_cracks_leaks: '无',
  h2_relocated: '否',
  h2_road_hardened: '是',
  h2_settlement_20plus: '是',
  h2_electricity: '有',
  h2_water: '有',
  h2_tv_signal: '是',
  h3_cadre_assigned: '是',
  h3_cadre_name: '黄干部',
  h3_visits: 8,
  h3_standard_explained: '是',
  h3_policies_introduced: '是',
  h3_requested_help: '否',
  h3_material_help: '否',
  h3_satisfied: '满意',
  h3_recognition: '是',
  h4_unlisted_hardship: '否',
  h4_committee_visited: '是',
  h4_committee_satisfied: '满意',
  ...extra,
});

const nonPoor = (name: string, extra: Record<string, AnswerValue> = {}) => ({
  h1_name: name,
  h1_type: '非贫困户',
  h1_pop_actual: 3,
  h1_pop_registered: 3,
  h2_food: '是',
  h2_clothing: '是',
  h2_income: 9000,
  h2_dropout: '无',
  h2_insured_all: '是',
  h2_serious_illness: '否',
  h2_safe_housing: '有',
  h2_housing_structure: '钢混',
  h2_area_per_person: 40,
  h2_cracks_leaks: '无',
  h2_relocated: '否',
  h2_road_hardened: '是',
  h2_settlement_20plus: '是',
  h2_electricity: '有',
  h2_water: '有',
  h2_tv_signal: '是',
  h3_recognition: '是',
  h4_unlisted_hardship: '是',
  h4_unlisted_names: '王五、赵六',
  h4_unlisted_verified: '是',
  h4_committee_visited: '否',
  h4_committee_satisfied: '满意',
  h4_opinions: '希望多修路',
  h5_missed: '否',
  ...extra,
});

const villageAnswers = {
  v1_agri_population: 1500,
  v1_poor_population: 60,
  v1_exited_population: 40,
  v1_planned_population: 12,
  v3_lookback_failed_households: 2,
  v3_lookback_fixed_households: 1,
  v3_policy_continued: '享受',
  v3_relapse: '无',
  v5_unlisted: '无',
  v5_rectification: '自治区督查反馈问题已整改',
  v5_ledger: '是',
  v5_responsible: '是',
  v5_measures: '是',
  v5_follow_through: '是',
  v5_data_consistent: '是',
  v5_archives: '档案齐全',
  v5_projects: '村道硬化已完工',
};

interface PaperRecord {
  kind: string;
  villageId: string;
  householdId?: string;
  inspectorId?: string;
  answers: Record<string, AnswerValue>;
}

const goodRecords: PaperRecord[] = [
  {
    kind: 'household',
    villageId: 'datian',
    householdId: '4506810001',
    inspectorId: 'insp-7',
    // 未实现两不愁, and an income so low the engine asks to confirm it.
    answers: registered('张三', '今年计划脱贫户', { h2_food: '否', h2_income: 800 }),
  },
  {
    kind: 'household',
    villageId: 'datian',
    householdId: '4506810002',
    answers: registered('李四', '2016年脱贫户', {
      h2_post_exit_support: '是',
      h5_meets_standard: '否',
      h5_failure_kind: '错退',
    }),
  },
  { kind: 'household', villageId: 'jiangna', householdId: '4506820009', answers: nonPoor('陈五') },
  { kind: 'village', villageId: 'datian', answers: villageAnswers },
];

const json = (records: unknown) => new TextEncoder().encode(JSON.stringify(records));

let store: MemoryStore;
let clock: ManualClock;
const deps = () => ({ store, clock });

async function importFile(bytes: Uint8Array, name: string, actor: Person = office) {
  const file = await readSurveyFile(bytes, name);
  return importSurveys(deps(), actor, campaign, file.records, { fileIssues: file.issues });
}

/** The inspector of 第一组 (东兴镇) who filled the paper forms the files name. */
const paperInspector = person('insp-7', { grants: [{ role: 'inspector', groupId: 'g1' }] });

beforeEach(async () => {
  store = new MemoryStore();
  clock = new ManualClock(new Date('2017-11-02T09:00:00.000Z'));
  await store.putPerson(paperInspector);
});

describe('importing paper surveys', () => {
  it('rejects a file with one bad record, with its reasons, and stores nothing', async () => {
    const bad = structuredClone(goodRecords);
    bad[1]!.answers.h2_income = '三千';
    delete (bad[1]!.answers as Record<string, unknown>).h2_food;
    const result = await importFile(json(bad), 'paper.json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        record: 2,
        where: '第2条',
        questionId: 'h2_income',
        message: '“截止2017年9月底家庭人均纯收入(元)”:请用阿拉伯数字填写,例如把"三"写成 3',
      },
      { record: 2, where: '第2条', questionId: 'h2_food', message: '缺少必答题“是否已能做到不愁吃”' },
    ]);
    expect(await store.surveysOfTown(campaign.id, 'dongxing')).toEqual([]);
    expect(await store.auditOf(`import:${campaign.id}`)).toEqual([]);
  });

  it('reports an unknown village, an answer that does not apply and a duplicate, all at once', async () => {
    const records = [
      ...goodRecords,
      { kind: 'village', villageId: 'atlantis', answers: villageAnswers },
      {
        kind: 'household',
        villageId: 'jiangna',
        householdId: '4506820010',
        answers: nonPoor('周六', { h1_pop_card: 3 }),
      },
      { kind: 'village', villageId: 'datian', answers: villageAnswers },
    ];
    const result = await importFile(json(records), 'paper.json');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.record, i.questionId, i.message])).toEqual([
      [5, undefined, '本次检查没有编号为“atlantis”的村'],
      [6, 'h1_pop_card', '“明白卡人口”:按前面的回答,这一题不适用,不应填写'],
      [7, undefined, '与第4条记录是同一村,重复录入'],
    ]);
  });

  it('imports a good file as submitted surveys, replayed through the engine, and summarizes it', async () => {
    const result = await importFile(json(goodRecords), 'paper.json');
    expect(result).toMatchObject({ ok: true, skipped: [] });
    if (!result.ok) return;
    expect(result.created).toHaveLength(4);

    const [zhang] = result.created;
    expect(zhang).toMatchObject({
      kind: 'household',
      formId: 'household',
      formVersion: 1,
      townId: 'dongxing',
      villageId: 'datian',
      householdId: '4506810001',
      groupId: 'g1',
      inspectorId: 'insp-7',
      status: 'submitted',
      submittedAt: '2017-11-02T09:00:00.000Z',
    });
    // Labels were stored as the engine's codes; the blank optional text became "无".
    expect(zhang!.answers).toMatchObject({
      h1_type: 'planned_2017',
      h2_food: 'no',
      h2_income: 800,
      h4_opinions: '',
    });
    expect(zhang!.flags).toEqual(expect.arrayContaining(['two_worries_fail', 'income_below_line']));
    expect(zhang!.confirmations.h2_income).toEqual({
      check: 'income_very_low',
      value: 800,
      reason: PAPER_REASON,
    });
    expect(result.created[1]!.inspectorId).toBe('office-1');
    expect(result.created[2]!.answers.h4_unlisted_names).toEqual(['王五', '赵六']);

    expect(await store.auditOf(`survey:${zhang!.id}`)).toEqual([
      expect.objectContaining({ action: 'survey.import', actorId: 'office-1' }),
    ]);
    expect(await store.auditOf(`import:${campaign.id}`)).toEqual([
      expect.objectContaining({ details: { records: 4, created: 4, skipped: 0, proposals: 3 } }),
    ]);

    const models = await buildSummaries(deps(), office, campaign, 'dongxing');
    const t4 = models.towns[0]!.table4;
    expect(rowValue(t4, 't4_households')).toBe(3);
    expect(rowValue(t4, 't4_households_planned')).toBe(1);
    expect(rowValue(t4, 't4_households_exited')).toBe(1);
    expect(rowValue(t4, 't4_households_non_poor')).toBe(1);
    expect(rowValue(t4, 't4_villages')).toBe(2);
    expect(rowValue(t4, 't4_two_worries_fail')).toBe(1);
    expect(rowValue(t4, 't4_two_worries_fail_planned')).toBe(1);
    expect(rowValue(t4, 't4_wrongful_exit')).toBe(1);
    expect(rowValue(t4, 't4_missed')).toBe(2);
  });

  it('skips what an earlier run stored when the same file is imported again', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const again = await importFile(json(goodRecords), 'paper.json');
    expect(again).toMatchObject({ ok: true, created: [] });
    if (again.ok) expect(again.skipped).toHaveLength(4);
    expect(await store.surveysOfTown(campaign.id, 'dongxing', 'submitted')).toHaveLength(4);
  });

  it("queues the surveys' proposals for the office once, however often the file is imported", async () => {
    const first = await importFile(json(goodRecords), 'paper.json');
    expect(first).toMatchObject({ ok: true, proposals: 3 });
    const again = await importFile(json(goodRecords), 'paper.json');
    // The same three are still waiting; nothing was queued twice.
    expect(again).toMatchObject({ ok: true, proposals: 3 });
    const queue = await officeQueue(deps(), office, campaign);
    expect(queue.map((p) => [p.category, p.description])).toEqual([
      ['exit_wrongful', '大田村李四户经入户核查未达到脱贫标准,疑似错退。'],
      ['identification_missed', '江那村群众反映王五户生活困难但未纳入贫困户,经现场核查疑似漏评。'],
      ['identification_missed', '江那村群众反映赵六户生活困难但未纳入贫困户,经现场核查疑似漏评。'],
    ]);
    expect(queue.every((p) => p.origin === 'paper' && p.proposedBy === 'office-1')).toBe(true);
  });

  it('reads a name list one entry per person: "陈　海军" and "陈 海军" are one 陈海军', async () => {
    const records = [
      {
        kind: 'household',
        villageId: 'jiangna',
        householdId: '4506820009',
        answers: nonPoor('陈五', { h4_unlisted_names: ['陈　海军', '王五'] }),
      },
      {
        kind: 'household',
        villageId: 'jiangna',
        householdId: '4506820010',
        answers: nonPoor('周六', { h4_unlisted_names: '陈 海军' }),
      },
    ];
    const result = await importFile(json(records), 'paper.json');
    expect(result).toMatchObject({ ok: true, proposals: 2 });
    if (result.ok) {
      expect(result.created.map((s) => s.answers.h4_unlisted_names)).toEqual([
        ['陈海军', '王五'],
        ['陈海军'],
      ]);
    }
    const models = await buildSummaries(deps(), office, campaign, 'dongxing');
    expect(rowValue(models.towns[0]!.table4, 't4_missed')).toBe(2);
    expect((await officeQueue(deps(), office, campaign)).map((p) => p.description)).toEqual([
      '江那村群众反映陈海军户生活困难但未纳入贫困户,经现场核查疑似漏评。',
      '江那村群众反映王五户生活困难但未纳入贫困户,经现场核查疑似漏评。',
    ]);
  });

  it('refuses a second survey of a household that already has one', async () => {
    await importFile(json(goodRecords.slice(0, 1)), 'first.json');
    const changed = structuredClone(goodRecords.slice(0, 1));
    changed[0]!.answers.h2_income = 900;
    const result = await importFile(json(changed), 'second.json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toMatch(/^大田村农户“4506810001”已有调查表/);
  });

  it('refuses a household without an id entered again under corrected answers: it is known by its name in its village', async () => {
    const paper = { kind: 'household', villageId: 'jiangna', answers: nonPoor('陈五', { h2_income: 2000 }) };
    const first = await importFile(json([paper]), 'paper.json');
    expect(first).toMatchObject({ ok: true });
    // The typo fixed in the same file, imported again; and "陈 五" typed with a space elsewhere.
    const fixed = { ...paper, answers: nonPoor('陈五', { h2_income: 12000 }) };
    const again = await importFile(json([fixed]), 'paper.json');
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.issues[0]?.message).toMatch(/^江那村“陈五”户\(无农户编号\)已有调查表/);
      expect(again.issues[0]?.message).toContain('请从“原始数据”导出这份调查表');
    }
    const spaced = { ...paper, answers: nonPoor('陈 五', { h2_income: 12000 }) };
    expect((await importFile(json([spaced]), 'paper.json')).ok).toBe(false);
    // One survey, and 表4 counts one household.
    const stored = (await store.surveysOfTown(campaign.id, 'dongxing', 'submitted')).filter(
      (x) => x.villageId === 'jiangna',
    );
    expect(stored.map((x) => x.answers.h2_income)).toEqual([2000]);
    // The same file as first imported is still recognised as stored.
    expect(await importFile(json([paper]), 'paper.json')).toMatchObject({ ok: true, created: [] });
    // Two households of one name in one file, neither with an id: the second is refused.
    const twins = await importFile(
      json([
        { kind: 'household', villageId: 'datian', answers: nonPoor('韦强') },
        { kind: 'household', villageId: 'datian', answers: nonPoor('韦强', { h2_income: 9000 }) },
      ]),
      'twins.json',
    );
    expect(twins.ok).toBe(false);
    if (!twins.ok) expect(twins.issues[0]?.message).toContain('与第1条记录是同一户');
  });

  it('names as its inspector only someone who may survey the village now', async () => {
    await store.putPerson(person('insp-9', { grants: [{ role: 'inspector', groupId: 'g2' }] }));
    const record = (inspectorId: string) => ({ ...goodRecords[0]!, inspectorId });
    for (const [id, why] of [
      ['nobody-1', '未登记'],
      ['insp-9', '第二组 checks 江平镇'],
    ] as const) {
      const result = await importFile(json([record(id)]), 'paper.json');
      expect(result.ok, why).toBe(false);
      if (!result.ok)
        expect(result.issues[0]?.message).toBe(
          `检查员“${id}”不是负责大田村的检查员(未登记、已停用或不在负责该村的组)`,
        );
    }
    const ok = await importFile(json([record('insp-7')]), 'paper.json');
    expect(ok).toMatchObject({ ok: true });
    if (ok.ok) expect(ok.created[0]?.inspectorId).toBe('insp-7');
  });

  it("files a survey under the chat's id, so a household started in the chat is not entered twice", async () => {
    const result = await importFile(json(goodRecords.slice(3)), 'paper.json');
    if (result.ok)
      expect(result.created[0]!.id).toBe(surveyIdFor(campaign.id, { kind: 'village', villageId: 'datian' }));

    const draftId = surveyIdFor(campaign.id, {
      kind: 'household',
      villageId: 'datian',
      householdId: '4506810001',
    });
    await store.createSurvey({
      id: draftId,
      campaignId: campaign.id,
      kind: 'household',
      formId: 'household',
      formVersion: 1,
      townId: 'dongxing',
      villageId: 'datian',
      householdId: '4506810001',
      groupId: 'g1',
      inspectorId: 'insp-1',
      status: 'draft',
      answers: { h1_name: '张三' },
      confirmations: {},
      flags: [],
      history: [],
      version: 1,
      createdAt: '2017-11-01T01:00:00.000Z',
      updatedAt: '2017-11-01T01:00:00.000Z',
    });
    const again = await importFile(json(goodRecords.slice(0, 1)), 'paper.json');
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.issues[0]?.message).toBe(
        `大田村农户“4506810001”已有调查表(草稿,编号 ${draftId}),不能重复录入`,
      );
    }
  });

  it('takes name and type from the drawn sample, refuses a household not in it, and marks the pick surveyed', async () => {
    await store.putHouseholdList({
      campaignId: campaign.id,
      villageId: 'datian',
      households: [{ id: '4506810001', name: '张三', stratum: 'planned_2017' }],
      count: 1,
      byStratum: { planned_2017: 1 },
      fingerprint: 'f',
      uploadedBy: 'office-1',
      uploadedAt: '2017-10-30T01:00:00.000Z',
      fileName: '大田村.csv',
    });
    await store.putSample({
      campaignId: campaign.id,
      villageId: 'datian',
      seed: 's',
      fingerprint: 'f',
      drawnBy: 'office-1',
      drawnAt: '2017-10-30T01:00:00.000Z',
      picks: [{ householdId: '4506810001', name: '张三', stratum: 'planned_2017', status: 'selected' }],
      shortfalls: [],
      version: 1,
    });
    const { h1_name: _name, h1_type: _type, ...rest } = goodRecords[0]!.answers;
    const outsider = { ...goodRecords[1]!, householdId: '4506819999' };
    // Without a household id: 张三 again (the pick's id is suggested), and a household never drawn.
    const { householdId: _id, ...unnumbered } = goodRecords[0]!;
    const neverDrawn = { kind: 'household', villageId: 'datian', answers: nonPoor('张某某') };
    const refused = await importFile(
      json([{ ...goodRecords[0]!, answers: rest }, outsider, unnumbered, neverDrawn]),
      'paper.json',
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.issues.map((i) => [i.record, i.message])).toEqual([
        [2, '农户编号“4506819999”不在大田村的抽样名单中'],
        [3, '大田村已抽样,农户调查表须填写抽样名单中的农户编号(“张三”的农户编号是 4506810001)'],
        [4, '大田村已抽样,农户调查表须填写抽样名单中的农户编号'],
      ]);
    }

    const result = await importFile(json([{ ...goodRecords[0]!, answers: rest }]), 'paper.json');
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.created[0]!.answers).toMatchObject({ h1_name: '张三', h1_type: 'planned_2017' });
    expect((await store.getSample(campaign.id, 'datian'))?.picks[0]?.status).toBe('surveyed');
  });

  it('lets a group enter only its own villages, and nobody outside the groups and the office', async () => {
    const result = await importFile(json(goodRecords.slice(3)), 'paper.json', leaderOfJiangping);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toBe('您无权录入大田村的调查表(只能录入本组负责的村)');
    await expect(importFile(json(goodRecords), 'paper.json', townContact)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('checks a file on a dry run without storing anything', async () => {
    const file = await readSurveyFile(json(goodRecords), 'paper.json');
    const result = await importSurveys(deps(), office, campaign, file.records, { dryRun: true });
    expect(result).toMatchObject({ ok: true, dryRun: true });
    expect(await store.surveysOfTown(campaign.id, 'dongxing')).toEqual([]);
  });
});

describe('correcting submitted surveys from the raw export (--update)', () => {
  /** 陈五's survey (jiangna, 4506820009) of goodRecords. */
  const chen = surveyIdFor(campaign.id, {
    kind: 'household',
    villageId: 'jiangna',
    householdId: '4506820009',
  });

  /** 陈五's survey changes after the export, `afterMs` later (a return and resubmission, say). */
  async function changedMeanwhile(afterMs: number) {
    clock.advance(afterMs);
    const stored = (await store.getSurvey(chen))!;
    await store.saveSurvey(
      {
        ...stored,
        answers: { ...stored.answers, h4_opinions: '希望多修路和水渠' },
        updatedAt: clock.now().toISOString(),
      },
      stored.version,
    );
  }

  /** The raw export of what is stored, edited in one cell (the column found by its id, row 1). */
  async function editedExport(surveyId: string, columnId: string, value: ExcelJS.CellValue) {
    const stored = await store.surveysOfTown(campaign.id, 'dongxing');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await rawWorkbook(campaign, stored)) as unknown as ArrayBuffer);
    const ws = book.getWorksheet('农户调查表')!;
    let col = 0;
    ws.getRow(1).eachCell((c, n) => {
      if (c.value === columnId) col = n;
    });
    ws.eachRow((row) => {
      if (row.getCell(1).value === surveyId) row.getCell(col).value = value;
    });
    return new Uint8Array(await book.xlsx.writeBuffer());
  }

  async function update(bytes: Uint8Array, actor: Person = office, dryRun = false) {
    const file = await readSurveyFile(bytes, '原始数据.xlsx');
    return importSurveys(deps(), actor, campaign, file.records, {
      fileIssues: file.issues,
      update: { reason: '复核更正' },
      dryRun,
    });
  }

  it('changes the edited answer only, recorded with who, when, old → new and why', async () => {
    await importFile(json(goodRecords), 'paper.json');
    clock.advance(3_600_000);
    const result = await update(await editedExport(chen, 'h2_income', 12000));
    expect(result).toMatchObject({ ok: true, conflicts: [] });
    if (!result.ok) return;
    expect(result.corrected.map((c) => c.changes)).toEqual([
      [
        {
          at: clock.now().toISOString(),
          by: 'office-1',
          questionId: 'h2_income',
          old: 9000,
          new: 12000,
          reason: '复核更正',
        },
      ],
    ]);
    expect((await store.getSurvey(chen))?.answers.h2_income).toBe(12000);
  });

  it("keeps the visit's evidence flags: a corrected income does not clear 未拍照 or 远离村庄", async () => {
    await importFile(json(goodRecords), 'paper.json');
    const stored = (await store.getSurvey(chen))!;
    // As a chat submit 12 km from the village without a photo leaves it.
    await store.saveSurvey(
      { ...stored, flags: [...stored.flags, 'no_photo', 'far_from_village'] },
      stored.version,
    );
    clock.advance(3_600_000);
    const result = await update(await editedExport(chen, 'h2_income', 12000));
    expect(result).toMatchObject({ ok: true });
    const after = (await store.getSurvey(chen))!;
    expect(after.answers.h2_income).toBe(12000);
    expect(after.flags).toEqual(expect.arrayContaining(['no_photo', 'far_from_village']));
  });

  it('supersedes the undecided proposals the corrected answers no longer raise, and raises them again if they return', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const zhao = (await officeQueue(deps(), office, campaign)).find((p) => p.description.includes('赵六'))!;
    clock.advance(3_600_000);
    const result = await update(await editedExport(chen, 'h4_unlisted_names', '王五'));
    expect(result).toMatchObject({ ok: true, superseded: 1, conflicts: [] });
    const queue = (await officeQueue(deps(), office, campaign)).map((p) => p.description);
    expect(queue.filter((d) => d.includes('赵六'))).toEqual([]);
    expect(queue.filter((d) => d.includes('王五'))).toHaveLength(1);
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('superseded');
    // A button or a script holding the old proposal's id records nothing now, and says why.
    await expect(confirmProposal(deps(), office, campaign, zhao.id)).rejects.toMatchObject({
      reason: 'proposal_stale',
    });
    expect(await store.getProblem(problemIdFor(campaign.id, zhao.key))).toBeUndefined();

    // Corrected back: 赵六 is raised again and waits in the queue again.
    clock.advance(3_600_000);
    const back = await update(await editedExport(chen, 'h4_unlisted_names', '王五、赵六'));
    expect(back).toMatchObject({ ok: true, superseded: 0 });
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('pending');
    expect((await officeQueue(deps(), office, campaign)).some((p) => p.id === zhao.id)).toBe(true);
  });

  it('finishes superseding when the same file is imported again after a run cut off before it', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const zhao = (await officeQueue(deps(), office, campaign)).find((p) => p.description.includes('赵六'))!;
    clock.advance(3_600_000);
    const bytes = await editedExport(chen, 'h4_unlisted_names', '王五');
    // Cut off right after the correction was stored, before any proposal was read.
    const getProposal = store.getProposal.bind(store);
    let cutOff = true;
    store.getProposal = async (...args) => {
      if (cutOff) {
        cutOff = false;
        throw new Error('cut off');
      }
      return getProposal(...args);
    };
    await expect(update(bytes)).rejects.toThrow('cut off');
    expect((await store.getSurvey(chen))?.answers.h4_unlisted_names).toEqual(['王五']);
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('pending');

    const again = await update(bytes);
    expect(again).toMatchObject({ ok: true, superseded: 1, corrected: [] });
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('superseded');
  });

  it('keeps a 漏评 name waiting while another household of the village still reports it', async () => {
    const neighbour = {
      kind: 'household',
      villageId: 'jiangna',
      householdId: '4506820010',
      answers: nonPoor('何七', { h4_unlisted_names: '赵六' }),
    };
    await importFile(json([...goodRecords, neighbour]), 'paper.json');
    const zhao = (await officeQueue(deps(), office, campaign)).find((p) => p.description.includes('赵六'))!;
    clock.advance(3_600_000);
    const result = await update(await editedExport(chen, 'h4_unlisted_names', '王五'));
    expect(result).toMatchObject({ ok: true, superseded: 0 });
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('pending');
    const { problem } = await confirmProposal(deps(), office, campaign, zhao.id);
    expect(problem.description).toContain('赵六');
  });

  it('leaves a proposal already recorded as a problem as it is when a correction no longer raises it', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const zhao = (await officeQueue(deps(), office, campaign)).find((p) => p.description.includes('赵六'))!;
    const { problem } = await confirmProposal(deps(), office, campaign, zhao.id);
    clock.advance(3_600_000);
    const result = await update(await editedExport(chen, 'h4_unlisted_names', '王五'));
    expect(result).toMatchObject({ ok: true, superseded: 0 });
    expect((await store.getProposal(campaign.id, zhao.id))?.status).toBe('confirmed');
    // The problem stays on the town's list: withdrawing it is a person's decision (/problems).
    expect((await store.getProblem(problem.id))?.status).toBe('open');
  });

  it('refuses a row exported before its survey changed again, rather than undo that change', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const bytes = await editedExport(chen, 'h2_income', 12000);
    await changedMeanwhile(3_600_000);
    const result = await update(bytes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.message).join('\n')).toContain(
      '在导出后已被修改(最后修改 2017-11-02 18:00),为免覆盖,请重新导出后再改',
    );
    expect((await store.getSurvey(chen))?.answers).toMatchObject({
      h2_income: 9000,
      h4_opinions: '希望多修路和水渠',
    });
  });

  it('sees a change made in the same minute as the export, by the survey’s version', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const bytes = await editedExport(chen, 'h2_income', 12000);
    // Seconds later, the same minute on the clock: the time column cannot tell, the version can.
    await changedMeanwhile(5_000);
    const result = await update(bytes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.message).join('\n')).toContain('在导出后已被修改');
    expect((await store.getSurvey(chen))?.answers.h2_income).toBe(9000);
  });

  it('will not correct from a file without the export’s 最后修改时间 (it could undo a later resubmission)', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const changed = goodRecords.map((r) =>
      r.householdId === '4506820009' ? { ...r, answers: { ...r.answers, h2_income: 12000 } } : r,
    );
    const file = await readSurveyFile(json(changed), 'paper.json');
    const result = await importSurveys(deps(), office, campaign, file.records, {
      update: { reason: '复核更正' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.message)).toEqual([
      '更正已提交的调查表须使用“原始数据”导出的文件,并保留“最后修改时间”(updatedAt)列',
    ]);
  });

  it('lets an untouched row of a survey returned since the export pass, and corrects the rest', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const zhang = surveyIdFor(campaign.id, {
      kind: 'household',
      villageId: 'datian',
      householdId: '4506810001',
    });
    const bytes = await editedExport(chen, 'h2_income', 12000);
    // 张三's survey is returned to the group after the export; its row was not touched.
    const z = (await store.getSurvey(zhang))!;
    await store.saveSurvey({ ...z, status: 'returned', returnReason: '收入需核实' }, z.version);
    clock.advance(60_000);
    const result = await update(bytes);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.corrected.map((c) => c.after.id)).toEqual([chen]);
    expect((await store.getSurvey(zhang))?.status).toBe('returned');
  });

  it('is the office’s alone: a group leader may enter paper surveys but not correct submitted ones', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const leaderOfDongxing = person('leader-1', { grants: [{ role: 'leader', groupId: 'g1' }] });
    await expect(
      update(await editedExport(chen, 'h2_income', 12000), leaderOfDongxing),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses an edited 问卷编号, which would correct another household', async () => {
    await importFile(json(goodRecords), 'paper.json');
    const result = await update(await editedExport(chen, 'surveyId', 'hh-someone-else'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toContain('问卷编号“hh-someone-else”与村编号、农户编号不符');
  });
});

describe('reading a survey file', () => {
  it('names columns as the spreadsheet does', () => {
    expect([1, 26, 27, 46, 52, 53, 702, 703].map(columnName)).toEqual([
      'A',
      'Z',
      'AA',
      'AT',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });

  async function workbook(sheets: Record<string, (string | number | null)[][]>): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['填表说明:第一行为题目编号']);
    for (const [name, rows] of Object.entries(sheets)) {
      const ws = wb.addWorksheet(name);
      for (const r of rows) ws.addRow(r);
    }
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  const toRows = (
    records: { villageId: string; householdId?: string; answers: Record<string, AnswerValue> }[],
  ) => {
    const ids = [...new Set(records.flatMap((r) => Object.keys(r.answers)))];
    return [
      ['villageId', 'householdId', ...ids],
      ...records.map((r) => [
        r.villageId,
        r.householdId ?? null,
        ...ids.map((id) => {
          const v = r.answers[id];
          return v === undefined ? null : Array.isArray(v) ? v.join('、') : v;
        }),
      ]),
    ];
  };

  it('reads one record per row of the household and village sheets, header row = question ids', async () => {
    const bytes = await workbook({
      农户调查表: toRows(goodRecords.filter((r) => r.kind === 'household')),
      village: toRows(goodRecords.filter((r) => r.kind === 'village')),
    });
    const file = await readSurveyFile(bytes, 'paper.xlsx');
    expect(file.issues).toEqual([]);
    expect(
      file.records.map((r): [number, string, string, string] => [r.no, r.where, r.kind, r.villageId]),
    ).toEqual([
      [1, '农户调查表 第2行', 'household', 'datian'],
      [2, '农户调查表 第3行', 'household', 'datian'],
      [3, '农户调查表 第4行', 'household', 'jiangna'],
      [4, 'village 第2行', 'village', 'datian'],
    ]);
    expect(file.records[0]!.householdId).toBe('4506810001');
    const result = await importSurveys(deps(), office, campaign, file.records, { fileIssues: file.issues });
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.created).toHaveLength(4);
  });

  it('reports a column that is not a question id, and the import stores nothing', async () => {
    const rows = toRows(goodRecords.filter((r) => r.kind === 'household'));
    rows[0]!.push('h9_typo');
    const file = await readSurveyFile(await workbook({ household: rows }), 'paper.xlsx');
    expect(file.issues).toEqual([
      {
        // The column as the spreadsheet names it (the 46th is AT).
        where: `household 第1行${columnName(rows[0]!.length)}列`,
        questionId: 'h9_typo',
        message: '“h9_typo”不是农户调查表的题目编号,也不是 villageId/householdId/inspectorId',
      },
    ]);
    const result = await importSurveys(deps(), office, campaign, file.records, { fileIssues: file.issues });
    expect(result.ok).toBe(false);
    expect(await store.surveysOfTown(campaign.id, 'dongxing')).toEqual([]);
  });

  it('reports a file that is neither a workbook nor JSON, and malformed records', async () => {
    expect((await readSurveyFile(new TextEncoder().encode('not json'), 'x.txt')).issues[0]?.message).toMatch(
      /^文件既不是 Excel 工作簿/,
    );
    const file = await readSurveyFile(
      json([{ kind: 'farm', villageId: 'datian', answers: {} }, 7]),
      'x.json',
    );
    expect(file.issues.map((i) => [i.record, i.message])).toEqual([
      [1, 'kind 应为 household(农户调查表)或 village(村级调查表)'],
      [2, '记录应是一个对象'],
    ]);
  });
});
