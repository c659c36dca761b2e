// Field evidence in a chat (DOMAIN.md §11): photos sent at any time during a survey (each with the
// question on screen), the location before the review (or a reason why not), and a reason when
// there are fewer photos than the campaign asks for. The bytes go to the evidence store under a
// key of the survey and the photo's unique id, so a photo delivered twice is one object; the
// draft keeps only references. Every write re-checks the grant covering the survey.

import { type Campaign, townOfVillage } from '../domain/campaign';
import { ConflictError } from '../domain/errors';
import {
  archivePath,
  distanceFromVillage,
  type Evidence,
  emptyEvidence,
  imageTypeOf,
  MAX_PHOTO_BYTES,
  MAX_PHOTOS,
  needsEvidence,
  type PhotoEvidence,
} from '../domain/evidence';
import type { Draft, Person, Problem, Survey } from '../domain/model';
import { assertCan, can } from './authz';
import type { Clock } from './messaging';
import type { FileStore, Store } from './ports';
import { guardDraft, type Outcome, revOf, type SurveyStep, stepOf, withSession } from './surveys';

export interface EvidenceDeps {
  store: Store;
  clock: Clock;
  files: FileStore;
}

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  constructor(
    readonly reason:
      | 'no_survey'
      | 'too_many'
      | 'reason_too_short'
      | 'store_failed'
      | 'not_image'
      | 'too_large'
      | 'download_failed'
      /** Another survey was opened while the photo was being stored: it is not put on that one. */
      | 'survey_switched',
  ) {
    super(reason);
  }
}

/** A one-line reason (no location, fewer photos) is a sentence, not a tap. */
export const MIN_REASON = 4;
const STORE_ATTEMPTS = 3;

/** Where a survey's photo is kept: by campaign, survey and the photo's own stable id. */
export function evidenceKey(campaignId: string, surveyId: string, uniqueId: string, mime: string): string {
  const ext = mime === 'image/png' ? 'png' : mime === 'image/webp' ? 'webp' : 'jpg';
  return `evidence/${campaignId}/${surveyId}/${uniqueId.replace(/[^\w-]/g, '_')}.${ext}`;
}

export interface IncomingPhoto {
  fileId: string;
  uniqueId: string;
  size?: number;
  mime: string;
  caption?: string;
  /** Downloads the bytes from Telegram (the bot knows how). */
  download: () => Promise<Uint8Array>;
}

function openDraft(p: Person): Draft {
  const d = p.session.draft;
  if (!d || !needsEvidence(d.kind)) throw new EvidenceError('no_survey');
  return d;
}

/**
 * A photo for the open survey. The bytes are stored first (retried; a failure is said, and the
 * draft is left as it was), then the reference joins the draft in one write. Sending the same photo
 * again changes nothing.
 */
export async function attachPhoto(
  deps: EvidenceDeps,
  person: Person,
  campaign: Campaign,
  photo: IncomingPhoto,
  updateId?: number,
): Promise<Outcome<{ step: SurveyStep; count: number; photo: PhotoEvidence; duplicate: boolean }>> {
  await guardDraft(deps, person, campaign);
  const draft = openDraft(person);
  if (!photo.mime.startsWith('image/')) throw new EvidenceError('not_image');
  if ((photo.size ?? 0) > MAX_PHOTO_BYTES) throw new EvidenceError('too_large');
  const known = draft.evidence?.photos.find((x) => x.uniqueId === photo.uniqueId);
  if (!known && (draft.evidence?.photos.length ?? 0) >= MAX_PHOTOS) throw new EvidenceError('too_many');
  // The bytes decide what it is (a spreadsheet renamed .jpg is not a photo); the key follows them.
  let mime = known?.mime ?? photo.mime;
  let size = known?.size ?? photo.size ?? 0;
  if (!known) {
    const bytes = await fetchPhoto(photo);
    size = bytes.length;
    if (bytes.length > MAX_PHOTO_BYTES) throw new EvidenceError('too_large');
    const sniffed = imageTypeOf(bytes);
    if (!sniffed) throw new EvidenceError('not_image');
    mime = sniffed;
    const key = evidenceKey(campaign.id, draft.surveyId, photo.uniqueId, mime);
    await putWithRetries(deps.files, key, bytes, mime);
  }
  const key = known?.key ?? evidenceKey(campaign.id, draft.surveyId, photo.uniqueId, mime);
  type Attached = { step: SurveyStep; count: number; photo: PhotoEvidence; duplicate: boolean };
  return withSession<Attached>(deps, person, updateId, (p) => {
    const d = openDraft(p);
    // Re-read after a concurrent update: the photo belongs to the survey it was sent for (its key
    // names it), never to one opened meanwhile.
    if (d.surveyId !== draft.surveyId) throw new EvidenceError('survey_switched');
    const evidence: Evidence = d.evidence ?? emptyEvidence();
    const already = evidence.photos.find((x) => x.uniqueId === photo.uniqueId);
    if (already)
      return {
        result: { step: stepOf(campaign, d), count: evidence.photos.length, photo: already, duplicate: true },
      };
    const entry: PhotoEvidence = {
      fileId: photo.fileId,
      uniqueId: photo.uniqueId,
      key,
      size,
      mime,
      at: deps.clock.now().toISOString(),
      by: p.id,
      ...(d.cursor ? { questionId: d.cursor } : {}),
      ...(photo.caption?.trim() ? { caption: photo.caption.trim().slice(0, 200) } : {}),
      rev: revOf(d),
    };
    const next: Draft = { ...d, evidence: { ...evidence, photos: [...evidence.photos, entry] } };
    return {
      session: { ...p.session, draft: next },
      result: {
        step: stepOf(campaign, next),
        count: next.evidence?.photos.length ?? 0,
        photo: entry,
        duplicate: false,
      },
    };
  });
}

