// `npm start`: the whole system on one machine. An embedded DynamoDB (kept in .data/), the seed
// campaign, the demo people, a local Telegram (the emulator) that the unchanged bot talks to, the
// browser chat, and the scheduled functions on a demo clock. With TELEGRAM_BOT_TOKEN set it runs
// the same bot on real Telegram by long polling instead (local/telegram-mode.ts).
//
//   npm start                    # keeps .data/ between runs
//   npm start -- --fresh         # starts over from an empty database
//   npm start -- --port 3001
//
// Environment: INSPECTION_DATA_DIR (default .data/), DEMO_TIME (the demo clock's first time,
// campaign local, e.g. 2017-11-04T20:00), TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, DYNAMODB_ENDPOINT.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TelegramError } from 'telegraf';
import type { FileStore } from '../app/ports';
import type { LoggerLike } from '../bot/bot';
import { createBot } from '../bot/bot';
import { telegramMessenger } from '../bot/telegram-messenger';
import { type Campaign, deadlineInstant } from '../domain/campaign';
import { localDate } from '../domain/reminders';
import { botDeps, botInfoFrom } from '../functions/runtime';
import { createWebhookHandler } from '../functions/telegram-webhook';
import { CampaignFileError, loadCampaignFile } from './campaign-file';
import { DemoClock } from './demo-clock';
import { demoPersonas, enrolDemoPeople } from './demo-people';
import { EngineError, type OpenedStore, openStore } from './engine';
import { PollingConflictError } from './polling';
import { startLocalS3 } from './s3-server';
import { LocalScheduler } from './scheduler';
import { type EmulatorSnapshot, TelegramEmulator } from './telegram-emulator';
import { runTelegramMode } from './telegram-mode';
import { createLocalServer } from './web-server';

const CAMPAIGN_ID = 'dongxing-2017';
/** Mid-campaign: the field checks are on and the group report is due in three days. */
const DEFAULT_DEMO_TIME = '2017-11-01T09:00';
const BOT = { id: 7000001, username: 'dongxing_jiancha_bot', name: '东兴检查助手' };
const REPO = fileURLToPath(new URL('..', import.meta.url));

const text = {
  usage: [
    '用法 Usage: npm start -- [--fresh] [--port N]',
    '  --fresh    清空本地数据重新开始 · start from an empty database',
    '  --port N   网页端口,默认 3000 · the page port (default 3000)',
  ].join('\n'),
  badPort: (v: string) => `端口无效 invalid port: ${v}`,
  portInUse: (port: number) =>
    `端口 ${port} 已被占用,请换一个:npm start -- --port ${port + 1}\nPort ${port} is in use; try another with --port.`,
  badDemoTime: (v: string) => `DEMO_TIME 无效 (应为 2017-11-04T20:00): ${v}`,
  starting: '正在启动… Starting…',
  ready: (url: string, dataDir: string, demoTime: string, endpoint: string | undefined) =>
    [
      '',
      '  ✅ 东兴市脱贫攻坚大检查 · 本地演示已启动 (local demo is running)',
      '',
      `  👉 请在浏览器打开 Open in a browser:  ${url}`,
      '',
      `  演示时间 Demo time:  ${demoTime}(北京时间,可在网页上调整)`,
      `  数据目录 Data:       ${dataDir}   (npm start -- --fresh 清空重来 / start over)`,
      ...(endpoint ? [`  命令行工具 CLIs:     DYNAMODB_ENDPOINT=${endpoint} npm run <script>`] : []),
      '  按 Ctrl+C 停止 · Press Ctrl+C to stop',
      '',
    ].join('\n'),
  telegramReady: (username: string, invites: { label: string; url: string }[]) =>
    [
      '',
      `  ✅ 机器人 @${username} 已连接 Telegram(长轮询)· connected to Telegram by long polling`,
      '',
      '  在手机上打开以下一次性邀请链接,以对应身份加入 · One-time invite links, one per role:',
      ...invites.map((i) => `    ${padWide(i.label, 26)} ${i.url}`),
      '',
      '  提醒和每晚汇总按真实时间运行 · Reminders and the nightly summary run on the real clock.',
      '  按 Ctrl+C 停止 · Press Ctrl+C to stop',
      '',
    ].join('\n'),
  enrolled: (names: string[]) => `  已登记演示人员 Demo people enrolled: ${names.join('、')}`,
  badToken: 'TELEGRAM_BOT_TOKEN 无效(Telegram 拒绝了它)· Telegram refused the token.',
  stopping: '\n正在停止… Stopping…',
  failed: '启动失败 Start-up failed:',
};

