// Problems exactly once, at the use-case level on the in-memory store (app/problems.ts): a proposal
// confirmed twice, concurrently, after a resubmit or from the office's queue is one problem; a
// decline is remembered; the reporter edits or withdraws until the town acts, and nobody else can;
// every change is audited with ids only.

import { beforeEach, describe, expect, it } from 'vitest';
import { recordReturned, recordSubmitted } from '../../app/aggregates';
import { ForbiddenError } from '../../app/authz';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import {
  actOnProblem,
  confirmAllProposals,
  confirmProposal,
  declineProposal,
  editProblem,
  offerProposals,
  officeQueue,
  ProblemInputError,
  reportedProblems,
  supersedeProposals,
  withdrawProblem,
} from '../../app/problems';
import { buildSummaries } from '../../app/summaries';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Person, ProblemProposal, Proposal, Survey } from '../../domain/model';
import { problemIdFor, proposalIdFor, proposalsFor } from '../../domain/proposals';
import { submittedHousehold } from '../support/submitted-surveys';

const campaign = parseCampaign(seed);
const T0 = new Date('2017-10-31T02:00:00.000Z');

let store: MemoryStore;
let clock: ManualClock;
const deps = () => ({ store, clock });

const person = (id: string, grants: Person['grants']): Person => ({
  id,
  grants,
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
});
const inspector = person('6002', [{ role: 'inspector', groupId: 'g2' }]);
const colleague = person('6005', [{ role: 'inspector', groupId: 'g2' }]);
const office = person('9101', [{ role: 'office' }]);
const contact = person('6003', [{ role: 'town_contact', townId: 'jiangping' }]);
/** 第一组 checks 东兴镇, not 江平镇. */
const outsider = person('5001', [{ role: 'inspector', groupId: 'g1' }]);

/** What a 错退 judgement of 交东村黄明户 proposes, as domain/proposals.ts words it. */
const wrongful: ProblemProposal = {
  key: 'hh-jiaodong-1|wrongful_exit|household',
  kind: 'wrongful_exit',
  category: 'exit_wrongful',
  suspect: 'wrongful_exit',
  townId: 'jiangping',
  villageId: 'jiaodong',
  householdId: '450681010',
  description: '交东村黄明户经入户核查未达到脱贫标准,疑似错退。',
  sourceSurveyId: 'hh-jiaodong-1',
};
const missed: ProblemProposal = {
  key: 'missed|jiaodong|覃二',
  kind: 'missed_named',
  category: 'identification_missed',
  suspect: 'missed',
  townId: 'jiangping',
  villageId: 'jiaodong',
  description: '交东村群众反映覃二户生活困难但未纳入贫困户,经现场核查疑似漏评。',
  sourceSurveyId: 'hh-jiaodong-1',
};

beforeEach(() => {
  store = new MemoryStore();
  clock = new ManualClock(T0);
});

async function offeredAndConfirmed() {
  const offer = await offerProposals(deps(), inspector, campaign, [wrongful, missed], 'chat');
  const { problem } = await confirmProposal(deps(), inspector, campaign, offer.pending[0]!.id);
  return problem;
}

