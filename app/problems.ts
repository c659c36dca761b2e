// The problem register (表3/表5): inspectors log problems "见事见人、明确具体"; submitted surveys
// propose them (DOMAIN.md §9); towns rectify them.
//
// Exactly once: a problem confirmed from a proposal takes the id derived from the proposal's key
// (domain/proposals.ts), and the store creates it once, so confirming twice, a retried or
// concurrent update, a resubmit after the leader's return or a re-import meets the stored problem
// and says so ("already recorded") instead of storing a copy. Proposals are stored too, once per
// key, with the decision taken on them: a resubmit does not offer again what was confirmed or
// declined, and a paper import's proposals wait in the office's queue.
//
// The reporter lists their problems and may edit or withdraw one until the town has acted on it
// (reporterMayChange). Every change is audited with ids only, never the text.

import { randomBytes } from 'node:crypto';
import { missedHash } from '../domain/aggregates';
import { type Campaign, deadlineInstant, townOfVillage } from '../domain/campaign';
import {
  AlreadyExistsError,
  ConflictError,
  type Person,
  PROBLEM_CATEGORIES,
  PROBLEM_STATUSES,
  type Problem,
  type ProblemCategory,
  type ProblemProposal,
  type ProblemStatus,
  type ProblemSuspect,
  type Proposal,
  type ProposalOrigin,
  reporterMayChange,
  type Survey,
} from '../domain/model';
import { problemIdFor, proposalIdFor, proposalsFor, queueTag, wordingTag } from '../domain/proposals';
import { applyRectification, RectificationError, type RectificationInput } from '../domain/rectification';
import { localDate } from '../domain/reminders';
import { submittedMarkAt } from './aggregates';
import { assertCan, can, ForbiddenError, isOffice } from './authz';
import { type DescriptionVerdict, ProblemInputError, type ProblemRefusal } from './errors';
import type { Clock } from './messaging';
import type { Store } from './ports';

export interface ProblemDeps {
  store: Store;
  clock: Clock;
  newId?: () => string;
}

export const MIN_DESCRIPTION = 10;

/** Phrases that say nothing concrete on their own ("有问题", "不规范" …). */
const VAGUE = /^(有?问题|存在问题|不规范|不到位|不完善|较差|一般|待改进|需整改|无|没有|其他|同上)[。.!！]*$/;

/** A description must name something concrete: long enough and not a stock phrase. */
export function judgeDescription(text: string): DescriptionVerdict {
  const t = text.trim();
  if (VAGUE.test(t)) return 'vague';
  if ([...t].length < MIN_DESCRIPTION) return 'too_short';
  return 'ok';
}

export { ProblemInputError } from './errors';

export interface NewProblem {
  category: ProblemCategory;
  townId: string;
  villageId?: string;
  householdId?: string;
  description: string;
  sourceSurveyId?: string;
  proposalKey?: string;
  suspect?: ProblemSuspect;
}

const randomId = () => `pb-${randomBytes(6).toString('hex')}`;

/** Checks, stores (create-once: AlreadyExistsError when `id` is taken) and audits a new problem. */
async function recordProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: NewProblem,
  id: string,
): Promise<Problem> {
  assertCan(can.logProblem(actor, campaign, input.townId), 'problem.log', actor);
  if (!PROBLEM_CATEGORIES.includes(input.category)) throw new ProblemInputError('unknown_category');
  if (input.villageId && townOfVillage(campaign, input.villageId)?.id !== input.townId) {
    throw new ProblemInputError('unknown_village');
  }
  const verdict = judgeDescription(input.description);
  if (verdict !== 'ok') throw new ProblemInputError(verdict);
  const now = deps.clock.now().toISOString();
  const rectification = campaign.deadlines.find((d) => d.id === 'rectification');
  const problem: Problem = {
    id,
    campaignId: campaign.id,
    townId: input.townId,
    ...(input.villageId ? { villageId: input.villageId } : {}),
    ...(input.householdId ? { householdId: input.householdId } : {}),
    category: input.category,
    description: input.description.trim(),
    reporterId: actor.id,
    createdAt: now,
    deadline: rectification ? deadlineInstant(campaign, rectification.due).toISOString() : now,
    status: 'open',
    ...(input.sourceSurveyId ? { sourceSurveyId: input.sourceSurveyId } : {}),
    ...(input.proposalKey ? { proposalKey: input.proposalKey } : {}),
    ...(input.suspect ? { suspect: input.suspect } : {}),
    version: 1,
  };
  const stored = await deps.store.putProblem(problem);
  await deps.store.appendAudit({
    at: now,
    actorId: actor.id,
    action: 'problem.log',
    subject: `problem:${stored.id}`,
    details: { townId: stored.townId, category: stored.category },
  });
  return stored;
}

