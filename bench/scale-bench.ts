// Province scale on DynamoDB Local (issue 18): 100,000 submitted household surveys in 2,000
// villages of 100 towns, each survey stored and put into its village's aggregate by the same two
// calls a submit makes (createSurvey, recordSubmitted); then 表4 city-wide is timed as the summary
// reads it (every town's aggregates, one query each, folded), and a /villages tap is measured in
// read capacity for a town with 1,000 and with 10,000 submitted surveys. Last, the raw export of
// all 100,000 surveys (XLSX, streamed to a file) runs in a child process, timed, with its peak RSS.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordSubmitted, townCounts } from '../app/aggregates';
import { ManualClock } from '../app/messaging';
import { buildSummaries } from '../app/summaries';
import { townProgress } from '../app/villages';
import { tallyOf } from '../domain/aggregates';
import type { Campaign, Town, Village } from '../domain/campaign';
import { formById } from '../domain/forms';
import { STRATA, type VillageType } from '../domain/forms/types';
import type { Survey } from '../domain/model';
import { foldTable4, TABLE4_ROWS } from '../domain/tables/index';
import { systemOffice } from '../functions/summary-files';
import { RUNTIME_NODE_OPTIONS } from '../infra/bundle';
import { DynamoStore } from '../store/dynamo-store';
import { recordCalls } from '../test/support/call-recorder';
import type { Engine } from '../test/support/engines';
import { rng, scriptHousehold } from '../test/support/household-scripts';
import { submittedHousehold } from '../test/support/submitted-surveys';
import { campaign as seed } from '../test/support/system';
import { ms, table, timed, withConcurrency } from './stats';

const OFFICE = systemOffice('bench-office', '2017-11-04T00:00:00.000Z');
const clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));
const TYPES: VillageType[] = ['non_poor', 'exited_poor', 'planned_exit_poor', 'poor'];

/** A campaign of `towns` towns of `villages` villages each, on the seed's rules. */
export function provinceCampaign(id: string, towns: number, villages: number): Campaign {
  const list: Town[] = Array.from({ length: towns }, (_, t) => ({
    id: `t${t}`,
    name: `第${t + 1}镇`,
    villages: Array.from(
      { length: villages },
      (_, v): Village => ({ id: `t${t}v${v}`, name: `${t + 1}镇${v + 1}村`, type: TYPES[v % TYPES.length]! }),
    ),
  }));
  return { ...seed, id, towns: list, groups: [] };
}

/** Answer sets from a pool of scripted interviews, without edit history (seeding speed). */
function answerPool(size: number) {
  const r = rng(99);
  return Array.from({ length: size }, (_, i) => {
    const plan = { name: `户主${i}`, stratum: STRATA[i % STRATA.length] ?? 'exited_2016' };
    return scriptHousehold(seed, plan, r).expected;
  });
}

export function surveysFor(c: Campaign, n: number, pool = answerPool(200)): Survey[] {
  const _form = formById('household')!;
  const villages = c.towns.flatMap((t) => t.villages.map((v) => ({ townId: t.id, villageId: v.id })));
  return Array.from({ length: n }, (_, i) => {
    const v = villages[i % villages.length]!;
    return submittedHousehold({
      id: `${c.id}-${i}`,
      campaign: c,
      place: v,
      householdId: `h${i}`,
      inspectorId: `80${i % 50}`,
      answers: pool[i % pool.length]!,
    });
  });
}

/** Stores each survey and applies it to its village's aggregate, as a submit does. */
export async function seedSubmitted(
  store: DynamoStore,
  c: Campaign,
  surveys: readonly Survey[],
): Promise<number> {
  const { ms: t } = await timed(() =>
    withConcurrency(surveys, 64, async (s) => {
      await store.createSurvey(s);
      await recordSubmitted({ store }, c, s);
    }),
  );
  return t;
}

/** 表4 city-wide as the summary computes it: each town's aggregates (one query), folded. */
async function cityTable4(store: DynamoStore, c: Campaign) {
  const towns = await Promise.all(c.towns.map((t) => townCounts({ store }, c, t.id)));
  return foldTable4(TABLE4_ROWS, { campaign: c, villages: towns.flat().map(tallyOf) });
}

export interface ScaleBenchResult {
  surveys: number;
  villages: number;
  towns: number;
  seedMs: number;
  table4CityMs: number;
  /** The whole buildSummaries (表3/表4/表5 per town and city, snapshots), for reference. */
  buildSummariesMs: number;
  counted: number;
  /** /villages for a town with 1,000 and with 10,000 submitted surveys: RCU and calls. */
  villagesTap: { surveys: number; rcu: number; calls: number }[];
  table4City10kMs: number;
  /** The streamed raw XLSX of every survey, in a child process with a 1 GB function's heap. */
  rawExport: RawExportRun;
}

