// The grant index (store/dynamo-store.ts header): one small entry per grant beside the person
// item, so an answer writes the person item only, with nothing copied into the GSIs; the people
// queries read only the entries of one scope or role and then the person items, keeping only the
// grants each person really holds. Entries cut off half-way, and people stored before grants,
// are handled. On both engines; capacity where the engine reports it (DynamoDB Local).

import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../domain/model';
import { DynamoStore } from '../../store/dynamo-store';
import { keys } from '../../store/keys';
import { recordCalls } from '../support/call-recorder';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import * as f from '../support/store-fixtures';

const INDEX_KEYS = ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'];

describe.each(ENGINES)('the grant index on %s', (name) => {
  let engine: Engine;
  let store: DynamoStore;

  beforeAll(async () => {
    engine = await startEngine(name, 'people-directory');
    store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const raw = async (key: { PK: string; SK: string }) =>
    (await engine.client.send(new GetCommand({ TableName: engine.tableName, Key: key }))).Item;

  const entriesOf = async (personId: string) =>
    (
      await engine.client.send(
        new QueryCommand({
          TableName: engine.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :g)',
          ExpressionAttributeValues: { ':pk': keys.grantsOf(personId), ':g': 'GRANT#' },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it('keeps index keys off the person item: an answer is one UpdateItem that writes no index', async () => {
    const { groupId } = f.scope();
    const p = await store.putPerson(
      f.person({
        grants: [{ role: 'inspector', groupId }],
        session: { screen: 'question', draft: f.draft() },
      }),
    );
    const item = await raw(keys.person(p.id));
    for (const k of INDEX_KEYS) expect(item).not.toHaveProperty(k);
    expect(await entriesOf(p.id)).toEqual([
      expect.objectContaining({
        entity: 'grant',
        id: p.id,
        role: 'inspector',
        groupId,
        GSI1PK: `SCOPE#group#${groupId}`,
        GSI2PK: 'ROLE#inspector',
      }),
    ]);
    expect(await raw(keys.personDirectory(p.id))).toMatchObject({ GSI2PK: 'PEOPLE', version: 1 });

    const recorder = recordCalls(engine.client, { consumedCapacity: 'INDEXES' });
    try {
      await store.savePersonSession(
        { ...p, session: { ...p.session, screen: 'next' } },
        { expectVersion: 1, updateId: 1 },
      );
    } finally {
      recorder.detach();
    }
    expect(recorder.calls.map((c) => c.operation)).toEqual(['UpdateItem']);
    const [write] = recorder.calls;
    // dynalite reports the table's units only; DynamoDB Local splits table and indexes.
    if (write?.indexUnits !== undefined) expect(write.indexUnits).toBe(0);
  });

  it('a group query reads only that group’s entries, not everyone', async () => {
    const { groupId } = f.scope();
    await Promise.all(
      Array.from({ length: 30 }, () => store.putPerson(f.person({ grants: [{ role: 'office' }] }))),
    );
    const member = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId }] }));
    const recorder = recordCalls(engine.client);
    try {
      expect(await store.peopleOfGroup(groupId)).toEqual([member]);
    } finally {
      recorder.detach();
    }
    expect(recorder.calls.map((c) => c.operation)).toEqual(['Query', 'BatchGetItem']);
  });

  it('skips an entry whose person was never created (a create cut off after the entry)', async () => {
    const { groupId } = f.scope();
    const ghost = f.person({ grants: [{ role: 'inspector', groupId }] });
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: {
          ...keys.grantEntry(ghost.id, { role: 'inspector', groupId }),
          ...keys.grantIndex(ghost.id, { role: 'inspector', groupId }),
          entity: 'grant',
          id: ghost.id,
          role: 'inspector',
          groupId,
          version: 1,
        },
      }),
    );
    const real = await store.putPerson(f.person({ grants: [{ role: 'inspector', groupId }] }));
    expect(await store.peopleOfGroup(groupId)).toEqual([real]);
    // The retried create then succeeds and the person is listed.
    const created = await store.putPerson(ghost);
    expect((await store.peopleOfGroup(groupId)).map((p) => p.id).sort()).toEqual(
      [created.id, real.id].sort(),
    );
  });

  it('a stale entry (a revoke cut off before its delete) never lists the person for that grant', async () => {
    const { groupId } = f.scope();
    const p = await store.putPerson(f.person({ grants: [{ role: 'leader', groupId }] }));
    // The person item loses the grant; the entry is left behind, as a save cut off half-way would.
    const { grants: _g, ...rest } = p;
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: { ...keys.person(p.id), entity: 'person', ...rest, grants: [], version: p.version + 1 },
      }),
    );
    expect(await entriesOf(p.id)).toHaveLength(1);
    expect(await store.peopleOfGroup(groupId)).toEqual([]);
    expect((await store.peopleWithRole('leader')).map((x) => x.id)).not.toContain(p.id);
  });

  it('savePerson takes the entries of grants it removes out of the indexes, after the save', async () => {
    const a = f.scope();
    const b = f.scope();
    const p = await store.putPerson(
      f.person({
        grants: [
          { role: 'inspector', groupId: a.groupId },
          { role: 'town_contact', townId: a.townId },
        ],
      }),
    );
    expect(await entriesOf(p.id)).toHaveLength(2);
    await store.savePerson({ ...p, grants: [{ role: 'inspector', groupId: b.groupId }] }, p.version);
    const left = (await entriesOf(p.id)).filter((e) => e.GSI1PK !== undefined || e.GSI2PK !== undefined);
    expect(left.map((e) => e.GSI1PK)).toEqual([`SCOPE#group#${b.groupId}`]);
  });

  it('reads a person stored before grants, and indexes them by grant at their next save', async () => {
    const { groupId } = f.scope();
    const { grants: _g, ...base } = f.person();
    const legacy = { ...base, roles: ['inspector'], groupId };
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: { ...keys.person(base.id), entity: 'person', ...legacy },
      }),
    );
    const read = (await store.getPerson(base.id)) as Person;
    expect(read.grants).toEqual([{ role: 'inspector', groupId }]);
    const saved = await store.savePerson(
      { ...read, grants: [...read.grants, { role: 'leader', groupId }] },
      read.version,
    );
    expect(await store.peopleOfGroup(groupId)).toEqual([saved]);
    expect((await store.peopleWithRole('leader')).map((p) => p.id)).toContain(base.id);
  });

  it('reads more people than one BatchGetItem takes (100 keys)', async () => {
    const { groupId } = f.scope();
    const people = await Promise.all(
      Array.from({ length: 130 }, () =>
        store.putPerson(
          f.person({ grants: [{ role: 'inspector', groupId }], session: { draft: f.draft() } }),
        ),
      ),
    );
    const found = await store.peopleOfGroup(groupId);
    expect(found.map((p) => p.id).sort()).toEqual(people.map((p) => p.id).sort());
  });
});
