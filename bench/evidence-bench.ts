// Evidence through the real webhook (issue 16): a phone-sized photo (~200 KB) per update, sent
// while a survey is open — getFile and the download from the Bot API, one put to the S3-compatible
// server (s3rver), one conditional write of the person item — and the location update. Recorded
// per update: DynamoDB calls, S3 objects written, Bot API calls, the handler's wall time, and the
// person item's size with 20 photo references (the most a survey holds).

import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MAX_PHOTOS } from '../domain/evidence';
import { samplePhoto } from '../local/png';
import { recordCalls } from '../test/support/call-recorder';
import { ChatUser } from '../test/support/chat-user';
import type { Engine } from '../test/support/engines';
import { nearVillage } from '../test/support/evidence';
import { campaign, seedPerson, seedSample, startSystem } from '../test/support/system';
import { ms, percentile, sorted, table } from './stats';

export interface EvidenceBenchResult {
  engine: string;
  photos: number;
  photoBytes: number;
  dynamoPerPhoto: Record<string, number>;
  s3Objects: number;
  botApiPerPhoto: Record<string, number>;
  photoP50: number;
  photoP99: number;
  locationMs: number;
  personItemKb: number;
}

/** A picture of a phone photo's size: a drawn PNG padded with noise, so it is ~200 KB. */
const phonePhoto = (seed: number) => Buffer.concat([samplePhoto(seed, 320, 240), randomBytes(200 * 1024)]);

export async function benchEvidence(engine: Engine): Promise<EvidenceBenchResult> {
  const sys = await startSystem({ engine });
  const times: number[] = [];
  let timing = false;
  const webhook = async (event: APIGatewayProxyEventV2) => {
    const t0 = performance.now();
    const out = await sys.webhook(event);
    if (timing) times.push(performance.now() - t0);
    return out;
  };
  const recorder = recordCalls(sys.client);
  const dynamo: Record<string, number> = {};
  const bot: Record<string, number> = {};
  let bytes = 0;
  try {
    const id = 830_001;
    await seedPerson(sys.store, { id, roles: ['inspector'], groupId: 'g2' });
    await seedSample(sys.store, 'guiming', [{ householdId: 'B1', name: '户主', stratum: 'exited_2016' }]);
    const user = new ChatUser(sys.api, webhook, sys.secret, id, '检查员');
    await user.send('/start');
    await user.pressData('hs:guiming:0');
    for (let i = 0; i < MAX_PHOTOS; i++) {
      const photo = phonePhoto(i);
      bytes += photo.length;
      recorder.reset();
      const apiBefore = sys.api.calls.length;
      timing = true;
      await user.sendPhoto(photo);
      timing = false;
      if (!user.lastText().startsWith('📷 已保存照片'))
        throw new Error(`photo not saved: ${user.lastText()}`);
      for (const c of recorder.calls) dynamo[c.operation] = (dynamo[c.operation] ?? 0) + 1 / MAX_PHOTOS;
      for (const c of sys.api.calls.slice(apiBefore)) bot[c.method] = (bot[c.method] ?? 0) + 1 / MAX_PHOTOS;
    }
    const village = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === 'guiming')!;
    const at = nearVillage(village, 0.5);
    const t0 = performance.now();
    await user.sendLocation(at.lat, at.lon);
    const locationMs = performance.now() - t0;
    const person = await sys.store.getPerson(String(id));
    const t = sorted(times);
    return {
      engine: engine.name,
      photos: MAX_PHOTOS,
      photoBytes: bytes / MAX_PHOTOS,
      dynamoPerPhoto: dynamo,
      s3Objects: (await sys.files.list('evidence/')).length,
      botApiPerPhoto: bot,
      photoP50: percentile(t, 0.5),
      photoP99: percentile(t, 0.99),
      locationMs,
      personItemKb: Buffer.byteLength(JSON.stringify(person)) / 1024,
    };
  } finally {
    recorder.detach();
    await sys.stop();
  }
}

const calls = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');

export function evidenceTable(results: readonly EvidenceBenchResult[]): string {
  return table(
    [
      'engine',
      'photos (KB each)',
      'DynamoDB calls per photo',
      'S3 objects',
      'Bot API calls per photo',
      'photo update p50 / p99 ms',
      'location update ms',
      'person item with 20 photos',
    ],
    results.map((r) => [
      r.engine,
      `${r.photos} (${(r.photoBytes / 1024).toFixed(0)})`,
      calls(r.dynamoPerPhoto),
      String(r.s3Objects),
      calls(r.botApiPerPhoto),
      `${ms(r.photoP50)} / ${ms(r.photoP99)}`,
      ms(r.locationMs),
      `${r.personItemKb.toFixed(1)} KB`,
    ]),
  );
}
