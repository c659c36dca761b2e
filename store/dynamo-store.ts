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
// Access patterns (pk = partition key; sk^ = begins_with on the sort key)
//
// | read                                   | where | key                                                                   |
// |----------------------------------------|-------|-----------------------------------------------------------------------|
// | campaign by id                         | table | PK CAMPAIGN#<id>, SK CAMPAIGN                                         |
// | person by id (hot path, consistent)    | table | PK PERSON#<id>, SK PERSON                                             |
// | people of a group                      | GSI1  | GSI1PK SCOPE#group#<group> (grant entries) → BatchGet persons         |
// | contacts of a town                     | GSI1  | GSI1PK SCOPE#town#<town> (grant entries) → BatchGet persons           |
// | people with a role                     | GSI2  | GSI2PK ROLE#<role> (grant entries) → BatchGet persons                 |
// | everyone, a page at a time (/people)   | GSI2  | GSI2PK PEOPLE, GSI2SK > PERSON#<after>, Limit n+1 → BatchGet           |
// | invite by code                         | table | PK INVITE#<code>, SK INVITE                                           |
// | open (unused, uncancelled) invites     | GSI1  | GSI1PK INVITES#OPEN (keys removed when used or cancelled)             |
// | village state: list info + sample      | table | PK VILLAGE#<campaign>#<village>, SK SAMPLE                            |
// | households of a list [of a stratum]    | table | same pk, sk^ HH#<fingerprint 16>#[<stratum>#]                          |
// | survey by id                           | table | PK SURVEY#<id>, SK SURVEY                                             |
// | surveys of a town [by status]          | GSI1  | GSI1PK TOWN#<campaign>#<town>, sk^ SURVEY#[<status>#]                 |
// | surveys of a village [by status]       | GSI1  | same pk, sk^ SURVEY#<status>#<village># (one query per status if none) |
// | surveys of an inspector [by status]    | GSI2  | GSI2PK INSPECTOR#<person>, sk^ SURVEY#[<status>#] (/resume)           |
// | problem by id                          | table | PK PROBLEM#<id>, SK PROBLEM                                           |
// | problems of a town [by status] (open)  | GSI1  | GSI1PK TOWN#<campaign>#<town>, sk^ PROBLEM#[<status>#]                |
// | problems of a campaign [by status]     | GSI2  | GSI2PK PROBLEMS#<campaign>, sk^ PROBLEM#[<status>#]                   |
// | problems a person reported (/problems) | table | PK PERSON#<person>, sk^ REPORTED#<campaign># → BatchGet problems      |
// | proposal by id                         | table | PK PROPOSAL#<campaign>#<id>, SK PROPOSAL                              |
// | proposals by status [and origin]       | GSI1  | GSI1PK PROPOSALS#<campaign>, sk^ PROPOSAL#<status>#[<origin>#]        |
// | village aggregate (表4 tally, markers)  | table | PK AGG#<campaign>#<town>, SK VILLAGE#<village> (store/village-aggregates) |
// | village aggregates of a town           | table | PK AGG#<campaign>#<town>, sk^ VILLAGE#                                |
// | latest snapshot of a scope             | table | PK SNAPSHOT#<campaign>#<scope>, SK BUILT#<builtAt>, newest first, 1   |
// | deliveries of a reminder               | table | PK REMINDER#<reminder>, SK TO#<recipient>                             |
// | audit events of a subject              | table | PK AUDIT#<subject>, SK <at>#<action>#<actor>                          |
// | audit events of a day (UTC)            | GSI1  | GSI1PK AUDITDAY#<yyyy-mm-dd>, GSI1SK <at>#<subject>#<action>#<actor>  |
//
// GSI1 holds SCOPE#, TOWN#, INVITES#OPEN, PROPOSALS# and AUDITDAY# partitions; GSI2 holds ROLE#,
// PEOPLE, INSPECTOR# and PROBLEMS#.
// A status change rewrites the item, and with it its index keys.

import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SaveSessionOptions, Store } from '../app/ports';
import type { AggregateChange, VillageAggregate } from '../domain/aggregates';
import type { Campaign } from '../domain/campaign';
import type { StratumId } from '../domain/forms/types';
import {
  effectiveGrants,
  type Grant,
  grantKey,
  grantsFromLegacy,
  groupsOf,
  hasRole,
  holds,
} from '../domain/grants';
import { countByStratum, type Household } from '../domain/household-list';
import {
  AlreadyExistsError,
  type AuditEvent,
  ConflictError,
  type DeliveryUpdate,
  DuplicateUpdateError,
  type EntityName,
  type HouseholdList,
  type HouseholdListInfo,
  type Instant,
  type Invite,
  InviteUnusableError,
  isUpdateApplied,
  NotFoundError,
  type Person,
  PickReplacedError,
  type Problem,
  type ProblemStatus,
  type Proposal,
  type ProposalOrigin,
  type ProposalStatus,
  type ReminderDelivery,
  type Role,
  rememberUpdate,
  type Sample,
  SampleLockedError,
  SURVEY_STATUSES,
  type SummarySnapshot,
  type Survey,
  type SurveyStatus,
} from '../domain/model';
import { type ItemKey, isKeyPart, keys } from './keys';
import { pack, unpack } from './packed';
import { type IndexName, TABLE } from './table';
import { VillageAggregates } from './village-aggregates';

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

type Item = Record<string, unknown>;

interface QuerySpec {
  index?: IndexName;
  pk: string;
  skPrefix?: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'entity'];
/**
 * Households per chunk item. The largest valid row (32-character id, 20-character name, team and a
 * 100-character note, all 3-byte characters) is about 600 bytes: 500 of them stay under 300 KB.
 */
