// The raw export of a large campaign streams (issue 18): `npm run summary -- --format xlsx|csv` as
// a child process against DynamoDB Local holding 20,000 submitted household surveys (the survey
// items only: the raw export reads surveys, not aggregates). The export reads a village at a time and
// writes each row as it goes: with the functions' Node options and a 192 MB old space the child's
// peak RSS stays under 300 MB (issue 18), and the files hold every survey.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formById } from '../../domain/forms';
import { STRATA } from '../../domain/forms/types';
import type { Survey } from '../../domain/model';
import { RUNTIME_NODE_OPTIONS } from '../../infra/bundle';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';
import { rng, scriptHousehold } from '../support/household-scripts';
import { submittedHousehold } from '../support/submitted-surveys';
import { campaign, villagesWithGroups } from '../support/system';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TABLE = 'raw-export';
const SURVEYS = 20_000;
// The old space is capped at 192 MB, so an export that held the surveys would die of it. RSS adds
// what is outside the old space: the young generation, which the functions' NODE_OPTIONS keep at
// 3 × 8 MB (infra/bundle.ts; Node 24 would take 3 × 64 MB here, and the peak was 345–440 MB), and
// about 140 MB that any run of this command holds (tsx, the code, the SDK; measured exporting one
// survey). With them it peaked at 257–285 MB (xlsx) and 233–236 MB (csv) on this 2-CPU machine.
// `npm run bench` measures 100,000 surveys the same way.
const RSS_LIMIT_MB = 300;

let engine: Engine;
let dir: string;
let rssProbe: string;

function surveys(n: number): Survey[] {
  const r = rng(5);
  const _form = formById('household')!;
  const pool = Array.from({ length: 100 }, (_, i) =>
    scriptHousehold(campaign, { name: `户主${i}`, stratum: STRATA[i % STRATA.length]! }, r),
  );
  const villages = villagesWithGroups();
  return Array.from({ length: n }, (_, i) => {
    const v = villages[i % villages.length]!;
    const script = pool[i % pool.length]!;
    return submittedHousehold({
      id: `raw-${i}`,
      campaign,
      place: v,
      householdId: `h${i}`,
      inspectorId: `80${i % 40}`,
      answers: script.expected,
      confirmations: script.state.confirmations,
      submittedAt: '2017-11-02T08:00:00.000Z',
    });
  });
}

/** `npm run summary` in a child; the peak RSS it reached, from a module it imports first. */
function summary(format: 'xlsx' | 'csv'): Promise<{ code: number; stderr: string; peakMb: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        // A small old space, as a 512 MB Lambda would give it: V8 collects garbage instead of
        // growing the heap because it may, so the peak RSS measures what the export holds.
        '--max-old-space-size=192',
        ...RUNTIME_NODE_OPTIONS.split(' '),
        '--import',
        'tsx',
        '--import',
        pathToFileURL(rssProbe).href,
        'scripts/summary.ts',
        '--format',
        format,
        '--out',
        dir,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DYNAMODB_ENDPOINT: engine.endpoint,
          TABLE_NAME: TABLE,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        timeout: 400_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
        resolve({ code, stderr: stderr.replace(/PEAK_RSS_KB \d+\n?/, ''), peakMb: kb / 1024 });
      },
    );
  });
}

beforeAll(async () => {
  engine = await startEngine('DynamoDB Local', TABLE);
  dir = await mkdtemp(join(tmpdir(), 'raw-export-'));
  rssProbe = join(dir, 'rss-probe.mjs');
  await writeFile(
    rssProbe,
    "process.on('exit', () => process.stderr.write('PEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n",
  );
  const store = new DynamoStore({ client: engine.client, tableName: TABLE });
  await store.putCampaign(campaign);
  const all = surveys(SURVEYS);
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < all.length) {
        const s = all[next++]!;
        await store.createSurvey(s);
      }
    }),
  );
}, 600_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`the raw export of ${SURVEYS.toLocaleString('en-US')} surveys`, { timeout: 420_000 }, () => {
  it(`streams the XLSX under ${RSS_LIMIT_MB} MB, every survey a row under a frozen, filterable header`, async () => {
    const run = await summary('xlsx');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.peakMb).toBeLessThan(RSS_LIMIT_MB);

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(join(dir, `raw-${campaign.id}-city.xlsx`));
    const sheet = book.getWorksheet('农户调查表')!;
    expect(sheet.actualRowCount).toBe(SURVEYS + 2);
    expect(sheet.getRow(1).getCell(1).value).toBe('surveyId');
    expect(sheet.getRow(2).getCell(1).value).toBe('问卷编号');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const ids = new Set<string>();
    sheet.eachRow((row, n) => {
      if (n > 2) ids.add(String(row.getCell(1).value));
    });
    expect(ids.size).toBe(SURVEYS);
    // The summary workbook is written beside it, as always.
    const summaryBook = new ExcelJS.Workbook();
    await summaryBook.xlsx.readFile(join(dir, `summary-${campaign.id}-city.xlsx`));
    expect(summaryBook.worksheets.length).toBeGreaterThan(0);
  });

  it(`streams the CSV under ${RSS_LIMIT_MB} MB, one line per survey`, async () => {
    const run = await summary('csv');
    expect(run.code).toBe(0);
    expect(run.peakMb).toBeLessThan(RSS_LIMIT_MB);
    const csv = await readFile(join(dir, `raw-${campaign.id}-city-household.csv`), 'utf8');
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(SURVEYS + 1);
    expect(lines[0]?.startsWith('\ufeff问卷编号,')).toBe(true);
  });
});
