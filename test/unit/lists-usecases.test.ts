import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../app/authz';
import {
  addOnSiteHousehold,
  auditSubject,
  confirmListReplacement,
  drawVillageSample,
  type ListsDeps,
  ListsError,
  quotasOf,
  replaceHousehold,
  showVillageSample,
  uploadHouseholdList,
  verifySample,
} from '../../app/lists';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import type { Store } from '../../app/ports';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { STRATA, type StratumId } from '../../domain/forms/types';
import type { Person, Role, Sample } from '../../domain/model';
import { grantsOf } from '../support/people';

// ---------------------------------------------------------------------------------------------
// Fixtures

const campaign = parseCampaign(seed);
const C = campaign.id;
/** 大田村 is in 东兴镇, which group g1 checks; 交东村 is in 江平镇 (group g2). */
const DATIAN = 'datian';
const T0 = new Date('2017-10-30T01:00:00.000Z');

function person(id: string, roles: Role[], scope: { groupId?: string; townId?: string } = {}): Person {
  return {
    id,
    grants: grantsOf(roles, scope),
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  };
}

const office = person('office-1', ['office']);
const dongxingContact = person('contact-dongxing', ['town_contact'], { townId: 'dongxing' });
const jiangpingContact = person('contact-jiangping', ['town_contact'], { townId: 'jiangping' });
const g1Inspector = person('inspector-g1', ['inspector'], { groupId: 'g1' });
const g1Leader = person('leader-g1', ['leader'], { groupId: 'g1' });
const g2Inspector = person('inspector-g2', ['inspector'], { groupId: 'g2' });

/** How towns write each stratum in their lists. */
const stratumText: Record<StratumId, string> = {
  exited_2014_2015: '2014年退出户',
  exited_2016: '2016年已脱贫户',
  planned_2017: '2017年预脱贫户',
  registered_poor: '建档立卡贫困户',
  non_poor: '非贫困户',
};
const SURNAMES = ['黄', '李', '陈', '王', '刘', '张', '杨', '吴', '赵', '周'];

interface FixtureHousehold {
  id: string;
  name: string;
  stratum: StratumId;
}

/** `sizes[s]` households of each stratum, ids 45068100<stratum#><nn>, distinct Chinese names. */
function householdsOf(sizes: Record<StratumId, number>): FixtureHousehold[] {
  return STRATA.flatMap((stratum, s) =>
    Array.from({ length: sizes[stratum] }, (_, i) => ({
      id: `45068100${s + 1}${String(i + 1).padStart(2, '0')}`,
      name: `${SURNAMES[i % SURNAMES.length]}${'甲乙丙丁戊'[s]}${'一二三四五六七八九十'[Math.floor(i / 10)]}${i % 10}`,
      stratum,
    })),
  );
}

function csv(households: readonly FixtureHousehold[], rowOverrides: Record<number, string> = {}): Uint8Array {
  const lines = ['户编号,户主姓名,农户类型,人口'];
  households.forEach((h, i) => {
    lines.push(rowOverrides[i + 2] ?? `${h.id},${h.name},${stratumText[h.stratum]},4`);
  });
  return new TextEncoder().encode(lines.join('\r\n'));
}

/** Enough of every stratum but registered_poor (quota 2, only 1 listed): one shortfall. */
const SIZES: Record<StratumId, number> = {
  exited_2014_2015: 5,
  exited_2016: 4,
  planned_2017: 12,
  registered_poor: 1,
  non_poor: 8,
};
const HOUSEHOLDS = householdsOf(SIZES);
const stratumOf = new Map(HOUSEHOLDS.map((h) => [h.id, h.stratum]));
const nameOf = new Map(HOUSEHOLDS.map((h) => [h.id, h.name]));

