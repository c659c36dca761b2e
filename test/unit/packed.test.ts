// The packed attributes of hot items (store/packed.ts): a finished household draft fits one write
// unit with room to spare, every format ever written stays readable, and the dictionary the
// current format needs is the one it was made with, byte for byte.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Draft } from '../../domain/model';
import { dictionaryV2 } from '../../store/pack-dictionary';
import { pack, packHot, unpack } from '../../store/packed';
import { chineseName, rng, scriptHousehold } from '../support/household-scripts';

const campaign = parseCampaign(seed);

/** The session of an inspector at the review of a household survey, as the bot keeps it. */
function finishedDraft(seedNo: number): { screen: string; draft: Draft } {
  const r = rng(seedNo);
  const name = chineseName(r);
  const script = scriptHousehold(campaign, { name, stratum: 'registered_poor' }, r);
  const start = Date.parse('2026-11-02T01:12:40.000Z');
  return {
    screen: 'survey',
    draft: {
      surveyId: 'hh-Qm3xV0aLr9TzK2wJ8pYc',
      kind: 'household',
      formId: 'household',
      formVersion: 1,
      version: 1,
      baseRev: 0,
      answers: script.expected,
      confirmations: {},
      history: script.order.map((questionId, i) => ({
        at: new Date(start + i * 9_137 + (i % 7) * 113).toISOString(),
        by: '5520318467',
        questionId,
        new: script.expected[questionId],
      })),
      context: {
        townId: 'dongxing',
        villageId: 'datian',
        villageType: 'non_poor',
        householdId: '4506810019',
        stratum: 'registered_poor',
        prefill: { h1_name: name, h1_type: 'registered_poor' },
        pickIndex: 3,
      },
    },
  };
}

describe('packing a draft', () => {
  it('keeps a finished household draft under 0.8 KB, where Brotli alone took over 1 KB', () => {
    for (const seedNo of [11, 12, 13]) {
      const session = finishedDraft(seedNo);
      expect(session.draft.history.length).toBeGreaterThan(30);
      const packed = packHot(session);
      expect(packed[0]).toBe(2);
      expect(packed.length).toBeLessThan(800);
      expect(pack(session).length).toBeGreaterThan(1000);
      expect(unpack(packed)).toEqual(session);
    }
  });

  it('reads the Brotli format too (survey items, and person items from before the dictionary), and values stored plain', () => {
    const session = finishedDraft(21);
    const old = pack(session);
    expect(old[0]).toBe(1);
    expect(unpack(old)).toEqual(session);
    expect(unpack({ screen: 'home' })).toEqual({ screen: 'home' });
  });

  it('is never larger than Brotli: a form the dictionary does not know packs as before', () => {
    const answers: Record<string, string | number> = {};
    const history = [];
    for (let i = 0; i < 40; i++) {
      answers[`x${i}`] = i % 3 === 0 ? 1000 + i : `答案${i}`;
      history.push({
        at: `2027-03-0${1 + (i % 9)}T02:${10 + i}:00.000Z`,
        by: '900001',
        questionId: `x${i}`,
        new: answers[`x${i}`],
      });
    }
    const session = {
      screen: 'survey',
      draft: { surveyId: 'xx-1', kind: 'household', formId: 'water', answers, history },
    };
    const packed = packHot(session);
    // The dictionary would have made it larger (625 bytes against Brotli's 555): Brotli is kept.
    expect(packed[0]).toBe(1);
    expect(packed).toEqual(pack(session));
    expect(unpack(packed)).toEqual(session);
  });

  it('packs and reads back a draft larger than the dictionary reaches (32 KB of JSON)', () => {
    const session = finishedDraft(31);
    const long = {
      ...session.draft,
      history: Array.from({ length: 12 }, () => session.draft.history).flat(),
    };
    expect(JSON.stringify(long).length).toBeGreaterThan(32 * 1024);
    const packed = packHot(long);
    // Compressed (the repeated history packs to a small fraction), and read back exactly.
    expect(packed.length).toBeLessThan(JSON.stringify(long).length / 10);
    expect(unpack(packed)).toEqual(long);
  });

  it('packs a session without a draft without the dictionary (reading everyone need not expand it)', () => {
    const idle = { screen: 'home', data: { page: 2 } };
    expect(packHot(idle)[0]).toBe(1);
    expect(unpack(packHot(idle))).toEqual(idle);
  });

  it('refuses a format it does not know instead of guessing', () => {
    const packed = packHot(finishedDraft(41));
    packed[0] = 9;
    expect(() => unpack(packed)).toThrow(/unknown packed format 9/);
  });

  it('reads a person item written by an earlier release, byte for byte (format 2 is frozen)', () => {
    // Packed once by packHot and stored here: if the dictionary or the codec ever changed, every
    // open draft in the table would become unreadable, and this would fail first.
    const stored = Buffer.from(
      'AiNhoBd8umJYanJJfpEBDBjSa/T35e6W58sboKfAEHfEkAnqUKuRAWQsEttY1/O+7ie7pgCNeLF169PWtaDChNThJVBjHyPMTU2NDIwNLUzMzAmNLyH8hy1fQg231DNEGjvAazjuo1FwZMKszMS89AJIzwY5N2ZlJuan5IOFUXNliCFKvkSNCkTWwxqH6PmxthYA',
      'base64',
    );
    expect(stored[0]).toBe(2);
    expect(unpack(new Uint8Array(stored))).toEqual({
      screen: 'survey',
      draft: {
        surveyId: 'hh-fixedVector0000000001',
        kind: 'household',
        formId: 'household',
        formVersion: 1,
        version: 1,
        baseRev: 0,
        answers: {
          h1_name: '黄秀英',
          h1_type: 'exited_2016',
          h1_pop_actual: 4,
          h2_income: 5200.5,
          h4_unlisted_names: ['王五', '赵六'],
        },
        confirmations: {},
        history: [
          { at: '2017-10-31T02:10:00.000Z', by: '5520318467', questionId: 'h1_name', new: '黄秀英' },
          { at: '2017-10-31T02:10:09.137Z', by: '5520318467', questionId: 'h1_type', new: 'exited_2016' },
        ],
        context: {
          townId: 'jiangping',
          villageId: 'jiaodong',
          householdId: 'T1',
          stratum: 'exited_2016',
          prefill: { h1_name: '黄秀英' },
          pickIndex: 0,
        },
      },
    });
  });

  it('unpacks with the dictionary it was made with: 30,209 bytes that never change', () => {
    const dictionary = dictionaryV2();
    expect(dictionary.length).toBe(30_209);
    expect(createHash('sha256').update(dictionary).digest('hex')).toBe(
      '5e8998ad45e939e8322da71ec9898c1087d61a976db86f80a2f6faf9d36fc0f9',
    );
  });
});
