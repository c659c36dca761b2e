// The Store port: everything the use cases need from storage, named by intent. Two adapters
// implement it with the same conditional semantics and errors: store/dynamo-store.ts (DynamoDB)
// and app/memory-store.ts (in-memory, for use-case unit tests); test/support/store-contract.ts
// holds them to the same behaviour.
//
// Conventions
// - get…/…Of… return `undefined` / `[]` when nothing is stored. A storage failure always rejects;
//   it is never turned into "no data".
// - create/put… of a create-once aggregate stores `version: 1` and returns what was stored; a
//   second create rejects with AlreadyExistsError.
// - save…(x, expectVersion) writes x with `version: expectVersion + 1` only if the stored version
//   is still `expectVersion` (else ConflictError; NotFoundError when missing) and returns it.
// - The store invents no timestamps: callers pass them (a Clock port keeps tests deterministic).

import type { Writable } from 'node:stream';
import type {
  AggregateChange,
  AggregateRefusal,
  VillageAggregate,
  VillageCounts,
} from '../domain/aggregates';
import type { Campaign } from '../domain/campaign';
import type { StratumId } from '../domain/forms/types';
import type { Household } from '../domain/household-list';
import type {
  AuditEvent,
  DeliveryUpdate,
  HouseholdList,
  HouseholdListInfo,
  Instant,
  Invite,
  Person,
  Problem,
  ProblemStatus,
  Proposal,
  ProposalOrigin,
  ProposalStatus,
  ReminderDelivery,
  Role,
  Sample,
  SummarySnapshot,
  Survey,
  SurveyStatus,
} from '../domain/model';

export interface SaveSessionOptions {
  /** The person's version as read; a different stored version → ConflictError. */
  expectVersion: number;
  /**
   * The Telegram update being applied. If it was already applied (isUpdateApplied: in the
   * person's window of recent ids), the write is refused with DuplicateUpdateError; the check and
   * the recording happen in the same conditional write, no extra round trip.
   */
  updateId?: number;
}

export interface Store {
  // Campaigns: the validated JSON, upserted at start-up.
  putCampaign(campaign: Campaign): Promise<void>;
  getCampaign(id: string): Promise<Campaign | undefined>;

  // People
  getPerson(id: string): Promise<Person | undefined>;
  /** Create (enrolment); AlreadyExistsError if the person exists. */
  putPerson(person: Person): Promise<Person>;
  /**
   * The hot path's one write: session, lastUpdateId and recentUpdateIds (when updateId is given),
   * chatId, displayName and updatedAt, on one condition. Roles and scope are left as stored. Pass
   * the person as read (with the new session): the update-id window is computed from it.
   */
  savePersonSession(person: Person, options: SaveSessionOptions): Promise<Person>;
  /** Every field (grants, deactivation, unreachable …); versioned like any save. */
  savePerson(person: Person, expectVersion: number): Promise<Person>;
  /**
   * People by grant, read from an index of grants (never every person): those holding any group
   * role in the group, the contacts of the town, everyone holding the role. Deactivated people and
   * grants that were revoked are never listed.
   */
  peopleOfGroup(groupId: string): Promise<Person[]>;
  peopleOfTown(townId: string): Promise<Person[]>;
  peopleWithRole(role: Role): Promise<Person[]>;
  /** Everyone, deactivated people included, by id, a page at a time. */
  listPeople(page: { after?: string; limit: number }): Promise<{ people: Person[]; next?: string }>;

  // Invites
  /** Create-once (AlreadyExistsError on a code clash). */
  putInvite(invite: Invite): Promise<void>;
  getInvite(code: string): Promise<Invite | undefined>;
  /**
   * Mark the invite used by personId at `at`, only if unused (or already used by the same person:
   * retrying an interrupted enrolment is safe), not cancelled and not expired.
   * NotFoundError / InviteUnusableError.
   */
  useInvite(code: string, personId: string, at: Instant): Promise<Invite>;
  /** Invites neither used nor cancelled (expired ones included until they vanish). */
  openInvites(): Promise<Invite[]>;
  /**
   * Cancel an unused invite (idempotent: a cancelled one is returned as it is). A used invite is
   * returned unchanged, with its `usedBy`. NotFoundError when there is none.
   */
  cancelInvite(code: string, by: string, at: Instant): Promise<Invite>;