/** A problem typed in by hand (/problem). */
export async function logProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: NewProblem,
): Promise<Problem> {
  return recordProblem(deps, actor, campaign, input, (deps.newId ?? randomId)());
}

export async function problemsOfTown(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  townId: string,
  status?: ProblemStatus,
): Promise<Problem[]> {
  assertCan(can.readProblems(actor, campaign, townId), 'problem.list', actor);
  return deps.store.problemsOfTown(campaign.id, townId, status);
}

/**
 * A town's report or a group's check on one problem (DOMAIN.md §9 lifecycle): the grant covering
 * the problem's town decides who may (the town's contact reports, the group's leader checks, the
 * office does both); the lifecycle (domain/rectification.ts) decides what may follow what and
 * what each must say. Written on the problem's version: two people acting at once both re-read,
 * and the second is refused by what the first did ("已是「已整改」").
 */
export async function actOnProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  problemId: string,
  input: RectificationInput,
  /**
   * The version of the problem the actor was shown (the card the button was on). A check or a
   * report is about what the person saw: if the problem changed since (another report, a check,
   * a photo), nothing is written and RectificationError 'changed' says so.
   */
  opts: { seenVersion?: number } = {},
): Promise<Problem> {
  for (let attempt = 0; ; attempt++) {
    const problem = await deps.store.getProblem(problemId);
    if (!problem || problem.campaignId !== campaign.id) throw new ProblemInputError('unknown_problem');
    assertCan(can.actOnProblem(actor, campaign, problem, input.action), `problem.${input.action}`, actor);
    if (problem.status === 'withdrawn') throw new ProblemInputError('withdrawn');
    if (opts.seenVersion !== undefined && problem.version !== opts.seenVersion)
      throw new RectificationError('changed');
    const at = deps.clock.now();
    const next = applyRectification(problem, input, actor.id, at.toISOString(), localDate(campaign, at));
    try {
      const saved = await deps.store.saveProblem(next, problem.version);
      await deps.store.appendAudit({
        at: at.toISOString(),
        actorId: actor.id,
        action: `problem.${input.action}`,
        subject: `problem:${problem.id}`,
        // Ids and statuses only: the texts are on the problem's own history.
        details: { townId: problem.townId, from: problem.status, to: saved.status },
      });
      return saved;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 3) throw err;
    }
  }
}

/** What a town's list shows first: what it still owes, then what waits for a check, then the rest. */
const TOWN_ORDER: readonly ProblemStatus[] = ['open', 'rectifying', 'needs_longer', 'rectified', 'verified'];

/** A town's problems (withdrawn ones left out), by village, then by what is owed, oldest first. */
export async function townProblems(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  townId: string,
): Promise<Problem[]> {
  assertCan(can.readProblems(actor, campaign, townId), 'problem.list', actor);
  const town = campaign.towns.find((t) => t.id === townId);
  const villageRank = (id: string | undefined) => {
    const i = town?.villages.findIndex((v) => v.id === id) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const rank = (s: ProblemStatus) => TOWN_ORDER.indexOf(s);
  return (await deps.store.problemsOfTown(campaign.id, townId))
    .filter((p) => p.status !== 'withdrawn')
    .sort(
      (a, b) =>
        villageRank(a.villageId) - villageRank(b.villageId) ||
        rank(a.status) - rank(b.status) ||
        (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1),
    );
}

// ---------------------------------------------------------------------------------------------
// The reporter's own problems

/** The order /problems lists statuses in: what still needs the town first, withdrawn last. */
const STATUS_ORDER: readonly ProblemStatus[] = ['open', 'needs_longer', 'rectified', 'verified', 'withdrawn'];
const statusRank = (s: ProblemStatus) => {
  const i = STATUS_ORDER.indexOf(s);
  return i < 0 ? PROBLEM_STATUSES.length : i;
};

/** The problems this person reported, by status (open first), oldest first within a status. */
export async function reportedProblems(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
): Promise<Problem[]> {
  const mine = await deps.store.problemsOfReporter(campaign.id, actor.id);
  return mine.sort(
    (a, b) =>
      statusRank(a.status) - statusRank(b.status) ||
      (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1),
  );
}

/** One problem, for its reporter or anyone who may read the town's problems. */
export async function readProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  problemId: string,
): Promise<Problem> {
  const problem = await deps.store.getProblem(problemId);
  if (!problem || problem.campaignId !== campaign.id) throw new ProblemInputError('unknown_problem');
  if (problem.reporterId !== actor.id) {
    assertCan(can.readProblems(actor, campaign, problem.townId), 'problem.read', actor);
  }
  return problem;
}

