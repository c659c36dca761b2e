import { describe, expect, it } from 'vitest';
import {
  computeFlags,
  nextQuestion,
  previousQuestion,
  progress,
  review,
  submittable,
  validateForm,
} from '../../domain/engine';
import { householdForm } from '../../domain/forms/household';
import type { FormContext, StratumId } from '../../domain/forms/types';
import { walk } from '../support/form-walker';
import { typicalHousehold } from '../support/survey-driver';

const ctxFor = (stratum: StratumId, villageType: FormContext['villageType'] = 'non_poor'): FormContext => ({
  stratum,
  villageType,
  povertyLine: 3335,
  year: 2017,
  incomeCutoff: '2017年9月底',
  prefill: { h1_name: '黄明', h1_type: stratum },
});

/** A household that meets every standard; each test overrides what its scenario is about. */
const typical: Record<string, string> = {
  ...typicalHousehold,
  h1_name: '黄明',
  h2_income: '4200',
  h2_area_per_person: '32.5',
};

/** Answer whatever the engine asks from `answers` until it has nothing left; returns the walker. */
function interview(ctx: FormContext, overrides: Record<string, string> = {}) {
  const answers: Record<string, string> = { ...typical, h1_type: ctx.stratum ?? 'non_poor', ...overrides };
  const w = walk(householdForm, ctx);
  for (let q = nextQuestion(householdForm, ctx, w.state); q; q = nextQuestion(householdForm, ctx, w.state)) {
    const a = answers[q.id];
    expect(a, `no scripted answer for ${q.id}`).toBeDefined();
    w.ask(q.id, q.id === 'h1_type' ? { choice: a! } : a!);
  }
  return w;
}

const BASIC = ['h1_name', 'h1_type', 'h1_pop_actual', 'h1_pop_registered'];
const REGISTERED_BASIC = ['h1_pop_card', 'h1_pop_manual', 'h1_measures_match', 'h1_records_match'];
const LIVING = [
  'h2_food',
  'h2_clothing',
  'h2_income',
  'h2_dropout',
  'h2_insured_all',
  'h2_serious_illness',
  'h2_safe_housing',
  'h2_housing_structure',
  'h2_area_per_person',
  'h2_cracks_leaks',
  'h2_relocated',
  'h2_road_hardened',
  'h2_settlement_20plus',
  'h2_electricity',
  'h2_water',
  'h2_tv_signal',
];
const HELP = [
  'h3_cadre_assigned',
  'h3_cadre_name',
  'h3_visits',
  'h3_standard_explained',
  'h3_policies_introduced',
  'h3_requested_help',
  'h3_material_help',
  'h3_satisfied',
];
const OTHER = [
  'h3_recognition',
  'h4_unlisted_hardship',
  'h4_committee_visited',
  'h4_committee_satisfied',
  'h4_opinions',
];

const EXITED_SEQUENCE = [
  ...BASIC,
  ...REGISTERED_BASIC,
  ...LIVING,
  'h2_post_exit_support',
  ...HELP,
  ...OTHER,
  'h5_meets_standard',
];
const REGISTERED_SEQUENCE = [...BASIC, ...REGISTERED_BASIC, ...LIVING, ...HELP, ...OTHER];
const NON_POOR_SEQUENCE = [...BASIC, ...LIVING, ...OTHER, 'h5_missed'];