  // Household lists and samples. Each village has one small state item holding the list in force
  // (its info) and, once drawn, the sample: so "no sample yet" and "this list" are checked in the
  // same conditional write as the list change or the draw, and the two can never interleave. The
  // households themselves live in chunks keyed by the list's fingerprint, each well under 400 KB.
  /** Writes the households of a list awaiting confirmation (they vanish after a few days if unused). */
  stageHouseholdList(list: HouseholdList): Promise<void>;
  /**
   * Makes `list` the village's list: its households, then the info, on the condition that no sample
   * is drawn (SampleLockedError) and the list in force is still `replacing` (none when absent;
   * ConflictError otherwise). Re-putting the list in force is a no-op.
   */
  putHouseholdList(list: HouseholdList, opts?: { replacing?: string }): Promise<void>;
  getHouseholdListInfo(campaignId: string, villageId: string): Promise<HouseholdListInfo | undefined>;
  /** The village's state item in one read: the list's info and the sample, each if present. */
  getVillageState(
    campaignId: string,
    villageId: string,
  ): Promise<{ list?: HouseholdListInfo; sample?: Sample }>;
  /** The list in force, or the one with `fingerprint` (a sample's, or one staged). */
  getHouseholdList(
    campaignId: string,
    villageId: string,
    fingerprint?: string,
  ): Promise<HouseholdList | undefined>;
  /** One stratum's households of the list with `fingerprint` (what a replacement draws from). */
  householdsOfStratum(
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: StratumId,
  ): Promise<Household[]>;
  /**
   * Create-once, and only from the list in force: AlreadyExistsError when drawn already,
   * ConflictError when the list in force is not `sample.fingerprint` (it changed during the draw).
   */
  putSample(sample: Sample): Promise<Sample>;
  getSample(campaignId: string, villageId: string): Promise<Sample | undefined>;
  /** Replacements and on-site additions (the list info is left as it is). */
  saveSample(sample: Sample, expectVersion: number): Promise<Sample>;
  /**
   * Marks one pick started (a survey of it was opened: it can no longer be replaced) or surveyed,
   * touching only that pick, so concurrent marks of other picks never conflict; bumps the version,
   * so a replacement computed from an older sample fails and re-checks. Idempotent.
   * PickReplacedError when the household was replaced; NotFoundError when not in the sample.
   * `index`: where the pick is in the sample, when the caller knows it: the mark is then written
   * without reading the sample first (a wrong index only costs the read it saved).
   */
  markPick(
    campaignId: string,
    villageId: string,
    householdId: string,
    mark: { kind: 'started' | 'surveyed'; at: Instant; by: string },
    index?: number,
  ): Promise<Sample>;

