// The proposal rules (DOMAIN.md §9) as pure functions: which answers propose which problem, in
// what words, under which key; and that once every proposal is confirmed 表3 counts the same
// suspects as 表4.

import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Answers } from '../../domain/forms/types';
import type { Problem, Survey } from '../../domain/model';
import {
  cleanName,
  missedSubjects,
  normalizeName,
  problemIdFor,
  proposalIdFor,
  proposalsFor,
} from '../../domain/proposals';
import { buildTable3, computeTable4, rowValue, TABLE4_ROWS } from '../../domain/tables/index';

const campaign = parseCampaign(seed);
let seq = 0;

/** A submitted survey of 江平镇 with just the answers a rule reads. */
function survey(kind: 'household' | 'village', villageId: string, answers: Answers, name?: string): Survey {
  seq++;
  return {
    id: `${kind === 'household' ? 'hh' : 'vs'}-test${seq}`,
    campaignId: campaign.id,
    kind,
    formId: kind,
    formVersion: 1,
    townId: 'jiangping',
    villageId,
    ...(kind === 'household' ? { householdId: `45068101${seq}` } : {}),
    groupId: 'g2',
    inspectorId: '6002',
    status: 'submitted',
    answers: kind === 'household' ? { h1_name: name ?? '黄明', ...answers } : answers,
    confirmations: {},
    flags: [],
    history: [],
    version: 2,
    createdAt: '2017-10-31T02:00:00.000Z',
    updatedAt: '2017-10-31T03:00:00.000Z',
  };
}

/** The problem the office would store by confirming a proposal as it is. */
function confirmed(s: Survey): Problem[] {
  return proposalsFor(campaign, s).map((p) => ({
    id: problemIdFor(campaign.id, p.key),
    campaignId: campaign.id,
    townId: p.townId,
    ...(p.villageId ? { villageId: p.villageId } : {}),
    category: p.category,
    description: p.description,
    reporterId: 'cli-office',
    createdAt: '2017-11-04T01:00:00.000Z',
    deadline: '2017-11-09T15:59:00.000Z',
    status: 'open',
    proposalKey: p.key,
    ...(p.suspect ? { suspect: p.suspect } : {}),
    version: 1,
  }));
}

const exitedWrongful = { h1_type: 'exited_2016', h5_meets_standard: 'no', h5_failure_kind: 'wrongful' };
const reported = (...names: string[]) => ({
  h1_type: 'registered_poor',
  h4_unlisted_hardship: 'yes',
  h4_unlisted_names: names,
  h4_unlisted_verified: 'yes',
});

