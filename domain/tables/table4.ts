// 表4 督查任务完成情况汇总表 as data: one entry per row of the seed's table, in its order
// (DOMAIN.md §8). Labels are the seed's wording; the rules are evaluated by compute.ts.

import { COUNTY_NINE_ONE_ROWS } from '../forms/office';
import type { Condition } from '../forms/types';
import { VILLAGE_ELEVEN_ONE_FLAGS } from '../forms/village';
import type { Table4RowDef, Table4Rule } from './compute';

/** 建档立卡户: every stratum but non_poor, by the (possibly corrected) h1_type answer. */
const REGISTERED: Condition = {
  q: 'h1_type',
  in: ['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor'],
};
const PLANNED: Condition = { q: 'h1_type', eq: 'planned_2017' };
const NON_POOR: Condition = { q: 'h1_type', eq: 'non_poor' };
/** 十一有一低于 rows count only villages that have exited or plan to exit this year. */
const EXITING_VILLAGE: Condition = { q: 'v1_type', in: ['exited_poor', 'planned_exit_poor'] };

const PLANNED_LABEL = '其中:今年计划脱贫户';
const and = (...c: Condition[]): Condition => ({ all: c });
const count = (where?: Condition): Table4Rule => ({ kind: 'countHouseholds', ...(where ? { where } : {}) });

const BASICS = '督查基本情况';
const HOUSEHOLDS = '抽查户情况';
const TASKS = '主要目标任务完成情况';
const EIGHT_ONE = '贫困户"八有一超"情况';

/**
 * A 八有一超 row over 建档立卡户 with its "其中:今年计划脱贫户" sub-row (id + '_planned').
 * `sum` names a count question (人) instead of counting households (户).
 */
function withPlanned(id: string, label: string, cond: Condition | null, sum?: string): Table4RowDef[] {
  const rule = (restrict: Condition): Table4Rule => {
    const where = cond ? and(restrict, cond) : restrict;
    return sum ? { kind: 'sumHouseholds', question: sum, where } : count(where);
  };
  const unit = sum ? '人' : '户';
  return [
    { id, category: TASKS, group: EIGHT_ONE, label, unit, rule: rule(REGISTERED) },
    {
      id: `${id}_planned`,
      category: TASKS,
      group: EIGHT_ONE,
      label: PLANNED_LABEL,
      unit,
      rule: rule(PLANNED),
      parent: id,
    },
  ];
}

const ELEVEN_ONE_LABELS: Readonly<Record<(typeof VILLAGE_ELEVEN_ONE_FLAGS)[number], string>> = {
  v_industry_missing: '无特色产业村数',
  v_housing_below: '有稳固住房达不到标准的村数',
  v_education_below: '教育保障达不到标准的村数',
  v_medical_below: '医疗保障达不到标准的村数',
  v_water_below: '安全饮水达不到标准的村数',
  v_road_below: '通村屯道路达不到标准的村数',
  v_electricity_below: '有电用达不到标准的村数',
  v_services_below: '公共服务设施达不到标准的村数',
  v_tv_below: '有电视看达不到标准的村数',
  v_no_collective_economy: '无集体经济村数',
  v_weak_party_org: '软弱涣散基层党组织村数',
  v_incidence_above_3: '贫困发生率高于3%的村数',
};

const elevenOneRows: Table4RowDef[] = VILLAGE_ELEVEN_ONE_FLAGS.map((flag, i) => ({
  id: `t4_${flag}`,
  category: '主要目标完成情况',
  group: '贫困村"十一有一低于"情况',
  label: `${i + 1}.${ELEVEN_ONE_LABELS[flag]}`,
  unit: '个',
  rule: { kind: 'countVillages', where: and(EXITING_VILLAGE, { flag }) },
  ...(i === 0 ? { note: '已退出村和今年计划退出村填报' } : {}),
}));

const nineOneRows: Table4RowDef[] = COUNTY_NINE_ONE_ROWS.map(([question, name], i) => ({
  id: `t4_${question}`,
  category: '主要目标完成情况',
  group: '摘帽县"九有一低于"情况',
  label: `${i + 1}.${name}达标情况`,
  unit: '',
  rule: { kind: 'office', question, labels: { yes: '达标', no: '未达标' } },
  ...(i === 0 ? { note: '已摘帽县和今年计划摘帽县填报' } : {}),
}));

