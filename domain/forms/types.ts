// The shape of a questionnaire as data. Forms are plain objects of these types, so a new campaign
// or a reworded question changes a data file, never the engine or the bot.

/** Stable stratum ids (DOMAIN.md §2). */
export const STRATA = [
  'exited_2014_2015',
  'exited_2016',
  'planned_2017',
  'registered_poor',
  'non_poor',
] as const;
export type StratumId = (typeof STRATA)[number];

/** Village types of 附件2 1.1. */
export const VILLAGE_TYPES = ['exited_poor', 'planned_exit_poor', 'poor', 'non_poor'] as const;
export type VillageType = (typeof VILLAGE_TYPES)[number];

export type QuestionType =
  | 'yesno' // 是/否 → 'yes' | 'no'
  | 'has' // 有/无 → 'has' | 'none'
  | 'satisfied' // 满意/不满意 → 'satisfied' | 'unsatisfied'
  | 'choice' // one of `choices` → choice id
  | 'multi' // several of `choices` → choice id[]
  | 'int' // whole number
  | 'money' // 元, ≥ 0, up to 2 decimals
  | 'decimal' // a number with decimals
  | 'pct' // 0–100
  | 'text' // free text
  | 'textList'; // several names → string[]

/** What a stored answer can be. */
export type AnswerValue = string | number | string[];
export type Answers = Readonly<Record<string, AnswerValue>>;

export interface Choice {
  id: string;
  label: string;
}

/** A number given literally, or taken from another answer or from the context. */
export type Operand = number | string | { q: string } | { ctx: ContextKey };

export type ContextKey = 'stratum' | 'villageType' | 'povertyLine' | 'year';

/**
 * Conditions are data too. `q` names a question; an unanswered question makes a comparison false
 * (so a follow-up never applies before its parent is answered).
 */
export type Condition =
  | { q: string; eq: Operand }
  | { q: string; ne: Operand }
  | { q: string; in: readonly string[] }
  | { q: string; includes: string }
  | { q: string; lt: Operand }
  | { q: string; gt: Operand }
  | { answered: string }
  | { ctx: 'stratum' | 'villageType'; in: readonly string[] }
  | { flag: string }
  | { notAllEqual: readonly string[] }
  | { all: readonly Condition[] }
  | { any: readonly Condition[] }
  | { not: Condition };

/** A cross-field hard check: the answer must stand in `op` to `than`, or it is rejected. */
export interface CrossCheck {
  op: 'lte' | 'gte' | 'lt' | 'gt';
  than: Operand;
  /** Chinese reason shown when the check fails; {value} and {than} are filled in. */
  message: string;
}

/** A soft check: when `when` holds (with the new answer in place), the inspector must confirm. */
export interface SoftCheck {
  id: string;
  when: Condition;
  /** Chinese text explaining why we ask again. */
  message: string;
  /** 'confirm' asks for a button press; 'reason' asks for a one-line written reason. */
  kind: 'confirm' | 'reason';
}

export interface Question {
  id: string;
  section: string;
  /** The number in the paper form (e.g. "2.5"), or "补" for questions we add. */
  seedNo: string;
  /** Chinese wording; `{incomeCutoff}` and `{year}` are filled from the campaign. */
  label: string;
  type: QuestionType;
  choices?: readonly Choice[];
  min?: Operand;
  max?: Operand;
  /** Unit shown after numbers (元, 人, 户, 平方米, %). */
  unit?: string;
  /** Whether an empty answer ("无") is allowed for text questions. */
  optional?: boolean;
  /** The question applies only when this holds; absent = always. */
  when?: Condition;
  /** The value is offered from the context (the sample) and only confirmed or corrected. */
  prefill?: 'householdName' | 'stratum' | 'villageType' | 'rosterDepartments' | 'rosterPeople';
  checks?: readonly CrossCheck[];
  soft?: readonly SoftCheck[];
  /** A short Chinese hint of what to send. Derived from the type when absent. */
  hint?: string;
}

export interface Section {
  id: string;
  /** e.g. "一、被调查户基本情况" */
  title: string;
}

export interface FlagDef {
  id: string;
  /** Chinese label shown in the review and to the office. */
  label: string;
  when: Condition;
}

export interface FormDef {
  id: 'household' | 'village' | 'office' | string;
  version: number;
  title: string;
  sections: readonly Section[];
  questions: readonly Question[];
  flags: readonly FlagDef[];
}

/** What the engine needs to know beyond the answers. */
export interface FormContext {
  stratum?: StratumId;
  villageType?: VillageType;
  povertyLine: number;
  year: number;
  /** e.g. "2017年9月底" */
  incomeCutoff: string;
  /** Values offered for prefilled questions, keyed by question id. */
  prefill?: Readonly<Record<string, AnswerValue>>;
}

export interface Confirmation {
  check: string;
  /** The value that was confirmed; a later different value needs a new confirmation. */
  value: AnswerValue;
  reason?: string;
}

export interface SurveyState {
  answers: Answers;
  confirmations: Readonly<Record<string, Confirmation>>;
}

export const EMPTY_STATE: SurveyState = { answers: {}, confirmations: {} };
