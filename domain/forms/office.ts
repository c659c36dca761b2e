// 县级数据: the 表4 rows the office (扶贫办) enters itself (DOMAIN.md §7), as a short form run by the
// same engine. Labels are the seed's wording of 表4.

import type { Condition, CrossCheck, FlagDef, FormDef, Question } from './types';

const SECTION = {
  county: 'o1',
  organisation: 'o2',
  nineOne: 'o3',
  consolidation: 'o4',
  funds: 'o5',
  outlook: 'o6',
} as const;

/** "九有一低于" rows are filled only by a county that has exited or plans to exit this year. */
const EXITING_COUNTY: Condition = { q: 'o_county_status', in: ['exited', 'planned'] };

/** The 10 rows of 摘帽县"九有一低于"情况, in table order: [id, seed wording]. */
export const COUNTY_NINE_ONE_ROWS = [
  ['o9_industry', '有特色产业'],
  ['o9_housing', '有稳固住房'],
  ['o9_education', '教育保障'],
  ['o9_medical', '医疗保障'],
  ['o9_water', '安全饮水'],
  ['o9_road', '通村屯道路'],
  ['o9_electricity', '有电用'],
  ['o9_services', '公共服务设施'],
  ['o9_social_assistance', '有社会救助'],
  ['o9_incidence', '贫困发生率'],
] as const;

const nineOneQuestions: Question[] = COUNTY_NINE_ONE_ROWS.map(
  ([id, name], i): Question => ({
    id,
    section: SECTION.nineOne,
    seedNo: String(i + 1),
    label: `${name}是否达标`,
    type: 'yesno',
    when: EXITING_COUNTY,
  }),
);

/** An amount in 万元. */
const money = (id: string, seedNo: string, label: string, extra: Partial<Question> = {}): Question => ({
  id,
  section: SECTION.funds,
  seedNo,
  label,
  type: 'decimal',
  min: 0,
  unit: '万元',
  ...extra,
});

const notMore = (q: string, what: string, than: string, unit: string): CrossCheck => ({
  op: 'lte',
  than: { q },
  message: `${what}({value}${unit})不能超过${than}({than}${unit})。`,
});

