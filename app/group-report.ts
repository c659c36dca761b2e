// The group report (DOMAIN.md §3 step 6): the leader receives the package for their town (表3, 表4
// and a short generated narrative) with its completeness (submitted of sampled, per village),
// signs it off (签发) — with a reason when work is missing — and a later change to the group's
// surveys or problems marks it 签发后有变更 until the leader signs again. The office sees each
// group's state. Facts decide: the report is done when it is signed and nothing changed since.

import { type Campaign, groupForTown } from '../domain/campaign';
import { groupsOf } from '../domain/grants';
import { type Instant, lastChangeOf, type Person } from '../domain/model';
import { assertCan, can, isOffice } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { surveyIdFor } from './surveys';

export interface GroupReportDeps {
  store: Store;
  clock: Clock;
}

/** Audit action and subject of a sign-off (one event per signing; the newest counts). */
export const GROUP_REPORT_SIGN_OFF = 'group_report.sign_off';
export const groupReportSubject = (c: Pick<Campaign, 'id'>, groupId: string) =>
  `group_report:${c.id}/${groupId}`;

/** A reason for signing with work missing is a sentence, not a tap. */
export const MIN_SIGN_OFF_REASON = 4;

export class SignOffError extends Error {
  override readonly name = 'SignOffError';
  constructor(
    readonly reason: 'reason_required' | 'unchanged' | 'changed',
    /** For 'changed': what changed after the package was shown. */
    readonly changes?: { surveys: number; problems: number },
  ) {
    super(reason);
  }
}

/**
 * The package a leader signs, as it was shown: when it was built (taken before its facts were
 * read) and how much work it said was missing. A signature is for what the leader saw.
 */
export interface ShownReport {
  at: Instant;
  missing: number;
}

export interface VillageCompleteness {
  villageId: string;
  name: string;
  /** Households in the sample that are not replaced. */
  sampled: number;
  submitted: number;
  villageSurveySubmitted: boolean;
}

export interface SignOff {
  groupId: string;
  townId: string;
  at?: Instant;
  by?: string;
  /** Signed with work missing: how much, and why. */
  missing?: number;
  reason?: string;
}

