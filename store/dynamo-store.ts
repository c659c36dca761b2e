// The DynamoDB adapter of the Store port (app/ports.ts): one table, defined in store/table.ts.
//
// Design decisions
// - Single table. Every item carries `entity` (its aggregate) and `version`. Aggregates are stored
//   as top-level attributes next to their keys, so conditions can name them; reading strips the
//   key attributes again. Invites rename their domain `expiresAt` (ISO) to `validUntil` because the
//   table's TTL attribute `expiresAt` must be epoch seconds.
// - The hot path is one strongly consistent GetItem of the person (whose session holds the open
//   survey's draft) and ONE UpdateItem of the same item: `version = :expected AND NOT
//   contains(recentUpdateIds, :updateId)`, setting session, version + 1, lastUpdateId and the
//   window of recent update ids (an id older than a full window is refused before writing, from
//   the person as read). ReturnValuesOnConditionCheckFailure ALL_OLD tells a repeat
//   (DuplicateUpdateError) from a lost race (ConflictError) without another round trip. dynalite
//   ignores that parameter: when an engine returns no old item, one consistent GetItem on the
//   failure path answers instead (a failure-only cost; the success path stays 1 read + 1 write).
//   Why a window and not only `lastUpdateId < :updateId`: two updates of one person may be
//   processed concurrently; when the newer one is written first, the older one is not a repeat
//   and must be applied after re-reading, or that answer is lost.
// - The canonical Survey item is written only when a draft is created, paused/switched,
//   submitted or returned (createSurvey / saveSurvey), each a versioned conditional write.
// - Conditional failures are mapped by intent to domain/errors.ts (AlreadyExists, Conflict,
//   DuplicateUpdate, NotFound, InviteUnusable, SampleLocked, PickReplaced). Every other error propagates: a storage failure is
//   never reported as "no data". Throttling is retried by the client (store/client.ts).
// - No Scan (no request may grow with the table) and no TransactWriteItems (dynalite lacks it).
//   Where two items change, each step is idempotent: useInvite accepts a repeat by the same
//   person, so "use invite, then create person" can be retried from the top (putPerson's
//   AlreadyExistsError then means "done"); a sample replacement is one saveSample (the picks live
//   in one item); list chunks are keyed by fingerprint, so writing them twice writes the same
//   items; the same audit event appended twice lands on the same key.
// - People are indexed by grant: one small entry per grant beside the person item (PK PERSON#<id>,
//   SK GRANT#<role>@<scope>), in GSI1 by scope (a group's members, a town's contacts) and in GSI2
//   by role; a directory item (SK DIRECTORY) lists everyone in GSI2 PEOPLE for the office. The
//   person item (written on every answer) carries no index keys: an answer is never copied into
//   an index (measured on DynamoDB Local: 12 WCU per answer with keys on the person item, 4
//   without; bench/results.md). putPerson and savePerson write the entries of the grants the
//   person will hold BEFORE the person item and take the entries of lost grants out of the
//   indexes AFTER it (overwritten without index keys, so no function needs DeleteItem): at every
//   moment the index lists a superset, and the queries BatchGet the person items and keep only
//   the grants they really hold (a deactivated person holds none). A save cut off half-way leaves
//   a stale entry that lists nobody wrongly, never a missing one.
// - Problems exist once: a problem confirmed from a proposal, and the stored proposal, take ids
//   derived from the proposal's key (domain/proposals.ts) and are created once, so a second
//   confirmation, a retried or concurrent update, a resubmit or a re-import meets
//   AlreadyExistsError instead of storing a copy. putProblem writes the reporter's entry (PK
//   PERSON#<reporter>, SK REPORTED#<campaign>#<problem>) before the problem: the entries list a
//   superset, and problemsOfReporter keeps only problems that exist and are the person's. A
//   proposal's GSI1 sort key carries its status and origin, so deciding on one (a versioned
//   rewrite) takes it out of the office's queue (pending, paper).
// - A village's state is one item (SK SAMPLE): the info of the list in force (`list`) and, once
//   drawn, the sample's fields. Putting a list is conditional on "no sample" and on the list it
//   replaces; drawing is conditional on "no sample" and on the list it was drawn from: the two can
//   never interleave, and the sample is always drawn from the list in force. The households are in
//   chunk items keyed by the list's fingerprint and stratum (≤ 500 rows, < 300 KB each), so a list
//   of 20,000 is 40 items, a replaced list stays readable by the sample that was drawn from it, and
//   a replacement reads one stratum only. markPick updates one pick (`picks[i]`) on the condition
//   that it is that household and not replaced, bumping the version: concurrent submits of one
//   village never lose a mark, and a replacement computed before a survey started fails its
//   versioned write and re-checks.
//
// Modules
// DynamoStore is a facade: it implements the Store port by handing each call to the module of its
// aggregate, so each module can be read (and its conditions reviewed) on its own. Each is a class
// built from the client and the table name, as store/village-aggregates.ts was first:
//   store/dynamo-campaigns.ts    campaigns
//   store/dynamo-people.ts       persons, their grant entries and directory entry, invites
//   store/dynamo-samples.ts      village state (list info + sample and picks), household chunks
//   store/dynamo-surveys.ts      surveys
//   store/dynamo-problems.ts     problems, proposals, reporters' entries
//   store/village-aggregates.ts  village aggregates (表4 tallies, markers, counts)
//   store/dynamo-snapshots.ts    summary snapshots
//   store/dynamo-reminders.ts    reminder deliveries
//   store/dynamo-audit.ts        audit events
//   store/dynamo-base.ts         the shared plumbing (reads, queries, batch gets, conditional
//                                writes and how their failures become domain errors), no aggregate
//   store/expiry.ts              the TTL attribute on every write (the campaign's retention): the
//                                client the modules get is wrapped once, here in the facade
// The modules sit beside this file rather than in a folder of their own: test/unit/infra.test.ts
// reads the top-level store/*.ts for every DynamoDB command the store sends, so that each is
// granted to the functions; a subfolder would escape that check.
//
// Access patterns (pk = partition key; sk^ = begins_with on the sort key; module = the module that
// serves the row, store/dynamo-<module>.ts or store/village-aggregates.ts)
//
// | read                                   | where | key                                                                   | module             |
// |----------------------------------------|-------|-----------------------------------------------------------------------|--------------------|
// | campaign by id                         | table | PK CAMPAIGN#<id>, SK CAMPAIGN                                         | campaigns          |
// | person by id (hot path, consistent)    | table | PK PERSON#<id>, SK PERSON                                             | people             |
// | people of a group                      | GSI1  | GSI1PK SCOPE#group#<group> (grant entries) → BatchGet persons         | people             |
// | contacts of a town                     | GSI1  | GSI1PK SCOPE#town#<town> (grant entries) → BatchGet persons           | people             |
// | people with a role                     | GSI2  | GSI2PK ROLE#<role> (grant entries) → BatchGet persons                 | people             |
// | everyone, a page at a time (/people)   | GSI2  | GSI2PK PEOPLE, GSI2SK > PERSON#<after>, Limit n+1 → BatchGet           | people             |
// | invite by code                         | table | PK INVITE#<code>, SK INVITE                                           | people             |
// | open (unused, uncancelled) invites     | GSI1  | GSI1PK INVITES#OPEN (keys removed when used or cancelled)             | people             |
// | village state: list info + sample      | table | PK VILLAGE#<campaign>#<village>, SK SAMPLE                            | samples            |
// | households of a list [of a stratum]    | table | same pk, sk^ HH#<fingerprint 16>#[<stratum>#]                          | samples            |
// | survey by id                           | table | PK SURVEY#<id>, SK SURVEY                                             | surveys            |
// | surveys of a town [by status]          | GSI1  | GSI1PK TOWN#<campaign>#<town>, sk^ SURVEY#[<status>#]                 | surveys            |
// | surveys of a village [by status]       | GSI1  | same pk, sk^ SURVEY#<status>#<village># (one query per status if none) | surveys            |
// | surveys of an inspector [by status]    | GSI2  | GSI2PK INSPECTOR#<person>, sk^ SURVEY#[<status>#] (/resume)           | surveys            |
// | problem by id                          | table | PK PROBLEM#<id>, SK PROBLEM                                           | problems           |
// | problems of a town [by status] (open)  | GSI1  | GSI1PK TOWN#<campaign>#<town>, sk^ PROBLEM#[<status>#]                | problems           |
// | problems of a campaign [by status]     | GSI2  | GSI2PK PROBLEMS#<campaign>, sk^ PROBLEM#[<status>#]                   | problems           |
// | problems a person reported (/problems) | table | PK PERSON#<person>, sk^ REPORTED#<campaign># → BatchGet problems      | problems           |
// | proposal by id                         | table | PK PROPOSAL#<campaign>#<id>, SK PROPOSAL                              | problems           |
// | proposals by status [and origin]       | GSI1  | GSI1PK PROPOSALS#<campaign>, sk^ PROPOSAL#<status>#[<origin>#]        | problems           |
// | village aggregate (表4 tally, markers)  | table | PK AGG#<campaign>#<town>, SK VILLAGE#<village>                        | village-aggregates |
// | village aggregates of a town           | table | PK AGG#<campaign>#<town>, sk^ VILLAGE#                                | village-aggregates |
// | latest snapshot of a scope             | table | PK SNAPSHOT#<campaign>#<scope>, SK BUILT#<builtAt>, newest first, 1   | snapshots          |
// | deliveries of a reminder               | table | PK REMINDER#<reminder>, SK TO#<recipient>                             | reminders          |
// | audit events of a subject              | table | PK AUDIT#<subject>, SK <at>#<action>#<actor>                          | audit              |
// | audit events of a day (UTC)            | GSI1  | GSI1PK AUDITDAY#<yyyy-mm-dd>, GSI1SK <at>#<subject>#<action>#<actor>  | audit              |
//
// GSI1 holds SCOPE#, TOWN#, INVITES#OPEN, PROPOSALS# and AUDITDAY# partitions; GSI2 holds ROLE#,
// PEOPLE, INSPECTOR# and PROBLEMS#.
// A status change rewrites the item, and with it its index keys.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SaveSessionOptions, Store } from '../app/ports';
import type { AggregateChange, VillageAggregate } from '../domain/aggregates';
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
import { Audit } from './dynamo-audit';
import { Campaigns } from './dynamo-campaigns';
import { People } from './dynamo-people';
import { Problems } from './dynamo-problems';
import { Reminders } from './dynamo-reminders';
import { Samples } from './dynamo-samples';
import { Snapshots } from './dynamo-snapshots';
import { Surveys } from './dynamo-surveys';
import { expiringClient, ItemExpiry } from './expiry';
import { VillageAggregates } from './village-aggregates';