/**
 * A change only the reporter may make, and only while reporterMayChange holds: checked on the
 * problem as read and written on its version, so a town acting meanwhile makes the write fail,
 * and the re-read refuses.
 */
async function changeAsReporter(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  problemId: string,
  action: 'problem.edit' | 'problem.withdraw',
  change: (p: Problem, at: string) => Problem,
): Promise<Problem> {
  for (let attempt = 0; ; attempt++) {
    const problem = await deps.store.getProblem(problemId);
    if (!problem || problem.campaignId !== campaign.id) throw new ProblemInputError('unknown_problem');
    if (problem.reporterId !== actor.id) throw new ForbiddenError(action, actor.id);
    // The grant that let them log it must still cover the town.
    assertCan(can.logProblem(actor, campaign, problem.townId), action, actor);
    if (!reporterMayChange(problem)) {
      throw new ProblemInputError(problem.status === 'withdrawn' ? 'withdrawn' : 'town_acted');
    }
    const at = deps.clock.now().toISOString();
    try {
      const saved = await deps.store.saveProblem(change(problem, at), problem.version);
      await deps.store.appendAudit({
        at,
        actorId: actor.id,
        action,
        subject: `problem:${problem.id}`,
        details: { townId: problem.townId, category: problem.category },
      });
      return saved;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 2) throw err;
    }
  }
}

/** The reporter rewords their problem; the same concreteness check as when it was logged. */
export async function editProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: { problemId: string; description: string },
): Promise<Problem> {
  const verdict = judgeDescription(input.description);
  if (verdict !== 'ok') throw new ProblemInputError(verdict);
  return changeAsReporter(deps, actor, campaign, input.problemId, 'problem.edit', (p, at) => ({
    ...p,
    description: input.description.trim(),
    changedAt: at,
  }));
}

/** The reporter takes their problem back: it leaves 表3, 表5 and the reminders, not the record. */
export async function withdrawProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: { problemId: string },
): Promise<Problem> {
  return changeAsReporter(deps, actor, campaign, input.problemId, 'problem.withdraw', (p, at) => ({
    ...p,
    status: 'withdrawn',
    changedAt: at,
  }));
}

// ---------------------------------------------------------------------------------------------
// Proposals

export interface Offer {
  /** Still to be decided: offer them (confirm / edit / decline). */
  pending: Proposal[];
  /** Confirmed or declined before (a resubmit, a re-import): not offered again. */
  settled: Proposal[];
}

/**
 * Stores what a submitted survey proposes (create-once per key) and returns what is still to be
 * decided. A proposal already stored is read back: a resubmit or a re-import offers nothing that
 * was decided; a pending one takes the survey's current wording (answers may have changed after
 * a return). A problem stored under the key settles its proposal (a confirmation cut off before
 * the proposal was marked).
 */
