// The form engine's own cost per answered household question: scripted interviews (varied
// answers, branches and soft checks) replayed through what the answer use case and the bot call
// for each answer: applyAnswer (which re-normalises and picks the next question), then the
// progress and position shown in the prompt. Pure CPU, no I/O.

import { applyAnswer, positionOf, progress } from '../domain/engine';
import { formById } from '../domain/forms';
import { EMPTY_STATE, STRATA } from '../domain/forms/types';
import {
  householdContext,
  rng,
  type ScriptedSurvey,
  scriptHousehold,
} from '../test/support/household-scripts';
import { campaign } from '../test/support/system';
import { ms, percentile, sorted, table } from './stats';

export interface EngineBenchResult {
  surveys: number;
  rounds: number;
  answers: number;
  questionsInForm: number;
  meanMs: number;
  p99Ms: number;
}

function replay(scripts: readonly ScriptedSurvey[], times?: number[]): number {
  const form = formById('household');
  if (!form) throw new Error('household form missing');
  let n = 0;
  for (const s of scripts) {
    const ctx = householdContext(campaign, s.plan);
    let state = EMPTY_STATE;
    for (const id of s.order) {
      const t0 = performance.now();
      const c = s.confirms[id];
      const input = { text: s.inputs[id] ?? '' };
      const res = applyAnswer(
        form,
        ctx,
        state,
        id,
        input,
        c === undefined ? {} : { confirm: c === true ? {} : { reason: c } },
      );
      if (res.kind !== 'accepted') throw new Error(`${id}: ${res.kind}`);
      state = res.state;
      progress(form, ctx, state);
      if (res.next) positionOf(form, ctx, state, res.next.id);
      times?.push(performance.now() - t0);
      n++;
    }
  }
  return n;
}

export function benchEngine(surveys = 100, rounds = 10): EngineBenchResult {
  const r = rng(7);
  const scripts = Array.from({ length: surveys }, (_, i) =>
    scriptHousehold(campaign, { name: `户主${i}`, stratum: STRATA[i % STRATA.length] ?? 'exited_2016' }, r),
  );
  for (let i = 0; i < 3; i++) replay(scripts); // warm up the JIT
  const times: number[] = [];
  let answers = 0;
  for (let i = 0; i < rounds; i++) answers += replay(scripts, times);
  const t = sorted(times);
  return {
    surveys,
    rounds,
    answers,
    questionsInForm: formById('household')?.questions.length ?? 0,
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    p99Ms: percentile(t, 0.99),
  };
}

export function engineTable(r: EngineBenchResult): string {
  return table(
    ['form', 'answers replayed', 'mean ms per answer', 'p99 ms per answer'],
    [
      [
        `household (${r.questionsInForm} questions)`,
        `${r.answers} (${r.surveys} interviews of ${(r.answers / r.surveys / r.rounds).toFixed(0)} answers on average, × ${r.rounds})`,
        ms(r.meanMs, 3),
        ms(r.p99Ms, 3),
      ],
    ],
  );
}
