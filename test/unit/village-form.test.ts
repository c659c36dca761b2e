import { describe, expect, it } from 'vitest';
import { computeFlags, renderLabel, submittable, validateForm } from '../../domain/engine';
import type { Answers, FormContext } from '../../domain/forms/types';
import { VILLAGE_ELEVEN_ONE_FLAGS, villageForm } from '../../domain/forms/village';
import { type FormWalker, walk } from '../support/form-walker';

const ctx: FormContext = {
  villageType: 'non_poor',
  povertyLine: 3335,
  year: 2017,
  incomeCutoff: '2017年9月底',
  prefill: { v1_type: 'non_poor' },
};
const poorCtx: FormContext = { ...ctx, villageType: 'poor', prefill: { v1_type: 'poor' } };

type Step = readonly [string, string];

const basics = (type: string): Step[] => [
  ['v1_type', type],
  ['v1_agri_population', '1520'],
  ['v1_poor_population', '86'],
  ['v1_exited_population', '40'],
  ['v1_planned_population', '30'],
];

/** §3 with every follow-up left out. */
const consolidationPlain: Step[] = [
  ['v3_lookback_failed_households', '2'],
  ['v3_lookback_fixed_households', '2'],
  ['v3_policy_continued', '享受'],
  ['v3_relapse', '无'],
];

/** §5 with every follow-up left out. */
const otherPlain: Step[] = [
  ['v5_unlisted', '无'],
  ['v5_rectification', '已按要求整改完毕'],
  ['v5_ledger', '是'],
  ['v5_responsible', '是'],
  ['v5_measures', '是'],
  ['v5_follow_through', '是'],
  ['v5_data_consistent', '是'],
  ['v5_archives', '档案齐全,信息动态调整及时'],
  ['v5_projects', '村道硬化项目已完工'],
];

/** §2 of a poor village that meets every row, with every follow-up triggered. */
const elevenOneMet: Step[] = [
  ['v2_industry', '有'],
  ['v2_industry_name', '肉桂、八角'],
  ['v2_industry_coverage_pct', '85'],
  ['v2_housing_pct', '99'],
  ['v2_medical_insurance_pct', '100'],
  ['v2_medical_policy', '是'],
  ['v2_out_of_school_count', '1'],
  ['v2_out_of_school_reason', '重度残疾,送教上门'],
  ['v2_dropout_economic', '否'],
  ['v2_education_policy', '是'],
  ['v2_water_pct', '98'],
  ['v2_road_hardened', '是'],
  ['v2_road_base_width', '6.5'],
  ['v2_road_surface_width', '4.5'],
  ['v2_settlement_gravel_road', '是'],
  ['v2_electricity_pct', '100'],
  ['v2_public_services', '办公场所、宣传栏、卫生室、篮球场、文化室(农家书屋)、其它'],
  ['v2_public_services_other', '老年活动中心'],
  ['v2_pension_pct', '99'],
  ['v2_pension_benefit_pct', '100'],
  ['v2_dibao_all', '是'],
  ['v2_tv_pct', '100'],
  ['v2_collective_economy', '有'],
  ['v2_collective_source', '光伏发电收益'],
  ['v2_weak_party_org', '是'],
  ['v2_weak_party_fixed', '是'],
  ['v2_poverty_incidence_pct', '1.8'],
];

const assistance: Step[] = [
  ['v4_leader_contact', '是'],
  ['v4_helper_unit', '是'],
  ['v4_work_team', '是'],
  ['v4_first_secretary', '是'],
  ['v4_management_rules', '是'],
  ['v4_training', '是'],
  ['v4_training_count', '3'],
];

const ids = (steps: readonly Step[]): string[] => steps.map(([id]) => id);

/** Walk `steps` and check the engine asked exactly those ids, in that order, then nothing more. */
function walkAll(c: FormContext, steps: readonly Step[]): FormWalker {
  const w = walk(villageForm, c).steps(steps).expectDone();
  expect(w.asked).toEqual(ids(steps));
  expect(submittable(villageForm, c, w.state)).toEqual({ ok: true });
  return w;
}

