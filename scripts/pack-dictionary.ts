// Prints the text of a preset dictionary for store/packed.ts (issue 18: WCU per answer).
//
// A draft is a few hundred bytes of JSON whose most frequent strings are the same in every
// survey: the question ids, the choice ids, the draft's own keys. Brotli's built-in dictionary
// knows web text, not these, so a finished household draft still packed to 1.1–1.2 KB (two write
// units per answer for the second half of a survey). Deflate primed with a dictionary of those
// strings packs the same draft to about 0.5 KB.
//
// The dictionary is made once from the registered forms and then frozen in
// store/pack-dictionary.ts: unpacking needs the very same bytes, so a form added or changed later
// must not change it. A better dictionary for new forms is a new one under a new format byte,
// with the old one kept for the items written with it.
//
//   npx tsx scripts/pack-dictionary.ts > /tmp/dictionary.txt

import seed from '../campaigns/dongxing-2017.json';
import { parseCampaign } from '../domain/campaign-schema';
import { forms } from '../domain/forms/index';
import type { AnswerValue, Question } from '../domain/forms/types';
import { chineseName, rng, scriptHousehold } from '../test/support/household-scripts';

const AT = '2017-10-31T10:00:00.000Z';

function sampleValue(q: Question): AnswerValue {
  switch (q.type) {
    case 'yesno':
      return 'yes';
    case 'has':
      return 'has';
    case 'satisfied':
      return 'satisfied';
    case 'choice':
      return q.choices?.[0]?.id ?? '';
    case 'multi':
      return (q.choices ?? []).slice(0, 2).map((c) => c.id);
    case 'int':
    case 'money':
    case 'decimal':
    case 'pct':
      return 3;
    case 'text':
      return '';
    case 'textList':
      return [''];
  }
}

function formSample(formId: string, prefix: string): string {
  const form = forms[formId];
  if (!form) throw new Error(`no form ${formId}`);
  const answers = Object.fromEntries(form.questions.map((q) => [q.id, sampleValue(q)]));
  const history = form.questions.map((q) => ({ at: AT, by: '', questionId: q.id, new: sampleValue(q) }));
  const confirmations = Object.fromEntries(
    form.questions
      .filter((q) => q.soft?.length)
      .map((q) => [q.id, { check: q.soft?.[0]?.id ?? '', value: sampleValue(q), reason: '' }]),
  );
  return session(formId, prefix, answers, confirmations, history);
}

function session(
  formId: string,
  prefix: string,
  answers: Record<string, AnswerValue | undefined>,
  confirmations: Record<string, unknown>,
  history: unknown[],
): string {
  return JSON.stringify({
    screen: 'survey',
    draft: {
      surveyId: prefix,
      kind: formId,
      formId,
      formVersion: 1,
      version: 1,
      baseRev: 0,
      answers,
      confirmations,
      history,
      context: {
        townId: '',
        villageId: '',
        householdId: '',
        stratum: 'registered_poor',
        villageType: 'non_poor',
        prefill: {},
        pickIndex: 0,
      },
      evidence: {
        photos: [
          {
            fileId: 'AgACAgUAAxkBAAI',
            uniqueId: 'AQAD',
            key: `evidence/-/${prefix}`,
            size: 0,
            mime: 'image/jpeg',
            at: AT,
            by: '',
            rev: 0,
          },
        ],
        location: { lat: 21.5, lon: 107.9, at: AT, by: '', distanceKm: 0.4 },
      },
    },
  });
}

/**
 * A household draft as an interview leaves it (the questions asked, in order, with plausible
 * answers and one history entry each): the skeleton above has every question, an interview only
 * those its stratum is asked, so these give the runs of text a real draft repeats.
 */
function interviewSample(seedNo: number, stratum: 'registered_poor' | 'exited_2016'): string {
  const r = rng(seedNo);
  const script = scriptHousehold(parseCampaign(seed), { name: chineseName(r), stratum }, r);
  const start = Date.parse(AT);
  const history = script.order.map((questionId, i) => ({
    at: new Date(start + i * 7_391).toISOString(),
    by: '123456789',
    questionId,
    new: script.expected[questionId],
  }));
  const answers = Object.fromEntries(script.order.map((id) => [id, script.expected[id]]));
  return session('household', 'hh-', answers, {}, history);
}

// Deflate codes a match more cheaply the nearer it is to the end of the window, so the most
// frequent content (household drafts) goes last.
process.stdout.write(
  [
    formSample('office', 'of-'),
    formSample('village', 'vi-'),
    interviewSample(1, 'exited_2016'),
    formSample('household', 'hh-'),
    interviewSample(2, 'registered_poor'),
  ].join(''),
);