const CHUNK_HOUSEHOLDS = 500;
const CHUNK_WRITES_AT_ONCE = 8;
/** A list waiting for its uploader's confirmation vanishes after this long if never confirmed. */
const STAGED_LIST_SECONDS = 3 * 24 * 3600;
/** BatchGetItem's limit per request, and how often unprocessed keys are asked again. */
const BATCH_GET_MAX = 100;
const BATCH_GET_ATTEMPTS = 6;
/** Used invites and expired ones disappear this long after their expiry. */
const INVITE_RETENTION_SECONDS = 90 * 24 * 3600;

export class DynamoStore implements Store {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #aggregates: VillageAggregates;

  constructor({ client, tableName }: DynamoStoreOptions) {
    this.#client = client;
    this.#table = tableName;
    this.#aggregates = new VillageAggregates(client, tableName);
  }

  // -------------------------------------------------------------------------------------------
  // Campaigns

  async putCampaign(campaign: Campaign): Promise<void> {
    await this.#upsert(keys.campaign(campaign.id), { entity: 'campaign', campaign });
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const item = await this.#get(keys.campaign(id));
    return item ? (item.campaign as Campaign) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // People

  async getPerson(id: string): Promise<Person | undefined> {
    const item = await this.#get(keys.person(id));
    return item ? decodePerson(item) : undefined;
  }

  async putPerson(person: Person): Promise<Person> {
    const stored: Person = { ...person, version: 1 };
    // Index entries first: a create cut off after them leaves entries that list nobody (the
    // people queries read the person item and keep only grants it really holds).
    await this.#putGrantEntries(stored, effectiveGrants(stored));
    await this.#createOnce('person', person.id, personItem(stored));
    await this.#putDirectory(stored);
    return stored;
  }

  async savePersonSession(person: Person, { expectVersion, updateId }: SaveSessionOptions): Promise<Person> {
    // An id older than the whole window cannot be checked by the condition; the person as read
    // can tell (if it is stale, "applied then" is still "applied now"). No write, no call.
    if (updateId !== undefined && isUpdateApplied(person, updateId)) {
      throw new DuplicateUpdateError(person.id, updateId, person.lastUpdateId);
    }
    const key = keys.person(person.id);
    const names: Record<string, string> = {
      '#session': 'session',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = {
      ':session': pack(person.session),
      ':expected': expectVersion,
      ':next': expectVersion + 1,
      ':updatedAt': person.updatedAt,
    };
    const sets = ['#session = :session', '#version = :next', '#updatedAt = :updatedAt'];
    let condition = '#version = :expected';
    if (updateId !== undefined) {
      // The window and the high-water mark are computed from the person as read: the version
      // condition guarantees the stored values are still those.
      names['#last'] = 'lastUpdateId';
      names['#recent'] = 'recentUpdateIds';
      values[':u'] = updateId;
      values[':last'] = Math.max(person.lastUpdateId, updateId);
      values[':recent'] = rememberUpdate(person.recentUpdateIds, updateId);
      sets.push('#last = :last', '#recent = :recent');
      condition += ' AND NOT contains(#recent, :u)';
    }
    // Telegram tells us these with every update; keeping them current costs nothing extra.
    if (person.chatId !== undefined) {
      names['#chatId'] = 'chatId';
      values[':chatId'] = person.chatId;
      sets.push('#chatId = :chatId');
    }
    if (person.displayName !== undefined) {
      names['#displayName'] = 'displayName';
      values[':displayName'] = person.displayName;
      sets.push('#displayName = :displayName');
    }
    const attributes = await this.#updateIf(
      key,
      {
        update: `SET ${sets.join(', ')}`,
        condition: condition,
        names,
        values,
        returnNew: true,
      },
      (old) => {
        if (!old) return new NotFoundError('person', person.id);
        if (updateId !== undefined && numbers(old.recentUpdateIds).includes(updateId)) {
          return new DuplicateUpdateError(person.id, updateId, Number(old.lastUpdateId));
        }
        return new ConflictError('person', person.id, expectVersion, Number(old.version));
      },
    );
    return decodePerson(attributes ?? {});
  }

  async savePerson(person: Person, expectVersion: number): Promise<Person> {
    const stored: Person = { ...person, version: expectVersion + 1 };
    const grants = effectiveGrants(stored);
    // Entries for the grants it will hold go first, entries for grants it loses after the save:
    // at every moment the index lists a superset, and the queries keep only what the person item
    // really holds. A save cut off half-way leaves a stale entry, never a missing one.
    await this.#putGrantEntries(stored, grants);
    const key = keys.person(person.id);
    const out = await this.#conditional(
      () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: personItem(stored),
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectVersion },
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      key,
      (old) =>
        old
          ? new ConflictError('person', person.id, expectVersion, Number(old.version))
          : new NotFoundError('person', person.id),
    );
    const before = out.Attributes ? effectiveGrants(decodePerson(out.Attributes)) : [];
    const kept = new Set(grants.map(grantKey));
    const lost = before.filter((g) => !kept.has(grantKey(g)));
    // Overwritten without index keys rather than deleted: the entry leaves both indexes, and no
    // function needs the right to delete anything from the campaign's record.
    await Promise.all(
      lost.map((g) =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...keys.grantEntry(person.id, g),
              entity: 'grant',
              version: 1,
              id: person.id,
              role: g.role,
              gone: true,
            },
          }),
        ),
      ),
    );
    await this.#putDirectory(stored);
    return stored;
  }

  async peopleOfGroup(groupId: string): Promise<Person[]> {
    const entries = await this.#query({
      index: 'GSI1',
      pk: keys.peopleOfGroup(groupId),
      skPrefix: 'PERSON#',
    });
    return (await this.#peopleOf(entries)).filter((p) => groupsOf(p).includes(groupId));
  }

  async peopleOfTown(townId: string): Promise<Person[]> {
    const entries = await this.#query({ index: 'GSI1', pk: keys.peopleOfTown(townId), skPrefix: 'PERSON#' });
    return (await this.#peopleOf(entries)).filter((p) => holds(p, { role: 'town_contact', townId }));
  }

  async peopleWithRole(role: Role): Promise<Person[]> {
    const entries = await this.#query({ index: 'GSI2', pk: keys.peopleWithRole(role), skPrefix: 'PERSON#' });
    return (await this.#peopleOf(entries)).filter((p) => hasRole(p, role));
  }

  async listPeople({ after, limit }: { after?: string; limit: number }) {
    const out = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'GSI2',
        KeyConditionExpression: '#pk = :pk AND #sk > :after',
        ExpressionAttributeNames: { '#pk': 'GSI2PK', '#sk': 'GSI2SK' },
        ExpressionAttributeValues: {
          ':pk': keys.allPeople,
          ':after': after === undefined ? 'PERSON#' : `PERSON#${after}`,
        },
        // One more than asked: tells whether there is a next page without a second query.
        Limit: limit + 1,
      }),
    );
    const entries = out.Items ?? [];
    const page = entries.slice(0, limit);
    const people = await this.#peopleOf(page, { includeInactive: true });
    const last = page.at(-1);
    return {
      people: people.sort((a, b) => (a.id < b.id ? -1 : 1)),
      ...(entries.length > limit && last ? { next: String(last.id) } : {}),
    };
  }

  /** Index entries for these grants (idempotent puts). */
  async #putGrantEntries(p: Person, grants: readonly Grant[]): Promise<void> {
    await Promise.all(
      grants.map((g) =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              ...keys.grantEntry(p.id, g),
              ...keys.grantIndex(p.id, g),
              entity: 'grant',
              version: 1,
              id: p.id,
              role: g.role,
              ...(g.groupId ? { groupId: g.groupId } : {}),
              ...(g.townId ? { townId: g.townId } : {}),
            },
          }),
        ),
      ),
    );
  }

  /**
   * Write the person's entry in the list of everyone from `p` unless a newer one (a higher person
   * version) is stored.
   */
  async #putDirectory(p: Person): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.personDirectory(p.id),
            ...keys.directoryIndex(p.id),
            entity: 'personDirectory',
            id: p.id,
            version: p.version,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR #version <= :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': p.version },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /** The person items named by index entries; inactive people only when asked for. */
  async #peopleOf(entries: Item[], opts: { includeInactive?: boolean } = {}): Promise<Person[]> {
    const ids = [...new Set(entries.map((e) => String(e.id)))];
    const items = await this.#batchGet(ids.map((id) => keys.person(id)));
    const byId = new Map(items.map((i) => [String(i.id), i]));
    // A dangling entry (a create cut off after the entry was written) names nobody: skipped.
    return ids.flatMap((id) => {
      const item = byId.get(id);
      if (!item) return [];
      const person = decodePerson(item);
      return opts.includeInactive || person.deactivated === undefined ? [person] : [];
    });
  }

  // -------------------------------------------------------------------------------------------
  // Invites

  async putInvite(invite: Invite): Promise<void> {
    // The error names no code: a code is a bearer secret until used.
    await this.#createOnce('invite', 'invite', inviteItem(invite));
  }

  async getInvite(code: string): Promise<Invite | undefined> {
    // A code comes from whoever typed /start: one that cannot be a key names no invite.
    if (!isKeyPart(code)) return undefined;
    const item = await this.#get(keys.invite(code));
    return item ? decodeInvite(item) : undefined;
  }

  async useInvite(code: string, personId: string, at: Instant): Promise<Invite> {
    if (!isKeyPart(code)) throw new NotFoundError('invite', 'invite');
    const key = keys.invite(code);
    const attributes = await this.#updateIf(
      key,
      {
        // A repeat by the same person keeps the first usedAt (the enrolment is retried, not
        // redone); a used invite leaves the list of open ones.
        update:
          'SET #usedBy = :personId, #usedAt = if_not_exists(#usedAt, :at) REMOVE GSI1PK, GSI1SK ADD #version :one',
        condition:
          'attribute_exists(PK) AND attribute_not_exists(#cancelledAt) AND ((attribute_not_exists(#usedBy) AND #validUntil > :at) OR #usedBy = :personId)',
        names: {
          '#usedBy': 'usedBy',
          '#usedAt': 'usedAt',
          '#validUntil': 'validUntil',
          '#cancelledAt': 'cancelledAt',
          '#version': 'version',
        },
        values: { ':personId': personId, ':at': at, ':one': 1 },
        returnNew: true,
      },
      (old) => {
        // Never put the code into an error: it is a bearer secret until used.
        if (!old) return new NotFoundError('invite', 'invite');
        if (old.cancelledAt !== undefined) return new InviteUnusableError(code, 'cancelled');
        if (old.usedBy !== undefined && old.usedBy !== personId) return new InviteUnusableError(code, 'used');
        return new InviteUnusableError(code, 'expired');
      },
    );
    return decodeInvite(attributes ?? {});
  }

  async openInvites(): Promise<Invite[]> {
    const items = await this.#query({ index: 'GSI1', pk: keys.openInvites });
    return items.map(decodeInvite);
  }

  async cancelInvite(code: string, by: string, at: Instant): Promise<Invite> {
    if (!isKeyPart(code)) throw new NotFoundError('invite', 'invite');
    const key = keys.invite(code);
    try {
      const attributes = await this.#updateIf(
        key,
        {
          update: 'SET #cancelledAt = :at, #cancelledBy = :by REMOVE GSI1PK, GSI1SK ADD #version :one',
          condition:
            'attribute_exists(PK) AND attribute_not_exists(#usedBy) AND attribute_not_exists(#cancelledAt)',
          names: {
            '#cancelledAt': 'cancelledAt',
            '#cancelledBy': 'cancelledBy',
            '#usedBy': 'usedBy',
            '#version': 'version',
          },
          values: { ':at': at, ':by': by, ':one': 1 },
          returnNew: true,
        },
        (old) => (old ? new AlreadyExistsError('invite', 'invite') : new NotFoundError('invite', 'invite')),
      );
      return decodeInvite(attributes ?? {});
    } catch (err) {
      // Used or cancelled already: report it as it is.
      if (!(err instanceof AlreadyExistsError)) throw err;
      const item = await this.#get(key);
      if (!item) throw new NotFoundError('invite', 'invite');
      return decodeInvite(item);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Household lists and samples

  async stageHouseholdList(list: HouseholdList): Promise<void> {
    await this.#putChunks(list, Math.floor(Date.parse(list.uploadedAt) / 1000) + STAGED_LIST_SECONDS);
  }

  async putHouseholdList(list: HouseholdList, opts: { replacing?: string } = {}): Promise<void> {
    const { households: _households, ...info } = list;
    await this.#putChunks(list);
    const key = keys.sample(list.campaignId, list.villageId);
    const names: Record<string, string> = { '#list': 'list', '#fp': 'fingerprint', '#seed': 'seed' };
    const values: Record<string, unknown> = { ':info': info, ':entity': 'village' };
    let condition = 'attribute_not_exists(#seed)';
    if (opts.replacing === undefined) {
      values[':new'] = list.fingerprint;
      // No list yet, or this very list already (a retried upload).
      condition += ' AND (attribute_not_exists(#list) OR #list.#fp = :new)';
    } else {
      values[':old'] = opts.replacing;
      condition += ' AND #list.#fp = :old';
    }
    await this.#updateIf(
      key,
      {
        update: 'SET #list = :info, entity = :entity',
        condition: condition,
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new SampleLockedError(list.villageId)
          : new ConflictError('householdList', `${list.campaignId}/${list.villageId}`, 0),
    );
  }

  async getHouseholdListInfo(campaignId: string, villageId: string): Promise<HouseholdListInfo | undefined> {
    const item = await this.#get(keys.sample(campaignId, villageId));
    return item?.list ? (item.list as HouseholdListInfo) : undefined;
  }

  async getVillageState(campaignId: string, villageId: string) {
    const item = await this.#get(keys.sample(campaignId, villageId));
    return {
      ...(item?.list ? { list: item.list as HouseholdListInfo } : {}),
      ...(item?.seed !== undefined ? { sample: decodeSample(item) } : {}),
    };
  }

  async getHouseholdList(
    campaignId: string,
    villageId: string,
    fingerprint?: string,
  ): Promise<HouseholdList | undefined> {
    const info = await this.getHouseholdListInfo(campaignId, villageId);
    const fp = fingerprint ?? info?.fingerprint;
    if (fp === undefined) return undefined;
    const chunks = await this.#query({
      pk: keys.village(campaignId, villageId),
      skPrefix: keys.householdChunks(fp),
    });
    const mine = chunks.filter((c) => c.fingerprint === fp);
    if (mine.length === 0) return undefined;
    const households = mine.flatMap(decodeChunk);
    const base: HouseholdListInfo =
      info && info.fingerprint === fp
        ? info
        : {
            campaignId,
            villageId,
            fingerprint: fp,
            count: households.length,
            byStratum: countByStratum(households),
            uploadedBy: String(mine[0]?.uploadedBy ?? ''),
            uploadedAt: String(mine[0]?.uploadedAt ?? ''),
            fileName: String(mine[0]?.fileName ?? ''),
          };
    return { ...base, households };
  }

  async householdsOfStratum(
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: StratumId,
  ): Promise<Household[]> {
    const chunks = await this.#query({
      pk: keys.village(campaignId, villageId),
      skPrefix: keys.householdChunks(fingerprint, stratum),
    });
    return chunks.filter((c) => c.fingerprint === fingerprint).flatMap(decodeChunk);
  }

  /** The households in chunks of one stratum each, every chunk well under DynamoDB's 400 KB. */
  async #putChunks(list: HouseholdList, expiresAt?: number): Promise<void> {
    const byStratum = new Map<StratumId, Household[]>();
    for (const h of list.households) byStratum.set(h.stratum, [...(byStratum.get(h.stratum) ?? []), h]);
    const items: Item[] = [];
    for (const [stratum, households] of byStratum) {
      for (let i = 0; i * CHUNK_HOUSEHOLDS < households.length; i++) {
        const part = households.slice(i * CHUNK_HOUSEHOLDS, (i + 1) * CHUNK_HOUSEHOLDS);
        items.push({
          ...keys.householdChunk(list.campaignId, list.villageId, list.fingerprint, stratum, i),
          entity: 'householdChunk',
          version: 1,
          fingerprint: list.fingerprint,
          stratum,
          uploadedBy: list.uploadedBy,
          uploadedAt: list.uploadedAt,
          fileName: list.fileName,
          // Arrays, not objects: the names of the fields are not repeated 500 times.
          rows: part.map(encodeHousehold),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
        });
      }
    }
    for (let i = 0; i < items.length; i += CHUNK_WRITES_AT_ONCE) {
      await Promise.all(
        items
          .slice(i, i + CHUNK_WRITES_AT_ONCE)
          .map((Item) => this.#client.send(new PutCommand({ TableName: this.#table, Item }))),
      );
    }
  }

  async putSample(sample: Sample): Promise<Sample> {
    const stored: Sample = { ...sample, version: 1 };
    const key = keys.sample(sample.campaignId, sample.villageId);
    const { sets, names, values } = sampleSets(stored);
    names['#list'] = 'list';
    names['#fp'] = 'fingerprint';
    names['#seed'] = 'seed';
    values[':fp'] = sample.fingerprint;
    await this.#updateIf(
      key,
      // Drawn once, and only from the list in force: an upload that won the race is seen here.
      {
        update: `SET ${sets.join(', ')}`,
        condition: 'attribute_not_exists(#seed) AND #list.#fp = :fp',
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new AlreadyExistsError('sample', sampleId(sample))
          : new ConflictError('householdList', sampleId(sample), 0),
    );
    return stored;
  }

  async getSample(campaignId: string, villageId: string): Promise<Sample | undefined> {
    const item = await this.#get(keys.sample(campaignId, villageId));
    return item?.seed !== undefined ? decodeSample(item) : undefined;
  }

  async saveSample(sample: Sample, expectVersion: number): Promise<Sample> {
    const stored: Sample = { ...sample, version: expectVersion + 1 };
    const key = keys.sample(sample.campaignId, sample.villageId);
    const { sets, names, values } = sampleSets(stored);
    values[':expected'] = expectVersion;
    names['#seed'] = 'seed';
    names['#version'] = 'version';
    await this.#updateIf(
      key,
      {
        update: `SET ${sets.join(', ')}`,
        condition: 'attribute_exists(#seed) AND #version = :expected',
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new ConflictError('sample', sampleId(sample), expectVersion, Number(old.version))
          : new NotFoundError('sample', sampleId(sample)),
    );
    return stored;
  }

  // Village aggregates: their own module (store/village-aggregates.ts).
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

  async markPick(
    campaignId: string,
    villageId: string,
    householdId: string,
    mark: { kind: 'started' | 'surveyed'; at: Instant; by: string },
    hint?: number,
  ): Promise<Sample> {
    const key = keys.sample(campaignId, villageId);
    const id = `${campaignId}/${villageId}`;
    const knownIndex = Number.isSafeInteger(hint) && (hint ?? -1) >= 0 ? hint : undefined;
    for (let attempt = 0; ; attempt++) {
      let index = knownIndex ?? -1;
      // The first attempt at a known place writes straight away (its condition checks the place);
      // every other attempt reads where the pick is and whether it is marked already.
      if (attempt > 0 || knownIndex === undefined) {
        const item = await this.#get(key);
        if (!item || item.seed === undefined) throw new NotFoundError('sample', id);
        const sample = decodeSample(item);
        index = sample.picks.findIndex((p) => p.householdId === householdId);
        const pick = sample.picks[index];
        if (!pick) throw new NotFoundError('sample', `${id}/pick`);
        if (pick.status === 'replaced') throw new PickReplacedError(villageId);
        if (mark.kind === 'started' ? pick.startedAt !== undefined : pick.status === 'surveyed')
          return sample;
      }
      // Only this pick's attributes: marks of other picks never conflict with it. The condition
      // pins the pick (picks are only appended, so its index stays) and that it is not replaced.
      const path = `#picks[${index}]`;
      const names: Record<string, string> = {
        '#picks': 'picks',
        '#hid': 'householdId',
        '#status': 'status',
        '#startedAt': 'startedAt',
        '#version': 'version',
      };
      const values: Record<string, unknown> = {
        ':hid': householdId,
        ':replaced': 'replaced',
        ':at': mark.at,
        ':one': 1,
      };
      const sets = [`${path}.#startedAt = if_not_exists(${path}.#startedAt, :at)`];
      if (mark.kind === 'started') {
        names['#startedBy'] = 'startedBy';
        values[':by'] = mark.by;
        // Written unread at a known place: a mark already there (another opener's) stays.
        sets.push(`${path}.#startedBy = if_not_exists(${path}.#startedBy, :by)`);
      } else {
        values[':surveyed'] = 'surveyed';
        sets.push(`${path}.#status = :surveyed`);
      }
      try {
        const out = await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
            ConditionExpression: `${path}.#hid = :hid AND ${path}.#status <> :replaced`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return decodeSample(out.Attributes ?? {});
      } catch (err) {
        // Replaced meanwhile: the next read says so. Anything else propagates.
        if (!isConditionalFailure(err) || attempt >= 3) throw err;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Surveys

  async createSurvey(survey: Survey): Promise<Survey> {
    const stored: Survey = { ...survey, version: 1 };
    await this.#createOnce('survey', survey.id, surveyItem(stored));
    return stored;
  }

  async getSurvey(id: string): Promise<Survey | undefined> {
    const item = await this.#get(keys.survey(id));
    return item ? decodeSurvey(item) : undefined;
  }

  async saveSurvey(survey: Survey, expectVersion: number): Promise<Survey> {
    const stored: Survey = { ...survey, version: expectVersion + 1 };
    await this.#saveVersioned('survey', survey.id, keys.survey(survey.id), surveyItem(stored), expectVersion);
    return stored;
  }

  async surveysOfTown(campaignId: string, townId: string, status?: SurveyStatus): Promise<Survey[]> {
    const items = await this.#query({
      index: 'GSI1',
      pk: keys.town(campaignId, townId),
      skPrefix: keys.townSurveys(status),
    });
    return items.map(decodeSurvey);
  }

  async surveysOfInspector(personId: string, status?: SurveyStatus): Promise<Survey[]> {
    const items = await this.#query({
      index: 'GSI2',
      pk: keys.inspector(personId),
      skPrefix: keys.inspectorSurveys(status),
    });
    return items.map(decodeSurvey);
  }

  async surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: SurveyStatus,
  ): Promise<Survey[]> {
    const statuses = status === undefined ? SURVEY_STATUSES : [status];
    const pages = await Promise.all(
      statuses.map((s) =>
        this.#query({
          index: 'GSI1',
          pk: keys.town(campaignId, townId),
          skPrefix: keys.townSurveys(s, villageId),
        }),
      ),
    );
    return pages.flat().map(decodeSurvey);
  }

  // -------------------------------------------------------------------------------------------
  // Problems

  async putProblem(problem: Problem): Promise<Problem> {
    const stored: Problem = { ...problem, version: 1 };
    // The reporter's entry first: a create cut off (or lost to another reporter's) after it leaves
    // an entry naming a problem that is missing or not theirs, which problemsOfReporter skips. An
    // upsert: writing it again (a retry, a second confirmation) changes nothing that is read.
    await this.#upsert(keys.reportedProblem(problem.reporterId, problem.campaignId, problem.id), {
      entity: 'reportedProblem',
      id: problem.id,
    });
    await this.#createOnce('problem', problem.id, problemItem(stored));
    return stored;
  }

  async getProblem(id: string): Promise<Problem | undefined> {
    const item = await this.#get(keys.problem(id));
    return item ? decode<Problem>(item) : undefined;
  }

  async saveProblem(problem: Problem, expectVersion: number): Promise<Problem> {
    const stored: Problem = { ...problem, version: expectVersion + 1 };
    await this.#saveVersioned(
      'problem',
      problem.id,
      keys.problem(problem.id),
      problemItem(stored),
      expectVersion,
    );
    return stored;
  }

  async problemsOfTown(campaignId: string, townId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.#queryAs<Problem>({
      index: 'GSI1',
      pk: keys.town(campaignId, townId),
      skPrefix: keys.problemsByStatus(status),
    });
  }

  async problemsOfCampaign(campaignId: string, status?: ProblemStatus): Promise<Problem[]> {
    return this.#queryAs<Problem>({
      index: 'GSI2',
      pk: keys.campaignProblems(campaignId),
      skPrefix: keys.problemsByStatus(status),
    });
  }

  async problemsOfReporter(campaignId: string, reporterId: string): Promise<Problem[]> {
    const entries = await this.#query({
      pk: keys.reporter(reporterId),
      skPrefix: keys.reportedProblems(campaignId),
    });
    const items = await this.#batchGet(entries.map((e) => keys.problem(String(e.id))));
    return items
      .map((i) => decode<Problem>(i))
      .filter((p) => p.reporterId === reporterId && p.campaignId === campaignId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  // -------------------------------------------------------------------------------------------
  // Problem proposals

  async putProposal(proposal: Proposal): Promise<Proposal> {
    const stored: Proposal = { ...proposal, version: 1 };
    await this.#createOnce('problem', `proposal ${proposal.id}`, proposalItem(stored));
    return stored;
  }

  async getProposal(campaignId: string, id: string): Promise<Proposal | undefined> {
    const item = await this.#get(keys.proposal(campaignId, id));
    return item ? decode<Proposal>(item) : undefined;
  }

  async saveProposal(proposal: Proposal, expectVersion: number): Promise<Proposal> {
    const stored: Proposal = { ...proposal, version: expectVersion + 1 };
    await this.#saveVersioned(
      'problem',
      `proposal ${proposal.id}`,
      keys.proposal(proposal.campaignId, proposal.id),
      proposalItem(stored),
      expectVersion,
    );
    return stored;
  }

  async proposalsOf(
    campaignId: string,
    status: ProposalStatus,
    origin?: ProposalOrigin,
  ): Promise<Proposal[]> {
    const proposals = await this.#queryAs<Proposal>({
      index: 'GSI1',
      pk: keys.campaignProposals(campaignId),
      skPrefix: keys.proposalsByStatus(status, origin),
    });
    return proposals.sort(byProposedAt);
  }

  // -------------------------------------------------------------------------------------------
  // Summary snapshots

  async putSnapshot(snapshot: SummarySnapshot): Promise<void> {
    const key = keys.snapshot(snapshot.campaignId, snapshot.scope, snapshot.builtAt);
    // Unconditional: rebuilding at the same instant yields the same snapshot.
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...key, entity: 'snapshot', version: 1, ...snapshot },
      }),
    );
  }

  async latestSnapshot(campaignId: string, scope: string): Promise<SummarySnapshot | undefined> {
    const out = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': keys.snapshots(campaignId, scope), ':sk': 'BUILT#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? decode<SummarySnapshot>(item, ['version']) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Reminder deliveries

  async claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: Instant; until: Instant },
  ): Promise<boolean> {
    try {
      // One UpdateItem: create it, or take over a pending claim whose lease ended (its sender was
      // cut off between claiming and marking), never one that was sent, failed or is still leased.
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.delivery(reminderId, recipientId),
          UpdateExpression:
            'SET #entity = :entity, #reminderId = :reminderId, #recipientId = :recipientId, ' +
            '#status = :pending, #attempts = if_not_exists(#attempts, :zero)' +
            (lease ? ', #leaseUntil = :until' : '') +
            ' ADD #version :one',
          ConditionExpression: lease
            ? 'attribute_not_exists(PK) OR (#status = :pending AND ' +
              '(attribute_not_exists(#leaseUntil) OR #leaseUntil < :now))'
            : 'attribute_not_exists(PK)',
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#reminderId': 'reminderId',
            '#recipientId': 'recipientId',
            '#status': 'status',
            '#attempts': 'attempts',
            '#version': 'version',
            ...(lease ? { '#leaseUntil': 'leaseUntil' } : {}),
          },
          ExpressionAttributeValues: {
            ':entity': 'delivery',
            ':reminderId': reminderId,
            ':recipientId': recipientId,
            ':pending': 'pending',
            ':zero': 0,
            ':one': 1,
            ...(lease ? { ':until': lease.until, ':now': lease.now } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async markDelivery(
    reminderId: string,
    recipientId: string,
    update: DeliveryUpdate,
  ): Promise<ReminderDelivery> {
    const key = keys.delivery(reminderId, recipientId);
    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const values: Record<string, unknown> = { ':status': update.status, ':one': 1 };
    const sets = ['#status = :status'];
    const adds = ['#version :one'];
    for (const field of ['sentAt', 'ackAt', 'lastError'] as const) {
      const value = update[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (update.attempted) {
      names['#attempts'] = 'attempts';
      adds.push('#attempts :one');
    }
    const out = await this.#conditional(
      () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      key,
      new NotFoundError('delivery', `${reminderId}/${recipientId}`),
    );
    return decode<ReminderDelivery>(out.Attributes ?? {}, ['version']);
  }

  async deliveriesOfReminder(reminderId: string): Promise<ReminderDelivery[]> {
    const items = await this.#query({ pk: keys.reminder(reminderId), skPrefix: 'TO#' });
    return items.map((i) => decode<ReminderDelivery>(i, ['version']));
  }

  // -------------------------------------------------------------------------------------------
  // Audit

  async appendAudit(event: AuditEvent): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...keys.audit(event), ...keys.auditIndex(event), entity: 'audit', version: 1, ...event },
      }),
    );
  }

  async auditOf(subject: string): Promise<AuditEvent[]> {
    const items = await this.#query({ pk: keys.auditSubject(subject) });
    return items.map((i) => decode<AuditEvent>(i, ['version']));
  }

  async auditOfDay(day: string): Promise<AuditEvent[]> {
    const items = await this.#query({ index: 'GSI1', pk: keys.auditDay(day) });
    return items.map((i) => decode<AuditEvent>(i, ['version']));
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Consistent BatchGetItem in chunks of 100 keys; unprocessed keys are asked again with a short
   * backoff, and if they stay unprocessed the call fails (never a silently shorter list).
   */
  async #batchGet(keyList: ItemKey[]): Promise<Item[]> {
    const out: Item[] = [];
    for (let i = 0; i < keyList.length; i += BATCH_GET_MAX) {
      let pending: Record<string, unknown>[] = keyList.slice(i, i + BATCH_GET_MAX).map((k) => ({ ...k }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= BATCH_GET_ATTEMPTS) {
          throw new Error(`BatchGetItem: ${pending.length} keys still unprocessed after ${attempt} attempts`);
        }
        if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const res = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        out.push(...(res.Responses?.[this.#table] ?? []));
        pending = res.UnprocessedKeys?.[this.#table]?.Keys ?? [];
      }
    }
    return out;
  }

  async #get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Query one partition to the end (pages of up to 1 MB). Table reads are strongly consistent. */
  /** A query whose items all decode to one aggregate. */
  async #queryAs<T>(q: QuerySpec): Promise<T[]> {
    return (await this.#query(q)).map((i) => decode<T>(i));
  }

  async #query(q: QuerySpec): Promise<Item[]> {
    const index = q.index ? TABLE.indexes.find((i) => i.name === q.index) : undefined;
    const names: Record<string, string> = {
      '#pk': index?.partitionKey ?? TABLE.partitionKey,
      ...(q.skPrefix !== undefined ? { '#sk': index?.sortKey ?? TABLE.sortKey } : {}),
      ...q.filter?.names,
    };
    const values: Record<string, unknown> = {
      ':pk': q.pk,
      ...(q.skPrefix !== undefined ? { ':sk': q.skPrefix } : {}),
      ...q.filter?.values,
    };
    const input: QueryCommandInput = {
      TableName: this.#table,
      ...(index ? { IndexName: index.name } : { ConsistentRead: true }),
      KeyConditionExpression: q.skPrefix !== undefined ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
      ...(q.filter ? { FilterExpression: q.filter.expression } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.#client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async #createOnce(entity: EntityName, id: string, item: Item): Promise<void> {
    await this.#conditional(
      () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      { PK: String(item.PK), SK: String(item.SK) },
      new AlreadyExistsError(entity, id),
    );
  }

  async #saveVersioned(entity: EntityName, id: string, key: ItemKey, item: Item, expectVersion: number) {
    await this.#conditional(
      () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...item, ...key },
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      key,
      (old) =>
        old
          ? new ConflictError(entity, id, expectVersion, Number(old.version))
          : new NotFoundError(entity, id),
    );
  }

  /** Replace the given attributes and count the version up; for aggregates without a lock. */
  async #upsert(key: ItemKey, attributes: Item): Promise<void> {
    const fields = Object.entries(attributes).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':one': 1 };
    fields.forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
    });
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: key,
        UpdateExpression: `SET ${fields.map((_, i) => `#a${i} = :a${i}`).join(', ')} ADD #version :one`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * One conditional UpdateItem (the old item comes back on failure, for `failure` to classify);
   * the new item is returned when `returnNew`.
   */
  async #updateIf(
    key: ItemKey,
    u: {
      update: string;
      condition: string;
      names: Record<string, string>;
      values: Record<string, unknown>;
      returnNew?: boolean;
    },
    failure: Error | ((old?: Item) => Error),
  ): Promise<Item | undefined> {
    const out = await this.#conditional(
      () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: u.update,
            ConditionExpression: u.condition,
            ExpressionAttributeNames: u.names,
            ExpressionAttributeValues: u.values,
            ...(u.returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      key,
      failure,
    );
    return out.Attributes;
  }

  /**
   * Run a conditional write. On ConditionalCheckFailed throw `failure`: either a ready error, or
   * one built from the item as it was (from the error when the engine returns it, else one
   * consistent read). Any other error propagates untouched.
   */
  async #conditional<T>(
    write: () => Promise<T>,
    key: ItemKey,
    failure: Error | ((old?: Item) => Error),
  ): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      if (failure instanceof Error) throw failure;
      const old = err.Item ? fromAttributeValues(err.Item) : await this.#get(key);
      throw failure(old);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Items ⇄ aggregates

