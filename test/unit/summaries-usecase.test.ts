import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../app/authz';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { buildSummaries, submittedPages, UnknownTownError } from '../../app/summaries';
import type { Person, Survey } from '../../domain/model';
import { rowValue, type TownTables } from '../../domain/tables/index';
import { storeSurveys } from '../support/stored-surveys';
import {
  campaign,
  householdSurveys,
  officeSurvey,
  problems,
  surveyOf,
  villageSurveys,
} from './table4.fixture';

const person = (id: string, p: Partial<Person>): Person => ({
  id,
  grants: [],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00.000Z',
  updatedAt: '2017-10-30T00:00:00.000Z',
  ...p,
});

const office = person('office-1', { grants: [{ role: 'office' }] });
/** 第二组 checks 江平镇. */
const leaderOfJiangping = person('leader-2', { grants: [{ role: 'leader', groupId: 'g2' }] });
/** 第一组 checks 东兴镇. */
const leaderOfDongxing = person('leader-1', { grants: [{ role: 'leader', groupId: 'g1' }] });
const inspectorOfDongxing = person('insp-1', { grants: [{ role: 'inspector', groupId: 'g1' }] });

let store: MemoryStore;
let clock: ManualClock;
const deps = () => ({ store, clock });
const town = (models: { towns: TownTables[] }, id: string) => models.towns.find((t) => t.townId === id)!;

beforeEach(async () => {
  store = new MemoryStore();
  clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));
  await storeSurveys(store, campaign, [...householdSurveys, ...villageSurveys, officeSurvey]);
  for (const p of problems) await store.putProblem(p);
});

describe('building the summaries', () => {
  it('lets the office build the city: every town and the city-wide tables', async () => {
    const models = await buildSummaries(deps(), office, campaign, 'city');
    expect(models.towns.map((t) => t.townId)).toEqual(['dongxing', 'jiangping', 'malu']);
    expect(rowValue(models.city!.table4, 't4_households')).toBe(9);
    expect(rowValue(models.city!.table4, 't4_towns')).toBe(2);
    expect(rowValue(models.city!.table4, 't4_fund_integration_plan')).toBe(5000);
    expect(rowValue(town(models, 'dongxing').table4, 't4_households')).toBe(7);
    expect(rowValue(town(models, 'jiangping').table4, 't4_households')).toBe(2);
    expect(rowValue(town(models, 'malu').table4, 't4_households')).toBe(0);
    expect(models.city!.table3.total).toBe(4);
    expect(town(models, 'dongxing').table3.total).toBe(3);
    expect(models.city!.table5.towns.map((t) => t.rows.length)).toEqual([3, 1, 0]);
    expect(town(models, 'dongxing').narrative).toMatch(/^第一组对东兴镇4个村开展了实地检查,共抽查农户7户/);
  });

  it("lets a group's leader build their own town", async () => {
    const models = await buildSummaries(deps(), leaderOfDongxing, campaign, 'dongxing');
    expect(models.towns.map((t) => t.townId)).toEqual(['dongxing']);
    expect(models.city).toBeUndefined();
  });

  it("refuses a leader another group's town, and the city", async () => {
    await expect(buildSummaries(deps(), leaderOfJiangping, campaign, 'dongxing')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(buildSummaries(deps(), leaderOfDongxing, campaign, 'city')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(submittedPages(deps(), leaderOfJiangping, campaign, 'dongxing')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('refuses an inspector, who is not a leader or liaison', async () => {
    await expect(buildSummaries(deps(), inspectorOfDongxing, campaign, 'dongxing')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('refuses an unknown town by name', async () => {
    await expect(buildSummaries(deps(), office, campaign, 'nowhere')).rejects.toBeInstanceOf(
      UnknownTownError,
    );
  });

  it('counts only submitted surveys: a draft and a returned survey are left out', async () => {
    const draft: Survey = surveyOf(
      'household',
      'datian',
      { h1_name: '草稿户', h1_type: 'planned_2017', h2_food: 'no' },
      { status: 'draft' },
    );
    const returned: Survey = surveyOf(
      'household',
      'datian',
      { h1_name: '退回户', h1_type: 'planned_2017', h2_food: 'no' },
      { status: 'returned', returnReason: '收入填错' },
    );
    await storeSurveys(store, campaign, [draft, returned]);
    const models = await buildSummaries(deps(), office, campaign, 'dongxing');
    const t4 = town(models, 'dongxing').table4;
    expect(rowValue(t4, 't4_households')).toBe(7);
    expect(rowValue(t4, 't4_two_worries_fail_planned')).toBe(1);
    // The raw export's pages hold submitted surveys only, and all of them.
    const pages = await submittedPages(deps(), office, campaign, 'dongxing');
    const raw = [];
    for (const kind of pages.kinds) for await (const page of pages.pages(kind)) raw.push(...page);
    expect(raw.filter((s) => s.kind === 'household')).toHaveLength(7);
    expect(raw.map((s) => s.id)).not.toContain(draft.id);
    expect(raw.map((s) => s.id)).not.toContain(returned.id);
  });

  it('stores a snapshot per scope it built, stamped with who and when', async () => {
    await buildSummaries(deps(), office, campaign, 'city');
    const city = await store.latestSnapshot(campaign.id, 'city');
    expect(city).toMatchObject({ scope: 'city', builtBy: 'office-1', builtAt: '2017-11-04T12:00:00.000Z' });
    expect(rowValue((city!.data as TownTables).table4, 't4_households')).toBe(9);
    const dongxing = await store.latestSnapshot(campaign.id, 'dongxing');
    expect((dongxing!.data as TownTables).narrative).toContain('东兴镇');

    clock.advance(60_000);
    await buildSummaries(deps(), leaderOfDongxing, campaign, 'dongxing');
    expect((await store.latestSnapshot(campaign.id, 'dongxing'))?.builtBy).toBe('leader-1');
    expect((await store.latestSnapshot(campaign.id, 'city'))?.builtBy).toBe('office-1');
  });
});
