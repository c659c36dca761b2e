// Field evidence (DOMAIN.md §11): the photos and the location that show a visit happened. Pure:
// distances, the flags evidence raises, and what a survey still needs before its review.

import type { Campaign } from './campaign';
import { townById, villageById } from './campaign';

export interface PhotoEvidence {
  /** Telegram's file_id (the same bot can send it again) and its stable unique id. */
  fileId: string;
  uniqueId: string;
  /** Where the bytes are in the evidence store. */
  key: string;
  size: number;
  mime: string;
  at: string;
  by: string;
  /** The question on screen when it was sent; absent = the survey as a whole. */
  questionId?: string;
  caption?: string;
  /** The survey's revision when it was sent. */
  rev: number;
}

export interface LocationEvidence {
  lat: number;
  lon: number;
  at: string;
  by: string;
  /** Distance to the village's configured location, when it has one. */
  distanceKm?: number;
}

export interface Evidence {
  photos: PhotoEvidence[];
  location?: LocationEvidence;
  /** The inspector could not send a location: why. */
  locationSkipped?: { reason: string; at: string; by: string };
  /** Fewer photos than the campaign asks for: why. */
  photoReason?: string;
}

export const EVIDENCE_FLAGS = ['no_photo', 'far_from_village'] as const;
export type EvidenceFlag = (typeof EVIDENCE_FLAGS)[number];

/** A survey holds at most this many photos (they live in the person item while it is open). */
export const MAX_PHOTOS = 20;

/** Telegram lets a bot download files up to 20 MB; a photo larger than that is not a photo. */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

/**
 * What the bytes are, by their signature, not by the name or type the sender declared: JPEG, PNG,
 * WebP or HEIC (iPhones), or undefined for anything else (a renamed spreadsheet, a PDF).
 */
export function imageTypeOf(bytes: Uint8Array): string | undefined {
  const at = (i: number) => bytes[i] ?? -1;
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|mif1|heim|heis|hevc)$/.test(ascii(8, 12))) return 'image/heic';
  return undefined;
}

const EARTH_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine), km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The distance from the village, rounded to 0.1 km, when the village has a location. */
export function distanceFromVillage(
  c: Campaign,
  villageId: string | undefined,
  at: { lat: number; lon: number },
): number | undefined {
  const where = villageId ? villageById(c, villageId)?.location : undefined;
  return where ? Math.round(distanceKm(where, at) * 10) / 10 : undefined;
}

export type SurveyKindWithEvidence = 'household' | 'village';

export function minPhotos(c: Campaign, kind: string): number {
  return kind === 'household' || kind === 'village' ? c.evidence.minPhotos[kind] : 0;
}

/** Whether surveys of this kind carry evidence at all (the office's figures do not). */
export const needsEvidence = (kind: string): kind is SurveyKindWithEvidence =>
  kind === 'household' || kind === 'village';

/** Flags the evidence raises; they aid the leader and never block a submission. */
export function evidenceFlags(c: Campaign, kind: string, evidence: Evidence | undefined): EvidenceFlag[] {
  if (!needsEvidence(kind)) return [];
  const out: EvidenceFlag[] = [];
  if ((evidence?.photos.length ?? 0) < minPhotos(c, kind)) out.push('no_photo');
  const d = evidence?.location?.distanceKm;
  if (d !== undefined && d > c.evidence.radiusKm) out.push('far_from_village');
  return out;
}

/** What the survey still needs before its review: a location (or why not), photos (or why not). */
export function evidenceStillNeeded(
  c: Campaign,
  kind: string,
  evidence: Evidence | undefined,
): 'location' | 'photos' | undefined {
  if (!needsEvidence(kind)) return undefined;
  if (!evidence?.location && !evidence?.locationSkipped) return 'location';
  if ((evidence?.photos.length ?? 0) < minPhotos(c, kind) && !evidence?.photoReason) return 'photos';
  return undefined;
}

export const emptyEvidence = (): Evidence => ({ photos: [] });

/** How an evidence flag reads (zh-CN): the same words in the chat, the exports and the tables. */
export function evidenceFlagText(flag: EvidenceFlag, evidence: Evidence | undefined): string {
  return flag === 'no_photo'
    ? '现场照片少于要求'
    : `定位距村 ${evidence?.location?.distanceKm ?? 0} 公里,超出范围`;
}

/** Why evidence is missing, as the inspector said it (for exports). */
export function evidenceReasons(evidence: Evidence | undefined): string[] {
  return [
    ...(evidence?.photoReason ? [`无照片:${evidence.photoReason}`] : []),
    ...(evidence?.locationSkipped ? [`未定位:${evidence.locationSkipped.reason}`] : []),
  ];
}

/**
 * Where the archive export (`npm run evidence -- export`) puts a photo: 镇/村/对象/文件, the
 * object being the household (by its number) or the village survey.
 */
export function archivePath(
  campaign: Campaign,
  s: { townId: string; villageId?: string; kind: string; householdId?: string; id: string },
  key: string,
): string {
  const town = townById(campaign, s.townId)?.name ?? s.townId;
  const village = s.villageId ? (villageById(campaign, s.villageId)?.name ?? s.villageId) : '';
  const subject = s.kind === 'village' ? '村级调查' : `农户-${s.householdId ?? s.id}`;
  return [town, village, subject, key.split('/').at(-1) ?? key].filter(Boolean).join('/');
}
