// Key and index values of every item (the access-pattern table in dynamo-store.ts explains them).
// '#' separates key parts, so ids must not contain it: keyPart() refuses such ids rather than let
// a crafted id read across another partition's prefix.

import { type Grant, grantKey } from '../domain/grants';
import { type AuditEvent, auditDay, type Problem, type Proposal, type Survey } from '../domain/model';

export interface ItemKey {
  PK: string;
  SK: string;
}

export interface IndexKeys {
  GSI1PK?: string;
  GSI1SK?: string;
  GSI2PK?: string;
  GSI2SK?: string;
}

/** An id no stored item can have (empty, or with '#'); the bot answers it as an unknown button. */
export class InvalidKeyError extends RangeError {
  override readonly name = 'InvalidKeyError';
}

export function isKeyPart(value: string): boolean {
  return value !== '' && !value.includes('#');
}

export function keyPart(value: string): string {
  if (!isKeyPart(value)) throw new InvalidKeyError(`invalid id for a key: ${JSON.stringify(value)}`);
  return value;
}

const k = keyPart;

export const keys = {
  campaign: (id: string): ItemKey => ({ PK: `CAMPAIGN#${k(id)}`, SK: 'CAMPAIGN' }),

  person: (id: string): ItemKey => ({ PK: `PERSON#${k(id)}`, SK: 'PERSON' }),
  /**
   * The person's entry in the list of everyone (the office's /people), a small item beside the
   * person item: the person item (written on every answer) carries no index keys, so an answer is
   * not copied into any index.
   */
  personDirectory: (id: string): ItemKey => ({ PK: `PERSON#${k(id)}`, SK: 'DIRECTORY' }),
  allPeople: 'PEOPLE',
  directoryIndex: (id: string): IndexKeys => ({ GSI2PK: keys.allPeople, GSI2SK: `PERSON#${k(id)}` }),
  /**
   * One small item per grant a person holds, beside the person item: GSI1 by its scope (a group's
   * members, a town's contacts), GSI2 by its role (the office, all leaders). The people queries read
   * only the entries that match.
   */
  grantEntry: (personId: string, g: Grant): ItemKey => ({
    PK: `PERSON#${k(personId)}`,
    SK: `GRANT#${k(grantKey(g))}`,
  }),
  grantsOf: (personId: string) => `PERSON#${k(personId)}`,
  peopleOfGroup: (groupId: string) => `SCOPE#group#${k(groupId)}`,
  peopleOfTown: (townId: string) => `SCOPE#town#${k(townId)}`,
  peopleWithRole: (role: string) => `ROLE#${k(role)}`,
  grantIndex(personId: string, g: Grant): IndexKeys {
    const scope = g.groupId
      ? keys.peopleOfGroup(g.groupId)
      : g.townId
        ? keys.peopleOfTown(g.townId)
        : undefined;
    return {
      ...(scope ? { GSI1PK: scope, GSI1SK: `PERSON#${k(personId)}#${k(g.role)}` } : {}),
      GSI2PK: keys.peopleWithRole(g.role),
      GSI2SK: `PERSON#${k(personId)}#${k(grantKey(g))}`,
    };
  },

  invite: (code: string): ItemKey => ({ PK: `INVITE#${k(code)}`, SK: 'INVITE' }),
  /** Unused, uncancelled invites (the keys are removed when one is used or cancelled). */
  openInvites: 'INVITES#OPEN',
  openInviteIndex: (createdAt: string, id: string): IndexKeys => ({
    GSI1PK: keys.openInvites,
    GSI1SK: `${createdAt}#${k(id)}`,
  }),

  village: (campaignId: string, villageId: string) => `VILLAGE#${k(campaignId)}#${k(villageId)}`,
  /** The village's sampling state: the list in force (its info) and, once drawn, the sample. */
  sample: (campaignId: string, villageId: string): ItemKey => ({
    PK: keys.village(campaignId, villageId),
    SK: 'SAMPLE',
  }),
  /** Households of one list, by stratum, in chunks: `HH#<fingerprint 16>#<stratum>#<nnnn>`. */
  householdChunks: (fingerprint: string, stratum?: string) =>
    `HH#${k(fingerprint.slice(0, 16))}#${stratum === undefined ? '' : `${k(stratum)}#`}`,
  householdChunk: (
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: string,
    n: number,
  ) => ({
    PK: keys.village(campaignId, villageId),
    SK: `${keys.householdChunks(fingerprint, stratum)}${String(n).padStart(4, '0')}`,
  }),

  /** The town partition of GSI1 holds the town's surveys and problems. */
  town: (campaignId: string, townId: string) => `TOWN#${k(campaignId)}#${k(townId)}`,

  survey: (id: string): ItemKey => ({ PK: `SURVEY#${k(id)}`, SK: 'SURVEY' }),
  inspector: (personId: string) => `INSPECTOR#${k(personId)}`,
  /** Prefix of a town's surveys on GSI1: all, by status, or by status and village. */
  townSurveys: (status?: string, villageId?: string) =>
    status === undefined
      ? 'SURVEY#'
      : villageId === undefined
        ? `SURVEY#${status}#`
        : `SURVEY#${status}#${k(villageId)}#`,
  inspectorSurveys: (status?: string) => (status === undefined ? 'SURVEY#' : `SURVEY#${status}#`),
  surveyIndex(s: Survey): IndexKeys {
    return {
      GSI1PK: keys.town(s.campaignId, s.townId),
      // '-' stands for "no village" (office surveys); village ids start with a letter.
      GSI1SK: `SURVEY#${s.status}#${s.villageId ? k(s.villageId) : '-'}#${k(s.id)}`,
      GSI2PK: keys.inspector(s.inspectorId),
      GSI2SK: `SURVEY#${s.status}#${k(s.id)}`,
    };
  },

  problem: (id: string): ItemKey => ({ PK: `PROBLEM#${k(id)}`, SK: 'PROBLEM' }),
  campaignProblems: (campaignId: string) => `PROBLEMS#${k(campaignId)}`,
  problemsByStatus: (status?: string) => (status === undefined ? 'PROBLEM#' : `PROBLEM#${status}#`),
  problemIndex(p: Problem): IndexKeys {
    return {
      GSI1PK: keys.town(p.campaignId, p.townId),
      GSI1SK: `PROBLEM#${p.status}#${k(p.id)}`,
      GSI2PK: keys.campaignProblems(p.campaignId),
      GSI2SK: `PROBLEM#${p.status}#${k(p.id)}`,
    };
  },

  /**
   * The reporter's entry of a problem, beside the person item: /problems reads the reporter's
   * entries (one query) and then their problems (BatchGet), never the campaign's problems.
   */
  reportedProblem: (reporterId: string, campaignId: string, problemId: string): ItemKey => ({
    PK: keys.reporter(reporterId),
    SK: `${keys.reportedProblems(campaignId)}${k(problemId)}`,
  }),
  reporter: (reporterId: string) => `PERSON#${k(reporterId)}`,
  reportedProblems: (campaignId: string) => `REPORTED#${k(campaignId)}#`,

  proposal: (campaignId: string, id: string): ItemKey => ({
    PK: `PROPOSAL#${k(campaignId)}#${k(id)}`,
    SK: 'PROPOSAL',
  }),
  campaignProposals: (campaignId: string) => `PROPOSALS#${k(campaignId)}`,
  /** Prefix of a campaign's proposals on GSI1: by status, or by status and origin. */
  proposalsByStatus: (status: string, origin?: string) =>
    origin === undefined ? `PROPOSAL#${k(status)}#` : `PROPOSAL#${k(status)}#${k(origin)}#`,
  proposalIndex(p: Proposal): IndexKeys {
    return {
      GSI1PK: keys.campaignProposals(p.campaignId),
      GSI1SK: `${keys.proposalsByStatus(p.status, p.origin)}${p.proposedAt}#${k(p.id)}`,
    };
  },

  snapshots: (campaignId: string, scope: string) => `SNAPSHOT#${k(campaignId)}#${k(scope)}`,
  snapshot: (campaignId: string, scope: string, builtAt: string): ItemKey => ({
    PK: keys.snapshots(campaignId, scope),
    SK: `BUILT#${builtAt}`,
  }),

  reminder: (reminderId: string) => `REMINDER#${k(reminderId)}`,
  delivery: (reminderId: string, recipientId: string): ItemKey => ({
    PK: keys.reminder(reminderId),
    SK: `TO#${k(recipientId)}`,
  }),

  auditSubject: (subject: string) => `AUDIT#${k(subject)}`,
  auditDay: (day: string) => `AUDITDAY#${k(day)}`,
  /** at + action + actor: the same event appended twice lands on the same key (retry-safe). */
  audit: (e: AuditEvent): ItemKey => ({
    PK: keys.auditSubject(e.subject),
    SK: `${e.at}#${k(e.action)}#${k(e.actorId)}`,
  }),
  auditIndex: (e: AuditEvent): IndexKeys => ({
    GSI1PK: keys.auditDay(auditDay(e.at)),
    GSI1SK: `${e.at}#${k(e.subject)}#${k(e.action)}#${k(e.actorId)}`,
  }),
};
