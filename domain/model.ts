// The aggregates the product stores, as plain types (DOMAIN.md §2, §9, §10). No I/O here: the
// Store port (app/ports.ts) reads and writes these shapes; the DynamoDB adapter (store/) and the
// in-memory twin (app/memory-store.ts) agree on them. Timestamps are ISO-8601 UTC strings
// (`new Date().toISOString()`); they compare correctly as strings, which the stores rely on.

import type { Role } from './campaign';
import type { Evidence, PhotoEvidence } from './evidence';
import type { Answers, AnswerValue, Confirmation, StratumId, VillageType } from './forms/types';
import type { Deactivation, Grant } from './grants';
import type { Household } from './household-list';

export type { Role } from './campaign';
export * from './errors';
export type { Evidence, LocationEvidence, PhotoEvidence } from './evidence';
export type { Deactivation, Grant } from './grants';

/** ISO-8601 UTC instant, e.g. "2017-10-23T02:15:00.000Z". */
export type Instant = string;

// ---------------------------------------------------------------------------------------------
// People and their chat session

export interface Person {
  /** String(Telegram user id). */
  id: string;
  /** What the person may do: each (role, scope) given once, never widened by another (domain/grants.ts). */
  grants: Grant[];
  /** Set by the office: no grant counts any more and every message is answered 您已被停用. */
  deactivated?: Deactivation;
  /**
   * The last time a deactivation was undone: with `deactivated`, the person's standing a 停用 or
   * 恢复 button was shown with (standingOf, below).
   */
  reactivated?: Deactivation;
  chatId?: number;
  /** Telegram first name, for greetings; never logged. */
  displayName?: string;
  /** Telegram answered 403 (blocked the bot); reminders skip them until they write again. */
  unreachable?: boolean;
  /** The highest Telegram update id applied to this person (the high-water mark). */
  lastUpdateId: number;
  /**
   * The last few update ids applied (newest last, at most RECENT_UPDATE_WINDOW). A repeat is an id
   * in this window (or older than all of a full window): see isUpdateApplied. A window rather than
   * only `id > lastUpdateId`: Telegram may deliver two updates of one person concurrently, and if
   * the newer one is written first the older one is new, not a repeat; it must be applied after
   * re-reading, or the answer is lost.
   */
  recentUpdateIds?: number[];
  session: ChatSession;
  version: number;
  createdAt: Instant;
  updatedAt: Instant;
}

export interface ChatSession {
  /** The bot's current screen id. */
  screen?: string;
  /** Small screen state (a page number, a pending choice). */
  data?: Record<string, string | number>;
  /** The open survey's working state: the hot path reads and writes only the person item. */
  draft?: Draft;
}

export interface EditEntry {
  at: Instant;
  /** Person id. */
  by: string;
  questionId: string;
  old?: AnswerValue;
  new?: AnswerValue;
  /** Why the office corrected a submitted answer (`npm run import -- --update`). */
  reason?: string;
}

/** What the engine needs besides the answers, copied in when a draft opens (no read per answer). */
export interface DraftContext {
  townId: string;
  villageId?: string;
  householdId?: string;
  stratum?: StratumId;
  villageType?: VillageType;
  /** Values offered for prefilled questions (the sampled name and stratum, the village type …). */
  prefill: Record<string, AnswerValue>;
  /**
   * The pick's place in the village's sample, set once the pick is marked started (so it can no
   * longer be replaced): submitting marks it surveyed there without reading the sample first.
   */
  pickIndex?: number;
}

/**
 * A confirmation the inspector must give before an answer is taken: a soft check (confirm, or a
 * one-line reason), or an edit that would clear other answers (DOMAIN.md: say what it costs).
 */
export interface PendingConfirmation {
  questionId: string;
  value: AnswerValue;
  check: string;
  message: string;
  needsReason: boolean;
  /** 'edit': the answer clears `drops` when confirmed. Absent = a soft check. */
  kind?: 'soft' | 'edit';
  /** The soft check already confirmed on the way to an edit confirmation (with its reason). */
  confirmed?: { reason?: string };
  /** What the edit clears: question ids, why, and for an invalid one the check it now fails. */
  drops?: { id: string; why: 'inapplicable' | 'invalid'; message?: string }[];
}

