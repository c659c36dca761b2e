// The form engine: walks any FormDef. Pure functions of (form, context, state); no I/O.
// Clients (the Telegram bot, the browser chat, the paper-form importer) all go through here, so a
// rule is enforced the same way wherever an answer comes from.

import type {
  Answers,
  AnswerValue,
  Choice,
  Condition,
  Confirmation,
  FormContext,
  FormDef,
  Operand,
  Question,
  SoftCheck,
  SurveyState,
} from './forms/types';
import { choiceSynonyms, engineMessages as m, standardChoices } from './messages';

export type AnswerInput =
  | { text: string }
  | { choice: string }
  | { choices: readonly string[] }
  | { value: AnswerValue };

export interface ApplyOptions {
  /** The inspector has confirmed a soft check (with a reason when the check asks for one). */
  confirm?: { reason?: string };
}

export type ApplyResult =
  | { kind: 'accepted'; state: SurveyState; value: AnswerValue; dropped: string[]; next?: Question }
  | { kind: 'rejected'; code: RejectCode; message: string }
  | { kind: 'confirm'; check: SoftCheck; value: AnswerValue; message: string };

export type RejectCode =
  | 'unknown_question'
  | 'not_applicable'
  | 'not_a_number'
  | 'chinese_numeral'
  | 'negative'
  | 'not_integer'
  | 'too_many_decimals'
  | 'below_min'
  | 'above_max'
  | 'cross_check'
  | 'not_a_choice'
  | 'empty'
  | 'too_long'
  | 'reason_required'
  | 'wrong_type';

const MAX_TEXT = 500;

// ---------------------------------------------------------------------------------------------
// Conditions and flags

interface Env {
  ctx: FormContext;
  answers: Answers;
  flags: ReadonlySet<string>;
}

/**
 * An Env whose flags are computed on first use: most conditions name answers, not flags, and
 * computing every flag for every question made one answer cost O(questions × flags) several
 * times over (`npm run bench`, engine section: ~1.3 ms → ~0.1 ms per household answer). A class,
 * so its getter sits on the prototype and one per question stays cheap. `answers` must not change
 * while the env is in use.
 */
class LazyEnv implements Env {
  #flags: ReadonlySet<string> | undefined;
  constructor(
    private readonly form: FormDef,
    readonly ctx: FormContext,
    readonly answers: Answers,
  ) {}
  get flags(): ReadonlySet<string> {
    this.#flags ??= new Set(computeFlags(this.form, this.ctx, this.answers));
    return this.#flags;
  }
}

function operandValue(op: Operand, env: Env): AnswerValue | undefined {
  if (typeof op === 'number' || typeof op === 'string') return op;
  if ('q' in op) return env.answers[op.q];
  const v = env.ctx[op.ctx];
  return v === undefined ? undefined : v;
}

function compare(a: AnswerValue | undefined, b: AnswerValue | undefined, op: 'lt' | 'gt'): boolean {
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return op === 'lt' ? a < b : a > b;
}

export function holds(cond: Condition, env: Env): boolean {
  if ('all' in cond) return cond.all.every((c) => holds(c, env));
  if ('any' in cond) return cond.any.some((c) => holds(c, env));
  if ('not' in cond) return !holds(cond.not, env);
  if ('flag' in cond) return env.flags.has(cond.flag);
  if ('answered' in cond) return env.answers[cond.answered] !== undefined;
  if ('notAllEqual' in cond) {
    const vals = cond.notAllEqual.map((id) => env.answers[id]).filter((v) => v !== undefined);
    return vals.some((v) => v !== vals[0]);
  }
  if ('ctx' in cond) {
    const v = env.ctx[cond.ctx];
    return v !== undefined && cond.in.includes(v);
  }
  const value = env.answers[cond.q];
  if (value === undefined) return false;
  if ('eq' in cond) return value === operandValue(cond.eq, env);
  if ('ne' in cond) {
    const other = operandValue(cond.ne, env);
    return other !== undefined && value !== other;
  }
  if ('in' in cond) return typeof value === 'string' && cond.in.includes(value);
  if ('includes' in cond) return Array.isArray(value) && value.includes(cond.includes);
  if ('lt' in cond) return compare(value, operandValue(cond.lt, env), 'lt');
  return compare(value, operandValue(cond.gt, env), 'gt');
}

