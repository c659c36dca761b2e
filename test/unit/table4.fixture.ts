// A constructed inspection in which every 表4 row and sub-row has a known non-zero value. Shared by
// the 表4 and the report tests. Answers are written as the engine stores them (choice ids, numbers).

import seed from '../../campaigns/dongxing-2017.json';
import { type Campaign, groupForTown, townOfVillage } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Answers } from '../../domain/forms/types';
import type { Problem, Survey } from '../../domain/model';
import { OFFICE_SURVEY_TOWN } from '../../domain/tables/compute';

export const campaign: Campaign = parseCampaign(seed);

const AT = '2017-10-31T02:00:00.000Z';
let seq = 0;

export function surveyOf(
  kind: Survey['kind'],
  villageId: string | undefined,
  answers: Answers,
  extra: Partial<Survey> = {},
): Survey {
  seq += 1;
  const townId = villageId ? townOfVillage(campaign, villageId)!.id : OFFICE_SURVEY_TOWN;
  const group = villageId ? groupForTown(campaign, townId) : undefined;
  return {
    id: `${kind}-${seq}`,
    campaignId: campaign.id,
    kind,
    formId: kind,
    formVersion: 1,
    townId,
    ...(villageId ? { villageId } : {}),
    ...(group ? { groupId: group.id } : {}),
    inspectorId: 'insp-1',
    status: 'submitted',
    answers,
    confirmations: {},
    flags: [],
    history: [],
    submittedAt: AT,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  };
}

/** A 建档立卡户 that meets every standard. */
const goodRegistered: Answers = {
  h1_pop_actual: 4,
  h1_pop_registered: 4,
  h1_pop_card: 4,
  h1_pop_manual: 4,
  h1_measures_match: 'yes',
  h1_records_match: 'yes',
  h2_food: 'yes',
  h2_clothing: 'yes',
  h2_income: 5200,
  h2_dropout: 'none',
  h2_insured_all: 'yes',
  h2_serious_illness: 'no',
  h2_safe_housing: 'has',
  h2_housing_structure: 'brick_concrete',
  h2_area_per_person: 30,
  h2_cracks_leaks: 'none',
  h2_relocated: 'no',
  h2_road_hardened: 'yes',
  h2_settlement_20plus: 'yes',
  h2_electricity: 'has',
  h2_water: 'has',
  h2_tv_signal: 'yes',
  h3_cadre_assigned: 'yes',
  h3_cadre_name: '黄干部',
  h3_visits: 6,
  h3_standard_explained: 'yes',
  h3_policies_introduced: 'yes',
  h3_requested_help: 'no',
  h3_material_help: 'no',
  h3_satisfied: 'satisfied',
  h3_recognition: 'yes',
  h4_unlisted_hardship: 'no',
  h4_committee_visited: 'yes',
  h4_committee_satisfied: 'satisfied',
  h4_opinions: '',
};

const failsEverything: Answers = {
  h2_food: 'no',
  h2_dropout: 'has',
  h2_insured_all: 'no',
  h2_safe_housing: 'none',
  h2_electricity: 'none',
  h2_water: 'none',
  h2_tv_signal: 'no',
  h2_road_hardened: 'no',
  h2_settlement_20plus: 'yes',
};

const household = (
  villageId: string,
  name: string,
  type: string,
  answers: Answers,
  extra?: Partial<Survey>,
) => {
  const base: Answers =
    type === 'non_poor'
      ? Object.fromEntries(
          Object.entries(goodRegistered).filter(
            ([id]) =>
              !/^(h1_pop_card|h1_pop_manual|h1_measures_match|h1_records_match|h3_(?!recognition))/.test(id),
          ),
        )
      : goodRegistered;
  return surveyOf('household', villageId, { ...base, h1_name: name, h1_type: type, ...answers }, extra);
};

