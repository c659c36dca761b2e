// `npm run summary -- --recount` as the office runs it to check and repair the aggregates: a child
// process against dynalite. A village whose stored aggregate was bent (a lost write, a hand edit)
// is named with what differed and put right from its surveys, and 表4 then equals 表4 computed
// from the surveys; run again, it finds nothing.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTable4, TABLE4_ROWS } from '../../domain/tables/index';
import { table4ById } from '../../reports/json';
import { DynamoStore } from '../../store/dynamo-store';
import { localEnv, runScript } from '../support/cli';
import { type Engine, startEngine } from '../support/engines';
import { storeSurveys } from '../support/stored-surveys';
import { campaign, householdSurveys, officeSurvey, villageSurveys } from '../unit/table4.fixture';

const TABLE = 'recount-cli';

let engine: Engine;
let store: DynamoStore;
let dir: string;

/** `npm run summary -- --format json --out DIR …` against the test's table. */
const summary = (...args: string[]) =>
  runScript('summary', ['--format', 'json', '--out', dir, ...args], localEnv(engine.endpoint, TABLE));

beforeAll(async () => {
  engine = await startEngine('dynalite', TABLE);
  store = new DynamoStore({ client: engine.client, tableName: TABLE });
  dir = await mkdtemp(join(tmpdir(), 'recount-cli-'));
  await store.putCampaign(campaign);
  await storeSurveys(store, campaign, [...householdSurveys, ...villageSurveys, officeSurvey]);
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run summary -- --recount', { timeout: 120_000 }, () => {
  it('names a bent village, repairs it from the surveys, and then finds nothing', async () => {
    const village = householdSurveys[0]!;
    const stored = (await store.getVillageAggregate(campaign.id, village.townId, village.villageId!))!;
    const bent = { ...stored, households: stored.households + 5, version: stored.version + 1 };
    await store.putVillageAggregate(bent, stored.version);

    const first = await summary('--recount');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const name = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === village.villageId)!.name;
    expect(first.stdout).toContain('1 个村与已存数据不一致,已按调查表修正:');
    expect(first.stdout).toContain(
      `${name}(${village.villageId}):households ${stored.households + 5} → ${stored.households}`,
    );
    const json = JSON.parse(await readFile(join(dir, `summary-${campaign.id}-city.json`), 'utf8'));
    const expected = computeTable4(TABLE4_ROWS, {
      campaign,
      householdSurveys,
      villageSurveys,
      officeSurvey,
    });
    expect(json.city.table4).toEqual(table4ById(expected));

    const second = await summary('--recount');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('与已存数据一致。');
  });
});
