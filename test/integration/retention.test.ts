// Personal data leaves the table on its own: every item the store writes for a campaign — people,
// lists, samples, surveys, problems, proposals, aggregates, deliveries, snapshots, audit events —
// carries the TTL attribute (store/table.ts) = the campaign's end + retention.daysAfterEnd, on
// DynamoDB Local and dynalite alike; items with a shorter life of their own (invites) keep it.

import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Campaign, deadlineInstant } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import { DynamoStore } from '../../store/dynamo-store';
import { ItemExpiry, withSet } from '../../store/expiry';
import { TABLE } from '../../store/table';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import * as f from '../support/store-fixtures';

const DAY_S = 86_400;
const seed = parseCampaign(JSON.parse(readFileSync('campaigns/dongxing-2017.json', 'utf8')));

/** The seed campaign moved to a year whose end is still ahead of the test's clock. */
const future = (retention: number): Campaign => ({
  ...seed,
  id: f.uid('c'),
  campaignEnd: '2030-11-30T23:59',
  retention: { daysAfterEnd: retention },
});

const endOf = (c: Campaign) => deadlineInstant(c, c.campaignEnd ?? '').getTime() / 1000;

for (const name of ENGINES) {
  describe(`retention on ${name}`, () => {
    let engine: Engine;

    beforeAll(async () => {
      engine = await startEngine(name, `retention-${name === 'dynalite' ? 'lite' : 'local'}`);
    }, 120_000);

    afterAll(async () => {
      await engine?.stop();
    });

    /** Every item of the table with the partition keys that mention one of `marks`. */
    async function itemsOf(...marks: string[]): Promise<Record<string, unknown>[]> {
      const out = await engine.client.send(new ScanCommand({ TableName: engine.tableName }));
      return (out.Items ?? []).filter((i) => marks.some((m) => `${i.PK} ${i.SK}`.includes(m)));
    }

    it('stamps every item a campaign writes with its end plus the retention, and reads nothing of it back', async () => {
      const campaign = future(400);
      const store = new DynamoStore({
        client: engine.client,
        tableName: engine.tableName,
        expiry: new ItemExpiry(() => new Date('2030-10-25T08:00:00Z')),
      });
      const where = { campaignId: campaign.id, townId: f.uid('t'), villageId: f.uid('v') };
      await store.putCampaign(campaign);

      const person = f.person();
      await store.putPerson(person);
      const answered = await store.savePersonSession(
        { ...person, session: { note: 'x' } as never },
        { expectVersion: 1, updateId: 7 },
      );
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      await store.putSample(f.sample(where, list.fingerprint));
      const survey = f.survey({ ...where });
      await store.createSurvey(survey);
      await store.saveSurvey({ ...survey, status: 'submitted', version: 2 }, 1);
      const problem = f.problem({ ...where, reporterId: person.id });
      await store.putProblem(problem);
      await store.putProposal(f.proposal({ ...where }));
      await store.changeVillageAggregate(where, { op: 'release', surveyId: survey.id, at: f.T0 }, '');
      await store.claimDelivery(`rem-${campaign.id}`, person.id);
      await store.putSnapshot(f.snapshot({ campaignId: campaign.id }));
      await store.appendAudit(f.auditEvent({ subject: `survey:${survey.id}` }));

      const items = await itemsOf(campaign.id, person.id, survey.id, problem.id);
      // campaign, person (+ grant entry, directory), village state + chunks, survey, problem
      // (+ reporter's entry), proposal, aggregate + counts, delivery, snapshot, audit event.
      expect(items.length).toBeGreaterThanOrEqual(15);
      const expected = endOf(campaign) + 400 * DAY_S;
      const notStamped = items
        .filter((i) => i[TABLE.ttlAttribute] !== expected)
        .map((i) => `${i.PK} ${i.SK}`);
      expect(notStamped).toEqual([]);

      // The attribute is the table's, not the aggregate's: nothing reads it back.
      expect(await store.getPerson(person.id)).toEqual(answered);
      expect(await store.getSurvey(survey.id)).not.toHaveProperty(TABLE.ttlAttribute);
      expect(await store.getProblem(problem.id)).toEqual(problem);
    });

    it('keeps the shorter life an invite has of its own, through its use', async () => {
      const campaign = future(3650);
      const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
      await store.putCampaign(campaign);
      const invite = f.invite({ expiresAt: '2030-11-01T00:00:00.000Z' });
      await store.putInvite(invite);
      await store.useInvite(invite.code, '424242', '2030-10-30T00:00:00.000Z');
      const [item] = await itemsOf(invite.code);
      const own = Date.parse(invite.expiresAt) / 1000;
      // 90 days after it expires (store/dynamo-people.ts), not the campaign's ten years.
      expect(item?.[TABLE.ttlAttribute]).toBe(own + 90 * DAY_S);
      expect(own + 90 * DAY_S).toBeLessThan(endOf(campaign) + 3650 * DAY_S);
      expect((await store.getInvite(invite.code))?.expiresAt).toBe(invite.expiresAt);
    });

    it('counts from the write when the campaign ended already: a past campaign replayed is kept the full period', async () => {
      const now = new Date('2026-11-30T04:00:00Z');
      const store = new DynamoStore({
        client: engine.client,
        tableName: engine.tableName,
        expiry: new ItemExpiry(() => now),
      });
      const campaign = { ...seed, id: f.uid('c') };
      await store.putCampaign(campaign);
      expect(campaign.retention.daysAfterEnd).toBe(365);
      const survey = f.survey({ campaignId: campaign.id, townId: 't1' });
      await store.createSurvey(survey);
      const [item] = await itemsOf(survey.id);
      expect(item?.[TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 365 * DAY_S);
    });

    it('learns the campaign from reading it, as the functions do at cold start', async () => {
      const campaign = future(200);
      await new DynamoStore({ client: engine.client, tableName: engine.tableName }).putCampaign(campaign);
      const fresh = new DynamoStore({ client: engine.client, tableName: engine.tableName });
      const before = f.person();
      await fresh.putPerson(before);
      await fresh.getCampaign(campaign.id);
      const after = f.person();
      await fresh.putPerson(after);
      const [early] = await itemsOf(`PERSON#${before.id}`).then((i) => i.filter((x) => x.SK === 'PERSON'));
      const [late] = await itemsOf(`PERSON#${after.id}`).then((i) => i.filter((x) => x.SK === 'PERSON'));
      // Before any campaign is known nothing is stamped: kept, never deleted early.
      expect(early).not.toHaveProperty(TABLE.ttlAttribute);
      expect(late?.[TABLE.ttlAttribute]).toBe(endOf(campaign) + 200 * DAY_S);
    });
  });
}

describe('the SET clause the stamp joins', () => {
  it('is added to, or created, whatever else the update does', () => {
    expect(withSet('SET #a = :a ADD #v :one', 'x = :x')).toBe('SET x = :x, #a = :a ADD #v :one');
    expect(withSet('ADD #v :one', 'x = :x')).toBe('SET x = :x ADD #v :one');
    expect(withSet('REMOVE GSI1PK set #a = :a', 'x = :x')).toBe('REMOVE GSI1PK set x = :x, #a = :a');
    expect(withSet('', 'x = :x')).toBe('SET x = :x');
  });
});