/** A store that records every method called on it, so a refused call can be shown to touch nothing. */
function recording(inner: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

let memory: MemoryStore;
let calls: string[];
let clock: ManualClock;
let deps: ListsDeps;

beforeEach(() => {
  memory = new MemoryStore();
  const rec = recording(memory);
  calls = rec.calls;
  clock = new ManualClock(T0);
  let n = 0;
  deps = { store: rec.store, clock, random: () => `seed-${++n}` };
});

const upload = (actor: Person = office, bytes: Uint8Array = csv(HOUSEHOLDS), villageId = DATIAN) =>
  uploadHouseholdList(deps, actor, campaign, { villageId, fileName: '大田村农户名单.csv', bytes });

async function uploadAndDraw(seedText?: string): Promise<Sample> {
  const uploaded = await upload();
  expect(uploaded.ok).toBe(true);
  const { sample } = await drawVillageSample(deps, office, campaign, {
    villageId: DATIAN,
    ...(seedText ? { seed: seedText } : {}),
  });
  return sample;
}

/** Moves the clock on so consecutive audit events of one actor get distinct instants. */
const tick = () => clock.advance(60_000);

async function expectError(promise: Promise<unknown>, code: string): Promise<ListsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ListsError);
  expect((err as ListsError).code).toBe(code);
  expect((err as ListsError).message).toMatch(/\p{Script=Han}/u);
  return err as ListsError;
}

// ---------------------------------------------------------------------------------------------