export async function offerProposals(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposals: readonly ProblemProposal[],
  origin: ProposalOrigin,
): Promise<Offer> {
  const at = deps.clock.now().toISOString();
  const stored = await Promise.all(
    proposals.map(async (p): Promise<Proposal> => {
      const fresh: Proposal = {
        ...p,
        id: proposalIdFor(campaign.id, p.key),
        campaignId: campaign.id,
        origin,
        proposedBy: actor.id,
        proposedAt: at,
        status: 'pending',
        version: 1,
      };
      let proposal: Proposal;
      try {
        proposal = await deps.store.putProposal(fresh);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        proposal = (await deps.store.getProposal(campaign.id, fresh.id)) ?? fresh;
      }
      if (proposal.status === 'superseded') proposal = await reopen(deps, proposal, fresh);
      if (proposal.status !== 'pending') return proposal;
      const problem = await deps.store.getProblem(problemIdFor(campaign.id, p.key));
      if (problem) {
        return settle(deps, proposal, {
          status: 'confirmed',
          decidedBy: problem.reporterId,
          decidedAt: problem.createdAt,
          problemId: problem.id,
        });
      }
      if (proposal.description !== p.description) {
        return deps.store
          .saveProposal({ ...proposal, description: p.description }, proposal.version)
          .catch((err) => {
            if (err instanceof ConflictError) return proposal;
            throw err;
          });
      }
      return proposal;
    }),
  );
  // Two rules of one survey never share a key, but a name reported twice in one survey would.
  const seen = new Set<string>();
  const unique = stored.filter((p) => !seen.has(p.id) && seen.add(p.id));
  return {
    pending: unique.filter((p) => p.status === 'pending'),
    settled: unique.filter((p) => p.status !== 'pending'),
  };
}

/**
 * A superseded proposal raised again by later answers: undecided again, and now the offer's (its
 * origin decides whose queue it waits in: a paper import's, the office's). A race is read back.
 */
async function reopen(deps: ProblemDeps, proposal: Proposal, offer: Proposal): Promise<Proposal> {
  const { decidedBy: _by, decidedAt: _at, ...rest } = proposal;
  const reopened: Proposal = {
    ...rest,
    status: 'pending',
    description: offer.description,
    origin: offer.origin,
    proposedBy: offer.proposedBy,
    proposedAt: offer.proposedAt,
  };
  try {
    return await deps.store.saveProposal(reopened, proposal.version);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    return (await deps.store.getProposal(proposal.campaignId, proposal.id)) ?? proposal;
  }
}

/**
 * After a survey's answers changed (a resubmit after a return, a correction from a spreadsheet):
 * the proposals its previous submission raised and its answers now do not
 * (`survey.droppedProposalKeys`, stored with the survey), still undecided, become superseded, so
 * nobody records a problem the record no longer shows and the office's queue stops listing them.
 * Decided ones stay as decided; one whose problem is stored already (a confirmation cut off) is
 * left for the next offer to settle; a 漏评 name another household of the village still reports
 * stays, and one superseded while a neighbour's report of it was landing is undecided again.
 * Idempotent: a submit or an import repeated after being cut off finishes it. Returns how many it
 * superseded now.
 */
export async function supersedeProposals(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  survey: Survey,
): Promise<number> {
  let superseded = 0;
  for (const key of survey.droppedProposalKeys ?? []) {
    const proposal = await deps.store.getProposal(campaign.id, proposalIdFor(campaign.id, key));
    if (proposal?.status !== 'pending' && proposal?.status !== 'superseded') continue;
    // The submitter of the survey or the office correcting it: both may decide on its proposals.
    assertCan(can.logProblem(actor, campaign, proposal.townId), 'proposal.supersede', actor);
    if (await deps.store.getProblem(problemIdFor(campaign.id, key))) continue;
    const raised = (await raisedNow(deps, campaign, proposal)) === 'yes';
    if (proposal.status === 'superseded') {
      // Superseded by a run cut off before its second look (supersede below): finish it.
      if (raised) await restore(deps, actor, proposal);
      continue;
    }
    if (raised) continue;
    if ((await supersede(deps, actor, campaign, proposal)).status === 'superseded') superseded++;
  }
  return superseded;
}

/**
 * Supersedes a proposal the surveys no longer raise, then looks once more: a neighbour's survey
 * naming the same 漏评 person may have been counted between the first look and the write, and its
 * own offer may have found the proposal still pending and left it. Seen on the second look, the
 * proposal is undecided again, as it was (its origin and proposer). Either way one of the two sees
 * the other: the neighbour's offer comes after its count, so it finds the proposal superseded
 * (and reopens it) unless this second look came after that count.
 */
async function supersede(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposal: Proposal,
): Promise<Proposal> {
  const saved = await settleAudited(deps, actor, proposal, 'superseded');
  if (saved.status !== 'superseded') return saved;
  if ((await raisedNow(deps, campaign, saved)) !== 'yes') return saved;
  return restore(deps, actor, saved);
}

