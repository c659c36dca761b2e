// Which DynamoDB the office's command lines talk to (local/engine.ts, through
// scripts/cli-support.ts): the embedded engine, a local one (dummy keys, the table made when
// missing), or the deployed table on AWS (the AWS credential chain, never dummy keys, and never a
// new table: a mistyped name is an error that names it). AWS itself is stood in for by
// aws-sdk-client-mock; the local engine is dynalite.

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../local/campaign-file';
import { clientOptions, dynamoTarget, EngineError, openStore } from '../../local/engine';
import { LOCAL_CREDENTIALS } from '../../store/client';
import { TABLE } from '../../store/table';
import { startEngine } from '../support/engines';

const AWS = 'https://dynamodb.ap-southeast-1.amazonaws.com';

describe('the database a command line uses', () => {
  it('is the embedded engine when no endpoint is given, with the table name from TABLE_NAME if set', () => {
    expect(dynamoTarget({})).toEqual({ kind: 'embedded', tableName: TABLE.defaultName });
    expect(dynamoTarget({ TABLE_NAME: 'demo' })).toEqual({ kind: 'embedded', tableName: 'demo' });
  });

  it('is a local engine, with dummy keys, for an endpoint on this machine or the local network', () => {
    for (const endpoint of ['http://127.0.0.1:8000', 'http://localhost:4566', 'http://dynamodb-local:8000']) {
      const target = dynamoTarget({ DYNAMODB_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'AKIAREALKEY' });
      expect(target).toEqual({ kind: 'local', endpoint, tableName: TABLE.defaultName });
      // The developer's real keys never go to a local engine, whatever the environment holds.
      expect(clientOptions(target, {})).toMatchObject({ endpoint, credentials: LOCAL_CREDENTIALS });
    }
  });

  it("is AWS for an AWS endpoint or 'aws': the credential chain, no dummy keys, the endpoint's region", () => {
    const env = { DYNAMODB_ENDPOINT: AWS, TABLE_NAME: 'InspectionBot-Table-1', AWS_REGION: 'us-east-1' };
    const target = dynamoTarget(env);
    expect(target).toEqual({
      kind: 'aws',
      endpoint: AWS,
      region: 'ap-southeast-1',
      tableName: 'InspectionBot-Table-1',
    });
    expect(clientOptions(target, env)).toEqual({ endpoint: AWS, region: 'ap-southeast-1' });
    expect(clientOptions(target, env)).not.toHaveProperty('credentials');

    const short = dynamoTarget({ DYNAMODB_ENDPOINT: 'aws', TABLE_NAME: 'T', AWS_REGION: 'ap-east-1' });
    expect(short).toEqual({ kind: 'aws', region: 'ap-east-1', tableName: 'T' });
    // No region anywhere: the SDK's chain (the profile's region) decides.
    expect(dynamoTarget({ DYNAMODB_ENDPOINT: 'aws', TABLE_NAME: 'T' })).toEqual({
      kind: 'aws',
      tableName: 'T',
    });
    expect(
      dynamoTarget({ DYNAMODB_ENDPOINT: 'https://dynamodb.cn-north-1.amazonaws.com.cn', TABLE_NAME: 'T' }),
    ).toMatchObject({ kind: 'aws', region: 'cn-north-1' });
  });

  it('needs the deployed table named on AWS: no default name there', () => {
    expect(() => dynamoTarget({ DYNAMODB_ENDPOINT: AWS })).toThrow(EngineError);
    expect(() => dynamoTarget({ DYNAMODB_ENDPOINT: AWS })).toThrow(/TABLE_NAME.*TableName/);
  });
});

describe('opening the store', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of ['DYNAMODB_ENDPOINT', 'TABLE_NAME', 'AWS_REGION', 'AWS_PROFILE'])
      delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('on AWS, a mistyped table name is an error naming the table and region, and nothing is created', async () => {
    const dynamo = mockClient(DynamoDBClient);
    dynamo
      .on(DescribeTableCommand)
      .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    try {
      Object.assign(process.env, { DYNAMODB_ENDPOINT: AWS, TABLE_NAME: 'InspectionBot-Tabel' });
      const error = await openStore().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as Error).message).toMatch(
        /ap-southeast-1 中没有名为「InspectionBot-Tabel」的数据表\(table not found\)/,
      );
      expect((error as Error).message).toContain('不会在 AWS 上创建数据表');
      expect(dynamo.commandCalls(CreateTableCommand)).toEqual([]);
      expect(dynamo.commandCalls(DescribeTableCommand)[0]?.args[0].input).toEqual({
        TableName: 'InspectionBot-Tabel',
      });
    } finally {
      dynamo.restore();
    }
  });

  it('on AWS, the existing table is opened as it is', async () => {
    const dynamo = mockClient(DynamoDBClient);
    dynamo
      .on(DescribeTableCommand)
      .resolves({ Table: { TableName: 'InspectionBot-Table-1', TableStatus: 'ACTIVE' } });
    try {
      Object.assign(process.env, {
        DYNAMODB_ENDPOINT: 'aws',
        AWS_REGION: 'ap-east-1',
        TABLE_NAME: 'InspectionBot-Table-1',
      });
      const opened = await openStore();
      expect(opened).toMatchObject({
        tableName: 'InspectionBot-Table-1',
        endpoint: 'https://dynamodb.ap-east-1.amazonaws.com',
        embedded: false,
      });
      await opened.close();
      expect(dynamo.commandCalls(CreateTableCommand)).toEqual([]);
    } finally {
      dynamo.restore();
    }
  });

  it('on a local engine, a missing table is created from store/table.ts', async () => {
    const engine = await startEngine('dynalite', 'inspection-existing');
    try {
      Object.assign(process.env, { DYNAMODB_ENDPOINT: engine.endpoint, TABLE_NAME: 'made-on-demand' });
      const opened = await openStore();
      const campaign = await loadCampaignFile('dongxing-2017');
      await opened.store.putCampaign(campaign);
      expect(await opened.store.getCampaign(campaign.id)).toEqual(campaign);
      await opened.close();
    } finally {
      await engine.stop();
    }
  }, 30_000);
});
