// Wiring for the Lambda functions: configuration read once per container, validated, with secrets
// from Secrets Manager (never plain in the environment on AWS). functions/ and local/ are the only
// places that put real adapters together.
//
// Cold start: this module is in every function's bundle, so what it imports is evaluated before
// the first event. zod is a namespace import (only the parts used are bundled, see
// domain/campaign.ts); the S3 client is imported on the first photo (lazyS3Files), since answers
// never touch the bucket. Secrets Manager stays a static import: on AWS every cold start reads the
// bot secret, so importing it lazily would only move the same cost from init to the first event.

import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { type Clock, type Messenger, systemClock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import { acknowledgeReminder, setTomorrowVillage } from '../app/reminders';
import { type BotDeps, createBot, type LoggerLike } from '../bot/bot';
import { telegramMessenger } from '../bot/telegram-messenger';
import type { Campaign } from '../domain/campaign';
import { createDynamoClient } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';
import { TABLE } from '../store/table';
import type { ChatSummaryRequest } from './chat-summary';
import { counter } from './metrics';
import { groupReportPackage, summaryPackage } from './summary-files';
import { createWebhookHandler } from './webhook-handler';

const Env = z.object({
  TABLE_NAME: z.string().min(1).default(TABLE.defaultName),
  CAMPAIGN_ID: z.string().min(1),
  BOT_USERNAME: z.string().min(1),
  /** A Secrets Manager secret holding {"botToken": "...", "webhookSecret": "..."}. */
  BOT_SECRET_ARN: z.string().min(1).optional(),
  /** Local runs only: the token and secret without Secrets Manager. */
  BOT_TOKEN: z.string().min(1).optional(),
  WEBHOOK_SECRET: z.string().min(1).optional(),
  TELEGRAM_API_ROOT: z.string().url().optional(),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  /** The private bucket for photos (infra/stack.ts); without it photos are refused with a reason. */
  EVIDENCE_BUCKET: z.string().min(1).optional(),
  /** Local runs only: an S3-compatible server (s3rver). */
  S3_ENDPOINT: z.string().url().optional(),
  /** The summaries function: the webhook hands 📊 汇总表 to it (asynchronously) when set. */
  SUMMARIES_FUNCTION: z.string().min(1).optional(),
});

const BotSecret = z.object({ botToken: z.string().min(1), webhookSecret: z.string().min(16) });

export const logger = new Logger({ serviceName: 'inspection-bot' });

export interface Runtime {
  store: Store;
  campaign: Campaign;
  botUsername: string;
  messenger: Messenger;
  /** The evidence bucket (photos, large exports), when configured. */
  files?: FileStore | undefined;
  webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
}

let cached: Promise<Runtime> | undefined;

/** Fail fast with a message that names what is missing. */
export function runtime(): Promise<Runtime> {
  cached ??= build().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function secrets(env: z.infer<typeof Env>): Promise<z.infer<typeof BotSecret>> {
  if (env.BOT_SECRET_ARN) {
    const sm = new SecretsManagerClient({});
    const out = await sm.send(new GetSecretValueCommand({ SecretId: env.BOT_SECRET_ARN }));
    return BotSecret.parse(JSON.parse(out.SecretString ?? '{}'));
  }
  if (env.BOT_TOKEN && env.WEBHOOK_SECRET)
    return { botToken: env.BOT_TOKEN, webhookSecret: env.WEBHOOK_SECRET };
  throw new Error('configuration: set BOT_SECRET_ARN (or BOT_TOKEN and WEBHOOK_SECRET for local runs)');
}

async function build(): Promise<Runtime> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(
      `configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const env = parsed.data;
  const { botToken, webhookSecret } = await secrets(env);
  const store = new DynamoStore({
    client: createDynamoClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    tableName: env.TABLE_NAME,
  });
  const campaign = await store.getCampaign(env.CAMPAIGN_ID);
  if (!campaign)
    throw new Error(`configuration: campaign ${env.CAMPAIGN_ID} is not loaded into table ${env.TABLE_NAME}`);
  const files = env.EVIDENCE_BUCKET ? lazyS3Files(env.EVIDENCE_BUCKET, env.S3_ENDPOINT) : undefined;
  const deps = { ...botDeps(store, campaign, systemClock, logger, files), counter };
  const summariesFunction = env.SUMMARIES_FUNCTION;
  const bot = createBot(
    summariesFunction ? { ...deps, summariesLater: invokeLater(summariesFunction) } : deps,
    {
      token: botToken,
      botInfo: botInfoFrom(botToken, env.BOT_USERNAME),
      ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
    },
  );
  const webhook = createWebhookHandler({ bot, secret: webhookSecret, logger, counter });
  return {
    store,
    campaign,
    botUsername: env.BOT_USERNAME,
    messenger: telegramMessenger(bot.telegram),
    files,
    webhook,
  };
}

/**
 * Hands a chat's 📊 汇总表 to the summaries function: an asynchronous invoke (Lambda queues it and
 * answers at once; a failed run is retried by Lambda, and functions/chat-summary.ts delivers once).
 * The Lambda client is imported on first use: an answer's cold start never evaluates it.
 */
function invokeLater(functionName: string): NonNullable<BotDeps['summariesLater']> {
  let client: Promise<{ send: (payload: ChatSummaryRequest) => Promise<void> }> | undefined;
  return async (actor, scope, requestId) => {
    client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => {
      const lambda = new LambdaClient({ maxAttempts: 4 });
      return {
        send: async (payload: ChatSummaryRequest) => {
          await lambda.send(
            new InvokeCommand({
              FunctionName: functionName,
              InvocationType: 'Event',
              Payload: new TextEncoder().encode(JSON.stringify(payload)),
            }),
          );
        },
      };
    });
    await (await client).send({ type: 'chat-summary', personId: actor.id, scope, requestId });
  };
}

/**
 * The evidence bucket as a FileStore whose S3 client (store/s3-files.ts, @aws-sdk/client-s3) is
 * imported and created on the first call: a photo, the leader's album, an export. esbuild puts it
 * in a chunk of its own, so an answer's cold start does not evaluate it.
 */
export function lazyS3Files(bucket: string, endpoint?: string): FileStore {
  let files: Promise<FileStore> | undefined;
  const load = () => {
    files ??= import('../store/s3-files').then(
      ({ S3Files, createS3Client }) =>
        new S3Files({ bucket, client: createS3Client(endpoint ? { endpoint } : {}) }),
      (err: unknown) => {
        files = undefined; // a failed import is tried again on the next call
        throw err;
      },
    );
    return files;
  };
  return {
    put: async (key, bytes, contentType) => (await load()).put(key, bytes, contentType),
    get: async (key) => (await load()).get(key),
    list: async (prefix) => (await load()).list(prefix),
    putStream: async (key, write, contentType) => (await load()).putStream(key, write, contentType),
    link: async (key, seconds, fileName) => (await load()).link(key, seconds, fileName),
  };
}

/** The bot's collaborators, the same in Lambda and in the local system. */
export function botDeps(
  store: Store,
  campaign: Campaign,
  clock: Clock,
  log: LoggerLike = logger,
  files?: FileStore,
): BotDeps {
  const deps = { store, clock };
  return {
    store,
    clock,
    campaign,
    logger: log,
    ...(files ? { files } : {}),
    summaries: (actor, scope) => summaryPackage({ ...deps, files }, actor, campaign, scope),
    groupReport: (actor, townId) => groupReportPackage({ ...deps, files }, actor, campaign, townId),
    acknowledge: async (actor, key) => (await acknowledgeReminder(deps, actor, campaign, key)).reply,
    tomorrow: (actor, villageId) => setTomorrowVillage(deps, actor, campaign, { villageId }),
  };
}

/** The bot's identity without a getMe call: its id is the token's prefix. */
export function botInfoFrom(token: string, username: string) {
  return {
    id: Number(token.split(':')[0]) || 0,
    is_bot: true as const,
    first_name: username,
    username,
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
}
