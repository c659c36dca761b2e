// Wiring for the Lambda functions. functions/ and local/ are the only places that put real
// adapters together.
//
// Live configuration (issue 19): what is read from the environment, the DynamoDB client and the
// store are built once per container; the bot secret and the campaign are read again once they
// are older than CONFIG_MAX_AGE_S (5 minutes). A put-secret-value or a load-campaign therefore
// reaches every running function within 5 minutes, without replacing them; the bot (and the
// Messenger over it) is rebuilt when either changed. The secret comes from Secrets Manager through
// Powertools Parameters (never plain in the environment on AWS); the campaign through a small
// cache around the store's read (cachedFor), not Powertools' DynamoDBProvider: the campaign item
// has a composite key (PK, SK), which that provider's get cannot address, and the store's read is
// the one the rest of the code and the tests use.
//
// Until both exist (a new deployment before steps 3 and 4 of the README) `configured()` says what
// is missing instead of throwing: the scheduled functions note it and do nothing, rather than fail
// into their dead-letter queues. The webhook cannot be called before `npm run set-webhook`, the
// office API not before an operator does: both still fail loudly (`runtime()`).
//
// Cold start: this module is in every function's bundle, so what it imports is evaluated before
// the first event. zod/mini is a namespace import (its checks are functions, so only those used
// are bundled; the campaign's schema, classic zod, is never imported here: the stored campaign was
// checked when it was loaded, domain/campaign-schema.ts). The S3 client is imported on the first
// photo (lazyS3Files), since answers never touch the bucket. Secrets Manager stays a static import: on AWS every cold start reads the
// bot secret, so importing it lazily would only move the same cost from init to the first event.

