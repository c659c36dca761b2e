// The 表4 rule language and its one evaluator. Rows are data (domain/tables/table4.ts); this file
// knows how to count and sum over submitted surveys, nothing about any particular row, so a
// reworded row or a new campaign's table changes data, not code.
//
// Conditions are the forms' own Condition type, evaluated by the form engine's holds(): a 表4 rule
// and a form flag can never disagree about what "未实现两不愁" means.

import { type Campaign, groupForTown, villageById } from '../campaign';
import { choicesOf, computeFlags, holds } from '../engine';
import { formById, forms } from '../forms/index';
import type { Answers, Condition, FormContext, FormDef, VillageType } from '../forms/types';
import type { Survey } from '../model';
import { missedSubjects } from '../proposals';

// ---------------------------------------------------------------------------------------------
// The language

/** Named rules that do not fit the small language; kept few on purpose. */
export type SpecialRuleName =
  /** 疑似漏评: non_poor judged 漏评 plus verified names reported by others, deduplicated per village. */
  | 'missedHouseholds'
  /** 参与部门: the office's figure at city scope, else the distinct units of the groups' rosters. */
  | 'participatingDepartments'
  /** 参与人数: the office's figure at city scope, else leaders, deputies, members and town staff. */
  | 'participatingPeople';

export type Table4Rule =
  /** Household surveys where `where` holds (all of them without `where`). */
  | { kind: 'countHouseholds'; where?: Condition }
  /** The sum of a numeric answer over household surveys where `where` holds (unanswered = 0). */
  | { kind: 'sumHouseholds'; question: string; where?: Condition }
  /** Distinct villages with a village survey where `where` holds. */
  | { kind: 'countVillages'; where?: Condition }
  /** Distinct villages with at least one submitted survey, optionally of one village type. */
  | { kind: 'distinctVillages'; villageType?: VillageType }
  /** Distinct towns with at least one submitted survey. */
  | { kind: 'distinctTowns' }
  /**
   * An answer of the office form (县级数据): numbers as they are, choices as their label (or as
   * `labels` says); the first answered of `noteFrom` becomes the row's note.
   */
  | {
      kind: 'office';
      question: string;
      labels?: Readonly<Record<string, string>>;
      noteFrom?: readonly string[];
    }
  | { kind: 'special'; name: SpecialRuleName };

export interface Table4RowDef {
  /** Stable id; JSON output and tests name rows by it. */
  id: string;
  /** 类别 column: 督查组织, 督查基本情况, 抽查户情况, 主要目标任务完成情况 … */
  category: string;
  /** A heading inside the category: 贫困户"八有一超"情况 … */
  group?: string;
  /** 项目 column, the seed's wording. */
  label: string;
  /** 单位 column: 个, 人, 户, 万元, or '' where the seed has none. */
  unit: string;
  rule: Table4Rule;
  /** 备注 column. */
  note?: string;
  /** A "其中" sub-row names the row it is part of. */
  parent?: string;
  /** A figure reported beside the value in the note, e.g. 返贫 beside 错退. */
  aside?: { label: string; unit: string; rule: Table4Rule };
}

// ---------------------------------------------------------------------------------------------
// Input and output

export interface Table4Input {
  campaign: Campaign;
  /** Set for a town's table; absent for the city-wide one. */
  townId?: string;
  /** Submitted surveys only: the caller filters, the rules trust it. */
  householdSurveys: readonly Survey[];
  villageSurveys: readonly Survey[];
  officeSurvey?: Survey;
}

export type Table4Value = number | string | null;

export interface Table4Row {
  id: string;
  category: string;
  group?: string;
  label: string;
  unit: string;
  /** null: nothing to report (the office has not entered the figure, or it does not apply). */
  value: Table4Value;
  note?: string;
  parent?: string;
  /** The figure reported beside the value (also written into the note). */
  aside?: { label: string; unit: string; value: Table4Value };
}

export interface Table4 {
  rows: Table4Row[];
}

// ---------------------------------------------------------------------------------------------
// Contributions and tallies
//
// 表4 is a fold over what each submitted survey contributes (ARCHITECTURE.md "Scale: aggregates,
// not re-reads"): a household survey adds a number per household rule (1 or 0 for a count, the
// answer for a sum) and the 漏评 people it names; a village survey says which village rules hold
// and the village's type. A village's tally is the sum of its surveys' contributions; the store
// keeps one per village, updated on submit and return (app/aggregates.ts), and the same fold runs
// over tallies built here from surveys, so "from aggregates" and "from the surveys" cannot differ.

