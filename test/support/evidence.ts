// Field evidence in the tests' chats: recognising the location and photo steps, and giving them as
// an inspector at the house would (the village's own location, a photo from the camera).

import { SKIP_LOCATION } from '../../bot/render';
import seed from '../../campaigns/dongxing-2017.json';
import type { Village } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import { samplePhoto } from '../../local/png';
import type { ChatUser } from './chat-user';
import type { ChatMessage } from './fake-bot-api';

const campaign = parseCampaign(seed);

export const isLocationStep = (m: ChatMessage) =>
  m.replyKeyboard?.flat().some((b) => b.request_location) === true;
export const isPhotosStep = (m: ChatMessage) => /张现场照片,目前 \d+ 张/.test(m.text);
export const isEvidenceStep = (m: ChatMessage) => isLocationStep(m) || isPhotosStep(m);

/** The village a prompt is about, by the name in its subject (the longest name that appears). */
export function villageIn(text: string): Village | undefined {
  const villages = campaign.towns.flatMap((t) => t.villages).filter((v) => text.includes(v.name));
  return villages.sort((a, b) => b.name.length - a.name.length)[0];
}

/** A point `km` kilometres north of the village (0 = at the village office). */
export function nearVillage(village: Village, km = 0.4): { lat: number; lon: number } {
  if (!village.location) throw new Error(`village ${village.id} has no location in the campaign`);
  return { lat: village.location.lat + km / 111.2, lon: village.location.lon };
}

let photoSeed = 1;
/** A different photo each time (a new picture from the camera). */
export const freshPhoto = () => samplePhoto(photoSeed++, 64, 48);

export interface EvidencePlan {
  /** Photos to send when asked (default 1); 0 answers with `photoReason` instead. */
  photos?: number;
  photoReason?: string;
  /** Where the inspector stands, km from the village (default 0.4); 'skip' says `skipReason`. */
  locationKm?: number | 'skip';
  skipReason?: string;
}

/** While the chat asks for the location or photos, give them as `plan` says. */
export async function giveEvidence(user: ChatUser, plan: EvidencePlan = {}): Promise<void> {
  for (let step = 0; step < 10; step++) {
    const m = user.lastMessage();
    if (isLocationStep(m)) {
      if (plan.locationKm === 'skip') {
        await user.send(SKIP_LOCATION);
        await user.send(plan.skipReason ?? '山区没有信号');
      } else {
        const village = villageIn(m.text);
        if (!village) throw new Error(`no village named in the location prompt:\n${m.text}`);
        const at = nearVillage(village, plan.locationKm ?? 0.4);
        await user.sendLocation(at.lat, at.lon);
      }
      continue;
    }
    if (isPhotosStep(m)) {
      const n = plan.photos ?? 1;
      if (n === 0) await user.send(plan.photoReason ?? '农户不同意拍照');
      else for (let i = 0; i < n; i++) await user.sendPhoto(freshPhoto());
      continue;
    }
    return;
  }
  throw new Error('the chat kept asking for evidence');
}
