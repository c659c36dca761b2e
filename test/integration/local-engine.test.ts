import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { CampaignFileError, loadCampaignFile } from '../../local/campaign-file';
import { EngineError, openStore } from '../../local/engine';

const campaign = parseCampaign(seed);
let dataDir: string;
const saved = { endpoint: process.env.DYNAMODB_ENDPOINT, table: process.env.TABLE_NAME };

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'local-engine-')), 'dynamodb');
  // These tests are about the embedded engine, whatever the caller's environment points at.
  delete process.env.DYNAMODB_ENDPOINT;
  delete process.env.TABLE_NAME;
});

afterAll(async () => {
  if (saved.endpoint !== undefined) process.env.DYNAMODB_ENDPOINT = saved.endpoint;
  if (saved.table !== undefined) process.env.TABLE_NAME = saved.table;
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

describe('the embedded local engine', () => {
  it('keeps its data between runs and starts empty when asked for a fresh one', async () => {
    const first = await openStore({ dataDir });
    expect(first.embedded).toBe(true);
    expect(first.tableName).toBe('inspection');
    await first.store.putCampaign(campaign);
    await first.close();

    const second = await openStore({ dataDir });
    expect((await second.store.getCampaign(campaign.id))?.name).toBe(campaign.name);
    await second.close();

    const fresh = await openStore({ dataDir, fresh: true });
    expect(await fresh.store.getCampaign(campaign.id)).toBeUndefined();
    await fresh.close();
  });

  it('refuses a second opening of the same data directory with a clear message', async () => {
    const first = await openStore({ dataDir });
    try {
      const err = await openStore({ dataDir }).then(
        (opened) => opened.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EngineError);
      expect((err as Error).message).toContain('DYNAMODB_ENDPOINT');
    } finally {
      await first.close();
    }
  });
});

describe('loading a campaign file', () => {
  it('reads campaigns/<id>.json by id', async () => {
    expect((await loadCampaignFile('dongxing-2017')).id).toBe('dongxing-2017');
  });

  it('names the file when it is missing or invalid', async () => {
    await expect(loadCampaignFile('no-such-campaign')).rejects.toThrow(/no-such-campaign\.json/u);
    const err = await loadCampaignFile('package.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CampaignFileError);
    expect((err as CampaignFileError).message).toMatch(/package\.json.*\n.*towns/su);
  });
});
