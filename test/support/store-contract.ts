// The behaviour every Store adapter must show, as one suite: the in-memory twin runs it in
// test/unit/memory-store.test.ts, the DynamoDB adapter on DynamoDB Local and on dynalite in
// test/integration/store.test.ts. `getStore` is called inside each test (engines start in
// beforeAll, after the suite is declared).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../app/ports';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Household } from '../../domain/household-list';
import {
  AlreadyExistsError,
  ConflictError,
  DuplicateUpdateError,
  InviteUnusableError,
  NotFoundError,
  type Person,
  PickReplacedError,
  RECENT_UPDATE_WINDOW,
  SampleLockedError,
} from '../../domain/model';
import * as f from './store-fixtures';

const sortById = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

/** An inspector with an open draft, as the bot would have created them. */
async function inspectorWithDraft(store: Store): Promise<Person> {
  return store.putPerson(f.person({ session: { screen: 'question', draft: f.draft() } }));
}

/** The use case's answer step, reduced: apply one answer to the person as read. */
function withAnswer(p: Person, questionId: string, value: string | number, at: string): Person {
  const d = p.session.draft;
  if (!d) throw new Error('no open draft');
  return {
    ...p,
    session: {
      ...p.session,
      draft: {
        ...d,
        answers: { ...d.answers, [questionId]: value },
        cursor: questionId,
        history: [...d.history, { at, by: p.id, questionId, old: d.answers[questionId], new: value }],
      },
    },
    updatedAt: at,
  };
}

/** Read → apply → one conditional write; on a lost race re-read and re-apply (the use case's loop). */
async function answer(store: Store, personId: string, questionId: string, value: string, updateId: number) {
  for (let attempt = 1; ; attempt++) {
    const p = await store.getPerson(personId);
    if (!p) throw new Error('person vanished');
    try {
      return await store.savePersonSession(withAnswer(p, questionId, value, f.at(attempt)), {
        expectVersion: p.version,
        updateId,
      });
    } catch (err) {
      if (err instanceof ConflictError && attempt < 5) continue;
      throw err;
    }
  }
}

