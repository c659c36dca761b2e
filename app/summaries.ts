// 汇总: builds 表3/表4/表5 per town and city-wide from the villages' aggregates and the problem
// register, stores a snapshot per scope and returns the models. Called on demand (office chat
// command, office API, the CLI) and nightly; the renderers in reports/ turn the result into files.
//
// 表4 is folded from the village aggregates (app/aggregates.ts): one query per town of small
// items, never the surveys themselves, so a city of 100,000 surveys is a read of its villages'
// tallies. The office's own figures (县级数据) are the one survey of kind 'office' filed under the
// pseudo-town OFFICE_SURVEY_TOWN, read by the per-town survey query (one small partition).

import { tallyOf } from '../domain/aggregates';
import { type Campaign, townById } from '../domain/campaign';
import type { Person, Problem, Survey } from '../domain/model';
import {
  buildTable3,
  buildTable5,
  foldTable4,
  groupNarrative,
  OFFICE_SURVEY_TOWN,
  type ScopeTables,
  type SummaryModels,
  TABLE4_ROWS,
  type TownTables,
  type VillageTally,
} from '../domain/tables/index';
import { townCounts } from './aggregates';
import { assertCan, can } from './authz';
import { UnknownTownError } from './errors';
import type { Clock } from './messaging';
import type { Store } from './ports';

export interface SummaryDeps {
  store: Store;
  clock: Clock;
}

export { UnknownTownError } from './errors';

/** 'city' or a town id. */
export type SummaryScope = 'city' | string;

interface TownData {
  townId: string;
  villages: VillageTally[];
  problems: Problem[];
}

function townIdsOf(campaign: Campaign, scope: SummaryScope): string[] {
  if (scope === 'city') return campaign.towns.map((t) => t.id);
  if (!townById(campaign, scope)) throw new UnknownTownError(scope);
  return [scope];
}

/** The store answers by status already; the filter guards against a survey of another campaign. */
const submittedOf = (campaign: Campaign, surveys: readonly Survey[]) =>
  surveys.filter((s) => s.campaignId === campaign.id && s.status === 'submitted');

async function readTown(store: Store, campaign: Campaign, townId: string): Promise<TownData> {
  const [aggregates, problems] = await Promise.all([
    townCounts({ store }, campaign, townId),
    store.problemsOfTown(campaign.id, townId),
  ]);
  return { townId, villages: aggregates.map(tallyOf), problems };
}

/** The submitted office survey; the latest if (against the rules) there are several. */
async function readOfficeSurvey(store: Store, campaign: Campaign): Promise<Survey | undefined> {
  const surveys = submittedOf(
    campaign,
    await store.surveysOfTown(campaign.id, OFFICE_SURVEY_TOWN, 'submitted'),
  );
  return surveys
    .filter((s) => s.kind === 'office')
    .sort((a, b) => ((a.submittedAt ?? '') < (b.submittedAt ?? '') ? -1 : 1))
    .at(-1);
}

function tablesOf(
  campaign: Campaign,
  towns: readonly TownData[],
  office: Survey | undefined,
  builtAt: string,
  townId?: string,
): ScopeTables {
  const problems = towns.flatMap((t) => t.problems);
  return {
    table4: foldTable4(TABLE4_ROWS, {
      campaign,
      ...(townId ? { townId } : {}),
      villages: towns.flatMap((t) => t.villages),
      ...(office ? { officeSurvey: office } : {}),
    }),
    table3: buildTable3(campaign, problems, { cityWide: townId === undefined }),
    table5: buildTable5(campaign, problems, { townIds: towns.map((t) => t.townId), asOf: builtAt }),
  };
}

/**
 * Builds the tables for `scope` ('city': every town and the city; a town id: that town), stores a
 * snapshot per scope built and returns the models. The actor must be allowed to (can.buildSummary).
 */