  // Surveys (the canonical item; the open draft lives in Person.session.draft)
  createSurvey(survey: Survey): Promise<Survey>;
  getSurvey(id: string): Promise<Survey | undefined>;
  saveSurvey(survey: Survey, expectVersion: number): Promise<Survey>;
  surveysOfTown(campaignId: string, townId: string, status?: SurveyStatus): Promise<Survey[]>;
  surveysOfInspector(personId: string, status?: SurveyStatus): Promise<Survey[]>;
  surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: SurveyStatus,
  ): Promise<Survey[]>;

  // Village aggregates (domain/aggregates.ts; app/aggregates.ts applies and recounts them)
  getVillageAggregate(
    campaignId: string,
    townId: string,
    villageId: string,
  ): Promise<VillageAggregate | undefined>;
  /** Every village aggregate of a town, with the per-survey markers (the recount, completeness). */
  villageAggregatesOfTown(campaignId: string, townId: string): Promise<VillageAggregate[]>;
  /**
   * Every village's counts in a town: one query of items whose size does not grow with the
   * surveys (/villages, the leader's list, the summaries). May trail its aggregate by the change
   * being written; a repeat of that change brings it level.
   */
  villageCountsOfTown(campaignId: string, townId: string): Promise<VillageCounts[]>;
  /**
   * One change as one conditional write (no read on success): true when applied; 'applied' when it
   * was already (a repeat); 'stale_basis' when the aggregate was computed on another basis;
   * 'stale_mark' when a submit finds the survey counted from another submission.
   */
  changeVillageAggregate(
    at: { campaignId: string; townId: string; villageId: string },
    change: AggregateChange,
    basis: string,
  ): Promise<true | AggregateRefusal>;
  /** The recount's write: replaces the aggregate if its version is `expectVersion` (0: absent). */
  putVillageAggregate(aggregate: VillageAggregate, expectVersion: number): Promise<void>;

  // Problems
  /** Create-once (AlreadyExistsError: a problem with its id is stored, whoever reported it). */
  putProblem(problem: Problem): Promise<Problem>;
  getProblem(id: string): Promise<Problem | undefined>;
  saveProblem(problem: Problem, expectVersion: number): Promise<Problem>;
  problemsOfTown(campaignId: string, townId: string, status?: ProblemStatus): Promise<Problem[]>;
  problemsOfCampaign(campaignId: string, status?: ProblemStatus): Promise<Problem[]>;
  /** Every problem the person reported in the campaign, whatever its status (/problems). */
  problemsOfReporter(campaignId: string, reporterId: string): Promise<Problem[]>;

  // Problem proposals (DOMAIN.md §9): one per (campaign, key), whichever path proposes it again
  /** Create-once: AlreadyExistsError when the campaign has a proposal with this id. */
  putProposal(proposal: Proposal): Promise<Proposal>;
  getProposal(campaignId: string, id: string): Promise<Proposal | undefined>;
  saveProposal(proposal: Proposal, expectVersion: number): Promise<Proposal>;
  /**
   * The campaign's proposals with a status (of one origin), oldest first, ties by id. The office's
   * queue is ('pending', 'paper').
   */
  proposalsOf(campaignId: string, status: ProposalStatus, origin?: ProposalOrigin): Promise<Proposal[]>;

  // Summary snapshots: append-only, one per build
  putSnapshot(snapshot: SummarySnapshot): Promise<void>;
  latestSnapshot(campaignId: string, scope: string): Promise<SummarySnapshot | undefined>;

  // Reminder deliveries: each (reminder, recipient) is sent once
  /**
   * Conditional create as 'pending', leased until `lease.until`; false when someone holds it. With
   * `lease`, a delivery still 'pending' whose lease ended before `lease.now` (its sender was cut off
   * between claiming and marking) is taken over instead.
   */
  claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: Instant; until: Instant },
  ): Promise<boolean>;
  /** NotFoundError if never claimed. */
  markDelivery(reminderId: string, recipientId: string, update: DeliveryUpdate): Promise<ReminderDelivery>;
  deliveriesOfReminder(reminderId: string): Promise<ReminderDelivery[]>;

  // Audit trail: append-only; appending the same event twice stores it once (retry-safe)
  appendAudit(event: AuditEvent): Promise<void>;
  /** Oldest first. */
  auditOf(subject: string): Promise<AuditEvent[]>;
  /** Events of one UTC day (YYYY-MM-DD), oldest first. */
  auditOfDay(day: string): Promise<AuditEvent[]>;
}

/**
 * Where evidence files live (DOMAIN.md §11): S3 on AWS, an embedded S3-compatible server locally,
 * an in-memory twin in use-case tests. Keys are built by the use cases (app/evidence.ts); the bytes
 * never go into DynamoDB or a log.
 */
export interface FileStore {
  /** Stores the bytes under `key`. Putting the same key again stores the same object (idempotent). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under `key`. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Keys under a prefix, in key order (the archive export). */
  list(prefix: string): Promise<string[]>;
  /**
   * Stores what `write` writes, as it writes it (a multipart upload on S3: memory holds a few
   * parts, never the file); resolves to the object's size in bytes.
   */
  putStream(key: string, write: (out: Writable) => Promise<void>, contentType: string): Promise<number>;
  /**
   * A link that downloads `key` as `fileName` for `seconds` (a presigned GET on S3), for files too
   * large to send through Telegram. Whoever holds the link may download the file until it expires.
   */
  link(key: string, seconds: number, fileName: string): Promise<string>;
}
