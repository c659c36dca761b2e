// Field evidence at the use-case level, on the in-memory store and file store: limits a phone can
// hit (20 photos, 20 MB, a PDF named .jpg, Telegram not serving a file), a photo delivered again
// stored once, reasons that must be sentences, and who may add a photo to a problem.

import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../app/authz';
import {
  attachPhoto,
  attachProblemPhoto,
  EvidenceError,
  givePhotoReason,
  type IncomingPhoto,
  MAX_PROBLEM_PHOTOS,
  ProblemPhotoError,
  recordLocation,
  skipLocation,
} from '../../app/evidence';
import { MemoryFiles } from '../../app/memory-files';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { openSurvey } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { MAX_PHOTOS } from '../../domain/evidence';
import type { Person, Problem } from '../../domain/model';
import { samplePhoto } from '../../local/png';
import { grantsOf } from '../support/people';

const campaign = parseCampaign(seed);
const T0 = new Date('2017-11-01T02:00:00.000Z');

let store: MemoryStore;
let files: MemoryFiles;
let clock: ManualClock;
let deps: { store: MemoryStore; clock: ManualClock; files: MemoryFiles };
let inspector: Person;

async function enrolled(id: string, roles: Person['grants'][number]['role'][], scope = {}): Promise<Person> {
  return store.putPerson({
    id,
    grants: grantsOf(roles, scope),
    chatId: Number(id),
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  });
}