describe('the household survey asks each stratum exactly its questions', () => {
  it.each([
    ['exited_2014_2015', EXITED_SEQUENCE],
    ['exited_2016', EXITED_SEQUENCE],
    ['planned_2017', REGISTERED_SEQUENCE],
    ['registered_poor', REGISTERED_SEQUENCE],
    ['non_poor', NON_POOR_SEQUENCE],
  ] as const)('a %s household is asked the expected sequence', (stratum, expected) => {
    const w = interview(ctxFor(stratum));
    expect(w.asked).toEqual(expected);
    expect(submittable(householdForm, w.ctx, w.state)).toEqual({ ok: true });
    expect(progress(householdForm, w.ctx, w.state)).toEqual({
      answered: expected.length,
      applicable: expected.length,
    });
  });

  it('a non-poor household skips the card and manual counts, 1.4, the archive check, 2.11, 3.1–3.7 and 5.1', () => {
    const asked = interview(ctxFor('non_poor')).asked;
    for (const id of [...REGISTERED_BASIC, 'h2_post_exit_support', ...HELP, 'h5_meets_standard']) {
      expect(asked).not.toContain(id);
    }
    expect(asked).toContain('h5_missed');
  });

  it('a relocated household is asked the five relocation follow-ups right after 2.6', () => {
    const w = interview(ctxFor('planned_2017'), {
      h2_relocated: '是',
      h2_relocation_status: '未建成',
      h2_relocation_this_year: '是',
      h2_relocation_area_over_25: '否',
      h2_relocation_self_fund_over_10k: '是',
      h2_relocation_debt: '是',
    });
    const i = w.asked.indexOf('h2_relocated');
    expect(w.asked.slice(i, i + 7)).toEqual([
      'h2_relocated',
      'h2_relocation_status',
      'h2_relocation_this_year',
      'h2_relocation_area_over_25',
      'h2_relocation_self_fund_over_10k',
      'h2_relocation_debt',
      'h2_road_hardened',
    ]);
    expect(w.state.answers.h2_relocation_status).toBe('not_built');
  });

  it('a household with a serious illness is asked the hospital cost, the reimbursement and the aid', () => {
    const w = interview(ctxFor('registered_poor'), {
      h2_serious_illness: '是',
      h2_hospital_cost: '12000',
      h2_reimbursed: '8400.5',
      h2_illness_aid: '1500',
    });
    const i = w.asked.indexOf('h2_serious_illness');
    expect(w.asked.slice(i + 1, i + 4)).toEqual(['h2_hospital_cost', 'h2_reimbursed', 'h2_illness_aid']);
    expect(w.state.answers).toMatchObject({
      h2_hospital_cost: 12000,
      h2_reimbursed: 8400.5,
      h2_illness_aid: 1500,
    });
  });

  it('in a poor village a registered household is asked about the first secretary (3.7)', () => {
    const w = interview(ctxFor('planned_2017', 'poor'), {
      h3_first_secretary_known: '是',
      h3_first_secretary_name: '王书记',
      h3_village_changed: '是',
      h3_projects: '百香果种植基地',
      h3_first_secretary_satisfied: '满意',
    });
    const i = w.asked.indexOf('h3_satisfied');
    expect(w.asked.slice(i + 1, i + 7)).toEqual([
      'h3_first_secretary_known',
      'h3_first_secretary_name',
      'h3_village_changed',
      'h3_projects',
      'h3_first_secretary_satisfied',
      'h3_recognition',
    ]);
  });

  it('in a poor village, not knowing the first secretary skips only the name', () => {
    const w = interview(ctxFor('registered_poor', 'poor'), {
      h3_first_secretary_known: '否',
      h3_village_changed: '否',
      h3_first_secretary_satisfied: '不满意',
    });
    expect(w.asked).toContain('h3_village_changed');
    expect(w.asked).not.toContain('h3_first_secretary_name');
    expect(w.asked).not.toContain('h3_projects');
  });

  it('in a poor village a non-poor household is still not asked 3.7', () => {
    expect(interview(ctxFor('non_poor', 'poor')).asked).not.toContain('h3_first_secretary_known');
  });

  it('an exited household judged below the standard is asked whether it is 错退 or 返贫', () => {
    const w = interview(ctxFor('exited_2016'), { h5_meets_standard: '否', h5_failure_kind: '错退' });
    expect(w.asked.slice(-2)).toEqual(['h5_meets_standard', 'h5_failure_kind']);
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).toContain('judged_wrongful_exit');
  });

  it('a relapse judgement is recorded as 返贫, not as 错退', () => {
    const w = interview(ctxFor('exited_2014_2015'), { h5_meets_standard: '否', h5_failure_kind: '返贫' });
    const flags = computeFlags(householdForm, w.ctx, w.state.answers);
    expect(flags).toContain('judged_relapse');
    expect(flags).not.toContain('judged_wrongful_exit');
  });
});

