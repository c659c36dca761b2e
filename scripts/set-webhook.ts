// `npm run set-webhook`: points Telegram at the deployed webhook (with the secret token Telegram
// must echo in every request, and only the update kinds the bot handles) and sets the command
// menus: the commands every role shares for everyone, and each enrolled person's own menu (their
// roles' commands, as the bot sets it on /start) so a changed command list reaches people who
// joined before. Reads the stack outputs that `npm run deploy` writes, or flags.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Telegram } from 'telegraf';
import type { BotCommand } from 'telegraf/types';
import type { Store } from '../app/ports';
import { commandsFor } from '../bot/labels';
import { commandsByRole } from '../bot/messages';
import { ROLES } from '../domain/campaign';
import { rolesOf } from '../domain/grants';
import type { Person } from '../domain/model';
import { OUTPUTS_FILE, readStackOutputs, regionOfArn } from '../infra/outputs';
import { createDynamoClient } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Only what the webhook handles; Telegram keeps other kinds (edits, joins...) to itself. */
// my_chat_member: the bot added to a group or channel leaves it (private chats only);
// edited_message: an edit is answered (edits are not recorded as answers).
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member', 'edited_message'] as const;

/**
 * How many updates Telegram delivers at once (its default is 40, at most 100). Each is one
 * concurrent webhook invocation: it must stay under the account's Lambda concurrency (a new
 * account may have only 10, README "What you need") and the API's throttle (infra/stack.ts).
 */
export const DEFAULT_MAX_CONNECTIONS = 40;

/** Telegram's rule for secret_token. */
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

const HELP = `Usage: npm run set-webhook -- [options]

Points Telegram at the deployed webhook (setWebhook with secret_token and allowed_updates
${ALLOWED_UPDATES.join(', ')}) and sets the command menus (setMyCommands): the commands all roles
share for everyone, and each enrolled person's role commands in their own chat.

Values come from the flags, else the environment, else ${OUTPUTS_FILE} (written by npm run deploy).

Options:
  --url <url>           webhook URL                  (env WEBHOOK_URL;    output WebhookUrl)
  --secret-arn <arn>    secret {"botToken","webhookSecret"} (env BOT_SECRET_ARN; output BotSecretArn)
  --table <name>        table of enrolled people     (env TABLE_NAME;     output TableName)
  --region <region>     AWS region of the table      (default: the secret ARN's, else AWS_REGION)
  --outputs <file>      cdk outputs file (default ${OUTPUTS_FILE})
  --stack <name>        stack in the outputs file (when it holds several)
  --api-root <url>      Bot API server (default https://api.telegram.org; a fake one in tests)
  --skip-people         do not refresh enrolled people's command menus
  --drop-pending        drop updates Telegram queued while no webhook was reachable
  --max-connections <n> updates Telegram delivers at once, 1-100 (default ${DEFAULT_MAX_CONNECTIONS}); keep it
                        below the account's Lambda concurrency quota
  -h, --help            show this help

Without a secret ARN anywhere, BOT_TOKEN and WEBHOOK_SECRET from the environment are used
(local runs only). DYNAMODB_ENDPOINT points the people lookup at a local engine.`;

export interface SetWebhookOptions {
  url: string;
  botToken: string;
  webhookSecret: string;
  apiRoot?: string;
  dropPending?: boolean;
  /** Simultaneous deliveries Telegram may open (default DEFAULT_MAX_CONNECTIONS). */
  maxConnections?: number;
  /** Enrolled people to refresh; absent = skip. */
  store?: Store;
  log?: (line: string) => void;
}

export interface SetWebhookReport {
  webhook: { url: string; pendingUpdates?: number; lastError?: string };
  defaultCommands: string[];
  people: { updated: number; failed: number };
}

/** The commands every role has: the menu of anyone without a narrower (per-chat) one. */
export function sharedCommands(): BotCommand[] {
  const [first, ...rest] = ROLES.map((r) => commandsByRole[r]);
  return (first ?? []).filter((c) => rest.every((list) => list.some((o) => o.command === c.command)));
}

export async function setWebhook(opts: SetWebhookOptions): Promise<SetWebhookReport> {
  const log = opts.log ?? (() => {});
  if (!SECRET_TOKEN.test(opts.webhookSecret))
    throw new Error('webhookSecret may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)');
  const telegram = new Telegram(opts.botToken, opts.apiRoot ? { apiRoot: opts.apiRoot } : {});
  await withRetryAfter(() =>
    telegram.setWebhook(opts.url, {
      secret_token: opts.webhookSecret,
      allowed_updates: [...ALLOWED_UPDATES],
      drop_pending_updates: opts.dropPending ?? false,
      max_connections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    }),
  );
  const info = await withRetryAfter(() => telegram.getWebhookInfo());
  log(
    `webhook set: ${info.url} (${info.pending_update_count} pending updates, ` +
      `max ${info.max_connections ?? opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS} connections)`,
  );
  if (info.last_error_message) log(`last delivery error reported by Telegram: ${info.last_error_message}`);

  const shared = sharedCommands();
  await withRetryAfter(() => telegram.setMyCommands(shared, { scope: { type: 'default' } }));
  log(`default commands: ${shared.map((c) => `/${c.command}`).join(' ')}`);

  const people = { updated: 0, failed: 0 };
  if (opts.store) {
    for (const person of await enrolledPeople(opts.store)) {
      if (!person.chatId || person.unreachable) continue;
      const chatId = person.chatId;
      try {
        await withRetryAfter(() =>
          telegram.setMyCommands(commandsFor(rolesOf(person)), { scope: { type: 'chat', chat_id: chatId } }),
        );
        people.updated++;
      } catch (err) {
        // One blocked or deleted chat must not stop the others; the bot sets it again on /start.
        people.failed++;
        log(`person ${person.id}: menu not set (${redact((err as Error).message, opts.botToken)})`);
      }
    }
    log(`people's menus refreshed: ${people.updated}${people.failed ? `, failed: ${people.failed}` : ''}`);
  }
  return {
    webhook: {
      url: info.url ?? opts.url,
      pendingUpdates: info.pending_update_count,
      ...(info.last_error_message ? { lastError: info.last_error_message } : {}),
    },
    defaultCommands: shared.map((c) => c.command),
    people,
  };
}

