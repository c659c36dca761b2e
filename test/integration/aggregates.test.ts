// The village aggregates (domain/aggregates.ts, app/aggregates.ts) on both DynamoDB engines and the
// in-memory twin: after submits, returns, resubmits, replays and concurrent duplicates in random
// order, every village's stored aggregate equals a recount from its surveys, and 表4 folded from
// the aggregates equals 表4 computed from the submitted surveys. A poverty-line change makes the
// next summary recount the villages, once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateFrom,
  differences,
  recordReleased,
  recordReturned,
  recordSubmitted,
  recount,
} from '../../app/aggregates';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import type { Store } from '../../app/ports';
import { buildSummaries } from '../../app/summaries';
import { basisOf, countsOf } from '../../domain/aggregates';
import type { Campaign } from '../../domain/campaign';
import { formById } from '../../domain/forms';
import { STRATA } from '../../domain/forms/types';
import type { Survey } from '../../domain/model';
import { computeTable4, TABLE4_ROWS } from '../../domain/tables/index';
import { systemOffice } from '../../functions/summary-files';
import { DynamoStore } from '../../store/dynamo-store';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { rng, scriptHousehold } from '../support/household-scripts';
import { submittedHousehold } from '../support/submitted-surveys';
import { villagesWithGroups } from '../support/system';
import { campaign, householdSurveys, officeSurvey, villageSurveys } from '../unit/table4.fixture';

const office = systemOffice('office-agg', '2017-11-01T00:00:00.000Z');
const clock = new ManualClock(new Date('2017-11-05T12:00:00.000Z'));

/** The fixture's surveys (every 表4 rule met somewhere) and 200 scripted interviews over all villages. */
function campaignSurveys(): Survey[] {
  const r = rng(77);
  const _form = formById('household')!;
  const villages = villagesWithGroups();
  const scripted = Array.from({ length: 200 }, (_, i): Survey => {
    const v = villages[i % villages.length]!;
    const plan = { name: `户主${i}`, stratum: STRATA[i % STRATA.length]! };
    const script = scriptHousehold(campaign, plan, r);
    return submittedHousehold({
      id: `agg-${i}`,
      campaign,
      place: v,
      householdId: `h${i}`,
      inspectorId: `insp-${i % 7}`,
      answers: script.expected,
      confirmations: script.state.confirmations,
      submittedAt: `2017-11-0${1 + (i % 4)}T08:00:00.000Z`,
    });
  });
  return [...householdSurveys, ...villageSurveys, ...scripted].map((s) => structuredClone(s));
}

/** Submits, returns, resubmits, replays and concurrent duplicates, as the use cases make them. */
async function playCampaign(store: Store, surveys: Survey[]): Promise<Survey[]> {
  const r = rng(1234);
  const deps = { store };
  for (const s of surveys) await store.createSurvey(s);
  // Everything submitted at once (many per village): concurrent writes of one village.
  await Promise.all(surveys.map((s) => recordSubmitted(deps, campaign, s)));
  // Replays and concurrent duplicates change nothing.
  await Promise.all(surveys.filter(() => r() < 0.3).flatMap((s) => [recordSubmitted(deps, campaign, s)]));
  const final: Survey[] = [];
  for (const s of surveys) {
    const roll = r();
    if (s.kind === 'office' || roll < 0.6) {
      final.push(s);
      continue;
    }
    // Returned (twice: a retried return), and some of those submitted again with a changed answer.
    const stored = (await store.getSurvey(s.id))!;
    const returned = await store.saveSurvey(
      {
        ...stored,
        status: 'returned',
        returnedAt: '2017-11-05T09:00:00.000Z',
        updatedAt: '2017-11-05T09:00:00.000Z',
      },
      stored.version,
    );
    await Promise.all([
      recordReturned(deps, campaign, stored, '2017-11-05T09:00:00.000Z'),
      recordReturned(deps, campaign, stored, '2017-11-05T09:00:00.000Z'),
    ]);
    if (roll < 0.8 || s.kind !== 'household') {
      final.push(returned);
      continue;
    }
    const answers = { ...returned.answers, h2_income: 900 + Math.floor(r() * 6000) };
    const resubmitted = await store.saveSurvey(
      { ...returned, status: 'submitted', answers, submittedAt: '2017-11-05T10:00:00.000Z' },
      returned.version,
    );
    await recordSubmitted(deps, campaign, resubmitted);
    await recordSubmitted(deps, campaign, resubmitted);
    final.push(resubmitted);
  }
  return final;
}

const submittedOf = (surveys: readonly Survey[], kind: Survey['kind']) =>
  surveys.filter((s) => s.status === 'submitted' && s.kind === kind);

function expectedTable4(c: Campaign, surveys: readonly Survey[]) {
  return computeTable4(TABLE4_ROWS, {
    campaign: c,
    householdSurveys: submittedOf(surveys, 'household'),
    villageSurveys: submittedOf(surveys, 'village'),
    officeSurvey,
  });
}

const STORES = ['in-memory', ...ENGINES] as const;

