// 50 inspectors answer their household surveys at the same time through the webhook, while
// Telegram delivers 10% of updates twice (both at once), fingers double-tap buttons, old prompts'
// buttons are pressed again, and DynamoDB throttles 5% of requests. Every survey must end with
// exactly the answers the inspector meant (planned through the form engine beforehand) and be
// submitted once. People and samples are seeded directly: enrolment and drawing are not what is
// tested here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyIdFor } from '../../app/surveys';
import type { Survey } from '../../domain/model';
import { type Engine, startEngine } from '../support/engines';
import { type ThrottleStats, throttlingHandler } from '../support/faulty-dynamo';
import { chineseName, rng, type ScriptedSurvey, scriptHousehold } from '../support/household-scripts';
import { Interviewer, type InterviewStats } from '../support/interviewer';
import {
  type SeedHousehold,
  type System,
  seedPerson,
  seedSample,
  startSystem,
  villagesWithGroups,
} from '../support/system';

const INSPECTORS = 50;
const FAULTS = { duplicate: 0.1, doubleTap: 0.1, stale: 0.05 };
const THROTTLE_RATE = 0.05;
const STRATA = ['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor', 'non_poor'] as const;

interface Assignment {
  userId: number;
  villageId: string;
  index: number;
  householdId: string;
  script: ScriptedSurvey;
}

/** Errors the bot logged (the generic failure reply goes with one). */
const errors: string[] = [];
const logger = {
  info() {},
  warn() {},
  error(message: string, ...attributes: Record<string, unknown>[]) {
    errors.push(JSON.stringify({ message, ...Object.assign({}, ...attributes) }));
  },
};

let engine: Engine;
let sys: System;
let throttle: ThrottleStats;
const assignments: Assignment[] = [];

beforeAll(async () => {
  engine = await startEngine('DynamoDB Local', 'load-inspectors');
  const faulty = throttlingHandler(engine.endpoint, THROTTLE_RATE, rng(11));
  throttle = faulty.stats;
  sys = await startSystem({ engine, requestHandler: faulty.handler, logger });

  // Each inspector gets their own household, spread over the villages of all three groups.
  const r = rng(2017);
  const villages = villagesWithGroups();
  const byVillage = new Map<string, SeedHousehold[]>();
  for (let i = 0; i < INSPECTORS; i++) {
    const v = villages[i % villages.length];
    if (!v) throw new Error('no village');
    const households = byVillage.get(v.villageId) ?? [];
    const plan = { name: chineseName(r), stratum: STRATA[i % STRATA.length] ?? 'exited_2016' };
    const householdId = `4506${String(i).padStart(6, '0')}`;
    households.push({ householdId, ...plan });
    byVillage.set(v.villageId, households);
    const userId = 610_000 + i;
    await seedPerson(sys.store, { id: userId, roles: ['inspector'], groupId: v.groupId });
    assignments.push({
      userId,
      villageId: v.villageId,
      index: households.length - 1,
      householdId,
      script: scriptHousehold(sys.campaign, plan, r),
    });
  }
  for (const [villageId, households] of byVillage) await seedSample(sys.store, villageId, households);
}, 60_000);

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('50 inspectors at once, with repeats, double taps, stale buttons and DynamoDB throttling', () => {
  const stats: InterviewStats[] = [];
  const surveys = new Map<number, Survey | undefined>();

  it('every survey ends with exactly the intended answers and is submitted once', async () => {
    const started = performance.now();
    await Promise.all(
      assignments.map(async (a, i) => {
        const interviewer = new Interviewer(sys.user(a.userId), rng(100 + i), FAULTS);
        await interviewer.pressData(`hs:${a.villageId}:${a.index}`);
        await interviewer.answerAll(a.script);
        await interviewer.submit();
        stats.push(interviewer.stats);
      }),
    );
    const elapsed = performance.now() - started;

    for (const a of assignments) {
      const id = surveyIdFor(sys.campaign.id, {
        kind: 'household',
        villageId: a.villageId,
        householdId: a.householdId,
      });
      const survey = await sys.store.getSurvey(id);
      surveys.set(a.userId, survey);
      expect(survey?.status, `survey of ${a.userId}`).toBe('submitted');
      expect(survey?.answers, `answers of ${a.userId}`).toEqual(a.script.expected);
      expect(survey?.inspectorId).toBe(String(a.userId));
      expect(survey?.submissions, `submissions of ${id}`).toHaveLength(1);
      const sample = await sys.store.getSample(sys.campaign.id, a.villageId);
      // Marked started when it opened (it cannot be replaced); surveyed is the survey's status.
      expect(sample?.picks.find((p) => p.householdId === a.householdId)?.startedAt).toBeDefined();
      const person = await sys.store.getPerson(String(a.userId));
      expect(person?.session.draft).toBeUndefined();
    }

    // The faults really happened.
    const total = (k: keyof InterviewStats) => stats.reduce((n, s) => n + s[k], 0);
    expect(total('duplicates')).toBeGreaterThan(50);
    expect(total('doubleTaps')).toBeGreaterThan(50);
    expect(total('stalePresses')).toBeGreaterThan(20);
    expect(throttle.throttled).toBeGreaterThan(100);
    console.log(
      `load: ${INSPECTORS} surveys, ${total('updates')} updates (${total('duplicates')} delivered twice, ` +
        `${total('doubleTaps')} double taps, ${total('stalePresses')} stale presses), ` +
        `${throttle.throttled}/${throttle.requests} DynamoDB requests throttled, ${(elapsed / 1000).toFixed(1)} s`,
    );
  }, 120_000);

  it('nobody was told that something went wrong', () => {
    const failures = sys.api.messages.filter((m) => m.text.includes('系统出错了'));
    const toasts = sys.api
      .callsOf('answerCallbackQuery')
      .filter((c) => String(c.params.text ?? '').includes('系统出错了'));
    expect(errors).toEqual([]);
    expect(failures.map((m) => `${m.chatId}: ${m.text}`)).toEqual([]);
    expect(toasts).toEqual([]);
  });

  it('each survey keeps one history entry per accepted answer, none from a repeat or a stale button', () => {
    for (const a of assignments) {
      const survey = surveys.get(a.userId);
      const accepted = a.script.order.length;
      expect(survey?.history.length, `history of ${a.userId}`).toBe(accepted);
    }
  });
});