describe('a proposal becomes one problem, however often it is confirmed', () => {
  it('confirming twice stores one problem and says so the second time', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    const id = offer.pending[0]!.id;
    const first = await confirmProposal(deps(), inspector, campaign, id);
    const second = await confirmProposal(deps(), inspector, campaign, id);
    expect(first.already).toBe(false);
    expect(second).toEqual({ problem: first.problem, already: true });
    expect(first.problem).toMatchObject({
      id: problemIdFor(campaign.id, wrongful.key),
      proposalKey: wrongful.key,
      suspect: 'wrongful_exit',
      reporterId: '6002',
      status: 'open',
    });
    expect(await store.problemsOfCampaign(campaign.id)).toHaveLength(1);
  });

  it('three concurrent confirmations, by two people, store one problem', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    const id = offer.pending[0]!.id;
    const results = await Promise.all([
      confirmProposal(deps(), inspector, campaign, id),
      confirmProposal(deps(), inspector, campaign, id),
      confirmProposal(deps(), colleague, campaign, id),
    ]);
    expect(results.filter((r) => !r.already)).toHaveLength(1);
    expect(await store.problemsOfCampaign(campaign.id)).toHaveLength(1);
    expect((await store.getProposal(campaign.id, id))?.status).toBe('confirmed');
  });

  it('a resubmit offers only what is undecided: the confirmed and the declined are not offered again', async () => {
    const first = await offerProposals(deps(), inspector, campaign, [wrongful, missed], 'chat');
    expect(first.pending.map((p) => p.key)).toEqual([wrongful.key, missed.key]);
    await confirmProposal(deps(), inspector, campaign, first.pending[0]!.id);
    await declineProposal(deps(), inspector, campaign, first.pending[1]!.id);
    const again = await offerProposals(deps(), inspector, campaign, [wrongful, missed], 'chat');
    expect(again.pending).toEqual([]);
    expect(again.settled.map((p) => p.status)).toEqual(['confirmed', 'declined']);
  });

  it('a pending proposal takes the new wording of a resubmitted survey', async () => {
    await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    const reworded = { ...wrongful, description: '交东村黄明户经入户核查收入低于标准,疑似错退。' };
    const again = await offerProposals(deps(), inspector, campaign, [reworded], 'chat');
    expect(again.pending.map((p) => p.description)).toEqual([reworded.description]);
  });

  it('a superseded proposal raised again waits where its new offer puts it: a paper import’s in the office’s queue', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [missed], 'chat');
    const chat = offer.pending[0]!;
    await store.saveProposal({ ...chat, status: 'superseded', decidedBy: inspector.id }, chat.version);
    expect(await officeQueue(deps(), office, campaign)).toEqual([]);
    // A neighbour's paper survey names 覃二 again.
    const again = await offerProposals(deps(), office, campaign, [missed], 'paper');
    expect(again.pending.map((p) => [p.id, p.status, p.origin, p.proposedBy])).toEqual([
      [chat.id, 'pending', 'paper', office.id],
    ]);
    expect(again.pending[0]?.decidedBy).toBeUndefined();
    expect((await officeQueue(deps(), office, campaign)).map((p) => p.id)).toEqual([chat.id]);
  });

  it('superseding leaves alone a proposal whose problem is stored (a confirmation cut off), and takes the rest', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful, missed], 'chat');
    const [first, second] = offer.pending;
    await confirmProposal(deps(), inspector, campaign, first!.id);
    await store.saveProposal({ ...first!, version: 2, status: 'pending' }, 2);
    // The survey, corrected: it raises neither any more.
    const survey = submittedHousehold({
      id: wrongful.sourceSurveyId,
      campaign,
      place: { townId: 'jiangping', villageId: 'jiaodong' },
      householdId: '450681010',
      inspectorId: inspector.id,
      answers: {},
    });
    await store.createSurvey(survey);
    const dropped = { ...survey, droppedProposalKeys: [wrongful.key, missed.key] };
    // Only someone who may decide on the town's proposals supersedes them.
    await expect(supersedeProposals(deps(), outsider, campaign, dropped)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await store.getProposal(campaign.id, second!.id))?.status).toBe('pending');
    expect(await supersedeProposals(deps(), inspector, campaign, dropped)).toBe(1);
    expect((await store.getProposal(campaign.id, first!.id))?.status).toBe('pending');
    expect((await store.getProposal(campaign.id, second!.id))?.status).toBe('superseded');
    // Repeated (a submit retried after being cut off): nothing more.
    expect(await supersedeProposals(deps(), inspector, campaign, dropped)).toBe(0);
    await expect(confirmProposal(deps(), inspector, campaign, second!.id)).rejects.toMatchObject({
      reason: 'proposal_stale',
    });
  });

  it('a problem stored under the key settles a proposal left pending (a confirmation cut off half-way)', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    await confirmProposal(deps(), inspector, campaign, offer.pending[0]!.id);
    await store.saveProposal({ ...offer.pending[0]!, version: 2, status: 'pending' }, 2);
    const again = await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    expect(again.pending).toEqual([]);
    expect(again.settled[0]?.status).toBe('confirmed');
  });

  it('refuses to decline what was recorded, and lets a declined one be confirmed after all', async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful, missed], 'chat');
    const [w, m] = offer.pending;
    await confirmProposal(deps(), inspector, campaign, w!.id);
    await expect(declineProposal(deps(), inspector, campaign, w!.id)).rejects.toMatchObject({
      reason: 'proposal_confirmed',
    });
    await declineProposal(deps(), inspector, campaign, m!.id);
    const later = await confirmProposal(deps(), inspector, campaign, m!.id);
    expect(later.already).toBe(false);
    expect(await store.problemsOfCampaign(campaign.id)).toHaveLength(2);
  });

  it("a reworded confirmation is checked like a typed problem, and another town's group cannot confirm", async () => {
    const offer = await offerProposals(deps(), inspector, campaign, [wrongful], 'chat');
    const id = offer.pending[0]!.id;
    await expect(
      confirmProposal(deps(), inspector, campaign, id, { description: '有问题' }),
    ).rejects.toMatchObject({ reason: 'vague' });
    await expect(confirmProposal(deps(), outsider, campaign, id)).rejects.toBeInstanceOf(ForbiddenError);
    const { problem } = await confirmProposal(deps(), inspector, campaign, id, {
      description: '交东村黄明户人均纯收入2900元,低于贫困线,疑似错退。',
    });
    expect(problem.description).toBe('交东村黄明户人均纯收入2900元,低于贫困线,疑似错退。');
  });
});

