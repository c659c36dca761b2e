// Two answers of one person racing on DynamoDB Local: the hot path's single conditional write lets
// exactly one win; the loser re-reads through the use case and applies its answer to the question
// that is now current, so neither answer is lost.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { answer, openSurvey } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { ConflictError, type Person } from '../../domain/model';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';

const campaign = parseCampaign(seed);
const clock = new ManualClock(new Date('2017-10-31T02:00:00Z'));
let engine: Engine;
let store: DynamoStore;
let conflicts = 0;

/** Counts the conflicts the store reports, to know the race really happened. */
class CountingStore extends DynamoStore {
  override async savePersonSession(...args: Parameters<DynamoStore['savePersonSession']>) {
    try {
      return await super.savePersonSession(...args);
    } catch (err) {
      if (err instanceof ConflictError) conflicts++;
      throw err;
    }
  }
}

beforeAll(async () => {
  engine = await startEngine('DynamoDB Local', 'inspection-race');
  store = new CountingStore({ client: engine.client, tableName: engine.tableName });
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

describe('two writers on one draft version', () => {
  it('exactly one wins each round; the loser re-reads and its answer lands on the next question', async () => {
    const now = clock.now().toISOString();
    const office: Person = {
      id: '8001',
      grants: [{ role: 'office' }],
      chatId: 8001,
      lastUpdateId: 0,
      session: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await store.putPerson(office);
    const deps = { store, clock };
    const opened = await openSurvey(deps, office, campaign, { kind: 'office' }, { updateId: 1 });
    if (opened.duplicate) throw new Error('unexpected duplicate');
    const first = await answer(deps, opened.person, campaign, { input: { text: '非摘帽县' }, updateId: 2 });
    if (first.duplicate) throw new Error('unexpected duplicate');
    expect(first.person.session.draft?.cursor).toBe('o_departments');

    // Both start from the same stored version, as two Lambda invocations would.
    const stale = first.person;
    const [a, b] = await Promise.all([
      answer(deps, stale, campaign, { input: { text: '12' }, updateId: 3 }),
      answer(deps, stale, campaign, { input: { text: '30' }, updateId: 4 }),
    ]);
    expect(a.duplicate || b.duplicate).toBe(false);
    expect(conflicts).toBe(1);

    const stored = await store.getPerson('8001');
    const answers = stored?.session.draft?.answers ?? {};
    expect(new Set([answers.o_departments, answers.o_people])).toEqual(new Set([12, 30]));
    expect(stored?.session.draft?.cursor).toBe('o_lookback_failed'); // 九有一低于 skipped: not a 摘帽县
    expect(stored?.version).toBe(stale.version + 2);
    expect(stored?.session.draft?.history.map((h) => h.questionId)).toEqual([
      'o_county_status',
      'o_departments',
      'o_people',
    ]);
  });

  it('the same update delivered twice at once is applied once', async () => {
    const before = await store.getPerson('8001');
    if (!before) throw new Error('no person');
    const deps = { store, clock };
    const results = await Promise.all([
      answer(deps, before, campaign, { input: { text: '3' }, updateId: 5 }),
      answer(deps, before, campaign, { input: { text: '3' }, updateId: 5 }),
    ]);
    expect(results.filter((r) => r.duplicate)).toHaveLength(1);
    const after = await store.getPerson('8001');
    expect(after?.version).toBe(before.version + 1);
    expect(after?.session.draft?.history).toHaveLength((before.session.draft?.history.length ?? 0) + 1);
  });
});
