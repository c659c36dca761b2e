// Enrolment: the office creates one-time invites; `/start <code>` makes the holder a person with
// the invite's role and scope. One person may hold several roles (a second invite adds a role).

import { randomBytes } from 'node:crypto';
import type { Campaign } from '../domain/campaign';
import { AlreadyExistsError, ConflictError, type Invite, type Person, type Role } from '../domain/model';
import { assertCan, can } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';

export interface PeopleDeps {
  store: Store;
  clock: Clock;
  /** Invite codes are bearer secrets: 16 random bytes, URL-safe. */
  newCode?: () => string;
}

export const INVITE_DAYS = 14;

export class InviteInputError extends Error {
  override readonly name = 'InviteInputError';
  constructor(readonly reason: 'group_required' | 'town_required' | 'unknown_group' | 'unknown_town') {
    super(reason);
  }
}

export interface InviteRequest {
  role: Role;
  groupId?: string;
  townId?: string;
}

export async function createInvite(
  deps: PeopleDeps,
  actor: Person,
  campaign: Campaign,
  req: InviteRequest,
): Promise<Invite> {
  assertCan(can.invite(actor), 'invite', actor);
  const needsGroup = req.role === 'leader' || req.role === 'liaison' || req.role === 'inspector';
  if (needsGroup && !req.groupId) throw new InviteInputError('group_required');
  if (req.role === 'town_contact' && !req.townId) throw new InviteInputError('town_required');
  if (req.groupId && !campaign.groups.some((g) => g.id === req.groupId))
    throw new InviteInputError('unknown_group');
  if (req.townId && !campaign.towns.some((t) => t.id === req.townId))
    throw new InviteInputError('unknown_town');
  const now = deps.clock.now();
  const invite: Invite = {
    code: (deps.newCode ?? (() => randomBytes(12).toString('base64url')))(),
    role: req.role,
    ...(needsGroup ? { groupId: req.groupId } : {}),
    ...(req.role === 'town_contact' ? { townId: req.townId } : {}),
    createdBy: actor.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITE_DAYS * 86_400_000).toISOString(),
  };
  await deps.store.putInvite(invite);
  await deps.store.appendAudit({
    at: invite.createdAt,
    actorId: actor.id,
    action: 'invite.create',
    subject: `invite:${invite.role}`,
    details: {
      role: invite.role,
      ...(invite.groupId ? { groupId: invite.groupId } : {}),
      ...(invite.townId ? { townId: invite.townId } : {}),
    },
  });
  return invite;
}

export interface TelegramIdentity {
  userId: number;
  chatId: number;
  firstName?: string;
}

/**
 * Join with an invite. Safe to retry: using one's own invite again is allowed by the store, and
 * adding a role the person already holds changes nothing.
 */
export async function joinWithInvite(
  deps: PeopleDeps,
  who: TelegramIdentity,
  code: string,
): Promise<{ person: Person; invite: Invite; added: boolean }> {
  const at = deps.clock.now().toISOString();
  const id = String(who.userId);
  const invite = await deps.store.useInvite(code, id, at);
  for (let attempt = 0; ; attempt++) {
    const existing = await deps.store.getPerson(id);
    try {
      if (!existing) {
        const person: Person = {
          id,
          roles: [invite.role],
          ...(invite.groupId ? { groupId: invite.groupId } : {}),
          ...(invite.townId ? { townId: invite.townId } : {}),
          chatId: who.chatId,
          ...(who.firstName ? { displayName: who.firstName } : {}),
          lastUpdateId: 0,
          session: {},
          version: 1,
          createdAt: at,
          updatedAt: at,
        };
        const stored = await deps.store.putPerson(person);
        await audit(deps, stored, invite, at);
        return { person: stored, invite, added: true };
      }
      if (existing.roles.includes(invite.role)) return { person: existing, invite, added: false };
      const updated: Person = {
        ...existing,
        roles: [...existing.roles, invite.role],
        groupId: invite.groupId ?? existing.groupId,
        townId: invite.townId ?? existing.townId,
        chatId: who.chatId,
        updatedAt: at,
      };
      const stored = await deps.store.savePerson(updated, existing.version);
      await audit(deps, stored, invite, at);
      return { person: stored, invite, added: true };
    } catch (err) {
      // Two taps on the same link race: re-read once and settle on what the other one stored.
      if ((err instanceof AlreadyExistsError || err instanceof ConflictError) && attempt < 2) continue;
      throw err;
    }
  }
}

function audit(deps: PeopleDeps, person: Person, invite: Invite, at: string) {
  return deps.store.appendAudit({
    at,
    actorId: person.id,
    action: 'person.join',
    subject: `person:${person.id}`,
    details: {
      role: invite.role,
      ...(invite.groupId ? { groupId: invite.groupId } : {}),
      ...(invite.townId ? { townId: invite.townId } : {}),
    },
  });
}
