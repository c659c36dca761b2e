// Showing evidence in the chat: photos as albums (sendMediaGroup, by Telegram file id: the bytes
// are not sent again) and the location as a map pin (sendLocation). Telegram takes 2 to 10 photos
// per album and captions of up to 1,024 characters; a single photo goes as sendPhoto.

import type { EvidenceError } from '../app/evidence';
import type { LocationEvidence, PhotoEvidence } from '../domain/evidence';
import { t } from './messages';
import { chunk } from './render';
import type { Turn } from './turn';

const ALBUM = 10;
const CAPTION = 1000;

const clip = (s: string) => ([...s].length <= CAPTION ? s : `${[...s].slice(0, CAPTION - 1).join('')}…`);

/** Sends the photos (albums of up to 10), each with its caption. */
export async function sendPhotos(
  turn: Turn,
  photos: readonly PhotoEvidence[],
  captionOf: (p: PhotoEvidence, index: number) => string,
): Promise<void> {
  const chatId = turn.ctx.chat?.id;
  if (chatId === undefined || photos.length === 0) return;
  let index = 0;
  for (const group of chunk([...photos], ALBUM)) {
    const captions = group.map((p) => clip(captionOf(p, index++)));
    try {
      if (group.length === 1) {
        await turn.ctx.telegram.sendPhoto(chatId, (group[0] as PhotoEvidence).fileId, {
          caption: captions[0] ?? '',
        });
      } else {
        await turn.ctx.telegram.sendMediaGroup(
          chatId,
          group.map((p, i) => ({ type: 'photo' as const, media: p.fileId, caption: captions[i] ?? '' })),
        );
      }
    } catch {
      // Telegram no longer knows a file id (another bot token, a cleared local chat): the stored
      // copy is the record, so it is uploaded from there, one by one.
      await fromStore(turn, chatId, group, captions);
    }
  }
}

async function fromStore(turn: Turn, chatId: number, group: readonly PhotoEvidence[], captions: string[]) {
  let missing = 0;
  for (const [i, p] of group.entries()) {
    const bytes = await turn.deps.files?.get(p.key).catch(() => undefined);
    if (!bytes) {
      missing++;
      continue;
    }
    await turn.ctx.telegram.sendPhoto(chatId, { source: Buffer.from(bytes) }, { caption: captions[i] ?? '' });
  }
  if (missing > 0) await turn.send(t.photosUnavailable(missing));
}

/** The visit's location as a pin on a map. */
export async function sendPin(turn: Turn, at: LocationEvidence): Promise<void> {
  const chatId = turn.ctx.chat?.id;
  if (chatId === undefined) return;
  await turn.ctx.telegram.sendLocation(chatId, at.lat, at.lon);
}

/** What the person is told when a photo was not kept, by reason. */
export function photoRefusal(err: EvidenceError): string {
  const replies: Record<EvidenceError['reason'], string> = {
    no_survey: t.photoNoSurvey,
    too_many: t.photoTooMany,
    not_image: t.photoNotImage,
    too_large: t.photoTooLarge,
    download_failed: t.photoDownloadFailed,
    store_failed: t.photoStoreFailed,
    reason_too_short: t.reasonTooShort,
    survey_switched: t.photoSurveySwitched,
  };
  return replies[err.reason];
}