describe('a 漏评 name two households report stays proposed while either still does', () => {
  const at = (minute: number) => new Date(T0.getTime() + minute * 60_000).toISOString();
  /** A household of 交东村 whose inspector verified the unlisted names it gives (or none). */
  const household = (id: string, names: string[], minute: number) =>
    submittedHousehold({
      id,
      campaign,
      place: { townId: 'jiangping', villageId: 'jiaodong', groupId: 'g2' },
      householdId: `4506810${id.slice(-2)}`,
      inspectorId: inspector.id,
      answers: names.length ? { h4_unlisted_verified: 'yes', h4_unlisted_names: names } : {},
      submittedAt: at(minute),
    });
  const key = 'missed|jiaodong|覃二';

  /** Stored and counted as a submit does it, then offered. */
  async function submit(survey: Survey) {
    await store.createSurvey(survey);
    await recordSubmitted(deps(), campaign, survey);
    return offerProposals(deps(), inspector, campaign, proposalsFor(campaign, survey), 'chat');
  }

  /** The leader returns `survey`; it comes back without the name (what the submit stores). */
  async function resubmittedWithout(survey: Survey, minute: number): Promise<Survey> {
    await recordReturned(deps(), campaign, survey, at(minute));
    const stored = await store.getSurvey(survey.id);
    const again: Survey = {
      ...survey,
      answers: {},
      submittedAt: at(minute + 1),
      proposalKeys: [],
      droppedProposalKeys: [key],
    };
    const saved = await store.saveSurvey(again, stored!.version);
    await recordSubmitted(deps(), campaign, saved);
    return saved;
  }

  const proposal = async () => store.getProposal(campaign.id, proposalIdFor(campaign.id, key));

  it('is kept while a neighbour reports it, even before the list of the village’s surveys shows the neighbour', async () => {
    // The index of a village's surveys may trail a submit: here it shows nobody at all.
    store = new (class extends MemoryStore {
      override async surveysOfVillage(): Promise<Survey[]> {
        return [];
      }
    })();
    const first = household('hh-jiaodong-01', ['覃二'], 0);
    const offer = await submit(first);
    expect(offer.pending.map((p) => p.key)).toContain(key);
    await submit(household('hh-jiaodong-02', ['覃二'], 5));
    const corrected = await resubmittedWithout(first, 10);
    expect(await supersedeProposals(deps(), inspector, campaign, corrected)).toBe(0);
    expect((await proposal())?.status).toBe('pending');
    // The neighbour takes it back too: now nobody reports 覃二.
    const neighbour = await resubmittedWithout((await store.getSurvey('hh-jiaodong-02'))!, 20);
    expect(await supersedeProposals(deps(), inspector, campaign, neighbour)).toBe(1);
    expect((await proposal())?.status).toBe('superseded');
  });

  it('is undecided again when the neighbour’s report lands between the look and the write', async () => {
    const interrupted = new Interrupted();
    store = interrupted;
    const first = household('hh-jiaodong-01', ['覃二'], 0);
    await submit(first);
    const corrected = await resubmittedWithout(first, 10);
    interrupted.beforeSuperseding = async () => {
      // The neighbour's submit runs whole in between: counted, and its offer finds the proposal
      // still pending, so it leaves it as it is.
      const offered = await submit(household('hh-jiaodong-02', ['覃二'], 11));
      expect(offered.pending.map((p) => p.key)).toContain(key);
    };
    expect(await supersedeProposals(deps(), inspector, campaign, corrected)).toBe(0);
    expect(interrupted.beforeSuperseding).toBeUndefined();
    const now = await proposal();
    expect([now?.status, now?.origin, now?.proposedBy, now?.decidedBy]).toEqual([
      'pending',
      'chat',
      inspector.id,
      undefined,
    ]);
    // The trail tells both steps.
    expect((await store.auditOf(`proposal:${now?.id}`)).map((e) => e.action)).toEqual([
      'proposal.supersede',
      'proposal.reopen',
    ]);
  });

  it('a run cut off before its second look is finished by the repeat, and the name can be confirmed', async () => {
    const first = household('hh-jiaodong-01', ['覃二'], 0);
    await submit(first);
    const corrected = await resubmittedWithout(first, 10);
    // The neighbour was counted after the run's first look; the run wrote 'superseded' and stopped.
    const neighbour = household('hh-jiaodong-02', ['覃二'], 11);
    await store.createSurvey(neighbour);
    await recordSubmitted(deps(), campaign, neighbour);
    const cut = await proposal();
    await store.saveProposal(
      { ...cut!, status: 'superseded', decidedBy: inspector.id, decidedAt: at(12) },
      cut!.version,
    );
    expect(await supersedeProposals(deps(), inspector, campaign, corrected)).toBe(0);
    expect((await proposal())?.status).toBe('pending');
    expect((await store.auditOf(`proposal:${cut!.id}`)).map((e) => e.action)).toEqual(['proposal.reopen']);
    const { problem } = await confirmProposal(deps(), inspector, campaign, cut!.id);
    expect(problem.description).toContain('覃二');
  });
});