/**
 * A proposal superseded while the surveys still raise it, undecided again as it was (its origin
 * and proposer). The trail says it was superseded: it says it is undecided again too.
 */
async function restore(deps: ProblemDeps, actor: Person, superseded: Proposal): Promise<Proposal> {
  const reopened = await reopen(deps, superseded, superseded);
  if (reopened.status === 'pending') await audit(deps, actor, reopened, 'proposal.reopen');
  return reopened;
}

/** One audit event of a proposal's decision, with ids only. */
function audit(
  deps: ProblemDeps,
  actor: Person,
  proposal: Proposal,
  action: 'proposal.decline' | 'proposal.supersede' | 'proposal.reopen',
  at: string = deps.clock.now().toISOString(),
): Promise<void> {
  return deps.store.appendAudit({
    at,
    actorId: actor.id,
    action,
    subject: `proposal:${proposal.id}`,
    details: { origin: proposal.origin, townId: proposal.townId },
  });
}

/**
 * Declines or supersedes a proposal for `actor`, audited when this call is what changed it (a
 * confirmation that raced it wins: the saved proposal says so).
 */
async function settleAudited(
  deps: ProblemDeps,
  actor: Person,
  proposal: Proposal,
  status: 'declined' | 'superseded',
): Promise<Proposal> {
  const at = deps.clock.now().toISOString();
  const saved = await settle(deps, proposal, { status, decidedBy: actor.id, decidedAt: at });
  if (saved.status === status && proposal.status !== status)
    await audit(deps, actor, proposal, status === 'declined' ? 'proposal.decline' : 'proposal.supersede', at);
  return saved;
}

/**
 * Whether the surveys as stored now raise the proposal: its own survey, or, for a key that is not
 * its survey's own (a 漏评 name, one proposal per village and name), any submitted survey of its
 * village. 'returned': not raised, and its survey is being corrected (it may raise it again).
 * 'yes' too when no survey is stored under its id: then nothing shows that the answers changed.
 */
async function raisedNow(
  deps: ProblemDeps,
  campaign: Campaign,
  proposal: Proposal,
): Promise<'yes' | 'no' | 'returned'> {
  const raises = (s: Survey | undefined) =>
    s?.status === 'submitted' && proposalsFor(campaign, s).some((p) => p.key === proposal.key);
  const source = await deps.store.getSurvey(proposal.sourceSurveyId);
  // No survey to judge by (none stored under that id): nothing says the answers changed.
  if (!source || raises(source)) return 'yes';
  if (!proposal.key.startsWith(`${proposal.sourceSurveyId}|`) && proposal.villageId) {
    if (await reportedInVillage(deps, campaign, proposal, proposal.villageId, source, raises)) return 'yes';
  }
  return source.status === 'returned' ? 'returned' : 'no';
}

/**
 * Whether another household of the village reports the 漏评 person now. The village's aggregate
 * counts the submitted surveys naming each person (as a hash of the key) and is read strongly
 * consistent, so a neighbour's submit that has finished counts at once; the index of the village's
 * surveys can lag a submit by a moment. The aggregate answers only while it holds `source` as it
 * is now (in with its current answers, or out while it is not submitted); a return or a correction
 * cut off before the aggregate followed leaves that unknown, and the surveys are read instead.
 */
async function reportedInVillage(
  deps: ProblemDeps,
  campaign: Campaign,
  proposal: Proposal,
  villageId: string,
  source: Survey,
  raises: (s: Survey) => boolean,
): Promise<boolean> {
  const agg = await deps.store.getVillageAggregate(campaign.id, proposal.townId, villageId);
  const counted = agg?.submitted[source.id];
  const current =
    source.status === 'submitted' ? counted?.at === submittedMarkAt(source) : counted === undefined;
  if (agg && current) return (agg.missed[missedHash(proposal.key)] ?? 0) > 0;
  const village = await deps.store.surveysOfVillage(campaign.id, proposal.townId, villageId, 'submitted');
  return village.some((s) => s.id !== proposal.sourceSurveyId && raises(s));
}