describe('editing an earlier answer changes what applies', () => {
  it('correcting the type from 计划脱贫户 to 非贫困户 drops the registered-only answers and asks 5.2', () => {
    const w = interview(ctxFor('planned_2017'));
    const result = w.edit('h1_type', { choice: 'non_poor' });
    expect(result.kind === 'accepted' && result.dropped.sort()).toEqual(
      [...REGISTERED_BASIC, ...HELP].sort(),
    );
    expect(result.kind === 'accepted' && result.next?.id).toBe('h5_missed');
    expect(w.state.answers.h3_cadre_name).toBeUndefined();
    expect(w.state.answers.h2_income).toBe(4200);
    w.ask('h5_missed', '否').expectDone();
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).toContain('type_mismatch');
  });

  it('saying there was no serious illness after all drops the cost answers', () => {
    const w = interview(ctxFor('registered_poor'), {
      h2_serious_illness: '是',
      h2_hospital_cost: '5000',
      h2_reimbursed: '3000',
      h2_illness_aid: '0',
    });
    const result = w.edit('h2_serious_illness', '否');
    expect(result.kind === 'accepted' && result.dropped.sort()).toEqual(
      ['h2_hospital_cost', 'h2_illness_aid', 'h2_reimbursed'].sort(),
    );
    expect(submittable(householdForm, w.ctx, w.state)).toEqual({ ok: true });
  });

  it('lowering the hospital cost below the reimbursement drops the reimbursement and asks it again', () => {
    const w = interview(ctxFor('registered_poor'), {
      h2_serious_illness: '是',
      h2_hospital_cost: '5000',
      h2_reimbursed: '3000',
      h2_illness_aid: '0',
    });
    const result = w.edit('h2_hospital_cost', '2000');
    expect(result.kind === 'accepted' && result.dropped).toEqual(['h2_reimbursed']);
    expect(result.kind === 'accepted' && result.next?.id).toBe('h2_reimbursed');
    w.expectQuestion('h2_reimbursed')
      .expectRejected('2500', /不能超过住院花费\(2000元\)/)
      .answer('1800')
      .expectDone();
  });

  it('turning a household relocated adds the relocation questions to what is left to ask', () => {
    const w = interview(ctxFor('planned_2017'));
    const before = progress(householdForm, w.ctx, w.state);
    const result = w.edit('h2_relocated', '是');
    expect(result.kind === 'accepted' && result.next?.id).toBe('h2_relocation_status');
    expect(progress(householdForm, w.ctx, w.state)).toEqual({
      answered: before.answered,
      applicable: before.applicable + 5,
    });
    expect(submittable(householdForm, w.ctx, w.state)).toEqual({
      ok: false,
      missing: [
        'h2_relocation_status',
        'h2_relocation_this_year',
        'h2_relocation_area_over_25',
        'h2_relocation_self_fund_over_10k',
        'h2_relocation_debt',
      ],
    });
  });

  it('an edit that makes an exited household suspect asks again for the judgement with a reason', () => {
    const w = interview(ctxFor('exited_2016'));
    const result = w.edit('h2_food', '否');
    expect(result.kind === 'accepted' && result.next?.id).toBe('h5_meets_standard');
    w.expectQuestion('h5_meets_standard')
      .expectConfirm('是', /仍判断其达到脱贫标准/)
      .confirm('外出务工收入稳定,已解决吃饭问题');
    w.expectDone();
  });
});