/** The in-memory store, with a moment to act in just before a proposal is written superseded. */
class Interrupted extends MemoryStore {
  beforeSuperseding: (() => Promise<void>) | undefined;

  override async saveProposal(p: Proposal, expectVersion: number): Promise<Proposal> {
    const run = p.status === 'superseded' ? this.beforeSuperseding : undefined;
    this.beforeSuperseding = undefined;
    if (run) await run();
    return super.saveProposal(p, expectVersion);
  }
}

describe("the office's queue of paper imports' proposals", () => {
  it('lists only pending paper proposals, for the office only, and confirms them all once', async () => {
    await offerProposals(deps(), office, campaign, [wrongful, missed], 'paper');
    await offerProposals(
      deps(),
      inspector,
      campaign,
      [{ ...wrongful, key: 'hh-other|wrongful_exit|household' }],
      'chat',
    );
    expect((await officeQueue(deps(), office, campaign)).map((p) => p.key)).toEqual([
      missed.key,
      wrongful.key,
    ]);
    await expect(officeQueue(deps(), inspector, campaign)).rejects.toBeInstanceOf(ForbiddenError);

    const all = await confirmAllProposals(deps(), office, campaign);
    expect(all.confirmed.map((p) => p.category).sort()).toEqual(['exit_wrongful', 'identification_missed']);
    expect(await officeQueue(deps(), office, campaign)).toEqual([]);
    expect(await confirmAllProposals(deps(), office, campaign)).toEqual({
      confirmed: [],
      already: 0,
      refused: [],
    });
    expect(await store.problemsOfCampaign(campaign.id)).toHaveLength(2);
  });
});