import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { type Clock, type Messenger, systemClock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import { type BotDeps, createBot, type LoggerLike } from '../bot/bot';
import { BOT_API_LIMITS, type BotApiLimits, limitBotApi, telegramMessenger } from '../bot/telegram-messenger';
import type { Campaign } from '../domain/campaign';
import { createDynamoClient } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';
import { TABLE } from '../store/table';
import type { ChatSummaryRequest } from './chat-summary';
import { type Counter, countedMessenger, counter as metricsCounter } from './metrics';
import type { OfficeSummaryRequest } from './office-summary';
import { createWebhookHandler } from './webhook-handler';

const Text = z.string().check(z.minLength(1));
const Env = z.object({
  TABLE_NAME: z._default(Text, TABLE.defaultName),
  CAMPAIGN_ID: Text,
  BOT_USERNAME: Text,
  /** A Secrets Manager secret holding {"botToken": "...", "webhookSecret": "..."}. */
  BOT_SECRET_ARN: z.optional(Text),
  /** Local runs only: the token and secret without Secrets Manager. */
  BOT_TOKEN: z.optional(Text),
  WEBHOOK_SECRET: z.optional(Text),
  TELEGRAM_API_ROOT: z.optional(z.url()),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** The private bucket for photos (infra/stack.ts); without it photos are refused with a reason. */
  EVIDENCE_BUCKET: z.optional(Text),
  /** Local runs only: an S3-compatible server (s3rver). */
  S3_ENDPOINT: z.optional(z.url()),
  /** The summaries function: the webhook hands 📊 汇总表 to it (asynchronously) when set. */
  SUMMARIES_FUNCTION: z.optional(Text),
});
export type RuntimeEnv = z.infer<typeof Env>;

/**
 * What the secret must hold before the functions work. The stack creates it with a generated
 * webhookSecret only; a token that is not `<digits>:<text>` is a placeholder someone left.
 */
const BotSecret = z.object({
  botToken: z.string().check(z.regex(/^\d+:\S+$/)),
  webhookSecret: z.string().check(z.minLength(16)),
});
type BotSecret = z.infer<typeof BotSecret>;

/** How long a container keeps the bot secret and the campaign before reading them again. */
export const CONFIG_MAX_AGE_S = 300;

export const logger = new Logger({ serviceName: 'inspection-bot' });

export interface Runtime {
  store: Store;
  campaign: Campaign;
  botUsername: string;
  messenger: Messenger;
  /** The evidence bucket (photos, large exports), when configured. */
  files?: FileStore | undefined;
  /** The summaries function, invoked asynchronously, when configured (SUMMARIES_FUNCTION). */
  invokeSummaries?: (payload: SummariesEvent) => Promise<void>;
  webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
}

/** The runtime, or what the deployment still lacks (the secret's values, the campaign). */
export type Configured = { ready: true; runtime: Runtime } | { ready: false; missing: string };

let container: Promise<() => Promise<Configured>> | undefined;

/** The runtime with the configuration as it is now (at most CONFIG_MAX_AGE_S old). */
export async function configured(): Promise<Configured> {
  container ??= build().catch((err) => {
    container = undefined;
    throw err;
  });
  return (await container)();
}

/** For the webhook and the office API: fail fast with a message that names what is missing. */
export async function runtime(): Promise<Runtime> {
  const c = await configured();
  if (!c.ready) throw new Error(`configuration: ${c.missing}`);
  return c.runtime;
}

/** A scheduled function before the deployment is complete: say why, and succeed. */
export function notConfigured(
  fn: string,
  missing: string,
  log: LoggerLike = logger,
): { skipped: 'not configured'; missing: string } {
  log.warn(`${fn}: not configured yet, nothing done`, { missing });
  return { skipped: 'not configured', missing };
}

/** The container's part, built once: the environment, the store, the sources of the rest. */
async function build(): Promise<() => Promise<Configured>> {
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(
      `configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const env = parsed.data;
  const store = new DynamoStore({
    client: createDynamoClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    tableName: env.TABLE_NAME,
  });
  return liveRuntime({
    env,
    store,
    secret: secretSource(env),
    files: env.EVIDENCE_BUCKET ? lazyS3Files(env.EVIDENCE_BUCKET, env.S3_ENDPOINT) : undefined,
    ...(env.SUMMARIES_FUNCTION ? { invokeSummaries: invokeAsync(env.SUMMARIES_FUNCTION) } : {}),
  });
}

/**
 * The bot secret as Secrets Manager holds it now, at most CONFIG_MAX_AGE_S old (Powertools keeps
 * it that long). A refresh that fails keeps the value read before: a Secrets Manager hiccup must
 * not fail every update once the five minutes are up.
 */
function secretSource(env: RuntimeEnv): () => Promise<unknown> {
  const arn = env.BOT_SECRET_ARN;
  if (arn) {
    const provider = new SecretsProvider();
    let last: unknown;
    return async () => {
      try {
        last = await provider.get(arn, { maxAge: CONFIG_MAX_AGE_S, transform: 'json' });
      } catch (err) {
        if (last === undefined) throw err;
        logger.warn('bot secret not refreshed: the one read before is used', {
          error: err instanceof Error ? err.name : 'unknown',
        });
      }
      return last;
    };
  }
  if (env.BOT_TOKEN && env.WEBHOOK_SECRET) {
    const fixed = { botToken: env.BOT_TOKEN, webhookSecret: env.WEBHOOK_SECRET };
    return async () => fixed;
  }
  throw new Error('configuration: set BOT_SECRET_ARN (or BOT_TOKEN and WEBHOOK_SECRET for local runs)');
}

export interface LiveRuntimeOptions {
  env: RuntimeEnv;
  store: Store;
  /** The secret's value ({"botToken","webhookSecret"}, parsed), as fresh as its source keeps it. */
  secret: () => Promise<unknown>;
  files?: FileStore | undefined;
  /** The summaries function, invoked asynchronously (SUMMARIES_FUNCTION); absent: built inline. */
  invokeSummaries?: (payload: SummariesEvent) => Promise<void>;
  /** The chat's hand-over, when a test queues it itself (else from invokeSummaries). */
  summariesLater?: BotDeps['summariesLater'];
  /** The clock of the bot and of the campaign's lifetime (tests move it). */
  clock?: Clock;
  /** How long the campaign is kept (default CONFIG_MAX_AGE_S). */
  campaignMaxAgeMs?: number;
  /** Bot API time limits (tests shorten them). */
  botApi?: BotApiLimits;
  logger?: LoggerLike;
  counter?: Counter;
}

/**
 * The runtime over a store and a secret source: each call looks at the secret and the campaign
 * (both cached, so this is no read most of the time) and rebuilds the bot when either changed.
 */
export function liveRuntime(o: LiveRuntimeOptions): () => Promise<Configured> {
  const clock = o.clock ?? systemClock;
  const log = o.logger ?? logger;
  const { env } = o;
  const campaign = cachedFor(
    () => o.store.getCampaign(env.CAMPAIGN_ID),
    o.campaignMaxAgeMs ?? CONFIG_MAX_AGE_S * 1000,
    clock,
    (err) =>
      log.warn('campaign not refreshed: the one read before is used', {
        error: err instanceof Error ? err.name : 'unknown',
      }),
  );
  let built: { secret: BotSecret; campaign: Campaign; runtime: Runtime } | undefined;
  return async () => {
    const [secretValue, current] = await Promise.all([o.secret(), campaign()]);
    const secret = BotSecret.safeParse(secretValue);
    // Which fields are wrong, never their values.
    if (!secret.success)
      return {
        ready: false,
        missing: `the bot secret lacks a valid ${[...new Set(secret.error.issues.map((i) => i.path.join('.') || 'value'))].join(' and ')} (README, Deploying to AWS, step 3)`,
      };
    if (!current)
      return {
        ready: false,
        missing: `campaign ${env.CAMPAIGN_ID} is not loaded into table ${env.TABLE_NAME} (README, Deploying to AWS, step 4)`,
      };
    if (
      !built ||
      built.campaign !== current ||
      built.secret.botToken !== secret.data.botToken ||
      built.secret.webhookSecret !== secret.data.webhookSecret
    ) {
      built = {
        secret: secret.data,
        campaign: current,
        runtime: assemble(o, secret.data, current, clock, log),
      };
    }
    return { ready: true, runtime: built.runtime };
  };
}

/** The bot, the webhook and the Messenger for one secret and one campaign. */
function assemble(
  o: LiveRuntimeOptions,
  secret: BotSecret,
  campaign: Campaign,
  clock: Clock,
  log: LoggerLike,
): Runtime {
  const { env, store, files } = o;
  const count = o.counter ?? metricsCounter;
  const summariesLater =
    o.summariesLater ?? (o.invokeSummaries ? chatSummaryLater(o.invokeSummaries) : undefined);
  const deps = { ...botDeps(store, campaign, clock, log, files), counter: count };
  const bot = limitBotApi(
    createBot(summariesLater ? { ...deps, summariesLater } : deps, {
      token: secret.botToken,
      botInfo: botInfoFrom(secret.botToken, env.BOT_USERNAME),
      ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
    }),
    { ...(o.botApi ?? BOT_API_LIMITS), onRateLimited: () => count.count('TelegramRateLimited') },
  );
  const webhook = createWebhookHandler({
    bot,
    secret: secret.webhookSecret,
    logger: log,
    counter: count,
    // Every line the update logs carries its id (reset after the invocation, functions/*.ts).
    correlate: (updateId) => logger.setCorrelationId(updateId),
  });
  return {
    store,
    campaign,
    botUsername: env.BOT_USERNAME,
    messenger: countedMessenger(telegramMessenger(bot.telegram), count),
    files,
    ...(o.invokeSummaries ? { invokeSummaries: o.invokeSummaries } : {}),
    webhook,
  };
}

/**
 * `load`'s value, read again once it is older than `maxAgeMs` by `clock`. Nothing is kept while
 * there is nothing (a campaign not loaded yet is seen as soon as it is), and a refresh that fails
 * keeps serving the value read before (`onStale` is told), to be tried again on the next call.
 */
export function cachedFor<T>(
  load: () => Promise<T | undefined>,
  maxAgeMs: number,
  clock: Clock,
  onStale?: (err: unknown) => void,
): () => Promise<T | undefined> {
  let kept: { value: T; at: number } | undefined;
  let loading: Promise<T | undefined> | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (kept && now - kept.at < maxAgeMs) return kept.value;
    loading ??= load()
      .then(
        (value) => {
          kept = value === undefined ? undefined : { value, at: now };
          return value;
        },
        (err: unknown) => {
          if (!kept) throw err;
          onStale?.(err);
          return kept.value;
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}

/**
 * Hands work to the summaries function: an asynchronous invoke (Lambda queues it and answers at
 * once; a failed run is retried by Lambda, and the summaries function does each thing once). A
 * chat's 📊 汇总表 (functions/chat-summary.ts) and the office API's workbooks
 * (functions/office-summary.ts). The Lambda client is imported on first use, from an island of
 * the bundle (`#islands/client-lambda`): an answer's cold start never evaluates it.
 */
export type SummariesEvent = ChatSummaryRequest | OfficeSummaryRequest;

function invokeAsync(functionName: string): (payload: SummariesEvent) => Promise<void> {
  let client: Promise<{ send: (payload: SummariesEvent) => Promise<void> }> | undefined;
  return async (payload) => {
    client ??= import('#islands/client-lambda').then(
      ({ LambdaClient, InvokeCommand }) => {
        const lambda = new LambdaClient({ maxAttempts: 4 });
        return {
          send: async (event: SummariesEvent) => {
            await lambda.send(
              new InvokeCommand({
                FunctionName: functionName,
                InvocationType: 'Event',
                Payload: new TextEncoder().encode(JSON.stringify(event)),
              }),
            );
          },
        };
      },
      (err: unknown) => {
        client = undefined; // a failed import is tried again on the next call
        throw err;
      },
    );
    await (await client).send(payload);
  };
}

/** The chat's hand-over (BotDeps.summariesLater) over the summaries function's invoke. */
const chatSummaryLater =
  (invoke: (payload: SummariesEvent) => Promise<void>): NonNullable<BotDeps['summariesLater']> =>
  (actor, scope, requestId) =>
    invoke({ type: 'chat-summary', personId: actor.id, scope, requestId });

/**
 * The evidence bucket as a FileStore whose S3 client (store/s3-files.ts, @aws-sdk/client-s3) is
 * imported and created on the first call: a photo, the leader's album, an export. It is an island
 * of the bundle (`#islands/s3-files`, infra/bundle.ts ISLANDS), so an answer's cold start does not
 * evaluate it, nor the parts of the SDK only it uses.
 */
export function lazyS3Files(bucket: string, endpoint?: string): FileStore {
  let files: Promise<FileStore> | undefined;
  const load = () => {
    files ??= import('#islands/s3-files').then(
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
  // The summaries, the group report and the reminders' actions are imported on their first use:
  // an answer never needs them, and the webhook's cold start does not evaluate them.
  const summaryFiles = () => import('./summary-files');
  const reminders = () => import('../app/reminders');
  return {
    store,
    clock,
    campaign,
    logger: log,
    ...(files ? { files } : {}),
    summaries: async (actor, scope) =>
      (await summaryFiles()).summaryPackage({ ...deps, files }, actor, campaign, scope),
    groupReport: async (actor, townId) =>
      (await summaryFiles()).groupReportPackage({ ...deps, files }, actor, campaign, townId),
    acknowledge: async (actor, key) =>
      (await (await reminders()).acknowledgeReminder(deps, actor, campaign, key)).reply,
    tomorrow: async (actor, villageId, date) =>
      (await reminders()).setTomorrowVillage(deps, actor, campaign, { villageId, date }),
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