export const householdSurveys: Survey[] = [
  // 大田村 (东兴镇)
  household('datian', '张一', 'exited_2016', {
    h1_pop_card: 3,
    h5_meets_standard: 'no',
    h5_failure_kind: 'wrongful',
  }),
  household('datian', '张二', 'exited_2014_2015', {
    h1_records_match: 'no',
    h5_meets_standard: 'no',
    h5_failure_kind: 'relapse',
  }),
  household('datian', '张三', 'planned_2017', {
    ...failsEverything,
    h1_measures_match: 'no',
    h2_dropout_count: 2,
    h2_uninsured_count: 1,
  }),
  // 江那村 (东兴镇)
  household('jiangna', '陈一', 'registered_poor', {
    ...failsEverything,
    h2_food: 'yes',
    h2_clothing: 'no',
    h2_dropout_count: 1,
    h2_uninsured_count: 2,
    h3_recognition: 'no',
  }),
  household('jiangna', '陈二', 'registered_poor', {
    // The road rule: a road not hardened to a settlement under 20 households does not count.
    h2_road_hardened: 'no',
    h2_settlement_20plus: 'no',
    h2_relocated: 'yes',
    h2_relocation_status: 'not_built',
    h2_relocation_this_year: 'yes',
    h2_relocation_area_over_25: 'yes',
    h2_relocation_self_fund_over_10k: 'yes',
    h2_relocation_debt: 'yes',
  }),
  // 河洲村 (东兴镇)
  household('hezhou', '林一', 'planned_2017', {
    h2_relocated: 'yes',
    h2_relocation_status: 'built_moved',
    h2_relocation_this_year: 'no',
    h2_relocation_area_over_25: 'no',
    h2_relocation_self_fund_over_10k: 'no',
    h2_relocation_debt: 'no',
    h4_unlisted_hardship: 'yes',
    h4_unlisted_names: ['王五', '赵六'],
    h4_unlisted_verified: 'yes',
  }),
  household('hezhou', '李四', 'non_poor', {
    h3_recognition: 'no',
    h4_unlisted_hardship: 'yes',
    // The same name again, written with a space: counted once in this village.
    h4_unlisted_names: ['王 五'],
    h4_unlisted_verified: 'yes',
    h5_missed: 'yes',
  }),
  // 交东村 (江平镇)
  household('jiaodong', '王五', 'non_poor', {
    // The same name in another village is another household.
    h2_food: 'no',
    h3_recognition: 'no',
    h5_missed: 'yes',
  }),
  household('jiaodong', '钱一', 'registered_poor', {
    h4_unlisted_hardship: 'yes',
    h4_unlisted_names: ['钱七'],
    // Named but not confirmed on site: not a suspected 漏评.
    h4_unlisted_verified: 'no',
  }),
];

const passingVillage: Answers = {
  v1_agri_population: 1200,
  v1_poor_population: 80,
  v1_exited_population: 60,
  v1_planned_population: 10,
  v2_industry: 'has',
  v2_industry_name: '肉桂',
  v2_industry_coverage_pct: 90,
  v2_housing_pct: 100,
  v2_medical_insurance_pct: 100,
  v2_medical_policy: 'yes',
  v2_out_of_school_count: 0,
  v2_dropout_economic: 'no',
  v2_education_policy: 'yes',
  v2_water_pct: 100,
  v2_road_hardened: 'yes',
  v2_road_base_width: 6.5,
  v2_road_surface_width: 4.5,
  v2_settlement_gravel_road: 'yes',
  v2_electricity_pct: 100,
  v2_public_services: ['office', 'board', 'clinic', 'court', 'culture'],
  v2_pension_pct: 99,
  v2_pension_benefit_pct: 100,
  v2_dibao_all: 'yes',
  v2_tv_pct: 100,
  v2_collective_economy: 'has',
  v2_collective_source: '厂房出租',
  v2_weak_party_org: 'no',
  v2_poverty_incidence_pct: 1.2,
  v3_lookback_failed_households: 3,
  v3_lookback_fixed_households: 2,
  v3_policy_continued: 'enjoy',
  v3_relapse: 'none',
  v5_unlisted: 'none',
  v5_rectification: '已整改',
  v5_ledger: 'yes',
  v5_responsible: 'yes',
  v5_measures: 'yes',
  v5_follow_through: 'yes',
  v5_data_consistent: 'yes',
  v5_archives: '档案齐全',
  v5_projects: '道路硬化项目已完工',
};

