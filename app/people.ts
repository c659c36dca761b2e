// People and their grants (DOMAIN.md §10). The office creates one-time invites; `/start <code>`
// makes a stranger a person holding the invite's one grant. Someone already enrolled who opens an
// invite is asked first and then gains exactly that grant: an invite never moves or widens what a
// person holds. The office lists people, revokes a grant, deactivates a person (their unfinished
// surveys go back to the group) and cancels unused invites; every change is audited with ids only.

import { createHash, randomBytes } from 'node:crypto';
import type { Campaign } from '../domain/campaign';
import {
  effectiveGrants,
  type Grant,
  grantKey,
  holds,
  holdsInGroup,
  normalGrant,
  scopeKindOf,
} from '../domain/grants';
import {
  AlreadyExistsError,
  ConflictError,
  type Invite,
  InviteUnusableError,
  isInviteUsable,
  NotFoundError,
  type Person,
  type Role,
  type Survey,
  standingOf,
} from '../domain/model';
import { recordReleased } from './aggregates';
import { assertCan, can } from './authz';
import { InviteInputError, PersonDeactivatedError, SelfDeactivationError } from './errors';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { writeBackDraft } from './surveys';

export interface PeopleDeps {
  store: Store;
  clock: Clock;
  /** Invite codes are bearer secrets: 12 random bytes, URL-safe. */
  newCode?: () => string;
}

export { InviteInputError, PersonDeactivatedError, SelfDeactivationError } from './errors';

export const INVITE_DAYS = 14;
/** How often a people write is retried when the person changed meanwhile (they may be answering). */
const SAVE_ATTEMPTS = 6;

export interface InviteRequest {
  role: Role;
  groupId?: string;
  townId?: string;
}

/**
 * The invite's public handle: lists and buttons name it by this, never by its code. Never starting
 * with "-": a command line would take `--invite -x…` for two options (the office cancels invites
 * with `npm run people -- cancel-invite --invite <id>`).
 */
export function inviteIdOf(code: string): string {
  const id = createHash('sha256').update(code).digest('base64url').slice(0, 12);
  return id.startsWith('-') ? `x${id.slice(1)}` : id;
}

export function grantOfInvite(invite: Pick<Invite, 'role' | 'groupId' | 'townId'>): Grant {
  return normalGrant({
    role: invite.role,
    ...(invite.groupId ? { groupId: invite.groupId } : {}),
    ...(invite.townId ? { townId: invite.townId } : {}),
  });
}

/** Checks a requested grant against the campaign; the office role has no scope. */
export function checkGrantRequest(campaign: Campaign, req: InviteRequest): Grant {
  const kind = scopeKindOf(req.role);
  if (kind === 'group' && !req.groupId) throw new InviteInputError('group_required');
  if (kind === 'town' && !req.townId) throw new InviteInputError('town_required');
  if (kind === 'group' && !campaign.groups.some((g) => g.id === req.groupId))
    throw new InviteInputError('unknown_group');
  if (kind === 'town' && !campaign.towns.some((t) => t.id === req.townId))
    throw new InviteInputError('unknown_town');
  return grantOfInvite(req);
}

/**
 * A new invite. `code` may be given to make a retried request idempotent (the chat derives it from
 * the update): the same code twice stores one invite and returns it.
 */
export async function createInvite(
  deps: PeopleDeps,
  actor: Person,
  campaign: Campaign,
  req: InviteRequest,
): Promise<Invite> {
  assertCan(can.invite(actor), 'invite', actor);
  const grant = checkGrantRequest(campaign, req);
  const now = deps.clock.now();
  const code = (deps.newCode ?? (() => randomBytes(12).toString('base64url')))();
  const invite: Invite = {
    code,
    id: inviteIdOf(code),
    role: grant.role,
    ...(grant.groupId ? { groupId: grant.groupId } : {}),
    ...(grant.townId ? { townId: grant.townId } : {}),
    createdBy: actor.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITE_DAYS * 86_400_000).toISOString(),
  };
  try {
    await deps.store.putInvite(invite);
  } catch (err) {
    // The same request delivered twice (the code came from the update): the first one stands.
    if (!(err instanceof AlreadyExistsError)) throw err;
    const stored = await deps.store.getInvite(code);
    if (!stored || stored.createdBy !== actor.id) throw err;
    return stored;
  }
  await deps.store.appendAudit({
    at: invite.createdAt,
    actorId: actor.id,
    action: 'invite.create',
    subject: `invite:${invite.id}`,
    details: { role: invite.role, ...scopeDetails(grant) },
  });
  return invite;
}

export interface TelegramIdentity {
  userId: number;
  chatId: number;
  firstName?: string;
}

