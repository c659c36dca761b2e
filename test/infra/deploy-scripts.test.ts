// The deploy scripts against local stand-ins: `npm run set-webhook` talks to the fake Bot API
// (--api-root) and reads enrolled people from dynalite; scripts/load-campaign.ts writes the
// campaign into an existing table and refuses a missing one. Secrets Manager is mocked. Then the
// README's deployment section is walked: every npm script, flag and file it names exists, and its
// `aws lambda invoke` event makes the first office invite.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { commandsByRole } from '../../bot/messages';
import type { Role } from '../../domain/campaign';
import type { Person } from '../../domain/model';
import { createOfficeApi } from '../../functions/office-api';
import { loadCampaignFile } from '../../local/campaign-file';
import { main as loadCampaign } from '../../scripts/load-campaign';
import {
  ALLOWED_UPDATES,
  DEFAULT_MAX_CONNECTIONS,
  main as setWebhookCli,
  sharedCommands,
} from '../../scripts/set-webhook';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../../store/client';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, LOCAL_REGION, startEngine } from '../support/engines';
import { FakeBotApi } from '../support/fake-bot-api';
import { grantsOf } from '../support/people';

const TOKEN = '515151:AAF-deploy-scripts-test-token-abcdefgh';
const SECRET = 'deploy-scripts-webhook-secret-0123456789';
const URL_ = 'https://abc123.execute-api.ap-east-1.amazonaws.com/telegram';

let engine: Engine;
let store: DynamoStore;
let api: FakeBotApi;
let apiRoot: string;
let dir: string;
let lines: string[];
const log = (line: string) => lines.push(line);
const savedEnv = { ...process.env };

const person = (id: number, roles: Role[], extra: Partial<Person> & { groupId?: string } = {}): Person => {
  const at = '2017-10-20T08:00:00.000Z';
  const { groupId, ...rest } = extra;
  return {
    id: String(id),
    grants: grantsOf(roles, groupId ? { groupId } : {}),
    chatId: id,
    lastUpdateId: 0,
    session: {},
    version: 0,
    createdAt: at,
    updatedAt: at,
    ...rest,
  };
};

beforeAll(async () => {
  engine = await startEngine('dynalite', 'inspection-deploy');
  const client = createDynamoClient({
    endpoint: engine.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  store = new DynamoStore({ client, tableName: engine.tableName });
  await store.putPerson(person(7001, ['office']));
  await store.putPerson(person(7002, ['inspector'], { groupId: 'g2' }));
  await store.putPerson(person(7003, ['leader'], { groupId: 'g1', unreachable: true }));
  dir = await mkdtemp(join(tmpdir(), 'deploy-scripts-'));
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  lines = [];
  api = new FakeBotApi({ token: TOKEN });
  apiRoot = await api.start();
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: engine.endpoint,
  });
  for (const key of ['BOT_TOKEN', 'WEBHOOK_SECRET', 'BOT_SECRET_ARN', 'WEBHOOK_URL', 'TABLE_NAME'])
    delete process.env[key];
});

afterEach(async () => {
  await api.stop();
  process.env = { ...savedEnv };
});

const missing = () => join(dir, 'no-outputs.json');

