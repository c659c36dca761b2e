// 附件1 农户调查表 (DOMAIN.md §5) as data. Question ids are stable: tests, imports and exports use them.

import type { Condition, FormDef, Question } from './types';

/** 建档立卡户: every stratum but non_poor. Based on the (possibly corrected) h1_type answer. */
const REGISTERED: Condition = {
  q: 'h1_type',
  in: ['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor'],
};
/** 已脱贫户/退出户. */
const EXITED: Condition = { q: 'h1_type', in: ['exited_2014_2015', 'exited_2016'] };
const NON_POOR: Condition = { q: 'h1_type', eq: 'non_poor' };
const POOR_VILLAGE: Condition = { ctx: 'villageType', in: ['exited_poor', 'planned_exit_poor', 'poor'] };
const yes = (q: string): Condition => ({ q, eq: 'yes' });
const FIRST_SECRETARY: Condition = { all: [REGISTERED, POOR_VILLAGE] };
const PERSON_COUNT = { min: 0, max: 30, unit: '人' } as const;

const q = (section: string, seedNo: string, rest: Omit<Question, 'section' | 'seedNo'>): Question => ({
  section,
  seedNo,
  ...rest,
});

const questions: Question[] = [
  // 一、被调查户基本情况
  q('h1', '1.1', { id: 'h1_name', label: '农户姓名', type: 'text', prefill: 'householdName' }),
  q('h1', '1.2', {
    id: 'h1_type',
    label: '农户类型',
    type: 'choice',
    prefill: 'stratum',
    choices: [
      { id: 'exited_2014_2015', label: '2014、2015年退出户' },
      { id: 'exited_2016', label: '2016年脱贫户' },
      { id: 'planned_2017', label: '今年计划脱贫户' },
      { id: 'registered_poor', label: '未脱贫户' },
      { id: 'non_poor', label: '非贫困户' },
    ],
  }),
  q('h1', '1.3', {
    id: 'h1_pop_actual',
    label: '家庭实际人口(共同生活人口)',
    type: 'int',
    min: 1,
    max: 30,
    unit: '人',
  }),
  q('h1', '1.3', { id: 'h1_pop_registered', label: '户籍人口', type: 'int', ...PERSON_COUNT }),
  q('h1', '1.3', { id: 'h1_pop_card', label: '明白卡人口', type: 'int', ...PERSON_COUNT, when: REGISTERED }),
  q('h1', '1.3', {
    id: 'h1_pop_manual',
    label: '扶贫手册人口',
    type: 'int',
    ...PERSON_COUNT,
    when: REGISTERED,
  }),
  q('h1', '1.4', {
    id: 'h1_measures_match',
    label: '帮扶措施与致贫原因是否一致',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h1', '补', {
    id: 'h1_records_match',
    label: '帮扶手册等资料与全国扶贫开发信息系统数据是否一致',
    type: 'yesno',
    when: REGISTERED,
  }),

  // 二、贫困户"八有一超"达标情况
  q('h2', '2.1', { id: 'h2_food', label: '是否已能做到不愁吃', type: 'yesno' }),
  q('h2', '2.2', { id: 'h2_clothing', label: '是否已能做到不愁穿', type: 'yesno' }),
  q('h2', '2.3', {
    id: 'h2_income',
    label: '截止{incomeCutoff}家庭人均纯收入(元)',
    type: 'money',
    unit: '元',
    min: 0,
    soft: [
      {
        id: 'income_very_low',
        when: { q: 'h2_income', lt: 1000 },
        kind: 'confirm',
        message: '人均纯收入低于 1000 元,明显偏低。请与农户再核实一遍,确认无误后点"确认"。',
      },
      {
        id: 'income_very_high',
        when: { q: 'h2_income', gt: 50000 },
        kind: 'confirm',
        message: '人均纯收入超过 50000 元,明显偏高(是否误填了全家总收入?)。确认无误后点"确认"。',
      },
    ],
  }),
  q('h2', '2.4', { id: 'h2_dropout', label: '有无义务教育阶段因贫未读或辍学学生', type: 'has' }),
  q('h2', '补', {
    id: 'h2_dropout_count',
    label: '因贫未读或辍学人数',
    type: 'int',
    unit: '人',
    min: 1,
    when: { q: 'h2_dropout', eq: 'has' },
    checks: [
      {
        op: 'lte',
        than: { q: 'h1_pop_actual' },
        message: '辍学人数({value}人)不能超过家庭实际人口({than}人)',
      },
    ],
  }),
  q('h2', '2.5', { id: 'h2_insured_all', label: '是否全部参加城乡居民医疗保险(新农合)', type: 'yesno' }),
  q('h2', '补', {
    id: 'h2_uninsured_count',
    label: '未参保人数',
    type: 'int',
    unit: '人',
    min: 1,
    when: { q: 'h2_insured_all', eq: 'no' },
    checks: [
      {
        op: 'lte',
        than: { q: 'h1_pop_actual' },
        message: '未参保人数({value}人)不能超过家庭实际人口({than}人)',
      },
    ],
  }),
  q('h2', '2.5', { id: 'h2_serious_illness', label: '是否有家庭成员患大病', type: 'yesno' }),
  q('h2', '2.5', {
    id: 'h2_hospital_cost',
    label: '住院花费(元)',
    type: 'money',
    unit: '元',
    min: 0,
    when: yes('h2_serious_illness'),
  }),
  q('h2', '2.5', {
    id: 'h2_reimbursed',
    label: '报销(元)',
    type: 'money',
    unit: '元',
    min: 0,
    when: yes('h2_serious_illness'),
    checks: [
      {
        op: 'lte',
        than: { q: 'h2_hospital_cost' },
        message: '报销金额({value}元)不能超过住院花费({than}元)',
      },
    ],
  }),
  q('h2', '2.5', {
    id: 'h2_illness_aid',
    label: '大病救助(元)',
    type: 'money',
    unit: '元',
    min: 0,
    when: yes('h2_serious_illness'),
  }),
  q('h2', '2.6', { id: 'h2_safe_housing', label: '有无安全住房', type: 'has' }),
  q('h2', '2.6', {
    id: 'h2_housing_structure',
    label: '住房结构',
    type: 'choice',
    choices: [
      { id: 'concrete', label: '钢混' },
      { id: 'brick_concrete', label: '砖混' },
      { id: 'brick_wood', label: '砖木' },
      { id: 'earth_wood', label: '土木' },
      { id: 'wood', label: '木结构' },
      { id: 'other', label: '其他' },
    ],
  }),
  q('h2', '2.6', {
    id: 'h2_area_per_person',
    label: '人均住房面积(平方米)',
    type: 'decimal',
    unit: '平方米',
    min: 0,
    max: 1000,
    soft: [
      {
        id: 'area_small_but_safe',
        when: {
          all: [
            { q: 'h2_area_per_person', lt: 13 },
            { q: 'h2_safe_housing', eq: 'has' },
          ],
        },
        kind: 'confirm',
        message: '人均住房面积不足 13 平方米,但前面填了"有安全住房"。请核实后点"确认"。',
      },
      {
        id: 'area_very_large',
        when: { q: 'h2_area_per_person', gt: 150 },
        kind: 'confirm',
        message: '人均住房面积超过 150 平方米,明显偏大(是否误填了全家总面积?)。确认无误后点"确认"。',
      },
    ],
  }),
  q('h2', '2.6', { id: 'h2_cracks_leaks', label: '住房是否有裂缝漏雨', type: 'has' }),
  q('h2', '2.6', { id: 'h2_relocated', label: '是否属于易地扶贫搬迁户', type: 'yesno' }),
  q('h2', '2.6', {
    id: 'h2_relocation_status',
    label: '搬迁进度',
    type: 'choice',
    when: yes('h2_relocated'),
    choices: [
      { id: 'built_moved', label: '已建成并搬迁' },
      { id: 'built_not_moved', label: '已建成未搬迁' },
      { id: 'not_built', label: '未建成' },
    ],
  }),
  q('h2', '补', {
    id: 'h2_relocation_this_year',
    label: '是否{year}年易地搬迁户',
    type: 'yesno',
    when: yes('h2_relocated'),
  }),
  q('h2', '2.6', {
    id: 'h2_relocation_area_over_25',
    label: '建成住房面积是否超过人均25平米',
    type: 'yesno',
    when: yes('h2_relocated'),
  }),
  q('h2', '2.6', {
    id: 'h2_relocation_self_fund_over_10k',
    label: '搬迁户自筹资金是否超过1万元',
    type: 'yesno',
    when: yes('h2_relocated'),
  }),
  q('h2', '2.6', {
    id: 'h2_relocation_debt',
    label: '搬迁户是否因建房负债',
    type: 'yesno',
    when: yes('h2_relocated'),
  }),
  q('h2', '2.7', { id: 'h2_road_hardened', label: '通村屯道路是否硬化', type: 'yesno' }),
  q('h2', '2.7', { id: 'h2_settlement_20plus', label: '该村屯是否为20户以上', type: 'yesno' }),
  q('h2', '2.8', { id: 'h2_electricity', label: '有无生活用电', type: 'has' }),
  q('h2', '2.9', { id: 'h2_water', label: '有无安全饮水', type: 'has' }),
  q('h2', '2.10', { id: 'h2_tv_signal', label: '是否通广播电视信号', type: 'yesno' }),
  q('h2', '2.11', { id: 'h2_post_exit_support', label: '脱贫后是否得到帮扶', type: 'yesno', when: EXITED }),

  // 三、帮扶联系
  q('h3', '3.1', {
    id: 'h3_cadre_assigned',
    label: '县、乡(镇)是否安排有干部联系帮扶你户',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h3', '3.1', {
    id: 'h3_cadre_name',
    label: '帮扶干部姓名',
    type: 'text',
    when: yes('h3_cadre_assigned'),
  }),
  q('h3', '3.2', {
    id: 'h3_visits',
    label: '今年以来帮扶干部上门了解情况次数',
    type: 'int',
    unit: '次',
    min: 0,
    max: 366,
    when: REGISTERED,
    soft: [
      {
        id: 'visits_many',
        when: { q: 'h3_visits', gt: 60 },
        kind: 'confirm',
        message: '今年上门超过 60 次,明显偏多。请与农户核实后点"确认"。',
      },
    ],
  }),
  q('h3', '3.2', {
    id: 'h3_standard_explained',
    label: '是否向你讲清脱贫的标准',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h3', '3.3', {
    id: 'h3_policies_introduced',
    label: '是否介绍过扶贫政策(低保、雨露计划、小额扶贫信贷、产业奖补、易地扶贫搬迁、危房改造等)',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h3', '3.4', {
    id: 'h3_requested_help',
    label: '你是否提出过事情让帮扶干部帮助解决',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h3', '3.4', {
    id: 'h3_request_resolved',
    label: '帮扶干部是否帮你解决',
    type: 'yesno',
    when: yes('h3_requested_help'),
  }),
  q('h3', '3.4', {
    id: 'h3_request_details',
    label: '具体是哪些事',
    type: 'text',
    when: yes('h3_requested_help'),
  }),
  q('h3', '3.5', {
    id: 'h3_material_help',
    label: '是否得到帮扶干部或单位物资、资金帮助',
    type: 'yesno',
    when: REGISTERED,
  }),
  q('h3', '3.5', {
    id: 'h3_material_details',
    label: '具体是哪些事',
    type: 'text',
    when: yes('h3_material_help'),
  }),
  q('h3', '3.6', {
    id: 'h3_satisfied',
    label: '你对帮扶干部、帮扶工作、帮扶政策是否满意',
    type: 'satisfied',
    when: REGISTERED,
  }),
  q('h3', '3.7', {
    id: 'h3_first_secretary_known',
    label: '是否知道贫困村都有第一书记',
    type: 'yesno',
    when: FIRST_SECRETARY,
  }),
  q('h3', '3.7', {
    id: 'h3_first_secretary_name',
    label: '第一书记的名字',
    type: 'text',
    when: yes('h3_first_secretary_known'),
  }),
  q('h3', '3.7', {
    id: 'h3_village_changed',
    label: '第一书记到村后基础设施、经济发展是否有变化',
    type: 'yesno',
    when: FIRST_SECRETARY,
  }),
  q('h3', '3.7', {
    id: 'h3_projects',
    label: '引进了什么项目',
    type: 'text',
    when: yes('h3_village_changed'),
  }),
  q('h3', '3.7', {
    id: 'h3_first_secretary_satisfied',
    label: '你对第一书记是否满意',
    type: 'satisfied',
    when: FIRST_SECRETARY,
  }),
  q('h3', '3.8', {
    id: 'h3_recognition',
    label: '您对脱贫攻坚政策、帮扶措施及成效、脱贫退出等是否认可',
    type: 'yesno',
  }),

  // 四、其他事项
  q('h4', '4.1', {
    id: 'h4_unlisted_hardship',
    label: '您村是否存在生活困难但没有列入贫困户的家庭',
    type: 'yesno',
  }),
  q('h4', '4.1', {
    id: 'h4_unlisted_names',
    label: '这样家庭的户主姓名(可多个)',
    type: 'textList',
    when: yes('h4_unlisted_hardship'),
  }),
  q('h4', '4.1', {
    id: 'h4_unlisted_verified',
    label: '经现场核查,是否疑似漏评户',
    type: 'yesno',
    when: yes('h4_unlisted_hardship'),
  }),
  q('h4', '4.2', { id: 'h4_committee_visited', label: '村委干部是否上门了解过你家的困难', type: 'yesno' }),
  q('h4', '4.2', { id: 'h4_committee_satisfied', label: '你对村委会在扶贫工作是否满意', type: 'satisfied' }),
  q('h4', '4.3', {
    id: 'h4_opinions',
    label: '你对现在的扶贫工作还有什么意见(想法)',
    type: 'text',
    optional: true,
  }),

  // 五、综合判断 (the inspector's judgement)
  q('h5', '5.1', {
    id: 'h5_meets_standard',
    label: '判断已脱贫户是否达到脱贫标准',
    type: 'yesno',
    when: EXITED,
    soft: [
      {
        id: 'exit_suspect_confirmed',
        when: { all: [{ flag: 'exit_suspect' }, { q: 'h5_meets_standard', eq: 'yes' }] },
        kind: 'reason',
        message:
          '该户有未达标情况(两不愁、三保障或收入低于贫困线),您仍判断其达到脱贫标准。请用一句话写明理由。',
      },
    ],
  }),
  q('h5', '5.1', {
    id: 'h5_failure_kind',
    label: '属于疑似错退或返贫',
    type: 'choice',
    when: { q: 'h5_meets_standard', eq: 'no' },
    choices: [
      { id: 'wrongful', label: '错退' },
      { id: 'relapse', label: '返贫' },
    ],
  }),
  q('h5', '5.2', {
    id: 'h5_missed',
    label: '判断非贫困户是否属于漏评',
    type: 'yesno',
    when: NON_POOR,
    soft: [
      {
        id: 'missed_suspect_confirmed',
        when: { all: [{ flag: 'missed_suspect' }, { q: 'h5_missed', eq: 'no' }] },
        kind: 'reason',
        message: '该户收入低于贫困线或未实现两不愁,您仍判断其不属于漏评。请用一句话写明理由。',
      },
    ],
  }),
];