export interface RawExportRun {
  ms: number;
  peakRssMb: number;
  bytes: number;
  rows: number;
  /** Surveys read from the store (the writer passes over them once per sheet). */
  reads: number;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The heap a 1,024 MB Lambda leaves to V8 (the rest is code, buffers and the runtime). */
const CHILD_HEAP_MB = 896;

/** bench/raw-export-child.ts against the engine; its peak RSS from a module it imports first. */
async function rawExport(engine: Engine): Promise<RawExportRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-raw-'));
  try {
    const probe = join(dir, 'rss-probe.mjs');
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write('PEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n",
    );
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          `--max-old-space-size=${CHILD_HEAP_MB}`,
          // As deployed: the young generation the functions run with.
          ...RUNTIME_NODE_OPTIONS.split(' '),
          '--import',
          'tsx',
          '--import',
          pathToFileURL(probe).href,
          'bench/raw-export-child.ts',
          engine.endpoint,
          engine.tableName,
          'xlsx',
          join(dir, 'raw.xlsx'),
        ],
        { cwd: ROOT, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) =>
          error
            ? reject(new Error(`raw export failed: ${err || error.message}`))
            : resolve({ stdout: out, stderr: err }),
      );
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Omit<RawExportRun, 'peakRssMb'>;
    const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
    return { ...result, peakRssMb: kb / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function villagesTap(engine: Engine, store: DynamoStore, c: Campaign, townId: string) {
  // Warm once (connection, JIT), then measure one tap.
  await townProgress({ store, clock }, OFFICE, c, townId);
  const recorder = recordCalls(engine.client, { consumedCapacity: 'TOTAL' });
  try {
    await townProgress({ store, clock }, OFFICE, c, townId);
  } finally {
    recorder.detach();
  }
  return {
    rcu: recorder.calls.reduce((n, call) => n + (call.capacity ?? 0), 0),
    calls: recorder.calls.length,
  };
}

export async function benchScale(engine: Engine, total = 100_000): Promise<ScaleBenchResult> {
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  const pool = answerPool(200);

  // Towns of one dense village each for the /villages tap: 1,000 and 10,000 surveys in one town.
  const tap1k = provinceCampaign('tap1k', 1, 20);
  const tap10k = provinceCampaign('tap10k', 1, 20);
  await seedSubmitted(store, tap1k, surveysFor(tap1k, 1_000, pool));
  await seedSubmitted(store, tap10k, surveysFor(tap10k, 10_000, pool));
  const tap = [
    { surveys: 1_000, ...(await villagesTap(engine, store, tap1k, 't0')) },
    { surveys: 10_000, ...(await villagesTap(engine, store, tap10k, 't0')) },
  ];
  await cityTable4(store, tap10k);
  const { ms: table4City10kMs } = await timed(() => cityTable4(store, tap10k));

  const province = provinceCampaign('province', 100, 20);
  const seedMs = await seedSubmitted(store, province, surveysFor(province, total, pool));
  await cityTable4(store, province);
  const { value: t4, ms: table4CityMs } = await timed(() => cityTable4(store, province));
  const counted = Number(t4.rows.find((r) => r.id === 't4_households')?.value ?? 0);
  if (counted !== total) throw new Error(`表4 counted ${counted} of ${total}`);
  const { ms: buildSummariesMs } = await timed(() =>
    buildSummaries({ store, clock }, OFFICE, province, 'city'),
  );
  const raw = await rawExport(engine);
  if (raw.rows !== total) throw new Error(`the raw export wrote ${raw.rows} of ${total} surveys`);
  return {
    surveys: total,
    villages: 2_000,
    towns: 100,
    seedMs,
    table4CityMs,
    buildSummariesMs,
    counted,
    villagesTap: tap,
    table4City10kMs,
    rawExport: raw,
  };
}

export function scaleTable(r: ScaleBenchResult): string {
  return table(
    ['measure', 'value', 'note'],
    [
      [
        `表4 city-wide, ${r.surveys.toLocaleString('en-US')} surveys`,
        `${ms(r.table4CityMs)} ms`,
        `${r.towns} Query (one per town) of ${r.villages.toLocaleString('en-US')} village aggregates, folded; counted ${r.counted.toLocaleString('en-US')}`,
      ],
      [
        'whole buildSummaries (city + every town, snapshots)',
        `${ms(r.buildSummariesMs)} ms`,
        `表3/表4/表5 for ${r.towns} towns and the city, ${r.towns + 1} snapshots written`,
      ],
      ['表4 city-wide, 10,000 surveys in one town', `${ms(r.table4City10kMs)} ms`, '20 village aggregates'],
      [
        `raw export (XLSX), ${r.rawExport.rows.toLocaleString('en-US')} surveys`,
        `${ms(r.rawExport.ms / 1000, 0)} s, peak RSS ${ms(r.rawExport.peakRssMb, 0)} MB`,
        `${ms(r.rawExport.bytes / 1024 / 1024, 1)} MB file; a child process with a ${CHILD_HEAP_MB} MB heap, ` +
          `reading a town at a time and streaming rows (${r.rawExport.reads.toLocaleString('en-US')} surveys read: ` +
          'one pass per sheet); the summary workbook is not included',
      ],
      ...r.villagesTap.map((t) => [
        `/villages tap, town with ${t.surveys.toLocaleString('en-US')} submitted surveys`,
        `${t.rcu} RCU`,
        `${t.calls} calls (a sample GetItem per village + one counts Query)`,
      ]),
      [
        'seeding (not measured work)',
        `${ms(r.seedMs / 1000, 0)} s`,
        'createSurvey + recordSubmitted per survey, 64 at a time',
      ],
    ],
  );
}
