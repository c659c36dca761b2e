// Bulky parts of hot items stored as one compressed binary attribute (issue 18).
//
// DynamoDB bills a write by the size of the whole item (the larger of before and after), and a
// survey's item once more for every index that projects it. The person item is written on every
// answer and carries the open draft (answers, confirmations, the edit history): 5 KB of JSON at
// the end of a household survey. The survey item's answers and history are written at open, pause
// and submit and copied into both indexes. Nothing packed is ever named in a key, condition or
// filter (those stay plain attributes), so packing changes no access pattern.
//
// Formats, by the first byte (every one stays readable; items are never rewritten to a new one):
//   1  Brotli'd JSON (`pack`). A finished household draft packs to 1.1–1.2 KB: Brotli's built-in
//      dictionary knows web text, not question ids.
//   2  Raw deflate primed with a preset dictionary of the forms' own strings
//      (store/pack-dictionary.ts; `packHot`): the same draft packs to about 0.6 KB, so the person
//      item, written on every answer, stays one write unit to the end of a survey instead of two
//      for its second half. A draft of a form the dictionary does not know, or past its reach
//      (32 KB of JSON), can be smaller in Brotli: `packHot` keeps whichever of the two is.
// Survey items keep format 1: they are read by the thousand (exports, recounts), and every inflate
// with a 30 KB dictionary leaves about that much native memory behind until a full garbage
// collection (measured: the raw export of 20,000 surveys peaked at 630 MB instead of 420 MB; with
// an 8 KB dictionary at 490 MB, for one write unit less per submit only while the survey stays
// under 1 KB, which a real photo's Telegram file id already breaks). The person item is read once
// per update, where that does not add up.
// Items written before packing are read as they are: `unpack` takes the plain value too.

import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';
import { dictionaryV2 } from './pack-dictionary';

const BROTLI = 1;
const DEFLATE_V2 = 2;
/**
 * Below this much JSON (a session without a draft: the home screen, a page number) the dictionary
 * saves a few bytes of what is far below a write unit anyway, and reading everyone (reminders, the
 * people lists) need not expand it: Brotli.
 */
const DICTIONARY_FROM = 256;
/**
 * Brotli at quality 6: on a finished household draft 17% smaller than deflate without a
 * dictionary in the same 0.2 ms (quality 9 and up saves 1–10% more for 3–9 ms per answer).
 */
const QUALITY = 6;

function framed(format: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = format;
  out.set(body, 1);
  return out;
}

/** Format 2: for an item written and read one at a time on every update (the person item). */
export function packHot(value: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  if (json.length < DICTIONARY_FROM) return framed(BROTLI, packBrotli(json));
  // Both, and the smaller kept (0.2 ms more per answer): the dictionary knows the registered forms'
  // ids, not those of a form added later, and past its reach (32 KB of JSON) Brotli does better.
  const deflated = framed(DEFLATE_V2, deflateRawSync(json, { level: 9, dictionary: dictionaryV2() }));
  const brotli = framed(BROTLI, packBrotli(json));
  return brotli.length < deflated.length ? brotli : deflated;
}

function packBrotli(json: Buffer): Buffer {
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}

/** Format 1: for items read in bulk (surveys). */
export function pack(value: unknown): Uint8Array {
  return framed(BROTLI, packBrotli(Buffer.from(JSON.stringify(value), 'utf8')));
}

export function isPacked(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** The packed value, or `value` itself when it was stored plain (an item from before packing). */
export function unpack<T>(value: unknown): T {
  if (!isPacked(value)) return value as T;
  const body = value.subarray(1);
  switch (value[0]) {
    case BROTLI:
      return JSON.parse(brotliDecompressSync(body).toString('utf8')) as T;
    case DEFLATE_V2:
      return JSON.parse(inflateRawSync(body, { dictionary: dictionaryV2() }).toString('utf8')) as T;
    default:
      throw new Error(`unknown packed format ${value[0]}`);
  }
}
