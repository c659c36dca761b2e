// People in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts: design decisions and
// access patterns): the person item (the hot path: one consistent GetItem and one conditional
// UpdateItem per answer), its grant entries (GSI1 by scope, GSI2 by role), its directory entry
// (GSI2 PEOPLE), and invites, which are how a person comes to exist (useInvite, then putPerson).
// Why entries beside the person rather than index keys on it, and why they are written before and
// cleared after the person item: the header of store/dynamo-store.ts.

import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SaveSessionOptions } from '../app/ports';
import {
  effectiveGrants,
  type Grant,
  grantKey,
  grantsFromLegacy,
  groupsOf,
  hasRole,
  holds,
} from '../domain/grants';
import {
  AlreadyExistsError,
  ConflictError,
  DuplicateUpdateError,
  type Instant,
  type Invite,
  InviteUnusableError,
  isUpdateApplied,
  NotFoundError,
  type Person,
  type Role,
  rememberUpdate,
} from '../domain/model';
import { decode, type Item, isConditionalFailure, TableModule } from './dynamo-base';
import { isKeyPart, keys } from './keys';
import { packHot, unpack } from './packed';

/** Used invites and expired ones disappear this long after their expiry. */
const INVITE_RETENTION_SECONDS = 90 * 24 * 3600;

export class People extends TableModule {
  async getPerson(id: string): Promise<Person | undefined> {
    const item = await this.items.get(keys.person(id));
    return item ? decodePerson(item) : undefined;
  }

  async putPerson(person: Person): Promise<Person> {
    const stored: Person = { ...person, version: 1 };
    // Index entries first: a create cut off after them leaves entries that list nobody (the
    // people queries read the person item and keep only grants it really holds).
    await this.#putGrantEntries(stored, effectiveGrants(stored));
    await this.items.createOnce('person', person.id, personItem(stored));
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
      ':session': packHot(person.session),
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
    const attributes = await this.items.updateIf(
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
    const out = await this.items.conditional(
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
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
        this.client.send(
          new PutCommand({
            TableName: this.table,
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
    const entries = await this.items.query({
      index: 'GSI1',
      pk: keys.peopleOfGroup(groupId),
      skPrefix: 'PERSON#',
    });
    return (await this.#peopleOf(entries)).filter((p) => groupsOf(p).includes(groupId));
  }

  async peopleOfTown(townId: string): Promise<Person[]> {
    const entries = await this.items.query({
      index: 'GSI1',
      pk: keys.peopleOfTown(townId),
      skPrefix: 'PERSON#',
    });
    return (await this.#peopleOf(entries)).filter((p) => holds(p, { role: 'town_contact', townId }));
  }

  async peopleWithRole(role: Role): Promise<Person[]> {
    const entries = await this.items.query({
      index: 'GSI2',
      pk: keys.peopleWithRole(role),
      skPrefix: 'PERSON#',
    });
    return (await this.#peopleOf(entries)).filter((p) => hasRole(p, role));
  }

  async listPeople({ after, limit }: { after?: string; limit: number }) {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
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
        this.client.send(
          new PutCommand({
            TableName: this.table,
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
      await this.client.send(
        new PutCommand({
          TableName: this.table,
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
    const items = await this.items.batchGet(ids.map((id) => keys.person(id)));
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
    await this.items.createOnce('invite', 'invite', inviteItem(invite));
  }

  async getInvite(code: string): Promise<Invite | undefined> {
    // A code comes from whoever typed /start: one that cannot be a key names no invite.
    if (!isKeyPart(code)) return undefined;
    const item = await this.items.get(keys.invite(code));
    return item ? decodeInvite(item) : undefined;
  }

  async useInvite(code: string, personId: string, at: Instant): Promise<Invite> {
    if (!isKeyPart(code)) throw new NotFoundError('invite', 'invite');
    const key = keys.invite(code);
    const attributes = await this.items.updateIf(
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
    const items = await this.items.query({ index: 'GSI1', pk: keys.openInvites });
    return items.map(decodeInvite);
  }

  async cancelInvite(code: string, by: string, at: Instant): Promise<Invite> {
    if (!isKeyPart(code)) throw new NotFoundError('invite', 'invite');
    const key = keys.invite(code);
    try {
      const attributes = await this.items.updateIf(
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
      const item = await this.items.get(key);
      if (!item) throw new NotFoundError('invite', 'invite');
      return decodeInvite(item);
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
  return { ...keys.person(p.id), entity: 'person', ...p, session: packHot(p.session) };
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

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number) : [];
}