describe('hard checks reject with a specific Chinese reason and keep earlier answers', () => {
  const upToPopulation = () =>
    walk(householdForm, ctxFor('planned_2017'))
      .ask('h1_name', '黄明')
      .ask('h1_type', { choice: 'planned_2017' })
      .expectQuestion('h1_pop_actual');

  it.each([
    ['abc', /请输入阿拉伯数字/],
    ['三', /请用阿拉伯数字/],
    ['-2', /不能为负数/],
    ['2.5', /整数/],
    ['0', /不能小于 1人/],
    ['31', /不能大于 30人/],
    ['', /请输入阿拉伯数字/],
  ])('household size %j is refused', (input, reason) => {
    const w = upToPopulation().expectRejected(input, reason);
    expect(w.state.answers).toEqual({ h1_name: '黄明', h1_type: 'planned_2017' });
  });

  it('accepts full-width digits and a unit after the number', () => {
    const w = upToPopulation().answer('４人');
    expect(w.state.answers.h1_pop_actual).toBe(4);
  });

  it('an income with more than two decimals, or written in words, is refused', () => {
    const fresh = walk(householdForm, ctxFor('non_poor')).steps([
      ['h1_name', '黄明'],
      ['h1_type', { choice: 'non_poor' }],
      ['h1_pop_actual', '3'],
      ['h1_pop_registered', '3'],
      ['h2_food', '是'],
      ['h2_clothing', '是'],
    ]);
    fresh
      .expectQuestion('h2_income')
      .expectRejected('4200.123', /两位小数/)
      .expectRejected('四千二', /阿拉伯数字/)
      .expectRejected('-100', /不能为负数/)
      .answer('4,200.50元');
    expect(fresh.state.answers.h2_income).toBe(4200.5);
  });

  it('more pupils out of school than people in the household is refused with both numbers', () => {
    const w = walk(householdForm, ctxFor('non_poor')).steps([
      ['h1_name', '黄明'],
      ['h1_type', { choice: 'non_poor' }],
      ['h1_pop_actual', '3'],
      ['h1_pop_registered', '3'],
      ['h2_food', '是'],
      ['h2_clothing', '是'],
      ['h2_income', '5000'],
      ['h2_dropout', '有'],
    ]);
    w.expectQuestion('h2_dropout_count').expectRejected('5', /辍学人数\(5人\)不能超过家庭实际人口\(3人\)/);
    expect(w.state.answers.h2_dropout).toBe('has');
    w.answer('1');
  });

  it('an answer that is not one of the choices is refused with the choices listed', () => {
    walk(householdForm, ctxFor('non_poor'))
      .ask('h1_name', '黄明')
      .ask('h1_type', { choice: 'non_poor' })
      .ask('h1_pop_actual', '3')
      .ask('h1_pop_registered', '3')
      .expectQuestion('h2_food')
      .expectRejected('可能吧', /请从以下选项中选择:是、否/)
      .expectRejected({ choice: 'maybe' }, /是、否/)
      .answer('是的');
  });

  it('a required text cannot be left empty, an optional one can', () => {
    const done = interview(ctxFor('planned_2017')).state;
    const w = walk(householdForm, ctxFor('planned_2017')).from(done);
    expect(w.at('h3_cadre_name').attempt('   ')).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/不能为空/),
    });
    expect(w.state.answers.h3_cadre_name).toBe('李强');
    expect(w.at('h4_opinions').attempt('无').kind).toBe('accepted');
    expect(w.state.answers.h4_opinions).toBe('');
  });

  it('an answer to a question that does not apply is refused', () => {
    const done = interview(ctxFor('non_poor')).state;
    const w = walk(householdForm, ctxFor('non_poor')).from(done);
    expect(w.at('h3_cadre_name').attempt('李强')).toMatchObject({ kind: 'rejected', code: 'not_applicable' });
    expect(w.state).toBe(done);
  });
});