describe('what a household survey proposes', () => {
  it('a household judged 错退 proposes one 错退 problem that names it, keyed by its survey', () => {
    const s = survey('household', 'jiaodong', exitedWrongful, '黄明');
    expect(proposalsFor(campaign, s)).toEqual([
      {
        key: `${s.id}|wrongful_exit|household`,
        kind: 'wrongful_exit',
        category: 'exit_wrongful',
        suspect: 'wrongful_exit',
        townId: 'jiangping',
        villageId: 'jiaodong',
        householdId: s.householdId,
        description: '交东村黄明户经入户核查未达到脱贫标准,疑似错退。',
        sourceSurveyId: s.id,
      },
    ]);
  });

  it('a household judged 返贫 (not 错退) proposes nothing: 表4 reports it beside 错退, not as one', () => {
    const s = survey('household', 'jiaodong', { ...exitedWrongful, h5_failure_kind: 'relapse' });
    expect(proposalsFor(campaign, s)).toEqual([]);
  });

  it('a non-poor household judged 漏评 proposes a 漏评 problem keyed by its village and name', () => {
    const s = survey('household', 'banai', { h1_type: 'non_poor', h5_missed: 'yes' }, '蒋 平');
    const [p] = proposalsFor(campaign, s);
    expect(p).toMatchObject({
      key: 'missed|banai|蒋平',
      kind: 'missed_household',
      category: 'identification_missed',
      suspect: 'missed',
      householdId: s.householdId,
      description: '班埃村蒋平户经入户核查疑似漏评。',
    });
  });

  it('verified names propose one problem per person; unverified names propose none', () => {
    const s = survey('household', 'jiaodong', reported('覃二', '覃三'));
    expect(proposalsFor(campaign, s).map((p) => [p.key, p.description, p.householdId])).toEqual([
      ['missed|jiaodong|覃二', '交东村群众反映覃二户生活困难但未纳入贫困户,经现场核查疑似漏评。', undefined],
      ['missed|jiaodong|覃三', '交东村群众反映覃三户生活困难但未纳入贫困户,经现场核查疑似漏评。', undefined],
    ]);
    const unverified = survey('household', 'jiaodong', { ...reported('覃四'), h4_unlisted_verified: 'no' });
    expect(proposalsFor(campaign, unverified)).toEqual([]);
  });

  it('"陈　海军", "陈 海军" and "陈海军" are one person, in one survey and across surveys of a village', () => {
    const one = survey('household', 'jiaodong', reported('陈　海军', '陈 海军'));
    const other = survey('household', 'jiaodong', reported('陈海军'));
    const elsewhere = survey('household', 'banai', reported('陈海军'));
    expect(proposalsFor(campaign, one).map((p) => p.description)).toEqual([
      '交东村群众反映陈海军户生活困难但未纳入贫困户,经现场核查疑似漏评。',
    ]);
    expect(proposalsFor(campaign, other)[0]?.key).toBe(proposalsFor(campaign, one)[0]?.key);
    expect(proposalsFor(campaign, elsewhere)[0]?.key).not.toBe(proposalsFor(campaign, one)[0]?.key);
  });

  it('a household named by a neighbour and judged 漏评 itself is one key, whichever survey proposes it', () => {
    const neighbour = survey('household', 'jiaodong', reported('蒋平'));
    const itself = survey('household', 'jiaodong', { h1_type: 'non_poor', h5_missed: 'yes' }, '蒋平');
    expect(proposalsFor(campaign, neighbour)[0]?.key).toBe(proposalsFor(campaign, itself)[0]?.key);
  });

  it('proposes the same keys every time, so proposing again finds what is stored', () => {
    const s = survey('household', 'jiaodong', { ...exitedWrongful, ...reported('覃二') });
    expect(proposalsFor(campaign, s)).toEqual(proposalsFor(campaign, structuredClone(s)));
    expect(proposalsFor(campaign, s).map((p) => p.kind)).toEqual(['wrongful_exit', 'missed_named']);
  });
});

describe('what a village survey proposes', () => {
  const fine = {
    v3_policy_continued: 'enjoy',
    v3_relapse: 'none',
    v5_unlisted: 'none',
    v5_ledger: 'yes',
    v5_responsible: 'yes',
    v5_measures: 'yes',
    v5_data_consistent: 'yes',
  };

  it('a village answering every check well proposes nothing', () => {
    expect(proposalsFor(campaign, survey('village', 'jiaodong', fine))).toEqual([]);
  });

  it('返贫 有 and 符合条件未纳入 有 propose both: 漏评 with the findings, and 错退 marked 返贫', () => {
    const s = survey('village', 'jiaodong', {
      ...fine,
      v3_relapse: 'has',
      v3_relapse_details: '2户因病返贫,未及时纳入监测',
      v5_unlisted: 'has',
      v5_unlisted_findings: '3户残疾人家庭收入低于标准未纳入。',
    });
    expect(proposalsFor(campaign, s)).toEqual([
      {
        key: `${s.id}|village_unlisted|village`,
        kind: 'village_unlisted',
        category: 'identification_missed',
        townId: 'jiangping',
        villageId: 'jiaodong',
        description: '交东村有符合条件但未纳入贫困户的群众,经核查:3户残疾人家庭收入低于标准未纳入。',
        sourceSurveyId: s.id,
      },
      {
        key: `${s.id}|village_relapse|village`,
        kind: 'village_relapse',
        category: 'exit_wrongful',
        suspect: 'relapse',
        townId: 'jiangping',
        villageId: 'jiaodong',
        description: '【返贫】交东村贫困户脱贫后有返贫现象:2户因病返贫,未及时纳入监测。',
        sourceSurveyId: s.id,
      },
    ]);
  });

  it('脱贫后不享受政策 proposes 政策保障 with what was found', () => {
    const s = survey('village', 'banai', {
      ...fine,
      v3_policy_continued: 'not_enjoy',
      v3_policy_details: '2016年脱贫户停发教育补助',
    });
    expect(proposalsFor(campaign, s).map((p) => [p.category, p.description])).toEqual([
      ['assistance_policy', '班埃村贫困户脱贫后未继续享受扶贫政策:2016年脱贫户停发教育补助。'],
    ]);
  });

  it('数据不一致 and a missing 台账 or 责任人 propose one 资料、档案 problem listing each', () => {
    const s = survey('village', 'banai', {
      ...fine,
      v5_data_consistent: 'no',
      v5_data_inconsistency: '4户人口数与系统不符',
      v5_ledger: 'no',
      v5_responsible: 'no',
    });
    expect(proposalsFor(campaign, s).map((p) => [p.category, p.description])).toEqual([
      [
        'other',
        '班埃村资料、档案方面:贫困户实际信息数据与帮扶手册、全国扶贫开发信息系统不一致,主要表现在4户人口数与系统不符;未建立问题整改台账;未落实整改责任人。',
      ],
    ]);
    const measuresOnly = survey('village', 'banai', { ...fine, v5_measures: 'no' });
    expect(proposalsFor(campaign, measuresOnly)[0]?.description).toBe(
      '班埃村资料、档案方面:未对照问题制定整改措施。',
    );
  });
});

