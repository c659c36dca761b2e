// 表3 督查发现问题汇总表 (DOMAIN.md §9): every problem of the scope (but those withdrawn by their
// reporter), one a row, under the seed's categories in the seed's order, numbered 1…n through the
// whole table.

import { type Campaign, townById, villageById } from '../campaign';
import type { Problem, ProblemCategory } from '../model';

export interface Table3Section {
  /** 一 … 四 */
  no: string;
  title: string;
  /** 二 精准帮扶 has five parts; the others have one part with the section's own category. */
  parts: readonly { category: ProblemCategory; label?: string }[];
}

/** The seed's layout of 表3. */
export const TABLE3_SECTIONS: readonly Table3Section[] = [
  { no: '一', title: '精准识别(漏评方面)', parts: [{ category: 'identification_missed' }] },
  {
    no: '二',
    title: '精准帮扶',
    parts: [
      { category: 'assistance_measures', label: '措施制定方面' },
      { category: 'assistance_projects', label: '项目实施方面' },
      { category: 'assistance_funds', label: '资金使用方面' },
      { category: 'assistance_policy', label: '政策保障方面' },
      { category: 'assistance_stationed', label: '驻村帮扶方面' },
    ],
  },
  { no: '三', title: '精准脱贫(错退方面)', parts: [{ category: 'exit_wrongful' }] },
  { no: '四', title: '其他方面(资料、档案、内生动力等)', parts: [{ category: 'other' }] },
];

/** The Chinese name of a category, as 表5 and the narrative show it. */
export function categoryLabel(category: ProblemCategory): string {
  for (const s of TABLE3_SECTIONS) {
    const part = s.parts.find((p) => p.category === category);
    if (part) return part.label ? `${s.title}·${part.label}` : s.title;
  }
  return category;
}

export interface Table3Row {
  /** 序号, 1-based through the whole table. */
  no: number;
  problemId: string;
  category: ProblemCategory;
  townId: string;
  villageId?: string;
  /** Where it was found: 村 name, with the 镇 name in a city-wide table. */
  place: string;
  /** The problem as logged ("见事见人、明确具体"). */
  text: string;
}

export interface Table3Part {
  category: ProblemCategory;
  label?: string;
  rows: Table3Row[];
}

/**
 * 表3 beside 表4 (DOMAIN.md §8, §9): the problems that name what 表4 counts. `missed`: 漏评 problems
 * about one household or person (表4 疑似漏评户数 counts the same people, by village + name);
 * `wrongfulExit`: 错退 problems about one household judged 错退 (表4 疑似错退户数). `relapse`: the
 * problems marked 返贫, which 表3 files under 错退 (the seed has no 返贫 section) but, as 表4 reports
 * 返贫 beside 错退 ("另有疑似返贫户"), are counted beside it, never as 错退. Village-level findings and
 * problems typed in by hand name no counted household and are in none of the three.
 */
export interface Table3Suspects {
  missed: number;
  wrongfulExit: number;
  relapse: number;
}

export interface Table3 {
  sections: { no: string; title: string; parts: Table3Part[] }[];
  /** Rows in the table (withdrawn problems are not in it). */
  total: number;
  /** Rows per category, as printed: the 错退 section's count includes its 返贫 rows. */
  countsByCategory: Record<ProblemCategory, number>;
  suspects: Table3Suspects;
}

export const TABLE3_NOTE = '备注:一个问题一行(可自行加行),问题要分门别类、见事见人、明确具体。';

export function placeOf(
  campaign: Campaign,
  p: Pick<Problem, 'townId' | 'villageId'>,
  withTown: boolean,
): string {
  const town = townById(campaign, p.townId)?.name ?? p.townId;
  const village = p.villageId ? (villageById(campaign, p.villageId)?.name ?? p.villageId) : undefined;
  if (withTown) return village ? `${town}${village}` : town;
  return village ?? town;
}

/** What the register lists: every problem but those their reporter withdrew. */
export const inRegister = (p: Pick<Problem, 'status'>): boolean => p.status !== 'withdrawn';

/** Oldest first within a category, ties by id, so the 序号 do not move between builds. */
const byCreated = (a: Problem, b: Problem) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function buildTable3(
  campaign: Campaign,
  problems: readonly Problem[],
  opts: { cityWide: boolean },
): Table3 {
  let no = 0;
  const listed = problems.filter(inRegister);
  const countsByCategory = {} as Record<ProblemCategory, number>;
  const sections = TABLE3_SECTIONS.map((s) => ({
    no: s.no,
    title: s.title,
    parts: s.parts.map((part) => {
      const rows = listed
        .filter((p) => p.category === part.category)
        .sort(byCreated)
        .map(
          (p): Table3Row => ({
            no: ++no,
            problemId: p.id,
            category: p.category,
            townId: p.townId,
            ...(p.villageId ? { villageId: p.villageId } : {}),
            place: placeOf(campaign, p, opts.cityWide),
            text: p.description,
          }),
        );
      countsByCategory[part.category] = rows.length;
      return { category: part.category, ...(part.label ? { label: part.label } : {}), rows };
    }),
  }));
  const suspected = (suspect: Problem['suspect']) => listed.filter((p) => p.suspect === suspect).length;
  return {
    sections,
    total: no,
    countsByCategory,
    suspects: {
      missed: suspected('missed'),
      wrongfulExit: suspected('wrongful_exit'),
      relapse: suspected('relapse'),
    },
  };
}