export const householdForm: FormDef = {
  id: 'household',
  version: 1,
  title: '农户调查表',
  sections: [
    { id: 'h1', title: '一、被调查户基本情况' },
    { id: 'h2', title: '二、贫困户"八有一超"达标情况' },
    { id: 'h3', title: '三、帮扶联系' },
    { id: 'h4', title: '四、其他事项' },
    { id: 'h5', title: '五、综合判断' },
  ],
  questions,
  flags: [
    {
      id: 'two_worries_fail',
      label: '未实现"两不愁"',
      when: {
        any: [
          { q: 'h2_food', eq: 'no' },
          { q: 'h2_clothing', eq: 'no' },
        ],
      },
    },
    {
      id: 'three_guarantees_fail',
      label: '"三保障"未达标',
      when: {
        any: [
          { q: 'h2_dropout', eq: 'has' },
          { q: 'h2_insured_all', eq: 'no' },
          { q: 'h2_safe_housing', eq: 'none' },
        ],
      },
    },
    {
      id: 'income_below_line',
      label: '人均纯收入低于贫困线',
      when: { q: 'h2_income', lt: { ctx: 'povertyLine' } },
    },
    {
      id: 'population_mismatch',
      label: '家庭人口、户籍、明白卡、手册人口不一致',
      when: { notAllEqual: ['h1_pop_actual', 'h1_pop_registered', 'h1_pop_card', 'h1_pop_manual'] },
    },
    { id: 'type_mismatch', label: '农户类型与名单不符', when: { q: 'h1_type', ne: { ctx: 'stratum' } } },
    {
      id: 'exit_suspect',
      label: '已脱贫户疑似未达标',
      when: {
        all: [
          EXITED,
          {
            any: [
              { flag: 'two_worries_fail' },
              { flag: 'three_guarantees_fail' },
              { flag: 'income_below_line' },
            ],
          },
        ],
      },
    },
    {
      id: 'missed_suspect',
      label: '非贫困户疑似漏评',
      when: { all: [NON_POOR, { any: [{ flag: 'income_below_line' }, { flag: 'two_worries_fail' }] }] },
    },
    { id: 'judged_wrongful_exit', label: '判断为疑似错退', when: { q: 'h5_failure_kind', eq: 'wrongful' } },
    { id: 'judged_relapse', label: '判断为返贫', when: { q: 'h5_failure_kind', eq: 'relapse' } },
    { id: 'judged_missed', label: '判断为疑似漏评', when: { q: 'h5_missed', eq: 'yes' } },
    { id: 'not_recognized', label: '不认可脱贫攻坚成效', when: { q: 'h3_recognition', eq: 'no' } },
  ],
};