/**
 * Whether the surveys, as stored now, still raise the proposal (facts over buttons: a button or a
 * queue entry from before a correction must not record what the answers no longer say).
 */
async function assertStillRaised(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposal: Proposal,
): Promise<void> {
  if (proposal.status === 'confirmed') return;
  // A problem stored under its key (a confirmation cut off before the proposal was marked) is
  // answered as recorded, as before, whatever the surveys say now.
  if (await deps.store.getProblem(problemIdFor(campaign.id, proposal.key))) return;
  const now = await raisedNow(deps, campaign, proposal);
  if (now === 'yes') return;
  if (now === 'returned') throw new ProblemInputError('proposal_survey_returned');
  // Undecided again on the second look (a neighbour's report landed): confirm it after all.
  if ((await supersede(deps, actor, campaign, proposal)).status === 'pending') return;
  throw new ProblemInputError('proposal_stale');
}

/** Records the decision on a proposal (versioned; a concurrent decision is read back). */
async function settle(
  deps: ProblemDeps,
  proposal: Proposal,
  decision: Required<Pick<Proposal, 'status' | 'decidedBy' | 'decidedAt'>> & Pick<Proposal, 'problemId'>,
): Promise<Proposal> {
  let current = proposal;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (current.status === decision.status) return current;
    try {
      return await deps.store.saveProposal({ ...current, ...decision }, current.version);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const fresh = await deps.store.getProposal(current.campaignId, current.id);
      if (!fresh) throw err;
      // A confirmation wins over a decline that raced it: the problem is stored either way.
      if (fresh.status === 'confirmed') return fresh;
      current = fresh;
    }
  }
  return current;
}

async function proposalOf(deps: ProblemDeps, campaign: Campaign, id: string): Promise<Proposal> {
  const proposal = await deps.store.getProposal(campaign.id, id);
  if (!proposal) throw new ProblemInputError('unknown_proposal');
  return proposal;
}

/** One proposal, for whoever may confirm it (its town's group, the office). */
export async function readProposal(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposalId: string,
): Promise<Proposal> {
  const proposal = await proposalOf(deps, campaign, proposalId);
  assertCan(can.logProblem(actor, campaign, proposal.townId), 'proposal.read', actor);
  return proposal;
}

/**
 * 确认记录: the problem under the id derived from the proposal's key. `already`: it was stored
 * before (a second press, a retried or concurrent update, another device), nothing new stored.
 * A proposal once declined may still be confirmed (the person changed their mind).
 */
export async function confirmProposal(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposalId: string,
  opts: { description?: string; seenWording?: string } = {},
): Promise<{ problem: Problem; already: boolean }> {
  const proposal = await proposalOf(deps, campaign, proposalId);
  assertCan(can.logProblem(actor, campaign, proposal.townId), 'proposal.confirm', actor);
  await assertStillRaised(deps, actor, campaign, proposal);
  // Recorded in the wording the person read (one they typed themselves is theirs). A proposal
  // recorded already is answered as recorded, whatever its wording.
  if (
    opts.description === undefined &&
    opts.seenWording !== undefined &&
    opts.seenWording !== wordingTag(proposal.description) &&
    proposal.status !== 'confirmed' &&
    !(await deps.store.getProblem(problemIdFor(campaign.id, proposal.key)))
  ) {
    throw new ProblemInputError('proposal_reworded');
  }
  const id = problemIdFor(campaign.id, proposal.key);
  let problem: Problem | undefined;
  let already = false;
  try {
    problem = await recordProblem(
      deps,
      actor,
      campaign,
      {
        category: proposal.category,
        townId: proposal.townId,
        ...(proposal.villageId ? { villageId: proposal.villageId } : {}),
        ...(proposal.householdId ? { householdId: proposal.householdId } : {}),
        description: opts.description ?? proposal.description,
        sourceSurveyId: proposal.sourceSurveyId,
        proposalKey: proposal.key,
        ...(proposal.suspect ? { suspect: proposal.suspect } : {}),
      },
      id,
    );
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    already = true;
    problem = await deps.store.getProblem(id);
    if (!problem) throw err;
  }
  const at = deps.clock.now().toISOString();
  await settle(deps, proposal, { status: 'confirmed', decidedBy: actor.id, decidedAt: at, problemId: id });
  if (!already) {
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'proposal.confirm',
      subject: `proposal:${proposal.id}`,
      details: { problemId: id, origin: proposal.origin, ...(opts.description ? { edited: true } : {}) },
    });
  }
  return { problem, already };
}