export type JoinResult =
  /** The invite's grant was added (a new person, or an enrolled one who confirmed). */
  | { kind: 'joined'; person: Person; invite: Invite; grant: Grant; newPerson: boolean }
  /** The person already holds exactly this grant: nothing used, nothing changed. */
  | { kind: 'already'; person: Person; invite: Invite; grant: Grant }
  /** An enrolled person must confirm before the grant is added; the invite is still unused. */
  | { kind: 'confirm'; person: Person; invite: Invite; grant: Grant };

/**
 * `/start <code>`. A stranger joins at once. An enrolled person is asked first (`confirmed` false →
 * kind 'confirm', nothing written); with `confirmed` the invite is used and its grant added to what
 * they hold. Safe to retry: using one's own invite again is allowed by the store, and adding a grant
 * the person already holds changes nothing.
 */
export async function joinWithInvite(
  deps: PeopleDeps,
  who: TelegramIdentity,
  code: string,
  opts: { confirmed?: boolean } = {},
): Promise<JoinResult> {
  const at = deps.clock.now().toISOString();
  const id = String(who.userId);
  const existing = await deps.store.getPerson(id);
  if (existing?.deactivated) throw new PersonDeactivatedError(id);
  if (existing) {
    const invite = await deps.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite', 'invite');
    const grant = grantOfInvite(invite);
    if (holds(existing, grant)) return { kind: 'already', person: existing, invite, grant };
    const usable = isInviteUsable(invite, id, at);
    if (usable !== 'ok') throw new InviteUnusableError(code, usable);
    // Their own used invite is usable again only to finish an enrolment cut off before the grant
    // was added. Once added (and since revoked by the office), the old link must not give it back.
    if (invite.usedBy === id) {
      const given = (await deps.store.auditOf(`person:${id}`)).some(
        (e) => e.action === 'grant.add' && e.details?.invite === invite.id,
      );
      if (given) throw new InviteUnusableError(code, 'used_before');
    }
    if (!opts.confirmed) return { kind: 'confirm', person: existing, invite, grant };
  }
  const invite = await deps.store.useInvite(code, id, at);
  const grant = normalGrant({ ...grantOfInvite(invite), at, by: invite.createdBy });
  for (let attempt = 0; ; attempt++) {
    const current = attempt === 0 ? existing : await deps.store.getPerson(id);
    try {
      if (!current) {
        const person: Person = {
          id,
          grants: [grant],
          chatId: who.chatId,
          ...(who.firstName ? { displayName: who.firstName } : {}),
          lastUpdateId: 0,
          session: {},
          version: 1,
          createdAt: at,
          updatedAt: at,
        };
        const stored = await deps.store.putPerson(person);
        await auditJoin(deps, stored, invite, grant, at);
        return { kind: 'joined', person: stored, invite, grant, newPerson: true };
      }
      if (current.deactivated) throw new PersonDeactivatedError(id);
      if (holds(current, grant)) return { kind: 'already', person: current, invite, grant };
      const stored = await deps.store.savePerson(
        { ...current, grants: [...current.grants, grant], chatId: who.chatId, updatedAt: at },
        current.version,
      );
      await auditJoin(deps, stored, invite, grant, at);
      return { kind: 'joined', person: stored, invite, grant, newPerson: false };
    } catch (err) {
      // Two taps on the same link race, or the person answered meanwhile: re-read and settle.
      if ((err instanceof AlreadyExistsError || err instanceof ConflictError) && attempt < SAVE_ATTEMPTS)
        continue;
      throw err;
    }
  }
}

function scopeDetails(g: Pick<Grant, 'groupId' | 'townId'>) {
  return { ...(g.groupId ? { groupId: g.groupId } : {}), ...(g.townId ? { townId: g.townId } : {}) };
}

function auditJoin(deps: PeopleDeps, person: Person, invite: Invite, grant: Grant, at: string) {
  return deps.store.appendAudit({
    at,
    actorId: person.id,
    action: 'grant.add',
    subject: `person:${person.id}`,
    details: { role: grant.role, ...scopeDetails(grant), invite: invite.id },
  });
}

// ---------------------------------------------------------------------------------------------
// The office manages people

export type PeopleScope =
  | { kind: 'group'; groupId: string }
  | { kind: 'town'; townId: string }
  | { kind: 'role'; role: Role }
  | { kind: 'all'; after?: string };

export interface PeoplePage {
  people: Person[];
  /** For `all`: where the next page starts. */
  next?: string;
}

export const PEOPLE_PAGE = 20;

