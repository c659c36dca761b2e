// The DynamoDB adapter on two real engines: AWS's DynamoDB Local (Java) and dynalite. One suite
// (test/support/store-contract.ts) runs on both; engine-level facts (the table as defined, errors
// that are not "no data") are checked here.

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, DuplicateUpdateError, NotFoundError } from '../../domain/model';
import { DynamoStore } from '../../store/dynamo-store';
import { TABLE } from '../../store/table';
import { recordCalls } from '../support/call-recorder';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { failure, storeContract } from '../support/store-contract';
import * as f from '../support/store-fixtures';

describe.each(ENGINES)('DynamoStore on %s', (name) => {
  let engine: Engine;
  let store: DynamoStore;

  beforeAll(async () => {
    engine = await startEngine(name);
    store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  });

  afterAll(async () => {
    await engine?.stop();
  });

  storeContract(() => store);

  it('creates the table from the shared definition: PK/SK and two GSIs projecting all attributes', async () => {
    const out = await engine.client.send(new DescribeTableCommand({ TableName: engine.tableName }));
    expect(out.Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([TABLE.partitionKey, TABLE.sortKey]);
    expect(
      out.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]).sort(),
    ).toEqual([
      ['GSI1', 'ALL'],
      ['GSI2', 'ALL'],
    ]);
  });

  it('tells "not stored" from "storage failed": a missing item is undefined, a broken table rejects', async () => {
    expect(await store.getPerson(f.person().id)).toBeUndefined();
    const broken = new DynamoStore({ client: engine.client, tableName: 'no-such-table' });
    const err = await failure(broken.getPerson('1'));
    expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(err).not.toBeInstanceOf(NotFoundError);
    await expect(broken.surveysOfTown('c', 't')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(broken.claimDelivery('r', '1')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers a question with one GetItem and one UpdateItem; a repeat or a lost race costs no retry round trip', async () => {
    const p = await store.putPerson(f.person({ session: { draft: f.draft() } }));
    const recorder = recordCalls(engine.client);
    try {
      const read = await store.getPerson(p.id);
      if (!read) throw new Error('missing');
      const saved = await store.savePersonSession(
        { ...read, session: { ...read.session, screen: 'next' } },
        { expectVersion: read.version, updateId: 11 },
      );
      expect(recorder.calls.map((c) => c.operation)).toEqual(['GetItem', 'UpdateItem']);

      // A repeat seen in the person as read: refused before any call.
      recorder.reset();
      await expect(
        store.savePersonSession(saved, { expectVersion: saved.version, updateId: 11 }),
      ).rejects.toBeInstanceOf(DuplicateUpdateError);
      expect(recorder.calls).toEqual([]);

      // A repeat or a lost race found by the conditional write: classified from the failure itself.
      await expect(
        store.savePersonSession(read, { expectVersion: read.version, updateId: 11 }),
      ).rejects.toBeInstanceOf(DuplicateUpdateError);
      await expect(
        store.savePersonSession(read, { expectVersion: read.version, updateId: 12 }),
      ).rejects.toBeInstanceOf(ConflictError);
      // DynamoDB (and DynamoDB Local) return the old item with the failure; dynalite ignores
      // ReturnValuesOnConditionCheckFailure, so the adapter reads it once on the failure path.
      const perFailure = name === 'dynalite' ? ['UpdateItem', 'GetItem'] : ['UpdateItem'];
      expect(recorder.calls.map((c) => c.operation)).toEqual([...perFailure, ...perFailure]);
    } finally {
      recorder.detach();
    }
  });

  it('refuses ids that would cross a key boundary', async () => {
    await expect(store.getPerson('1#PERSON')).rejects.toBeInstanceOf(RangeError);
  });
});
