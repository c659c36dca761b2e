// The rules of field evidence (DOMAIN.md §11), pure: distances from a village, the flags evidence
// raises, what a survey still needs before its review, what bytes are a photo, and where the
// archive puts each one.

import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import {
  archivePath,
  distanceFromVillage,
  distanceKm,
  type Evidence,
  evidenceFlags,
  evidenceFlagText,
  evidenceReasons,
  evidenceStillNeeded,
  imageTypeOf,
  type LocationEvidence,
} from '../../domain/evidence';
import { samplePhoto } from '../../local/png';

const campaign = parseCampaign(seed);
const jiaodong = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === 'jiaodong')!.location!;
const at = (km: number): LocationEvidence => ({
  lat: jiaodong.lat + km / 111.2,
  lon: jiaodong.lon,
  at: '2017-11-02T02:00:00Z',
  by: '1',
  distanceKm: distanceFromVillage(campaign, 'jiaodong', {
    lat: jiaodong.lat + km / 111.2,
    lon: jiaodong.lon,
  })!,
});
const photo = { fileId: 'f', uniqueId: 'u', key: 'k', size: 1, mime: 'image/jpeg', at: '', by: '1', rev: 1 };

describe('distances', () => {
  it('are great-circle kilometres, and 0.1 km is what a village reports', () => {
    // Dongxing to Fangchenggang's centre, about 43 km as the crow flies.
    expect(distanceKm({ lat: 21.5478, lon: 107.9717 }, { lat: 21.6867, lon: 108.3547 })).toBeCloseTo(42.6, 0);
    expect(distanceKm(jiaodong, jiaodong)).toBe(0);
    expect(at(0.83).distanceKm).toBe(0.8);
    expect(distanceFromVillage(campaign, undefined, jiaodong)).toBeUndefined();
    expect(distanceFromVillage(campaign, 'nowhere', jiaodong)).toBeUndefined();
  });

  it('every seed village has a location, so the demo shows the distance everywhere', () => {
    const villages = campaign.towns.flatMap((t) => t.villages);
    expect(villages).toHaveLength(23);
    expect(villages.filter((v) => !v.location)).toEqual([]);
    expect(campaign.evidence).toEqual({ minPhotos: { household: 1, village: 1 }, radiusKm: 3 });
  });
});

describe('flags', () => {
  it('no_photo below the minimum, far_from_village beyond the radius, never for the office figures', () => {
    const inside: Evidence = { photos: [photo], location: at(2.9) };
    const far: Evidence = { photos: [], photoReason: '农户不同意拍照', location: at(3.2) };
    expect(evidenceFlags(campaign, 'household', inside)).toEqual([]);
    expect(evidenceFlags(campaign, 'village', far)).toEqual(['no_photo', 'far_from_village']);
    expect(evidenceFlags(campaign, 'office', undefined)).toEqual([]);
    expect(evidenceFlagText('far_from_village', far)).toBe('定位距村 3.2 公里,超出范围');
    expect(evidenceFlagText('no_photo', far)).toBe('现场照片少于要求');
    expect(
      evidenceReasons({
        photos: [],
        photoReason: '拒绝',
        locationSkipped: { reason: '无信号', at: '', by: '1' },
      }),
    ).toEqual(['无照片:拒绝', '未定位:无信号']);
  });

  it('a survey asks for the location first, then the photos, and a reason stands for either', () => {
    expect(evidenceStillNeeded(campaign, 'household', undefined)).toBe('location');
    expect(evidenceStillNeeded(campaign, 'household', { photos: [], location: at(1) })).toBe('photos');
    expect(
      evidenceStillNeeded(campaign, 'household', {
        photos: [],
        photoReason: '农户不同意拍照',
        locationSkipped: { reason: '山区没有信号', at: '', by: '1' },
      }),
    ).toBeUndefined();
    expect(evidenceStillNeeded(campaign, 'village', { photos: [photo], location: at(9) })).toBeUndefined();
    expect(evidenceStillNeeded(campaign, 'office', undefined)).toBeUndefined();
  });
});

describe('what is a photo', () => {
  it('is decided by the bytes, whatever the name or declared type', () => {
    expect(imageTypeOf(samplePhoto(1))).toBe('image/png');
    expect(imageTypeOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    const webp = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
    expect(imageTypeOf(webp)).toBe('image/webp');
    const heic = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypheic')]);
    expect(imageTypeOf(heic)).toBe('image/heic');
    expect(imageTypeOf(new TextEncoder().encode('户编号,户主姓名\n1,张三'))).toBeUndefined();
    expect(imageTypeOf(new TextEncoder().encode('%PDF-1.7'))).toBeUndefined();
    expect(imageTypeOf(new Uint8Array())).toBeUndefined();
  });
});

describe('the archive', () => {
  it('puts a photo under 镇/村/农户-编号 (or 村级调查), by the file name of its key', () => {
    const base = { townId: 'jiangping', villageId: 'jiaodong', id: 'hh-1' };
    expect(
      archivePath(campaign, { ...base, kind: 'household', householdId: 'H7' }, 'evidence/c/hh-1/AbC.jpg'),
    ).toBe('江平镇/交东村/农户-H7/AbC.jpg');
    expect(archivePath(campaign, { ...base, kind: 'village' }, 'evidence/c/vl-1/x.png')).toBe(
      '江平镇/交东村/村级调查/x.png',
    );
  });
});
