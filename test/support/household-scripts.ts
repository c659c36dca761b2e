// Varied, valid household interviews for load tests and the bench. Each script is planned offline
// through the form engine (the same rules the bot applies), so it knows which questions will be
// asked, what the inspector types or presses for each, how soft checks are confirmed, and the
// exact answers the survey must end with: the oracle a concurrent run is compared against.

import { type Campaign, formContextFor } from '../../domain/campaign';
import { applyAnswer, choicesOf, nextQuestion } from '../../domain/engine';
import { formById } from '../../domain/forms';
import {
  type Answers,
  EMPTY_STATE,
  type FormContext,
  type Question,
  type StratumId,
  type SurveyState,
  type VillageType,
} from '../../domain/forms/types';
import { typicalHousehold } from './survey-driver';

/** A small deterministic PRNG (mulberry32): the same seed plans the same interviews. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢';
const GIVEN = '明华强芳伟静敏磊婷勇丽军刚红亮东平洁冰国建春秋文志德海英玉兰桂珍秀福贵荣';

/** A plausible household head's name. */
export function chineseName(r: Rng): string {
  return `${pick(r, [...SURNAMES])}${pick(r, [...GIVEN])}${r() < 0.6 ? pick(r, [...GIVEN]) : ''}`;
}

const FREE_TEXTS = [
  '希望多修几条水泥路',
  '孩子上学路远,希望有校车',
  '产业帮扶资金到位慢',
  '希望增加技能培训',
  '村里饮水管道老化',
  '医疗报销手续太复杂',
];
const REASONS = [
  '务工收入未完全计入,实际已达标',
  '经村委核实,家庭有稳定务工收入',
  '收入低是统计口径问题,已另行说明',
];

export interface HouseholdPlan {
  name: string;
  stratum: StratumId;
  villageType?: VillageType;
}

export interface ScriptedSurvey {
  plan: HouseholdPlan;
  /** Question ids in the order the engine asks them. */
  order: string[];
  /** What the inspector sends for each question: a button's label or a typed text. */
  inputs: Record<string, string>;
  /** Soft checks met on the way: the reason typed, or true for a plain 确认无误. */
  confirms: Record<string, string | true>;
  /** The answers (engine values) the survey must end with. */
  expected: Answers;
  /** The full state, for summaries built from scripted surveys. */
  state: SurveyState;
}

export function householdContext(campaign: Campaign, plan: HouseholdPlan): FormContext {
  return {
    ...formContextFor(campaign),
    stratum: plan.stratum,
    ...(plan.villageType ? { villageType: plan.villageType } : {}),
    prefill: { h1_name: plan.name, h1_type: plan.stratum },
  };
}

/** Candidate inputs for one question, the preferred first; later ones are fallbacks if refused. */
function candidates(q: Question, r: Rng, plan: HouseholdPlan, answers: Answers, pop: number): string[] {
  const labels = choicesOf(q).map((c) => c.label);
  if (q.id === 'h1_name') return [plan.name];
  if (q.id === 'h1_type') {
    const own = choicesOf(q).find((c) => c.id === plan.stratum)?.label ?? '';
    return [r() < 0.95 ? own : pick(r, labels), own];
  }
  if (labels.length > 0) {
    const usual = typicalHousehold[q.id];
    const first = usual !== undefined && labels.includes(usual) && r() < 0.85 ? usual : pick(r, labels);
    return [first, ...labels];
  }
  switch (q.type) {
    case 'int': {
      if (q.id.startsWith('h1_pop')) return [String(r() < 0.85 ? pop : int(r, 1, 9)), String(pop)];
      if (q.id === 'h3_visits') return [String(int(r, 0, 24)), '6'];
      const max = typeof answers.h1_pop_actual === 'number' ? answers.h1_pop_actual : 1;
      return [String(int(r, 1, Math.max(1, max))), '1'];
    }
    case 'money': {
      if (q.id === 'h2_income') {
        const v = r() < 0.15 ? int(r, 1200, 3300) : int(r, 3400, 18000);
        return [r() < 0.3 ? `${v}.5` : String(v), '5200'];
      }
      const cost = typeof answers.h2_hospital_cost === 'number' ? answers.h2_hospital_cost : 0;
      if (q.id === 'h2_reimbursed') return [String(Math.floor(cost * r())), '0'];
      return [String(int(r, 0, 30000)), '0'];
    }
    case 'decimal':
      return [String(int(r, 15, 80) + (r() < 0.5 ? 0.5 : 0)), '30'];
    case 'pct':
      return [String(int(r, 0, 100)), '50'];
    case 'text':
      if (q.optional && r() < 0.5) return ['无'];
      return [q.id.includes('name') ? chineseName(r) : pick(r, FREE_TEXTS), '无'];
    case 'textList':
      return [`${chineseName(r)}、${chineseName(r)}`];
    default:
      return [pick(r, labels)];
  }
}

/** Answers a test insists on (by question id), and the reasons it gives for soft checks. */
export interface ScriptOverrides {
  inputs?: Readonly<Record<string, string>>;
  reasons?: Readonly<Record<string, string>>;
}

/** Plan one interview: ask as the engine asks, answer, confirm soft checks, until the review. */
export function scriptHousehold(
  campaign: Campaign,
  plan: HouseholdPlan,
  r: Rng,
  overrides: ScriptOverrides = {},
): ScriptedSurvey {
  const form = formById('household');
  if (!form) throw new Error('household form missing');
  const ctx = householdContext(campaign, plan);
  const pop = int(r, 1, 7);
  let state: SurveyState = EMPTY_STATE;
  const out: ScriptedSurvey = { plan, order: [], inputs: {}, confirms: {}, expected: {}, state };
  for (let step = 0; step < 200; step++) {
    const q = nextQuestion(form, ctx, state);
    if (!q) {
      out.expected = state.answers;
      out.state = state;
      return out;
    }
    let done = false;
    const forced = overrides.inputs?.[q.id];
    for (const input of forced === undefined ? candidates(q, r, plan, state.answers, pop) : [forced]) {
      let result = applyAnswer(form, ctx, state, q.id, { text: input });
      if (result.kind === 'confirm') {
        const confirm: string | true =
          result.check.kind === 'reason' ? (overrides.reasons?.[q.id] ?? pick(r, REASONS)) : true;
        result = applyAnswer(
          form,
          ctx,
          state,
          q.id,
          { text: input },
          { confirm: confirm === true ? {} : { reason: confirm } },
        );
        if (result.kind === 'accepted') out.confirms[q.id] = confirm;
      }
      if (result.kind !== 'accepted') continue;
      out.order.push(q.id);
      out.inputs[q.id] = input;
      state = result.state;
      done = true;
      break;
    }
    if (!done) throw new Error(`no valid scripted answer for ${q.id}`);
  }
  throw new Error('the scripted interview did not end');
}
