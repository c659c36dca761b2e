// People as grants (DOMAIN.md §10), at the use-case level on the in-memory store: an invite adds
// exactly its grant after an enrolled person confirms it; the office revokes, deactivates,
// reactivates and cancels invites; unfinished surveys of someone who lost their grant go back to
// the group and the next member who opens one takes it over.

import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { can, ForbiddenError } from '../../app/authz';
import { signOffGroupReport } from '../../app/group-report';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import {
  cancelInvite,
  createInvite,
  deactivatePerson,
  inviteIdOf,
  joinWithInvite,
  listPeople,
  openInvites,
  PersonDeactivatedError,
  reactivatePerson,
  revokeGrant,
  SelfDeactivationError,
} from '../../app/people';
import { answer, ChatError, openSurvey, returnSurvey, submitSurvey, surveyIdFor } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { grantKey } from '../../domain/grants';
import { InviteUnusableError, type Person } from '../../domain/model';
import { rng, scriptHousehold } from '../support/household-scripts';
import { grantsOf } from '../support/people';

const campaign = parseCampaign(seed);
const T0 = new Date('2017-10-30T01:00:00.000Z');

let store: MemoryStore;
let clock: ManualClock;
let deps: { store: MemoryStore; clock: ManualClock; newCode: () => string };
let office: Person;
let codes = 0;

async function enrolled(id: string, roles: Person['grants'][number]['role'][], scope = {}): Promise<Person> {
  return store.putPerson({
    id,
    grants: grantsOf(roles, scope),
    chatId: Number(id.replace(/\D/g, '')) || 1,
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  });
}

const who = (id: string) => ({ userId: Number(id), chatId: Number(id) });

beforeEach(async () => {
  store = new MemoryStore();
  clock = new ManualClock(T0);
  deps = { store, clock, newCode: () => `code-${++codes}` };
  office = await enrolled('9001', ['office']);
  // 大田村 (东兴镇, 第一组) with a drawn sample of two households.
  const list = {
    campaignId: campaign.id,
    villageId: 'datian',
    households: [
      { id: '4506810201', name: '陈桂兰', stratum: 'non_poor' as const },
      { id: '4506810202', name: '韦世杰', stratum: 'non_poor' as const },
    ],
    count: 2,
    byStratum: { non_poor: 2 },
    fingerprint: 'fp-datian',
    uploadedBy: office.id,
    uploadedAt: T0.toISOString(),
    fileName: '大田村.csv',
  };
  await store.putHouseholdList(list);
  await store.putSample({
    campaignId: campaign.id,
    villageId: 'datian',
    seed: 's',
    fingerprint: 'fp-datian',
    drawnBy: office.id,
    drawnAt: T0.toISOString(),
    picks: list.households.map((h) => ({
      householdId: h.id,
      name: h.name,
      stratum: h.stratum,
      status: 'selected',
    })),
    shortfalls: [],
    version: 1,
  });
});

