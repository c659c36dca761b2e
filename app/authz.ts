// Who may do what (DOMAIN.md §10). Every use case calls one of these before it reads or writes,
// and the survey use cases call them again on every write (an answer, back, pause, submit), so a
// grant revoked while a survey is open stops the next tap, not only the next opening. Each check
// asks whether one grant of the person covers the object: roles held in another group or town
// never count here (domain/grants.ts).

import { type Campaign, groupForTown, townOfVillage } from '../domain/campaign';
import { contactTownsOf, GROUP_ROLES, hasRole, holds, holdsInGroup } from '../domain/grants';
import type { Person, Problem, ProblemAction, Role, Survey } from '../domain/model';

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

type Holder = Pick<Person, 'grants' | 'deactivated'>;

export const isOffice = (p: Holder) => hasRole(p, 'office');

/** The group that checks `townId`, if the person holds one of `roles` in it. */
export function inGroupOfTown(
  p: Holder,
  campaign: Campaign,
  townId: string,
  roles: readonly Role[] = GROUP_ROLES,
): boolean {
  const group = groupForTown(campaign, townId);
  return group !== undefined && holdsInGroup(p, group.id, roles);
}

export function isContactOfTown(p: Holder, townId: string): boolean {
  return holds(p, { role: 'town_contact', townId });
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
  /** Reading a survey: its inspector, the leader of its group, the office. */
  readSurvey(p: Person, s: Survey): boolean {
    if (isOffice(p)) return true;
    if (s.groupId !== undefined && holdsInGroup(p, s.groupId, ['leader'])) return true;
    return s.inspectorId === p.id && (s.groupId === undefined || holdsInGroup(p, s.groupId));
  },
  /** Returning a submitted survey for correction: the leader of its group, or the office. */
  returnSurvey(p: Person, s: Survey): boolean {
    return isOffice(p) || (s.groupId !== undefined && holdsInGroup(p, s.groupId, ['leader']));
  },
  /** Logging a problem found in a town: the group checking it, or the office. */
  logProblem(p: Person, c: Campaign, townId: string): boolean {
    return isOffice(p) || inGroupOfTown(p, c, townId);
  },
  /** Reading a town's problems: the town, the group checking it, the office. */
  readProblems(p: Person, c: Campaign, townId: string): boolean {
    return isOffice(p) || isContactOfTown(p, townId) || inGroupOfTown(p, c, townId);
  },
  /**
   * The town's reports (整改措施, 已整改, 需延期): the town's contact; the check (抽查: 已整改到位 or
   * 未整改到位): the leader of the group checking the town. The office does both.
   */
  actOnProblem(p: Person, c: Campaign, problem: Pick<Problem, 'townId'>, action: ProblemAction): boolean {
    if (isOffice(p)) return true;
    if (action === 'verified' || action === 'rejected')
      return inGroupOfTown(p, c, problem.townId, ['leader']);
    return isContactOfTown(p, problem.townId);
  },
  /** Summaries: the office for any scope; a leader or liaison of the group checking the town. */
  buildSummary(p: Person, c: Campaign, scope: 'city' | string): boolean {
    if (isOffice(p)) return true;
    return scope !== 'city' && inGroupOfTown(p, c, scope, ['leader', 'liaison']);
  },
  /** The photos of a town's visits, as an archive: the office, or the leader of the group checking it. */
  exportEvidence(p: Person, c: Campaign, townId: string): boolean {
    return isOffice(p) || inGroupOfTown(p, c, townId, ['leader']);
  },
  /** Signing off the group report: the leader of the group checking the town. */
  signOffReport(p: Person, c: Campaign, townId: string): boolean {
    return inGroupOfTown(p, c, townId, ['leader']);
  },
  /** 明日检查村: a leader or liaison of the group. */
  planDay(p: Person, groupId: string): boolean {
    return holdsInGroup(p, groupId, ['leader', 'liaison']);
  },
  invite(p: Person): boolean {
    return isOffice(p);
  },
  /** Listing people, revoking grants, deactivating, cancelling invites. */
  managePeople(p: Person): boolean {
    return isOffice(p);
  },
  officeFigures(p: Person): boolean {
    return isOffice(p);
  },
};

/** Towns whose lists this person uploads as the town's contact. */
export const contactTowns = (p: Holder) => contactTownsOf(p);

export function assertCan(allowed: boolean, action: string, p: Pick<Person, 'id'>): void {
  if (!allowed) throw new ForbiddenError(action, p.id);
}