/** A paused correction of the office's submitted figures. */
export interface FiguresCorrection {
  answers: Answers;
  confirmations: Record<string, Confirmation>;
  history: EditEntry[];
  /** The submitted figures it started from (`Draft.figuresBase`); absent on items written before. */
  base?: string;
}

export interface Draft {
  surveyId: string;
  kind: SurveyKind;
  formId: string;
  formVersion: number;
  /** The Survey item's version this draft started from (written back when paused/submitted). */
  version: number;
  /** The survey's history length when the draft opened; + history.length = the revision buttons carry. */
  baseRev: number;
  answers: Answers;
  confirmations: Record<string, Confirmation>;
  /** The question being asked; absent = the review. */
  cursor?: string;
  pending?: PendingConfirmation;
  /** Answers given since the draft opened (appended to the survey's history on write-back). */
  history: EditEntry[];
  /**
   * The office's figures only: which submitted figures this draft started from (app/surveys.ts
   * figuresStateOf). Submitting it over figures submitted or corrected since by someone else is
   * refused: it would put their old values back and drop their history.
   */
  figuresBase?: string;
  context: DraftContext;
  /**
   * Answers an edit cleared, kept so that changing the answer back restores them (and with them
   * their soft-check confirmations). Never submitted; dropped with the draft.
   */
  stash?: { answers: Answers; confirmations: Record<string, Confirmation> };
  /** Questions asked again because an edit made their answer fail a check: why, to say so. */
  reasked?: Record<string, string>;
  /** How many answers the last step restored from the stash (shown once: 已恢复 N 个答案). */
  restored?: number;
  /** Photos and location sent during the survey (DOMAIN.md §11): references, never the bytes. */
  evidence?: Evidence;
}

export interface Invite {
  /** The deep-link code of `/start <code>`; a one-time bearer secret. */
  code: string;
  /** A public handle (a hash of the code) for lists and buttons, which must never show the code. */
  id: string;
  role: Role;
  groupId?: string;
  townId?: string;
  /** Person id of the issuer. */
  createdBy: string;
  createdAt: Instant;
  expiresAt: Instant;
  usedBy?: string;
  usedAt?: Instant;
  /** The office withdrew it before anyone used it. */
  cancelledAt?: Instant;
  cancelledBy?: string;
}

// ---------------------------------------------------------------------------------------------
// Household lists and samples (one each per village)

/** What is known of a village's list without reading its households (one small item). */
export interface HouseholdListInfo {
  campaignId: string;
  villageId: string;
  /** listFingerprint() of the households; the sample records it. */
  fingerprint: string;
  count: number;
  byStratum: Partial<Record<StratumId, number>>;
  uploadedBy: string;
  uploadedAt: Instant;
  fileName: string;
  /** Columns of the file that were not kept (phone, 身份证号 …), as written in its header. */
  droppedColumns?: string[];
}

export interface HouseholdList extends HouseholdListInfo {
  households: Household[];
}

export type ReplacementReason = 'absent' | 'refused' | 'moved' | 'other';
export type PickStatus = 'selected' | 'replaced' | 'surveyed';

export interface SampleEntry {
  householdId: string;
  name: string;
  stratum: StratumId;
  status: PickStatus;
  /** The household that took this one's place. */
  replacedBy?: string;
  replacement?: { reason: ReplacementReason; note?: string; by: string; at: Instant };
  /** Set when this pick was added on site rather than by the draw, with who and why. */
  onSite?: { reason: string; by: string; at: Instant };
  /** A survey of this household was opened: from then on it cannot be replaced. */
  startedAt?: Instant;
  startedBy?: string;
}

export interface Sample {
  campaignId: string;
  villageId: string;
  seed: string;
  /** Fingerprint of the household list the draw used. */
  fingerprint: string;
  drawnBy: string;
  drawnAt: Instant;
  picks: SampleEntry[];
  shortfalls: { stratum: StratumId; quota: number; available: number }[];
  version: number;
}

// ---------------------------------------------------------------------------------------------
// Surveys