/** What one submitted survey adds to its village's tally. */
export interface SurveyContribution {
  kind: 'household' | 'village';
  /** Household rules: rule key → value (counts 1, sums the answer); zeros are left out. */
  counts: Record<string, number>;
  /** 疑似漏评 people this household names, as opaque keys (hashed by the caller if stored). */
  missed: string[];
  /** Village rules (countVillages) that hold for this village survey. */
  rows: string[];
  /** The village's type as the village survey corrected it (v1_type). */
  villageType?: VillageType;
}

/** What the fold needs of one village: the sum of its surveys' contributions. */
export interface VillageTally {
  townId: string;
  villageId: string;
  /** Submitted household surveys. */
  households: number;
  counts: Readonly<Record<string, number>>;
  /** Distinct 漏评 keys named in the village. */
  missed: readonly string[];
  /** The submitted village survey's contribution, if there is one. */
  village?: { rows: readonly string[]; villageType?: VillageType };
}

/** The key a rule's value is kept under: the row id, or the row id and `~aside`. */
export const ruleKey = (def: Pick<Table4RowDef, 'id'>, aside = false): string =>
  aside ? `${def.id}~aside` : def.id;

function rulesOf(rows: readonly Table4RowDef[]): { key: string; rule: Table4Rule }[] {
  return rows.flatMap((def) => [
    { key: ruleKey(def), rule: def.rule },
    ...(def.aside ? [{ key: ruleKey(def, true), rule: def.aside.rule }] : []),
  ]);
}

interface Evaluated {
  survey: Survey;
  form: FormDef;
  env: { ctx: FormContext; answers: Answers; flags: ReadonlySet<string> };
}

/**
 * Flags are recomputed from the answers rather than read from the stored survey: the office may
 * change the poverty line after submission, and the table must follow the current one (stored
 * tallies carry the basis they were computed on, app/aggregates.ts, and are recounted when it
 * changes).
 */
function evaluate(campaign: Campaign, survey: Survey, fallback: FormDef): Evaluated {
  const form = formById(survey.formId, survey.formVersion) ?? fallback;
  const village = survey.villageId ? villageById(campaign, survey.villageId) : undefined;
  const ctx: FormContext = {
    povertyLine: campaign.povertyLine,
    year: campaign.year,
    incomeCutoff: campaign.incomeCutoff,
    ...(village ? { villageType: village.type } : {}),
  };
  const flags = new Set(computeFlags(form, ctx, survey.answers));
  return { survey, form, env: { ctx, answers: survey.answers, flags } };
}

const matches = (e: Evaluated, where: Condition | undefined): boolean =>
  where === undefined || holds(where, e.env);

/** A submitted household or village survey's contribution under `rows` and the campaign as it is. */
export function contributionOf(
  rows: readonly Table4RowDef[],
  campaign: Campaign,
  survey: Survey,
): SurveyContribution {
  if (survey.kind === 'village') {
    const e = evaluate(campaign, survey, forms.village!);
    const held = rulesOf(rows)
      .filter(({ rule }) => rule.kind === 'countVillages' && matches(e, rule.where))
      .map(({ key }) => key);
    const type = e.env.answers.v1_type;
    return {
      kind: 'village',
      counts: {},
      missed: [],
      rows: held,
      ...(typeof type === 'string' ? { villageType: type as VillageType } : {}),
    };
  }
  const e = evaluate(campaign, survey, forms.household!);
  const counts: Record<string, number> = {};
  for (const { key, rule } of rulesOf(rows)) {
    if (rule.kind !== 'countHouseholds' && rule.kind !== 'sumHouseholds') continue;
    if (!matches(e, rule.where)) continue;
    const v = rule.kind === 'countHouseholds' ? 1 : e.env.answers[rule.question];
    if (typeof v === 'number' && v !== 0) counts[key] = v;
  }
  return { kind: 'household', counts, missed: missedSubjects(survey).map((m) => m.key), rows: [] };
}