describe('an invite opened by someone already enrolled', () => {
  it('asks first, then adds exactly its grant: the g1 leader becomes also an inspector of g2, nothing more', async () => {
    const leader = await enrolled('1001', ['leader'], { groupId: 'g1' });
    const invite = await createInvite(deps, office, campaign, { role: 'inspector', groupId: 'g2' });
    const asked = await joinWithInvite(deps, who('1001'), invite.code);
    expect(asked.kind).toBe('confirm');
    // Nothing used, nothing changed until they confirm.
    expect((await store.getInvite(invite.code))?.usedBy).toBeUndefined();
    expect((await store.getPerson('1001'))?.grants).toEqual(leader.grants);

    const joined = await joinWithInvite(deps, who('1001'), invite.code, { confirmed: true });
    expect(joined.kind).toBe('joined');
    const after = (await store.getPerson('1001')) as Person;
    expect(after.grants.map(grantKey)).toEqual(['leader@g.g1', 'inspector@g.g2']);
    // Leader of 第一组 still; not a leader of 第二组 (江平镇).
    expect(can.signOffReport(after, campaign, 'dongxing')).toBe(true);
    expect(can.signOffReport(after, campaign, 'jiangping')).toBe(false);
    expect(can.survey(after, campaign, 'jiaodong')).toBe(true);
    const g2Survey = {
      id: 'x',
      campaignId: campaign.id,
      kind: 'household' as const,
      formId: 'household',
      formVersion: 1,
      townId: 'jiangping',
      villageId: 'jiaodong',
      groupId: 'g2',
      inspectorId: 'someone',
      status: 'submitted' as const,
      answers: {},
      confirmations: {},
      flags: [],
      history: [],
      version: 1,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    };
    expect(can.returnSurvey(after, g2Survey)).toBe(false);
    expect(can.readSurvey(after, g2Survey)).toBe(false);
    await expect(signOffGroupReport(deps, after, campaign, 'g2')).rejects.toBeInstanceOf(ForbiddenError);
    expect(
      (await signOffGroupReport(deps, after, campaign, 'g1', { reason: '样本农户尚未入户,先行签发' }))
        .groupId,
    ).toBe('g1');
  });

  it('a town contact who opens an inspector link stays the town contact', async () => {
    await enrolled('1002', ['town_contact'], { townId: 'malu' });
    const invite = await createInvite(deps, office, campaign, { role: 'inspector', groupId: 'g1' });
    await joinWithInvite(deps, who('1002'), invite.code, { confirmed: true });
    const p = (await store.getPerson('1002')) as Person;
    expect(p.grants.map(grantKey)).toEqual(['town_contact@t.malu', 'inspector@g.g1']);
    expect((await store.peopleOfTown('malu')).map((x) => x.id)).toEqual(['1002']);
    expect((await store.peopleOfGroup('g1')).map((x) => x.id)).toEqual(['1002']);
  });

  it('a grant already held uses nothing: the link stays for someone else', async () => {
    await enrolled('1003', ['inspector'], { groupId: 'g2' });
    const invite = await createInvite(deps, office, campaign, { role: 'inspector', groupId: 'g2' });
    const out = await joinWithInvite(deps, who('1003'), invite.code, { confirmed: true });
    expect(out.kind).toBe('already');
    expect((await store.getInvite(invite.code))?.usedBy).toBeUndefined();
  });

  it('a stranger joins at once with the one grant; a second stranger cannot reuse the link', async () => {
    const invite = await createInvite(deps, office, campaign, { role: 'town_contact', townId: 'jiangping' });
    const out = await joinWithInvite(deps, who('2001'), invite.code);
    expect(out).toMatchObject({ kind: 'joined', newPerson: true });
    expect((await store.getPerson('2001'))?.grants).toMatchObject([
      { role: 'town_contact', townId: 'jiangping', by: office.id },
    ]);
    await expect(joinWithInvite(deps, who('2002'), invite.code)).rejects.toBeInstanceOf(InviteUnusableError);
  });
});

describe('a survey of a household replaced in the sample', () => {
  it('cannot be submitted into the sample', async () => {
    const inspector = await enrolled('8001', ['inspector'], { groupId: 'g1' });
    const sdeps = { store, clock };
    const ref = { kind: 'household' as const, villageId: 'datian', householdId: '4506810201' };
    const opened = await openSurvey(sdeps, inspector, campaign, ref);
    if (opened.duplicate) throw new Error('duplicate');
    // Replaced behind its back (as data written before picks recorded a start could be).
    const sample = (await store.getSample(campaign.id, 'datian'))!;
    await store.saveSample(
      { ...sample, picks: sample.picks.map((p, i) => (i === 0 ? { ...p, status: 'replaced' as const } : p)) },
      sample.version,
    );
    // The draft is complete (a scripted interview of this household), so only the sample refuses it.
    const person = (await store.getPerson(inspector.id))!;
    const draft = person.session.draft!;
    const script = scriptHousehold(campaign, { name: '陈桂兰', stratum: 'non_poor' }, rng(7));
    const { cursor: _c, ...rest } = draft;
    // A draft from before picks recorded a start does not know its place in the sample either.
    const { pickIndex: _i, ...context } = rest.context;
    const complete: Person = {
      ...person,
      session: {
        ...person.session,
        draft: {
          ...rest,
          context,
          answers: script.state.answers,
          confirmations: script.state.confirmations,
          // With its evidence (no photo and no location, each with a reason): nothing else missing.
          evidence: {
            photos: [],
            photoReason: '农户不同意拍照',
            locationSkipped: { reason: '山区没有信号', at: new Date().toISOString(), by: inspector.id },
          },
        },
      },
    };
    await expect(submitSurvey(sdeps, complete, campaign, {})).rejects.toMatchObject({
      code: 'household_replaced',
    });
    expect((await store.getSurvey(surveyIdFor(campaign.id, ref)))?.status).toBe('draft');
    expect((await store.getSample(campaign.id, 'datian'))?.picks[0]?.status).toBe('replaced');
  });
});