export type SurveyKind = 'household' | 'village' | 'office';
export const SURVEY_STATUSES = ['draft', 'submitted', 'returned'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];

export interface Survey {
  id: string;
  campaignId: string;
  kind: SurveyKind;
  formId: string;
  formVersion: number;
  townId: string;
  villageId?: string;
  householdId?: string;
  groupId?: string;
  /** Person id. */
  inspectorId: string;
  status: SurveyStatus;
  answers: Answers;
  confirmations: Record<string, Confirmation>;
  flags: string[];
  history: EditEntry[];
  returnReason?: string;
  returnedBy?: string;
  /** When it was returned (equal to updatedAt until the inspector saves it again). */
  returnedAt?: Instant;
  /** The question the leader pointed at when returning the survey. */
  returnQuestion?: string;
  /**
   * Its inspector lost the grant that covered it (deactivated, or moved out of the group): the
   * unfinished survey went back to the group, and the next group member who opens it takes it over.
   */
  released?: { from: string; at: Instant; by: string; reason: 'deactivated' | 'revoked' };
  /**
   * The office's figures reopened after submission (the office corrects its own figures at any
   * time): the edits in progress, kept apart so the submitted figures stay in force until the
   * office submits again.
   */
  pendingEdit?: FiguresCorrection;
  /**
   * The same, one per office user (by person id): two people correcting at once each keep their
   * own, and one's submit never drops the other's paused work. `pendingEdit` is the single shared
   * correction of items written before; it is read, and no longer written.
   */
  pendingEdits?: Record<string, FiguresCorrection>;
  /** When the figures were last submitted again after a correction, and by whom. */
  resubmittedAt?: Instant;
  resubmittedBy?: string;
  /**
   * When the office last corrected the submitted answers (an edited raw export imported with
   * `--update`): the village aggregate's marker takes this time, so a group report signed off
   * before it shows 签发后有变更.
   */
  correctedAt?: Instant;
  /** The visit's photos and location, as the inspector sent them (references only). */
  evidence?: Evidence;
  /** The keys of the problem proposals its answers raised when last submitted or corrected. */
  proposalKeys?: string[];
  /**
   * Keys the submission before raised and the last one no longer does: their undecided proposals
   * are superseded (app/problems.ts supersedeProposals). Stored, so that a submit or an import
   * cut off before superseding finishes it when repeated.
   */
  droppedProposalKeys?: string[];
  /**
   * The household as the sample drew it (name, stratum, place in the sample), copied in when the
   * survey is created: reopening it needs no read of the sample.
   */
  sampled?: { name: string; stratum: StratumId; index: number };
  /** Every submission (the first, and each after a return), written with the submit itself. */
  submissions?: { at: Instant; by: string }[];
  submittedAt?: Instant;
  version: number;
  createdAt: Instant;
  updatedAt: Instant;
}

// ---------------------------------------------------------------------------------------------
// Problems (表3 / 表5)

export const PROBLEM_CATEGORIES = [
  'identification_missed',
  'assistance_measures',
  'assistance_projects',
  'assistance_funds',
  'assistance_policy',
  'assistance_stationed',
  'exit_wrongful',
  'other',
] as const;
export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];
/**
 * DOMAIN.md §9: `open` → `rectifying` (the town reported 整改措施 and 责任人) → `rectified` (the town
 * reported it done) → `verified` (抽查: 已整改到位; 未整改到位 reopens it), or `needs_longer` (a
 * planned date and a reason: the written list). `withdrawn`: the reporter took it back before the
 * town acted on it; it leaves 表3, 表5 and the reminders but stays in the store and the audit trail.
 */
export const PROBLEM_STATUSES = [
  'open',
  'rectifying',
  'rectified',
  'verified',
  'needs_longer',
  'withdrawn',
] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/**
 * What a problem counts as beside 表4 (DOMAIN.md §8, §9): one household or person suspected of 漏评,
 * one household judged 错退, or a 返贫 finding (filed under 错退 in 表3, reported beside it).
 */
export type ProblemSuspect = 'missed' | 'wrongful_exit' | 'relapse';

