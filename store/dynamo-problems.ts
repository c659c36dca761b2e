// Problems, their proposals and the reporters' entries in DynamoDB, behind the DynamoStore facade
// (store/dynamo-store.ts: design decisions and access patterns). One module because they are
// written together: a problem confirmed from a proposal and the stored proposal take ids derived
// from the proposal's key and are created once, and a problem's reporter entry (PK
// PERSON#<reporter>, SK REPORTED#…) is written before it, so that a retried creation is safe.

import type { Problem, ProblemStatus, Proposal, ProposalOrigin, ProposalStatus } from '../domain/model';
import { decode, type Item, TableModule } from './dynamo-base';
import { keys } from './keys';

export class Problems extends TableModule {
  // -------------------------------------------------------------------------------------------
  // Problems

  async putProblem(problem: Problem): Promise<Problem> {
    const stored: Problem = { ...problem, version: 1 };
    // The reporter's entry first: a create cut off (or lost to another reporter's) after it leaves
    // an entry naming a problem that is missing or not theirs, which problemsOfReporter skips. An
    // upsert: writing it again (a retry, a second confirmation) changes nothing that is read.
    await this.items.upsert(keys.reportedProblem(problem.reporterId, problem.campaignId, problem.id), {
      entity: 'reportedProblem',
      id: problem.id,
    });
    await this.items.createOnce('problem', problem.id, problemItem(stored));
    return stored;
  }

  async getProblem(id: string): Promise<Problem | undefined> {
    const item = await this.items.get(keys.problem(id));
    return item ? decode<Problem>(item) : undefined;
  }

  async saveProblem(problem: Problem, expectVersion: number): Promise<Problem> {
    const stored: Problem = { ...problem, version: expectVersion + 1 };
    await this.items.saveVersioned(
      'problem',
      problem.id,
      keys.problem(problem.id),
      problemItem(stored),
      expectVersion,
    );
    return stored;
  }

  async problemsOfTown(campaignId: string, townId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.items.queryAs<Problem>({
      index: 'GSI1',
      pk: keys.town(campaignId, townId),
      skPrefix: keys.problemsByStatus(status),
    });
  }

  async problemsOfCampaign(campaignId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.items.queryAs<Problem>({
      index: 'GSI2',
      pk: keys.campaignProblems(campaignId),
      skPrefix: keys.problemsByStatus(status),
    });
  }

  async problemsOfReporter(campaignId: string, reporterId: string): Promise<Problem[]> {
    const entries = await this.items.query({
      pk: keys.reporter(reporterId),
      skPrefix: keys.reportedProblems(campaignId),
    });
    const items = await this.items.batchGet(entries.map((e) => keys.problem(String(e.id))));
    return items
      .map((i) => decode<Problem>(i))
      .filter((p) => p.reporterId === reporterId && p.campaignId === campaignId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  // -------------------------------------------------------------------------------------------
  // Problem proposals

  async putProposal(proposal: Proposal): Promise<Proposal> {
    const stored: Proposal = { ...proposal, version: 1 };
    await this.items.createOnce('problem', `proposal ${proposal.id}`, proposalItem(stored));
    return stored;
  }

  async getProposal(campaignId: string, id: string): Promise<Proposal | undefined> {
    const item = await this.items.get(keys.proposal(campaignId, id));
    return item ? decode<Proposal>(item) : undefined;
  }

  async saveProposal(proposal: Proposal, expectVersion: number): Promise<Proposal> {
    const stored: Proposal = { ...proposal, version: expectVersion + 1 };
    await this.items.saveVersioned(
      'problem',
      `proposal ${proposal.id}`,
      keys.proposal(proposal.campaignId, proposal.id),
      proposalItem(stored),
      expectVersion,
    );
    return stored;
  }

  async proposalsOf(
    campaignId: string,
    status: ProposalStatus,
    origin?: ProposalOrigin,
  ): Promise<Proposal[]> {
    const proposals = await this.items.queryAs<Proposal>({
      index: 'GSI1',
      pk: keys.campaignProposals(campaignId),
      skPrefix: keys.proposalsByStatus(status, origin),
    });
    return proposals.sort(byProposedAt);
  }
}

// ---------------------------------------------------------------------------------------------
// Items ⇄ aggregates

function problemItem(p: Problem): Item {
  return { ...keys.problem(p.id), ...keys.problemIndex(p), entity: 'problem', ...p };
}

function proposalItem(p: Proposal): Item {
  return { ...keys.proposal(p.campaignId, p.id), ...keys.proposalIndex(p), entity: 'proposal', ...p };
}

/** Oldest first, ties by id (the index sorts by origin first when no origin is asked for). */
const byProposedAt = (a: Proposal, b: Proposal) =>
  a.proposedAt < b.proposedAt ? -1 : a.proposedAt > b.proposedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
