// How the DynamoDB adapter behaves when DynamoDB misbehaves: throttling is retried with backoff,
// conditional failures become domain errors, anything else surfaces as a rejection.
//
// aws-sdk-client-mock replaces Client#send, which also bypasses the SDK's retry middleware; so
// the throttling tests fake the HTTP layer instead (a request handler answering like DynamoDB)
// and run the client exactly as store/client.ts builds it.

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  DuplicateUpdateError,
  InviteUnusableError,
  NotFoundError,
} from '../../domain/model';
import { createDynamoClient, DEFAULT_MAX_ATTEMPTS, LOCAL_CREDENTIALS } from '../../store/client';
import { DynamoStore } from '../../store/dynamo-store';
import { failure } from '../support/store-contract';
import * as f from '../support/store-fixtures';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE_NAME = 'faults';
const mockDocumentClient = () => mockClient(DynamoDBDocumentClient);

/** Answers each request with the next scripted response (status + JSON body), recording when. */
function scriptedHandler(script: { status: number; body: unknown }[]) {
  const times: number[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle() {
      times.push(performance.now());
      const next = script[Math.min(times.length - 1, script.length - 1)];
      if (!next) throw new Error('empty script');
      return {
        response: {
          statusCode: next.status,
          reason: next.status === 200 ? 'OK' : 'Bad Request',
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from(JSON.stringify(next.body)),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return { handler, times };
}

const throttled = (type: string) => ({
  status: 400,
  body: {
    __type: `com.amazonaws.dynamodb.v20120810#${type}`,
    message: 'Rate of requests exceeds the allowed throughput.',
  },
});
const personItem = {
  Item: { PK: { S: 'PERSON#42' }, SK: { S: 'PERSON' }, id: { S: '42' }, version: { N: '3' } },
};

describe('DynamoStore under throttling', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])(
    'retries %s with growing backoff and then succeeds',
    async (type) => {
      // Pin the jitter so the backoff is measurable: delay = 0.05 × 1 s × 2^retry.
      vi.spyOn(Math, 'random').mockReturnValue(0.05);
      const { handler, times } = scriptedHandler([
        throttled(type),
        throttled(type),
        { status: 200, body: personItem },
      ]);
      const client = createDynamoClient({
        endpoint: 'http://dynamodb.test',
        credentials: LOCAL_CREDENTIALS,
        requestHandler: handler,
      });
      const store = new DynamoStore({ client, tableName: TABLE_NAME });

      const person = await store.getPerson('42');

      expect(person).toEqual({ id: '42', version: 3, grants: [] });
      expect(times).toHaveLength(3);
      const [t0 = 0, t1 = 0, t2 = 0] = times;
      expect(t1 - t0).toBeGreaterThanOrEqual(45);
      expect(t2 - t1).toBeGreaterThanOrEqual(95);
      expect(t2 - t1).toBeGreaterThan(t1 - t0);
    },
  );

  it(`gives up after ${DEFAULT_MAX_ATTEMPTS} attempts and rejects with the throttling error (never "no data")`, async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.001);
    const { handler, times } = scriptedHandler([throttled('ProvisionedThroughputExceededException')]);
    const client = createDynamoClient({
      endpoint: 'http://dynamodb.test',
      credentials: LOCAL_CREDENTIALS,
      requestHandler: handler,
    });
    const store = new DynamoStore({ client, tableName: TABLE_NAME });

    const err = await failure(store.getPerson('42'));

    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(times).toHaveLength(DEFAULT_MAX_ATTEMPTS);
  });
});

