// The paper-import path of issue 15 as the office runs it: `npm run import` of a whole campaign's
// paper surveys, `npm run problems -- proposals --confirm-all`, then `npm run summary -- --format
// json`, each a child process against dynalite (as test/integration/lists-cli.test.ts runs the
// list tools). Once every proposal is confirmed, 表3 counts the 错退 and 漏评 suspects 表4 counts;
// running any step again changes nothing.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { allVillages } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { AnswerValue } from '../../domain/forms/types';
import { type CliRun, runScript } from '../support/cli';
import { type Engine, startEngine } from '../support/engines';

const campaign = parseCampaign(seed);

type Run = CliRun;

let engine: Engine;
let dir: string;
let env: NodeJS.ProcessEnv;

const run = (script: 'import' | 'problems' | 'summary', ...args: string[]): Promise<Run> =>
  runScript(script, args, env, 170_000);

// ---------------------------------------------------------------------------------------------
// A campaign's paper surveys: ten households and the village survey for each of the 23 villages.

type Answers = Record<string, AnswerValue>;

/** A 建档立卡户 meeting every standard, as typed from paper (labels, not codes). */
const registered = (name: string, type: string, extra: Answers = {}): Answers => ({
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
  h2_income: 5200,
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

const exited = (name: string, judgement: 'met' | '错退' | '返贫', extra: Answers = {}) =>
  registered(name, '2016年脱贫户', {
    h2_post_exit_support: '是',
    h5_meets_standard: judgement === 'met' ? '是' : '否',
    ...(judgement === 'met' ? {} : { h5_failure_kind: judgement }),
    ...extra,
  });

const nonPoor = (name: string, missed: boolean, extra: Answers = {}): Answers => ({
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
  h4_unlisted_hardship: '否',
  h4_committee_visited: '是',
  h4_committee_satisfied: '满意',
  h5_missed: missed ? '是' : '否',
  ...extra,
});

/** Names reported by a household and verified on site as suspected 漏评. */
const naming = (names: string): Answers => ({
  h4_unlisted_hardship: '是',
  h4_unlisted_names: names,
  h4_unlisted_verified: '是',
});

const village = (i: number): Answers => ({
  v1_agri_population: 1500,
  v1_poor_population: 60,
  v1_exited_population: 40,
  v1_planned_population: 12,
  v3_lookback_failed_households: 2,
  v3_lookback_fixed_households: 1,
  v3_policy_continued: i % 6 === 0 ? '不享受' : '享受',
  ...(i % 6 === 0 ? { v3_policy_details: '2016年脱贫户停发教育补助' } : {}),
  v3_relapse: i % 4 === 0 ? '有' : '无',
  ...(i % 4 === 0 ? { v3_relapse_details: '1户因病返贫' } : {}),
  v5_unlisted: i % 5 === 0 ? '有' : '无',
  ...(i % 5 === 0 ? { v5_unlisted_findings: '2户残疾人家庭收入低于标准未纳入' } : {}),
  v5_rectification: '自治区督查反馈问题已整改',
  v5_ledger: i % 7 === 0 ? '否' : '是',
  v5_responsible: '是',
  v5_measures: '是',
  v5_follow_through: '是',
  v5_data_consistent: '是',
  v5_archives: '档案齐全',
  v5_projects: '村道硬化已完工',
});

/**
 * Per village: 错退 in every other village, a 返贫 household in every third, a neighbour named by
 * two households with different spacing ("陈　海军" and "陈 海军"), a non-poor household judged 漏评
 * in every other village and also named by a neighbour, and the village's own findings.
 */
function campaignRecords() {
  return allVillages(campaign).flatMap((v, i) => {
    const id = (n: number) => `45068${String(i).padStart(3, '0')}${String(n).padStart(2, '0')}`;
    const households: Answers[] = [
      exited(`黄${i}明`, i % 2 === 0 ? '错退' : 'met'),
      exited(`李${i}华`, i % 3 === 0 ? '返贫' : 'met'),
      registered(`刘${i}洋`, '今年计划脱贫户', naming(`陈　海军、覃${i}二`)),
      registered(`张${i}伟`, '未脱贫户', naming('陈 海军')),
      nonPoor(`蒋${i}平`, i % 2 === 1),
      registered(`赵${i}磊`, '未脱贫户', naming(`蒋${i}平`)),
      exited(`周${i}婷`, 'met'),
      registered(`钱${i}勇`, '今年计划脱贫户'),
      registered(`孙${i}丽`, '未脱贫户'),
      nonPoor(`沈${i}洁`, false),
    ];
    return [
      ...households.map((answers, n) => ({
        kind: 'household',
        villageId: v.id,
        householdId: id(n),
        answers,
      })),
      { kind: 'village', villageId: v.id, answers: village(i) },
    ];
  });
}

beforeAll(async () => {
  engine = await startEngine('dynalite');
  dir = await mkdtemp(join(tmpdir(), 'problems-cli-'));
  env = {
    ...process.env,
    DYNAMODB_ENDPOINT: engine.endpoint,
    TABLE_NAME: 'problems-cli',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  await writeFile(join(dir, 'paper.json'), JSON.stringify(campaignRecords()));
});

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface SummaryJson {
  city: {
    table3: {
      total: number;
      countsByCategory: Record<string, number>;
      suspects: { missed: number; wrongfulExit: number; relapse: number };
    };
    table4: Record<string, { value: number | string | null; note?: string }>;
  };
  towns: { townId: string; table3: SummaryJson['city']['table3']; table4: SummaryJson['city']['table4'] }[];
}

describe('a paper import of the whole campaign, confirmed by the office', { timeout: 180_000 }, () => {
  it('npm run problems prints its usage in Chinese', async () => {
    const help = await run('problems', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用法:npm run problems -- proposals [--confirm-all]');
    const wrong = await run('problems', 'everything');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('未知命令「everything」');
  });

  it('imports, confirms every proposal once, and 表3 counts the suspects 表4 counts', async () => {
    const imported = await run('import', join(dir, 'paper.json'));
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('已导入 253 份调查表(农户调查表 230 份,村级调查表 23 份)');

    const listed = await run('problems', 'proposals');
    expect(listed.code).toBe(0);
    const waiting = Number(/待确认的问题建议 (\d+) 条/.exec(listed.stdout)?.[1]);
    // 12 错退, 69 漏评 people, and the villages' 6 返贫, 5 漏评, 4 政策 and 4 台账 findings.
    expect(waiting).toBe(100);
    expect(listed.stdout).toContain('大田村群众反映陈海军户生活困难但未纳入贫困户,经现场核查疑似漏评。');
    expect(listed.stdout).not.toContain('陈　海军');

    const confirmed = await run('problems', 'proposals', '--confirm-all');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`已将 ${waiting} 条建议记录为问题。`);
    // Again, and the same file imported again: nothing new.
    expect((await run('problems', 'proposals', '--confirm-all')).stdout).toContain('没有待确认的问题建议。');
    const again = await run('import', join(dir, 'paper.json'));
    expect(again.stdout).toContain('文件中的 253 份调查表此前均已导入,没有新的记录。');
    expect((await run('problems', 'proposals')).stdout).toContain('没有待确认的问题建议。');

    const out = join(dir, 'out');
    const summary = await run('summary', '--format', 'json', '--out', out);
    expect(summary.code).toBe(0);
    const json = JSON.parse(
      await readFile(join(out, `summary-${campaign.id}-city.json`), 'utf8'),
    ) as SummaryJson;
    const { table3, table4 } = json.city;
    // 错退 in 12 villages; per village 陈海军 and 覃…二, and 蒋…平 in every village (judged or named).
    expect(table4.t4_wrongful_exit?.value).toBe(12);
    expect(table4.t4_missed?.value).toBe(69);
    expect(table3.suspects.wrongfulExit).toBe(table4.t4_wrongful_exit?.value);
    expect(table3.suspects.missed).toBe(table4.t4_missed?.value);
    for (const town of json.towns) {
      expect(town.table3.suspects.wrongfulExit).toBe(town.table4.t4_wrongful_exit?.value);
      expect(town.table3.suspects.missed).toBe(town.table4.t4_missed?.value);
    }
    // Beside them, as documented: 表3's 错退 section also lists the villages' 返贫 findings (表4
    // reports its 返贫 households beside 错退), and its 漏评 section the villages' own findings.
    expect(table3.suspects.relapse).toBe(6);
    expect(table3.countsByCategory.exit_wrongful).toBe(12 + 6);
    expect(table3.countsByCategory.identification_missed).toBe(69 + 5);
    expect(table4.t4_wrongful_exit?.note).toBe('另有疑似返贫户8户');
    expect(table3.total).toBe(waiting);
  });
});