const questions: readonly Question[] = [
  // 一、县基本情况
  {
    id: 'o_county_status',
    section: SECTION.county,
    seedNo: '补',
    label: '本县(市、区)是否为摘帽县',
    type: 'choice',
    choices: [
      { id: 'exited', label: '已摘帽县' },
      { id: 'planned', label: '今年计划摘帽县' },
      { id: 'none', label: '非摘帽县' },
    ],
  },

  // 二、督查组织
  {
    id: 'o_departments',
    section: SECTION.organisation,
    seedNo: '督查组织',
    label: '参与部门',
    type: 'int',
    min: 0,
    unit: '个',
    prefill: 'rosterDepartments',
  },
  {
    id: 'o_people',
    section: SECTION.organisation,
    seedNo: '督查组织',
    label: '参与人数',
    type: 'int',
    min: 0,
    unit: '人',
    prefill: 'rosterPeople',
  },

  // 三、摘帽县"九有一低于"情况
  ...nineOneQuestions,

  // 四、脱贫摘帽对象巩固提升情况 (数据由县提供)
  {
    id: 'o_lookback_failed',
    section: SECTION.consolidation,
    seedNo: '1',
    label: '全县"回头看"发现已脱贫户个别指标未达到脱贫标准户数',
    type: 'int',
    min: 0,
    unit: '户',
  },
  {
    id: 'o_lookback_fixed',
    section: SECTION.consolidation,
    seedNo: '2',
    label: '全县截至9月底通过"回头帮"实现达标户数',
    type: 'int',
    min: 0,
    unit: '户',
    checks: [notMore('o_lookback_failed', '"回头帮"实现达标户数', '"回头看"发现未达标户数', '户')],
  },

  // 五、扶贫资金管理使用情况
  money('o_fund_integration_plan', '1', '涉农资金整合计划数'),
  money('o_fund_integration_received', '1', '涉农资金整合实际到位数', {
    // More may arrive than planned (a supplementary allocation): ask, do not forbid.
    soft: [
      {
        id: 'o_fund_integration_over_plan',
        when: { q: 'o_fund_integration_received', gt: { q: 'o_fund_integration_plan' } },
        message: '涉农资金整合实际到位数超过计划数,请确认是否填写正确。',
        kind: 'confirm',
      },
    ],
  }),
  money('o_fund_integration_disbursed', '1', '涉农资金整合截止9月底拨付数', {
    checks: [notMore('o_fund_integration_received', '截止9月底拨付数', '实际到位数', '万元')],
  }),
  money('o_edu_aid_total', '2', '教育扶贫救助基金总额'),
  money('o_edu_aid_paid', '2', '教育扶贫救助基金已发放额', {
    checks: [notMore('o_edu_aid_total', '教育扶贫救助基金已发放额', '基金总额', '万元')],
  }),
  {
    id: 'o_edu_aid_beneficiaries',
    section: SECTION.funds,
    seedNo: '2',
    label: '教育扶贫救助基金惠及人数',
    type: 'int',
    min: 0,
    unit: '人',
  },
  money('o_health_aid_total', '3', '卫生扶贫救助基金总额'),
  money('o_health_aid_paid', '3', '卫生扶贫救助基金已发放额', {
    checks: [notMore('o_health_aid_total', '卫生扶贫救助基金已发放额', '基金总额', '万元')],
  }),
  {
    id: 'o_health_aid_beneficiaries',
    section: SECTION.funds,
    seedNo: '3',
    label: '卫生扶贫救助基金惠及人数',
    type: 'int',
    min: 0,
    unit: '人',
  },
  // The seed prints "分险基金"; the fund is the 风险补偿金 (DOMAIN.md §7).
  money('o_microcredit_risk_fund', '4', '扶贫小额信贷风险基金总额'),
  money('o_microcredit_balance', '4', '扶贫小额信贷余额'),
  {
    id: 'o_microcredit_households',
    section: SECTION.funds,
    seedNo: '4',
    label: '扶贫小额信贷惠及户数',
    type: 'int',
    min: 0,
    unit: '户',
  },
  money('o_industry_fund_county', '5', '产业扶持基金全县总额'),
  money('o_industry_fund_poor_villages', '5', '产业扶持基金其中:贫困村总额', {
    checks: [notMore('o_industry_fund_county', '贫困村总额', '全县总额', '万元')],
  }),
  money('o_industry_fund_sampled', '5', '产业扶持基金其中:抽查贫困村总额', {
    checks: [notMore('o_industry_fund_poor_villages', '抽查贫困村总额', '贫困村总额', '万元')],
  }),
  money('o_sampled_villages_lent', '抽查村情况', '抽查贫困村借出总额', {
    soft: [
      {
        id: 'o_sampled_lent_over_fund',
        when: { q: 'o_sampled_villages_lent', gt: { q: 'o_industry_fund_sampled' } },
        message: '抽查贫困村借出总额超过抽查贫困村产业扶持基金总额,请确认是否填写正确。',
        kind: 'confirm',
      },
    ],
  }),

  // 六、综合研判
  {
    id: 'o_outlook',
    section: SECTION.outlook,
    seedNo: '综合研判',
    label: '研判该县能否顺利完成今年扶贫目标任务',
    type: 'choice',
    choices: [
      { id: 'can', label: '能' },
      { id: 'cannot', label: '不能' },
    ],
  },
  // Decision: two questions, because types.ts has no "optional unless …". When the county cannot
  // make it the reason is required (`o_outlook_reason`); otherwise a short note may be left empty
  // (`o_outlook_note`). 表4's 综合研判 text is whichever of the two is answered.
  {
    id: 'o_outlook_note',
    section: SECTION.outlook,
    seedNo: '综合研判',
    label: '文字性简要描述(可不填)',
    type: 'text',
    optional: true,
    when: { q: 'o_outlook', eq: 'can' },
  },
  {
    id: 'o_outlook_reason',
    section: SECTION.outlook,
    seedNo: '综合研判',
    label: '若不能,说明具体原因',
    type: 'text',
    when: { q: 'o_outlook', eq: 'cannot' },
  },
];

const flags: readonly FlagDef[] = [
  {
    id: 'o_nine_one_not_met',
    label: '摘帽县"九有一低于"有未达标项',
    when: { any: COUNTY_NINE_ONE_ROWS.map(([id]): Condition => ({ q: id, eq: 'no' })) },
  },
  { id: 'o_outlook_cannot', label: '研判不能完成今年扶贫目标任务', when: { q: 'o_outlook', eq: 'cannot' } },
];

export const officeForm: FormDef = {
  id: 'office',
  version: 1,
  title: '县级数据(扶贫办填报)',
  sections: [
    { id: SECTION.county, title: '一、县基本情况' },
    { id: SECTION.organisation, title: '二、督查组织' },
    { id: SECTION.nineOne, title: '三、摘帽县"九有一低于"情况' },
    { id: SECTION.consolidation, title: '四、脱贫摘帽对象巩固提升情况' },
    { id: SECTION.funds, title: '五、扶贫资金管理使用情况' },
    { id: SECTION.outlook, title: '六、综合研判' },
  ],
  questions,
  flags,
};