export function storeContract(getStore: () => Store): void {
  describe('campaigns', () => {
    it('stores the validated campaign JSON and returns it unchanged; a second put replaces it', async () => {
      const store = getStore();
      const seed = parseCampaign(JSON.parse(readFileSync('campaigns/dongxing-2017.json', 'utf8')));
      const campaign = { ...seed, id: f.uid('c') };
      await store.putCampaign(campaign);
      expect(await store.getCampaign(campaign.id)).toEqual(campaign);
      await store.putCampaign({ ...campaign, name: '改名后的大检查' });
      expect((await store.getCampaign(campaign.id))?.name).toBe('改名后的大检查');
      expect(await store.getCampaign(f.uid('c'))).toBeUndefined();
    });
  });

  describe('people', () => {
    it('creates a person at version 1 and reads them back whole', async () => {
      const store = getStore();
      const p = f.person({
        grants: [
          { role: 'leader', groupId: 'g1', at: f.at(0), by: 'office-1' },
          { role: 'inspector', groupId: 'g2' },
        ],
        session: { draft: f.draft() },
      });
      const stored = await store.putPerson({ ...p, version: 7 });
      expect(stored.version).toBe(1);
      expect(await store.getPerson(p.id)).toEqual({ ...p, version: 1 });
      expect(await store.getPerson(f.uid('9'))).toBeUndefined();
    });

    it('refuses to create the same person twice', async () => {
      const store = getStore();
      const p = await store.putPerson(f.person());
      await expect(store.putPerson(f.person({ id: p.id }))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getPerson(p.id)).toEqual(p);
    });

    it('saves the session in one versioned write and records the update id', async () => {
      const store = getStore();
      const p = await inspectorWithDraft(store);
      const changed = withAnswer(p, 'h1_name', '黄志明', f.at(1));
      const saved = await store.savePersonSession(changed, { expectVersion: 1, updateId: 501 });
      expect(saved.version).toBe(2);
      expect(saved.lastUpdateId).toBe(501);
      expect(saved.recentUpdateIds).toEqual([501]);
      expect(saved.session.draft?.answers).toEqual({ h1_name: '黄志明' });
      expect(await store.getPerson(p.id)).toEqual(saved);
    });

    it('leaves grants and deactivation as stored when saving a session', async () => {
      const store = getStore();
      const p = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId: 'g1' }] }));
      const saved = await store.savePersonSession(
        {
          ...p,
          grants: [{ role: 'office' }],
          deactivated: { at: f.at(1), by: 'x' },
          session: { screen: 'menu' },
        },
        { expectVersion: 1, updateId: 1 },
      );
      expect(saved.grants).toEqual([{ role: 'inspector', groupId: 'g1' }]);
      expect(saved.deactivated).toBeUndefined();
      expect(saved.session).toEqual({ screen: 'menu' });
    });

    it('refuses a session write on a stale version with ConflictError and changes nothing', async () => {
      const store = getStore();
      const p = await inspectorWithDraft(store);
      await store.savePersonSession(withAnswer(p, 'q1', 'a', f.at(1)), { expectVersion: 1, updateId: 10 });
      const before = await store.getPerson(p.id);
      const err = await failure(
        store.savePersonSession(withAnswer(p, 'q2', 'b', f.at(2)), { expectVersion: 1, updateId: 11 }),
      );
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ entity: 'person', id: p.id, expectedVersion: 1, actualVersion: 2 });
      expect(await store.getPerson(p.id)).toEqual(before);
    });

    it('treats a repeated update id as a duplicate: no second write', async () => {
      const store = getStore();
      const p = await inspectorWithDraft(store);
      const first = await store.savePersonSession(withAnswer(p, 'q1', 'a', f.at(1)), {
        expectVersion: 1,
        updateId: 77,
      });
      // The same Telegram update delivered again, read after the first write (current version).
      const again = withAnswer(first, 'q1', 'a', f.at(2));
      await expect(store.savePersonSession(again, { expectVersion: 2, updateId: 77 })).rejects.toBeInstanceOf(
        DuplicateUpdateError,
      );
      // … and delivered again by a request that read before the first write (stale version).
      await expect(
        store.savePersonSession(withAnswer(p, 'q1', 'a', f.at(3)), { expectVersion: 1, updateId: 77 }),
      ).rejects.toBeInstanceOf(DuplicateUpdateError);
      expect(await store.getPerson(p.id)).toEqual(first);
    });

    it('applies an older update that arrives after a newer one (it is not a repeat)', async () => {
      const store = getStore();
      const p = await inspectorWithDraft(store);
      const newer = await store.savePersonSession(withAnswer(p, 'q2', 'b', f.at(1)), {
        expectVersion: 1,
        updateId: 902,
      });
      const older = await store.savePersonSession(withAnswer(newer, 'q1', 'a', f.at(2)), {
        expectVersion: 2,
        updateId: 901,
      });
      expect(older.session.draft?.answers).toEqual({ q1: 'a', q2: 'b' });
      expect(older.lastUpdateId).toBe(902);
    });

    it(`remembers the last ${RECENT_UPDATE_WINDOW} update ids`, async () => {
      const store = getStore();
      let p = await inspectorWithDraft(store);
      for (let u = 1; u <= RECENT_UPDATE_WINDOW + 5; u++) {
        p = await store.savePersonSession(p, { expectVersion: p.version, updateId: u });
      }
      expect(p.recentUpdateIds).toHaveLength(RECENT_UPDATE_WINDOW);
      expect(p.recentUpdateIds?.at(-1)).toBe(RECENT_UPDATE_WINDOW + 5);
      expect(p.recentUpdateIds?.[0]).toBe(6);
      const before = await store.getPerson(p.id);
      // Older than the whole window: a very late repeat, refused without a write.
      await expect(
        store.savePersonSession(p, { expectVersion: p.version, updateId: 3 }),
      ).rejects.toBeInstanceOf(DuplicateUpdateError);
      expect(await store.getPerson(p.id)).toEqual(before);
    });

    it('two writers on one draft version: one wins, the loser gets ConflictError, re-reads and both answers stay', async () => {
      const store = getStore();
      const p = await inspectorWithDraft(store);
      // Both requests read the same version before either writes.
      const [a, b] = await Promise.all([store.getPerson(p.id), store.getPerson(p.id)]);
      if (!a || !b) throw new Error('person missing');
      const first = await Promise.allSettled([
        store.savePersonSession(withAnswer(a, 'h1_name', '黄志明', f.at(1)), {
          expectVersion: a.version,
          updateId: 301,
        }),
        store.savePersonSession(withAnswer(b, 'h2_income', '4200', f.at(1)), {
          expectVersion: b.version,
          updateId: 302,
        }),
      ]);
      const won = first.filter((r) => r.status === 'fulfilled');
      const lost = first.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(ConflictError);

      // The loser goes through the use case's loop again: re-read, re-apply, write.
      const loserIsA = first[0]?.status === 'rejected';
      const final = loserIsA
        ? await answer(store, p.id, 'h1_name', '黄志明', 301)
        : await answer(store, p.id, 'h2_income', '4200', 302);
      expect(final.version).toBe(3);
      expect(final.session.draft?.answers).toEqual({ h1_name: '黄志明', h2_income: '4200' });
      expect(final.session.draft?.history).toHaveLength(2);
      expect([...(final.recentUpdateIds ?? [])].sort()).toEqual([301, 302]);
      expect(await store.getPerson(p.id)).toEqual(final);
    });

    it('says NotFound when saving a person who does not exist', async () => {
      const store = getStore();
      const ghost = f.person();
      await expect(store.savePersonSession(ghost, { expectVersion: 1, updateId: 1 })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(store.savePerson(ghost, 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('saves grants and reachability with savePerson, versioned', async () => {
      const store = getStore();
      const groupId = f.uid('g');
      const p = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId }] }));
      const saved = await store.savePerson(
        { ...p, grants: [...p.grants, { role: 'liaison', groupId }], unreachable: true },
        1,
      );
      expect(saved.version).toBe(2);
      expect(await store.getPerson(p.id)).toEqual(saved);
      await expect(store.savePerson({ ...p, grants: [{ role: 'office' }] }, 1)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(ids(await store.peopleWithRole('liaison'))).toContain(p.id);
    });

    it('finds people by grant: of a group, of a town, with a role, each only where the grant is', async () => {
      const store = getStore();
      const { groupId, townId } = f.scope();
      const other = f.uid('g');
      const inspector = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId }] }));
      // A leader of another group who is an inspector here: listed here, but not as a leader here.
      const both = await store.putPerson(
        f.person({
          grants: [
            { role: 'leader', groupId: other },
            { role: 'inspector', groupId },
          ],
        }),
      );
      const contact = await store.putPerson(f.person({ grants: [{ role: 'town_contact', townId }] }));
      const office = await store.putPerson(f.person({ grants: [{ role: 'office' }] }));
      await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId: f.uid('g') }] }));

      expect(sortById(await store.peopleOfGroup(groupId))).toEqual(sortById([inspector, both]));
      expect(await store.peopleOfGroup(other)).toEqual([both]);
      expect(await store.peopleOfTown(townId)).toEqual([contact]);
      const leaders = ids(await store.peopleWithRole('leader'));
      expect(leaders).toContain(both.id);
      expect(leaders).not.toContain(inspector.id);
      expect(ids(await store.peopleWithRole('office'))).toContain(office.id);
      expect(ids(await store.peopleWithRole('inspector'))).toEqual(
        expect.arrayContaining([inspector.id, both.id]),
      );
      expect(await store.peopleOfGroup(f.uid('g'))).toEqual([]);
    });

    it('the people queries return each person as stored now, session writes included', async () => {
      const store = getStore();
      const { groupId, townId } = f.scope();
      const p = await store.putPerson(
        f.person({
          grants: [
            { role: 'inspector', groupId },
            { role: 'town_contact', townId },
          ],
        }),
      );
      const saved = await store.savePersonSession(
        { ...p, chatId: 777, session: { screen: 'question', draft: f.draft() } },
        { expectVersion: 1, updateId: 5 },
      );
      expect(await store.peopleOfGroup(groupId)).toEqual([saved]);
      expect(await store.peopleOfTown(townId)).toEqual([saved]);
      expect((await store.peopleWithRole('inspector')).find((x) => x.id === p.id)).toEqual(saved);
    });

    it('a revoked grant leaves the queries; a moved person is found only in the new group', async () => {
      const store = getStore();
      const a = f.scope();
      const b = f.scope();
      const p = await store.putPerson(
        f.person({
          grants: [
            { role: 'inspector', groupId: a.groupId },
            { role: 'liaison', groupId: a.groupId },
            { role: 'town_contact', townId: a.townId },
          ],
        }),
      );
      const moved = await store.savePerson(
        {
          ...p,
          grants: [
            { role: 'inspector', groupId: b.groupId },
            { role: 'town_contact', townId: b.townId },
          ],
        },
        p.version,
      );
      expect(await store.peopleOfGroup(a.groupId)).toEqual([]);
      expect(await store.peopleOfGroup(b.groupId)).toEqual([moved]);
      expect(await store.peopleOfTown(a.townId)).toEqual([]);
      expect(await store.peopleOfTown(b.townId)).toEqual([moved]);
      expect(ids(await store.peopleWithRole('liaison'))).not.toContain(p.id);
      // A refused save (stale version) changes neither the person nor the queries.
      await expect(
        store.savePerson({ ...moved, grants: [{ role: 'inspector', groupId: a.groupId }] }, p.version),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.peopleOfGroup(a.groupId)).toEqual([]);
      expect(await store.peopleOfGroup(b.groupId)).toEqual([moved]);
    });

    it('a deactivated person is listed by no grant query, but still in the list of everyone', async () => {
      const store = getStore();
      const { groupId } = f.scope();
      const p = await store.putPerson(f.person({ grants: [{ role: 'leader', groupId }] }));
      const off = await store.savePerson({ ...p, deactivated: { at: f.at(3), by: 'office-1' } }, p.version);
      expect(await store.peopleOfGroup(groupId)).toEqual([]);
      expect(ids(await store.peopleWithRole('leader'))).not.toContain(p.id);
      const everyone: Person[] = [];
      let page = await store.listPeople({ limit: 50 });
      everyone.push(...page.people);
      while (page.next) {
        page = await store.listPeople({ after: page.next, limit: 50 });
        everyone.push(...page.people);
      }
      expect(everyone.find((x) => x.id === p.id)).toEqual(off);
      // Reactivated: the grants count again.
      const { deactivated: _d, ...rest } = off;
      const back = await store.savePerson(rest, off.version);
      expect(await store.peopleOfGroup(groupId)).toEqual([back]);
    });

    it('lists everyone a page at a time, by id, each once', async () => {
      const store = getStore();
      const made = await Promise.all(
        Array.from({ length: 7 }, () => store.putPerson(f.person({ grants: [{ role: 'office' }] }))),
      );
      const seen: string[] = [];
      let page = await store.listPeople({ limit: 3 });
      for (let n = 0; n < 1000; n++) {
        expect(page.people.length).toBeLessThanOrEqual(3);
        seen.push(...page.people.map((x) => x.id));
        if (!page.next) break;
        page = await store.listPeople({ after: page.next, limit: 3 });
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toEqual(expect.arrayContaining(made.map((x) => x.id)));
    });

    it('a second create of the same person leaves the first one where the queries find it', async () => {
      const store = getStore();
      const a = f.scope();
      const b = f.scope();
      const p = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId: a.groupId }] }));
      await expect(
        store.putPerson(f.person({ id: p.id, grants: [{ role: 'inspector', groupId: b.groupId }] })),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.peopleOfGroup(a.groupId)).toEqual([p]);
      expect(await store.peopleOfGroup(b.groupId)).toEqual([]);
    });
  });

  describe('invites', () => {
    it('a code that cannot be an id (typed after /start) names no invite', async () => {
      const store = getStore();
      for (const code of ['', 'PERSON#1', 'a#b']) {
        expect(await store.getInvite(code)).toBeUndefined();
        await expect(store.useInvite(code, '5001', f.at(1))).rejects.toMatchObject({
          name: 'NotFoundError',
          entity: 'invite',
        });
      }
    });

    it('round-trips an invite and refuses a second one with the same code', async () => {
      const store = getStore();
      const inv = f.invite({ townId: 't1', groupId: undefined, role: 'town_contact' });
      await store.putInvite(inv);
      expect(await store.getInvite(inv.code)).toEqual(withoutUndefined(inv));
      await expect(store.putInvite(inv)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getInvite(f.uid('inv'))).toBeUndefined();
    });

    it('is used once; the same person may repeat it (retry), others may not; expired ones are refused', async () => {
      const store = getStore();
      const inv = f.invite();
      await store.putInvite(inv);
      const used = await store.useInvite(inv.code, '5001', f.at(5));
      expect(used).toMatchObject({
        code: inv.code,
        usedBy: '5001',
        usedAt: f.at(5),
        expiresAt: inv.expiresAt,
      });
      // An interrupted enrolment retried from the top: same answer, first usedAt kept.
      expect(await store.useInvite(inv.code, '5001', f.at(9))).toEqual(used);
      const taken = await failure(store.useInvite(inv.code, '5002', f.at(10)));
      expect(taken).toBeInstanceOf(InviteUnusableError);
      expect(taken).toMatchObject({ reason: 'used' });

      const old = f.invite({ expiresAt: f.at(60) });
      await store.putInvite(old);
      const expired = await failure(store.useInvite(old.code, '5003', f.at(61)));
      expect(expired).toBeInstanceOf(InviteUnusableError);
      expect(expired).toMatchObject({ reason: 'expired' });
      expect((await store.getInvite(old.code))?.usedBy).toBeUndefined();
      await expect(store.useInvite(f.uid('inv'), '5003', f.at(1))).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('open invites', () => {
    it('lists invites neither used nor cancelled; a cancelled one can no longer be used', async () => {
      const store = getStore();
      const open = f.invite();
      const used = f.invite();
      const cancelled = f.invite();
      for (const i of [open, used, cancelled]) await store.putInvite(i);
      await store.useInvite(used.code, '6001', f.at(2));
      const out = await store.cancelInvite(cancelled.code, 'office-1', f.at(3));
      expect(out).toMatchObject({ cancelledAt: f.at(3), cancelledBy: 'office-1' });
      // Idempotent: a second cancel returns it as it is.
      expect(await store.cancelInvite(cancelled.code, 'office-2', f.at(4))).toMatchObject({
        cancelledAt: f.at(3),
        cancelledBy: 'office-1',
      });
      const codes = (await store.openInvites()).map((i) => i.code);
      expect(codes).toContain(open.code);
      expect(codes).not.toContain(used.code);
      expect(codes).not.toContain(cancelled.code);
      const refused = await failure(store.useInvite(cancelled.code, '6002', f.at(5)));
      expect(refused).toBeInstanceOf(InviteUnusableError);
      expect(refused).toMatchObject({ reason: 'cancelled' });
      // A used invite cannot be cancelled: it comes back with who used it.
      expect(await store.cancelInvite(used.code, 'office-1', f.at(6))).toMatchObject({ usedBy: '6001' });
      expect((await store.getInvite(used.code))?.cancelledAt).toBeUndefined();
    });
  });

  describe('household lists and samples', () => {
    it('stores a first list, refuses a different one unless it names the list it replaces', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      expect(await store.getHouseholdList(where.campaignId, where.villageId)).toEqual(list);
      const { households: _h, ...info } = list;
      expect(await store.getHouseholdListInfo(where.campaignId, where.villageId)).toEqual(info);
      // The same list again (a retried upload) is fine.
      await store.putHouseholdList(list);
      const fixed = {
        ...list,
        households: list.households.slice(0, 1),
        count: 1,
        byStratum: { exited_2014_2015: 1 },
        fingerprint: 'sha256:def',
      };
      await expect(store.putHouseholdList(fixed)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.putHouseholdList(fixed, { replacing: 'sha256:other' })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.getHouseholdListInfo(where.campaignId, where.villageId))?.fingerprint).toBe(
        list.fingerprint,
      );
      await store.putHouseholdList(fixed, { replacing: list.fingerprint });
      expect(await store.getHouseholdList(where.campaignId, where.villageId)).toEqual(fixed);
      // The replaced list is still readable by its fingerprint (a sample keeps the list it was drawn from).
      expect(
        (await store.getHouseholdList(where.campaignId, where.villageId, list.fingerprint))?.households,
      ).toEqual(list.households);
      expect(await store.getHouseholdList(where.campaignId, f.uid('v'))).toBeUndefined();
    });

    it('a staged list is readable by its fingerprint and does not become the list in force', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      const staged = {
        ...list,
        fingerprint: `sha256:${f.uid('st')}`,
        households: list.households.slice(1),
        count: 2,
      };
      await store.stageHouseholdList(staged);
      expect((await store.getHouseholdListInfo(where.campaignId, where.villageId))?.fingerprint).toBe(
        list.fingerprint,
      );
      expect(
        (await store.getHouseholdList(where.campaignId, where.villageId, staged.fingerprint))?.households,
      ).toEqual(staged.households);
    });

    it('keeps a list of 1,800 households in chunks and reads one stratum alone', async () => {
      const store = getStore();
      const where = f.scope();
      const strata = ['exited_2014_2015', 'registered_poor', 'non_poor'] as const;
      const households: Household[] = Array.from({ length: 1800 }, (_, i) => {
        const h: Household = {
          id: `村${String(i).padStart(5, '0')}/号`,
          name: `户主${i}`,
          stratum: strata[i % 3] ?? 'non_poor',
          population: 1 + (i % 30),
        };
        if (i % 2) h.team = `第${i % 9}组`;
        return h;
      });
      const list = {
        ...f.householdList(where),
        households,
        count: households.length,
        byStratum: { exited_2014_2015: 600, registered_poor: 600, non_poor: 600 },
      };
      await store.putHouseholdList(list);
      const back = await store.getHouseholdList(where.campaignId, where.villageId);
      expect(back?.households).toHaveLength(1800);
      expect(sortById(back?.households ?? [])).toEqual(sortById(households));
      const poor = await store.householdsOfStratum(
        where.campaignId,
        where.villageId,
        list.fingerprint,
        'registered_poor',
      );
      expect(poor).toHaveLength(600);
      expect(poor.every((h) => h.stratum === 'registered_poor')).toBe(true);
    });

    it('draws only from the list in force, once; a list cannot be put once drawn', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await expect(store.putSample(f.sample(where, list.fingerprint))).rejects.toBeInstanceOf(ConflictError);
      await store.putHouseholdList(list);
      await expect(store.putSample(f.sample(where, 'sha256:stale'))).rejects.toBeInstanceOf(ConflictError);
      const drawn = await store.putSample(f.sample(where, list.fingerprint));
      expect(drawn.version).toBe(1);
      expect(await store.getSample(where.campaignId, where.villageId)).toEqual(drawn);
      await expect(
        store.putSample({ ...f.sample(where, list.fingerprint), seed: 'another' }),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      const other = { ...list, fingerprint: 'sha256:later' };
      await expect(store.putHouseholdList(other, { replacing: list.fingerprint })).rejects.toBeInstanceOf(
        SampleLockedError,
      );
      expect(await store.getVillageState(where.campaignId, where.villageId)).toEqual({
        list: (({ households: _h, ...info }) => info)(list),
        sample: drawn,
      });
    });

    it('records a replacement with a versioned save, leaving the list in place', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      const drawn = await store.putSample(f.sample(where, list.fingerprint));
      const [first, ...rest] = drawn.picks;
      if (!first) throw new Error('fixture has picks');
      const replaced = await store.saveSample(
        {
          ...drawn,
          picks: [
            {
              ...first,
              status: 'replaced',
              replacedBy: '4506810002',
              replacement: { reason: 'absent', note: '外出务工', by: '1001', at: f.at(30) },
            },
            ...rest,
            { householdId: '4506810002', name: '李秀英', stratum: first.stratum, status: 'selected' },
          ],
        },
        1,
      );
      expect(replaced.version).toBe(2);
      expect(await store.getSample(where.campaignId, where.villageId)).toEqual(replaced);
      expect((await store.getHouseholdListInfo(where.campaignId, where.villageId))?.fingerprint).toBe(
        list.fingerprint,
      );
      await expect(store.saveSample(drawn, 1)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.saveSample({ ...drawn, villageId: f.uid('v') }, 1)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('marks picks one at a time: concurrent marks all hold, and a replacement computed before fails', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      const ten = Array.from({ length: 10 }, (_, i) => ({
        householdId: `h${i}`,
        name: `户${i}`,
        stratum: 'non_poor' as const,
        status: 'selected' as const,
      }));
      const drawn = await store.putSample({ ...f.sample(where, list.fingerprint), picks: ten });
      const started = await store.markPick(where.campaignId, where.villageId, 'h3', {
        kind: 'started',
        at: f.at(1),
        by: 'insp',
      });
      expect(started.picks[3]).toMatchObject({ startedAt: f.at(1), startedBy: 'insp', status: 'selected' });
      expect(started.version).toBe(drawn.version + 1);
      // A replacement prepared from the sample as drawn now fails on its version.
      await expect(
        store.saveSample({ ...drawn, picks: drawn.picks.slice(1) }, drawn.version),
      ).rejects.toBeInstanceOf(ConflictError);
      await Promise.all(
        ten.map((p, i) =>
          store.markPick(where.campaignId, where.villageId, p.householdId, {
            kind: 'surveyed',
            at: f.at(10 + i),
            by: 'insp',
          }),
        ),
      );
      const after = await store.getSample(where.campaignId, where.villageId);
      expect(after?.picks.map((p) => p.status)).toEqual(Array(10).fill('surveyed'));
      // Idempotent: marking again changes nothing.
      const again = await store.markPick(where.campaignId, where.villageId, 'h0', {
        kind: 'surveyed',
        at: f.at(99),
        by: 'insp',
      });
      expect(again).toEqual(after);
    });

    it('marks a pick at the place the caller names; a wrong place or a replaced pick is found out', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      const drawn = await store.putSample(f.sample(where, list.fingerprint));
      const [first, second, ...rest] = drawn.picks;
      if (!first || !second) throw new Error('fixture has two picks');
      const mark = (householdId: string, index: number, kind: 'started' | 'surveyed', by = 'insp') =>
        store.markPick(
          where.campaignId,
          where.villageId,
          householdId,
          { kind, at: f.at(index + 1), by },
          index,
        );
      expect((await mark(second.householdId, 1, 'started')).picks[1]).toMatchObject({ startedBy: 'insp' });
      // A second opener writing at the same place keeps the first one's mark.
      expect((await mark(second.householdId, 1, 'started', 'other')).picks[1]).toMatchObject({
        startedBy: 'insp',
        startedAt: f.at(2),
      });
      // The wrong place (or one past the end) is only a detour: the mark lands on the right pick.
      expect((await mark(second.householdId, 0, 'surveyed')).picks.map((p) => p.status)).toEqual([
        'selected',
        'surveyed',
        ...rest.map(() => 'selected'),
      ]);
      expect((await mark(first.householdId, 99, 'started')).picks[0]).toMatchObject({ startedBy: 'insp' });
      const now = (await store.getSample(where.campaignId, where.villageId))!;
      await store.saveSample(
        { ...now, picks: [{ ...first, status: 'replaced' }, second, ...rest] },
        now.version,
      );
      await expect(mark(first.householdId, 0, 'surveyed')).rejects.toBeInstanceOf(PickReplacedError);
    });

    it('refuses to mark a replaced pick, or one that is not in the sample', async () => {
      const store = getStore();
      const where = f.scope();
      const list = f.householdList(where);
      await store.putHouseholdList(list);
      const drawn = await store.putSample(f.sample(where, list.fingerprint));
      const [first, ...rest] = drawn.picks;
      if (!first) throw new Error('fixture has picks');
      await store.saveSample({ ...drawn, picks: [{ ...first, status: 'replaced' }, ...rest] }, drawn.version);
      await expect(
        store.markPick(where.campaignId, where.villageId, first.householdId, {
          kind: 'started',
          at: f.at(1),
          by: 'x',
        }),
      ).rejects.toBeInstanceOf(PickReplacedError);
      await expect(
        store.markPick(where.campaignId, where.villageId, 'nobody', {
          kind: 'surveyed',
          at: f.at(1),
          by: 'x',
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('surveys', () => {
    it('creates a survey once and moves it draft → submitted → returned → submitted with versions', async () => {
      const store = getStore();
      const where = f.scope();
      const created = await store.createSurvey(f.survey({ ...where, version: 5 }));
      expect(created.version).toBe(1);
      expect(await store.getSurvey(created.id)).toEqual(created);
      await expect(store.createSurvey(created)).rejects.toBeInstanceOf(AlreadyExistsError);

      const submitted = await store.saveSurvey({ ...created, status: 'submitted', submittedAt: f.at(10) }, 1);
      const returned = await store.saveSurvey(
        { ...submitted, status: 'returned', returnReason: '收入未核实', returnedBy: '1002' },
        2,
      );
      const resubmitted = await store.saveSurvey(
        { ...returned, status: 'submitted', submittedAt: f.at(20) },
        3,
      );
      expect(resubmitted.version).toBe(4);
      expect(await store.getSurvey(created.id)).toEqual(resubmitted);
      const stale = await failure(store.saveSurvey({ ...created, flags: ['x'] }, 1));
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale).toMatchObject({ entity: 'survey', id: created.id, expectedVersion: 1, actualVersion: 4 });
      await expect(store.saveSurvey(f.survey(where), 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists the surveys of a town by status, of a village and of an inspector', async () => {
      const store = getStore();
      const where = f.scope();
      const inspector = f.uid('9');
      const v1 = f.uid('v');
      const v2 = f.uid('v');
      const a = await store.createSurvey(f.survey({ ...where, villageId: v1, inspectorId: inspector }));
      const b = await store.createSurvey(f.survey({ ...where, villageId: v1, inspectorId: inspector }));
      const c = await store.createSurvey(
        f.survey({ ...where, villageId: v2, kind: 'village', formId: 'village' }),
      );
      const office = await store.createSurvey(
        f.survey({
          ...where,
          villageId: undefined,
          householdId: undefined,
          kind: 'office',
          formId: 'office',
        }),
      );
      const bSubmitted = await store.saveSurvey({ ...b, status: 'submitted', submittedAt: f.at(5) }, 1);
      await store.createSurvey(f.survey({ ...where, townId: f.uid('t'), inspectorId: inspector }));

      expect(ids(await store.surveysOfTown(where.campaignId, where.townId))).toEqual(ids([a, b, c, office]));
      expect(await store.surveysOfTown(where.campaignId, where.townId, 'submitted')).toEqual([bSubmitted]);
      expect(ids(await store.surveysOfTown(where.campaignId, where.townId, 'draft'))).toEqual(
        ids([a, c, office]),
      );
      expect(await store.surveysOfTown(f.uid('c'), where.townId)).toEqual([]);

      expect(ids(await store.surveysOfVillage(where.campaignId, where.townId, v1))).toEqual(ids([a, b]));
      expect(await store.surveysOfVillage(where.campaignId, where.townId, v1, 'draft')).toEqual([a]);

      expect(await store.surveysOfInspector(inspector, 'draft')).toHaveLength(2);
      expect(await store.surveysOfInspector(inspector, 'submitted')).toEqual([bSubmitted]);
      expect(await store.surveysOfInspector(inspector)).toHaveLength(3);
    });
  });

  describe('problems', () => {
    it('creates, updates and lists problems of a town by status and of a campaign', async () => {
      const store = getStore();
      const where = f.scope();
      const open = await store.putProblem(
        f.problem({ ...where, villageId: 'v1', householdId: '4506810001' }),
      );
      const other = await store.putProblem(f.problem({ ...where, category: 'assistance_funds' }));
      const elsewhere = await store.putProblem(f.problem({ ...where, townId: f.uid('t') }));
      await expect(store.putProblem(open)).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getProblem(open.id)).toEqual(open);

      const rectified = await store.saveProblem(
        { ...other, status: 'rectified', rectifiedNote: '已补发资金' },
        1,
      );
      expect(rectified.version).toBe(2);
      await expect(store.saveProblem({ ...other, status: 'verified' }, 1)).rejects.toBeInstanceOf(
        ConflictError,
      );

      expect(await store.problemsOfTown(where.campaignId, where.townId, 'open')).toEqual([open]);
      expect(ids(await store.problemsOfTown(where.campaignId, where.townId))).toEqual(ids([open, rectified]));
      expect(ids(await store.problemsOfCampaign(where.campaignId))).toEqual(
        ids([open, rectified, elsewhere]),
      );
      expect(await store.problemsOfCampaign(where.campaignId, 'rectified')).toEqual([rectified]);
    });

    it("lists the problems a person reported, every status, not someone else's nor another campaign's", async () => {
      const store = getStore();
      const where = f.scope();
      const reporter = f.uid('r');
      const first = await store.putProblem(f.problem({ ...where, reporterId: reporter, createdAt: f.at(1) }));
      const second = await store.putProblem(
        f.problem({ ...where, reporterId: reporter, createdAt: f.at(2) }),
      );
      await store.putProblem(f.problem({ ...where, reporterId: f.uid('r') }));
      await store.putProblem(f.problem({ ...where, campaignId: f.uid('c'), reporterId: reporter }));
      const withdrawn = await store.saveProblem({ ...second, status: 'withdrawn', changedAt: f.at(3) }, 1);
      expect(sortById(await store.problemsOfReporter(where.campaignId, reporter))).toEqual(
        sortById([first, withdrawn]),
      );
      // Someone else confirming the same problem first leaves it theirs, not this reporter's.
      const taken = f.problem({ ...where, reporterId: f.uid('r') });
      await store.putProblem(taken);
      await expect(store.putProblem({ ...taken, reporterId: reporter })).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      expect(ids(await store.problemsOfReporter(where.campaignId, reporter))).toEqual(
        ids([first, withdrawn]),
      );
      expect(await store.problemsOfReporter(where.campaignId, f.uid('r'))).toEqual([]);
    });
  });

  describe('problem proposals', () => {
    it('stores a proposal once, saves a decision on its version, and lists them by status and origin', async () => {
      const store = getStore();
      const where = f.scope();
      const paper = await store.putProposal(f.proposal({ ...where, proposedAt: f.at(2) }));
      const older = await store.putProposal(f.proposal({ ...where, proposedAt: f.at(1) }));
      const chat = await store.putProposal(f.proposal({ ...where, origin: 'chat', proposedBy: '1001' }));
      await store.putProposal(f.proposal({ ...where, campaignId: f.uid('c') }));
      expect(paper.version).toBe(1);
      await expect(
        store.putProposal({ ...paper, description: '另一种说法的同一问题建议' }),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getProposal(where.campaignId, paper.id)).toEqual(paper);
      expect(await store.getProposal(f.uid('c'), paper.id)).toBeUndefined();

      expect(await store.proposalsOf(where.campaignId, 'pending', 'paper')).toEqual([older, paper]);
      expect(ids(await store.proposalsOf(where.campaignId, 'pending'))).toEqual(ids([older, paper, chat]));

      const decided = {
        status: 'confirmed' as const,
        decidedBy: '1001',
        decidedAt: f.at(5),
        problemId: 'pb-1',
      };
      const confirmed = await store.saveProposal({ ...paper, ...decided }, 1);
      expect(confirmed.version).toBe(2);
      await expect(store.saveProposal({ ...paper, status: 'declined' }, 1)).rejects.toBeInstanceOf(
        ConflictError,
      );
      // Deciding takes it out of the queue and into the list of its new status.
      expect(await store.proposalsOf(where.campaignId, 'pending', 'paper')).toEqual([older]);
      expect(await store.proposalsOf(where.campaignId, 'confirmed')).toEqual([confirmed]);
      expect(await store.proposalsOf(where.campaignId, 'declined')).toEqual([]);
    });
  });

  describe('summary snapshots', () => {
    it('returns the latest snapshot of a scope', async () => {
      const store = getStore();
      const { campaignId, townId } = f.scope();
      expect(await store.latestSnapshot(campaignId, 'city')).toBeUndefined();
      const older = f.snapshot({ campaignId, builtAt: f.at(0) });
      const newer = f.snapshot({ campaignId, builtAt: f.at(60), data: { rows: [] } });
      const town = f.snapshot({ campaignId, scope: townId, builtAt: f.at(120) });
      await store.putSnapshot(newer);
      await store.putSnapshot(older);
      await store.putSnapshot(town);
      expect(await store.latestSnapshot(campaignId, 'city')).toEqual(newer);
      expect(await store.latestSnapshot(campaignId, townId)).toEqual(town);
    });
  });

  describe('reminder deliveries', () => {
    it('claims a (reminder, recipient) once, records sends and acknowledgements, and lists them', async () => {
      const store = getStore();
      const reminder = f.uid('r');
      expect(await store.claimDelivery(reminder, '1001')).toBe(true);
      expect(await store.claimDelivery(reminder, '1001')).toBe(false);
      expect(await store.claimDelivery(reminder, '1002')).toBe(true);

      await store.markDelivery(reminder, '1001', { status: 'failed', attempted: true, lastError: '429' });
      const sent = await store.markDelivery(reminder, '1001', {
        status: 'sent',
        attempted: true,
        sentAt: f.at(1),
      });
      expect(sent).toEqual({
        reminderId: reminder,
        recipientId: '1001',
        status: 'sent',
        attempts: 2,
        sentAt: f.at(1),
        lastError: '429',
      });
      const acked = await store.markDelivery(reminder, '1001', { status: 'acknowledged', ackAt: f.at(2) });
      expect(acked.attempts).toBe(2);
      await store.markDelivery(reminder, '1002', {
        status: 'unreachable',
        attempted: true,
        lastError: '403',
      });

      const all = await store.deliveriesOfReminder(reminder);
      expect(all.map((d) => [d.recipientId, d.status])).toEqual([
        ['1001', 'acknowledged'],
        ['1002', 'unreachable'],
      ]);
      await expect(store.markDelivery(reminder, '1003', { status: 'sent' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await store.deliveriesOfReminder(f.uid('r'))).toEqual([]);
    });

    it('takes over a pending claim only after its lease ended, and never a delivery that was marked', async () => {
      const store = getStore();
      const reminder = f.uid('r');
      const lease = (now: number) => ({ now: f.at(now), until: f.at(now + 6) });
      expect(await store.claimDelivery(reminder, '2001', lease(0))).toBe(true);
      // Another run while the first one still holds it.
      expect(await store.claimDelivery(reminder, '2001', lease(5))).toBe(false);
      // The first run was cut off before marking: after its lease the next run takes it over, once.
      const takeovers = await Promise.all([
        store.claimDelivery(reminder, '2001', lease(7)),
        store.claimDelivery(reminder, '2001', lease(7)),
      ]);
      expect(takeovers.filter(Boolean)).toHaveLength(1);
      const [taken] = await store.deliveriesOfReminder(reminder);
      expect(taken).toMatchObject({ status: 'pending', attempts: 0, leaseUntil: f.at(13) });
      await store.markDelivery(reminder, '2001', { status: 'sent', attempted: true, sentAt: f.at(8) });
      // Sent: no lease makes it claimable again.
      expect(await store.claimDelivery(reminder, '2001', lease(60))).toBe(false);
      expect((await store.deliveriesOfReminder(reminder))[0]).toMatchObject({ status: 'sent', attempts: 1 });
    });
  });

  describe('audit trail', () => {
    it('appends events, stores a repeated append once, and lists them by subject and by day', async () => {
      const store = getStore();
      const subject = `sample:${f.uid('v')}`;
      const day = '2017-10-24';
      const drawn = f.auditEvent({ subject, action: 'sample.draw', at: `${day}T01:00:00.000Z` });
      const replaced = f.auditEvent({ subject, action: 'sample.replace', at: `${day}T03:00:00.000Z` });
      const elsewhere = f.auditEvent({ action: 'survey.submit', at: `${day}T02:00:00.000Z` });
      await store.appendAudit(replaced);
      await store.appendAudit(drawn);
      await store.appendAudit(drawn); // a retried step
      await store.appendAudit(elsewhere);

      expect(await store.auditOf(subject)).toEqual([drawn, replaced]);
      const ofDay = await store.auditOfDay(day);
      expect(ofDay).toEqual(expect.arrayContaining([drawn, replaced, elsewhere]));
      const mine = ofDay.filter((e) => [subject, elsewhere.subject].includes(e.subject));
      expect(mine).toEqual([drawn, elsewhere, replaced]);
    });
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
