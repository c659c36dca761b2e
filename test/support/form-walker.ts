// A scenario helper that reads like an interview:
//   walk(householdForm, ctx).expectQuestion('h2_income').answer('4200')
// Every step asserts, so a walk that drifts from the expected sequence fails at the first step.

import { expect } from 'vitest';
import { type AnswerInput, type ApplyResult, applyAnswer, nextQuestion } from '../../domain/engine';
import { EMPTY_STATE, type FormContext, type FormDef, type SurveyState } from '../../domain/forms/types';

export class FormWalker {
  state: SurveyState = EMPTY_STATE;
  /** Ids in the order the engine asked them. */
  readonly asked: string[] = [];
  last?: ApplyResult;
  private current?: string;
  private pendingInput?: AnswerInput;

  constructor(
    readonly form: FormDef,
    readonly ctx: FormContext,
  ) {}

  /** The engine's next question must be `id`. */
  expectQuestion(id: string): this {
    const q = nextQuestion(this.form, this.ctx, this.state);
    expect(q?.id, `expected to be asked ${id}, after ${this.asked.at(-1) ?? 'the start'}`).toBe(id);
    this.current = id;
    this.asked.push(id);
    return this;
  }

  /** Answer the current question (typed text, or a choice id with `{ choice }`). */
  answer(input: string | AnswerInput): this {
    const result = this.apply(input);
    expect(result.kind, this.describe(result)).toBe('accepted');
    return this;
  }

  /** Ask and answer in one step. */
  ask(id: string, input: string | AnswerInput): this {
    return this.expectQuestion(id).answer(input);
  }

  /** Walk a list of [id, answer] pairs. */
  steps(pairs: readonly (readonly [string, string | AnswerInput])[]): this {
    for (const [id, input] of pairs) this.ask(id, input);
    return this;
  }

  /** The answer is refused with a Chinese message matching `reason`; nothing changes. */
  expectRejected(input: string | AnswerInput, reason: RegExp): this {
    const before = this.state;
    const result = this.apply(input);
    expect(result.kind, this.describe(result)).toBe('rejected');
    if (result.kind === 'rejected') expect(result.message).toMatch(reason);
    expect(this.state).toBe(before);
    return this;
  }

  /** The answer triggers a soft check whose message matches `message`. */
  expectConfirm(input: string | AnswerInput, message: RegExp): this {
    const result = this.apply(input);
    expect(result.kind, this.describe(result)).toBe('confirm');
    if (result.kind === 'confirm') expect(result.message).toMatch(message);
    this.pendingInput = typeof input === 'string' ? { text: input } : input;
    return this;
  }

  /** Confirm the pending soft check (with a reason where one is asked for). */
  confirm(reason?: string): this {
    const input = this.pendingInput;
    expect(input, 'confirm() needs an expectConfirm() before it').toBeDefined();
    const result = this.apply(input!, { confirm: reason === undefined ? {} : { reason } });
    expect(result.kind, this.describe(result)).toBe('accepted');
    this.pendingInput = undefined;
    return this;
  }

  /** Jump to a question (as the review's 修改 button does) without answering it. */
  at(id: string): this {
    this.current = id;
    return this;
  }

  /** Try an answer on the current question and return the engine's verdict, asserting nothing. */
  attempt(input: string | AnswerInput, opts: Parameters<typeof applyAnswer>[5] = {}): ApplyResult {
    return this.apply(input, opts);
  }

  /** Jump back to an earlier question and answer it again. */
  edit(id: string, input: string | AnswerInput): ApplyResult {
    this.current = id;
    const result = this.apply(input);
    expect(result.kind, this.describe(result)).toBe('accepted');
    return result;
  }

  expectDone(): this {
    const q = nextQuestion(this.form, this.ctx, this.state);
    expect(q?.id, 'expected no question left').toBeUndefined();
    return this;
  }

  /** Continue from a state reached elsewhere (e.g. another walk). */
  from(state: SurveyState): this {
    this.state = state;
    return this;
  }

  private apply(input: string | AnswerInput, opts: Parameters<typeof applyAnswer>[5] = {}): ApplyResult {
    expect(this.current, 'no current question: call expectQuestion() first').toBeDefined();
    const value = typeof input === 'string' ? { text: input } : input;
    const result = applyAnswer(this.form, this.ctx, this.state, this.current!, value, opts);
    this.last = result;
    if (result.kind === 'accepted') this.state = result.state;
    return result;
  }

  private describe(r: ApplyResult): string {
    return `${this.current}: ${r.kind}${'message' in r ? ` (${r.message})` : ''}`;
  }
}

export const walk = (form: FormDef, ctx: FormContext): FormWalker => new FormWalker(form, ctx);