let n = 0;
function incoming(
  extra: Partial<IncomingPhoto> = {},
  bytes: Uint8Array = samplePhoto(++n, 16, 12),
): IncomingPhoto {
  const id = `ph${n}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    fileId: id,
    uniqueId: id,
    size: bytes.length,
    mime: 'image/jpeg',
    download: async () => bytes,
    ...extra,
  };
}

const me = async () => (await store.getPerson(inspector.id)) as Person;

beforeEach(async () => {
  store = new MemoryStore();
  files = new MemoryFiles();
  clock = new ManualClock(T0);
  deps = { store, clock, files };
  inspector = await enrolled('101', ['inspector'], { groupId: 'g2' });
  // A village survey of 交东村 (第二组) is open.
  await openSurvey(deps, inspector, campaign, { kind: 'village', villageId: 'jiaodong' });
});

describe('photos on an open survey', () => {
  it('is not put on another survey opened while it was being stored, nor is a location', async () => {
    const sentFrom = await me();
    // While the photo downloads, another tap of the inspector opens 班埃村's village survey.
    const photo = incoming({
      download: async () => {
        await openSurvey(deps, await me(), campaign, { kind: 'village', villageId: 'banai' });
        return samplePhoto(++n, 16, 12);
      },
    });
    await expect(attachPhoto(deps, sentFrom, campaign, photo)).rejects.toMatchObject({
      reason: 'survey_switched',
    });
    const open = (await me()).session.draft;
    expect(open?.context.villageId).toBe('banai');
    expect(open?.evidence?.photos ?? []).toEqual([]);
    // A location sent under 交东村 and written after 班埃村 was opened: refused the same way.
    const stale = sentFrom;
    await expect(recordLocation(deps, stale, campaign, { lat: 21.6, lon: 108.1 })).rejects.toMatchObject({
      reason: 'survey_switched',
    });
    expect((await me()).session.draft?.evidence?.location).toBeUndefined();
  });

  it('are stored under the survey by their unique id; the same photo again stores nothing', async () => {
    const photo = incoming();
    const first = await attachPhoto(deps, await me(), campaign, photo);
    expect(first.duplicate).toBe(false);
    const again = await attachPhoto(deps, await me(), campaign, photo);
    expect(again.duplicate).toBe(false);
    if (again.duplicate) return;
    expect(again.result.duplicate).toBe(true);
    expect(files.puts).toBe(1);
    const draft = (await me()).session.draft!;
    expect(draft.evidence?.photos).toHaveLength(1);
    expect(draft.evidence?.photos[0]).toMatchObject({ mime: 'image/png', by: '101', at: T0.toISOString() });
    expect(await files.list(`evidence/${campaign.id}/${draft.surveyId}/`)).toEqual([
      draft.evidence!.photos[0]!.key,
    ]);
  });

  it('stops at 20 per survey, and refuses more than 20 MB, bytes that are not a picture, and a file Telegram lost', async () => {
    for (let i = 0; i < MAX_PHOTOS; i++) await attachPhoto(deps, await me(), campaign, incoming());
    await expect(attachPhoto(deps, await me(), campaign, incoming())).rejects.toMatchObject({
      reason: 'too_many',
    });
    expect(files.puts).toBe(MAX_PHOTOS);

    store = new MemoryStore();
    deps = { store, clock, files: new MemoryFiles() };
    inspector = await enrolled('101', ['inspector'], { groupId: 'g2' });
    await openSurvey(deps, inspector, campaign, { kind: 'village', villageId: 'jiaodong' });
    await expect(
      attachPhoto(deps, await me(), campaign, incoming({ size: 21 * 1024 * 1024 })),
    ).rejects.toMatchObject({
      reason: 'too_large',
    });
    const pdf = new TextEncoder().encode('%PDF-1.7 not a photo');
    await expect(attachPhoto(deps, await me(), campaign, incoming({}, pdf))).rejects.toMatchObject({
      reason: 'not_image',
    });
    const lost = incoming({ download: async () => Promise.reject(new Error('404')) });
    await expect(attachPhoto(deps, await me(), campaign, lost)).rejects.toMatchObject({
      reason: 'download_failed',
    });
    expect(deps.files.puts).toBe(0);
    expect((await me()).session.draft?.evidence?.photos ?? []).toEqual([]);
  });

  it('need an open survey', async () => {
    const other = await enrolled('102', ['inspector'], { groupId: 'g2' });
    await expect(attachPhoto(deps, other, campaign, incoming())).rejects.toBeInstanceOf(EvidenceError);
  });
});

describe('the location and the reasons', () => {
  it('records the distance from the village; a skipped location or missing photo needs a sentence', async () => {
    const village = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === 'jiaodong')!.location!;
    const out = await recordLocation(deps, await me(), campaign, {
      lat: village.lat + 0.05,
      lon: village.lon,
    });
    expect(out.duplicate).toBe(false);
    if (out.duplicate) return;
    expect(out.result.distanceKm).toBe(5.6);
    await expect(skipLocation(deps, await me(), campaign, '没有')).rejects.toMatchObject({
      reason: 'reason_too_short',
    });
    await skipLocation(deps, await me(), campaign, '  山区没有信号  ');
    const draft = (await me()).session.draft!;
    // A skip replaces an earlier location: the record says what the inspector last said.
    expect(draft.evidence?.location).toMatchObject({ distanceKm: 5.6 });
    expect(draft.evidence?.locationSkipped).toMatchObject({ reason: '山区没有信号', by: '101' });
    await givePhotoReason(deps, await me(), campaign, '村委会不同意拍照');
    expect((await me()).session.draft?.evidence?.photoReason).toBe('村委会不同意拍照');
  });
});

describe('photos on a problem', () => {
  async function problem(reporterId: string): Promise<Problem> {
    return store.putProblem({
      id: 'pb-1',
      campaignId: campaign.id,
      townId: 'jiangping',
      villageId: 'jiaodong',
      category: 'assistance_measures',
      description: '交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。',
      reporterId,
      createdAt: T0.toISOString(),
      deadline: T0.toISOString(),
      status: 'open',
      version: 1,
    });
  }

  it('the reporter, the town and the office may add; another group may not; a photo is not the town acting', async () => {
    await problem(inspector.id);
    const contact = await enrolled('201', ['town_contact'], { townId: 'jiangping' });
    const office = await enrolled('301', ['office']);
    const outsider = await enrolled('401', ['leader'], { groupId: 'g1' });
    await attachProblemPhoto(deps, inspector, campaign, 'pb-1', incoming());
    await attachProblemPhoto(deps, contact, campaign, 'pb-1', incoming({ caption: '已整改' }));
    await attachProblemPhoto(deps, office, campaign, 'pb-1', incoming());
    await expect(attachProblemPhoto(deps, outsider, campaign, 'pb-1', incoming())).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const saved = (await store.getProblem('pb-1'))!;
    expect(saved.photos?.map((p) => [p.by, p.caption])).toEqual([
      ['101', undefined],
      ['201', '已整改'],
      ['301', undefined],
    ]);
    expect(saved.townActedAt).toBeUndefined();
    expect(saved.photos?.every((p) => p.key.startsWith(`evidence/${campaign.id}/problems/pb-1/`))).toBe(true);
  });

  it('stops at 10, and not on a withdrawn problem', async () => {
    await problem(inspector.id);
    for (let i = 0; i < MAX_PROBLEM_PHOTOS; i++)
      await attachProblemPhoto(deps, inspector, campaign, 'pb-1', incoming());
    await expect(attachProblemPhoto(deps, inspector, campaign, 'pb-1', incoming())).rejects.toMatchObject({
      reason: 'too_many',
    });
    const p = (await store.getProblem('pb-1'))!;
    await store.saveProblem({ ...p, status: 'withdrawn' }, p.version);
    await expect(attachProblemPhoto(deps, inspector, campaign, 'pb-1', incoming())).rejects.toBeInstanceOf(
      ProblemPhotoError,
    );
  });
});