// Exported from here before the split; kept so that no importer has to change.
export { isConditionalFailure } from './dynamo-base';

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The items' expiry (store/expiry.ts); a fresh one that learns the campaign by default. */
  expiry?: ItemExpiry;
}

/**
 * Every method hands the call to its module and returns the module's promise as it is (no async
 * wrapper of its own), so a call does what it did before the split, in the same requests.
 */
export class DynamoStore implements Store {
  readonly #campaigns: Campaigns;
  readonly #people: People;
  readonly #samples: Samples;
  readonly #aggregates: VillageAggregates;
  readonly #surveys: Surveys;
  readonly #problems: Problems;
  readonly #snapshots: Snapshots;
  readonly #reminders: Reminders;
  readonly #audit: Audit;

  readonly #expiry: ItemExpiry;

  constructor({ client: given, tableName, expiry = new ItemExpiry() }: DynamoStoreOptions) {
    // Every module writes through this client, which stamps each item with its expiry.
    this.#expiry = expiry;
    const client = expiringClient(given, expiry);
    this.#campaigns = new Campaigns(client, tableName);
    this.#people = new People(client, tableName);
    this.#samples = new Samples(client, tableName);
    this.#aggregates = new VillageAggregates(client, tableName);
    this.#surveys = new Surveys(client, tableName);
    this.#problems = new Problems(client, tableName);
    this.#snapshots = new Snapshots(client, tableName);
    this.#reminders = new Reminders(client, tableName);
    this.#audit = new Audit(client, tableName);
  }