describe.each(STORES)('village aggregates on %s', (name) => {
  let engine: Engine | undefined;
  let store: Store;
  let final: Survey[];

  beforeAll(async () => {
    if (name === 'in-memory') store = new MemoryStore();
    else {
      engine = await startEngine(name, 'aggregates');
      store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
    }
    final = await playCampaign(store, campaignSurveys());
  }, 180_000);

  afterAll(async () => {
    await engine?.stop();
  });

  /** A village's aggregate as stored, and as a recount of its surveys makes it. */
  async function storedAndRecounted(v: { townId: string; villageId: string }) {
    const stored = await store.getVillageAggregate(campaign.id, v.townId, v.villageId);
    const surveys = await store.surveysOfVillage(campaign.id, v.townId, v.villageId);
    return { stored, fresh: aggregateFrom(campaign, v.townId, v.villageId, surveys) };
  }

  it('every village equals its recount after submits, returns, resubmits, replays and duplicates', async () => {
    for (const v of villagesWithGroups()) {
      const { stored, fresh } = await storedAndRecounted(v);
      expect(differences(stored, fresh), v.villageId).toEqual([]);
      // What readers read (the counts without the markers) follows the aggregate.
      const counts = (await store.villageCountsOfTown(campaign.id, v.townId)).find(
        (c) => c.villageId === v.villageId,
      );
      expect(counts, v.villageId).toEqual(stored ? countsOf(stored) : undefined);
    }
    const returned = final.filter((s) => s.status === 'returned').length;
    expect(returned).toBeGreaterThan(10);
    const all = (
      await Promise.all(campaign.towns.map((t) => store.villageAggregatesOfTown(campaign.id, t.id)))
    ).flat();
    expect(all.reduce((n, a) => n + Object.keys(a.returned).length, 0)).toBe(returned);
    expect(all.reduce((n, a) => n + a.households, 0)).toBe(submittedOf(final, 'household').length);
  });

  it('表4 from the aggregates equals 表4 computed from the submitted surveys', async () => {
    await store.createSurvey(structuredClone(officeSurvey)).catch(() => undefined);
    const models = await buildSummaries({ store, clock }, office, campaign, 'city');
    expect(models.city!.table4).toEqual(expectedTable4(campaign, final));
    for (const town of models.towns) {
      const inTown = final.filter((s) => s.townId === town.townId);
      expect(town.table4).toEqual(
        computeTable4(TABLE4_ROWS, {
          campaign,
          townId: town.townId,
          householdSurveys: submittedOf(inTown, 'household'),
          villageSurveys: submittedOf(inTown, 'village'),
          officeSurvey,
        }),
      );
    }
  });

  it('a released draft is listed once; submitting it takes it off the released list', async () => {
    const v = villagesWithGroups()[0]!;
    const draft: Survey = {
      ...structuredClone(householdSurveys[0]!),
      id: `released-${name.replaceAll(' ', '')}`,
      townId: v.townId,
      villageId: v.villageId,
      status: 'draft',
      released: { from: 'insp-1', at: '2017-11-05T11:00:00.000Z', by: office.id, reason: 'revoked' },
    };
    await store.createSurvey(draft);
    await recordReleased({ store }, draft, '2017-11-05T11:00:00.000Z');
    await recordReleased({ store }, draft, '2017-11-05T11:00:00.000Z');
    let agg = await store.getVillageAggregate(campaign.id, v.townId, v.villageId);
    expect(Object.keys(agg!.released)).toContain(draft.id);
    const submitted = await store.saveSurvey({ ...draft, status: 'submitted' }, draft.version);
    await recordSubmitted({ store }, campaign, submitted);
    agg = await store.getVillageAggregate(campaign.id, v.townId, v.villageId);
    expect(Object.keys(agg!.released)).not.toContain(draft.id);
    expect(Object.keys(agg!.submitted)).toContain(draft.id);
    final.push(submitted);
  });

  it('a return whose aggregate write was lost is mended by the resubmission, not made permanent by it', async () => {
    const v = villagesWithGroups()[1]!;
    const first = await store.createSurvey({
      ...structuredClone(householdSurveys[1]!),
      id: `lost-return-${name.replaceAll(' ', '')}`,
      townId: v.townId,
      villageId: v.villageId,
      status: 'submitted',
      answers: { ...householdSurveys[1]!.answers, h3_recognition: 'no' },
      submittedAt: '2017-11-05T08:00:00.000Z',
    });
    await recordSubmitted({ store }, campaign, first);
    // Returned; the aggregate's write fails after the store's retries (the leader saw 系统出错).
    const returned = await store.saveSurvey(
      { ...first, status: 'returned', updatedAt: '2017-11-05T09:00:00.000Z' },
      first.version,
    );
    // 认可 after all, submitted again by the inspector: the aggregate counts the new answers.
    const resubmitted = await store.saveSurvey(
      {
        ...returned,
        status: 'submitted',
        answers: { ...returned.answers, h3_recognition: 'yes' },
        submittedAt: '2017-11-05T10:00:00.000Z',
      },
      returned.version,
    );
    await recordSubmitted({ store }, campaign, resubmitted);
    const { stored, fresh } = await storedAndRecounted(v);
    expect(differences(stored, fresh)).toEqual([]);
    expect(stored?.submitted[resubmitted.id]?.at).toBe('2017-11-05T10:00:00.000Z');
    final.push(resubmitted);
  });

  it('after a poverty-line change the next summary recounts on the new line; a recount then finds nothing', async () => {
    const raised: Campaign = { ...campaign, povertyLine: campaign.povertyLine + 6000 };
    const after = await buildSummaries({ store, clock }, office, raised, 'city');
    expect(after.city!.table4).toEqual(expectedTable4(raised, final));
    // Every village with surveys now carries the new basis: it was recounted on the new line.
    for (const t of campaign.towns) {
      for (const a of await store.villageAggregatesOfTown(campaign.id, t.id)) {
        if (Object.keys(a.submitted).length > 0)
          expect(a.basis).toBe(basisOf(raised, a.villageId, TABLE4_ROWS));
      }
    }
    const check = await recount({ store }, office, raised, 'city');
    expect(check.villages).toBe(villagesWithGroups().length);
    expect(check.differences).toEqual([]);
  });
});
