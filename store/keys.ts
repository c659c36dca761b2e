// Key and index values of every item (the access-pattern table in dynamo-store.ts explains them).
// '#' separates key parts, so ids must not contain it: keyPart() refuses such ids rather than let
// a crafted id read across another partition's prefix.

import { type AuditEvent, auditDay, type Person, type Problem, type Survey } from '../domain/model';

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
   * The person's entry in the people indexes, a small item beside the person item: the person item
   * (≈5 KB with a draft, written on every answer) carries no index keys, so an answer is not copied
   * into GSI1 and GSI2.
   */
  personDirectory: (id: string): ItemKey => ({ PK: `PERSON#${k(id)}`, SK: 'DIRECTORY' }),
  peopleOfGroup: (groupId: string) => `GROUP#${k(groupId)}`,
  /** Every person sits in one small GSI2 partition; town and role are filters over it. */
  allPeople: 'PEOPLE',
  personIndex(p: Pick<Person, 'id' | 'groupId'>): IndexKeys {
    return {
      ...(p.groupId ? { GSI1PK: keys.peopleOfGroup(p.groupId), GSI1SK: `PERSON#${k(p.id)}` } : {}),
      GSI2PK: keys.allPeople,
      GSI2SK: `PERSON#${k(p.id)}`,
    };
  },

  invite: (code: string): ItemKey => ({ PK: `INVITE#${k(code)}`, SK: 'INVITE' }),

  village: (campaignId: string, villageId: string) => `VILLAGE#${k(campaignId)}#${k(villageId)}`,
  householdList: (campaignId: string, villageId: string): ItemKey => ({
    PK: keys.village(campaignId, villageId),
    SK: 'HOUSEHOLDS',
  }),
  sample: (campaignId: string, villageId: string): ItemKey => ({
    PK: keys.village(campaignId, villageId),
    SK: 'SAMPLE',
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
