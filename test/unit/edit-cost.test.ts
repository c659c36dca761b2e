// The engine's part of "an edit says what it costs": which answers an edit clears and why, and
// putting them back when they apply again (only where they still pass their checks).

import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { applyAnswer, explainDrops, restoreStashed } from '../../domain/engine';
import { formById } from '../../domain/forms';
import type { SurveyState } from '../../domain/forms/types';
import { householdContext, rng, scriptHousehold } from '../support/household-scripts';

const campaign = parseCampaign(seed);
const form = formById('household')!;

function accepted(state: SurveyState, id: string, text: string): SurveyState {
  const r = applyAnswer(
    form,
    householdContext(campaign, { name: '黄明', stratum: 'exited_2016' }),
    state,
    id,
    { text },
  );
  if (r.kind !== 'accepted') throw new Error(`${id}=${text}: ${r.kind}`);
  return r.state;
}

describe('an edit that clears answers', () => {
  const ctx = householdContext(campaign, { name: '黄明', stratum: 'exited_2016' });
  const full = scriptHousehold(campaign, { name: '黄明', stratum: 'exited_2016' }, rng(3), {
    inputs: { h2_serious_illness: '是', h2_hospital_cost: '30000', h2_reimbursed: '20000' },
  }).state;

  it('names each cleared answer, inapplicable or now failing its check', () => {
    const after = accepted(full, 'h2_hospital_cost', '10000');
    const drops = explainDrops(form, ctx, full, after, 'h2_hospital_cost');
    expect(drops).toEqual([
      { id: 'h2_reimbursed', value: 20000, why: 'invalid', message: expect.stringContaining('不能超过') },
    ]);
    const nonPoor = accepted(full, 'h1_type', '非贫困户');
    const gone = explainDrops(form, ctx, full, nonPoor, 'h1_type');
    expect(gone.length).toBeGreaterThan(10);
    expect(gone.every((d) => d.why === 'inapplicable')).toBe(true);
    expect(gone.map((d) => d.id)).toContain('h1_pop_card');
  });

  it('restores what applies again, and leaves out a value that would now fail', () => {
    const nonPoor = accepted(full, 'h1_type', '非贫困户');
    const stash = { answers: full.answers, confirmations: full.confirmations };
    const back = accepted(nonPoor, 'h1_type', '2016年脱贫户');
    const { state, restored } = restoreStashed(form, ctx, back, stash);
    expect(state.answers).toEqual(expect.objectContaining(full.answers));
    expect(restored).toContain('h1_pop_card');
    // 报销 20000 cannot come back over a 住院花费 of 10000.
    const cheaper = accepted(full, 'h2_hospital_cost', '10000');
    const again = restoreStashed(form, ctx, cheaper, {
      answers: { h2_reimbursed: 20000 },
      confirmations: {},
    });
    expect(again.restored).toEqual([]);
    expect(again.state.answers.h2_reimbursed).toBeUndefined();
  });
});