/** The location sent from the spot, with its distance from the village when that is known. */
export async function recordLocation(
  deps: Omit<EvidenceDeps, 'files'>,
  person: Person,
  campaign: Campaign,
  at: { lat: number; lon: number },
  updateId?: number,
): Promise<Outcome<{ step: SurveyStep; distanceKm?: number }>> {
  await guardDraft(deps, person, campaign);
  const sentFor = openDraft(person).surveyId;
  return withSession(deps, person, updateId, (p) => {
    const d = openDraft(p);
    if (d.surveyId !== sentFor) throw new EvidenceError('survey_switched');
    const distanceKm = distanceFromVillage(campaign, d.context.villageId, at);
    const { locationSkipped: _skip, ...evidence } = d.evidence ?? emptyEvidence();
    const next: Draft = {
      ...d,
      evidence: {
        ...evidence,
        location: {
          lat: at.lat,
          lon: at.lon,
          at: deps.clock.now().toISOString(),
          by: p.id,
          ...(distanceKm !== undefined ? { distanceKm } : {}),
        },
      },
    };
    return {
      session: { ...p.session, draft: next, screen: 'survey' },
      result: { step: stepOf(campaign, next), ...(distanceKm !== undefined ? { distanceKm } : {}) },
    };
  });
}

/** No location can be sent (no signal, a phone without GPS): why, in a sentence. */
export async function skipLocation(
  deps: Omit<EvidenceDeps, 'files'>,
  person: Person,
  campaign: Campaign,
  reason: string,
  updateId?: number,
): Promise<Outcome<{ step: SurveyStep }>> {
  return withReason(deps, person, campaign, reason, updateId, (d, r, at, by) => ({
    ...d,
    evidence: { ...(d.evidence ?? emptyEvidence()), locationSkipped: { reason: r, at, by } },
  }));
}

/** Fewer photos than asked for: why, in a sentence. */
export async function givePhotoReason(
  deps: Omit<EvidenceDeps, 'files'>,
  person: Person,
  campaign: Campaign,
  reason: string,
  updateId?: number,
): Promise<Outcome<{ step: SurveyStep }>> {
  return withReason(deps, person, campaign, reason, updateId, (d, r) => ({
    ...d,
    evidence: { ...(d.evidence ?? emptyEvidence()), photoReason: r },
  }));
}

