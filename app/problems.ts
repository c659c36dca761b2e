// The problem register (表3/表5): inspectors log problems "见事见人、明确具体"; towns rectify them.

import { randomBytes } from 'node:crypto';
import { type Campaign, deadlineInstant, townOfVillage } from '../domain/campaign';
import {
  type Person,
  PROBLEM_CATEGORIES,
  type Problem,
  type ProblemCategory,
  type ProblemStatus,
} from '../domain/model';
import { assertCan, can } from './authz';
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

export type DescriptionVerdict = 'ok' | 'too_short' | 'vague';

/** A description must name something concrete: long enough and not a stock phrase. */
export function judgeDescription(text: string): DescriptionVerdict {
  const t = text.trim();
  if (VAGUE.test(t)) return 'vague';
  if ([...t].length < MIN_DESCRIPTION) return 'too_short';
  return 'ok';
}

export class ProblemInputError extends Error {
  override readonly name = 'ProblemInputError';
  constructor(readonly reason: DescriptionVerdict | 'unknown_category' | 'unknown_village') {
    super(reason);
  }
}

export interface NewProblem {
  category: ProblemCategory;
  townId: string;
  villageId?: string;
  householdId?: string;
  description: string;
  sourceSurveyId?: string;
}

export async function logProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: NewProblem,
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
    id: (deps.newId ?? (() => `pb-${randomBytes(6).toString('hex')}`))(),
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

/** The town reports progress (rectified / needs longer); the group or office verifies. */
export async function updateProblem(
  deps: ProblemDeps,
  actor: Person,
  campaign: Campaign,
  input: { problemId: string; status: ProblemStatus; note?: string; plannedDate?: string },
): Promise<Problem> {
  const problem = await deps.store.getProblem(input.problemId);
  if (!problem || problem.campaignId !== campaign.id) throw new ProblemInputError('unknown_category');
  assertCan(can.updateProblem(actor, campaign, problem, input.status), 'problem.update', actor);
  const saved = await deps.store.saveProblem(
    {
      ...problem,
      status: input.status,
      ...(input.note ? { note: input.note } : {}),
      ...(input.plannedDate ? { plannedDate: input.plannedDate } : {}),
    },
    problem.version,
  );
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    actorId: actor.id,
    action: 'problem.update',
    subject: `problem:${problem.id}`,
    details: { status: input.status },
  });
  return saved;
}
