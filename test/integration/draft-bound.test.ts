// The person item stays small whatever an inspector does (issue 18): it is written on every
// answer, so its draft is stored compressed and a long edit history moves to the survey once it
// reaches DRAFT_HISTORY_MAX entries. An inspector who changes one answer 250 times (each a
// 5-digit number) keeps every change in the record, and the person item stays one or two write
// units, on both engines.

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import type { Outcome } from '../../app/surveys';
import { answer, DRAFT_HISTORY_MAX, jumpTo, openSurvey, pauseSurvey } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Person } from '../../domain/model';
import { DynamoStore } from '../../store/dynamo-store';
import { keys } from '../../store/keys';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { itemSize } from '../support/item-size';

const campaign = parseCampaign(seed);
const EDITS = 250;

function applied<T>(out: Outcome<T>): Person {
  if (out.duplicate) throw new Error('unexpected duplicate');
  return out.person;
}

describe.each(ENGINES)('a draft edited %s times over on %s', (engineName) => {
  let engine: Engine;
  let store: DynamoStore;

  beforeAll(async () => {
    engine = await startEngine(engineName, 'draft-bound');
    store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
  });

  it(`keeps all ${EDITS} changes in the survey and the person item under 2 KB`, async () => {
    const clock = new ManualClock(new Date('2017-10-31T02:00:00Z'));
    const deps = { store, clock };
    const now = clock.now().toISOString();
    let person = await store.putPerson({
      id: '7001',
      grants: [{ role: 'inspector', groupId: 'g2' }],
      chatId: 7001,
      lastUpdateId: 0,
      session: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    let update = 1;
    person = applied(
      await openSurvey(
        deps,
        person,
        campaign,
        { kind: 'village', villageId: 'jiaodong' },
        { updateId: update++ },
      ),
    );
    person = applied(
      await answer(deps, person, campaign, { input: { choice: 'non_poor' }, updateId: update++ }),
    );
    let largest = 0;
    for (let i = 0; i < EDITS; i++) {
      person = applied(
        await jumpTo(deps, person, campaign, { questionId: 'v1_agri_population', updateId: update++ }),
      );
      clock.advance(1000);
      person = applied(
        await answer(deps, person, campaign, { input: { text: String(10_000 + i) }, updateId: update++ }),
      );
      const raw = await engine.client.send(
        new GetCommand({ TableName: engine.tableName, Key: keys.person('7001') }),
      );
      largest = Math.max(largest, itemSize(raw.Item ?? {}));
      expect(person.session.draft?.history.length ?? 0).toBeLessThan(DRAFT_HISTORY_MAX + 1);
    }
    // At most two write units per answer, however long the editing goes on.
    expect(largest).toBeGreaterThan(500);
    expect(largest).toBeLessThan(2048);
    const surveyId = person.session.draft?.surveyId ?? '';
    applied(await pauseSurvey(deps, person, campaign, { updateId: update++ }));

    const survey = await store.getSurvey(surveyId);
    expect(survey?.answers.v1_agri_population).toBe(10_000 + EDITS - 1);
    const changes = survey?.history.filter((e) => e.questionId === 'v1_agri_population') ?? [];
    expect(changes).toHaveLength(EDITS);
    // In order, each change from the value before it, none twice.
    expect(changes.map((e) => e.new)).toEqual(Array.from({ length: EDITS }, (_, i) => 10_000 + i));
    expect(changes.slice(1).map((e) => e.old)).toEqual(
      Array.from({ length: EDITS - 1 }, (_, i) => 10_000 + i),
    );
  }, 120_000);
});