/** 不记录: kept as declined, so a resubmit or re-import does not offer it again. */
export async function declineProposal(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  proposalId: string,
  opts: { seenWording?: string } = {},
): Promise<Proposal> {
  const proposal = await proposalOf(deps, campaign, proposalId);
  assertCan(can.logProblem(actor, campaign, proposal.townId), 'proposal.decline', actor);
  if (proposal.status === 'declined') return proposal;
  if (
    proposal.status === 'confirmed' ||
    (await deps.store.getProblem(problemIdFor(campaign.id, proposal.key)))
  ) {
    throw new ProblemInputError('proposal_confirmed');
  }
  // Declined as worded when shown: a rewording says something new, which was not read.
  if (opts.seenWording !== undefined && opts.seenWording !== wordingTag(proposal.description)) {
    throw new ProblemInputError('proposal_reworded');
  }
  const saved = await settleAudited(deps, actor, proposal, 'declined');
  if (saved.status === 'confirmed') throw new ProblemInputError('proposal_confirmed');
  return saved;
}

/**
 * The office's queue: proposals of paper imports nobody has decided on yet, by place (the
 * campaign's order of towns and villages), then in 表3's order of categories, then by wording.
 */
export async function officeQueue(deps: ProblemDeps, actor: Person, campaign: Campaign): Promise<Proposal[]> {
  assertCan(isOffice(actor), 'proposal.queue', actor);
  const places = campaign.towns.flatMap((tw) => [tw.id, ...tw.villages.map((v) => `${tw.id}/${v.id}`)]);
  const place = (p: Proposal) => places.indexOf(p.villageId ? `${p.townId}/${p.villageId}` : p.townId);
  const pending = await deps.store.proposalsOf(campaign.id, 'pending', 'paper');
  return pending.sort(
    (a, b) =>
      place(a) - place(b) ||
      PROBLEM_CATEGORIES.indexOf(a.category) - PROBLEM_CATEGORIES.indexOf(b.category) ||
      a.description.localeCompare(b.description, 'zh-CN'),
  );
}

export interface ConfirmAllResult {
  /** Stored now. */
  confirmed: Problem[];
  /** Stored before (by an earlier run, another device, the chat). */
  already: number;
  /** Left in the queue, with why (a wording that is not concrete enough). */
  refused: { proposal: Proposal; reason: ProblemRefusal }[];
}

/** How many proposals are confirmed at once (each a few writes). */
const CONFIRM_CONCURRENCY = 8;

/**
 * 全部确认: every proposal in the office's queue, each exactly once (safe to run again). With
 * `seenQueue` (the tag of the queue its prompt counted, `queueTag`), only that queue: one that
 * gained, lost or reworded a proposal since is refused, nothing recorded.
 */
export async function confirmAllProposals(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  opts: { seenQueue?: string } = {},
): Promise<ConfirmAllResult> {
  const queue = await officeQueue(deps, actor, campaign);
  if (opts.seenQueue !== undefined && opts.seenQueue !== queueTag(queue)) {
    throw new ProblemInputError('queue_changed');
  }
  const result: ConfirmAllResult = { confirmed: [], already: 0, refused: [] };
  for (let i = 0; i < queue.length; i += CONFIRM_CONCURRENCY) {
    await Promise.all(
      queue.slice(i, i + CONFIRM_CONCURRENCY).map(async (proposal) => {
        try {
          const { problem, already } = await confirmProposal(deps, actor, campaign, proposal.id);
          if (already) result.already++;
          else result.confirmed.push(problem);
        } catch (err) {
          if (!(err instanceof ProblemInputError)) throw err;
          result.refused.push({ proposal, reason: err.reason });
        }
      }),
    );
  }
  if (queue.length > 0) {
    await deps.store.appendAudit({
      at: deps.clock.now().toISOString(),
      actorId: actor.id,
      action: 'proposal.confirm_all',
      subject: `proposals:${campaign.id}`,
      details: {
        confirmed: result.confirmed.length,
        already: result.already,
        refused: result.refused.length,
      },
    });
  }
  return result;
}