describe('npm run set-webhook', () => {
  it('sets the webhook with the secret token and only the update kinds the bot handles', async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    const code = await setWebhookCli(
      ['--url', URL_, '--api-root', apiRoot, '--outputs', missing(), '--skip-people'],
      log,
    );
    expect(code).toBe(0);
    expect(api.callsOf('setWebhook')).toEqual([
      {
        method: 'setWebhook',
        params: expect.objectContaining({
          url: URL_,
          secret_token: SECRET,
          allowed_updates: [...ALLOWED_UPDATES],
          drop_pending_updates: false,
          max_connections: DEFAULT_MAX_CONNECTIONS,
        }),
      },
    ]);
    expect(DEFAULT_MAX_CONNECTIONS).toBe(40);
    expect(lines.join('\n')).toContain(`webhook set: ${URL_}`);
  });

  it('lets Telegram open fewer connections at once, for an account with a small Lambda concurrency quota', async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    const args = ['--url', URL_, '--api-root', apiRoot, '--outputs', missing(), '--skip-people'];
    await setWebhookCli([...args, '--max-connections', '8'], log);
    expect(api.callsOf('setWebhook')[0]?.params.max_connections).toBe(8);
    await expect(setWebhookCli([...args, '--max-connections', '500'], log)).rejects.toThrow(/1 to 100/);
    await expect(setWebhookCli([...args, '--max-connections', 'many'], log)).rejects.toThrow(/1 to 100/);
    expect(api.callsOf('setWebhook')).toHaveLength(1);
  });

  it("gives everyone the commands all roles share, and each enrolled person their roles' menu", async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    await setWebhookCli(
      ['--url', URL_, '--api-root', apiRoot, '--outputs', missing(), '--table', engine.tableName],
      log,
    );
    const calls = api.callsOf('setMyCommands').map((c) => c.params);
    const byScope = (scope: unknown) =>
      calls.find((p) => JSON.stringify(p.scope) === JSON.stringify(scope))?.commands;
    expect(sharedCommands().map((c) => c.command)).toEqual(['help']);
    expect(byScope({ type: 'default' })).toEqual(sharedCommands());
    expect(byScope({ type: 'chat', chat_id: 7001 })).toEqual(commandsByRole.office);
    expect(byScope({ type: 'chat', chat_id: 7002 })).toEqual(commandsByRole.inspector);
    // Someone who blocked the bot is skipped; the bot sets their menu again when they return.
    expect(byScope({ type: 'chat', chat_id: 7003 })).toBeUndefined();
    expect(calls).toHaveLength(3);
    expect(lines.join('\n')).toContain("people's menus refreshed: 2");
  });

  it('reads the webhook URL and the table from the outputs npm run deploy writes', async () => {
    const outputs = join(dir, 'cdk-outputs.json');
    await writeFile(
      outputs,
      JSON.stringify({ InspectionBot: { WebhookUrl: URL_, TableName: engine.tableName } }),
    );
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    await setWebhookCli(['--api-root', apiRoot, '--outputs', outputs], log);
    expect(api.callsOf('setWebhook')[0]?.params.url).toBe(URL_);
    expect(api.callsOf('setMyCommands')).toHaveLength(3);
  });

  it('takes the token and the webhook secret from the Secrets Manager secret, in its region', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ botToken: TOKEN, webhookSecret: SECRET }),
    });
    try {
      const arn = 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:BotSecret-abc';
      await setWebhookCli(['--url', URL_, '--secret-arn', arn, '--api-root', apiRoot, '--skip-people'], log);
      expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: arn });
      expect(await sm.call(0).thisValue.config.region()).toBe('ap-east-1');
      expect(api.callsOf('setWebhook')[0]?.params.secret_token).toBe(SECRET);

      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookSecret: SECRET }) });
      await expect(
        setWebhookCli(['--url', URL_, '--secret-arn', arn, '--api-root', apiRoot, '--skip-people'], log),
      ).rejects.toThrow(/no botToken.*put-secret-value/);
    } finally {
      sm.restore();
    }
  });

  it('honours Telegram asking to retry after a pause', async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    api.failures.push({
      method: 'setWebhook',
      errorCode: 429,
      description: 'Too Many Requests: retry after 0',
      retryAfter: 0,
    });
    await setWebhookCli(['--url', URL_, '--api-root', apiRoot, '--outputs', missing(), '--skip-people'], log);
    expect(api.callsOf('setWebhook')).toHaveLength(2);
  });

  it('never prints the token, even when the Bot API cannot be reached', async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    const failure = setWebhookCli(
      ['--url', URL_, '--api-root', 'http://127.0.0.1:9', '--outputs', missing(), '--skip-people'],
      log,
    );
    await expect(failure).rejects.toThrow(/setting the webhook failed/);
    const message = await failure.catch((err: Error) => `${err.message}\n${err.stack}`);
    expect(message).not.toContain(TOKEN);
  });

  it('refuses what Telegram would refuse, and explains what is missing', async () => {
    Object.assign(process.env, { BOT_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    await expect(setWebhookCli(['--outputs', missing()], log)).rejects.toThrow(/no webhook URL/);
    await expect(
      setWebhookCli(['--url', 'http://plain.example/telegram', '--outputs', missing()], log),
    ).rejects.toThrow(/only calls https/);
    process.env.WEBHOOK_SECRET = 'has spaces and $';
    await expect(
      setWebhookCli(['--url', URL_, '--api-root', apiRoot, '--outputs', missing(), '--skip-people'], log),
    ).rejects.toThrow(/A-Z, a-z, 0-9, _ and -/);
    delete process.env.BOT_TOKEN;
    await expect(setWebhookCli(['--url', URL_, '--outputs', missing()], log)).rejects.toThrow(
      /no bot secret/,
    );
    expect(api.callsOf('setWebhook')).toHaveLength(0);
  });

  it('prints its help', async () => {
    expect(await setWebhookCli(['--help'], log)).toBe(0);
    expect(lines.join('\n')).toMatch(/--api-root/);
  });
});

describe('scripts/load-campaign.ts', () => {
  it('validates the campaign file and writes it into the existing table', async () => {
    expect(
      await loadCampaign(['dongxing-2017', '--table', engine.tableName, '--outputs', missing()], log),
    ).toBe(0);
    expect((await store.getCampaign('dongxing-2017'))?.id).toBe('dongxing-2017');
    expect(lines[0]).toMatch(/campaign dongxing-2017 .* written to table inspection-deploy/);
  });

  it('takes the table and the campaign from the deploy outputs', async () => {
    const outputs = join(dir, 'outputs-load.json');
    await writeFile(
      outputs,
      JSON.stringify({ InspectionBot: { TableName: engine.tableName, CampaignId: 'dongxing-2017' } }),
    );
    expect(await loadCampaign(['--outputs', outputs], log)).toBe(0);
    expect(lines[0]).toContain(engine.tableName);
  });

  it('refuses a table that does not exist instead of creating one', async () => {
    await expect(loadCampaign(['--table', 'no-such-table', '--outputs', missing()], log)).rejects.toThrow(
      /non-existent table|not found|ResourceNotFound/i,
    );
  });

  it('needs a table name', async () => {
    await expect(loadCampaign(['--outputs', missing()], log)).rejects.toThrow(/no table/);
  });
});