async function withReason(
  deps: Omit<EvidenceDeps, 'files'>,
  person: Person,
  campaign: Campaign,
  reason: string,
  updateId: number | undefined,
  change: (d: Draft, reason: string, at: string, by: string) => Draft,
): Promise<Outcome<{ step: SurveyStep }>> {
  await guardDraft(deps, person, campaign);
  const text = reason.trim();
  if ([...text].length < MIN_REASON) throw new EvidenceError('reason_too_short');
  return withSession(deps, person, updateId, (p) => {
    const d = openDraft(p);
    const next = change(d, text.slice(0, 200), deps.clock.now().toISOString(), p.id);
    return {
      session: { ...p.session, draft: next, screen: 'survey' },
      result: { step: stepOf(campaign, next) },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Problems: a photo of what was found, or of the rectification

/** A problem holds at most this many photos (the item stays small). */
export const MAX_PROBLEM_PHOTOS = 10;

export class ProblemPhotoError extends Error {
  override readonly name = 'ProblemPhotoError';
  constructor(readonly reason: 'unknown_problem' | 'withdrawn' | 'too_many') {
    super(reason);
  }
}

/**
 * Who may add a photo to a problem: its reporter (while their grant covers the town), the town's
 * contact (the rectification) and the group or office verifying it. Checked on every photo.
 */
function mayAddPhoto(actor: Person, campaign: Campaign, problem: Problem): boolean {
  if (problem.reporterId === actor.id && can.logProblem(actor, campaign, problem.townId)) return true;
  return (
    can.actOnProblem(actor, campaign, problem, 'rectified') ||
    can.actOnProblem(actor, campaign, problem, 'verified')
  );
}

/** Stores the photo once (by its unique id) and adds it to the problem on its version. */
export async function attachProblemPhoto(
  deps: EvidenceDeps,
  actor: Person,
  campaign: Campaign,
  problemId: string,
  photo: IncomingPhoto,
): Promise<{ problem: Problem; count: number; duplicate: boolean }> {
  const read = async () => {
    const p = await deps.store.getProblem(problemId);
    if (!p || p.campaignId !== campaign.id) throw new ProblemPhotoError('unknown_problem');
    assertCan(mayAddPhoto(actor, campaign, p), 'problem.photo', actor);
    if (p.status === 'withdrawn') throw new ProblemPhotoError('withdrawn');
    return p;
  };
  const first = await read();
  const known = first.photos?.find((x) => x.uniqueId === photo.uniqueId);
  if (known) return { problem: first, count: first.photos?.length ?? 0, duplicate: true };
  if ((first.photos?.length ?? 0) >= MAX_PROBLEM_PHOTOS) throw new ProblemPhotoError('too_many');
  if ((photo.size ?? 0) > MAX_PHOTO_BYTES) throw new EvidenceError('too_large');
  const bytes = await fetchPhoto(photo);
  if (bytes.length > MAX_PHOTO_BYTES) throw new EvidenceError('too_large');
  const mime = imageTypeOf(bytes);
  if (!mime) throw new EvidenceError('not_image');
  const key = evidenceKey(campaign.id, `problems/${problemId}`, photo.uniqueId, mime);
  await putWithRetries(deps.files, key, bytes, mime);
  for (let attempt = 0; ; attempt++) {
    const p = attempt === 0 ? first : await read();
    const already = p.photos?.find((x) => x.uniqueId === photo.uniqueId);
    if (already) return { problem: p, count: p.photos?.length ?? 0, duplicate: true };
    if ((p.photos?.length ?? 0) >= MAX_PROBLEM_PHOTOS) throw new ProblemPhotoError('too_many');
    const entry: PhotoEvidence = {
      fileId: photo.fileId,
      uniqueId: photo.uniqueId,
      key,
      size: bytes.length,
      mime,
      at: deps.clock.now().toISOString(),
      by: actor.id,
      ...(photo.caption?.trim() ? { caption: photo.caption.trim().slice(0, 200) } : {}),
      rev: p.version,
    };
    // A photo is not the town acting: the reporter keeps edit and withdraw (reporterMayChange).
    const next: Problem = { ...p, photos: [...(p.photos ?? []), entry] };
    try {
      const saved = await deps.store.saveProblem(next, p.version);
      return { problem: saved, count: saved.photos?.length ?? 0, duplicate: false };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 3) throw err;
    }
  }
}

/** Telegram's copy of the photo; when it cannot be had, the person is asked to send it again. */
async function fetchPhoto(photo: IncomingPhoto): Promise<Uint8Array> {
  try {
    return await photo.download();
  } catch {
    throw new EvidenceError('download_failed');
  }
}

async function putWithRetries(files: FileStore, key: string, bytes: Uint8Array, mime: string): Promise<void> {
  for (let attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
    try {
      await files.put(key, bytes, mime);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
  throw new EvidenceError('store_failed');
}

// ---------------------------------------------------------------------------------------------
// The archive: a village's photos as files

export interface ArchiveEntry {
  survey: Survey;
  key: string;
  /** 镇/村/对象/文件 under the output folder. */
  path: string;
}

/**
 * Every photo of a village's submitted (or returned) surveys, with where it goes in the archive.
 * Checked against the grant that covers the village's town (the office or the group's leader).
 */
export async function villageArchive(
  deps: Pick<EvidenceDeps, 'store'>,
  actor: Person,
  campaign: Campaign,
  villageId: string,
): Promise<{ surveys: Survey[]; entries: ArchiveEntry[] }> {
  const town = townOfVillage(campaign, villageId);
  if (!town) throw new EvidenceError('no_survey');
  assertCan(can.exportEvidence(actor, campaign, town.id), 'evidence.export', actor);
  const surveys = (await deps.store.surveysOfVillage(campaign.id, town.id, villageId)).filter(
    (s) => needsEvidence(s.kind) && s.status !== 'draft',
  );
  const entries = surveys.flatMap((survey) =>
    (survey.evidence?.photos ?? []).map((p) => ({
      survey,
      key: p.key,
      path: archivePath(campaign, survey, p.key),
    })),
  );
  return { surveys, entries };
}