export interface Problem {
  id: string;
  campaignId: string;
  townId: string;
  villageId?: string;
  householdId?: string;
  category: ProblemCategory;
  description: string;
  reporterId: string;
  createdAt: Instant;
  deadline: Instant;
  status: ProblemStatus;
  /** 整改措施 and 责任人, as the town reported them (the latest report). */
  measures?: string;
  responsible?: string;
  /** What the town said when it reported the problem rectified. */
  rectifiedNote?: string;
  /** "needs longer": the date the town plans to finish (YYYY-MM-DD) and why. */
  plannedDate?: string;
  delayReason?: string;
  /** The latest 抽查 of the rectification: by the group's leader or the office. */
  check?: ProblemCheck;
  /** Every status change, oldest first: who, when, from → to, with the texts (the card's history). */
  events?: ProblemEvent[];
  sourceSurveyId?: string;
  /** The proposal it was confirmed from (domain/proposals.ts); its id is derived from this key. */
  proposalKey?: string;
  suspect?: ProblemSuspect;
  /**
   * When the town (or anyone but the reporter) first acted on it: from then on the reporter can
   * no longer edit or withdraw it (reporterMayChange). Every town action must set it.
   */
  townActedAt?: Instant;
  /** When the reporter last edited or withdrew it. */
  changedAt?: Instant;
  /** Photos of what was found (the reporter) or of the rectification (the town, the group). */
  photos?: PhotoEvidence[];
  version: number;
}

export interface ProblemCheck {
  passed: boolean;
  /** Why it is not rectified (未整改到位). */
  reason?: string;
  by: string;
  at: Instant;
}

export type ProblemAction = 'measures' | 'rectified' | 'needs_longer' | 'verified' | 'rejected';

export interface ProblemEvent {
  at: Instant;
  by: string;
  action: ProblemAction;
  from: ProblemStatus;
  to: ProblemStatus;
  /** The texts of the action: measures and responsible, a note, a date and reason, a check reason. */
  texts?: Readonly<Record<string, string>>;
}

/** The reporter may edit or withdraw a problem while it is open and nobody else has acted on it. */
export function reporterMayChange(p: Pick<Problem, 'status' | 'townActedAt'>): boolean {
  return p.status === 'open' && p.townActedAt === undefined;
}

/**
 * Whether a person is deactivated, and since when (or when last reactivated): what a 停用 or
 * 恢复 button was shown with. Not the person's version: that changes with every answer they give.
 */
export function standingOf(p: Person): string {
  const ms36 = (iso: string) => Date.parse(iso).toString(36);
  if (p.deactivated) return `d${ms36(p.deactivated.at)}`;
  return p.reactivated ? `a${ms36(p.reactivated.at)}` : 'a';
}

/**
 * When anything about a problem last changed: logged, edited or withdrawn by its reporter, any
 * report or check (each is an event), a photo added. What a signed report covers is judged by it.
 */
export function lastChangeOf(
  p: Pick<Problem, 'createdAt' | 'changedAt' | 'townActedAt' | 'events' | 'check' | 'photos'>,
): Instant {
  let last = p.createdAt;
  for (const at of [
    p.changedAt,
    p.townActedAt,
    p.check?.at,
    ...(p.events ?? []).map((e) => e.at),
    ...(p.photos ?? []).map((ph) => ph.at),
  ])
    if (at !== undefined && at > last) last = at;
  return last;
}

/** Which rule of DOMAIN.md §9 proposed a problem (domain/proposals.ts). */
export type ProposalKind =
  | 'wrongful_exit'
  | 'missed_household'
  | 'missed_named'
  | 'village_unlisted'
  | 'village_relapse'
  | 'village_policy'
  | 'village_records';

/** A problem a submitted survey proposes, before anyone decides on it (domain/proposals.ts). */
export interface ProblemProposal {
  /** Stable: (survey, kind, subject); the proposal's and the problem's ids are derived from it. */
  key: string;
  kind: ProposalKind;
  category: ProblemCategory;
  suspect?: ProblemSuspect;
  townId: string;
  villageId?: string;
  householdId?: string;
  description: string;
  sourceSurveyId: string;
}

/**
 * 'superseded': the survey's answers changed (a correction, a resubmit after a return) and no
 * longer raise it; nobody decided on it. Offered again if later answers raise it again.
 */
