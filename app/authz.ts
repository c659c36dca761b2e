// Who may do what (DOMAIN.md §10). Every use case calls one of these before it reads or writes,
// so a front end can never reach another group's surveys or another town's problems.

import { type Campaign, groupForTown, townOfVillage } from '../domain/campaign';
import type { Person, Problem, Role, Survey } from '../domain/model';

export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
  constructor(
    readonly action: string,
    readonly personId: string,
  ) {
    super(`person ${personId} may not ${action}`);
  }
}

const GROUP_ROLES: readonly Role[] = ['leader', 'liaison', 'inspector'];

const has = (p: Pick<Person, 'roles'>, ...roles: Role[]) => roles.some((r) => p.roles.includes(r));
export const isOffice = (p: Pick<Person, 'roles'>) => has(p, 'office');

/** A member of the group that checks `townId` (leader, liaison or inspector). */
export function inGroupOfTown(p: Person, campaign: Campaign, townId: string): boolean {
  const group = groupForTown(campaign, townId);
  return group !== undefined && p.groupId === group.id && has(p, ...GROUP_ROLES);
}

export function isContactOfTown(p: Person, townId: string): boolean {
  return has(p, 'town_contact') && p.townId === townId;
}

function townOf(campaign: Campaign, villageId: string): string | undefined {
  return townOfVillage(campaign, villageId)?.id;
}

export const can = {
  /** The town's contact, the group assigned to the town, or the office. */
  uploadList(p: Person, c: Campaign, villageId: string): boolean {
    const town = townOf(c, villageId);
    return town !== undefined && (isOffice(p) || isContactOfTown(p, town) || inGroupOfTown(p, c, town));
  },
  /** Drawing and replacing households: the group and the office. */
  drawSample(p: Person, c: Campaign, villageId: string): boolean {
    const town = townOf(c, villageId);
    return town !== undefined && (isOffice(p) || inGroupOfTown(p, c, town));
  },
  /** Filling household and village surveys of a village: its group. */
  survey(p: Person, c: Campaign, villageId: string): boolean {
    const town = townOf(c, villageId);
    return town !== undefined && inGroupOfTown(p, c, town);
  },
  /** Editing a survey: its own inspector only. */
  editSurvey(p: Person, s: Survey): boolean {
    return s.inspectorId === p.id;
  },
  /** Reading a survey: its inspector, the group's leader, the office. */
  readSurvey(p: Person, s: Survey): boolean {
    return s.inspectorId === p.id || isOffice(p) || (has(p, 'leader') && p.groupId === s.groupId);
  },
  /** Returning a submitted survey for correction: the group's leader or the office. */
  returnSurvey(p: Person, s: Survey): boolean {
    return isOffice(p) || (has(p, 'leader') && p.groupId === s.groupId);
  },
  /** Logging a problem found in a town: the group checking it, or the office. */
  logProblem(p: Person, c: Campaign, townId: string): boolean {
    return isOffice(p) || inGroupOfTown(p, c, townId);
  },
  /** Reading a town's problems: the town, the group checking it, the office. */
  readProblems(p: Person, c: Campaign, townId: string): boolean {
    return isOffice(p) || isContactOfTown(p, townId) || inGroupOfTown(p, c, townId);
  },
  /** Rectification status: the town's contact; verification: the group or the office. */
  updateProblem(p: Person, c: Campaign, problem: Problem, status: Problem['status']): boolean {
    if (isOffice(p)) return true;
    if (status === 'verified') return inGroupOfTown(p, c, problem.townId);
    return isContactOfTown(p, problem.townId);
  },
  /** Summaries: the office for any scope; a group's leader or liaison for their own town. */
  buildSummary(p: Person, c: Campaign, scope: 'city' | string): boolean {
    if (isOffice(p)) return true;
    return scope !== 'city' && has(p, 'leader', 'liaison') && inGroupOfTown(p, c, scope);
  },
  /** Signing off the group report: the group's leader. */
  signOffReport(p: Person, c: Campaign, townId: string): boolean {
    return has(p, 'leader') && inGroupOfTown(p, c, townId);
  },
  invite(p: Person): boolean {
    return isOffice(p);
  },
  officeFigures(p: Person): boolean {
    return isOffice(p);
  },
};

export function assertCan(allowed: boolean, action: string, p: Person): void {
  if (!allowed) throw new ForbiddenError(action, p.id);
}