describe('uploading a household list', () => {
  it('stores the list with its fingerprint and counts the households of each stratum', async () => {
    const result = await upload();
    expect(result).toMatchObject({
      ok: true,
      status: 'stored',
      info: { count: HOUSEHOLDS.length, byStratum: SIZES },
    });
    const stored = await memory.getHouseholdList(C, DATIAN);
    expect(stored?.households).toHaveLength(HOUSEHOLDS.length);
    expect(stored).toMatchObject({
      uploadedBy: office.id,
      uploadedAt: T0.toISOString(),
      fileName: '大田村农户名单.csv',
    });
    expect(result.ok && stored?.fingerprint).toBe(result.ok && result.info.fingerprint);
  });

  it('keeps 人口 and says which columns it dropped (phone, 身份证号), storing none of them', async () => {
    const bytes = new TextEncoder().encode(
      [
        '户编号,户主姓名,农户类型,人口,联系电话,身份证号',
        '4506810201,陈桂兰,非贫困户,3,13800000001,450681195001010011',
      ].join('\r\n'),
    );
    const result = await upload(office, bytes);
    expect(result).toMatchObject({ ok: true, info: { droppedColumns: ['联系电话', '身份证号'] } });
    const stored = await memory.getHouseholdList(C, DATIAN);
    expect(stored?.households).toEqual([
      { id: '4506810201', name: '陈桂兰', stratum: 'non_poor', population: 3 },
    ]);
    expect(JSON.stringify(stored)).not.toContain('13800000001');
  });

  it('asks before replacing a list, with both counts; confirming replaces it, an unchanged file changes nothing', async () => {
    await upload();
    const before = await memory.getHouseholdListInfo(C, DATIAN);
    const again = await upload();
    expect(again).toMatchObject({ ok: true, status: 'unchanged' });
    tick();
    const smaller = HOUSEHOLDS.slice(0, 20);
    const result = await upload(g1Inspector, csv(smaller));
    if (!result.ok || result.status !== 'confirm')
      throw new Error(`expected a confirmation, got ${JSON.stringify(result)}`);
    expect(result.current.count).toBe(HOUSEHOLDS.length);
    expect(result.info.count).toBe(20);
    // Nothing replaced yet.
    expect(await memory.getHouseholdListInfo(C, DATIAN)).toEqual(before);
    const info = await confirmListReplacement(deps, g1Inspector, campaign, {
      villageId: DATIAN,
      fingerprint: result.info.fingerprint,
      replacing: result.current.fingerprint,
    });
    expect(info).toMatchObject({ count: 20, uploadedBy: g1Inspector.id });
    expect((await memory.getHouseholdList(C, DATIAN))?.households).toHaveLength(20);
    const events = await memory.auditOf(auditSubject.list(C, DATIAN));
    expect(events.map((e) => [e.action, e.details?.count, e.details?.previousCount])).toEqual([
      ['list.upload', HOUSEHOLDS.length, undefined],
      ['list.replace', 20, HOUSEHOLDS.length],
    ]);
  });

  it('a staged list partly expired before 确定替换 is not installed: the file must be sent again', async () => {
    await upload();
    const result = await upload(office, csv(HOUSEHOLDS.slice(0, 20)));
    if (!result.ok || result.status !== 'confirm') throw new Error('expected a confirmation');
    // Days later the staged chunks expire one by one: what is left holds 12 of the 20 households.
    const staged = (await memory.getHouseholdList(C, DATIAN, result.info.fingerprint))!;
    await memory.stageHouseholdList({ ...staged, households: staged.households.slice(0, 12) });
    await expectError(
      confirmListReplacement(deps, office, campaign, {
        villageId: DATIAN,
        fingerprint: result.info.fingerprint,
        replacing: result.current.fingerprint,
      }),
      'staged_missing',
    );
    expect((await memory.getHouseholdListInfo(C, DATIAN))?.count).toBe(HOUSEHOLDS.length);
  });

  it('a confirmation for a list that changed meanwhile, or after the draw, replaces nothing', async () => {
    await upload();
    const first = await memory.getHouseholdListInfo(C, DATIAN);
    const a = await upload(office, csv(HOUSEHOLDS.slice(0, 20)));
    const b = await upload(office, csv(HOUSEHOLDS.slice(0, 22)));
    if (!a.ok || a.status !== 'confirm' || !b.ok || b.status !== 'confirm')
      throw new Error('expected confirmations');
    await confirmListReplacement(deps, office, campaign, {
      villageId: DATIAN,
      fingerprint: b.info.fingerprint,
      replacing: b.current.fingerprint,
    });
    // The older confirmation still names the first list as the one it replaces.
    await expectError(
      confirmListReplacement(deps, office, campaign, {
        villageId: DATIAN,
        fingerprint: a.info.fingerprint,
        replacing: a.current.fingerprint,
      }),
      'list_changed_meanwhile',
    );
    expect((await memory.getHouseholdListInfo(C, DATIAN))?.count).toBe(22);
    expect(first?.count).toBe(HOUSEHOLDS.length);
    await drawVillageSample(deps, office, campaign, { villageId: DATIAN });
    const c = await upload(office, csv(HOUSEHOLDS.slice(0, 25))).catch((e: unknown) => e);
    expect(c).toBeInstanceOf(ListsError);
  });

  it('a list uploaded while a draw is under way never leaves the sample drawn from another list', async () => {
    await upload();
    const staged = await upload(office, csv(HOUSEHOLDS.slice(0, 24)));
    if (!staged.ok || staged.status !== 'confirm') throw new Error('expected a confirmation');
    // The draw reads the list; before it writes, the replacement lands.
    const racing: Store = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'putSample') {
          return async (s: Sample) => {
            await target.putHouseholdList(
              (await target.getHouseholdList(C, DATIAN, staged.info.fingerprint))!,
              { replacing: staged.current.fingerprint },
            );
            return target.putSample(s);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expectError(
      drawVillageSample({ ...deps, store: racing }, office, campaign, { villageId: DATIAN }),
      'list_changed_meanwhile',
    );
    expect(await memory.getSample(C, DATIAN)).toBeUndefined();
    // Drawn again, it is drawn from the list now in force.
    const { sample } = await drawVillageSample(deps, office, campaign, { villageId: DATIAN });
    expect(sample.fingerprint).toBe(staged.info.fingerprint);
  });

  it('refuses a list that names another village of the campaign, and stores nothing', async () => {
    const bytes = new TextEncoder().encode(
      [
        '交东村农户名单',
        '户编号,户主姓名,农户类型',
        ...HOUSEHOLDS.map((h) => `${h.id},${h.name},${stratumText[h.stratum]}`),
      ].join('\r\n'),
    );
    const result = await upload(office, bytes);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.message).join('')).toContain('交东村');
    expect(await memory.getHouseholdListInfo(C, DATIAN)).toBeUndefined();
  });

  it('stores nothing when one row among good ones is bad, and reports that row', async () => {
    const result = await upload(office, csv(HOUSEHOLDS, { 5: '450681009,,2016年已脱贫户,3' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.row, e.code])).toEqual([[5, 'empty_name']]);
    expect(!result.ok && result.errors[0]?.message).toMatch(/^第5行/u);
    expect(await memory.getHouseholdList(C, DATIAN)).toBeUndefined();
    expect(await memory.auditOf(auditSubject.list(C, DATIAN))).toEqual([]);
  });

  it('refuses an unknown village with a Chinese message', async () => {
    const err = await expectError(upload(office, csv(HOUSEHOLDS), 'atlantis'), 'unknown_village');
    expect(err.message).toContain('atlantis');
  });

  it('is refused once the sample is drawn, and the drawn list stays in place', async () => {
    const sample = await uploadAndDraw();
    const err = await expectError(upload(office, csv(HOUSEHOLDS.slice(0, 10))), 'sample_locked');
    expect(err.message).toBe('该村样本已抽取并锁定,不能再上传名单。如需替换农户,请使用"申请替换"。');
    expect((await memory.getHouseholdList(C, DATIAN))?.fingerprint).toBe(sample.fingerprint);
  });
});