  // -------------------------------------------------------------------------------------------
  // Campaigns: store/dynamo-campaigns.ts

  // The campaign read or written is the one whose retention the items get (store/expiry.ts).

  putCampaign(campaign: Campaign): Promise<void> {
    this.#expiry.learn(campaign);
    return this.#campaigns.putCampaign(campaign);
  }

  getCampaign(id: string): Promise<Campaign | undefined> {
    return this.#campaigns.getCampaign(id).then((campaign) => {
      if (campaign) this.#expiry.learn(campaign);
      return campaign;
    });
  }

  // -------------------------------------------------------------------------------------------
  // People and invites: store/dynamo-people.ts

  getPerson(id: string): Promise<Person | undefined> {
    return this.#people.getPerson(id);
  }

  putPerson(person: Person): Promise<Person> {
    return this.#people.putPerson(person);
  }

  savePersonSession(person: Person, options: SaveSessionOptions): Promise<Person> {
    return this.#people.savePersonSession(person, options);
  }

  savePerson(person: Person, expectVersion: number): Promise<Person> {
    return this.#people.savePerson(person, expectVersion);
  }

  peopleOfGroup(groupId: string): Promise<Person[]> {
    return this.#people.peopleOfGroup(groupId);
  }

  peopleOfTown(townId: string): Promise<Person[]> {
    return this.#people.peopleOfTown(townId);
  }

  peopleWithRole(role: Role): Promise<Person[]> {
    return this.#people.peopleWithRole(role);
  }

  listPeople(page: { after?: string; limit: number }) {
    return this.#people.listPeople(page);
  }

  putInvite(invite: Invite): Promise<void> {
    return this.#people.putInvite(invite);
  }

  getInvite(code: string): Promise<Invite | undefined> {
    return this.#people.getInvite(code);
  }

  useInvite(code: string, personId: string, at: Instant): Promise<Invite> {
    return this.#people.useInvite(code, personId, at);
  }

  openInvites(): Promise<Invite[]> {
    return this.#people.openInvites();
  }

  cancelInvite(code: string, by: string, at: Instant): Promise<Invite> {
    return this.#people.cancelInvite(code, by, at);
  }

  // -------------------------------------------------------------------------------------------
  // Household lists and samples: store/dynamo-samples.ts

  stageHouseholdList(list: HouseholdList): Promise<void> {
    return this.#samples.stageHouseholdList(list);
  }

  putHouseholdList(list: HouseholdList, opts: { replacing?: string } = {}): Promise<void> {
    return this.#samples.putHouseholdList(list, opts);
  }

  getHouseholdListInfo(campaignId: string, villageId: string): Promise<HouseholdListInfo | undefined> {
    return this.#samples.getHouseholdListInfo(campaignId, villageId);
  }

  getVillageState(campaignId: string, villageId: string) {
    return this.#samples.getVillageState(campaignId, villageId);
  }

  getHouseholdList(
    campaignId: string,
    villageId: string,
    fingerprint?: string,
  ): Promise<HouseholdList | undefined> {
    return this.#samples.getHouseholdList(campaignId, villageId, fingerprint);
  }

  householdsOfStratum(
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: StratumId,
  ): Promise<Household[]> {
    return this.#samples.householdsOfStratum(campaignId, villageId, fingerprint, stratum);
  }

  putSample(sample: Sample): Promise<Sample> {
    return this.#samples.putSample(sample);
  }

  getSample(campaignId: string, villageId: string): Promise<Sample | undefined> {
    return this.#samples.getSample(campaignId, villageId);
  }

  saveSample(sample: Sample, expectVersion: number): Promise<Sample> {
    return this.#samples.saveSample(sample, expectVersion);
  }

  markPick(
    campaignId: string,
    villageId: string,
    householdId: string,
    mark: { kind: 'started' | 'surveyed'; at: Instant; by: string },
    hint?: number,
  ): Promise<Sample> {
    return this.#samples.markPick(campaignId, villageId, householdId, mark, hint);
  }

  // -------------------------------------------------------------------------------------------
  // Village aggregates: store/village-aggregates.ts

  getVillageAggregate(campaignId: string, townId: string, villageId: string) {
    return this.#aggregates.get(campaignId, townId, villageId);
  }

  villageAggregatesOfTown(campaignId: string, townId: string) {
    return this.#aggregates.ofTown(campaignId, townId);
  }

  villageCountsOfTown(campaignId: string, townId: string) {
    return this.#aggregates.countsOfTown(campaignId, townId);
  }

  changeVillageAggregate(
    at: { campaignId: string; townId: string; villageId: string },
    change: AggregateChange,
    basis: string,
  ) {
    return this.#aggregates.change(at, change, basis);
  }

  putVillageAggregate(aggregate: VillageAggregate, expectVersion: number) {
    return this.#aggregates.put(aggregate, expectVersion);
  }

  // -------------------------------------------------------------------------------------------
  // Surveys: store/dynamo-surveys.ts

  createSurvey(survey: Survey): Promise<Survey> {
    return this.#surveys.createSurvey(survey);
  }

  getSurvey(id: string): Promise<Survey | undefined> {
    return this.#surveys.getSurvey(id);
  }

  saveSurvey(survey: Survey, expectVersion: number): Promise<Survey> {
    return this.#surveys.saveSurvey(survey, expectVersion);
  }

  surveysOfTown(campaignId: string, townId: string, status?: SurveyStatus): Promise<Survey[]> {
    return this.#surveys.surveysOfTown(campaignId, townId, status);
  }

  surveysOfInspector(personId: string, status?: SurveyStatus): Promise<Survey[]> {
    return this.#surveys.surveysOfInspector(personId, status);
  }

  surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: SurveyStatus,
  ): Promise<Survey[]> {
    return this.#surveys.surveysOfVillage(campaignId, townId, villageId, status);
  }

  // -------------------------------------------------------------------------------------------
  // Problems and proposals: store/dynamo-problems.ts

  putProblem(problem: Problem): Promise<Problem> {
    return this.#problems.putProblem(problem);
  }

  getProblem(id: string): Promise<Problem | undefined> {
    return this.#problems.getProblem(id);
  }

  saveProblem(problem: Problem, expectVersion: number): Promise<Problem> {
    return this.#problems.saveProblem(problem, expectVersion);
  }

  problemsOfTown(campaignId: string, townId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.#problems.problemsOfTown(campaignId, townId, status);
  }

  problemsOfCampaign(campaignId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.#problems.problemsOfCampaign(campaignId, status);
  }

  problemsOfReporter(campaignId: string, reporterId: string): Promise<Problem[]> {
    return this.#problems.problemsOfReporter(campaignId, reporterId);
  }

  putProposal(proposal: Proposal): Promise<Proposal> {
    return this.#problems.putProposal(proposal);
  }

  getProposal(campaignId: string, id: string): Promise<Proposal | undefined> {
    return this.#problems.getProposal(campaignId, id);
  }

  saveProposal(proposal: Proposal, expectVersion: number): Promise<Proposal> {
    return this.#problems.saveProposal(proposal, expectVersion);
  }

  proposalsOf(campaignId: string, status: ProposalStatus, origin?: ProposalOrigin): Promise<Proposal[]> {
    return this.#problems.proposalsOf(campaignId, status, origin);
  }

  // -------------------------------------------------------------------------------------------
  // Summary snapshots: store/dynamo-snapshots.ts

  putSnapshot(snapshot: SummarySnapshot): Promise<void> {
    return this.#snapshots.putSnapshot(snapshot);
  }

  latestSnapshot(campaignId: string, scope: string): Promise<SummarySnapshot | undefined> {
    return this.#snapshots.latestSnapshot(campaignId, scope);
  }

  // -------------------------------------------------------------------------------------------
  // Reminder deliveries: store/dynamo-reminders.ts

  claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: Instant; until: Instant },
  ): Promise<boolean> {
    return this.#reminders.claimDelivery(reminderId, recipientId, lease);
  }

  markDelivery(reminderId: string, recipientId: string, update: DeliveryUpdate): Promise<ReminderDelivery> {
    return this.#reminders.markDelivery(reminderId, recipientId, update);
  }

  deliveriesOfReminder(reminderId: string): Promise<ReminderDelivery[]> {
    return this.#reminders.deliveriesOfReminder(reminderId);
  }

  // -------------------------------------------------------------------------------------------
  // Audit: store/dynamo-audit.ts

  appendAudit(event: AuditEvent): Promise<void> {
    return this.#audit.appendAudit(event);
  }

  auditOf(subject: string): Promise<AuditEvent[]> {
    return this.#audit.auditOf(subject);
  }

  auditOfDay(day: string): Promise<AuditEvent[]> {
    return this.#audit.auditOfDay(day);
  }
}