export async function buildSummaries(
  deps: SummaryDeps,
  actor: Person,
  campaign: Campaign,
  scope: SummaryScope,
): Promise<SummaryModels> {
  assertCan(can.buildSummary(actor, campaign, scope), 'summary.build', actor);
  const townIds = townIdsOf(campaign, scope);
  const builtAt = deps.clock.now().toISOString();
  const [office, townData] = await Promise.all([
    readOfficeSurvey(deps.store, campaign),
    Promise.all(townIds.map((id) => readTown(deps.store, campaign, id))),
  ]);

  const townTables: TownTables[] = townData.map((t) => {
    const tables = tablesOf(campaign, [t], office, builtAt, t.townId);
    return {
      townId: t.townId,
      ...tables,
      narrative: groupNarrative(campaign, t.townId, tables.table4, tables.table3),
    };
  });
  const city = scope === 'city' ? tablesOf(campaign, townData, office, builtAt) : undefined;

  const snapshot = (scopeId: string, data: unknown) =>
    deps.store.putSnapshot({ campaignId: campaign.id, scope: scopeId, builtAt, builtBy: actor.id, data });
  await Promise.all([
    ...townTables.map((t) => snapshot(t.townId, t)),
    ...(city ? [snapshot('city', city)] : []),
  ]);
  await deps.store.appendAudit({
    at: builtAt,
    actorId: actor.id,
    action: 'summary.build',
    subject: `summary:${campaign.id}`,
    details: {
      scope,
      towns: townIds.length,
      surveys: townData.reduce(
        (n, t) => n + t.villages.reduce((m, v) => m + v.households + (v.village ? 1 : 0), 0),
        0,
      ),
    },
  });

  return {
    campaignId: campaign.id,
    scope,
    builtAt,
    towns: townTables,
    ...(city ? { city } : {}),
  };
}

/** Towns the raw export reads ahead of the one being written (memory: that many towns' surveys). */
const TOWNS_AHEAD = 2;

/** `load` of each item in order, up to `ahead` of them in flight; a failure surfaces in its turn. */
async function* readAhead<T, R>(items: readonly T[], ahead: number, load: (item: T) => Promise<R>) {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const start = () => {
    const item = items[next++] as T;
    const p = load(item);
    // Awaited in its turn; until then a rejection must not count as unhandled.
    p.catch(() => undefined);
    inFlight.push(p);
  };
  while (next < items.length && inFlight.length < ahead) start();
  while (inFlight.length > 0) {
    const result = await (inFlight.shift() as Promise<R>);
    if (next < items.length) start();
    yield result;
  }
}

/**
 * The submitted surveys of a scope a page at a time, for the streaming raw export: per kind, each
 * village's submitted surveys in the campaign's order (read a town at a time, one paged query), so
 * memory holds a few towns' surveys, never the campaign's; the office's figures as one page of their own.
 * Inspectors' names are read once each. Same permission as the summary.
 */
export async function submittedPages(
  deps: Pick<SummaryDeps, 'store'>,
  actor: Person,
  campaign: Campaign,
  scope: SummaryScope,
): Promise<{
  kinds: Survey['kind'][];
  pages(kind: Survey['kind']): AsyncIterable<readonly Survey[]>;
  names(page: readonly Survey[]): Promise<ReadonlyMap<string, string>>;
}> {
  assertCan(can.buildSummary(actor, campaign, scope), 'summary.build', actor);
  const townIds = townIdsOf(campaign, scope);
  const office = scope === 'city' ? await readOfficeSurvey(deps.store, campaign) : undefined;
  const known = new Map<string, string | undefined>();
  return {
    kinds: office ? ['household', 'village', 'office'] : ['household', 'village'],
    async *pages(kind) {
      if (kind === 'office') {
        if (office) yield [office];
        return;
      }
      // A town's submitted surveys in one paged query (a village at a time took 8,000 round trips
      // for 2,000 villages, most of the export's time), the next towns read ahead while this one
      // is written; pages stay a village each, in the campaign's order.
      const read = (townId: string) =>
        deps.store.surveysOfTown(campaign.id, townId, 'submitted').then((all) => submittedOf(campaign, all));
      let t = 0;
      for await (const surveys of readAhead(townIds, TOWNS_AHEAD, read)) {
        const townId = townIds[t++];
        const byVillage = new Map<string, Survey[]>();
        for (const s of surveys) {
          if (s.kind !== kind) continue;
          const list = byVillage.get(s.villageId ?? '');
          if (list) list.push(s);
          else byVillage.set(s.villageId ?? '', [s]);
        }
        for (const v of townById(campaign, townId ?? '')?.villages ?? []) {
          const page = byVillage.get(v.id);
          if (page && page.length > 0) yield page;
        }
      }
    },
    async names(page) {
      const missing = [...new Set(page.map((s) => s.inspectorId))].filter((id) => !known.has(id));
      const people = await Promise.all(missing.map((id) => deps.store.getPerson(id)));
      missing.forEach((id, i) => {
        known.set(id, people[i]?.displayName);
      });
      return new Map(
        page.flatMap((s) => {
          const name = known.get(s.inspectorId);
          return name ? [[s.inspectorId, name] as const] : [];
        }),
      );
    },
  };
}