describe('a household whose survey has started', () => {
  it('cannot be replaced: the started mark on its pick refuses an old 申请替换 button', async () => {
    const sample = await uploadAndDraw();
    const pick = sample.picks[0];
    if (!pick) throw new Error('no pick');
    await memory.markPick(C, DATIAN, pick.householdId, { kind: 'started', at: T0.toISOString(), by: 'insp' });
    const err = await expectError(
      replaceHousehold(deps, office, campaign, {
        villageId: DATIAN,
        householdId: pick.householdId,
        reason: 'absent',
      }),
      'already_started',
    );
    expect(err.message).toContain(pick.name);
    expect((await memory.getSample(C, DATIAN))?.picks.filter((p) => p.status === 'replaced')).toEqual([]);
  });

  it('cannot be replaced when the survey was opened between reading the sample and writing it', async () => {
    const sample = await uploadAndDraw();
    const pick = sample.picks[1];
    if (!pick) throw new Error('no pick');
    const racing: Store = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'saveSample') {
          return async (s: Sample, v: number) => {
            await target.markPick(C, DATIAN, pick.householdId, {
              kind: 'started',
              at: T0.toISOString(),
              by: 'x',
            });
            return target.saveSample(s, v);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expectError(
      replaceHousehold({ ...deps, store: racing }, office, campaign, {
        villageId: DATIAN,
        householdId: pick.householdId,
        reason: 'absent',
      }),
      'already_started',
    );
  });
});

describe('drawing a village sample', () => {
  it('meets every quota, records the shortfall, the seed, the fingerprint, who drew and when', async () => {
    const sample = await uploadAndDraw();
    const list = await memory.getHouseholdList(C, DATIAN);
    expect(sample).toMatchObject({
      campaignId: C,
      villageId: DATIAN,
      seed: 'seed-1',
      fingerprint: list?.fingerprint,
      drawnBy: office.id,
      drawnAt: T0.toISOString(),
      shortfalls: [{ stratum: 'registered_poor', quota: 2, available: 1 }],
    });
    const quotas = quotasOf(campaign);
    for (const stratum of STRATA) {
      const want = Math.min(quotas[stratum], SIZES[stratum]);
      expect(sample.picks.filter((p) => p.stratum === stratum)).toHaveLength(want);
    }
    for (const pick of sample.picks) {
      expect(pick.status).toBe('selected');
      expect(stratumOf.get(pick.householdId)).toBe(pick.stratum);
      expect(pick.name).toBe(nameOf.get(pick.householdId));
    }
    expect(new Set(sample.picks.map((p) => p.householdId)).size).toBe(sample.picks.length);
    expect(await memory.getSample(C, DATIAN)).toEqual(sample);
  });

  it('is reproducible from its record, and verification notices a changed list or pick', async () => {
    const sample = await uploadAndDraw();
    const list = await memory.getHouseholdList(C, DATIAN);
    if (!list) throw new Error('list missing');
    expect(verifySample(sample, list, quotasOf(campaign))).toMatchObject({ ok: true, problems: [] });
    expect(verifySample(sample, list).ok).toBe(true);

    const renamed = list.households.map((h, i) => (i === 0 ? { ...h, name: '改名' } : h));
    expect(verifySample(sample, { households: renamed })).toMatchObject({
      ok: false,
      fingerprintMatches: false,
    });
    const unpicked = HOUSEHOLDS.find(
      (h) => h.stratum === 'planned_2017' && !sample.picks.some((p) => p.householdId === h.id),
    );
    const forged: Sample = {
      ...sample,
      picks: sample.picks.map((p) =>
        p.stratum === 'planned_2017' && unpicked ? { ...p, householdId: unpicked.id } : p,
      ),
    };
    const check = verifySample(forged, list, quotasOf(campaign));
    expect(check).toMatchObject({ ok: false, fingerprintMatches: true, drawMatches: false });
    expect(check.problems[0]).toMatch(/\p{Script=Han}/u);
  });

  it('gives the same sample for the same seed and list, whatever the row order', async () => {
    const first = await uploadAndDraw('20171030-大田村');
    const other = new MemoryStore();
    await uploadHouseholdList({ ...deps, store: other }, office, campaign, {
      villageId: DATIAN,
      fileName: 'reordered.csv',
      bytes: csv([...HOUSEHOLDS].reverse()),
    });
    const { sample: second } = await drawVillageSample({ ...deps, store: other }, office, campaign, {
      villageId: DATIAN,
      seed: '20171030-大田村',
    });
    expect(second.picks).toEqual(first.picks);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('returns the locked sample unchanged on a second draw, even with another seed', async () => {
    const first = await uploadAndDraw();
    tick();
    const again = await drawVillageSample(deps, g1Inspector, campaign, { villageId: DATIAN, seed: 'other' });
    expect(again.alreadyDrawn).toBe(true);
    expect(again.sample).toEqual(first);
    expect((await memory.auditOf(auditSubject.sample(C, DATIAN))).map((e) => e.action)).toEqual([
      'sample.draw',
    ]);
  });

  it('is refused while the village has no list', async () => {
    await expectError(drawVillageSample(deps, office, campaign, { villageId: DATIAN }), 'no_list');
    expect(await memory.getSample(C, DATIAN)).toBeUndefined();
  });
});

describe('replacing a household', () => {
  it('draws from the same stratum, keeps the original on record as replaced, and stays verifiable', async () => {
    const sample = await uploadAndDraw();
    const original = sample.picks.find((p) => p.stratum === 'exited_2016');
    if (!original) throw new Error('no exited_2016 pick');
    tick();
    const result = await replaceHousehold(deps, g1Inspector, campaign, {
      villageId: DATIAN,
      householdId: original.householdId,
      reason: 'absent',
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.replacement.stratum).toBe('exited_2016');
    expect(stratumOf.get(result.replacement.householdId)).toBe('exited_2016');
    expect(result.replacement.name).toBe(nameOf.get(result.replacement.householdId));
    expect(sample.picks.map((p) => p.householdId)).not.toContain(result.replacement.householdId);

    const stored = await memory.getSample(C, DATIAN);
    expect(stored?.version).toBe(2);
    expect(stored?.picks.find((p) => p.householdId === original.householdId)).toMatchObject({
      status: 'replaced',
      replacedBy: result.replacement.householdId,
      replacement: { reason: 'absent', by: g1Inspector.id, at: clock.now().toISOString() },
    });
    expect(stored?.picks.at(-1)).toMatchObject({
      householdId: result.replacement.householdId,
      status: 'selected',
    });
    const list = await memory.getHouseholdList(C, DATIAN);
    if (!stored || !list) throw new Error('missing');
    expect(verifySample(stored, list, quotasOf(campaign)).ok).toBe(true);
  });

  it('never repeats a household over many replacements and says so when the stratum runs out', async () => {
    const sample = await uploadAndDraw();
    const seen = new Set(sample.picks.map((p) => p.householdId));
    let current = sample.picks.find((p) => p.stratum === 'planned_2017')?.householdId ?? '';
    // 12 planned_2017 households, 3 drawn: exactly 9 replacements are possible.
    for (let i = 0; i < 9; i++) {
      tick();
      const result = await replaceHousehold(deps, office, campaign, {
        villageId: DATIAN,
        householdId: current,
        reason: i % 2 === 0 ? 'refused' : 'moved',
      });
      if (!result.ok) throw new Error(`replacement ${i + 1}: ${result.message}`);
      expect(result.attempt).toBe(i + 1);
      expect(stratumOf.get(result.replacement.householdId)).toBe('planned_2017');
      expect(seen.has(result.replacement.householdId)).toBe(false);
      seen.add(result.replacement.householdId);
      current = result.replacement.householdId;
    }
    const before = await memory.getSample(C, DATIAN);
    tick();
    const exhausted = await replaceHousehold(deps, office, campaign, {
      villageId: DATIAN,
      householdId: current,
      reason: 'absent',
    });
    expect(exhausted).toMatchObject({ ok: false, code: 'stratum_exhausted' });
    expect(!exhausted.ok && exhausted.message).toContain('2017年计划脱贫户');
    expect(await memory.getSample(C, DATIAN)).toEqual(before);

    const list = await memory.getHouseholdList(C, DATIAN);
    if (!before || !list) throw new Error('missing');
    expect(verifySample(before, list, quotasOf(campaign))).toMatchObject({
      ok: true,
      replacementsMatch: true,
    });
  });

  it("refuses 'other' without a note, and a household that is replaced or not in the sample", async () => {
    const sample = await uploadAndDraw();
    const pick = sample.picks[0]?.householdId ?? '';
    await expectError(
      replaceHousehold(deps, office, campaign, {
        villageId: DATIAN,
        householdId: pick,
        reason: 'other',
        note: '  ',
      }),
      'note_required',
    );
    await expectError(
      replaceHousehold(deps, office, campaign, {
        villageId: DATIAN,
        householdId: 'nobody',
        reason: 'absent',
      }),
      'not_in_sample',
    );
    tick();
    const done = await replaceHousehold(deps, office, campaign, {
      villageId: DATIAN,
      householdId: pick,
      reason: 'other',
      note: '户主住院',
    });
    expect(done.ok && done.replaced.replacement?.note).toBe('户主住院');
    await expectError(
      replaceHousehold(deps, office, campaign, { villageId: DATIAN, householdId: pick, reason: 'absent' }),
      'not_selected',
    );
  });

  it('re-reads and retries once when someone else saved the sample in between', async () => {
    const sample = await uploadAndDraw();
    const racing: Store = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'saveSample') {
          return async (s: Sample, expectVersion: number) => {
            // The first save loses a race against an on-site addition made by someone else.
            if (expectVersion === 1) {
              const fresh = await target.getSample(C, DATIAN);
              if (!fresh) throw new Error('missing');
              const added = { householdId: 'onsite-1', name: '路人', stratum: 'non_poor' as const };
              await target.saveSample(
                {
                  ...fresh,
                  picks: [
                    ...fresh.picks,
                    {
                      ...added,
                      status: 'selected',
                      onSite: { reason: '现场', by: 'x', at: T0.toISOString() },
                    },
                  ],
                },
                1,
              );
            }
            return target.saveSample(s, expectVersion);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const result = await replaceHousehold({ ...deps, store: racing }, office, campaign, {
      villageId: DATIAN,
      householdId: sample.picks[0]?.householdId ?? '',
      reason: 'absent',
    });
    expect(result.ok).toBe(true);
    const stored = await memory.getSample(C, DATIAN);
    expect(stored?.version).toBe(3);
    expect(stored?.picks.map((p) => p.householdId)).toContain('onsite-1');
    expect(stored?.picks.filter((p) => p.status === 'replaced')).toHaveLength(1);
  });
});

describe('adding a household on site', () => {
  it('records a non-poor household with who and why, numbered onsite-n, once', async () => {
    await uploadAndDraw();
    tick();
    const { entry, sample } = await addOnSiteHousehold(deps, g1Leader, campaign, {
      villageId: DATIAN,
      name: '张 三',
      reason: '走访中发现住房困难',
    });
    expect(entry).toEqual({
      householdId: 'onsite-1',
      name: '张 三',
      stratum: 'non_poor',
      status: 'selected',
      onSite: { reason: '走访中发现住房困难', by: g1Leader.id, at: clock.now().toISOString() },
    });
    expect(sample.picks.at(-1)).toEqual(entry);
    tick();
    await expectError(
      addOnSiteHousehold(deps, g1Leader, campaign, { villageId: DATIAN, name: '张 三', reason: '再点一次' }),
      'on_site_duplicate',
    );
    const second = await addOnSiteHousehold(deps, g1Leader, campaign, {
      villageId: DATIAN,
      name: '李四',
      reason: '群众反映',
    });
    expect(second.entry.householdId).toBe('onsite-2');
  });

  it('needs a drawn sample, a name and a reason', async () => {
    await expectError(
      addOnSiteHousehold(deps, office, campaign, { villageId: DATIAN, name: '张三', reason: '理由' }),
      'no_sample',
    );
    await uploadAndDraw();
    await expectError(
      addOnSiteHousehold(deps, office, campaign, { villageId: DATIAN, name: ' ', reason: '理由' }),
      'name_required',
    );
    await expectError(
      addOnSiteHousehold(deps, office, campaign, { villageId: DATIAN, name: '张三', reason: '' }),
      'reason_required',
    );
  });
});

describe('the whole day: upload → draw → show → replace → on site', () => {
  it('writes one audit event per step, with ids and counts and never a name or a note', async () => {
    await upload(dongxingContact);
    tick();
    const { sample } = await drawVillageSample(deps, g1Inspector, campaign, { villageId: DATIAN });
    const shown = await showVillageSample(deps, g1Leader, campaign, { villageId: DATIAN });
    expect(shown.sample).toEqual(sample);
    expect(shown.list?.households).toHaveLength(HOUSEHOLDS.length);
    tick();
    const replaced = await replaceHousehold(deps, g1Inspector, campaign, {
      villageId: DATIAN,
      householdId: sample.picks[0]?.householdId ?? '',
      reason: 'other',
      note: '户主黄某某外出',
    });
    expect(replaced.ok).toBe(true);
    tick();
    await addOnSiteHousehold(deps, g1Inspector, campaign, {
      villageId: DATIAN,
      name: '张三',
      reason: '邻居反映困难',
    });

    const listEvents = await memory.auditOf(auditSubject.list(C, DATIAN));
    const sampleEvents = await memory.auditOf(auditSubject.sample(C, DATIAN));
    expect(listEvents.map((e) => [e.action, e.actorId])).toEqual([['list.upload', dongxingContact.id]]);
    expect(sampleEvents.map((e) => [e.action, e.actorId])).toEqual([
      ['sample.draw', g1Inspector.id],
      ['sample.replace', g1Inspector.id],
      ['sample.add_on_site', g1Inspector.id],
    ]);
    expect(listEvents[0]?.details).toMatchObject({ villageId: DATIAN, count: HOUSEHOLDS.length });
    expect(sampleEvents[0]?.details).toMatchObject({ seed: 'seed-1', picks: 9, shortfall: 1 });
    expect(sampleEvents[1]?.details).toMatchObject({ reason: 'other', attempt: 1 });

    const everything = JSON.stringify([...listEvents, ...sampleEvents]);
    for (const name of [...HOUSEHOLDS.map((h) => h.name), '张三', '黄某某', '邻居反映困难', '大田村'])
      expect(everything).not.toContain(name);
    for (const event of [...listEvents, ...sampleEvents]) {
      for (const value of Object.values(event.details ?? {}))
        expect(typeof value === 'string' ? value : '').not.toMatch(/\p{Script=Han}/u);
    }
  });
});

describe('who may upload, draw and replace', () => {
  /** Takes a thunk: the call must start after the recorder is cleared. */
  async function expectForbidden(call: () => Promise<unknown>): Promise<void> {
    calls.length = 0;
    await expect(call()).rejects.toBeInstanceOf(ForbiddenError);
    // The role check comes first: a refused call neither reads nor writes.
    expect(calls).toEqual([]);
  }

  it('refuses an upload by the town contact of another town and leaves the store untouched', async () => {
    await expectForbidden(() => upload(jiangpingContact));
    expect(await memory.getHouseholdList(C, DATIAN)).toBeUndefined();
  });

  it('lets a town contact upload for their own town but not draw or replace', async () => {
    expect((await upload(dongxingContact)).ok).toBe(true);
    await expectForbidden(() => drawVillageSample(deps, dongxingContact, campaign, { villageId: DATIAN }));
    expect(await memory.getSample(C, DATIAN)).toBeUndefined();
    const sample = await uploadAndDrawAfterUpload();
    await expectForbidden(() =>
      replaceHousehold(deps, dongxingContact, campaign, {
        villageId: DATIAN,
        householdId: sample.picks[0]?.householdId ?? '',
        reason: 'absent',
      }),
    );
    expect(await memory.getSample(C, DATIAN)).toEqual(sample);
  });

  it('refuses an inspector of another group to upload, draw, replace or add on site, changing nothing', async () => {
    await expectForbidden(() => upload(g2Inspector));
    await upload();
    await expectForbidden(() => drawVillageSample(deps, g2Inspector, campaign, { villageId: DATIAN }));
    expect(await memory.getSample(C, DATIAN)).toBeUndefined();
    const sample = await uploadAndDrawAfterUpload();
    const auditBefore = await memory.auditOf(auditSubject.sample(C, DATIAN));
    await expectForbidden(() =>
      replaceHousehold(deps, g2Inspector, campaign, {
        villageId: DATIAN,
        householdId: sample.picks[0]?.householdId ?? '',
        reason: 'absent',
      }),
    );
    await expectForbidden(() =>
      addOnSiteHousehold(deps, g2Inspector, campaign, { villageId: DATIAN, name: '张三', reason: '理由' }),
    );
    await expectForbidden(() => showVillageSample(deps, g2Inspector, campaign, { villageId: DATIAN }));
    expect(await memory.getSample(C, DATIAN)).toEqual(sample);
    expect(await memory.auditOf(auditSubject.sample(C, DATIAN))).toEqual(auditBefore);
  });

  it('lets the group of the town upload, draw and replace', async () => {
    expect((await upload(g1Leader)).ok).toBe(true);
    const { sample } = await drawVillageSample(deps, g1Leader, campaign, { villageId: DATIAN });
    tick();
    const result = await replaceHousehold(deps, g1Inspector, campaign, {
      villageId: DATIAN,
      householdId: sample.picks[0]?.householdId ?? '',
      reason: 'moved',
    });
    expect(result.ok).toBe(true);
  });

  it('lets the office do all of it in any town', async () => {
    const jiaodong = 'jiaodong';
    expect((await upload(office, csv(HOUSEHOLDS), jiaodong)).ok).toBe(true);
    const { sample } = await drawVillageSample(deps, office, campaign, { villageId: jiaodong });
    tick();
    const replaced = await replaceHousehold(deps, office, campaign, {
      villageId: jiaodong,
      householdId: sample.picks[0]?.householdId ?? '',
      reason: 'refused',
    });
    expect(replaced.ok).toBe(true);
    tick();
    const added = await addOnSiteHousehold(deps, office, campaign, {
      villageId: jiaodong,
      name: '王五',
      reason: '理由',
    });
    expect(added.entry.householdId).toBe('onsite-1');
  });

  /** Draws as the office once a list is stored. */
  async function uploadAndDrawAfterUpload(): Promise<Sample> {
    tick();
    return (await drawVillageSample(deps, office, campaign, { villageId: DATIAN })).sample;
  }
});
