// Downloading what people send (a list file, a photo) from Telegram's file server.
//
// Bounded: a document or photo without a declared size (Telegram leaves file_size out at times)
// is read only up to one byte past the caller's limit, so the caller's own size check refuses it
// without the function ever holding a file it would refuse (Telegram serves bots up to 20 MB).

import type { Turn } from './turn';

async function defaultDownload(url: URL, maxBytes: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  if (!res.ok || !res.body) throw new Error(`file download failed: ${res.status}`);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  while (total <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
  }
  if (total > maxBytes) await reader.cancel();
  return Buffer.concat(parts, Math.min(total, maxBytes + 1));
}

/**
 * The file's bytes, at most `maxBytes + 1` of them (more means "too large": the caller checks);
 * rejects when Telegram does not serve it (the person sends it again).
 */
export async function downloadFile(turn: Turn, fileId: string, maxBytes: number): Promise<Uint8Array> {
  const link = await turn.ctx.telegram.getFileLink(fileId);
  if (!turn.deps.download) return defaultDownload(link, maxBytes);
  const bytes = await turn.deps.download(link);
  return bytes.length > maxBytes ? bytes.subarray(0, maxBytes + 1) : bytes;
}