/**
 * No index keys: the person item is rewritten on every answer (grant entries index it). The
 * session (with the open draft) is packed: it is what makes the item large (store/packed.ts).
 */
function personItem(p: Person): Item {
  return { ...keys.person(p.id), entity: 'person', ...p, session: pack(p.session) };
}

/** A person item; one stored before grants (roles, groupId, townId) reads as the same grants. */
function decodePerson(item: Item): Person {
  const { roles, groupId, townId, session, ...rest } = decode<Person & Record<string, unknown>>(item);
  const person = {
    ...(rest as unknown as Person),
    ...(session !== undefined ? { session: unpack<Person['session']>(session) } : {}),
  };
  if (Array.isArray(rest.grants)) return person;
  return { ...person, grants: grantsFromLegacy({ roles, groupId, townId }) };
}

/** SET clauses for every field of a sample (the state item's list info is left alone). */
function sampleSets(sample: Sample) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  Object.entries({ ...sample, entity: 'village' })
    .filter(([, v]) => v !== undefined)
    .forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
  return { sets, names, values };
}

function decodeSample(item: Item): Sample {
  return decode<Sample>(item, ['list']);
}

/** [id, name, stratum, population, team, note]; trailing empties left out. */
function encodeHousehold(h: Household): (string | number)[] {
  const row: (string | number)[] = [h.id, h.name, h.stratum, h.population ?? '', h.team ?? '', h.note ?? ''];
  while (row.length > 3 && row.at(-1) === '') row.pop();
  return row;
}

