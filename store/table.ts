// The one definition of the table: the CDK stack, the local engine, the tests and the bench all
// build theirs from this. A plain description (no SDK or CDK types) so infra/ can import it
// without pulling in runtime code; createTableInput() turns it into a CreateTable request.

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  defaultName: 'inspection',
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Both GSIs are overloaded: key prefixes say which entity a key belongs to (see dynamo-store.ts). */
  indexes: [
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
  projection: 'ALL',
  /** Epoch seconds; only items that should vanish carry it (used invites, old deliveries). */
  ttlAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];

/** Every key attribute is a string. */
export function createTableInput(tableName: string = TABLE.defaultName): CreateTableCommandInput {
  const keyNames = [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: TABLE.billingMode,
    AttributeDefinitions: keyNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: TABLE.projection },
    })),
  };
}

/** TTL is a separate call (UpdateTimeToLive) in the SDK; CDK sets it as a table property. */
export function timeToLiveInput(tableName: string = TABLE.defaultName) {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
  };
}