/** Flags in definition order, so a flag may build on the ones before it. */
export function computeFlags(form: FormDef, ctx: FormContext, answers: Answers): string[] {
  const flags = new Set<string>();
  for (const f of form.flags) {
    if (holds(f.when, { ctx, answers, flags })) flags.add(f.id);
  }
  return [...flags];
}

// ---------------------------------------------------------------------------------------------
// Applicability

/**
 * The questions that apply, in form order. A condition sees only the answers of questions that
 * themselves apply (and come earlier), so a stale answer never switches a follow-up on.
 */
export function applicableQuestions(form: FormDef, ctx: FormContext, answers: Answers): Question[] {
  const effective: Record<string, AnswerValue> = {};
  const out: Question[] = [];
  // A fresh env (flags not yet computed) whenever the effective answers grow: an env is only
  // consulted before the next growth, so it may share the object.
  let env = new LazyEnv(form, ctx, effective);
  for (const q of form.questions) {
    if (q.when && !holds(q.when, env)) continue;
    out.push(q);
    const v = answers[q.id];
    if (v !== undefined) {
      effective[q.id] = v;
      env = new LazyEnv(form, ctx, effective);
    }
  }
  return out;
}

function questionById(form: FormDef, id: string): Question | undefined {
  return form.questions.find((q) => q.id === id);
}

/** A soft check on this question that holds for its current answer and is not yet confirmed. */
function pendingSoftCheck(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
  q: Question,
): SoftCheck | undefined {
  const value = state.answers[q.id];
  if (value === undefined || !q.soft) return undefined;
  const check = firstHoldingSoftCheck(form, ctx, state.answers, q);
  if (!check) return undefined;
  const c = state.confirmations[q.id];
  return c && c.check === check.id && sameValue(c.value, value) ? undefined : check;
}

function firstHoldingSoftCheck(
  form: FormDef,
  ctx: FormContext,
  answers: Answers,
  q: Question,
): SoftCheck | undefined {
  if (!q.soft) return undefined;
  const env = new LazyEnv(form, ctx, answers);
  return q.soft.find((s) => holds(s.when, env));
}