function decodeChunk(chunk: Item): Household[] {
  const rows = Array.isArray(chunk.rows) ? (chunk.rows as unknown[][]) : [];
  return rows.map(([id, name, stratum, population, team, note]) => ({
    id: String(id),
    name: String(name),
    stratum: String(stratum) as StratumId,
    ...(population !== undefined && population !== '' ? { population: Number(population) } : {}),
    ...(team ? { team: String(team) } : {}),
    ...(note ? { note: String(note) } : {}),
  }));
}

/** The parts of a survey no key, condition or query names, packed into `body` (store/packed.ts). */
const SURVEY_BODY: ReadonlySet<string> = new Set<keyof Survey>([
  'answers',
  'confirmations',
  'history',
  'pendingEdit',
  'evidence',
  'sampled',
  'submissions',
]);

function surveyItem(s: Survey): Item {
  const plain: Item = {};
  const body: Item = {};
  for (const [name, value] of Object.entries(s)) {
    if (value !== undefined) (SURVEY_BODY.has(name) ? body : plain)[name] = value;
  }
  return { ...keys.survey(s.id), ...keys.surveyIndex(s), entity: 'survey', ...plain, body: pack(body) };
}

/** A survey item, packed or (written before packing) plain. */
function decodeSurvey(item: Item): Survey {
  const { body, ...plain } = decode<Survey & { body?: unknown }>(item);
  return body === undefined ? plain : { ...plain, ...unpack<Partial<Survey>>(body) };
}

