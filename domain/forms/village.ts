// 附件2 村级调查表 (DOMAIN.md §6), as data. Labels are the seed's wording; ids are stable.
//
// Decision (DOMAIN.md §6, "非贫困村不调查项"): a 非贫困村 answers §1, §3 and §5; §2 ("十一有一低于")
// and §4 (精准帮扶) apply only to poor villages. Applicability follows the *answer* to v1_type (not
// the context), so correcting the village type changes what is asked. Follow-ups inside §2/§4 only
// name their parent: the engine never applies a question whose parent does not apply.

import type { Condition, FlagDef, FormDef, Question } from './types';

const SECTION = {
  basics: 'v1',
  elevenOne: 'v2',
  consolidation: 'v3',
  assistance: 'v4',
  other: 'v5',
} as const;

/** Village types that answer §2 and §4. */
export const POOR_VILLAGE_TYPES = ['exited_poor', 'planned_exit_poor', 'poor'] as const;

/** §2 and §4 apply only when the (possibly corrected) village type is a poor village. */
const POOR_VILLAGE: Condition = { q: 'v1_type', in: POOR_VILLAGE_TYPES };

/**
 * The "≥98%" rows of 表4 "十一有一低于" (DOMAIN.md §8): a village fails the row when the share is
 * below this. One constant so a campaign with another standard changes one line.
 */
export const VILLAGE_PCT_THRESHOLD = 98;
/** 一低于: 贫困发生率 must be *below* this; ≥ fails. */
export const VILLAGE_INCIDENCE_THRESHOLD = 3;

/** The facilities of seed 2.8 (choice ids of v2_public_services, besides 'none'). */
const FACILITIES = ['office', 'board', 'clinic', 'court', 'culture', 'stage', 'other'] as const;

/** True when `q` is answered and below the threshold (an unanswered question never fails a row). */
const pctBelow = (q: string): Condition => ({ q, lt: VILLAGE_PCT_THRESHOLD });