const failingVillage: Answers = {
  ...passingVillage,
  v2_industry: 'none',
  v2_housing_pct: 90,
  v2_dropout_economic: 'yes',
  v2_medical_insurance_pct: 95,
  v2_water_pct: 90,
  v2_road_hardened: 'no',
  v2_electricity_pct: 90,
  v2_public_services: ['office'],
  v2_tv_pct: 90,
  v2_collective_economy: 'none',
  v2_weak_party_org: 'yes',
  v2_weak_party_fixed: 'no',
  v2_poverty_incidence_pct: 5,
};
delete (failingVillage as Record<string, unknown>).v2_industry_name;
delete (failingVillage as Record<string, unknown>).v2_industry_coverage_pct;
delete (failingVillage as Record<string, unknown>).v2_collective_source;

export const villageSurveys: Survey[] = [
  // 已退出贫困村 failing all twelve rows
  surveyOf('village', 'datian', { v1_type: 'exited_poor', ...failingVillage }),
  // 今年计划退出贫困村 failing two rows
  surveyOf('village', 'jiangna', {
    v1_type: 'planned_exit_poor',
    ...passingVillage,
    v2_industry: 'none',
    v2_poverty_incidence_pct: 3,
  }),
  // 未退出贫困村: its failures are not counted (only exited and planned villages are)
  surveyOf('village', 'hezhou', { v1_type: 'poor', ...failingVillage }),
  // An exited village with only a village survey, meeting every standard
  surveyOf('village', 'songbai', { v1_type: 'exited_poor', ...passingVillage }),
];

export const officeSurvey: Survey = surveyOf('office', undefined, {
  o_county_status: 'planned',
  o_departments: 31,
  o_people: 50,
  o9_industry: 'yes',
  o9_housing: 'no',
  o9_education: 'yes',
  o9_medical: 'yes',
  o9_water: 'yes',
  o9_road: 'no',
  o9_electricity: 'yes',
  o9_services: 'yes',
  o9_social_assistance: 'yes',
  o9_incidence: 'yes',
  o_lookback_failed: 25,
  o_lookback_fixed: 20,
  o_fund_integration_plan: 5000,
  o_fund_integration_received: 4800,
  o_fund_integration_disbursed: 3200.5,
  o_edu_aid_total: 100,
  o_edu_aid_paid: 80,
  o_edu_aid_beneficiaries: 320,
  o_health_aid_total: 60,
  o_health_aid_paid: 45,
  o_health_aid_beneficiaries: 150,
  o_microcredit_risk_fund: 500,
  o_microcredit_balance: 2600,
  o_microcredit_households: 640,
  o_industry_fund_county: 800,
  o_industry_fund_poor_villages: 300,
  o_industry_fund_sampled: 60,
  o_sampled_villages_lent: 40,
  o_outlook: 'cannot',
  o_outlook_reason: '部分计划脱贫户住房尚未完工',
});