export interface ReportState {
  groupId: string;
  townId: string;
  /** Villages whose sample is drawn (the ones the group inspected). */
  villages: VillageCompleteness[];
  /** Households sampled but not submitted, plus village surveys not submitted. */
  missing: number;
  signOff?: SignOff;
  /** Changes to the group's surveys and problems after the sign-off. */
  changedSince?: { surveys: number; problems: number };
  /** Changes after the instant reportState was asked about (the package shown), if any. */
  changedAfter?: { surveys: number; problems: number };
  /** Signed, and nothing changed since: the report is done. */
  done: boolean;
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

/**
 * The report's state from the facts: the samples, the submitted surveys and problems of the
 * town, and the sign-off events. Reads a village state item per village and the town's submitted
 * surveys; used by the leader's screen, the office's /signoffs and the reminders.
 */
export async function reportState(
  store: Store,
  campaign: Campaign,
  groupId: string,
  /** Also count what changed after this instant (ReportState.changedAfter). */
  since?: Instant,
): Promise<ReportState> {
  const group = campaign.groups.find((g) => g.id === groupId);
  const town = campaign.towns.find((t) => t.id === group?.townId);
  if (!group || !town) throw new Error(`unknown group ${groupId}`);
  // Which surveys are submitted (and when), and which returned, come from the village aggregates:
  // one query of small items, however many surveys the town has.
  const [states, aggregates, problems, events] = await Promise.all([
    Promise.all(town.villages.map((v) => store.getVillageState(campaign.id, v.id))),
    store.villageAggregatesOfTown(campaign.id, town.id),
    store.problemsOfTown(campaign.id, town.id),
    store.auditOf(groupReportSubject(campaign, groupId)),
  ]);
  const submitted = aggregates.flatMap((a) =>
    Object.entries(a.submitted).map(([id, m]) => ({ id, at: m.at })),
  );
  const returned = aggregates.flatMap((a) => Object.entries(a.returned).map(([id, at]) => ({ id, at })));
  const submittedIds = new Set(submitted.map((s) => s.id));
  const villages: VillageCompleteness[] = [];
  town.villages.forEach((v, i) => {
    const sample = states[i]?.sample;
    if (!sample) return;
    const picks = sample.picks.filter((p) => p.status !== 'replaced');
    villages.push({
      villageId: v.id,
      name: v.name,
      sampled: picks.length,
      submitted: picks.filter((p) =>
        submittedIds.has(
          surveyIdFor(campaign.id, { kind: 'household', villageId: v.id, householdId: p.householdId }),
        ),
      ).length,
      villageSurveySubmitted: submittedIds.has(
        surveyIdFor(campaign.id, { kind: 'village', villageId: v.id }),
      ),
    });
  });
  const missing = villages.reduce(
    (n, v) => n + (v.sampled - v.submitted) + (v.villageSurveySubmitted ? 0 : 1),
    0,
  );
  /** Surveys submitted or returned, and problems changed in any way, after an instant. */
  const changesAfter = (instant: Instant) => {
    const after = (at?: string) => at !== undefined && at > instant;
    const surveys = submitted.filter((s) => after(s.at)).length + returned.filter((s) => after(s.at)).length;
    // Any change: a report or a check after the town's first one, a photo, an edit (lastChangeOf).
    const changed = problems.filter((p) => after(lastChangeOf(p))).length;
    return surveys + changed > 0 ? { surveys, problems: changed } : undefined;
  };
  const shown = since !== undefined ? changesAfter(since) : undefined;
  const changedAfter = shown ? { changedAfter: shown } : {};
  const last = events.filter((e) => e.action === GROUP_REPORT_SIGN_OFF).at(-1);
  if (!last) return { groupId, townId: town.id, villages, missing, done: false, ...changedAfter };
  const signOff: SignOff = {
    groupId,
    townId: town.id,
    at: last.at,
    by: last.actorId,
    ...(typeof last.details?.missing === 'number' && last.details.missing > 0
      ? { missing: last.details.missing }
      : {}),
    ...(typeof last.details?.reason === 'string' ? { reason: last.details.reason } : {}),
  };
  const changedSince = changesAfter(last.at);
  return {
    groupId,
    townId: town.id,
    villages,
    missing,
    signOff,
    ...(changedSince ? { changedSince } : {}),
    ...changedAfter,
    done: !changedSince,
  };
}

/** The leader's view of one group they lead. */
export async function leaderReportState(
  deps: GroupReportDeps,
  leader: Person,
  campaign: Campaign,
  groupId?: string,
): Promise<ReportState> {
  const group = groupOf(leader, campaign, groupId);
  assertCan(can.signOffReport(leader, campaign, group.townId), 'group_report.read', leader);
  return reportState(deps.store, campaign, group.id);
}

/**
 * 签发. A signature is for the package the leader was shown (`opts.shown`): if a survey or a
 * problem changed after it was built, or its count of missing work no longer holds, nothing is
 * signed (SignOffError 'changed', with what changed) and the leader is shown the package anew.
 * Signing with work missing needs a reason (SignOffError 'reason_required' without one);
 * signing again is allowed only when something changed since the last sign-off (else the
 * existing sign-off is returned). The reason goes to the audit trail: it is the leader's words
 * about the work, not personal data.
 */
export async function signOffGroupReport(
  deps: GroupReportDeps,
  leader: Person,
  campaign: Campaign,
  groupId?: string,
  opts: { reason?: string; shown?: ShownReport } = {},
): Promise<SignOff> {
  const group = groupOf(leader, campaign, groupId);
  assertCan(can.signOffReport(leader, campaign, group.townId), 'group_report.sign_off', leader);
  const state = await reportState(deps.store, campaign, group.id, opts.shown?.at);
  if (opts.shown && (state.changedAfter || state.missing !== opts.shown.missing))
    throw new SignOffError('changed', state.changedAfter ?? { surveys: 0, problems: 0 });
  if (state.signOff && state.done) return state.signOff;
  const reason = opts.reason?.trim();
  if (state.missing > 0 && (!reason || [...reason].length < MIN_SIGN_OFF_REASON))
    throw new SignOffError('reason_required');
  const at = deps.clock.now().toISOString();
  await deps.store.appendAudit({
    at,
    actorId: leader.id,
    action: GROUP_REPORT_SIGN_OFF,
    subject: groupReportSubject(campaign, group.id),
    details: {
      groupId: group.id,
      townId: group.townId,
      missing: state.missing,
      ...(state.missing > 0 && reason ? { reason } : {}),
      ...(state.signOff ? { resigned: true } : {}),
      // Which package was signed: the one built at this instant.
      ...(opts.shown ? { shownAt: opts.shown.at } : {}),
    },
  });
  return {
    groupId: group.id,
    townId: group.townId,
    at,
    by: leader.id,
    ...(state.missing > 0 ? { missing: state.missing, ...(reason ? { reason } : {}) } : {}),
  };
}

/** For the office: each group's report state. */
export async function signOffStatus(
  deps: GroupReportDeps,
  actor: Person,
  campaign: Campaign,
): Promise<ReportState[]> {
  assertCan(isOffice(actor), 'group_report.status', actor);
  return Promise.all(
    campaign.groups.map((g) =>
      reportState(deps.store, campaign, groupForTown(campaign, g.townId)?.id ?? g.id),
    ),
  );
}