export async function listPeople(deps: PeopleDeps, actor: Person, scope: PeopleScope): Promise<PeoplePage> {
  assertCan(can.managePeople(actor), 'people.list', actor);
  const sorted = (people: Person[]) => [...people].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (scope.kind === 'group') return { people: sorted(await deps.store.peopleOfGroup(scope.groupId)) };
  if (scope.kind === 'town') return { people: sorted(await deps.store.peopleOfTown(scope.townId)) };
  if (scope.kind === 'role') return { people: sorted(await deps.store.peopleWithRole(scope.role)) };
  return deps.store.listPeople({ limit: PEOPLE_PAGE, ...(scope.after ? { after: scope.after } : {}) });
}

export async function getPersonFor(deps: PeopleDeps, actor: Person, personId: string): Promise<Person> {
  assertCan(can.managePeople(actor), 'people.read', actor);
  const person = await deps.store.getPerson(personId);
  if (!person) throw new NotFoundError('person', personId);
  return person;
}

export interface PeopleChange {
  person: Person;
  /** False when the change was already made (a repeated tap or command). */
  changed: boolean;
  /** Unfinished surveys that went back to their group. */
  released: number;
  /**
   * Nothing was changed: the person was deactivated or reactivated by someone else after the
   * button was shown (its `seen` standing no longer holds).
   */
  changedSinceShown?: true;
}

/** The office takes one grant away. Surveys the person can no longer fill go back to the group. */
export async function revokeGrant(
  deps: PeopleDeps,
  actor: Person,
  campaign: Campaign,
  input: { personId: string; grant: string },
): Promise<PeopleChange> {
  assertCan(can.managePeople(actor), 'grant.revoke', actor);
  const at = deps.clock.now().toISOString();
  const result = await changePerson(deps, campaign, input.personId, (p) => {
    const grant = p.grants.find((g) => grantKey(g) === input.grant);
    if (!grant) return undefined;
    return { ...p, grants: p.grants.filter((g) => g !== grant), updatedAt: at };
  });
  if (result.changed) {
    const [role, scope] = input.grant.split('@');
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'grant.revoke',
      subject: `person:${input.personId}`,
      details: { role: role ?? '', ...(scope ? { scope } : {}) },
    });
  }
  const released = await releaseUncovered(deps, result.person, actor.id, at, 'revoked');
  return { ...result, released };
}

/**
 * The office deactivates a person: no grant counts any more, every message they send is answered
 * 您已被停用, reminders skip them, and their unfinished surveys go back to the group.
 */
export async function deactivatePerson(
  deps: PeopleDeps,
  actor: Person,
  campaign: Campaign,
  input: { personId: string; seen?: string },
): Promise<PeopleChange> {
  assertCan(can.managePeople(actor), 'person.deactivate', actor);
  if (input.personId === actor.id) throw new SelfDeactivationError(actor.id);
  const at = deps.clock.now().toISOString();
  let moved = false;
  const result = await changePerson(deps, campaign, input.personId, (p) => {
    // Reactivated (or deactivated) by someone else since the 确定停用 was asked: theirs stands.
    moved = input.seen !== undefined && standingOf(p) !== input.seen;
    return moved || p.deactivated ? undefined : { ...p, deactivated: { at, by: actor.id }, updatedAt: at };
  });
  if (moved) return { ...result, released: 0, changedSinceShown: true };
  if (result.changed) {
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'person.deactivate',
      subject: `person:${input.personId}`,
    });
  }
  const released = await releaseUncovered(deps, result.person, actor.id, at, 'deactivated');
  return { ...result, released };
}

/** Undo a deactivation: the grants they held count again. */
export async function reactivatePerson(
  deps: PeopleDeps,
  actor: Person,
  campaign: Campaign,
  input: { personId: string; seen?: string },
): Promise<PeopleChange> {
  assertCan(can.managePeople(actor), 'person.reactivate', actor);
  const at = deps.clock.now().toISOString();
  let moved = false;
  const result = await changePerson(deps, campaign, input.personId, (p) => {
    // A 恢复 under an older deactivation does not undo a newer one (someone else's, with its own reason).
    moved = input.seen !== undefined && standingOf(p) !== input.seen;
    if (moved || !p.deactivated) return undefined;
    const { deactivated: _d, ...rest } = p;
    return { ...rest, reactivated: { at, by: actor.id }, updatedAt: at };
  });
  if (moved) return { ...result, released: 0, changedSinceShown: true };
  if (result.changed) {
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'person.reactivate',
      subject: `person:${input.personId}`,
    });
  }
  return { ...result, released: 0 };
}

/**
 * Apply `change` to the stored person (undefined = nothing to change) and save it on its version.
 * An open draft the new grants no longer cover is written back to its survey first (idempotently)
 * and closed in the same save, so no answer is lost and the person cannot write to it again.
 */