describe('DynamoStore error mapping (aws-sdk-client-mock)', () => {
  // Stubs DynamoDBDocumentClient#send for every instance: installed only around these tests.
  let ddb: ReturnType<typeof mockDocumentClient>;
  const store = new DynamoStore({
    client: createDynamoClient({ endpoint: 'http://dynamodb.test', credentials: LOCAL_CREDENTIALS }),
    tableName: TABLE_NAME,
  });
  const conditionFailed = (Item?: Record<string, AttributeValue>) =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item });

  beforeAll(() => {
    ddb = mockDocumentClient();
  });
  afterEach(() => {
    ddb.reset();
  });
  afterAll(() => {
    ddb.restore();
  });

  it('maps a failed session write on a repeated update id to DuplicateUpdateError', async () => {
    ddb.on(UpdateCommand).rejects(
      conditionFailed({
        version: { N: '4' },
        lastUpdateId: { N: '9' },
        recentUpdateIds: { L: [{ N: '8' }, { N: '9' }] },
      }),
    );
    const err = await failure(
      store.savePersonSession(f.person({ version: 3 }), { expectVersion: 3, updateId: 9 }),
    );
    expect(err).toBeInstanceOf(DuplicateUpdateError);
    expect(err).toMatchObject({ updateId: 9, lastUpdateId: 9 });
    // The old item came with the failure: no extra read.
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('maps a failed session write on a moved version to ConflictError with the stored version', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed({ version: { N: '4' }, lastUpdateId: { N: '9' } }));
    const err = await failure(
      store.savePersonSession(f.person({ version: 3 }), { expectVersion: 3, updateId: 10 }),
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ entity: 'person', expectedVersion: 3, actualVersion: 4 });
  });

  it('reads the item once when the engine sends no old item, and says NotFound if it is gone', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    await expect(store.saveSurvey(f.survey({ campaignId: 'c', townId: 't' }), 2)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('maps create-once failures to AlreadyExistsError and a taken invite to InviteUnusableError', async () => {
    ddb.on(PutCommand).rejects(conditionFailed({ version: { N: '1' } }));
    await expect(store.putProblem(f.problem({ campaignId: 'c', townId: 't' }))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    // The draw's write found a sample there already (the old item names its seed).
    ddb.on(UpdateCommand).rejects(conditionFailed({ seed: { S: 'earlier' }, version: { N: '1' } }));
    await expect(store.putSample(f.sample({ campaignId: 'c', villageId: 'v' }))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    ddb.on(UpdateCommand).rejects(conditionFailed({ usedBy: { S: '77' }, version: { N: '2' } }));
    const err = await failure(store.useInvite('code1', '78', f.T0));
    expect(err).toBeInstanceOf(InviteUnusableError);
    expect(err).toMatchObject({ reason: 'used' });
  });

  it('lets any other error surface: reads reject instead of returning nothing', async () => {
    ddb.on(GetCommand).rejects(new Error('socket hang up'));
    ddb
      .on(QueryCommand)
      .rejects(new InternalServerError({ message: 'Internal server error', $metadata: {} }));
    ddb.on(PutCommand).rejects(new Error('connect ECONNREFUSED'));
    ddb.on(UpdateCommand).rejects(new Error('connect ECONNREFUSED'));
    await expect(store.getPerson('42')).rejects.toThrow('socket hang up');
    await expect(store.getSurvey('s1')).rejects.toThrow('socket hang up');
    await expect(store.surveysOfTown('c', 't', 'submitted')).rejects.toBeInstanceOf(InternalServerError);
    await expect(store.latestSnapshot('c', 'city')).rejects.toBeInstanceOf(InternalServerError);
    // A claim that could not be written is not "already claimed".
    await expect(store.claimDelivery('r1', '42')).rejects.toThrow('ECONNREFUSED');
    await expect(store.claimDelivery('r1', '42', { now: f.T0, until: f.at(6) })).rejects.toThrow(
      'ECONNREFUSED',
    );
    // Nor is an aggregate change that could not be written "applied".
    await expect(
      store.changeVillageAggregate(
        { campaignId: 'c', townId: 't', villageId: 'v' },
        { op: 'release', surveyId: 's1', at: f.T0 },
        '',
      ),
    ).rejects.toThrow('ECONNREFUSED');
    await expect(store.createSurvey(f.survey({ campaignId: 'c', townId: 't' }))).rejects.toThrow(
      'ECONNREFUSED',
    );
  });
});