/** Network errors quote the request URL, which holds the token. */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join('<bot token>') : text;
}

/** Everyone with any role, once each (no Scan: one index query per role). */
async function enrolledPeople(store: Store): Promise<Person[]> {
  const byId = new Map<string, Person>();
  for (const role of ROLES) for (const p of await store.peopleWithRole(role)) byId.set(p.id, p);
  return [...byId.values()];
}

/** Telegram's 429 says how long to wait; honour it a few times. */
async function withRetryAfter<T>(call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      const retryAfter = (err as { response?: { parameters?: { retry_after?: number } } }).response
        ?.parameters?.retry_after;
      if (retryAfter === undefined || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

class UsageError extends Error {}

async function readBotSecret(arn: string, region: string | undefined) {
  const sm = new SecretsManagerClient(region ? { region } : {});
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    const value = JSON.parse(out.SecretString ?? '{}') as { botToken?: unknown; webhookSecret?: unknown };
    if (typeof value.botToken !== 'string' || !value.botToken || typeof value.webhookSecret !== 'string')
      throw new UsageError(
        `secret ${arn} has no botToken/webhookSecret yet: put them first (README.md, Deploying to AWS, step 3: aws secretsmanager put-secret-value)`,
      );
    return { botToken: value.botToken, webhookSecret: value.webhookSecret };
  } finally {
    sm.destroy();
  }
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'secret-arn': { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      outputs: { type: 'string' },
      stack: { type: 'string' },
      'api-root': { type: 'string' },
      'skip-people': { type: 'boolean' },
      'drop-pending': { type: 'boolean' },
      'max-connections': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const env = process.env;
  const maxConnections = Number(values['max-connections'] ?? DEFAULT_MAX_CONNECTIONS);
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 100)
    throw new UsageError(
      `--max-connections must be a whole number from 1 to 100: ${values['max-connections']}`,
    );
  const outputs = (await readStackOutputs(values.outputs ?? OUTPUTS_FILE, values.stack)) ?? {};
  const url = values.url ?? env.WEBHOOK_URL ?? outputs.webhookUrl;
  if (!url) throw new UsageError(`no webhook URL: pass --url, set WEBHOOK_URL, or run npm run deploy first`);
  if (!/^https:\/\//.test(url) && !values['api-root'])
    throw new UsageError(`Telegram only calls https webhooks: ${url}`);
  const secretArn = values['secret-arn'] ?? env.BOT_SECRET_ARN ?? outputs.botSecretArn;
  // The stack's region (its secret's ARN names it) beats a shell default pointing elsewhere.
  const region = values.region ?? regionOfArn(secretArn) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  let secrets: { botToken: string; webhookSecret: string };
  // A secret can only be read in the region its ARN names.
  if (secretArn) secrets = await readBotSecret(secretArn, regionOfArn(secretArn) ?? region);
  else if (env.BOT_TOKEN && env.WEBHOOK_SECRET)
    secrets = { botToken: env.BOT_TOKEN, webhookSecret: env.WEBHOOK_SECRET };
  else
    throw new UsageError('no bot secret: pass --secret-arn, set BOT_SECRET_ARN, or run npm run deploy first');

  const tableName = values['skip-people'] ? undefined : (values.table ?? env.TABLE_NAME ?? outputs.tableName);
  const client = tableName
    ? createDynamoClient({
        ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
        ...(region ? { region } : {}),
      })
    : undefined;
  try {
    await setWebhook({
      url,
      ...secrets,
      ...(values['api-root'] ? { apiRoot: values['api-root'] } : {}),
      dropPending: values['drop-pending'] ?? false,
      maxConnections,
      ...(client && tableName ? { store: new DynamoStore({ client, tableName }) } : {}),
      log,
    });
  } catch (err) {
    const message = redact(err instanceof Error ? err.message : String(err), secrets.botToken);
    throw new Error(`setting the webhook failed: ${message}`);
  } finally {
    client?.destroy();
  }
  return 0;
}

const entry = process.argv[1];
if (entry && pathToFileURL(realpathSync(entry)).href === import.meta.url) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const usage =
        err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(usage ? `${(err as Error).message}\nnpm run set-webhook -- --help` : err);
      process.exitCode = usage ? 2 : 1;
    },
  );
}
