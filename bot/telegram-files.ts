// Downloading what people send (a list file, a photo) from Telegram's file server.

import type { Turn } from './bot';

async function defaultDownload(url: URL): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new Error(`file download failed: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The file's bytes; rejects when Telegram does not serve it (the person sends it again). */
export async function downloadFile(turn: Turn, fileId: string): Promise<Uint8Array> {
  const link = await turn.ctx.telegram.getFileLink(fileId);
  return (turn.deps.download ?? defaultDownload)(link);
}