describe('the office offboards people', () => {
  it('revoking a grant hands the unfinished survey back to the group; another member continues it', async () => {
    const moved = await enrolled('3001', ['inspector'], { groupId: 'g1' });
    const colleague = await enrolled('3002', ['inspector'], { groupId: 'g1' });
    const sdeps = { store, clock };
    const ref = { kind: 'household' as const, villageId: 'datian', householdId: '4506810201' };
    const opened = await openSurvey(sdeps, moved, campaign, ref);
    if (opened.duplicate) throw new Error('duplicate');
    const typed = await answer(sdeps, opened.person, campaign, { input: { text: '陈桂兰' } });
    if (typed.duplicate) throw new Error('duplicate');
    // The office moves them to 第二组: the g1 grant goes, a g2 one comes by invite.
    const out = await revokeGrant(deps, office, campaign, { personId: moved.id, grant: 'inspector@g.g1' });
    expect(out).toMatchObject({ changed: true, released: 1 });
    const now = (await store.getPerson(moved.id)) as Person;
    expect(now.session.draft).toBeUndefined();
    // Their open survey kept the answer and went back to the group.
    const survey = await store.getSurvey(surveyIdFor(campaign.id, ref));
    expect(survey?.released).toMatchObject({ from: moved.id, reason: 'revoked' });
    expect(survey?.answers.h1_name).toBeDefined();
    // They can no longer write to it: a tap from before the revocation finds no open survey.
    await expect(answer(sdeps, typed.person, campaign, { input: { text: '4' } })).rejects.toMatchObject({
      code: 'no_open_survey',
    });
    expect((await store.getSurvey(surveyIdFor(campaign.id, ref)))?.answers).toEqual(survey?.answers);
    // A colleague of the group takes it over, with the answers so far.
    const taken = await openSurvey(sdeps, colleague, campaign, ref);
    if (taken.duplicate) throw new Error('duplicate');
    expect(taken.result.draft.answers.h1_name).toBe(survey?.answers.h1_name);
    expect((await store.getSurvey(surveyIdFor(campaign.id, ref)))?.inspectorId).toBe(colleague.id);
    const audit = await store.auditOf(`person:${moved.id}`);
    expect(audit.map((e) => e.action)).toContain('grant.revoke');
  });

  it('a moved inspector whose session still holds the draft is refused on the next tap, and loses nothing', async () => {
    const moved = await enrolled('3101', ['inspector'], { groupId: 'g1' });
    const sdeps = { store, clock };
    const ref = { kind: 'household' as const, villageId: 'datian', householdId: '4506810202' };
    const opened = await openSurvey(sdeps, moved, campaign, ref);
    if (opened.duplicate) throw new Error('duplicate');
    const typed = await answer(sdeps, opened.person, campaign, { input: { text: '韦世杰' } });
    if (typed.duplicate) throw new Error('duplicate');
    // A grant change that did not go through revokeGrant (e.g. cut off): only the grants changed.
    const stored = (await store.getPerson(moved.id)) as Person;
    const regrouped = await store.savePerson(
      { ...stored, grants: grantsOf(['inspector'], { groupId: 'g2' }) },
      stored.version,
    );
    await expect(answer(sdeps, regrouped, campaign, { input: { text: '3' } })).rejects.toBeInstanceOf(
      ChatError,
    );
    const survey = await store.getSurvey(surveyIdFor(campaign.id, ref));
    expect(survey?.released?.from).toBe(moved.id);
    expect(survey?.answers).toEqual(typed.person.session.draft?.answers);
    expect((await store.getPerson(moved.id))?.session.draft).toBeUndefined();
  });

  it('deactivating stops every grant, lists them as deactivated, and can be undone', async () => {
    const p = await enrolled('4001', ['leader'], { groupId: 'g3' });
    const out = await deactivatePerson(deps, office, campaign, { personId: p.id });
    expect(out.changed).toBe(true);
    expect(await store.peopleOfGroup('g3')).toEqual([]);
    const everyone = await listPeople(deps, office, { kind: 'all' });
    expect(everyone.people.find((x) => x.id === p.id)?.deactivated).toMatchObject({ by: office.id });
    expect(can.signOffReport(out.person, campaign, 'malu')).toBe(false);
    // A deactivated person cannot come back through an invite.
    const invite = await createInvite(deps, office, campaign, { role: 'inspector', groupId: 'g3' });
    await expect(joinWithInvite(deps, who(p.id), invite.code, { confirmed: true })).rejects.toBeInstanceOf(
      PersonDeactivatedError,
    );
    expect((await deactivatePerson(deps, office, campaign, { personId: p.id })).changed).toBe(false);
    const back = await reactivatePerson(deps, office, campaign, { personId: p.id });
    expect(back.changed).toBe(true);
    expect((await store.peopleOfGroup('g3')).map((x) => x.id)).toEqual([p.id]);
    await expect(deactivatePerson(deps, office, campaign, { personId: office.id })).rejects.toBeInstanceOf(
      SelfDeactivationError,
    );
  });

  it('a cancelled invite stops working at once and leaves the list of open ones', async () => {
    const invite = await createInvite(deps, office, campaign, { role: 'office' });
    expect((await openInvites(deps, office)).map((i) => i.id)).toEqual([invite.id]);
    // The list never shows a code.
    expect(JSON.stringify(await openInvites(deps, office))).not.toContain(invite.code);
    expect(await cancelInvite(deps, office, { inviteId: invite.id })).toEqual({
      cancelled: true,
      used: false,
    });
    await expect(joinWithInvite(deps, who('5001'), invite.code)).rejects.toMatchObject({
      reason: 'cancelled',
    });
    expect(await openInvites(deps, office)).toEqual([]);
    expect((await store.auditOf(`invite:${invite.id}`)).map((e) => e.action)).toEqual([
      'invite.create',
      'invite.cancel',
    ]);
  });

  it('only the office manages people', async () => {
    const leader = await enrolled('6001', ['leader'], { groupId: 'g1' });
    const target = await enrolled('6002', ['inspector'], { groupId: 'g1' });
    await expect(listPeople(deps, leader, { kind: 'group', groupId: 'g1' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      revokeGrant(deps, leader, campaign, { personId: target.id, grant: 'inspector@g.g1' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deactivatePerson(deps, leader, campaign, { personId: target.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await store.getPerson(target.id))?.grants).toEqual(target.grants);
  });

  it('a leader can return only surveys of a group they lead', async () => {
    const leader = await enrolled('7001', ['leader', 'inspector'], { groupId: 'g1' });
    const sdeps = { store, clock };
    const ref = { kind: 'village' as const, villageId: 'jiaodong' };
    const g2 = await enrolled('7002', ['inspector'], { groupId: 'g2' });
    const opened = await openSurvey(sdeps, g2, campaign, ref);
    if (opened.duplicate) throw new Error('duplicate');
    const id = surveyIdFor(campaign.id, ref);
    const s = (await store.getSurvey(id))!;
    await store.saveSurvey({ ...s, status: 'submitted' }, s.version);
    await expect(
      returnSurvey(sdeps, leader, campaign, { surveyId: id, questionId: 'v1_type', reason: '请核实村类型' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('a return whose reason was typed after the survey changed is not taken', async () => {
    const leader = await enrolled('7011', ['leader'], { groupId: 'g2' });
    const inspector = await enrolled('7012', ['inspector'], { groupId: 'g2' });
    const sdeps = { store, clock };
    const ref = { kind: 'village' as const, villageId: 'banai' };
    await openSurvey(sdeps, inspector, campaign, ref);
    const id = surveyIdFor(campaign.id, ref);
    const opened = (await store.getSurvey(id))!;
    const shown = await store.saveSurvey({ ...opened, status: 'submitted' }, opened.version);
    // The office corrects it (an import) while the leader types the reason.
    await store.saveSurvey({ ...shown, answers: { ...shown.answers, v1_type: 'poor' } }, shown.version);
    const req = { surveyId: id, questionId: 'v1_type', reason: '请核实村类型', seenVersion: shown.version };
    await expect(returnSurvey(sdeps, leader, campaign, req)).rejects.toMatchObject({
      code: 'changed_since_shown',
    });
    expect((await store.getSurvey(id))?.status).toBe('submitted');
    const now = (await store.getSurvey(id))!;
    expect((await returnSurvey(sdeps, leader, campaign, { ...req, seenVersion: now.version })).status).toBe(
      'returned',
    );
  });
});

describe("an invite's id", () => {
  it('never starts with "-", which the command line would read as an option', () => {
    // Codes whose hash, as base64url, begins with "-": about one in 64.
    const dashed = Array.from({ length: 2_000 }, (_, i) => `code-${i}`).filter((c) =>
      createHash('sha256').update(c).digest('base64url').startsWith('-'),
    );
    expect(dashed.length).toBeGreaterThan(10);
    for (const code of dashed) {
      const id = inviteIdOf(code);
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/);
      // Still the hash otherwise: the same code, the same id.
      expect(id.slice(1)).toBe(createHash('sha256').update(code).digest('base64url').slice(1, 12));
    }
  });
});
