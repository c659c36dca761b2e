// The office's spreadsheets for a scope: the summary workbook (表3/表4/表5) and the raw data.
// Shared by the nightly function, the office API, the bot's /summary and the local system.
//
// The workbook renderers (reports/xlsx.ts, reports/raw.ts and exceljs under them, about 1 MB of
// bundle) are loaded with import() when a workbook is asked for, not when the module is: the
// webhook's bundle imports this file for /summary, and an inspector's answer never needs them.
// esbuild splits them into a chunk of their own (infra/bundle.ts), loaded on the first /summary.

import type { Writable } from 'node:stream';
import { collectBytes } from '../app/files';
import type { Clock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import { buildSummaries, submittedPages } from '../app/summaries';
import type { SummaryFile } from '../bot/bot';
import type { Campaign } from '../domain/campaign';
import type { Person, Survey } from '../domain/model';
import { formatInstant } from '../domain/reminder-messages';
import { localDate } from '../domain/reminders';
import type { SummaryModels } from '../domain/tables/index';
import { table4Text, table5Text } from '../reports/text';

/** A file with its bytes (what the nightly delivery and the office API send). */
export type InlineFile = Extract<SummaryFile, { bytes: Uint8Array }>;

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function summaryFiles(
  deps: { store: Store; clock: Clock },
  actor: Person,
  campaign: Campaign,
  scope: 'city' | string,
  built?: SummaryModels,
): Promise<InlineFile[]> {
  // Without a file store every file comes with its bytes.
  const files = await chatFiles({ store: deps.store, clock: deps.clock }, actor, campaign, scope, built);
  return files as InlineFile[];
}

/** A file in the bucket, as the office API answers it: a time-limited link, never the bytes. */
export interface LinkedFile {
  fileName: string;
  url: string;
  expiresAt: string;
  size: number;
}

/** How long the office API's links work: an hour, as the chat's. */
export const OFFICE_LINK_SECONDS = 3600;

/**
 * The files as the chat gets them: with a file store, the raw export streams into it (a
 * multipart upload: a province's export never sits in memory) and the bot sends it, or a link
 * to it when it is over Telegram's limit; without one, bytes as for the nightly delivery.
 */
export async function chatFiles(
  deps: { store: Store; clock: Clock; files?: FileStore | undefined },
  actor: Person,
  campaign: Campaign,
  scope: 'city' | string,
  built?: SummaryModels,
): Promise<SummaryFile[]> {
  const models = built ?? (await buildSummaries(deps, actor, campaign, scope));
  const pages = await submittedPages(deps, actor, campaign, scope);
  const name = scope === 'city' ? '全市' : (campaign.towns.find((t) => t.id === scope)?.name ?? scope);
  // Named by the campaign's local date: a build at 07:00 in Dongxing is that day's, not yesterday's.
  const day = localDate(campaign, new Date(models.builtAt));
  // Loaded on first use; later calls get the module cache's copy.
  const [{ summaryWorkbook }, { writeRawWorkbook }] = await Promise.all([
    import('../reports/xlsx'),
    import('../reports/raw'),
  ]);
  const rawName = `${campaign.name}-${name}-原始数据-${day}.xlsx`;
  const rawCaption = `${name}原始数据(每份问卷一行)`;
  const write = (out: Writable) => writeRawWorkbook(campaign, pages, out);
  // One key per build (its instant and scope): a repeated build writes a new object, never
  // half of an old one. exports/ expires within a day (infra/stack.ts).
  const key = `exports/${campaign.id}/${models.builtAt.replace(/[:.]/g, '-')}-${scope}-raw.xlsx`;
  const raw: SummaryFile = deps.files
    ? {
        fileName: rawName,
        caption: rawCaption,
        stored: { key, size: await deps.files.putStream(key, write, XLSX) },
      }
    : { fileName: rawName, caption: rawCaption, bytes: await collectBytes(write) };
  return [
    {
      fileName: `${campaign.name}-${name}-汇总表-${day}.xlsx`,
      bytes: await summaryWorkbook(models, campaign),
      caption: `${name}汇总表(表3、表4、表5)`,
    },
    raw,
  ];
}

/** /summary in the chat: the workbooks, and 表5 as text (where each problem stands, the written list). */
export async function summaryPackage(
  deps: { store: Store; clock: Clock; files?: FileStore | undefined },
  actor: Person,
  campaign: Campaign,
  scope: 'city' | string,
): Promise<{ files: SummaryFile[]; text: string }> {
  const models = await buildSummaries(deps, actor, campaign, scope);
  const files = await chatFiles(deps, actor, campaign, scope, models);
  const table5 = models.city?.table5 ?? models.towns[0]?.table5;
  return { files, text: table5 ? table5Text(table5, table5Heading(campaign, models.builtAt)) : '' };
}

const table5Heading = (campaign: Campaign, builtAt: string) =>
  `表5 整改情况(截至 ${formatInstant(new Date(builtAt), campaign.timeZone)})`;

/** The names the raw export shows for who filled each survey (their Telegram first name). */
export async function inspectorNames(store: Store, surveys: readonly Survey[]): Promise<Map<string, string>> {
  const ids = [...new Set(surveys.map((s) => s.inspectorId))];
  const people = await Promise.all(ids.map((id) => store.getPerson(id)));
  return new Map(people.flatMap((p) => (p?.displayName ? [[p.id, p.displayName] as const] : [])));
}

/** The office acting through a schedule or an IAM-authorised API call. */
export function systemOffice(id: string, at: string): Person {
  return {
    id,
    grants: [{ role: 'office' }],
    lastUpdateId: 0,
    session: {},
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The leader's report package for the group's town: the workbooks and a chat text. */
export async function groupReportPackage(
  deps: { store: Store; clock: Clock; files?: FileStore | undefined },
  leader: Person,
  campaign: Campaign,
  townId: string,
): Promise<{ files: SummaryFile[]; text: string }> {
  const models = await buildSummaries(deps, leader, campaign, townId);
  const town = models.towns[0];
  const files = await chatFiles(deps, leader, campaign, townId, models);
  const name = campaign.towns.find((t) => t.id === townId)?.name ?? townId;
  const text = town
    ? [
        town.narrative,
        table4Text(town.table4, `${name}表4(非零项)`),
        table5Text(town.table5, table5Heading(campaign, models.builtAt)),
      ].join('\n\n')
    : '';
  return { files, text };
}