const FUNDS = '扶贫资金管理使用情况';
const fund = (id: string, label: string, question: string, unit = '万元', parent?: string): Table4RowDef => ({
  id,
  category: FUNDS,
  label,
  unit,
  rule: { kind: 'office', question },
  ...(parent ? { parent } : {}),
});

export const TABLE4_ROWS: readonly Table4RowDef[] = [
  // 督查组织
  {
    id: 't4_departments',
    category: '督查组织',
    label: '参与部门',
    unit: '个',
    rule: { kind: 'special', name: 'participatingDepartments' },
    note: '区、市、县按各自情况分别填报',
  },
  {
    id: 't4_people',
    category: '督查组织',
    label: '参与人数',
    unit: '人',
    rule: { kind: 'special', name: 'participatingPeople' },
  },

  // 督查基本情况
  { id: 't4_towns', category: BASICS, label: '1.抽查乡镇数', unit: '个', rule: { kind: 'distinctTowns' } },
  {
    id: 't4_villages',
    category: BASICS,
    label: '2.抽查村总数',
    unit: '个',
    rule: { kind: 'distinctVillages' },
  },
  {
    id: 't4_villages_exited',
    category: BASICS,
    label: '其中:已退出贫困村',
    unit: '个',
    rule: { kind: 'distinctVillages', villageType: 'exited_poor' },
    parent: 't4_villages',
  },
  {
    id: 't4_villages_planned_exit',
    category: BASICS,
    label: '今年计划退出贫困村',
    unit: '个',
    rule: { kind: 'distinctVillages', villageType: 'planned_exit_poor' },
    parent: 't4_villages',
  },
  {
    id: 't4_villages_poor',
    category: BASICS,
    label: '未退出贫困村',
    unit: '个',
    rule: { kind: 'distinctVillages', villageType: 'poor' },
    parent: 't4_villages',
  },
  {
    id: 't4_villages_non_poor',
    category: BASICS,
    label: '非贫困村',
    unit: '个',
    rule: { kind: 'distinctVillages', villageType: 'non_poor' },
    parent: 't4_villages',
  },
  { id: 't4_households', category: BASICS, label: '3.抽查户总数', unit: '户', rule: count() },
  {
    id: 't4_households_exited',
    category: BASICS,
    label: '其中:已脱贫户',
    unit: '户',
    rule: count({ q: 'h1_type', in: ['exited_2014_2015', 'exited_2016'] }),
    parent: 't4_households',
  },
  {
    id: 't4_households_planned',
    category: BASICS,
    label: '今年计划脱贫户',
    unit: '户',
    rule: count(PLANNED),
    parent: 't4_households',
  },
  {
    id: 't4_households_registered_poor',
    category: BASICS,
    label: '未脱贫户',
    unit: '户',
    rule: count({ q: 'h1_type', eq: 'registered_poor' }),
    parent: 't4_households',
  },
  {
    id: 't4_households_non_poor',
    category: BASICS,
    label: '非贫困户',
    unit: '户',
    rule: count(NON_POOR),
    parent: 't4_households',
  },
  {
    id: 't4_population_mismatch',
    category: BASICS,
    label: '4.家庭人口、户籍、明白卡等不一致的户数',
    unit: '户',
    rule: count({ flag: 'population_mismatch' }),
  },

  // 抽查户情况
  {
    id: 't4_measures_mismatch',
    category: HOUSEHOLDS,
    label: '5.帮扶措施与致贫原因不一致的户数',
    unit: '户',
    rule: count({ q: 'h1_measures_match', eq: 'no' }),
  },

  // 主要目标任务完成情况: 贫困户"八有一超"情况
  ...withPlanned('t4_two_worries_fail', '1.未实现两不愁户数', { flag: 'two_worries_fail' }),
  ...withPlanned('t4_dropout_students', '2.因贫未读或辍学适龄学生人数', null, 'h2_dropout_count'),
  ...withPlanned('t4_uninsured_people', '3.未参加城乡医保(新农合)人数', null, 'h2_uninsured_count'),
  ...withPlanned('t4_no_safe_housing', '4.无安全住房户数', { q: 'h2_safe_housing', eq: 'none' }),
  // Decision: the relocation rows count every sampled household, as the seed says "抽查户中所有易地搬迁户".
  {
    id: 't4_relocated',
    category: TASKS,
    group: EIGHT_ONE,
    label: '5.督查易地搬迁户数',
    unit: '户',
    rule: count({ q: 'h2_relocated', eq: 'yes' }),
  },
  {
    id: 't4_relocated_this_year',
    category: TASKS,
    group: EIGHT_ONE,
    label: '其中:今年易地搬迁户数',
    unit: '户',
    rule: count(and({ q: 'h2_relocated', eq: 'yes' }, { q: 'h2_relocation_this_year', eq: 'yes' })),
    parent: 't4_relocated',
  },
  {
    id: 't4_relocated_this_year_unfinished',
    category: TASKS,
    group: EIGHT_ONE,
    label: '今年易地搬迁户中未完工户数',
    unit: '户',
    rule: count(
      and(
        { q: 'h2_relocated', eq: 'yes' },
        { q: 'h2_relocation_this_year', eq: 'yes' },
        { q: 'h2_relocation_status', eq: 'not_built' },
      ),
    ),
    parent: 't4_relocated',
  },
  {
    id: 't4_relocated_area_over_25',
    category: TASKS,
    group: EIGHT_ONE,
    label: '住房面积人均超过25㎡户数',
    unit: '户',
    rule: count(and({ q: 'h2_relocated', eq: 'yes' }, { q: 'h2_relocation_area_over_25', eq: 'yes' })),
    parent: 't4_relocated',
  },
  {
    id: 't4_relocated_self_fund_over_10k',
    category: TASKS,
    group: EIGHT_ONE,
    label: '抽查户中所有易地搬迁户自筹资金超过1万元户数',
    unit: '户',
    rule: count(and({ q: 'h2_relocated', eq: 'yes' }, { q: 'h2_relocation_self_fund_over_10k', eq: 'yes' })),
    parent: 't4_relocated',
  },
  {
    id: 't4_relocated_debt',
    category: TASKS,
    group: EIGHT_ONE,
    label: '因建房负债的户数',
    unit: '户',
    rule: count(and({ q: 'h2_relocated', eq: 'yes' }, { q: 'h2_relocation_debt', eq: 'yes' })),
    parent: 't4_relocated',
  },
  ...withPlanned('t4_no_electricity', '6.无生活用电户数', { q: 'h2_electricity', eq: 'none' }),
  ...withPlanned('t4_no_water', '7.无安全饮水户数', { q: 'h2_water', eq: 'none' }),
  ...withPlanned('t4_no_tv_signal', '8.无广播电视信号户数', { q: 'h2_tv_signal', eq: 'no' }),
  // Decision (DOMAIN.md §8): only a settlement of 20+ households is owed a hardened road.
  ...withPlanned(
    't4_no_road',
    '9.无路通村屯户数',
    and({ q: 'h2_road_hardened', eq: 'no' }, { q: 'h2_settlement_20plus', eq: 'yes' }),
  ),

  // 主要目标完成情况: 贫困村"十一有一低于"情况 and 摘帽县"九有一低于"情况
  ...elevenOneRows,
  ...nineOneRows,

  // 脱贫摘帽对象巩固提升情况 (office)
  {
    id: 't4_lookback_failed',
    category: '脱贫摘帽对象巩固提升情况',
    label: '1.全县"回头看"发现已脱贫户个别指标未达到脱贫标准户数',
    unit: '户',
    rule: { kind: 'office', question: 'o_lookback_failed' },
    note: '数据由县提供',
  },
  {
    id: 't4_lookback_fixed',
    category: '脱贫摘帽对象巩固提升情况',
    label: '2.全县截至9月底通过"回头帮"实现达标户数',
    unit: '户',
    rule: { kind: 'office', question: 'o_lookback_fixed' },
    note: '数据由县提供',
  },

  // 扶贫资金管理使用情况 (office)
  fund('t4_fund_integration_plan', '1.涉农资金整合计划数', 'o_fund_integration_plan'),
  fund(
    't4_fund_integration_received',
    '实际到位数',
    'o_fund_integration_received',
    '万元',
    't4_fund_integration_plan',
  ),
  fund(
    't4_fund_integration_disbursed',
    '截止9月底拨付数',
    'o_fund_integration_disbursed',
    '万元',
    't4_fund_integration_plan',
  ),
  fund('t4_edu_aid_total', '2.教育扶贫救助基金总额', 'o_edu_aid_total'),
  fund('t4_edu_aid_paid', '已发放额', 'o_edu_aid_paid', '万元', 't4_edu_aid_total'),
  fund('t4_edu_aid_beneficiaries', '惠及人数', 'o_edu_aid_beneficiaries', '人', 't4_edu_aid_total'),
  fund('t4_health_aid_total', '3.卫生扶贫救助基金总额', 'o_health_aid_total'),
  fund('t4_health_aid_paid', '已发放额', 'o_health_aid_paid', '万元', 't4_health_aid_total'),
  fund('t4_health_aid_beneficiaries', '惠及人数', 'o_health_aid_beneficiaries', '人', 't4_health_aid_total'),
  fund('t4_microcredit_risk_fund', '4.扶贫小额信贷风险基金总额', 'o_microcredit_risk_fund'),
  fund(
    't4_microcredit_balance',
    '扶贫小额信贷余额',
    'o_microcredit_balance',
    '万元',
    't4_microcredit_risk_fund',
  ),
  fund('t4_microcredit_households', '惠及户数', 'o_microcredit_households', '户', 't4_microcredit_risk_fund'),
  fund('t4_industry_fund_county', '5.产业扶持基金全县总额', 'o_industry_fund_county'),
  fund(
    't4_industry_fund_poor_villages',
    '其中:贫困村总额',
    'o_industry_fund_poor_villages',
    '万元',
    't4_industry_fund_county',
  ),
  fund(
    't4_industry_fund_sampled',
    '抽查贫困村总额',
    'o_industry_fund_sampled',
    '万元',
    't4_industry_fund_county',
  ),

  // 抽查村情况 (office)
  {
    id: 't4_sampled_villages_lent',
    category: '抽查村情况',
    label: '抽查贫困村借出总额',
    unit: '万元',
    rule: { kind: 'office', question: 'o_sampled_villages_lent' },
  },

  // 抽查户情况: 信息比对, 漏评, 错退, 帮扶认可
  {
    id: 't4_records_mismatch',
    category: HOUSEHOLDS,
    group: '信息比对情况',
    label: '贫困户信息比对核查不一致户数',
    unit: '户',
    rule: count({ q: 'h1_records_match', eq: 'no' }),
  },
  {
    id: 't4_missed',
    category: HOUSEHOLDS,
    group: '漏评情况',
    label: '疑似漏评户数',
    unit: '户',
    rule: { kind: 'special', name: 'missedHouseholds' },
  },
  {
    id: 't4_wrongful_exit',
    category: HOUSEHOLDS,
    group: '错退情况',
    label: '疑似错退户数',
    unit: '户',
    rule: count({ q: 'h5_failure_kind', eq: 'wrongful' }),
    aside: { label: '另有疑似返贫户', unit: '户', rule: count({ q: 'h5_failure_kind', eq: 'relapse' }) },
  },
  {
    id: 't4_not_recognized',
    category: HOUSEHOLDS,
    group: '帮扶认可情况',
    label: '对脱贫攻坚政策、帮扶措施及成效、脱贫退出等不认可户数',
    unit: '户',
    rule: count({ q: 'h3_recognition', eq: 'no' }),
  },
  {
    id: 't4_not_recognized_non_poor',
    category: HOUSEHOLDS,
    group: '帮扶认可情况',
    label: '其中:非贫困户户数',
    unit: '户',
    rule: count(and({ q: 'h3_recognition', eq: 'no' }, NON_POOR)),
    parent: 't4_not_recognized',
  },

  // 综合研判 (office)
  {
    id: 't4_outlook',
    category: '综合研判',
    label: '研判该县能否顺利完成今年扶贫目标任务',
    unit: '',
    rule: { kind: 'office', question: 'o_outlook', noteFrom: ['o_outlook_reason', 'o_outlook_note'] },
  },
];

/** The row ids, for JSON consumers and tests. */
export const TABLE4_ROW_IDS: readonly string[] = TABLE4_ROWS.map((r) => r.id);