describe('村级调查表 (village form)', () => {
  it('is a valid form definition', () => {
    expect(validateForm(villageForm)).toEqual([]);
    expect(villageForm).toMatchObject({ id: 'village', version: 1, title: '村级调查表' });
    expect(villageForm.sections.map((s) => s.title)).toEqual([
      '一、村基本情况',
      '二、贫困村"十一有一低于"达标情况',
      '三、脱贫摘帽对象巩固提升情况',
      '四、精准帮扶情况',
      '五、其他事项',
    ]);
  });

  it('fills the campaign year into the planned-exit label', () => {
    const q = villageForm.questions.find((x) => x.id === 'v1_planned_population');
    expect(q && renderLabel(q, ctx)).toBe('2017年计划脱贫人口');
  });

  it('asks a 非贫困村 exactly §1, §3 and §5, in order', () => {
    const w = walkAll(ctx, [...basics('非贫困村'), ...consolidationPlain, ...otherPlain]);
    expect(w.asked).toEqual([
      'v1_type',
      'v1_agri_population',
      'v1_poor_population',
      'v1_exited_population',
      'v1_planned_population',
      'v3_lookback_failed_households',
      'v3_lookback_fixed_households',
      'v3_policy_continued',
      'v3_relapse',
      'v5_unlisted',
      'v5_rectification',
      'v5_ledger',
      'v5_responsible',
      'v5_measures',
      'v5_follow_through',
      'v5_data_consistent',
      'v5_archives',
      'v5_projects',
    ]);
    expect(computeFlags(villageForm, ctx, w.state.answers)).toEqual([]);
  });

  it('asks a 非贫困村 the §3 and §5 follow-ups when they are triggered', () => {
    const w = walkAll(ctx, [
      ...basics('非贫困村'),
      ['v3_lookback_failed_households', '3'],
      ['v3_lookback_fixed_households', '1'],
      ['v3_policy_continued', '不享受'],
      ['v3_policy_details', '脱贫后停发了产业奖补'],
      ['v3_relapse', '有'],
      ['v3_relapse_details', '1户因病返贫'],
      ['v5_unlisted', '有'],
      ['v5_unlisted_findings', '2户经核查属实,已报镇政府'],
      ['v5_rectification', '已整改'],
      ['v5_ledger', '否'],
      ['v5_responsible', '是'],
      ['v5_measures', '是'],
      ['v5_follow_through', '否'],
      ['v5_data_consistent', '否'],
      ['v5_data_inconsistency', '家庭人口与系统不一致'],
      ['v5_archives', '档案不全'],
      ['v5_projects', '项目未开工'],
    ]);
    expect(w.asked).toContain('v5_data_inconsistency');
    expect(w.asked.some((id) => id.startsWith('v2_') || id.startsWith('v4_'))).toBe(false);
  });

  it('asks a village corrected to 未退出贫困村 also §2 and §4, in order, and flags the correction', () => {
    const steps = [
      ...basics('未退出贫困村'),
      ...elevenOneMet,
      ...consolidationPlain,
      ...assistance,
      ...otherPlain,
    ];
    const w = walkAll(ctx, steps);
    expect(w.state.answers.v1_type).toBe('poor');
    expect(w.asked.slice(5, 5 + elevenOneMet.length)).toEqual(ids(elevenOneMet));
    expect(computeFlags(villageForm, ctx, w.state.answers)).toEqual(['v_type_mismatch']);
  });

  it('asks a poor village of the config §2 and §4 without follow-ups that are not triggered', () => {
    const elevenOneBare: Step[] = [
      ['v2_industry', '无'],
      ['v2_housing_pct', '99'],
      ['v2_medical_insurance_pct', '100'],
      ['v2_medical_policy', '是'],
      ['v2_out_of_school_count', '0'],
      ['v2_dropout_economic', '否'],
      ['v2_education_policy', '是'],
      ['v2_water_pct', '100'],
      ['v2_road_hardened', '是'],
      ['v2_road_base_width', '6'],
      ['v2_road_surface_width', '6'],
      ['v2_settlement_gravel_road', '是'],
      ['v2_electricity_pct', '100'],
      ['v2_public_services', '办公场所、宣传栏、卫生室、篮球场、文化室(农家书屋)'],
      ['v2_pension_pct', '99'],
      ['v2_pension_benefit_pct', '100'],
      ['v2_dibao_all', '是'],
      ['v2_tv_pct', '100'],
      ['v2_collective_economy', '无'],
      ['v2_weak_party_org', '否'],
      ['v2_poverty_incidence_pct', '2'],
    ];
    const steps: Step[] = [
      ...basics('未退出贫困村'),
      ...elevenOneBare,
      ...consolidationPlain,
      ...assistance.slice(0, 5),
      ['v4_training', '否'],
      ...otherPlain,
    ];
    const w = walkAll(poorCtx, steps);
    expect(computeFlags(villageForm, poorCtx, w.state.answers)).toEqual([
      'v_industry_missing',
      'v_no_collective_economy',
    ]);
  });

  it('drops §2 answers when the type is corrected to 非贫困村', () => {
    const w = walk(villageForm, poorCtx).steps([
      ...basics('未退出贫困村'),
      ['v2_industry', '有'],
      ['v2_industry_name', '茶叶'],
    ]);
    const result = w.edit('v1_type', '非贫困村');
    expect(result.kind === 'accepted' && result.dropped.sort()).toEqual(['v2_industry', 'v2_industry_name']);
    expect(w.state.answers.v1_agri_population).toBe(1520);
    w.expectQuestion('v3_lookback_failed_households');
  });

  describe('cross-field checks reject with a Chinese reason and keep earlier answers', () => {
    it('贫困人口 ≤ 全村农业人口', () => {
      const w = walk(villageForm, ctx)
        .ask('v1_type', '非贫困村')
        .ask('v1_agri_population', '300')
        .expectQuestion('v1_poor_population')
        .expectRejected('301', /贫困人口\(301人\)不能超过全村农业人口\(300人\)/);
      expect(w.state.answers).toEqual({ v1_type: 'non_poor', v1_agri_population: 300 });
      w.answer('300').expectQuestion('v1_exited_population');
    });

    it('计划脱贫人口 ≤ 贫困人口', () => {
      walk(villageForm, ctx)
        .steps(basics('非贫困村').slice(0, 4))
        .expectQuestion('v1_planned_population')
        .expectRejected('87', /不能超过贫困人口/);
    });

    it('路面宽 ≤ 路基宽', () => {
      const w = walk(villageForm, poorCtx)
        .steps([...basics('未退出贫困村'), ...elevenOneMet.slice(0, 13)])
        .expectQuestion('v2_road_surface_width')
        .expectRejected('7', /路面宽\(7米\)不能超过路基宽\(6.5米\)/);
      expect(w.state.answers.v2_road_base_width).toBe(6.5);
    });

    it('"回头帮"达标户数 ≤ "回头看"未达标户数', () => {
      walk(villageForm, ctx)
        .steps(basics('非贫困村'))
        .ask('v3_lookback_failed_households', '2')
        .expectQuestion('v3_lookback_fixed_households')
        .expectRejected('3', /不能超过"回头看"发现未达标户数/)
        .answer('2')
        .expectQuestion('v3_policy_continued');
    });

    it('培训次数 at least 1 when training was held', () => {
      walk(villageForm, poorCtx)
        .steps([...basics('未退出贫困村'), ...elevenOneMet, ...consolidationPlain, ...assistance.slice(0, 6)])
        .expectQuestion('v4_training_count')
        .expectRejected('0', /不能小于 1/);
    });
  });

  describe('soft checks ask for confirmation', () => {
    it('a population over 20,000', () => {
      walk(villageForm, ctx)
        .ask('v1_type', '非贫困村')
        .expectQuestion('v1_agri_population')
        .expectConfirm('25000', /超过2万人/)
        .confirm()
        .expectQuestion('v1_poor_population');
    });

    it('a poverty incidence over 30%', () => {
      const w = walk(villageForm, poorCtx)
        .steps([...basics('未退出贫困村'), ...elevenOneMet.slice(0, -1)])
        .expectQuestion('v2_poverty_incidence_pct')
        .expectConfirm('35', /超过30%/)
        .confirm();
      expect(w.state.confirmations.v2_poverty_incidence_pct?.value).toBe(35);
      expect(computeFlags(villageForm, poorCtx, w.state.answers)).toContain('v_incidence_above_3');
    });

    it('an exited poor village with an incidence of 3% or more', () => {
      walk(villageForm, poorCtx)
        .steps([...basics('已退出贫困村'), ...elevenOneMet.slice(0, -1)])
        .expectQuestion('v2_poverty_incidence_pct')
        .expectConfirm('3', /已退出贫困村/);
    });
  });

  describe('表4 "十一有一低于" flags', () => {
    /** A poor village meeting every row (from a complete walk). */
    const met: Answers = walk(villageForm, poorCtx).steps([...basics('未退出贫困村'), ...elevenOneMet]).state
      .answers;
    const flagsOf = (changes: Record<string, string | number | string[]>): string[] =>
      computeFlags(villageForm, poorCtx, { ...met, ...changes }).filter((f) =>
        (VILLAGE_ELEVEN_ONE_FLAGS as readonly string[]).includes(f),
      );

    it('raises none for a village meeting every row', () => {
      expect(flagsOf({})).toEqual([]);
    });

    it.each([
      [{ v2_industry: 'none' }, 'v_industry_missing'],
      [{ v2_housing_pct: 97.9 }, 'v_housing_below'],
      [{ v2_dropout_economic: 'yes' }, 'v_education_below'],
      [{ v2_education_policy: 'no' }, 'v_education_below'],
      [{ v2_medical_insurance_pct: 95 }, 'v_medical_below'],
      [{ v2_medical_policy: 'no' }, 'v_medical_below'],
      [{ v2_water_pct: 90 }, 'v_water_below'],
      [{ v2_road_hardened: 'no' }, 'v_road_below'],
      [{ v2_settlement_gravel_road: 'no' }, 'v_road_below'],
      [{ v2_electricity_pct: 97 }, 'v_electricity_below'],
      [{ v2_public_services: ['office', 'board', 'court', 'culture'] }, 'v_services_below'],
      [{ v2_public_services: ['none'] }, 'v_services_below'],
      [{ v2_pension_pct: 80 }, 'v_services_below'],
      [{ v2_dibao_all: 'no' }, 'v_services_below'],
      [{ v2_tv_pct: 50 }, 'v_tv_below'],
      [{ v2_collective_economy: 'none' }, 'v_no_collective_economy'],
      [{ v2_weak_party_fixed: 'no' }, 'v_weak_party_org'],
      [{ v2_poverty_incidence_pct: 3 }, 'v_incidence_above_3'],
    ] as const)('%o → %s', (changes, flag) => {
      expect(flagsOf(changes as Record<string, string | number | string[]>)).toEqual([flag]);
    });

    it('keeps the thresholds at 98% and "below 3%"', () => {
      expect(flagsOf({ v2_water_pct: 98, v2_poverty_incidence_pct: 2.99 })).toEqual([]);
    });

    it('a weak party organisation already put right does not fail', () => {
      expect(flagsOf({ v2_weak_party_org: 'yes', v2_weak_party_fixed: 'yes' })).toEqual([]);
    });

    it('a 非贫困村 raises none of them', () => {
      const w = walk(villageForm, ctx).steps([...basics('非贫困村'), ...consolidationPlain, ...otherPlain]);
      expect(computeFlags(villageForm, ctx, w.state.answers)).toEqual([]);
    });
  });
});