export const PROPOSAL_STATUSES = ['pending', 'confirmed', 'declined', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
/** Proposals of chat submits wait for their inspector; paper imports' wait in the office's queue. */
export type ProposalOrigin = 'chat' | 'paper';

/** A proposal as stored, once per (campaign, key), with the decision taken on it. */
export interface Proposal extends ProblemProposal {
  id: string;
  campaignId: string;
  origin: ProposalOrigin;
  /** Who submitted (chat) or imported (paper) the survey that first proposed it. */
  proposedBy: string;
  proposedAt: Instant;
  status: ProposalStatus;
  decidedBy?: string;
  decidedAt?: Instant;
  /** The problem confirmed from it. */
  problemId?: string;
  version: number;
}

// ---------------------------------------------------------------------------------------------
// Summaries, reminders, audit

export interface SummarySnapshot {
  campaignId: string;
  /** 'city' or a town id. */
  scope: string;
  builtAt: Instant;
  builtBy: string;
  data: unknown;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'acknowledged' | 'unreachable';

export interface ReminderDelivery {
  reminderId: string;
  recipientId: string;
  status: DeliveryStatus;
  attempts: number;
  sentAt?: Instant;
  ackAt?: Instant;
  lastError?: string;
  /** A pending claim is the claimant's until then; after it, another run may take it over. */
  leaseUntil?: Instant;
}

/** What markDelivery changes; `attempted` counts one more send attempt. */
export interface DeliveryUpdate {
  status: DeliveryStatus;
  attempted?: boolean;
  sentAt?: Instant;
  ackAt?: Instant;
  lastError?: string;
}

export interface AuditEvent {
  at: Instant;
  actorId: string;
  /** `noun.verb`: 'survey.submit', 'sample.draw', 'reminder.sent', … */
  action: string;
  /** What it is about, e.g. 'survey:<id>', 'sample:<campaign>/<village>'. */
  subject: string;
  /** Ids and counts only, never names or answers (audit is read by the office and may be logged). */
  details?: Record<string, string | number | boolean>;
}

// ---------------------------------------------------------------------------------------------
// Tiny pure helpers

/** How many applied update ids a person remembers for duplicate detection. */
export const RECENT_UPDATE_WINDOW = 20;

/** The update ids to store after applying `updateId`. */
export function rememberUpdate(recent: readonly number[] | undefined, updateId: number): number[] {
  return [...(recent ?? []), updateId].slice(-RECENT_UPDATE_WINDOW);
}

/**
 * Whether a Telegram update was already applied to this person: its id is in the window, or the
 * window is full and the id is older than all of it. Use it instead of `id <= lastUpdateId`.
 */
export function isUpdateApplied(person: Pick<Person, 'recentUpdateIds'>, updateId: number): boolean {
  const recent = person.recentUpdateIds ?? [];
  if (recent.includes(updateId)) return true;
  return recent.length >= RECENT_UPDATE_WINDOW && updateId < Math.min(...recent);
}

/** The UTC day (YYYY-MM-DD) an audit event is filed under. */
export function auditDay(at: Instant): string {
  return at.slice(0, 10);
}

export function isInviteUsable(
  invite: Invite,
  personId: string,
  at: Instant,
): 'ok' | 'used' | 'expired' | 'cancelled' {
  if (invite.cancelledAt !== undefined) return 'cancelled';
  if (invite.usedBy !== undefined && invite.usedBy !== personId) return 'used';
  // The same person retrying after a crash may use their invite again (idempotent enrolment).
  if (invite.usedBy === personId) return 'ok';
  return at < invite.expiresAt ? 'ok' : 'expired';
}

/**
 * Households per stratum; a stratum with none is left out. Here rather than in household-list.ts:
 * the store counts a list it writes, and must not load the list checks to do so.
 */
export function countByStratum(
  households: readonly { stratum: StratumId }[],
): Partial<Record<StratumId, number>> {
  const out: Partial<Record<StratumId, number>> = {};
  for (const h of households) out[h.stratum] = (out[h.stratum] ?? 0) + 1;
  return out;
}