describe("the reporter's own problems", () => {
  it('lists them by status, open first, withdrawn last', async () => {
    const problem = await offeredAndConfirmed();
    clock.advance(60_000);
    const offer = await offerProposals(deps(), inspector, campaign, [missed], 'chat');
    const other = await confirmProposal(deps(), inspector, campaign, offer.pending[0]!.id);
    await withdrawProblem(deps(), inspector, campaign, { problemId: problem.id });
    expect((await reportedProblems(deps(), inspector, campaign)).map((p) => [p.id, p.status])).toEqual([
      [other.problem.id, 'open'],
      [problem.id, 'withdrawn'],
    ]);
    expect(await reportedProblems(deps(), colleague, campaign)).toEqual([]);
  });

  it('edits the description with the same concreteness check, and audits ids, never the text', async () => {
    const problem = await offeredAndConfirmed();
    await expect(
      editProblem(deps(), inspector, campaign, { problemId: problem.id, description: '手册不全' }),
    ).rejects.toMatchObject({ reason: 'too_short' });
    clock.advance(60_000);
    const text = '交东村黄明户家庭人均纯收入2900元,低于3335元贫困线,已标注脱贫,疑似错退。';
    const edited = await editProblem(deps(), inspector, campaign, {
      problemId: problem.id,
      description: text,
    });
    expect(edited).toMatchObject({ description: text, version: 2, changedAt: clock.now().toISOString() });
    const audit = await store.auditOf(`problem:${problem.id}`);
    expect(audit.map((e) => e.action)).toEqual(['problem.log', 'problem.edit']);
    expect(JSON.stringify(audit)).not.toContain('黄明');
  });

  it('withdraws one: it leaves 表3, 表5 and the open problems, and stays on record', async () => {
    const problem = await offeredAndConfirmed();
    await withdrawProblem(deps(), inspector, campaign, { problemId: problem.id });
    const summary = await buildSummaries(deps(), office, campaign, 'jiangping');
    expect(summary.towns[0]?.table3.total).toBe(0);
    expect(summary.towns[0]?.table5.towns[0]?.rows).toEqual([]);
    expect(await store.problemsOfCampaign(campaign.id, 'open')).toEqual([]);
    expect((await store.getProblem(problem.id))?.status).toBe('withdrawn');
    expect((await store.auditOf(`problem:${problem.id}`)).map((e) => e.action)).toContain('problem.withdraw');
    await expect(
      editProblem(deps(), inspector, campaign, {
        problemId: problem.id,
        description: '交东村黄明户收入核实后仍低于标准。',
      }),
    ).rejects.toMatchObject({ reason: 'withdrawn' });
  });

  it('refuses once the town has acted, even if the status went back to open', async () => {
    const problem = await offeredAndConfirmed();
    await actOnProblem(deps(), contact, campaign, problem.id, {
      action: 'rectified',
      note: '已重新核算收入',
    });
    await expect(
      withdrawProblem(deps(), inspector, campaign, { problemId: problem.id }),
    ).rejects.toMatchObject({
      reason: 'town_acted',
    });
    const acted = (await store.getProblem(problem.id))!;
    await store.saveProblem({ ...acted, status: 'open' }, acted.version);
    await expect(
      editProblem(deps(), inspector, campaign, {
        problemId: problem.id,
        description: '交东村黄明户收入核实后仍低于标准。',
      }),
    ).rejects.toBeInstanceOf(ProblemInputError);
  });

  it("refuses someone else's problem, even a colleague's in the same group", async () => {
    const problem = await offeredAndConfirmed();
    await expect(
      withdrawProblem(deps(), colleague, campaign, { problemId: problem.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(withdrawProblem(deps(), office, campaign, { problemId: problem.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await store.getProblem(problem.id))?.status).toBe('open');
  });
});
