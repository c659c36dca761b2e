// What the office command lines share: the campaign and store they act on, who they act as, a
// table printer that lines up Chinese text, and the one place expected errors become a Chinese
// message and an exit code (never a stack trace).

import { join, resolve } from 'node:path';
import { ForbiddenError } from '../app/authz';
import { ListsError } from '../app/lists';
import { type Clock, systemClock } from '../app/messaging';
import type { Store } from '../app/ports';
import { allVillages, type Campaign } from '../domain/campaign';
import type { Person } from '../domain/model';
import { ListFileError } from '../ingest/list-file';
import { CampaignFileError, loadCampaignFile } from '../local/campaign-file';
import { EngineError, openStore } from '../local/engine';
import { createS3Client, S3Files } from '../store/s3-files';

export const DEFAULT_CAMPAIGN = 'dongxing-2017';

/** Exit codes: 1 = refused or failed, 2 = wrong usage. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A wrong command line; the message is Chinese and the help hint is added when printed. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The office acting from the command line when `--as` names nobody. */
export function cliOffice(at: Date): Person {
  const now = at.toISOString();
  return {
    id: 'cli-office',
    grants: [{ role: 'office' }],
    displayName: '扶贫办(命令行)',
    lastUpdateId: 0,
    session: {},
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export interface CliContext {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  actor: Person;
}

/**
 * Loads the campaign file, opens the store (DYNAMODB_ENDPOINT or the embedded engine), makes
 * sure the campaign is stored, resolves the actor, runs `work`, and always closes the store.
 */
export async function withContext<T>(
  options: { campaign?: string; as?: string },
  work: (ctx: CliContext) => Promise<T>,
): Promise<T> {
  const campaign = await loadCampaignFile(options.campaign ?? DEFAULT_CAMPAIGN);
  const opened = await openStore();
  try {
    const { store } = opened;
    // Stored once so other processes (the bot, npm start) see the same campaign; a stored one wins.
    // The deployed table gets its campaign from scripts/load-campaign.ts only (a wrong file or
    // table must not quietly become what the bot runs).
    if (!(await store.getCampaign(campaign.id))) {
      if (opened.aws)
        throw new UsageError(
          `数据表「${opened.tableName}」中没有活动 ${campaign.id}:请先运行 npx tsx scripts/load-campaign.ts,或用 --campaign 指定已载入的活动。`,
        );
      await store.putCampaign(campaign);
    }
    const clock = systemClock;
    let actor = cliOffice(clock.now());
    if (options.as !== undefined) {
      const person = await store.getPerson(options.as);
      if (!person) throw new UsageError(`找不到人员「${options.as}」,--as 须为已登记人员的编号。`);
      actor = person;
    }
    return await work({ store, clock, campaign, actor });
  } finally {
    await opened.close();
  }
}

/** The evidence store: the bucket on AWS (EVIDENCE_BUCKET), or the photos npm start keeps on this machine. */
export async function openEvidenceFiles(): Promise<{ files: S3Files; close: () => Promise<void> }> {
  const bucket = process.env.EVIDENCE_BUCKET?.trim();
  if (bucket) {
    const endpoint = process.env.S3_ENDPOINT?.trim();
    const client = createS3Client(endpoint ? { endpoint } : {});
    return { files: new S3Files({ bucket, client }), close: async () => client.destroy() };
  }
  // s3rver only when it is needed: most commands never touch a photo.
  const { startLocalS3 } = await import('../local/s3-server');
  const shared = process.env.INSPECTION_DATA_DIR?.trim();
  const local = await startLocalS3({ directory: join(resolve(shared || '.data'), 'evidence') });
  return { files: local.files, close: () => local.stop() };
}

export function villageHint(campaign: Campaign): string {
  return `可用的村编号:${allVillages(campaign)
    .map((v) => `${v.id}(${v.name})`)
    .join('、')}`;
}

/** Prints an expected error in Chinese and returns the exit code; anything else is rethrown. */
export function reportError(err: unknown, campaignHint?: Campaign, helpHint?: string): number {
  const say = (text: string) => process.stderr.write(`${text}\n`);
  if (err instanceof UsageError || isParseArgsError(err)) {
    say(err instanceof UsageError ? err.message : parseArgsMessage(err));
    if (helpHint) say(helpHint);
    return EXIT_USAGE;
  }
  if (err instanceof ListsError) {
    say(err.message);
    if (err.code === 'unknown_village' && campaignHint) say(villageHint(campaignHint));
    return EXIT_FAILED;
  }
  if (err instanceof ForbiddenError) {
    say(`您(${err.personId})没有权限进行此操作。`);
    return EXIT_FAILED;
  }
  if (err instanceof ListFileError || err instanceof CampaignFileError || err instanceof EngineError) {
    say(err.message);
    return EXIT_FAILED;
  }
  throw err;
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** util.parseArgs speaks English; the option it names is enough to say it in Chinese. */
function parseArgsMessage(err: Error & { code: string }): string {
  const option = /'(-{1,2}[^'\s]+)/u.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `未知选项 ${option}。`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // A value starting with "-" (an invite made before ids avoided it) reads as an option.
      if (/ambiguous/u.test(err.message)) return `选项 ${option} 的值以“-”开头,请写成 ${option}=值。`;
      return `选项 ${option} 的值有误(需要填写值的选项请在其后写上值,开关选项不要带值)。`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return '多余的参数。';
    default:
      return `命令行参数有误:${err.message}`;
  }
}

/** Runs a CLI's main and sets the exit code; unexpected errors keep their stack (they are bugs). */
export async function runCli(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_FAILED;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

/** East Asian wide and full-width characters take two terminal columns. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** A plain-text table with a header row, columns lined up for CJK text. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A local date-time in the campaign's zone, e.g. "2017-10-30 09:15". */
export function localTime(campaign: Campaign, iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: campaign.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export const print = (text = '') => process.stdout.write(`${text}\n`);