/** Pads to a column on a terminal, where a Chinese character takes two cells. */
function padWide(s: string, cells: number): string {
  const width = [...s].reduce(
    (w, ch) =>
      w +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]/.test(ch) ? 2 : 1),
    0,
  );
  return s + ' '.repeat(Math.max(1, cells - width));
}

interface Args {
  fresh: boolean;
  port: number;
  verbose: boolean;
}

function parseCommandLine(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      fresh: { type: 'boolean', default: false },
      port: { type: 'string', default: '3000' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(text.usage);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(text.badPort(values.port));
  return { fresh: values.fresh, port, verbose: values.verbose };
}

class UsageError extends Error {}

/** Warnings and errors on the terminal; the info lines only with --verbose. */
function terminalLogger(verbose: boolean): LoggerLike {
  const line = (level: string, message: string, attributes: Record<string, unknown>[]) => {
    const extra = Object.assign({}, ...attributes);
    return `[${level}] ${message}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}`;
  };
  return {
    info: (m, ...a) => (verbose ? console.log(line('info', m, a)) : undefined),
    warn: (m, ...a) => console.warn(line('warn', m, a)),
    error: (m, ...a) => console.error(line('error', m, a)),
  };
}

/** A small JSON file written whole (rename), so a crash never leaves half of it. */
async function saveJson(file: string, value: unknown) {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}

async function loadJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function demoStart(campaign: Campaign): Date {
  const configured = process.env.DEMO_TIME?.trim();
  if (!configured) return deadlineInstant(campaign, DEFAULT_DEMO_TIME);
  try {
    return deadlineInstant(campaign, configured.slice(0, 16));
  } catch {
    throw new UsageError(text.badDemoTime(configured));
  }
}

function formatLocal(campaign: Campaign, at: Date): string {
  const time = at.toLocaleTimeString('zh-CN', {
    timeZone: campaign.timeZone,
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${localDate(campaign, at)} ${time}`;
}

async function main() {
  const args = parseCommandLine(process.argv.slice(2));
  const logger = terminalLogger(args.verbose);
  const dataDir = resolve(process.env.INSPECTION_DATA_DIR?.trim() || join(REPO, '.data'));
  const files = {
    dynamodb: join(dataDir, 'dynamodb'),
    chats: join(dataDir, 'telegram-emulator.json'),
    clock: join(dataDir, 'demo-clock.json'),
    evidence: join(dataDir, 'evidence'),
  };
  console.log(text.starting);
  const campaign = await loadCampaignFile(CAMPAIGN_ID);
  await mkdir(dataDir, { recursive: true });
  if (args.fresh)
    await Promise.all([
      rm(files.chats, { force: true }),
      rm(files.clock, { force: true }),
      rm(files.evidence, { recursive: true, force: true }),
    ]);
  const opened = await openStore({ dataDir: files.dynamodb, fresh: args.fresh });
  // Photos go to an S3-compatible server, as they go to the evidence bucket on AWS.
  const s3 = await startLocalS3({ directory: files.evidence });
  // The file is the source of truth locally: edits to campaigns/*.json apply on the next start.
  await opened.store.putCampaign(campaign);

  const stops: (() => Promise<void>)[] = [() => opened.close(), () => s3.stop()];
  onShutdown(stops);

  const token = process.env.TELEGRAM_BOT_TOKEN?.trim();
  if (token) {
    const controller = new AbortController();
    let running: Promise<void> = Promise.resolve();
    // Stop polling and wait for the schedules before the store closes.
    stops.unshift(async () => {
      controller.abort();
      await running.catch(() => undefined);
    });
    running = runTelegramMode({
      token,
      ...(process.env.TELEGRAM_API_ROOT ? { apiRoot: process.env.TELEGRAM_API_ROOT } : {}),
      store: opened.store,
      campaign,
      logger,
      files: s3.files,
      signal: controller.signal,
      onReady: ({ username, invites }) => console.log(text.telegramReady(username, invites)),
    });
    await running;
    return;
  }
  await startLocal({ args, campaign, opened, files, evidence: s3.files, logger, stops, dataDir });
}

async function startLocal(ctx: {
  args: Args;
  campaign: Campaign;
  opened: OpenedStore;
  files: { chats: string; clock: string };
  evidence: FileStore;
  logger: LoggerLike;
  stops: (() => Promise<void>)[];
  dataDir: string;
}) {
  const { args, campaign, opened, files, logger, stops } = ctx;
  const { store } = opened;

  const saved = await loadJson<{ now: string }>(files.clock);
  const savedAt = saved ? new Date(saved.now) : undefined;
  const clock = new DemoClock(savedAt && !Number.isNaN(savedAt.getTime()) ? savedAt : demoStart(campaign));
  const saveClock = () => saveJson(files.clock, { now: clock.now().toISOString() });

  const token = `${BOT.id}:local-${randomBytes(12).toString('hex')}`;
  const emulator = new TelegramEmulator({
    token,
    bot: { id: BOT.id, username: BOT.username, first_name: BOT.name },
    clock,
    // Update ids must keep growing across restarts (the bot drops repeats by id): real time does.
    firstUpdateId: Date.now(),
  });
  const snapshot = await loadJson<EmulatorSnapshot>(files.chats);
  if (snapshot?.version === 1) emulator.restore(snapshot);
  let saveTimer: NodeJS.Timeout | undefined;
  const saveChats = () => saveJson(files.chats, emulator.snapshot());
  emulator.subscribe(() => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(
      () => void saveChats().catch((err) => logger.warn('chats not saved', { err: String(err) })),
      300,
    );
  });

  const personas = demoPersonas(campaign);
  let scheduler: LocalScheduler | undefined;
  const web = createLocalServer({
    emulator,
    personas,
    clock,
    campaign,
    bot: { name: BOT.name, username: BOT.username },
    webDir: fileURLToPath(new URL('./web/', import.meta.url)),
    samplesDir: fileURLToPath(new URL('./sample-data/', import.meta.url)),
    // Moving the demo clock runs what became due at once (reminders, maybe the nightly summary).
    afterClockMove: async () => scheduler?.clockMoved(),
  });
  let url: string;
  try {
    url = await web.listen(args.port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(text.portInUse(args.port));
    throw err;
  }
  emulator.mount(url);
  stops.unshift(async () => {
    clearTimeout(saveTimer);
    await web.close();
    await saveChats();
    await saveClock();
  });

  const bot = createBot(botDeps(store, campaign, clock, logger, ctx.evidence), {
    token,
    botInfo: botInfoFrom(token, BOT.username),
    apiRoot: url,
  });
  // As on AWS: the webhook only accepts requests that carry this secret.
  const secret = randomBytes(24).toString('base64url');
  emulator.connectWebhook(createWebhookHandler({ bot, secret, logger }), secret);

  const enrolled = await enrolDemoPeople(
    {
      store,
      clock,
      campaign,
      emulator,
      setCommands: (chatId, commands) =>
        bot.telegram.setMyCommands(commands, { scope: { type: 'chat', chat_id: chatId } }),
    },
    personas,
  );
  if (enrolled.length) console.log(text.enrolled(enrolled));

  scheduler = new LocalScheduler({
    store,
    messenger: telegramMessenger(bot.telegram),
    clock,
    campaign,
    logger,
  });
  clock.onChange(() => void saveClock().catch(() => undefined));
  scheduler.start();
  const running = scheduler;
  stops.unshift(() => running.stop());

  console.log(
    text.ready(
      url,
      ctx.dataDir,
      formatLocal(campaign, clock.now()),
      opened.embedded ? opened.endpoint : undefined,
    ),
  );
}

/** Ctrl+C (or a test's SIGTERM) stops everything in order; a second one exits at once. */
function onShutdown(stops: (() => Promise<void>)[]): void {
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      for (const stop of stops) await stop().catch((err) => console.error(err));
    })();
    return stopping;
  };
  const onSignal = () => {
    if (stopping) process.exit(130);
    console.log(text.stopping);
    void shutdown().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err) => {
  const known =
    err instanceof UsageError ||
    err instanceof EngineError ||
    err instanceof CampaignFileError ||
    err instanceof PollingConflictError;
  const badToken = err instanceof TelegramError && (err.code === 401 || err.code === 404);
  console.error(text.failed, badToken ? text.badToken : known ? err.message : err);
  process.exit(1);
});
