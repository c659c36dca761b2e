// The people index on a directory item per person (store/dynamo-store.ts header): an answer
// writes the person item only, with nothing copied into the GSIs; the people queries go through
// the directory and read the person items; entries cut off half-way or written before this
// layout are handled. On both engines; capacity where the engine reports it (DynamoDB Local).

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../store/dynamo-store';
import { keys } from '../../store/keys';
import { recordCalls } from '../support/call-recorder';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import * as f from '../support/store-fixtures';

const INDEX_KEYS = ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'];

describe.each(ENGINES)('the people directory on %s', (name) => {
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

  it('keeps index keys off the person item: an answer is one UpdateItem that writes no index', async () => {
    const { groupId } = f.scope();
    const p = await store.putPerson(
      f.person({ roles: ['inspector'], groupId, session: { screen: 'question', draft: f.draft() } }),
    );
    const item = await raw(keys.person(p.id));
    for (const k of INDEX_KEYS) expect(item).not.toHaveProperty(k);
    expect(await raw(keys.personDirectory(p.id))).toMatchObject({
      entity: 'personDirectory',
      id: p.id,
      roles: ['inspector'],
      groupId,
      version: 1,
      GSI1PK: `GROUP#${groupId}`,
      GSI2PK: 'PEOPLE',
    });

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
    // The directory entry is untouched by a session write.
    expect((await raw(keys.personDirectory(p.id)))?.version).toBe(1);
  });

  it('skips an entry whose person was never created (a create cut off after the entry)', async () => {
    const { groupId } = f.scope();
    const ghost = f.person({ roles: ['inspector'], groupId });
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: {
          ...keys.personDirectory(ghost.id),
          ...keys.personIndex(ghost),
          entity: 'personDirectory',
          id: ghost.id,
          roles: ghost.roles,
          groupId,
          version: 1,
        },
      }),
    );
    const real = await store.putPerson(f.person({ roles: ['inspector'], groupId }));
    expect(await store.peopleOfGroup(groupId)).toEqual([real]);
    // The retried create then succeeds and the person is listed.
    const created = await store.putPerson(ghost);
    expect((await store.peopleOfGroup(groupId)).map((p) => p.id).sort()).toEqual(
      [created.id, real.id].sort(),
    );
  });

  it('finds a person stored before the directory (index keys on the person item); savePerson moves them', async () => {
    const { groupId } = f.scope();
    const legacy = f.person({ roles: ['inspector'], groupId });
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: { ...keys.person(legacy.id), ...keys.personIndex(legacy), entity: 'person', ...legacy },
      }),
    );
    expect(await store.peopleOfGroup(groupId)).toEqual([legacy]);
    const saved = await store.savePerson({ ...legacy, roles: ['inspector', 'leader'] }, legacy.version);
    const item = await raw(keys.person(legacy.id));
    for (const k of INDEX_KEYS) expect(item).not.toHaveProperty(k);
    expect(await store.peopleOfGroup(groupId)).toEqual([saved]);
    expect((await store.peopleWithRole('leader')).map((p) => p.id)).toContain(legacy.id);
  });

  it('reads more people than one BatchGetItem takes (100 keys)', async () => {
    const { groupId } = f.scope();
    const people = await Promise.all(
      Array.from({ length: 130 }, () =>
        store.putPerson(f.person({ roles: ['inspector'], groupId, session: { draft: f.draft() } })),
      ),
    );
    const found = await store.peopleOfGroup(groupId);
    expect(found.map((p) => p.id).sort()).toEqual(people.map((p) => p.id).sort());
  });
});
