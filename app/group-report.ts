// The group report (DOMAIN.md §3 step 6): the leader receives the package for their town (表3, 表4
// and a short generated narrative), signs it off (签发); the office sees which groups have.

import { type Campaign, groupForTown } from '../domain/campaign';
import { groupsOf } from '../domain/grants';
import type { Instant, Person } from '../domain/model';
import { assertCan, can, isOffice } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { GROUP_REPORT_SIGN_OFF, groupReportSubject } from './reminders';

export interface GroupReportDeps {
  store: Store;
  clock: Clock;
}

export interface SignOff {
  groupId: string;
  townId: string;
  at?: Instant;
  by?: string;
}

/** The group whose report this leader signs: the one named, or the only one they lead. */
function groupOf(person: Person, campaign: Campaign, groupId?: string) {
  const led = groupsOf(person, ['leader']);
  const id = groupId ?? (led.length === 1 ? led[0] : undefined);
  const group = campaign.groups.find((g) => g.id === id && led.includes(g.id));
  if (!group) assertCan(false, 'group_report', person);
  return group as NonNullable<typeof group>;
}

/** The town whose report this leader signs. */
export function reportTownOf(person: Person, campaign: Campaign, groupId?: string): string {
  const group = groupOf(person, campaign, groupId);
  assertCan(can.signOffReport(person, campaign, group.townId), 'group_report.read', person);
  return group.townId;
}

/** 签发: recorded once (a second press keeps the first time). */
export async function signOffGroupReport(
  deps: GroupReportDeps,
  leader: Person,
  campaign: Campaign,
  groupId?: string,
): Promise<SignOff> {
  const group = groupOf(leader, campaign, groupId);
  assertCan(can.signOffReport(leader, campaign, group.townId), 'group_report.sign_off', leader);
  const subject = groupReportSubject(campaign, group.id);
  const earlier = (await deps.store.auditOf(subject)).find((e) => e.action === GROUP_REPORT_SIGN_OFF);
  if (earlier) return { groupId: group.id, townId: group.townId, at: earlier.at, by: earlier.actorId };
  const at = deps.clock.now().toISOString();
  await deps.store.appendAudit({
    at,
    actorId: leader.id,
    action: GROUP_REPORT_SIGN_OFF,
    subject,
    details: { groupId: group.id, townId: group.townId },
  });
  return { groupId: group.id, townId: group.townId, at, by: leader.id };
}

/** For the office: each group's sign-off (absent `at` = not yet). */
export async function signOffStatus(
  deps: GroupReportDeps,
  actor: Person,
  campaign: Campaign,
): Promise<SignOff[]> {
  assertCan(isOffice(actor), 'group_report.status', actor);
  return Promise.all(
    campaign.groups.map(async (g) => {
      const first = (await deps.store.auditOf(groupReportSubject(campaign, g.id))).find(
        (e) => e.action === GROUP_REPORT_SIGN_OFF,
      );
      const townId = groupForTown(campaign, g.townId)?.townId ?? g.townId;
      return { groupId: g.id, townId, ...(first ? { at: first.at, by: first.actorId } : {}) };
    }),
  );
}