function problemItem(p: Problem): Item {
  return { ...keys.problem(p.id), ...keys.problemIndex(p), entity: 'problem', ...p };
}

function proposalItem(p: Proposal): Item {
  return { ...keys.proposal(p.campaignId, p.id), ...keys.proposalIndex(p), entity: 'proposal', ...p };
}

/** Oldest first, ties by id (the index sorts by origin first when no origin is asked for). */
const byProposedAt = (a: Proposal, b: Proposal) =>
  a.proposedAt < b.proposedAt ? -1 : a.proposedAt > b.proposedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function inviteItem(invite: Invite): Item {
  const { expiresAt, ...rest } = invite;
  return {
    ...keys.invite(invite.code),
    ...keys.openInviteIndex(invite.createdAt, invite.id),
    entity: 'invite',
    version: 1,
    ...rest,
    validUntil: expiresAt,
    // TTL: epoch seconds, a while after expiry so a late "/start" still gets a clear answer.
    expiresAt: Math.floor(Date.parse(expiresAt) / 1000) + INVITE_RETENTION_SECONDS,
  };
}

function decodeInvite(item: Item): Invite {
  const { validUntil, expiresAt: _ttl, ...rest } = item;
  return { ...decode<Omit<Invite, 'expiresAt'>>(rest, ['version']), expiresAt: String(validUntil) };
}

