// A short Chinese account of what a group found in its town, generated from the town's 表3 and 表4
// for the group report. It states counts only; the leader adds judgement in the written report.

import { type Campaign, groupForTown, townById } from '../campaign';
import { rowValue, type Table4 } from './compute';
import { TABLE3_SECTIONS, type Table3 } from './table3';

const num = (t: Table4, id: string): number => {
  const v = rowValue(t, id);
  return typeof v === 'number' ? v : 0;
};

/** The household failures worth naming, in 表4 order: [row id, short wording, unit]. */
const FAILURES: readonly (readonly [string, string, string])[] = [
  ['t4_two_worries_fail', '未实现"两不愁"', '户'],
  ['t4_dropout_students', '因贫未读或辍学学生', '人'],
  ['t4_uninsured_people', '未参加城乡医保', '人'],
  ['t4_no_safe_housing', '无安全住房', '户'],
  ['t4_no_electricity', '无生活用电', '户'],
  ['t4_no_water', '无安全饮水', '户'],
  ['t4_no_tv_signal', '无广播电视信号', '户'],
  ['t4_no_road', '无路通村屯', '户'],
  ['t4_population_mismatch', '家庭人口、户籍、明白卡等不一致', '户'],
  ['t4_measures_mismatch', '帮扶措施与致贫原因不一致', '户'],
  ['t4_records_mismatch', '信息比对核查不一致', '户'],
  ['t4_not_recognized', '不认可脱贫攻坚成效', '户'],
];

export function groupNarrative(campaign: Campaign, townId: string, table4: Table4, table3: Table3): string {
  const town = townById(campaign, townId)?.name ?? townId;
  const group = groupForTown(campaign, townId)?.name ?? '检查组';
  const households = num(table4, 't4_households');
  const paragraphs: string[] = [];

  paragraphs.push(
    `${group}对${town}${num(table4, 't4_villages')}个村开展了实地检查,共抽查农户${households}户,` +
      `其中已脱贫户${num(table4, 't4_households_exited')}户、今年计划脱贫户${num(table4, 't4_households_planned')}户、` +
      `未脱贫户${num(table4, 't4_households_registered_poor')}户、非贫困户${num(table4, 't4_households_non_poor')}户。`,
  );

  const found = FAILURES.map(([id, words, unit]) => [words, num(table4, id), unit] as const).filter(
    ([, n]) => n > 0,
  );
  paragraphs.push(
    found.length > 0
      ? `检查发现:${found.map(([w, n, u]) => `${w}${n}${u}`).join(',')}。`
      : households > 0
        ? '抽查户"八有一超"等各项指标未发现不达标情况。'
        : '尚无已提交的农户调查表。',
  );

  const wrongful = num(table4, 't4_wrongful_exit');
  const aside = table4.rows.find((r) => r.id === 't4_wrongful_exit')?.aside?.value;
  const relapse = typeof aside === 'number' ? aside : 0;
  const missed = num(table4, 't4_missed');
  paragraphs.push(
    `疑似错退${wrongful}户${relapse > 0 ? `(另有疑似返贫${relapse}户)` : ''},疑似漏评${missed}户。`,
  );

  if (table3.total === 0) {
    paragraphs.push('暂未登记问题清单。');
  } else {
    const bySection = TABLE3_SECTIONS.map((s) => {
      const n = s.parts.reduce((sum, p) => sum + (table3.countsByCategory[p.category] ?? 0), 0);
      // 返贫 is filed under 错退 but told apart, as 表4 reports it beside 错退.
      const relapse = s.parts.some((p) => p.category === 'exit_wrongful') ? table3.suspects.relapse : 0;
      return [relapse > 0 ? `${s.title}${n}个(含返贫${relapse}个)` : `${s.title}${n}个`, n] as const;
    }).filter(([, n]) => n > 0);
    paragraphs.push(
      `共梳理问题${table3.total}个,其中${bySection.map(([t]) => t).join('、')},已反馈${town}限期整改。`,
    );
  }
  return paragraphs.join('\n');
}
