// The in-memory twin of the DynamoDB store, for use-case unit tests: same conditional semantics,
// same typed errors (test/support/store-contract.ts runs one suite against both). Values are
// deep-copied in and out through JSON, which also drops `undefined` fields as DynamoDB does, so
// a test cannot pass by mutating an object the store still holds. Each method checks and writes
// without awaiting in between, so concurrent calls interleave like conditional writes do.

import {
  type AggregateChange,
  type AggregateRefusal,
  applyChange,
  countsOf,
  emptyAggregate,
  type VillageAggregate,
} from '../domain/aggregates';
import type { Campaign } from '../domain/campaign';
import type { StratumId } from '../domain/forms/types';
import { effectiveGrants, groupsOf, hasRole, holds } from '../domain/grants';
import type { Household } from '../domain/household-list';
import {
  AlreadyExistsError,
  type AuditEvent,
  auditDay,
  ConflictError,
  countByStratum,
  type DeliveryUpdate,
  DuplicateUpdateError,
  type EntityName,
  type HouseholdList,
  type HouseholdListInfo,
  type Instant,
  type Invite,
  InviteUnusableError,
  isInviteUsable,
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
  type SummarySnapshot,
  type Survey,
  type SurveyStatus,
} from '../domain/model';
import type { SaveSessionOptions, Store } from './ports';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemoryStore implements Store {
  readonly #campaigns = new Map<string, Campaign>();
  readonly #people = new Map<string, Person>();
  readonly #invites = new Map<string, Invite>();
  /** The village's state item: the list in force and the sample, as in the DynamoDB layout. */
  readonly #villages = new Map<string, { list?: HouseholdListInfo; sample?: Sample }>();
  /** Households by village and fingerprint (staged or in force). */
  readonly #households = new Map<string, Household[]>();
  readonly #surveys = new Map<string, Survey>();
  readonly #problems = new Map<string, Problem>();
  /** By campaign and id, as the DynamoDB key. */
  readonly #proposals = new Map<string, Proposal>();
  readonly #snapshots: SummarySnapshot[] = [];
  readonly #deliveries = new Map<string, ReminderDelivery>();
  readonly #audit = new Map<string, AuditEvent>();
  /** Village aggregates by campaign|town|village. */
  readonly #aggregates = new Map<string, VillageAggregate>();

  // Campaigns
  async putCampaign(campaign: Campaign): Promise<void> {
    this.#campaigns.set(campaign.id, copy(campaign));
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    return maybeCopy(this.#campaigns.get(id));
  }

  // People
  async getPerson(id: string): Promise<Person | undefined> {
    return maybeCopy(this.#people.get(id));
  }

  async putPerson(person: Person): Promise<Person> {
    return this.#createOnce(this.#people, 'person', person.id, { ...person, version: 1 });
  }

  async savePersonSession(person: Person, { expectVersion, updateId }: SaveSessionOptions): Promise<Person> {
    if (updateId !== undefined && isUpdateApplied(person, updateId)) {
      throw new DuplicateUpdateError(person.id, updateId, person.lastUpdateId);
    }
    const old = this.#people.get(person.id);
    if (!old) throw new NotFoundError('person', person.id);
    if (updateId !== undefined && (old.recentUpdateIds ?? []).includes(updateId)) {
      throw new DuplicateUpdateError(person.id, updateId, old.lastUpdateId);
    }
    if (old.version !== expectVersion)
      throw new ConflictError('person', person.id, expectVersion, old.version);
    const next: Person = {
      ...old,
      session: copy(person.session),
      version: expectVersion + 1,
      updatedAt: person.updatedAt,
      ...(updateId !== undefined
        ? {
            // Like the DynamoDB adapter: computed from the person as read (equal to `old` here).
            lastUpdateId: Math.max(person.lastUpdateId, updateId),
            recentUpdateIds: rememberUpdate(person.recentUpdateIds, updateId),
          }
        : {}),
      ...(person.chatId !== undefined ? { chatId: person.chatId } : {}),
      ...(person.displayName !== undefined ? { displayName: person.displayName } : {}),
    };
    this.#people.set(person.id, copy(next));
    return copy(next);
  }

  async savePerson(person: Person, expectVersion: number): Promise<Person> {
    return this.#saveVersioned(this.#people, 'person', person.id, person, expectVersion);
  }

  async peopleOfGroup(groupId: string): Promise<Person[]> {
    return this.#people$((p) => groupsOf(p).includes(groupId));
  }

  async peopleOfTown(townId: string): Promise<Person[]> {
    return this.#people$((p) => holds(p, { role: 'town_contact', townId }));
  }

  async peopleWithRole(role: Role): Promise<Person[]> {
    return this.#people$((p) => hasRole(p, role));
  }

  async listPeople({ after, limit }: { after?: string; limit: number }) {
    const all = select(this.#people, (p) => after === undefined || p.id > after);
    const people = all.slice(0, limit);
    const last = people.at(-1);
    return { people, ...(all.length > limit && last ? { next: last.id } : {}) };
  }

  // Invites
  async putInvite(invite: Invite): Promise<void> {
    if (this.#invites.has(invite.code)) throw new AlreadyExistsError('invite', 'invite');
    this.#invites.set(invite.code, copy(invite));
  }

  async getInvite(code: string): Promise<Invite | undefined> {
    return maybeCopy(this.#invites.get(code));
  }

  async useInvite(code: string, personId: string, at: Instant): Promise<Invite> {
    const invite = this.#invites.get(code);
    if (!invite) throw new NotFoundError('invite', 'invite');
    const usable = isInviteUsable(invite, personId, at);
    if (usable !== 'ok') throw new InviteUnusableError(code, usable);
    const next: Invite = { ...invite, usedBy: personId, usedAt: invite.usedAt ?? at };
    this.#invites.set(code, copy(next));
    return copy(next);
  }

  async openInvites(): Promise<Invite[]> {
    return [...this.#invites.values()]
      .filter((i) => i.usedBy === undefined && i.cancelledAt === undefined)
      .map(copy);
  }

  async cancelInvite(code: string, by: string, at: Instant): Promise<Invite> {
    const invite = this.#invites.get(code);
    if (!invite) throw new NotFoundError('invite', 'invite');
    if (invite.usedBy !== undefined || invite.cancelledAt !== undefined) return copy(invite);
    const next: Invite = { ...invite, cancelledAt: at, cancelledBy: by };
    this.#invites.set(code, copy(next));
    return copy(next);
  }

  // Household lists and samples
  async stageHouseholdList(list: HouseholdList): Promise<void> {
    this.#households.set(chunkKey(list, list.fingerprint), copy(list.households));
  }

  async putHouseholdList(list: HouseholdList, opts: { replacing?: string } = {}): Promise<void> {
    const key = villageKey(list);
    const state = this.#villages.get(key) ?? {};
    if (state.sample) throw new SampleLockedError(list.villageId);
    if (state.list?.fingerprint === list.fingerprint && opts.replacing === undefined) return;
    if (state.list?.fingerprint !== opts.replacing)
      throw new ConflictError('householdList', key, 0, state.list ? 1 : 0);
    const { households, ...info } = list;
    this.#households.set(chunkKey(list, list.fingerprint), copy(households));
    this.#villages.set(key, { ...state, list: copy(info) });
  }

  async getHouseholdListInfo(campaignId: string, villageId: string): Promise<HouseholdListInfo | undefined> {
    return maybeCopy(this.#villages.get(villageKey({ campaignId, villageId }))?.list);
  }

  async getVillageState(campaignId: string, villageId: string) {
    return copy(this.#villages.get(villageKey({ campaignId, villageId })) ?? {});
  }

  async getHouseholdList(
    campaignId: string,
    villageId: string,
    fingerprint?: string,
  ): Promise<HouseholdList | undefined> {
    const info = this.#villages.get(villageKey({ campaignId, villageId }))?.list;
    const fp = fingerprint ?? info?.fingerprint;
    if (fp === undefined) return undefined;
    const households = this.#households.get(chunkKey({ campaignId, villageId }, fp));
    if (!households) return undefined;
    const base: HouseholdListInfo =
      info && info.fingerprint === fp
        ? info
        : {
            campaignId,
            villageId,
            fingerprint: fp,
            count: households.length,
            byStratum: countByStratum(households),
            uploadedBy: '',
            uploadedAt: '',
            fileName: '',
          };
    return copy({ ...base, households });
  }

  async householdsOfStratum(
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: StratumId,
  ): Promise<Household[]> {
    const households = this.#households.get(chunkKey({ campaignId, villageId }, fingerprint)) ?? [];
    return copy(households.filter((h) => h.stratum === stratum));
  }

  async putSample(sample: Sample): Promise<Sample> {
    const key = villageKey(sample);
    const state = this.#villages.get(key) ?? {};
    if (state.sample) throw new AlreadyExistsError('sample', key);
    if (state.list?.fingerprint !== sample.fingerprint)
      throw new ConflictError('householdList', key, 0, state.list ? 1 : 0);
    const stored = { ...sample, version: 1 };
    this.#villages.set(key, { ...state, sample: copy(stored) });
    return copy(stored);
  }

  async getSample(campaignId: string, villageId: string): Promise<Sample | undefined> {
    return maybeCopy(this.#villages.get(villageKey({ campaignId, villageId }))?.sample);
  }

  async saveSample(sample: Sample, expectVersion: number): Promise<Sample> {
    const key = villageKey(sample);
    const state = this.#villages.get(key);
    if (!state?.sample) throw new NotFoundError('sample', key);
    if (state.sample.version !== expectVersion)
      throw new ConflictError('sample', key, expectVersion, state.sample.version);
    const next = { ...sample, version: expectVersion + 1 };
    this.#villages.set(key, { ...state, sample: copy(next) });
    return copy(next);
  }

  async getVillageAggregate(campaignId: string, townId: string, villageId: string) {
    const agg = this.#aggregates.get(`${campaignId}|${townId}|${villageId}`);
    return agg ? copy(agg) : undefined;
  }

  async villageAggregatesOfTown(campaignId: string, townId: string) {
    return [...this.#aggregates.values()]
      .filter((a) => a.campaignId === campaignId && a.townId === townId)
      .sort((a, b) => (a.villageId < b.villageId ? -1 : 1))
      .map(copy);
  }

  async villageCountsOfTown(campaignId: string, townId: string) {
    return (await this.villageAggregatesOfTown(campaignId, townId)).map(countsOf);
  }

  async changeVillageAggregate(
    at: { campaignId: string; townId: string; villageId: string },
    change: AggregateChange,
    basis: string,
  ): Promise<true | AggregateRefusal> {
    const key = `${at.campaignId}|${at.townId}|${at.villageId}`;
    const now = this.#aggregates.get(key) ?? emptyAggregate(at.campaignId, at.townId, at.villageId);
    const next = applyChange(now, change, basis);
    if (typeof next === 'string') return next;
    this.#aggregates.set(key, copy(next));
    return true;
  }

  async putVillageAggregate(aggregate: VillageAggregate, expectVersion: number) {
    const key = `${aggregate.campaignId}|${aggregate.townId}|${aggregate.villageId}`;
    const version = this.#aggregates.get(key)?.version ?? 0;
    if (version !== expectVersion) throw new ConflictError('villageAggregate', key, expectVersion, version);
    this.#aggregates.set(key, copy(aggregate));
  }

  async markPick(
    campaignId: string,
    villageId: string,
    householdId: string,
    mark: { kind: 'started' | 'surveyed'; at: Instant; by: string },
    _index?: number,
  ): Promise<Sample> {
    const key = villageKey({ campaignId, villageId });
    const state = this.#villages.get(key);
    const sample = state?.sample;
    if (!state || !sample) throw new NotFoundError('sample', key);
    const index = sample.picks.findIndex((p) => p.householdId === householdId);
    const pick = sample.picks[index];
    if (!pick) throw new NotFoundError('sample', `${key}/pick`);
    if (pick.status === 'replaced') throw new PickReplacedError(villageId);
    const done = mark.kind === 'started' ? pick.startedAt !== undefined : pick.status === 'surveyed';
    if (done) return copy(sample);
    const picks = [...sample.picks];
    picks[index] =
      mark.kind === 'started'
        ? { ...pick, startedAt: mark.at, startedBy: mark.by }
        : { ...pick, status: 'surveyed', startedAt: pick.startedAt ?? mark.at };
    const next = { ...sample, picks, version: sample.version + 1 };
    this.#villages.set(key, { ...state, sample: copy(next) });
    return copy(next);
  }

  // Surveys
  async createSurvey(survey: Survey): Promise<Survey> {
    return this.#createOnce(this.#surveys, 'survey', survey.id, { ...survey, version: 1 });
  }

  async getSurvey(id: string): Promise<Survey | undefined> {
    return maybeCopy(this.#surveys.get(id));
  }

  async saveSurvey(survey: Survey, expectVersion: number): Promise<Survey> {
    return this.#saveVersioned(this.#surveys, 'survey', survey.id, survey, expectVersion);
  }

  async surveysOfTown(campaignId: string, townId: string, status?: SurveyStatus): Promise<Survey[]> {
    return select(
      this.#surveys,
      (s) =>
        s.campaignId === campaignId && s.townId === townId && (status === undefined || s.status === status),
    );
  }

  async surveysOfInspector(personId: string, status?: SurveyStatus): Promise<Survey[]> {
    return select(
      this.#surveys,
      (s) => s.inspectorId === personId && (status === undefined || s.status === status),
    );
  }

  async surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: SurveyStatus,
  ): Promise<Survey[]> {
    return select(
      this.#surveys,
      (s) =>
        s.campaignId === campaignId &&
        s.townId === townId &&
        s.villageId === villageId &&
        (status === undefined || s.status === status),
    );
  }

  // Problems
  async putProblem(problem: Problem): Promise<Problem> {
    return this.#createOnce(this.#problems, 'problem', problem.id, { ...problem, version: 1 });
  }

  async getProblem(id: string): Promise<Problem | undefined> {
    return maybeCopy(this.#problems.get(id));
  }

  async saveProblem(problem: Problem, expectVersion: number): Promise<Problem> {
    return this.#saveVersioned(this.#problems, 'problem', problem.id, problem, expectVersion);
  }

  async problemsOfTown(campaignId: string, townId: string, status?: ProblemStatus): Promise<Problem[]> {
    return select(
      this.#problems,
      (p) =>
        p.campaignId === campaignId && p.townId === townId && (status === undefined || p.status === status),
    );
  }

  async problemsOfCampaign(campaignId: string, status?: ProblemStatus): Promise<Problem[]> {
    return select(
      this.#problems,
      (p) => p.campaignId === campaignId && (status === undefined || p.status === status),
    );
  }

  async problemsOfReporter(campaignId: string, reporterId: string): Promise<Problem[]> {
    return select(this.#problems, (p) => p.campaignId === campaignId && p.reporterId === reporterId);
  }

  // Problem proposals
  async putProposal(proposal: Proposal): Promise<Proposal> {
    return this.#createOnce(this.#proposals, 'problem', proposalKey(proposal), { ...proposal, version: 1 });
  }

  async getProposal(campaignId: string, id: string): Promise<Proposal | undefined> {
    return maybeCopy(this.#proposals.get(proposalKey({ campaignId, id })));
  }

  async saveProposal(proposal: Proposal, expectVersion: number): Promise<Proposal> {
    return this.#saveVersioned(this.#proposals, 'problem', proposalKey(proposal), proposal, expectVersion);
  }

  async proposalsOf(
    campaignId: string,
    status: ProposalStatus,
    origin?: ProposalOrigin,
  ): Promise<Proposal[]> {
    return [...this.#proposals.values()]
      .filter(
        (p) =>
          p.campaignId === campaignId && p.status === status && (origin === undefined || p.origin === origin),
      )
      .sort((a, b) =>
        a.proposedAt < b.proposedAt
          ? -1
          : a.proposedAt > b.proposedAt
            ? 1
            : a.id < b.id
              ? -1
              : a.id > b.id
                ? 1
                : 0,
      )
      .map(copy);
  }

  // Snapshots
  async putSnapshot(snapshot: SummarySnapshot): Promise<void> {
    const same = (s: SummarySnapshot) =>
      s.campaignId === snapshot.campaignId && s.scope === snapshot.scope && s.builtAt === snapshot.builtAt;
    const at = this.#snapshots.findIndex(same);
    if (at >= 0) this.#snapshots.splice(at, 1);
    this.#snapshots.push(copy(snapshot));
  }

  async latestSnapshot(campaignId: string, scope: string): Promise<SummarySnapshot | undefined> {
    const mine = this.#snapshots.filter((s) => s.campaignId === campaignId && s.scope === scope);
    const latest = mine.reduce<SummarySnapshot | undefined>(
      (a, s) => (a && a.builtAt >= s.builtAt ? a : s),
      undefined,
    );
    return maybeCopy(latest);
  }

  // Reminder deliveries
  async claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: string; until: string },
  ): Promise<boolean> {
    const key = deliveryKey(reminderId, recipientId);
    const old = this.#deliveries.get(key);
    if (old) {
      const expired = lease && old.status === 'pending' && (old.leaseUntil ?? '') < lease.now;
      if (!expired) return false;
      this.#deliveries.set(key, { ...old, leaseUntil: lease.until });
      return true;
    }
    this.#deliveries.set(key, {
      reminderId,
      recipientId,
      status: 'pending',
      attempts: 0,
      ...(lease ? { leaseUntil: lease.until } : {}),
    });
    return true;
  }

  async markDelivery(
    reminderId: string,
    recipientId: string,
    update: DeliveryUpdate,
  ): Promise<ReminderDelivery> {
    const key = deliveryKey(reminderId, recipientId);
    const old = this.#deliveries.get(key);
    if (!old) throw new NotFoundError('delivery', `${reminderId}/${recipientId}`);
    const { attempted, ...fields } = update;
    const next: ReminderDelivery = copy({ ...old, ...fields, attempts: old.attempts + (attempted ? 1 : 0) });
    this.#deliveries.set(key, next);
    return copy(next);
  }

  async deliveriesOfReminder(reminderId: string): Promise<ReminderDelivery[]> {
    return [...this.#deliveries.values()]
      .filter((d) => d.reminderId === reminderId)
      .sort((a, b) => (a.recipientId < b.recipientId ? -1 : a.recipientId > b.recipientId ? 1 : 0))
      .map(copy);
  }

  // Audit
  async appendAudit(event: AuditEvent): Promise<void> {
    // Same identity as the DynamoDB key: a repeated append stores the event once.
    this.#audit.set([event.subject, event.at, event.action, event.actorId].join('\u0000'), copy(event));
  }

  async auditOf(subject: string): Promise<AuditEvent[]> {
    return this.#auditWhere((e) => e.subject === subject);
  }

  async auditOfDay(day: string): Promise<AuditEvent[]> {
    return this.#auditWhere((e) => auditDay(e.at) === day);
  }

  // Plumbing
  /** Active people a predicate over their grants keeps (as the grant index would list them). */
  #people$(keep: (p: Person) => boolean): Person[] {
    return select(this.#people, (p) => effectiveGrants(p).length > 0 && keep(p));
  }

  #auditWhere(keep: (e: AuditEvent) => boolean): AuditEvent[] {
    return [...this.#audit.values()]
      .filter(keep)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map(copy);
  }

  #createOnce<T>(map: Map<string, T>, entity: EntityName, id: string, value: T): T {
    if (map.has(id)) throw new AlreadyExistsError(entity, id);
    map.set(id, copy(value));
    return copy(value);
  }

  #saveVersioned<T extends { version: number }>(
    map: Map<string, T>,
    entity: EntityName,
    id: string,
    value: T,
    expectVersion: number,
  ): T {
    const old = map.get(id);
    if (!old) throw new NotFoundError(entity, id);
    if (old.version !== expectVersion) throw new ConflictError(entity, id, expectVersion, old.version);
    const next = { ...value, version: expectVersion + 1 };
    map.set(id, copy(next));
    return copy(next);
  }
}

function maybeCopy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}

function select<T extends { id: string }>(map: Map<string, T>, keep: (value: T) => boolean): T[] {
  return [...map.values()].filter(keep).sort(byId).map(copy);
}

function villageKey(v: { campaignId: string; villageId: string }): string {
  return `${v.campaignId}/${v.villageId}`;
}

function chunkKey(v: { campaignId: string; villageId: string }, fingerprint: string): string {
  return `${villageKey(v)}/${fingerprint}`;
}

function proposalKey(p: { campaignId: string; id: string }): string {
  return `${p.campaignId}/${p.id}`;
}

function deliveryKey(reminderId: string, recipientId: string): string {
  return `${reminderId}\u0000${recipientId}`;
}