// ---------------------------------------------------------------------------------------------
// The README's deployment section, walked: whatever it tells the deployer to run must exist.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const DEPLOY = readme.slice(
  readme.indexOf('## Deploying to AWS'),
  readme.indexOf('\n## ', readme.indexOf('## Deploying to AWS') + 5),
);
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The source of an npm script run by tsx (`tsx scripts/x.ts`), or undefined (cdk, vitest…). */
const scriptSource = (name: string): string | undefined => {
  const file = /\btsx (scripts\/[\w-]+\.ts)\b/.exec(pkg.scripts[name] ?? '')?.[1];
  return file ? readFileSync(file, 'utf8') : undefined;
};

describe("README's Deploying to AWS, walked", () => {
  it('is there, and long enough to be the whole section', () => {
    expect(DEPLOY.length).toBeGreaterThan(5000);
    expect(DEPLOY).toContain('### Tearing down');
  });

  it('names only npm scripts that exist, each flag given to them one the script knows', () => {
    const runs = [...DEPLOY.matchAll(/npm run ([\w:-]+)((?: --(?: [^\s`|)]+)*)?)/g)];
    const names = new Set(runs.map((m) => m[1] ?? ''));
    for (const name of ['deploy', 'synth', 'set-webhook', 'invite', 'archive', 'evidence'])
      expect(names).toContain(name);
    for (const [, name = '', args = ''] of runs) {
      expect(pkg.scripts, `npm run ${name}`).toHaveProperty(name);
      const source = scriptSource(name);
      if (!source) continue;
      for (const flag of args.match(/--[a-z][\w-]*/g) ?? [])
        expect(source, `npm run ${name} -- ${flag}`).toMatch(
          new RegExp(`['"]${flag.slice(2)}['"]\\s*:|${flag}\\b`),
        );
    }
  });

  it('names only files that exist', () => {
    const paths = new Set([
      ...[...DEPLOY.matchAll(/npx tsx ([\w./-]+\.ts)/g)].map((m) => m[1] ?? ''),
      ...[
        ...DEPLOY.matchAll(
          /`((?:infra|store|scripts|test|campaigns|docs|functions|local|domain)\/[\w./-]+)`/g,
        ),
      ].map((m) => m[1] ?? ''),
    ]);
    expect(paths.size).toBeGreaterThan(4);
    for (const path of paths) expect(existsSync(path), path).toBe(true);
    // The stack's descriptions and the scripts point to docs/deploy.md: it exists and points back here.
    expect(readFileSync('docs/deploy.md', 'utf8')).toContain('README.md#deploying-to-aws');
  });

  it('checks the Lambda quota, reads the token in a way bash and zsh share, and offers an invoke without awscurl', () => {
    expect(DEPLOY).toContain(
      'aws service-quotas get-service-quota --service-code lambda --quota-code L-B99A9384',
    );
    expect(DEPLOY).toContain('--max-connections');
    // zsh's `read -p` reads from a coprocess; `read -rsp` fails there.
    const shell = [...DEPLOY.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    expect(shell).toContain('BOT_TOKEN');
    expect(shell).not.toMatch(/\bread -\w*p\b/);
    expect(DEPLOY).toMatch(/stty -echo; read BOT_TOKEN; stty echo/);
    expect(DEPLOY).toContain('aws lambda invoke --function-name "$OFFICE_FN"');
    expect(DEPLOY).toContain(
      'npm run archive -- --campaign dongxing-2017 --out archive-dongxing-2017 --backup',
    );
    expect(DEPLOY).not.toMatch(/tool creates a new, empty table/);
  });

  it('builds with its printf an event the office function turns into the first office invite', async () => {
    const line = /^printf '\{"routeKey".*\n.*$/m.exec(DEPLOY)?.[0] ?? '';
    expect(line).toContain('> invite-event.json');
    const script = line.replace(/\s*> invite-event\.json\s*$/, '').replace(/\\\n\s*/, '');
    const caller = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin/office';
    for (const shell of ['sh', 'bash']) {
      const { stdout } = await promisify(execFile)(shell, ['-c', script], {
        env: { ...process.env, CALLER: caller },
      });
      const event = JSON.parse(stdout);
      const handler = createOfficeApi({
        store: new MemoryStore(),
        campaign: await loadCampaignFile('dongxing-2017'),
        clock: new ManualClock(new Date('2017-10-20T08:00:00Z')),
        botUsername: 'DongxingInspectionBot',
      });
      const result = await handler(event);
      expect(result.statusCode, shell).toBe(201);
      expect(JSON.parse(result.body ?? '{}')).toMatchObject({
        role: 'office',
        link: expect.stringMatching(/^https:\/\/t\.me\/DongxingInspectionBot\?start=/),
      });
    }
  });
});
