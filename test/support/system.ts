// The whole system on one machine for load tests and the bench: a DynamoDB engine, the store, the
// bot wired as in Lambda (functions/runtime.ts botDeps), the webhook handler and the fake Bot API
// on loopback. Seeding helpers put people and samples straight into the store where enrolment and
// drawing are not what is measured.

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Telegraf } from 'telegraf';
import { type Clock, systemClock } from '../../app/messaging';
import type { FileStore } from '../../app/ports';
import type { BotDeps, LoggerLike } from '../../bot/bot';
import { createBot } from '../../bot/bot';
import seed from '../../campaigns/dongxing-2017.json';
import type { Campaign, Role } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { StratumId } from '../../domain/forms/types';
import type { Person, Sample } from '../../domain/model';
import { botDeps, botInfoFrom } from '../../functions/runtime';
import { createWebhookHandler } from '../../functions/telegram-webhook';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../../store/client';
import { DynamoStore } from '../../store/dynamo-store';
import type { Webhook } from './chat-user';
import { ChatUser } from './chat-user';
import { type Engine, LOCAL_REGION } from './engines';
import { FakeBotApi } from './fake-bot-api';
import { grantsOf } from './people';
import { type LocalS3, startS3 } from './s3';

export const SYSTEM_TOKEN = '7000099:system-token';
export const SYSTEM_SECRET = 'system-webhook-secret-0123456789';

/** Logs nowhere (the bench and load tests read no log lines unless they pass their own). */
export const silentLogger: LoggerLike = { info() {}, warn() {}, error() {} };

export interface SystemOptions {
  engine: Engine;
  clock?: Clock;
  logger?: LoggerLike;
  /** Replaces the DynamoDB client's HTTP layer (fault injection); the SDK's retries stay in place. */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
  /** Bot API calls go here instead of a fresh fake Bot API. */
  api?: FakeBotApi;
  /** Photos go here instead of a fresh s3rver. */
  files?: FileStore;
  /** The largest file the bot sends through Telegram (default: Telegram's 50 MB). */
  documentLimitBytes?: number;
  /** 📊 汇总表 handed on (as to the summaries function) instead of built in the webhook. */
  summariesLater?: BotDeps['summariesLater'];
}

export interface System {
  campaign: Campaign;
  client: DynamoDBDocumentClient;
  store: DynamoStore;
  api: FakeBotApi;
  /** Where the bot stores photos (s3rver unless the test passed its own). */
  files: FileStore;
  bot: Telegraf;
  webhook: Webhook;
  secret: string;
  user(id: number, name?: string): ChatUser;
  /** Stops what startSystem started (the fake Bot API, its own client); the engine stays. */
  stop(): Promise<void>;
}

export const campaign: Campaign = parseCampaign(seed);

export async function startSystem(opts: SystemOptions): Promise<System> {
  const { engine } = opts;
  const ownClient = opts.requestHandler !== undefined;
  const client = ownClient
    ? createDynamoClient({
        endpoint: engine.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        requestHandler: opts.requestHandler,
      })
    : engine.client;
  const store = new DynamoStore({ client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  const ownApi = opts.api === undefined;
  const api = opts.api ?? new FakeBotApi();
  if (ownApi) await api.start();
  const s3 = opts.files ? undefined : await startS3();
  const files = opts.files ?? (s3 as LocalS3).files;
  const logger = opts.logger ?? silentLogger;
  const deps: BotDeps = {
    ...botDeps(store, campaign, opts.clock ?? systemClock, logger, files),
    ...(opts.documentLimitBytes ? { documentLimitBytes: opts.documentLimitBytes } : {}),
    ...(opts.summariesLater ? { summariesLater: opts.summariesLater } : {}),
  };
  const bot = createBot(deps, {
    token: SYSTEM_TOKEN,
    botInfo: botInfoFrom(SYSTEM_TOKEN, 'inspection_test_bot'),
    apiRoot: api.apiRoot,
  });
  const webhook = createWebhookHandler({ bot, secret: SYSTEM_SECRET, logger });
  return {
    campaign,
    client,
    store,
    api,
    files,
    bot,
    webhook,
    secret: SYSTEM_SECRET,
    user: (id, name) => new ChatUser(api, webhook, SYSTEM_SECRET, id, name ?? `检查员${id}`),
    async stop() {
      if (ownApi) await api.stop();
      await s3?.stop();
      if (ownClient) client.destroy();
      // Telegram would have answered "Bad Request" to these: a bug in the bot, whatever the test checked.
      expectNoRefusals(api);
    },
  };
}

/** Fails when the bot sent anything Telegram refuses (too long, bad HTML, bad buttons…). */
export function expectNoRefusals(api: FakeBotApi): void {
  if (api.refusals.length === 0) return;
  const listed = api.refusals.map((r) => `${r.method}: ${r.description}`).join('\n');
  throw new Error(`Telegram would have refused ${api.refusals.length} call(s) of the bot:\n${listed}`);
}

/** A group member stored as enrolment leaves them (chat id = user id in a private chat). */
export async function seedPerson(
  store: DynamoStore,
  p: { id: number; roles: Role[]; groupId?: string; townId?: string; name?: string },
): Promise<Person> {
  const now = new Date().toISOString();
  return store.putPerson({
    id: String(p.id),
    grants: grantsOf(p.roles, {
      ...(p.groupId ? { groupId: p.groupId } : {}),
      ...(p.townId ? { townId: p.townId } : {}),
    }),
    chatId: p.id,
    ...(p.name ? { displayName: p.name } : {}),
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
}

export interface SeedHousehold {
  householdId: string;
  name: string;
  stratum: StratumId;
}

/** A drawn, locked sample of a village (the draw itself is tested elsewhere). */
export async function seedSample(
  store: DynamoStore,
  villageId: string,
  households: readonly SeedHousehold[],
): Promise<Sample> {
  const fingerprint = `seeded-${villageId}`;
  // The village's list first: a sample is only ever drawn from the list in force.
  await store.putHouseholdList({
    campaignId: campaign.id,
    villageId,
    households: households.map((h) => ({ id: h.householdId, name: h.name, stratum: h.stratum })),
    count: households.length,
    byStratum: {},
    fingerprint,
    uploadedBy: 'seed',
    uploadedAt: new Date().toISOString(),
    fileName: 'seed.csv',
  });
  return store.putSample({
    campaignId: campaign.id,
    villageId,
    seed: 'seeded',
    fingerprint,
    drawnBy: 'seed',
    drawnAt: new Date().toISOString(),
    picks: households.map((h) => ({ ...h, status: 'selected' as const })),
    shortfalls: [],
    version: 1,
  });
}

/** Every village with its town and the group checking that town, in campaign order. */
export function villagesWithGroups(): { villageId: string; townId: string; groupId: string }[] {
  return campaign.towns.flatMap((t) => {
    const groupId = campaign.groups.find((g) => g.townId === t.id)?.id ?? '';
    return t.villages.map((v) => ({ villageId: v.id, townId: t.id, groupId }));
  });
}
