// Summary build time (表3/表4/表5 per town and city-wide, app/summaries.ts buildSummaries) as the
// number of submitted household surveys grows: the computation alone (a store that hands over
// prepared village counts), and with the reads of the in-memory store and of dynalite (one Query
// of village counts per town). Surveys are seeded as a submit stores them (the survey, then its
// village's aggregate). The surveys are scripted interviews
// (test/support/household-scripts.ts) spread over every village, with their full edit history,
// so items have the size real ones have.

import { aggregateFrom, recordSubmitted } from '../app/aggregates';
import { MemoryStore } from '../app/memory-store';
import { ManualClock } from '../app/messaging';
import type { Store } from '../app/ports';
import { buildSummaries } from '../app/summaries';
import { countsOf, type VillageCounts } from '../domain/aggregates';
import type { Campaign } from '../domain/campaign';
import { computeFlags } from '../domain/engine';
import { formById } from '../domain/forms';
import { STRATA } from '../domain/forms/types';
import type { Survey } from '../domain/model';
import { systemOffice } from '../functions/summary-files';
import { DynamoStore } from '../store/dynamo-store';
import { recordCalls } from '../test/support/call-recorder';
import type { Engine } from '../test/support/engines';
import { householdContext, rng, scriptHousehold } from '../test/support/household-scripts';
import { campaign, villagesWithGroups } from '../test/support/system';
import { ms, table, timed, withConcurrency } from './stats';

const OFFICE = systemOffice('bench-office', '2017-11-04T00:00:00.000Z');
const clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));

/** N submitted household surveys over every village; answer sets drawn from a pool of interviews. */
export function syntheticSurveys(n: number, pool = 200): Survey[] {
  const form = formById('household');
  if (!form) throw new Error('household form missing');
  const r = rng(4242);
  const villages = villagesWithGroups();
  const scripts = Array.from({ length: Math.min(pool, n) }, (_, i) => {
    const plan = { name: `户主${i}`, stratum: STRATA[i % STRATA.length] ?? 'exited_2016' };
    const script = scriptHousehold(campaign, plan, r);
    const history = script.order.map((questionId, k) => ({
      at: new Date(Date.UTC(2017, 9, 31, 1, k)).toISOString(),
      by: '800001',
      questionId,
      new: script.expected[questionId] ?? '',
    }));
    const flags = computeFlags(form, householdContext(campaign, plan), script.expected);
    return { script, history, flags };
  });
  return Array.from({ length: n }, (_, i) => {
    const v = villages[i % villages.length];
    const s = scripts[i % scripts.length];
    if (!v || !s) throw new Error('no village or script');
    return {
      id: `hh/${campaign.id}/${v.villageId}/b${i}`,
      campaignId: campaign.id,
      kind: 'household' as const,
      formId: form.id,
      formVersion: form.version,
      townId: v.townId,
      villageId: v.villageId,
      householdId: `b${i}`,
      groupId: v.groupId,
      inspectorId: `80${i % 50}`,
      status: 'submitted' as const,
      answers: s.script.expected,
      confirmations: s.script.state.confirmations,
      flags: s.flags,
      history: s.history,
      submittedAt: '2017-11-01T08:00:00.000Z',
      version: 2,
      createdAt: '2017-10-31T01:00:00.000Z',
      updatedAt: '2017-11-01T08:00:00.000Z',
    };
  });
}

/**
 * The reads buildSummaries makes, answered from prepared village counts (built from the surveys by
 * the recount's code, outside the timing) without copying.
 */
function preparedStore(surveys: readonly Survey[]): Store {
  const byVillage = new Map<string, Survey[]>();
  for (const s of surveys) {
    const key = `${s.townId}|${s.villageId}`;
    const list = byVillage.get(key);
    if (list) list.push(s);
    else byVillage.set(key, [s]);
  }
  const byTown = new Map<string, VillageCounts[]>();
  for (const [key, list] of byVillage) {
    const [townId = '', villageId = ''] = key.split('|');
    const counts = countsOf(aggregateFrom(campaign, townId, villageId, list));
    byTown.set(townId, [...(byTown.get(townId) ?? []), counts]);
  }
  const answers: Partial<Store> = {
    villageCountsOfTown: async (_c, townId) => byTown.get(townId) ?? [],
    surveysOfTown: async () => [],
    problemsOfTown: async () => [],
    putSnapshot: async () => {},
    appendAudit: async () => {},
  };
  return new Proxy(answers as Store, {
    get: (target, prop) => {
      const v = target[prop as keyof Store];
      if (v === undefined) throw new Error(`prepared store: ${String(prop)} not provided`);
      return v;
    },
  });
}