function sameValue(a: AnswerValue, b: AnswerValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function needsAttention(form: FormDef, ctx: FormContext, state: SurveyState, q: Question): boolean {
  return state.answers[q.id] === undefined || pendingSoftCheck(form, ctx, state, q) !== undefined;
}

/** The first applicable question that is unanswered or whose soft check awaits confirmation. */
export function nextQuestion(form: FormDef, ctx: FormContext, state: SurveyState): Question | undefined {
  return applicableQuestions(form, ctx, state.answers).find((q) => needsAttention(form, ctx, state, q));
}

/** The applicable question before `fromId`; with no `fromId` (the review), the last one. */
export function previousQuestion(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
  fromId?: string,
): Question | undefined {
  const qs = applicableQuestions(form, ctx, state.answers);
  if (fromId === undefined) return qs.at(-1);
  const i = qs.findIndex((q) => q.id === fromId);
  return i > 0 ? qs[i - 1] : undefined;
}

export function progress(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
): { answered: number; applicable: number } {
  const qs = applicableQuestions(form, ctx, state.answers);
  return { answered: qs.filter((q) => state.answers[q.id] !== undefined).length, applicable: qs.length };
}

/** 1-based position of a question among those that apply (for "第12/46题"). */
export function positionOf(form: FormDef, ctx: FormContext, state: SurveyState, id: string): number {
  return applicableQuestions(form, ctx, state.answers).findIndex((q) => q.id === id) + 1;
}

export function submittable(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
): { ok: true } | { ok: false; missing: string[] } {
  const missing = applicableQuestions(form, ctx, state.answers)
    .filter((q) => needsAttention(form, ctx, state, q))
    .map((q) => q.id);
  return missing.length === 0 ? { ok: true } : { ok: false, missing };
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking one answer

export function choicesOf(q: Question): readonly Choice[] {
  if (q.type === 'yesno' || q.type === 'has' || q.type === 'satisfied') return standardChoices[q.type];
  return q.choices ?? [];
}

const FULL_WIDTH = /[\uff01-\uff5e]/g;
function normalizeText(s: string): string {
  return s
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .trim();
}

type Parsed = { ok: true; value: AnswerValue } | { ok: false; code: RejectCode; message: string };
const reject = (code: RejectCode, message: string): Parsed => ({ ok: false, code, message });

function matchChoice(q: Question, raw: string): string | undefined {
  const choices = choicesOf(q);
  const t = normalizeText(raw).replace(/[。.!！]$/, '');
  const lower = t.toLowerCase();
  const byId = choices.find((c) => c.id === t || c.label === t);
  if (byId) return byId.id;
  const synonym = choiceSynonyms[q.type]?.[lower];
  if (synonym) return synonym;
  // "1", "2" … pick by position for plain choices
  if (/^\d+$/.test(t) && q.type !== 'yesno' && q.type !== 'has' && q.type !== 'satisfied') {
    return choices[Number(t) - 1]?.id;
  }
  return undefined;
}

const UNIT_SUFFIX = /(万元|元|人|户|平方米|平米|㎡|m²|米|m|次|个|%|％)$/i;

function parseNumber(q: Question, raw: string): Parsed {
  let t = normalizeText(raw).replace(/[,，\s]/g, '');
  t = t.replace(UNIT_SUFFIX, '').replace(/^约/, '');
  if (/^[零〇一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾佰仟]+$/.test(t)) {
    return reject('chinese_numeral', m.chineseNumeral);
  }
  if (!/^-?\d+(\.\d+)?$/.test(t)) return reject('not_a_number', m.notANumber(q.unit ?? ''));
  const n = Number(t);
  if (n < 0) return reject('negative', m.negative);
  if (q.type === 'int' && !Number.isInteger(n)) return reject('not_integer', m.notInteger);
  if (q.type === 'money' && /\.\d{3,}$/.test(t)) return reject('too_many_decimals', m.tooManyDecimals);
  if (q.type === 'pct' && n > 100) return reject('above_max', m.pctRange);
  return { ok: true, value: n };
}

function parseInput(q: Question, input: AnswerInput): Parsed {
  const isChoice = q.type === 'yesno' || q.type === 'has' || q.type === 'satisfied' || q.type === 'choice';
  const labels = choicesOf(q).map((c) => c.label);
  if ('choices' in input) {
    if (q.type !== 'multi') return reject('wrong_type', m.wrongType);
    return parseMulti(q, input.choices);
  }
  if ('choice' in input) {
    if (q.type === 'multi') return parseMulti(q, [input.choice]);
    const id = isChoice ? choicesOf(q).find((c) => c.id === input.choice)?.id : undefined;
    return id ? { ok: true, value: id } : reject('not_a_choice', m.notAChoice(labels));
  }
  // A structured value (imports) goes through the same checks as typed text.
  const raw =
    'text' in input ? input.text : Array.isArray(input.value) ? input.value.join('、') : String(input.value);
  if (isChoice) {
    const id = matchChoice(q, raw);
    return id ? { ok: true, value: id } : reject('not_a_choice', m.notAChoice(labels));
  }
  switch (q.type) {
    case 'multi':
      return parseMulti(
        q,
        normalizeText(raw)
          .split(/[,，、;；\s]+/)
          .filter(Boolean),
      );
    case 'int':
    case 'money':
    case 'decimal':
    case 'pct':
      return parseNumber(q, raw);
    case 'text': {
      const t = raw.trim();
      if (t.length > MAX_TEXT) return reject('too_long', m.tooLong(MAX_TEXT));
      if (t === '' || (q.optional && (t === m.none || t === '没有'))) {
        return q.optional ? { ok: true, value: '' } : reject('empty', m.emptyText);
      }
      return { ok: true, value: t };
    }
    case 'textList': {
      // One entry per person: names are separated by punctuation or line breaks, never by a
      // space — "陈　海军" (a full-width space, as names are often padded) is one person, 陈海军.
      const names = raw
        .normalize('NFKC')
        .split(/[,，、;；\n\r]+/)
        .map((s) => s.replace(/[\s\u3000\u200b-\u200d\u2060\ufeff]+/gu, ''))
        .filter(Boolean);
      if (names.length === 0) return reject('empty', m.emptyList);
      return { ok: true, value: [...new Set(names)] };
    }
    default:
      return reject('wrong_type', m.wrongType);
  }
}

function parseMulti(q: Question, picked: readonly string[]): Parsed {
  const ids: string[] = [];
  for (const p of picked) {
    const id = matchChoice(q, p);
    if (!id) return reject('not_a_choice', m.notAChoice(choicesOf(q).map((c) => c.label)));
    if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) return reject('empty', m.emptyMulti);
  // keep the form's order so equal selections compare equal
  const order = choicesOf(q).map((c) => c.id);
  return { ok: true, value: ids.sort((a, b) => order.indexOf(a) - order.indexOf(b)) };
}

function numericOperand(op: Operand | undefined, env: Env): number | undefined {
  if (op === undefined) return undefined;
  const v = operandValue(op, env);
  return typeof v === 'number' ? v : undefined;
}

/** Range and cross-field checks of one value against the other answers. */
function checkValue(q: Question, value: AnswerValue, env: Env): Parsed {
  if (typeof value === 'number') {
    const unit = q.unit ?? '';
    const min = numericOperand(q.min, env);
    const max = numericOperand(q.max, env);
    if (min !== undefined && value < min) return reject('below_min', m.belowMin(min, unit));
    if (max !== undefined && value > max) return reject('above_max', m.aboveMax(max, unit));
    for (const c of q.checks ?? []) {
      const than = numericOperand(c.than, env);
      if (than === undefined) continue; // the other answer is not there (yet): nothing to compare
      const ok =
        c.op === 'lte'
          ? value <= than
          : c.op === 'gte'
            ? value >= than
            : c.op === 'lt'
              ? value < than
              : value > than;
      if (!ok) {
        const message = c.message.replaceAll('{value}', String(value)).replaceAll('{than}', String(than));
        return reject('cross_check', message);
      }
    }
  }
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------
// Applying an answer

/**
 * Apply one answer. On acceptance the new state has every condition re-evaluated: answers that no
 * longer apply, or that now break a cross-field check, are dropped (and will be asked again).
 */
export function applyAnswer(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
  questionId: string,
  input: AnswerInput,
  opts: ApplyOptions = {},
): ApplyResult {
  const q = questionById(form, questionId);
  if (!q) return { kind: 'rejected', code: 'unknown_question', message: m.unknownQuestion };
  if (!applicableQuestions(form, ctx, state.answers).some((a) => a.id === q.id)) {
    return { kind: 'rejected', code: 'not_applicable', message: m.notApplicable };
  }
  const parsed = parseInput(q, input);
  if (!parsed.ok) return { kind: 'rejected', code: parsed.code, message: parsed.message };
  const value = parsed.value;
  const answers: Record<string, AnswerValue> = { ...state.answers, [q.id]: value };
  const env = new LazyEnv(form, ctx, answers);
  const checked = checkValue(q, value, env);
  if (!checked.ok) return { kind: 'rejected', code: checked.code, message: checked.message };

  const confirmations: Record<string, Confirmation> = { ...state.confirmations };
  delete confirmations[q.id];
  const soft = firstHoldingSoftCheck(form, ctx, answers, q);
  if (soft) {
    const prior = state.confirmations[q.id];
    const alreadyConfirmed = prior && prior.check === soft.id && sameValue(prior.value, value);
    if (alreadyConfirmed) {
      confirmations[q.id] = prior;
    } else if (!opts.confirm) {
      return { kind: 'confirm', check: soft, value, message: soft.message };
    } else {
      const reason = opts.confirm.reason?.trim();
      if (soft.kind === 'reason' && (!reason || reason.length < 4)) {
        return { kind: 'rejected', code: 'reason_required', message: m.reasonRequired };
      }
      confirmations[q.id] = { check: soft.id, value, ...(reason ? { reason } : {}) };
    }
  }

  const normalized = normalize(form, ctx, { answers, confirmations });
  const dropped = Object.keys(answers).filter((id) => normalized.answers[id] === undefined);
  return { kind: 'accepted', state: normalized, value, dropped, next: nextQuestion(form, ctx, normalized) };
}

/** Why an edit clears an answer: its question no longer applies, or its value now fails a check. */
export interface DroppedAnswer {
  id: string;
  value: AnswerValue;
  why: 'inapplicable' | 'invalid';
  /** For an invalid one: the check it fails now (Chinese). */
  message?: string;
}

/**
 * What an accepted edit cleared (DOMAIN.md: an edit says what it costs), in form order: each
 * answer of `before` that `after` no longer has, with the reason.
 */
export function explainDrops(
  form: FormDef,
  ctx: FormContext,
  before: SurveyState,
  after: SurveyState,
  editedId: string,
): DroppedAnswer[] {
  const applicable = new Set(applicableQuestions(form, ctx, after.answers).map((q) => q.id));
  const env = new LazyEnv(form, ctx, after.answers);
  const out: DroppedAnswer[] = [];
  for (const q of form.questions) {
    const value = before.answers[q.id];
    if (q.id === editedId || value === undefined || after.answers[q.id] !== undefined) continue;
    if (!applicable.has(q.id)) {
      out.push({ id: q.id, value, why: 'inapplicable' });
      continue;
    }
    const checked = checkValue(q, value, env);
    out.push({ id: q.id, value, why: 'invalid', ...(!checked.ok ? { message: checked.message } : {}) });
  }
  return out;
}

/**
 * Put back answers an earlier edit cleared, where their questions apply again and are unanswered
 * (changing 农户类型 back restores what the change cleared). Each is applied as an answer would
 * be, in form order, with its stored confirmation; one that now fails a check stays cleared.
 */
export function restoreStashed(
  form: FormDef,
  ctx: FormContext,
  state: SurveyState,
  stash: SurveyState,
): { state: SurveyState; restored: string[] } {
  let current = state;
  const restored: string[] = [];
  for (let round = 0; round < form.questions.length; round++) {
    const applicable = applicableQuestions(form, ctx, current.answers);
    const q = applicable.find(
      (x) => stash.answers[x.id] !== undefined && current.answers[x.id] === undefined,
    );
    if (!q) break;
    const value = stash.answers[q.id] as AnswerValue;
    const prior = stash.confirmations[q.id];
    const result = applyAnswer(
      form,
      ctx,
      {
        answers: current.answers,
        confirmations: prior ? { ...current.confirmations, [q.id]: prior } : current.confirmations,
      },
      q.id,
      { value },
    );
    // Restoring must not clear anything else; one that would is left for the inspector.
    if (result.kind !== 'accepted' || result.dropped.length > 0) {
      stash = { answers: omit(stash.answers, q.id), confirmations: stash.confirmations };
      continue;
    }
    current = result.state;
    restored.push(q.id);
  }
  return { state: current, restored };
}

function omit<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

/** Drop answers that no longer apply or now fail their hard checks, until nothing changes. */
export function normalize(form: FormDef, ctx: FormContext, state: SurveyState): SurveyState {
  let answers: Record<string, AnswerValue> = { ...state.answers };
  for (;;) {
    const applicable = applicableQuestions(form, ctx, answers);
    const keep: Record<string, AnswerValue> = {};
    const env = new LazyEnv(form, ctx, answers);
    for (const q of applicable) {
      const v = answers[q.id];
      if (v === undefined) continue;
      if (checkValue(q, v, env).ok) keep[q.id] = v;
    }
    if (Object.keys(keep).length === Object.keys(answers).length) break;
    answers = keep;
  }
  const confirmations = Object.fromEntries(
    Object.entries(state.confirmations).filter(([id]) => answers[id] !== undefined),
  );
  return { answers, confirmations };
}

// ---------------------------------------------------------------------------------------------
// Presenting questions and answers

export function renderLabel(q: Question, ctx: FormContext): string {
  return q.label.replaceAll('{incomeCutoff}', ctx.incomeCutoff).replaceAll('{year}', String(ctx.year));
}

export function hintFor(q: Question): string {
  if (q.hint) return q.hint;
  const h = m.hint;
  switch (q.type) {
    case 'int':
      return h.int(q.unit ?? '');
    case 'decimal':
      return h.decimal(q.unit ?? '');
    case 'text':
      return q.optional ? h.textOptional : h.text;
    default:
      return h[q.type];
  }
}

export function formatValue(q: Question, value: AnswerValue | undefined): string {
  if (value === undefined) return m.unanswered;
  if (typeof value === 'number') return `${value}${q.unit ?? ''}`;
  if (Array.isArray(value)) {
    const labels = value.map((v) => choicesOf(q).find((c) => c.id === v)?.label ?? v);
    return labels.join('、');
  }
  const choice = choicesOf(q).find((c) => c.id === value);
  if (choice) return choice.label;
  return value === '' ? m.none : value;
}

export interface ReviewItem {
  id: string;
  seedNo: string;
  label: string;
  display: string;
  answered: boolean;
  confirmation?: Confirmation;
  needsConfirmation: boolean;
}

export interface ReviewSection {
  id: string;
  title: string;
  items: ReviewItem[];
}

export interface Review {
  sections: ReviewSection[];
  flags: { id: string; label: string }[];
  progress: { answered: number; applicable: number };
  submittable: boolean;
}

export function review(form: FormDef, ctx: FormContext, state: SurveyState): Review {
  const applicable = applicableQuestions(form, ctx, state.answers);
  const sections = form.sections
    .map((s) => ({
      id: s.id,
      title: s.title,
      items: applicable
        .filter((q) => q.section === s.id)
        .map((q) => {
          const confirmation = state.confirmations[q.id];
          return {
            id: q.id,
            seedNo: q.seedNo,
            label: renderLabel(q, ctx),
            display: formatValue(q, state.answers[q.id]),
            answered: state.answers[q.id] !== undefined,
            ...(confirmation ? { confirmation } : {}),
            needsConfirmation: pendingSoftCheck(form, ctx, state, q) !== undefined,
          };
        }),
    }))
    .filter((s) => s.items.length > 0);
  const flagIds = computeFlags(form, ctx, state.answers);
  return {
    sections,
    flags: form.flags.filter((f) => flagIds.includes(f.id)).map((f) => ({ id: f.id, label: f.label })),
    progress: progress(form, ctx, state),
    submittable: submittable(form, ctx, state).ok,
  };
}

// ---------------------------------------------------------------------------------------------
// Checking a form definition (run in tests and when a campaign is loaded)

export function validateForm(form: FormDef): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const sectionIds = new Set(form.sections.map((s) => s.id));
  const flagIds = new Set(form.flags.map((f) => f.id));
  const seen = new Set<string>();
  for (const q of form.questions) {
    if (ids.has(q.id)) problems.push(`duplicate question id ${q.id}`);
    ids.add(q.id);
  }
  const refs = (c: Condition | undefined, where: string, earlierOnly: boolean): void => {
    if (!c) return;
    if ('all' in c || 'any' in c) {
      for (const x of 'all' in c ? c.all : c.any) refs(x, where, earlierOnly);
      return;
    }
    if ('not' in c) {
      refs(c.not, where, earlierOnly);
      return;
    }
    if ('flag' in c) {
      if (!flagIds.has(c.flag)) problems.push(`${where}: unknown flag ${c.flag}`);
      return;
    }
    const qids = 'q' in c ? [c.q] : 'answered' in c ? [c.answered] : 'notAllEqual' in c ? c.notAllEqual : [];
    for (const id of qids) {
      if (!ids.has(id)) problems.push(`${where}: unknown question ${id}`);
      else if (earlierOnly && !seen.has(id)) problems.push(`${where}: refers to later question ${id}`);
    }
    if ('in' in c && 'q' in c) {
      const target = form.questions.find((x) => x.id === c.q);
      const known = target ? choicesOf(target).map((x) => x.id) : [];
      for (const v of c.in) if (!known.includes(v)) problems.push(`${where}: ${c.q} has no choice ${v}`);
    }
  };
  for (const q of form.questions) {
    if (!sectionIds.has(q.section)) problems.push(`${q.id}: unknown section ${q.section}`);
    if ((q.type === 'choice' || q.type === 'multi') && !q.choices?.length)
      problems.push(`${q.id}: no choices`);
    refs(q.when, `${q.id}.when`, true);
    seen.add(q.id);
    for (const s of q.soft ?? []) refs(s.when, `${q.id}.soft.${s.id}`, false);
    for (const op of [q.min, q.max, ...(q.checks ?? []).map((c) => c.than)]) {
      if (op && typeof op === 'object' && 'q' in op && !ids.has(op.q)) {
        problems.push(`${q.id}: range refers to unknown question ${op.q}`);
      }
    }
  }
  for (const f of form.flags) refs(f.when, `flag ${f.id}`, false);
  return problems;
}
