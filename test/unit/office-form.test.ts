import { describe, expect, it } from 'vitest';
import { computeFlags, submittable, validateForm } from '../../domain/engine';
import { formById, forms } from '../../domain/forms/index';
import { COUNTY_NINE_ONE_ROWS, officeForm } from '../../domain/forms/office';
import type { FormContext } from '../../domain/forms/types';
import { walk } from '../support/form-walker';

const ctx: FormContext = {
  povertyLine: 3335,
  year: 2017,
  incomeCutoff: '2017年9月底',
  prefill: { o_departments: 12, o_people: 45 },
};

type Step = readonly [string, string];

const organisation: Step[] = [
  ['o_departments', '12'],
  ['o_people', '45'],
];
const nineOne: Step[] = COUNTY_NINE_ONE_ROWS.map(([id]) => [id, '是']);
const consolidation: Step[] = [
  ['o_lookback_failed', '25'],
  ['o_lookback_fixed', '20'],
];
const funds: Step[] = [
  ['o_fund_integration_plan', '5000'],
  ['o_fund_integration_received', '4800'],
  ['o_fund_integration_disbursed', '3200.5'],
  ['o_edu_aid_total', '100'],
  ['o_edu_aid_paid', '80'],
  ['o_edu_aid_beneficiaries', '320'],
  ['o_health_aid_total', '60'],
  ['o_health_aid_paid', '45'],
  ['o_health_aid_beneficiaries', '150'],
  ['o_microcredit_risk_fund', '500'],
  ['o_microcredit_balance', '2600'],
  ['o_microcredit_households', '640'],
  ['o_industry_fund_county', '800'],
  ['o_industry_fund_poor_villages', '300'],
  ['o_industry_fund_sampled', '60'],
  ['o_sampled_villages_lent', '40'],
];
const ids = (steps: readonly Step[]): string[] => steps.map(([id]) => id);

describe('县级数据 (office form)', () => {
  it('is a valid form definition', () => {
    expect(validateForm(officeForm)).toEqual([]);
    expect(officeForm).toMatchObject({ id: 'office', version: 1, title: '县级数据(扶贫办填报)' });
    expect(officeForm.questions[0]?.id).toBe('o_county_status');
  });

  it('skips the "九有一低于" rows for a county that is not taking off the hat', () => {
    const steps: Step[] = [
      ['o_county_status', '非摘帽县'],
      ...organisation,
      ...consolidation,
      ...funds,
      ['o_outlook', '能'],
      ['o_outlook_note', '无'],
    ];
    const w = walk(officeForm, ctx).steps(steps).expectDone();
    expect(w.asked).toEqual(ids(steps));
    expect(w.asked.some((id) => id.startsWith('o9_'))).toBe(false);
    expect(w.state.answers.o_outlook_note).toBe('');
    expect(submittable(officeForm, ctx, w.state)).toEqual({ ok: true });
  });

  it('asks the 10 "九有一低于" rows, in order, for a county that has exited or plans to', () => {
    for (const status of ['已摘帽县', '今年计划摘帽县']) {
      const steps: Step[] = [
        ['o_county_status', status],
        ...organisation,
        ...nineOne.slice(0, 9),
        ['o9_incidence', '否'],
        ...consolidation,
        ...funds,
        ['o_outlook', '不能'],
        ['o_outlook_reason', '贫困发生率未降到3%以下,部分村道路未硬化'],
      ];
      const w = walk(officeForm, ctx).steps(steps).expectDone();
      expect(w.asked).toEqual(ids(steps));
      expect(w.asked.filter((id) => id.startsWith('o9_'))).toHaveLength(10);
      expect(computeFlags(officeForm, ctx, w.state.answers)).toEqual([
        'o_nine_one_not_met',
        'o_outlook_cannot',
      ]);
    }
  });

  it('rejects more disbursed than received, keeping the earlier answers', () => {
    const w = walk(officeForm, ctx)
      .steps([['o_county_status', '非摘帽县'], ...organisation, ...consolidation, ...funds.slice(0, 2)])
      .expectQuestion('o_fund_integration_disbursed')
      .expectRejected('4800.01', /拨付数\(4800.01万元\)不能超过实际到位数\(4800万元\)/);
    expect(w.state.answers.o_fund_integration_received).toBe(4800);
    w.answer('4800').expectQuestion('o_edu_aid_total');
  });

  it('asks for confirmation when more was received than planned', () => {
    const w = walk(officeForm, ctx)
      .steps([
        ['o_county_status', '非摘帽县'],
        ...organisation,
        ...consolidation,
        ['o_fund_integration_plan', '5000'],
      ])
      .expectQuestion('o_fund_integration_received')
      .expectConfirm('5200', /超过计划数/)
      .confirm()
      .expectQuestion('o_fund_integration_disbursed');
    expect(w.state.confirmations.o_fund_integration_received).toMatchObject({ value: 5200 });
  });

  it('keeps the fund sub-totals within their totals', () => {
    walk(officeForm, ctx)
      .steps([['o_county_status', '非摘帽县'], ...organisation, ...consolidation, ...funds.slice(0, 13)])
      .expectQuestion('o_industry_fund_poor_villages')
      .expectRejected('801', /不能超过全县总额/);
    walk(officeForm, ctx)
      .ask('o_county_status', '非摘帽县')
      .steps(organisation)
      .ask('o_lookback_failed', '5')
      .expectQuestion('o_lookback_fixed')
      .expectRejected('6', /不能超过"回头看"发现未达标户数/);
  });

  it('requires a reason when the county cannot meet this year’s targets', () => {
    walk(officeForm, ctx)
      .steps([
        ['o_county_status', '非摘帽县'],
        ...organisation,
        ...consolidation,
        ...funds,
        ['o_outlook', '不能'],
      ])
      .expectQuestion('o_outlook_reason')
      .expectRejected('', /不能为空/);
  });
});

describe('form registry', () => {
  it('holds the three forms by id and version', () => {
    expect(Object.keys(forms).sort()).toEqual(['household', 'office', 'village']);
    expect(formById('office')).toBe(officeForm);
    expect(formById('office', 1)).toBe(officeForm);
    expect(formById('office', 99)).toBeUndefined();
    expect(formById('nope')).toBeUndefined();
    for (const f of Object.values(forms)) expect(f.id).toBeTruthy();
  });
});