const questions: readonly Question[] = [
  // 一、村基本情况 ------------------------------------------------------------------------------
  {
    id: 'v1_type',
    section: SECTION.basics,
    seedNo: '1.1',
    label: '村类型',
    type: 'choice',
    choices: [
      { id: 'exited_poor', label: '已退出贫困村' },
      { id: 'planned_exit_poor', label: '今年计划退出贫困村' },
      { id: 'poor', label: '未退出贫困村' },
      { id: 'non_poor', label: '非贫困村' },
    ],
    prefill: 'villageType',
  },
  {
    id: 'v1_agri_population',
    section: SECTION.basics,
    seedNo: '1.2',
    label: '全村现有农业人口',
    type: 'int',
    min: 0,
    unit: '人',
    soft: [
      {
        id: 'v1_agri_population_large',
        when: { q: 'v1_agri_population', gt: 20000 },
        message: '全村农业人口超过2万人,请确认是否填写正确。',
        kind: 'confirm',
      },
    ],
  },
  {
    id: 'v1_poor_population',
    section: SECTION.basics,
    seedNo: '1.2',
    label: '其中贫困人口',
    type: 'int',
    min: 0,
    unit: '人',
    checks: [
      {
        op: 'lte',
        than: { q: 'v1_agri_population' },
        message: '贫困人口({value}人)不能超过全村农业人口({than}人)。',
      },
    ],
  },
  {
    id: 'v1_exited_population',
    section: SECTION.basics,
    seedNo: '1.2',
    label: '已经脱贫人口',
    type: 'int',
    min: 0,
    unit: '人',
    checks: [
      {
        op: 'lte',
        than: { q: 'v1_agri_population' },
        message: '已经脱贫人口({value}人)不能超过全村农业人口({than}人)。',
      },
    ],
  },
  {
    id: 'v1_planned_population',
    section: SECTION.basics,
    seedNo: '1.2',
    label: '{year}年计划脱贫人口',
    type: 'int',
    min: 0,
    unit: '人',
    // Whether 贫困人口 counts only the not-yet-exited or all registered people, those planned to
    // exit this year are among them.
    checks: [
      {
        op: 'lte',
        than: { q: 'v1_poor_population' },
        message: '计划脱贫人口({value}人)不能超过贫困人口({than}人)。',
      },
    ],
  },

  // 二、贫困村"十一有一低于"达标情况 (poor villages only) ------------------------------------------
  // 2.1 有特色产业
  {
    id: 'v2_industry',
    section: SECTION.elevenOne,
    seedNo: '2.1',
    label: '有无特色产业',
    type: 'has',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_industry_name',
    section: SECTION.elevenOne,
    seedNo: '2.1',
    label: '特色产业名称',
    type: 'text',
    when: { q: 'v2_industry', eq: 'has' },
  },
  {
    id: 'v2_industry_coverage_pct',
    section: SECTION.elevenOne,
    seedNo: '2.1',
    label: '特色产业覆盖的比例',
    type: 'pct',
    unit: '%',
    when: { q: 'v2_industry', eq: 'has' },
  },
  // 2.2 有住房保障
  {
    id: 'v2_housing_pct',
    section: SECTION.elevenOne,
    seedNo: '2.2',
    label: '行政村内有稳固住房且人均达13平方米的农户比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  // 2.3 有基本医疗保障
  {
    id: 'v2_medical_insurance_pct',
    section: SECTION.elevenOne,
    seedNo: '2.3',
    label: '全村农村居民参加医疗保险比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_medical_policy',
    section: SECTION.elevenOne,
    seedNo: '2.3',
    label: '医疗政策是否得到落实',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  // 2.4 有义务教育保障
  {
    id: 'v2_out_of_school_count',
    section: SECTION.elevenOne,
    seedNo: '2.4',
    label: '未能正常上学的义务教育阶段适龄儿童少年人数',
    type: 'int',
    min: 0,
    unit: '人',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_out_of_school_reason',
    section: SECTION.elevenOne,
    seedNo: '2.4',
    label: '未能正常上学的原因',
    type: 'text',
    when: { q: 'v2_out_of_school_count', gt: 0 },
  },
  {
    id: 'v2_dropout_economic',
    section: SECTION.elevenOne,
    seedNo: '2.4',
    label: '是否有因经济困难原因辍学生',
    type: 'yesno',
    when: POOR_VILLAGE,
    soft: [
      {
        id: 'v2_dropout_without_out_of_school',
        when: {
          all: [
            { q: 'v2_dropout_economic', eq: 'yes' },
            { q: 'v2_out_of_school_count', eq: 0 },
          ],
        },
        message: '前面填写未能正常上学的适龄儿童少年为0人,却有因经济困难辍学生,请确认。',
        kind: 'confirm',
      },
    ],
  },
  {
    id: 'v2_education_policy',
    section: SECTION.elevenOne,
    seedNo: '2.4',
    label: '教育扶贫政策是否得到落实',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  // 2.5 有安全饮水
  {
    id: 'v2_water_pct',
    section: SECTION.elevenOne,
    seedNo: '2.5',
    label: '全村有安全饮水农户比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  // 2.6 有路通村屯
  {
    id: 'v2_road_hardened',
    section: SECTION.elevenOne,
    seedNo: '2.6',
    label: '行政村是否通硬化路',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_road_base_width',
    section: SECTION.elevenOne,
    seedNo: '2.6',
    label: '道路路基宽',
    type: 'decimal',
    min: 0,
    unit: '米',
    when: POOR_VILLAGE,
    soft: [
      {
        id: 'v2_road_base_width_large',
        when: { q: 'v2_road_base_width', gt: 30 },
        message: '通村道路路基宽超过30米,请确认是否填写正确。',
        kind: 'confirm',
      },
    ],
  },
  {
    id: 'v2_road_surface_width',
    section: SECTION.elevenOne,
    seedNo: '2.6',
    label: '道路路面宽',
    type: 'decimal',
    min: 0,
    unit: '米',
    when: POOR_VILLAGE,
    checks: [
      {
        op: 'lte',
        than: { q: 'v2_road_base_width' },
        message: '路面宽({value}米)不能超过路基宽({than}米)。',
      },
    ],
  },
  {
    id: 'v2_settlement_gravel_road',
    section: SECTION.elevenOne,
    seedNo: '2.6',
    label: '20户以上(含)的自然村(屯)是否通砂石路以上(含)且路面宽3.5米以上(含)',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  // 2.7 有电用
  {
    id: 'v2_electricity_pct',
    section: SECTION.elevenOne,
    seedNo: '2.7',
    label: '行政村有电用农户比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  // 2.8 有基本公共服务
  {
    id: 'v2_public_services',
    section: SECTION.elevenOne,
    seedNo: '2.8',
    label: '有公共服务设施(可多选)',
    type: 'multi',
    choices: [
      { id: 'office', label: '办公场所' },
      { id: 'board', label: '宣传栏' },
      { id: 'clinic', label: '卫生室' },
      { id: 'court', label: '篮球场' },
      { id: 'culture', label: '文化室(农家书屋)' },
      { id: 'stage', label: '戏台' },
      { id: 'other', label: '其它' },
      // Not in the seed: the engine refuses an empty selection, and a village may have none.
      { id: 'none', label: '以上均无' },
    ],
    when: POOR_VILLAGE,
    soft: [
      {
        id: 'v2_public_services_none_and_some',
        when: {
          all: [
            { q: 'v2_public_services', includes: 'none' },
            { any: FACILITIES.map((f): Condition => ({ q: 'v2_public_services', includes: f })) },
          ],
        },
        message: '同时选了"以上均无"和具体设施,请核对后重新选择;确认无误再点"确认"。',
        kind: 'confirm',
      },
    ],
  },
  {
    id: 'v2_public_services_other',
    section: SECTION.elevenOne,
    seedNo: '2.8',
    label: '其它公共服务设施',
    type: 'text',
    when: { q: 'v2_public_services', includes: 'other' },
  },
  {
    id: 'v2_pension_pct',
    section: SECTION.elevenOne,
    seedNo: '2.8',
    label: '城乡居民养老保险参保率',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_pension_benefit_pct',
    section: SECTION.elevenOne,
    seedNo: '2.8',
    label: '60周岁以上(含)参保老年人享受养老保险待遇比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_dibao_all',
    section: SECTION.elevenOne,
    seedNo: '2.8',
    label: '符合当地农村低保条件的贫困户是否全部纳入农村低保',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  // 2.9 有电视看
  {
    id: 'v2_tv_pct',
    section: SECTION.elevenOne,
    seedNo: '2.9',
    label: '行政村有电视看农户比例',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
  },
  // 2.10 有村集体经济收入
  {
    id: 'v2_collective_economy',
    section: SECTION.elevenOne,
    seedNo: '2.10',
    label: '有无村集体经济',
    type: 'has',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_collective_source',
    section: SECTION.elevenOne,
    seedNo: '2.10',
    label: '村集体经济主要来源',
    type: 'text',
    when: { q: 'v2_collective_economy', eq: 'has' },
  },
  // 2.11 有好的"两委"班子
  {
    id: 'v2_weak_party_org',
    section: SECTION.elevenOne,
    seedNo: '2.11',
    label: '该村是否是软弱涣散村党组织',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v2_weak_party_fixed',
    section: SECTION.elevenOne,
    seedNo: '2.11',
    label: '是否已整顿到位',
    type: 'yesno',
    when: { q: 'v2_weak_party_org', eq: 'yes' },
  },
  // 2.12 一低于
  {
    id: 'v2_poverty_incidence_pct',
    section: SECTION.elevenOne,
    seedNo: '2.12',
    label: '截止9月底贫困发生率',
    type: 'pct',
    unit: '%',
    when: POOR_VILLAGE,
    soft: [
      {
        id: 'v2_poverty_incidence_high',
        when: { q: 'v2_poverty_incidence_pct', gt: 30 },
        message: '贫困发生率超过30%,请确认是否填写正确。',
        kind: 'confirm',
      },
      {
        id: 'v2_exited_village_incidence',
        when: {
          all: [
            { q: 'v1_type', eq: 'exited_poor' },
            { not: { q: 'v2_poverty_incidence_pct', lt: VILLAGE_INCIDENCE_THRESHOLD } },
          ],
        },
        message: '该村为已退出贫困村,贫困发生率却不低于3%,请确认。',
        kind: 'confirm',
      },
    ],
  },

  // 三、脱贫摘帽对象巩固提升情况 (all villages) ---------------------------------------------------
  {
    id: 'v3_lookback_failed_households',
    section: SECTION.consolidation,
    seedNo: '3.1',
    label: '"回头看"发现已脱贫户个别指标未达到脱贫标准户数',
    type: 'int',
    min: 0,
    unit: '户',
  },
  {
    id: 'v3_lookback_fixed_households',
    section: SECTION.consolidation,
    seedNo: '3.1',
    label: '截至9月底通过"回头帮"实现达标户数',
    type: 'int',
    min: 0,
    unit: '户',
    checks: [
      {
        op: 'lte',
        than: { q: 'v3_lookback_failed_households' },
        message: '"回头帮"实现达标户数({value}户)不能超过"回头看"发现未达标户数({than}户)。',
      },
    ],
  },
  {
    id: 'v3_policy_continued',
    section: SECTION.consolidation,
    seedNo: '3.2',
    label: '贫困户脱贫后是否继续享受扶贫政策',
    type: 'choice',
    choices: [
      { id: 'enjoy', label: '享受' },
      { id: 'not_enjoy', label: '不享受' },
    ],
  },
  {
    id: 'v3_policy_details',
    section: SECTION.consolidation,
    seedNo: '3.2',
    label: '若未享受,具体情况为',
    type: 'text',
    when: { q: 'v3_policy_continued', eq: 'not_enjoy' },
  },
  {
    id: 'v3_relapse',
    section: SECTION.consolidation,
    seedNo: '3.3',
    label: '贫困户脱贫后有无返贫现象',
    type: 'has',
  },
  {
    id: 'v3_relapse_details',
    section: SECTION.consolidation,
    seedNo: '3.3',
    label: '若有,具体情况为',
    type: 'text',
    when: { q: 'v3_relapse', eq: 'has' },
  },

  // 四、精准帮扶情况 (poor villages only) ---------------------------------------------------------
  {
    id: 'v4_leader_contact',
    section: SECTION.assistance,
    seedNo: '4',
    label: '贫困村是否有1名县以上领导干部联系',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_helper_unit',
    section: SECTION.assistance,
    seedNo: '4',
    label: '是否有1个帮扶单位',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_work_team',
    section: SECTION.assistance,
    seedNo: '4',
    label: '是否有1个驻村工作队',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_first_secretary',
    section: SECTION.assistance,
    seedNo: '4',
    label: '是否有1名"第一书记"到岗到位',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_management_rules',
    section: SECTION.assistance,
    seedNo: '4',
    label: '县、乡两级是否制定相应的管理制度和考核办法',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_training',
    section: SECTION.assistance,
    seedNo: '4',
    label: '是否举办相应培训',
    type: 'yesno',
    when: POOR_VILLAGE,
  },
  {
    id: 'v4_training_count',
    section: SECTION.assistance,
    seedNo: '4',
    label: '举办了几次培训',
    type: 'int',
    min: 1,
    unit: '次',
    when: { q: 'v4_training', eq: 'yes' },
    soft: [
      {
        id: 'v4_training_count_large',
        when: { q: 'v4_training_count', gt: 100 },
        message: '今年举办培训超过100次,请确认是否填写正确。',
        kind: 'confirm',
      },
    ],
  },

  // 五、其他事项 (all villages) ------------------------------------------------------------------
  {
    id: 'v5_unlisted',
    section: SECTION.other,
    seedNo: '5.1',
    label: '本村有无符合条件但未纳入贫困户的群众',
    type: 'has',
  },
  {
    id: 'v5_unlisted_findings',
    section: SECTION.other,
    seedNo: '5.1',
    label: '若有,经核查情况为',
    type: 'text',
    when: { q: 'v5_unlisted', eq: 'has' },
  },
  {
    id: 'v5_rectification',
    section: SECTION.other,
    seedNo: '5.2',
    label: '今年国家和自治区组织开展的脱贫攻坚专项督查发现问题的整改落实情况',
    type: 'text',
  },
  {
    id: 'v5_ledger',
    section: SECTION.other,
    seedNo: '5.2',
    label: '是否建立问题整改台账',
    type: 'yesno',
  },
  {
    id: 'v5_responsible',
    section: SECTION.other,
    seedNo: '5.2',
    label: '是否落实整改责任人',
    type: 'yesno',
  },
  {
    id: 'v5_measures',
    section: SECTION.other,
    seedNo: '5.2',
    label: '是否对照问题制定整改措施',
    type: 'yesno',
  },
  {
    id: 'v5_follow_through',
    section: SECTION.other,
    seedNo: '5.2',
    label: '是否举一反三开展整改工作',
    type: 'yesno',
  },
  {
    id: 'v5_data_consistent',
    section: SECTION.other,
    seedNo: '5.3',
    label: '贫困户的实际信息数据与帮扶手册、全国扶贫开发信息系统上的信息是否一致',
    type: 'yesno',
  },
  {
    id: 'v5_data_inconsistency',
    section: SECTION.other,
    seedNo: '5.3',
    label: '如果不一致,主要表现在',
    type: 'text',
    when: { q: 'v5_data_consistent', eq: 'no' },
  },
  {
    id: 'v5_archives',
    section: SECTION.other,
    seedNo: '5.4',
    label:
      '了解各村建档立卡贫困人口、信息动态调整、财政专项扶贫资金管理使用、扶贫小额信贷、教育扶贫(雨露计划)、医疗保障、住房保障、劳动力培训、养老保险等方面的档案,了解、掌握相关情况',
    type: 'text',
  },
  {
    id: 'v5_projects',
    section: SECTION.other,
    seedNo: '5.5',
    label: '实地查看项目进展情况',
    type: 'text',
  },
];

/**
 * Facilities every poor village must have for 表4 row 8 (公共服务设施). Decision: 戏台 and 其它 are
 * listed in the seed as examples, not requirements, so their absence does not fail the row.
 */
export const REQUIRED_PUBLIC_SERVICES = ['office', 'board', 'clinic', 'court', 'culture'] as const;

/**
 * 表4 "贫困村十一有一低于" rows 1–12, one flag per row, in the table's order. The table counts them
 * over 已退出 / 今年计划退出 villages (DOMAIN.md §8); the flags themselves hold for any village whose
 * §2 answers fail, so the inspector sees them in the review whatever the type.
 */
const flags: readonly FlagDef[] = [
  { id: 'v_industry_missing', label: '无特色产业', when: { q: 'v2_industry', eq: 'none' } },
  {
    id: 'v_housing_below',
    label: '有稳固住房达不到标准',
    when: pctBelow('v2_housing_pct'),
  },
  {
    // Decision: children out of school for other reasons (illness, disability) are recorded with
    // their reason but do not fail the row; it fails on a dropout for economic reasons or when the
    // education policy is not carried out.
    id: 'v_education_below',
    label: '教育保障达不到标准',
    when: {
      any: [
        { q: 'v2_dropout_economic', eq: 'yes' },
        { q: 'v2_education_policy', eq: 'no' },
      ],
    },
  },
  {
    // Decision: fails when the insured share is below the threshold or the medical policy is not
    // carried out (both are items of seed 2.3).
    id: 'v_medical_below',
    label: '医疗保障达不到标准',
    when: { any: [pctBelow('v2_medical_insurance_pct'), { q: 'v2_medical_policy', eq: 'no' }] },
  },
  { id: 'v_water_below', label: '安全饮水达不到标准', when: pctBelow('v2_water_pct') },
  {
    // The seed gives no standard for the village road's widths (recorded only); the row fails when the
    // village road is not hardened or a settlement of 20+ households lacks a ≥3.5 m gravel road.
    id: 'v_road_below',
    label: '通村屯道路达不到标准',
    when: {
      any: [
        { q: 'v2_road_hardened', eq: 'no' },
        { q: 'v2_settlement_gravel_road', eq: 'no' },
      ],
    },
  },
  { id: 'v_electricity_below', label: '有电用达不到标准', when: pctBelow('v2_electricity_pct') },
  {
    // Decision: seed 2.8 groups facilities, pension insurance and 低保. The row fails when a required
    // facility is missing (only once the facilities are answered), when either pension share is
    // below the threshold, or when not every eligible poor household receives 低保.
    id: 'v_services_below',
    label: '公共服务设施达不到标准',
    when: {
      any: [
        {
          all: [
            { answered: 'v2_public_services' },
            {
              any: REQUIRED_PUBLIC_SERVICES.map(
                (s): Condition => ({ not: { q: 'v2_public_services', includes: s } }),
              ),
            },
          ],
        },
        pctBelow('v2_pension_pct'),
        pctBelow('v2_pension_benefit_pct'),
        { q: 'v2_dibao_all', eq: 'no' },
      ],
    },
  },
  { id: 'v_tv_below', label: '有电视看达不到标准', when: pctBelow('v2_tv_pct') },
  { id: 'v_no_collective_economy', label: '无集体经济', when: { q: 'v2_collective_economy', eq: 'none' } },
  {
    id: 'v_weak_party_org',
    label: '软弱涣散基层党组织(未整顿到位)',
    when: { all: [{ q: 'v2_weak_party_org', eq: 'yes' }, { not: { q: 'v2_weak_party_fixed', eq: 'yes' } }] },
  },
  {
    // "高于3%" in 表4; DOMAIN.md §8: 3% itself already fails (一低于 = below 3%).
    id: 'v_incidence_above_3',
    label: '贫困发生率高于3%',
    when: {
      all: [
        { answered: 'v2_poverty_incidence_pct' },
        { not: { q: 'v2_poverty_incidence_pct', lt: VILLAGE_INCIDENCE_THRESHOLD } },
      ],
    },
  },
  {
    // Not a 表4 row: the inspector corrected the village type given by the campaign config.
    id: 'v_type_mismatch',
    label: '村类型与名单不一致',
    when: {
      all: [
        { ctx: 'villageType', in: ['exited_poor', 'planned_exit_poor', 'poor', 'non_poor'] },
        { answered: 'v1_type' },
        { q: 'v1_type', ne: { ctx: 'villageType' } },
      ],
    },
  },
];

/** The 表4 "十一有一低于" flag ids in table order (rows 1–12). */
export const VILLAGE_ELEVEN_ONE_FLAGS = [
  'v_industry_missing',
  'v_housing_below',
  'v_education_below',
  'v_medical_below',
  'v_water_below',
  'v_road_below',
  'v_electricity_below',
  'v_services_below',
  'v_tv_below',
  'v_no_collective_economy',
  'v_weak_party_org',
  'v_incidence_above_3',
] as const;

export const villageForm: FormDef = {
  id: 'village',
  version: 1,
  title: '村级调查表',
  sections: [
    { id: SECTION.basics, title: '一、村基本情况' },
    { id: SECTION.elevenOne, title: '二、贫困村"十一有一低于"达标情况' },
    { id: SECTION.consolidation, title: '三、脱贫摘帽对象巩固提升情况' },
    { id: SECTION.assistance, title: '四、精准帮扶情况' },
    { id: SECTION.other, title: '五、其他事项' },
  ],
  questions,
  flags,
};
