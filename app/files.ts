// Built files and how they reach a chat: through Telegram when they fit, else as a link to the
// file store. Shared by the bot (📊 汇总表 built in the webhook) and the summaries function (the
// same built asynchronously), so both say the same thing about the same file.

import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FileStore } from './ports';

/**
 * A built file: its bytes, or (a large export streamed to the file store) where it is and how
 * big. The bot sends a stored file through Telegram when it fits, else a link to it.
 */
export type SummaryFile = { fileName: string; caption?: string } & (
  | { bytes: Uint8Array }
  | { stored: { key: string; size: number } }
);

/** Telegram's limit for a file a bot uploads. */
export const TELEGRAM_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** How long a download link works (an hour: a presigned link also ends with the credentials that signed it). */
export const LINK_SECONDS = 3600;

export type FileDelivery =
  | { kind: 'document'; bytes: Uint8Array }
  | { kind: 'link'; url: string; until: Date; size: number };

/** How a file goes to the chat: its bytes when they fit under `limit`, else a link that expires. */
export async function deliveryOf(
  files: FileStore | undefined,
  f: SummaryFile,
  now: Date,
  limit = TELEGRAM_DOCUMENT_BYTES,
): Promise<FileDelivery> {
  if ('bytes' in f) return { kind: 'document', bytes: f.bytes };
  if (!files) throw new Error('a stored file without a file store');
  const bytes = f.stored.size <= limit ? await files.get(f.stored.key) : undefined;
  if (bytes) return { kind: 'document', bytes };
  return {
    kind: 'link',
    url: await files.link(f.stored.key, LINK_SECONDS, f.fileName),
    until: new Date(now.getTime() + LINK_SECONDS * 1000),
    size: f.stored.size,
  };
}

/** The bytes a streaming writer produces (a small file, or the in-memory twin of the bucket). */
export async function collectBytes(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = finished(out);
  await write(out);
  if (!out.writableEnded) out.end();
  await done;
  return Buffer.concat(chunks);
}