/** The values every 表4 row must take city-wide over the fixture. */
export const EXPECTED_CITY: Readonly<Record<string, number | string>> = {
  t4_departments: 31,
  t4_people: 50,
  t4_towns: 2,
  t4_villages: 5,
  t4_villages_exited: 2,
  t4_villages_planned_exit: 1,
  t4_villages_poor: 1,
  t4_villages_non_poor: 1,
  t4_households: 9,
  t4_households_exited: 2,
  t4_households_planned: 2,
  t4_households_registered_poor: 3,
  t4_households_non_poor: 2,
  t4_population_mismatch: 1,
  t4_measures_mismatch: 1,
  t4_two_worries_fail: 2,
  t4_two_worries_fail_planned: 1,
  t4_dropout_students: 3,
  t4_dropout_students_planned: 2,
  t4_uninsured_people: 3,
  t4_uninsured_people_planned: 1,
  t4_no_safe_housing: 2,
  t4_no_safe_housing_planned: 1,
  t4_relocated: 2,
  t4_relocated_this_year: 1,
  t4_relocated_this_year_unfinished: 1,
  t4_relocated_area_over_25: 1,
  t4_relocated_self_fund_over_10k: 1,
  t4_relocated_debt: 1,
  t4_no_electricity: 2,
  t4_no_electricity_planned: 1,
  t4_no_water: 2,
  t4_no_water_planned: 1,
  t4_no_tv_signal: 2,
  t4_no_tv_signal_planned: 1,
  t4_no_road: 2,
  t4_no_road_planned: 1,
  t4_v_industry_missing: 2,
  t4_v_housing_below: 1,
  t4_v_education_below: 1,
  t4_v_medical_below: 1,
  t4_v_water_below: 1,
  t4_v_road_below: 1,
  t4_v_electricity_below: 1,
  t4_v_services_below: 1,
  t4_v_tv_below: 1,
  t4_v_no_collective_economy: 1,
  t4_v_weak_party_org: 1,
  t4_v_incidence_above_3: 2,
  t4_o9_industry: '达标',
  t4_o9_housing: '未达标',
  t4_o9_education: '达标',
  t4_o9_medical: '达标',
  t4_o9_water: '达标',
  t4_o9_road: '未达标',
  t4_o9_electricity: '达标',
  t4_o9_services: '达标',
  t4_o9_social_assistance: '达标',
  t4_o9_incidence: '达标',
  t4_lookback_failed: 25,
  t4_lookback_fixed: 20,
  t4_fund_integration_plan: 5000,
  t4_fund_integration_received: 4800,
  t4_fund_integration_disbursed: 3200.5,
  t4_edu_aid_total: 100,
  t4_edu_aid_paid: 80,
  t4_edu_aid_beneficiaries: 320,
  t4_health_aid_total: 60,
  t4_health_aid_paid: 45,
  t4_health_aid_beneficiaries: 150,
  t4_microcredit_risk_fund: 500,
  t4_microcredit_balance: 2600,
  t4_microcredit_households: 640,
  t4_industry_fund_county: 800,
  t4_industry_fund_poor_villages: 300,
  t4_industry_fund_sampled: 60,
  t4_sampled_villages_lent: 40,
  t4_records_mismatch: 1,
  t4_missed: 4,
  t4_wrongful_exit: 1,
  t4_not_recognized: 3,
  t4_not_recognized_non_poor: 2,
  t4_outlook: '不能',
};

let problemSeq = 0;
export function problemOf(
  p: Partial<Problem> & Pick<Problem, 'townId' | 'category' | 'description'>,
): Problem {
  problemSeq += 1;
  return {
    id: `p-${problemSeq}`,
    campaignId: campaign.id,
    reporterId: 'insp-1',
    createdAt: `2017-11-0${1 + (problemSeq % 3)}T03:00:00.000Z`,
    deadline: '2017-11-09T15:59:00.000Z',
    status: 'open',
    version: 1,
    ...p,
  };
}

export const problems: Problem[] = [
  problemOf({
    townId: 'dongxing',
    villageId: 'hezhou',
    category: 'identification_missed',
    description: '河洲村王五家生活困难,未纳入贫困户,疑似漏评',
  }),
  problemOf({
    townId: 'dongxing',
    villageId: 'datian',
    category: 'exit_wrongful',
    description: '大田村张一家人均纯收入未达标即标注脱贫,疑似错退',
    status: 'rectified',
    measures: '重新纳入帮扶,落实产业奖补',
    responsible: '大田村第一书记',
    rectifiedNote: '已重新纳入帮扶,落实产业奖补',
  }),
  problemOf({
    townId: 'dongxing',
    villageId: 'jiangna',
    category: 'assistance_funds',
    description: '江那村产业奖补资金未按时拨付到户',
    status: 'verified',
    measures: '11月6日前拨付到户',
    responsible: '东兴镇财政所',
    rectifiedNote: '11月6日已拨付',
    check: { passed: true, by: 'leader-1', at: '2017-11-07T02:00:00.000Z' },
  }),
  problemOf({
    townId: 'jiangping',
    villageId: 'jiaodong',
    category: 'other',
    description: '交东村贫困户档案资料不齐全',
    status: 'needs_longer',
    plannedDate: '2017-12-15',
    delayReason: '档案需逐户补齐,工作量大',
  }),
];