describe('soft checks ask for confirmation and store it', () => {
  const toIncome = (stratum: StratumId) =>
    walk(householdForm, ctxFor(stratum))
      .steps([
        ['h1_name', '黄明'],
        ['h1_type', { choice: stratum }],
        ['h1_pop_actual', '3'],
        ['h1_pop_registered', '3'],
      ])
      .steps(stratum === 'non_poor' ? [] : REGISTERED_BASIC.map((id) => [id, typical[id]!] as const))
      .steps([
        ['h2_food', '是'],
        ['h2_clothing', '是'],
      ])
      .expectQuestion('h2_income');

  it('an income under 1000 元 is asked to be confirmed, and the confirmation is stored', () => {
    const w = toIncome('non_poor').expectConfirm('800', /低于 1000 元/);
    expect(w.state.answers.h2_income).toBeUndefined();
    w.confirm();
    expect(w.state.answers.h2_income).toBe(800);
    expect(w.state.confirmations.h2_income).toEqual({ check: 'income_very_low', value: 800 });
  });

  it('an income over 50000 元 is asked to be confirmed', () => {
    toIncome('planned_2017')
      .expectConfirm('60000', /超过 50000 元/)
      .confirm();
  });

  it.each([
    ['h2_area_per_person', '10', /不足 13 平方米/],
    ['h2_area_per_person', '200', /超过 150 平方米/],
    ['h3_visits', '70', /超过 60 次/],
  ])('editing %s to %s asks for confirmation and changes nothing until confirmed', (id, value, message) => {
    const done = interview(ctxFor('planned_2017')).state;
    const w = walk(householdForm, ctxFor('planned_2017')).from(done);
    expect(w.at(id).attempt(value)).toMatchObject({
      kind: 'confirm',
      message: expect.stringMatching(message),
    });
    expect(w.state).toBe(done);
    expect(w.attempt(value, { confirm: {} }).kind).toBe('accepted');
    expect(w.state.confirmations[id]).toMatchObject({ value: Number(value) });
  });

  it('a small area with no safe housing needs no confirmation', () => {
    const w = interview(ctxFor('planned_2017'), { h2_safe_housing: '无', h2_area_per_person: '10' });
    expect(w.state.confirmations.h2_area_per_person).toBeUndefined();
  });

  it('an exited household with low income judged 达标 must give a one-line reason', () => {
    const w = walk(householdForm, ctxFor('exited_2016'));
    const answers: Record<string, string> = { ...typical, h1_type: 'exited_2016', h2_income: '2800' };
    for (
      let q = nextQuestion(householdForm, w.ctx, w.state);
      q;
      q = nextQuestion(householdForm, w.ctx, w.state)
    ) {
      if (q.id === 'h5_meets_standard') break;
      w.ask(q.id, q.id === 'h1_type' ? { choice: 'exited_2016' } : answers[q.id]!);
    }
    w.expectQuestion('h5_meets_standard').expectConfirm('是', /请用一句话写明理由/);
    expect(w.attempt('是', { confirm: { reason: '好' } })).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/至少 4 个字/),
    });
    w.confirm('务工收入未计入,实际已超过贫困线');
    expect(w.state.confirmations.h5_meets_standard).toEqual({
      check: 'exit_suspect_confirmed',
      value: 'yes',
      reason: '务工收入未计入,实际已超过贫困线',
    });
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).toEqual(
      expect.arrayContaining(['income_below_line', 'exit_suspect']),
    );
  });

  it('a non-poor household that cannot afford food, judged not 漏评, must give a reason', () => {
    const w = walk(householdForm, ctxFor('non_poor'));
    const answers: Record<string, string> = { ...typical, h1_type: 'non_poor', h2_food: '否' };
    for (
      let q = nextQuestion(householdForm, w.ctx, w.state);
      q;
      q = nextQuestion(householdForm, w.ctx, w.state)
    ) {
      if (q.id === 'h5_missed') break;
      w.ask(q.id, q.id === 'h1_type' ? { choice: 'non_poor' } : answers[q.id]!);
    }
    w.expectQuestion('h5_missed')
      .expectConfirm('否', /不属于漏评/)
      .confirm('临时困难,家中有两名劳动力');
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).toEqual(
      expect.arrayContaining(['two_worries_fail', 'missed_suspect']),
    );
  });
});