async function changePerson(
  deps: PeopleDeps,
  campaign: Campaign,
  personId: string,
  change: (p: Person) => Person | undefined,
): Promise<{ person: Person; changed: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const current = await deps.store.getPerson(personId);
    if (!current) throw new NotFoundError('person', personId);
    const next = change(current);
    if (!next) return { person: current, changed: false };
    const draft = next.session.draft;
    let session = next.session;
    if (draft && !coversDraft(next, campaign, draft.context.villageId, draft.kind)) {
      await writeBackDraft({ store: deps.store, clock: deps.clock }, campaign, draft, personId);
      const { draft: _d, ...rest } = next.session;
      // Their next text is answered with why the survey is gone, not taken for something else.
      session = { ...rest, screen: 'draft_released', data: {} };
    }
    try {
      const saved = await deps.store.savePerson({ ...next, session }, current.version);
      return { person: saved, changed: true };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= SAVE_ATTEMPTS) throw err;
    }
  }
}

function coversDraft(p: Person, campaign: Campaign, villageId: string | undefined, kind: string): boolean {
  if (kind === 'office') return can.officeFigures(p);
  return villageId !== undefined && can.survey(p, campaign, villageId);
}

/** The group a survey belongs to is no longer one the person may fill surveys in. */
function uncovered(p: Person, s: Survey): boolean {
  if (s.kind === 'office') return !can.officeFigures(p);
  return s.groupId === undefined || !holdsInGroup(p, s.groupId);
}

/**
 * Mark the person's unfinished surveys (drafts and returned ones) that no grant covers any more as
 * released: the leader sees them, and the next member of the group who opens one takes it over.
 * Idempotent: an already released survey is left alone.
 */
async function releaseUncovered(
  deps: PeopleDeps,
  person: Person,
  actorId: string,
  at: string,
  reason: 'deactivated' | 'revoked',
): Promise<number> {
  const [drafts, returned] = await Promise.all([
    deps.store.surveysOfInspector(person.id, 'draft'),
    deps.store.surveysOfInspector(person.id, 'returned'),
  ]);
  let released = 0;
  for (const s of [...drafts, ...returned]) {
    if (s.released || !uncovered(person, s)) continue;
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const fresh = attempt === 0 ? s : await deps.store.getSurvey(s.id);
      if (!fresh || fresh.released || fresh.inspectorId !== person.id || fresh.status === 'submitted') break;
      try {
        await deps.store.saveSurvey(
          { ...fresh, released: { from: person.id, at, by: actorId, reason }, updatedAt: at },
          fresh.version,
        );
        await deps.store.appendAudit({
          at,
          actorId,
          action: 'survey.release',
          subject: `survey:${s.id}`,
          details: { from: person.id, reason },
        });
        await recordReleased(deps, fresh, at);
        released++;
        break;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
  return released;
}

// ---------------------------------------------------------------------------------------------
// Invites the office has not seen used

export interface OpenInvite {
  id: string;
  role: Role;
  groupId?: string;
  townId?: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** Unused, uncancelled, unexpired invites, newest first; never their codes. */
export async function openInvites(deps: PeopleDeps, actor: Person): Promise<OpenInvite[]> {
  assertCan(can.managePeople(actor), 'invite.list', actor);
  const now = deps.clock.now().toISOString();
  return (await deps.store.openInvites())
    .filter((i) => i.usedBy === undefined && i.cancelledAt === undefined && i.expiresAt > now)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
    .map(({ code: _code, usedBy: _u, usedAt: _a, cancelledAt: _c, cancelledBy: _b, ...rest }) => rest);
}

/** Withdraw an unused invite: its link stops working at once. Idempotent. */
export async function cancelInvite(
  deps: PeopleDeps,
  actor: Person,
  input: { inviteId: string },
): Promise<{ cancelled: boolean; used: boolean }> {
  assertCan(can.managePeople(actor), 'invite.cancel', actor);
  const invite = (await deps.store.openInvites()).find((i) => i.id === input.inviteId);
  if (!invite) return { cancelled: false, used: false };
  const at = deps.clock.now().toISOString();
  const out = await deps.store.cancelInvite(invite.code, actor.id, at);
  if (out.usedBy !== undefined) return { cancelled: false, used: true };
  if (out.cancelledAt === at) {
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'invite.cancel',
      subject: `invite:${invite.id}`,
      details: { role: invite.role, ...scopeDetails(invite) },
    });
  }
  return { cancelled: true, used: false };
}

/** For the office's lists: each grant of a person with its key (for revoke buttons). */
export function grantsWithKeys(p: Person): { grant: Grant; key: string; effective: boolean }[] {
  const effective = new Set(effectiveGrants(p).map(grantKey));
  return p.grants.map((g) => ({ grant: g, key: grantKey(g), effective: effective.has(grantKey(g)) }));
}
