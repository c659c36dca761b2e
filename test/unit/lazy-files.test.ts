// functions/runtime.ts's evidence FileStore imports the S3 client on first use (issue 18: the
// webhook's cold start does not evaluate it); it must behave exactly like S3Files, on s3rver.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyS3Files } from '../../functions/runtime';
import { LOCAL_S3_CREDENTIALS } from '../../local/s3-server';
import { type LocalS3, startS3 } from '../support/s3';

const ENV = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let s3: LocalS3;

beforeAll(async () => {
  // As on Lambda: region and credentials from the environment.
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = LOCAL_S3_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_S3_CREDENTIALS.secretAccessKey;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // Node 20 here
  s3 = await startS3();
}, 30_000);

afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await s3?.stop();
});

describe('the lazily loaded evidence store', () => {
  it('puts, gets and lists like S3Files, and says when nothing is stored', async () => {
    const files = lazyS3Files(s3.bucket, s3.endpoint);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    await files.put('evidence/s1/照片.jpg', bytes, 'image/jpeg');
    expect(await files.get('evidence/s1/照片.jpg')).toEqual(bytes);
    expect(await files.get('evidence/s1/none.jpg')).toBeUndefined();
    expect(await files.list('evidence/s1/')).toEqual(['evidence/s1/照片.jpg']);
    // The same objects through the eager adapter: one bucket, one behaviour.
    expect(await s3.files.get('evidence/s1/照片.jpg')).toEqual(bytes);
  });
});

describe('a large export streamed into the bucket', () => {
  it('goes up in parts (12 MB, 5 MB parts), comes back whole, and downloads by its link', async () => {
    const files = lazyS3Files(s3.bucket, s3.endpoint);
    const chunk = Buffer.alloc(1024 * 1024);
    const size = await files.putStream(
      'exports/c/build-raw.xlsx',
      async (out) => {
        for (let i = 0; i < 12; i++) {
          chunk.fill(i);
          // As a writer does: wait when the upload is behind (memory holds a few parts).
          if (!out.write(Buffer.from(chunk))) await new Promise((r) => out.once('drain', r));
        }
        out.end();
      },
      'application/octet-stream',
    );
    expect(size).toBe(12 * 1024 * 1024);
    const stored = await files.get('exports/c/build-raw.xlsx');
    expect(stored?.length).toBe(size);
    expect([stored?.[0], stored?.[5 * 1024 * 1024], stored?.[size - 1]]).toEqual([0, 5, 11]);
    const url = await files.link('exports/c/build-raw.xlsx', 60, '全市-原始数据.xlsx');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(stored ?? []))).toBe(true);
  });

  it('leaves nothing behind when the writer fails half-way', async () => {
    const files = lazyS3Files(s3.bucket, s3.endpoint);
    await expect(
      files.putStream(
        'exports/c/broken.xlsx',
        async (out) => {
          out.write(Buffer.alloc(6 * 1024 * 1024, 1));
          throw new Error('the workbook writer failed');
        },
        'application/octet-stream',
      ),
    ).rejects.toThrow('the workbook writer failed');
    expect(await files.get('exports/c/broken.xlsx')).toBeUndefined();
  });
});
