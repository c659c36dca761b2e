// The plumbing every aggregate module of the DynamoDB store shares (store/dynamo-store.ts is the
// facade, its header the design and the module map): consistent reads, paged queries, batched
// gets, and the conditional writes whose failures are mapped by intent to domain errors.
//
// One class per table (TableItems) rather than free functions: each aggregate module builds one
// from the client and table name it is given, as store/village-aggregates.ts does, so no module
// reaches for a global client. Nothing here knows an aggregate; the modules pass keys, items and
// the error a failed condition means.

import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, ConflictError, type EntityName, NotFoundError } from '../domain/model';
import type { ItemKey } from './keys';
import { type IndexName, TABLE } from './table';

export type Item = Record<string, unknown>;

export interface QuerySpec {
  index?: IndexName;
  pk: string;
  skPrefix?: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

/** The attributes every item carries for the table's sake (keys, TTL); reading strips them (decode). */
const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'entity', TABLE.ttlAttribute];
/** BatchGetItem's limit per request, and how often unprocessed keys are asked again. */
const BATCH_GET_MAX = 100;
const BATCH_GET_ATTEMPTS = 6;

/** What every per-aggregate module holds: the client, the table's name and the shared item helpers. */
export abstract class TableModule {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly table: string;
  protected readonly items: TableItems;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.table = tableName;
    this.items = new TableItems(client, tableName);
  }
}

export class TableItems {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  /**
   * Consistent BatchGetItem in chunks of 100 keys; unprocessed keys are asked again with a short
   * backoff, and if they stay unprocessed the call fails (never a silently shorter list).
   */
  async batchGet(keyList: ItemKey[]): Promise<Item[]> {
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

  async get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** A query whose items all decode to one aggregate. */
  async queryAs<T>(q: QuerySpec): Promise<T[]> {
    return (await this.query(q)).map((i) => decode<T>(i));
  }

  /** Query one partition to the end (pages of up to 1 MB). Table reads are strongly consistent. */
  async query(q: QuerySpec): Promise<Item[]> {
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

  async createOnce(entity: EntityName, id: string, item: Item): Promise<void> {
    await this.conditional(
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

  async saveVersioned(entity: EntityName, id: string, key: ItemKey, item: Item, expectVersion: number) {
    await this.conditional(
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
  async upsert(key: ItemKey, attributes: Item): Promise<void> {
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
  async updateIf(
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
    const out = await this.conditional(
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
  async conditional<T>(
    write: () => Promise<T>,
    key: ItemKey,
    failure: Error | ((old?: Item) => Error),
  ): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      if (failure instanceof Error) throw failure;
      const old = err.Item ? fromAttributeValues(err.Item) : await this.get(key);
      throw failure(old);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Items

export function decode<T>(item: Item, drop: readonly string[] = []): T {
  const out: Item = { ...item };
  for (const name of [...KEY_ATTRIBUTES, ...drop]) delete out[name];
  return out as T;
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