export interface SummaryBenchRow {
  surveys: number;
  where: string;
  /** Time to put the surveys in place (not part of the build). */
  seedMs?: number;
  buildMs?: number;
  calls?: number;
  note?: string;
}

async function build(store: Store, c: Campaign = campaign, expect?: number): Promise<number> {
  const { value: models, ms: t } = await timed(() => buildSummaries({ store, clock }, OFFICE, c, 'city'));
  const counted = models.city?.table4.rows.find((r) => r.id === 't4_households')?.value;
  if (expect !== undefined && counted !== expect) throw new Error(`summary counted ${counted} of ${expect}`);
  return t;
}

/** Best of `runs`: the first build also pays for JIT warm-up. */
async function best(runs: number, f: () => Promise<number>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) min = Math.min(min, await f());
  return min;
}

export async function benchSummaries(
  dynalite: Engine,
  sizes = { pure: [230, 10_000, 100_000], stored: [230, 10_000] },
): Promise<SummaryBenchRow[]> {
  const rows: SummaryBenchRow[] = [];
  // Warm the code paths once on a small input.
  await build(preparedStore(syntheticSurveys(50)));
  for (const n of sizes.pure) {
    const surveys = syntheticSurveys(n);
    rows.push({
      surveys: n,
      where: 'computation only',
      buildMs: await best(3, () => build(preparedStore(surveys), campaign, n)),
    });
  }
  for (const n of sizes.stored) {
    const surveys = syntheticSurveys(n);
    const memory = new MemoryStore();
    const seedMemory = await timed(async () => {
      for (const s of surveys) {
        await memory.createSurvey(s);
        await recordSubmitted({ store: memory }, campaign, s);
      }
    });
    rows.push({
      surveys: n,
      where: 'in-memory store',
      seedMs: seedMemory.ms,
      buildMs: await best(2, () => build(memory, campaign, n)),
    });

    // A campaign id per size: its town partitions hold only this size's surveys.
    const sized: Campaign = { ...campaign, id: `bench${n}` };
    const tableStore = new DynamoStore({ client: dynalite.client, tableName: dynalite.tableName });
    const items = surveys.map((s) => ({
      ...s,
      campaignId: sized.id,
      id: s.id.replace(campaign.id, sized.id),
    }));
    const seedDynalite = await timed(() =>
      withConcurrency(items, 32, async (s) => {
        await tableStore.createSurvey(s);
        await recordSubmitted({ store: tableStore }, sized, s);
      }),
    );
    const recorder = recordCalls(dynalite.client);
    let buildMs: number;
    try {
      buildMs = await build(tableStore, sized, n);
    } finally {
      recorder.detach();
    }
    const queries = recorder.calls.filter((c) => c.operation === 'Query').length;
    rows.push({
      surveys: n,
      where: 'dynalite',
      seedMs: seedDynalite.ms,
      buildMs,
      calls: queries,
      note: `${queries} Query pages`,
    });
  }
  return rows;
}

export function summaryTable(rows: readonly SummaryBenchRow[]): string {
  return table(
    [
      'submitted surveys',
      'reads from',
      'build ms (city + 3 towns)',
      'per 1,000 surveys ms',
      'setup ms (not in build)',
      'note',
    ],
    rows.map((r) => [
      r.surveys.toLocaleString('en-US'),
      r.where,
      r.buildMs === undefined ? 'skipped' : ms(r.buildMs),
      r.buildMs === undefined ? '' : ms((r.buildMs / r.surveys) * 1000),
      r.seedMs === undefined ? '' : ms(r.seedMs, 0),
      r.note ?? '',
    ]),
  );
}