/** The villages' tallies of a set of submitted surveys, computed in memory (the same fold input). */
export function talliesOf(
  rows: readonly Table4RowDef[],
  campaign: Campaign,
  surveys: readonly Survey[],
): VillageTally[] {
  const byVillage = new Map<
    string,
    {
      townId: string;
      villageId: string;
      households: number;
      counts: Record<string, number>;
      missed: Set<string>;
      village?: { rows: string[]; villageType?: VillageType };
    }
  >();
  for (const s of surveys) {
    const villageId = villageKey(s);
    let t = byVillage.get(villageId);
    if (!t) {
      t = { townId: s.townId, villageId, households: 0, counts: {}, missed: new Set() };
      byVillage.set(villageId, t);
    }
    const c = contributionOf(rows, campaign, s);
    if (c.kind === 'village') {
      const before = t.village?.rows ?? [];
      t.village = {
        rows: [...new Set([...before, ...c.rows])],
        ...(c.villageType ? { villageType: c.villageType } : {}),
      };
      continue;
    }
    t.households++;
    for (const [k, v] of Object.entries(c.counts)) t.counts[k] = (t.counts[k] ?? 0) + v;
    for (const m of c.missed) t.missed.add(m);
  }
  return [...byVillage.values()].map((t) => ({ ...t, missed: [...t.missed] }));
}

// ---------------------------------------------------------------------------------------------
// Evaluation

class Evaluator {
  private readonly office?: Evaluated;

  constructor(
    private readonly campaign: Campaign,
    private readonly townId: string | undefined,
    private readonly villages: readonly VillageTally[],
    officeSurvey: Survey | undefined,
  ) {
    if (officeSurvey) this.office = evaluate(campaign, officeSurvey, forms.office!);
  }

  value(rule: Table4Rule, key: string): Table4Value {
    switch (rule.kind) {
      case 'countHouseholds':
      case 'sumHouseholds':
        return this.villages.reduce((sum, v) => sum + (v.counts[key] ?? 0), 0);
      case 'countVillages':
        return this.villages.filter((v) => v.village?.rows.includes(key)).length;
      case 'distinctVillages': {
        const types = this.villageTypes();
        return [...types.values()].filter((t) => rule.villageType === undefined || t === rule.villageType)
          .length;
      }
      case 'distinctTowns':
        return new Set(this.villages.filter(surveyed).map((v) => v.townId)).size;
      case 'office':
        return this.officeValue(rule.question, rule.labels);
      case 'special':
        return this.special(rule.name);
    }
  }

  note(def: Table4RowDef): string | undefined {
    const parts: string[] = [];
    if (def.note) parts.push(def.note);
    if (def.rule.kind === 'office' && def.rule.noteFrom && this.office) {
      const answers = this.office.env.answers;
      const text = def.rule.noteFrom.map((id) => answers[id]).find((v) => typeof v === 'string' && v !== '');
      if (typeof text === 'string') parts.push(text);
    }
    if (def.aside) {
      const v = this.value(def.aside.rule, ruleKey(def, true));
      if (v !== null) parts.push(`${def.aside.label}${v}${def.aside.unit}`);
    }
    return parts.length > 0 ? parts.join(';') : undefined;
  }

  /**
   * Each village with a submitted survey, and its type: the village survey's v1_type answer (the
   * inspector may have corrected it), else the campaign config's type.
   */
  private villageTypes(): Map<string, VillageType> {
    const out = new Map<string, VillageType>();
    for (const v of this.villages.filter(surveyed)) {
      const type = v.village?.villageType ?? villageById(this.campaign, v.villageId)?.type;
      if (type) out.set(v.villageId, type);
    }
    return out;
  }

  private officeValue(question: string, labels?: Readonly<Record<string, string>>): Table4Value {
    if (!this.office) return null;
    const v = this.office.env.answers[question];
    if (v === undefined) return null;
    if (typeof v === 'number') return v;
    const q = this.office.form.questions.find((x) => x.id === question);
    const choices = q ? choicesOf(q) : [];
    const one = (id: string): string => labels?.[id] ?? choices.find((c) => c.id === id)?.label ?? id;
    return Array.isArray(v) ? v.map(one).join('、') : one(v);
  }