function decode<T>(item: Item, drop: readonly string[] = []): T {
  const out: Item = { ...item };
  for (const name of [...KEY_ATTRIBUTES, ...drop]) delete out[name];
  return out as T;
}

function sampleId(s: Pick<Sample, 'campaignId' | 'villageId'>): string {
  return `${s.campaignId}/${s.villageId}`;
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number) : [];
}

// ---------------------------------------------------------------------------------------------
// Errors

interface ConditionalFailure {
  name: 'ConditionalCheckFailedException';
  Item?: Record<string, unknown>;
}

/** By name, not instanceof: the class may come from another copy of the SDK (or a mock). */
export function isConditionalFailure(err: unknown): err is ConditionalFailure {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'ConditionalCheckFailedException'
  );
}

/**
 * The old item of a ConditionalCheckFailedException arrives as raw AttributeValues (the document
 * client converts outputs, not errors). Enough of a decoder for the attributes we classify by.
 */
function fromAttributeValues(raw: Record<string, unknown>): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(raw)) out[name] = fromAttributeValue(value);
  return out;
}

function fromAttributeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown>;
  if ('S' in v) return v.S;
  if ('N' in v) return Number(v.N);
  if ('BOOL' in v) return v.BOOL;
  if ('NULL' in v) return null;
  if ('L' in v && Array.isArray(v.L)) return v.L.map(fromAttributeValue);
  if ('M' in v && typeof v.M === 'object' && v.M !== null)
    return fromAttributeValues(v.M as Record<string, unknown>);
  if ('SS' in v) return v.SS;
  if ('NS' in v && Array.isArray(v.NS)) return v.NS.map(Number);
  return value;
}
