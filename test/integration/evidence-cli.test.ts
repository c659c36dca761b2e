// `npm run evidence -- export` as the office runs it for the archive: a child process against
// dynalite (the surveys) and s3rver (the photos, as the evidence bucket), writing each household's
// photos into its own folder with an index CSV. A leader of another group is refused; a photo
// missing from the bucket is said, not skipped silently.

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { PhotoEvidence } from '../../domain/evidence';
import type { Survey } from '../../domain/model';
import { samplePhoto } from '../../local/png';
import { LOCAL_S3_CREDENTIALS } from '../../local/s3-server';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';
import { type LocalS3, startS3 } from '../support/s3';
import { seedPerson } from '../support/system';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const campaign = parseCampaign(seed);
const TABLE = 'evidence-cli';

let engine: Engine;
let s3: LocalS3;
let store: DynamoStore;
let dir: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/evidence.ts', ...args],
      { cwd: ROOT, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const AT = '2017-11-02T02:30:00.000Z';
const photos = new Map<string, Uint8Array>();

function photo(surveyId: string, n: number, extra: Partial<PhotoEvidence> = {}): PhotoEvidence {
  const key = `evidence/${campaign.id}/${surveyId}/p${n}.png`;
  photos.set(key, samplePhoto(n));
  return {
    fileId: `f${n}`,
    uniqueId: `p${n}`,
    key,
    size: 2500,
    mime: 'image/png',
    at: AT,
    by: '71',
    rev: 2,
    ...extra,
  };
}

function survey(
  id: string,
  kind: 'household' | 'village',
  evidence: Survey['evidence'],
  householdId?: string,
): Survey {
  return {
    id,
    campaignId: campaign.id,
    kind,
    formId: kind,
    formVersion: 1,
    townId: 'jiangping',
    villageId: 'jiaodong',
    ...(householdId ? { householdId } : {}),
    groupId: 'g2',
    inspectorId: '71',
    status: 'submitted',
    answers: {},
    confirmations: {},
    flags: [],
    history: [],
    ...(evidence ? { evidence } : {}),
    submittedAt: AT,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
}

beforeAll(async () => {
  engine = await startEngine('dynalite', TABLE);
  store = new DynamoStore({ client: engine.client, tableName: TABLE });
  await store.putCampaign(campaign);
  s3 = await startS3();
  dir = await mkdtemp(join(tmpdir(), 'evidence-cli-'));
  await seedPerson(store, { id: 71, roles: ['inspector'], groupId: 'g2', name: '阿明' });
  await seedPerson(store, { id: 72, roles: ['leader'], groupId: 'g1', name: '外组组长' });
  await seedPerson(store, { id: 73, roles: ['leader'], groupId: 'g2', name: '本组组长' });
  await store.createSurvey(
    survey(
      'hh-a',
      'household',
      {
        photos: [photo('hh-a', 1, { caption: '门口' }), photo('hh-a', 2, { questionId: 'h2_safe_housing' })],
      },
      'H01',
    ),
  );
  await store.createSurvey(survey('hh-b', 'household', { photos: [], photoReason: '农户不同意拍照' }, 'H02'));
  await store.createSurvey(survey('vl-a', 'village', { photos: [photo('vl-a', 3)] }));
  for (const [key, bytes] of photos) await s3.files.put(key, bytes, 'image/png');
  env = {
    ...process.env,
    DYNAMODB_ENDPOINT: engine.endpoint,
    TABLE_NAME: TABLE,
    EVIDENCE_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run evidence -- export', () => {
  it('writes each household’s photos into its folder, byte for byte, with an index', async () => {
    const out = join(dir, 'jiaodong');
    const r = await run('export', '--village', 'jiaodong', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('交东村:3 份问卷,导出照片 3 张');
    const base = join(out, '江平镇', '交东村');
    expect((await readdir(base)).sort()).toEqual(['农户-H01', '村级调查']);
    expect((await readdir(join(base, '农户-H01'))).sort()).toEqual(['p1.png', 'p2.png']);
    for (const [key, bytes] of photos) {
      const [, , surveyId, file] = key.split('/');
      const folder = surveyId === 'vl-a' ? '村级调查' : '农户-H01';
      expect(Buffer.from(await readFile(join(base, folder, file!)))).toEqual(Buffer.from(bytes));
    }
    const index = (await readFile(join(out, '现场照片清单.csv'), 'utf8')).slice(1).trimEnd().split('\r\n');
    expect(index[0]).toBe('问卷编号,镇,村,农户编号,序号,发送时间,关联题目,说明,发送人,大小(KB),存档文件');
    expect(index).toContain(
      'hh-a,江平镇,交东村,H01,1,2017-11-02 10:30,整份问卷,门口,阿明,2.4,江平镇/交东村/农户-H01/p1.png',
    );
    expect(index).toContain(
      'hh-a,江平镇,交东村,H01,2,2017-11-02 10:30,2.6 有无安全住房,,阿明,2.4,江平镇/交东村/农户-H01/p2.png',
    );
    expect(index).toContain('hh-b,江平镇,交东村,H02,,,,无照片:农户不同意拍照,,,');
  }, 120_000);

  it('lets the group’s leader export, and refuses a leader of another group', async () => {
    expect((await run('export', '--village', 'jiaodong', '--out', join(dir, 'own'), '--as', '73')).code).toBe(
      0,
    );
    const other = await run('export', '--village', 'jiaodong', '--out', join(dir, 'other'), '--as', '72');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('您(72)没有权限进行此操作。');
    await expect(readdir(join(dir, 'other'))).rejects.toThrow();
  }, 120_000);

  it('says when a photo is missing from the bucket, and names a wrong village', async () => {
    await store.createSurvey(survey('hh-c', 'household', { photos: [photo('hh-c', 9)] }, 'H03'));
    const r = await run('export', '--village', 'jiaodong', '--out', join(dir, 'missing'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('有 1 张照片在存储中找不到');
    const wrong = await run('export', '--village', 'nowhere');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('本次检查没有编号为“nowhere”的村');
  }, 120_000);
});