  private special(name: SpecialRuleName): Table4Value {
    switch (name) {
      case 'missedHouseholds':
        return this.missedHouseholds();
      case 'participatingDepartments':
        return this.participation('o_departments', rosterDepartments);
      case 'participatingPeople':
        return this.participation('o_people', rosterPeople);
    }
  }

  /**
   * 疑似漏评 (DOMAIN.md §8): non_poor households the inspector judged 漏评, plus the names other
   * households reported where the inspector verified the suspicion on site. The same family is
   * often named by several neighbours, so names count once per village (the keys carry the
   * village). The people are those the proposals name (domain/proposals.ts missedSubjects), so
   * once every proposal is confirmed 表3 lists exactly these suspects.
   */
  private missedHouseholds(): number {
    const seen = new Set<string>();
    for (const v of this.villages) for (const k of v.missed) seen.add(k);
    return seen.size;
  }

  /** City scope: the office's figure when entered; otherwise (and for a town) the groups' roster. */
  private participation(question: string, fromRoster: (c: Campaign, townId?: string) => number): number {
    if (this.townId === undefined) {
      const v = this.office?.env.answers[question];
      if (typeof v === 'number') return v;
    }
    return fromRoster(this.campaign, this.townId);
  }
}

/** A village counts as surveyed once it has a submitted household or village survey. */
const surveyed = (v: VillageTally): boolean => v.households > 0 || v.village !== undefined;

const villageKey = (s: Survey): string => s.villageId ?? `survey:${s.id}`;

function groupsInScope(c: Campaign, townId?: string) {
  if (townId === undefined) return c.groups;
  const g = groupForTown(c, townId);
  return g ? [g] : [];
}

/** Distinct city units on the rosters (the deputy's unit included; lending towns are not departments). */
export function rosterDepartments(c: Campaign, townId?: string): number {
  const units = new Set<string>();
  for (const g of groupsInScope(c, townId)) {
    units.add(g.deputy.unit);
    for (const u of g.memberUnits) units.add(u);
  }
  return units.size;
}

/** Per group: leader, deputy, one member per unit, and the staff lent by another town. */
export function rosterPeople(c: Campaign, townId?: string): number {
  return groupsInScope(c, townId).reduce(
    (sum, g) => sum + 2 + g.memberUnits.length + (g.crossTownStaff?.count ?? 0),
    0,
  );
}

/** Evaluates every row definition over the submitted surveys, in the definitions' order. */
export function computeTable4(rows: readonly Table4RowDef[], input: Table4Input): Table4 {
  return foldTable4(rows, {
    campaign: input.campaign,
    ...(input.townId ? { townId: input.townId } : {}),
    villages: talliesOf(rows, input.campaign, [...input.householdSurveys, ...input.villageSurveys]),
    ...(input.officeSurvey ? { officeSurvey: input.officeSurvey } : {}),
  });
}

/** 表4 from the villages' tallies (stored aggregates, or talliesOf), in the definitions' order. */
export function foldTable4(
  rows: readonly Table4RowDef[],
  input: {
    campaign: Campaign;
    townId?: string;
    villages: readonly VillageTally[];
    officeSurvey?: Survey;
  },
): Table4 {
  const ev = new Evaluator(input.campaign, input.townId, input.villages, input.officeSurvey);
  return {
    rows: rows.map((def) => {
      const note = ev.note(def);
      return {
        id: def.id,
        category: def.category,
        ...(def.group ? { group: def.group } : {}),
        label: def.label,
        unit: def.unit,
        value: ev.value(def.rule, ruleKey(def)),
        ...(note ? { note } : {}),
        ...(def.parent ? { parent: def.parent } : {}),
        ...(def.aside
          ? {
              aside: {
                label: def.aside.label,
                unit: def.aside.unit,
                value: ev.value(def.aside.rule, ruleKey(def, true)),
              },
            }
          : {}),
      };
    }),
  };
}

/** A row's value by id (tests, the chat text, the narrative). */
export function rowValue(table: Table4, id: string): Table4Value | undefined {
  return table.rows.find((r) => r.id === id)?.value;
}

/**
 * The office figures (县级数据) are one survey of kind 'office' filed under this pseudo-town (it
 * belongs to no town), so a summary finds it with the same per-town query as every other survey,
 * never a Scan. Must equal OFFICE_SCOPE of app/surveys.ts, which files it.
 */
export const OFFICE_SURVEY_TOWN = 'office';
