// Loads a campaign config file (campaigns/<id>.json, or any path) and validates it with the
// domain schema. Read once at start-up: a broken file stops the program with a message naming
// the file and every problem in it.

import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Campaign } from '../domain/campaign';
import { CampaignConfigError, parseCampaign } from '../domain/campaign-schema';

/** The repository's campaigns/ folder, wherever the process was started from. */
export const CAMPAIGNS_DIR = fileURLToPath(new URL('../campaigns/', import.meta.url));

export class CampaignFileError extends Error {
  override readonly name = 'CampaignFileError';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An id (`dongxing-2017`) means campaigns/<id>.json; anything with a slash or `.json` is a path. */
export function campaignFilePath(idOrPath: string): string {
  const looksLikePath = idOrPath.includes('/') || idOrPath.includes('\\') || idOrPath.endsWith('.json');
  if (!looksLikePath) return resolve(CAMPAIGNS_DIR, `${idOrPath}.json`);
  return isAbsolute(idOrPath) ? idOrPath : resolve(process.cwd(), idOrPath);
}

export async function loadCampaignFile(idOrPath: string): Promise<Campaign> {
  const file = campaignFilePath(idOrPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CampaignFileError(
      file,
      missing ? `找不到活动配置文件 ${file}` : `无法读取活动配置文件 ${file}`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CampaignFileError(file, `活动配置文件 ${file} 不是有效的 JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    return parseCampaign(json);
  } catch (cause) {
    if (cause instanceof CampaignConfigError) {
      throw new CampaignFileError(file, `${file}: ${cause.message}`, { cause });
    }
    throw cause;
  }
}