describe('names, keys and ids', () => {
  it('cleans a name of spaces (ASCII and full-width) and invisible characters, folding full-width forms', () => {
    expect(cleanName(' 陈　海 军\u200b ')).toBe('陈海军');
    expect(cleanName('ＡＢ王')).toBe('AB王');
    expect(normalizeName('Ａb 王')).toBe('ab王');
  });

  it('derives short, key-safe ids: the same for the same campaign and key, another for another campaign', () => {
    const key = 'hh-abc|wrongful_exit|household';
    const id = problemIdFor('dongxing-2017', key);
    expect(id).toMatch(/^pb-[\w-]{20}$/);
    expect(id).not.toContain('#');
    expect(problemIdFor('dongxing-2017', key)).toBe(id);
    expect(problemIdFor('fangchenggang-2018', key)).not.toBe(id);
    expect(proposalIdFor('dongxing-2017', key)).toBe(`pr-${id.slice(3)}`);
  });

  it('counts a judged household without a name once, by its survey', () => {
    const s = survey('household', 'jiaodong', { h1_type: 'non_poor', h5_missed: 'yes', h1_name: '  ' });
    expect(missedSubjects(s)).toEqual([{ key: `${s.id}|missed_household|household`, kind: 'household' }]);
  });
});

describe('表3 beside 表4 once every proposal is confirmed', () => {
  it('lists as many 漏评 and 错退 suspects as 表4 counts, with 返贫 and village findings beside them', () => {
    const households = [
      survey('household', 'jiaodong', exitedWrongful, '黄明'),
      survey('household', 'jiaodong', { ...exitedWrongful, h5_failure_kind: 'relapse' }, '李华'),
      survey('household', 'jiaodong', reported('陈　海军', '覃二'), '刘洋'),
      survey('household', 'jiaodong', reported('陈 海军'), '张伟'),
      survey('household', 'jiaodong', { h1_type: 'non_poor', h5_missed: 'yes' }, '覃二'),
      survey('household', 'banai', reported('陈海军'), '赵磊'),
      survey('household', 'banai', { ...exitedWrongful, ...reported('周婷') }, '钱勇'),
    ];
    const villages = [
      survey('village', 'jiaodong', { v3_relapse: 'has', v3_relapse_details: '1户返贫', v5_unlisted: 'has' }),
    ];
    // The same key confirmed from several surveys is one problem (the store creates it once).
    const problems = [
      ...new Map([...households, ...villages].flatMap(confirmed).map((p) => [p.id, p])).values(),
    ];
    const table4 = computeTable4(TABLE4_ROWS, {
      campaign,
      householdSurveys: households,
      villageSurveys: villages,
    });
    const table3 = buildTable3(campaign, problems, { cityWide: false });
    // 交东村 陈海军 覃二, 班埃村 陈海军 周婷; 黄明 and 钱勇 错退; 李华 返贫 is 表4's aside only.
    expect(rowValue(table4, 't4_missed')).toBe(4);
    expect(rowValue(table4, 't4_wrongful_exit')).toBe(2);
    expect(table3.suspects).toEqual({ missed: 4, wrongfulExit: 2, relapse: 1 });
    // As printed: the village's 漏评 finding under 漏评, its 返贫 under 错退.
    expect(table3.countsByCategory.identification_missed).toBe(5);
    expect(table3.countsByCategory.exit_wrongful).toBe(3);
  });

  it('leaves a withdrawn problem out of 表3 and out of its counts', () => {
    const [problem] = confirmed(survey('household', 'jiaodong', exitedWrongful));
    const table3 = buildTable3(campaign, [{ ...problem!, status: 'withdrawn' }], { cityWide: false });
    expect(table3.total).toBe(0);
    expect(table3.suspects.wrongfulExit).toBe(0);
  });
});