describe('flags of DOMAIN.md §5', () => {
  it('computes every flag from the answers', () => {
    const w = interview(ctxFor('exited_2016'), {
      h1_type: 'planned_2017',
      h1_pop_card: '5',
      h2_clothing: '否',
      h2_insured_all: '否',
      h2_uninsured_count: '1',
      h2_income: '3000',
    });
    expect(computeFlags(householdForm, w.ctx, w.state.answers).sort()).toEqual(
      [
        'income_below_line',
        'population_mismatch',
        'three_guarantees_fail',
        'two_worries_fail',
        'type_mismatch',
      ].sort(),
    );
  });

  it('no flags for a household that meets every standard', () => {
    const w = interview(ctxFor('registered_poor'));
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).toEqual([]);
  });

  it('an income exactly on the poverty line is not below it', () => {
    const w = interview(ctxFor('non_poor'), { h2_income: '3335' });
    expect(computeFlags(householdForm, w.ctx, w.state.answers)).not.toContain('income_below_line');
  });
});

describe('review, progress and navigation', () => {
  it('the review lists the answers by section with labels, choice labels and the flags', () => {
    const w = interview(ctxFor('exited_2016'), {
      h2_income: '3000',
      h5_meets_standard: '否',
      h5_failure_kind: '错退',
    });
    const r = review(householdForm, w.ctx, w.state);
    expect(r.sections.map((s) => s.title)).toEqual([
      '一、被调查户基本情况',
      '二、贫困户"八有一超"达标情况',
      '三、帮扶联系',
      '四、其他事项',
      '五、综合判断',
    ]);
    const items = r.sections.flatMap((s) => s.items);
    expect(items.find((i) => i.id === 'h1_type')?.display).toBe('2016年脱贫户');
    expect(items.find((i) => i.id === 'h2_income')).toMatchObject({
      label: '截止2017年9月底家庭人均纯收入(元)',
      display: '3000元',
    });
    expect(items.find((i) => i.id === 'h4_opinions')?.display).toBe('无');
    expect(items.find((i) => i.id === 'h5_failure_kind')?.display).toBe('错退');
    expect(r.flags.map((f) => f.label)).toEqual([
      '人均纯收入低于贫困线',
      '已脱贫户疑似未达标',
      '判断为疑似错退',
    ]);
    expect(r.submittable).toBe(true);
  });

  it('going back walks the applicable questions in reverse, skipping those that do not apply', () => {
    const w = interview(ctxFor('non_poor'));
    expect(previousQuestion(householdForm, w.ctx, w.state)?.id).toBe('h5_missed');
    expect(previousQuestion(householdForm, w.ctx, w.state, 'h2_food')?.id).toBe('h1_pop_registered');
    expect(previousQuestion(householdForm, w.ctx, w.state, 'h1_name')).toBeUndefined();
  });

  it('a half-done survey reports its progress and cannot be submitted', () => {
    const w = walk(householdForm, ctxFor('planned_2017'))
      .ask('h1_name', '黄明')
      .ask('h1_type', { choice: 'planned_2017' })
      .ask('h1_pop_actual', '4');
    // the cadre's name is not counted until 3.1 is answered 是
    expect(progress(householdForm, w.ctx, w.state)).toEqual({
      answered: 3,
      applicable: REGISTERED_SEQUENCE.length - 1,
    });
    const s = submittable(householdForm, w.ctx, w.state);
    expect(s.ok === false && s.missing[0]).toBe('h1_pop_registered');
  });

  it('the form definition refers only to questions, choices and flags that exist', () => {
    expect(validateForm(householdForm)).toEqual([]);
  });
});
