// Drives a survey through the chat like a person: reads the newest prompt, answers by pressing the
// button whose label is the answer or by typing it.

import { renderLabel } from '../../domain/engine';
import { formById } from '../../domain/forms';
import type { FormDef } from '../../domain/forms/types';
import type { ChatUser } from './chat-user';
import { type EvidencePlan, giveEvidence, isEvidenceStep } from './evidence';

const ctx = { povertyLine: 3335, year: 2017, incomeCutoff: '2017年9月底' };

/** What the bot says about a photo, below the question it was sent under. */
const RECEIPT = /^(📷 已保存照片|照片没能保存|这张照片已经保存过了|这个文件不是照片|没能从 Telegram 取到)/;

/** The newest message that is not a photo's receipt (a photo sent mid-question leaves the prompt above). */
function promptText(user: ChatUser): string {
  const m = [...user.messages()].reverse().find((x) => !RECEIPT.test(x.text));
  return m?.text ?? '';
}

/** The question id of the newest prompt, read from its bold label. */
export function currentQuestion(user: ChatUser, form: FormDef = formById('household')!): string {
  const text = promptText(user);
  const bold = /<b>(.*?)<\/b>/.exec(text)?.[1];
  const q = form.questions.find(
    (x) => bold === `${x.seedNo === '补' ? '' : `${x.seedNo} `}${renderLabel(x, ctx)}`,
  );
  if (!q) throw new Error(`not a ${form.id} question prompt:\n${text}`);
  return q.id;
}

/** Answer like a person: press the button whose label is the answer, or type it. */
export async function give(user: ChatUser, value: string): Promise<void> {
  const hasButton = user.buttonTexts().some((b) => b === value || b === `✔ ${value}`);
  if (hasButton) await user.press(new RegExp(`^(✔ )?${value.replace(/[()]/g, '\\$&')}$`));
  else await user.send(value);
}

/**
 * Answer from `script` until a confirmation (⚠️) or the review shows; returns the ids asked. The
 * location and photos asked before the review are given as `evidence` says (the village's location
 * and one photo unless told otherwise), or the walk stops there when `evidence` is 'stop'.
 */
export async function answerUntilStop(
  user: ChatUser,
  script: Record<string, string>,
  form?: FormDef,
  evidence: EvidencePlan | 'stop' = {},
): Promise<string[]> {
  const asked: string[] = [];
  for (let step = 0; step < 120; step++) {
    if (isEvidenceStep(user.lastMessage())) {
      if (evidence === 'stop') return asked;
      await giveEvidence(user, evidence);
      continue;
    }
    const text = promptText(user);
    if (text.includes('⚠️') || text.includes('📋 回顾')) return asked;
    const id = currentQuestion(user, form);
    const answer = script[id];
    if (answer === undefined) throw new Error(`no scripted answer for ${id}`);
    asked.push(id);
    await give(user, answer);
  }
  throw new Error('the survey did not end');
}

/** Answer from `script` while it has the answer to the question on screen; returns the ids asked. */
export async function answerWhile(user: ChatUser, script: Record<string, string>): Promise<string[]> {
  const asked: string[] = [];
  for (let step = 0; step < 120; step++) {
    let id: string;
    try {
      id = currentQuestion(user);
    } catch {
      return asked;
    }
    const answer = script[id];
    if (answer === undefined) return asked;
    asked.push(id);
    await give(user, answer);
  }
  throw new Error('the survey did not end');
}

/** A village's population and 回头看 figures that pass every check (§1, §3 of the village form). */
export const typicalVillageFigures: Record<string, string> = {
  v1_agri_population: '1860',
  v1_poor_population: '120',
  v1_exited_population: '96',
  v1_planned_population: '21',
  v3_lookback_failed_households: '3',
  v3_lookback_fixed_households: '2',
};

/** A household that meets every standard; tests override what their scenario is about. */
export const typicalHousehold: Record<string, string> = {
  h1_pop_actual: '4',
  h1_pop_registered: '4',
  h1_pop_card: '4',
  h1_pop_manual: '4',
  h1_measures_match: '是',
  h1_records_match: '是',
  h2_food: '是',
  h2_clothing: '是',
  h2_income: '5200',
  h2_dropout: '无',
  h2_insured_all: '是',
  h2_serious_illness: '否',
  h2_safe_housing: '有',
  h2_housing_structure: '砖混',
  h2_area_per_person: '30',
  h2_cracks_leaks: '无',
  h2_relocated: '否',
  h2_road_hardened: '是',
  h2_settlement_20plus: '是',
  h2_electricity: '有',
  h2_water: '有',
  h2_tv_signal: '是',
  h2_post_exit_support: '是',
  h3_cadre_assigned: '是',
  h3_cadre_name: '李强',
  h3_visits: '6',
  h3_standard_explained: '是',
  h3_policies_introduced: '是',
  h3_requested_help: '否',
  h3_material_help: '否',
  h3_satisfied: '满意',
  h3_recognition: '是',
  h4_unlisted_hardship: '否',
  h4_committee_visited: '是',
  h4_committee_satisfied: '满意',
  h4_opinions: '无',
  h5_meets_standard: '是',
  h5_missed: '否',
};
