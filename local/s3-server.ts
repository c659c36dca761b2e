// An S3-compatible server on this machine, as dynalite is for DynamoDB: s3rver on loopback with one
// bucket, and the FileStore the app uses on it. `npm start` keeps the files under .data/evidence
// (so photos survive a restart like the chats do); the tests and the bench use a temporary folder.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createS3Client, S3Files } from '../store/s3-files';

/** s3rver accepts any key pair; these only make the SDK sign its requests. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_EVIDENCE_BUCKET = 'evidence';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  files: S3Files;
  stop(): Promise<void>;
}

export async function startLocalS3(
  opts: { directory?: string; bucket?: string; port?: number } = {},
): Promise<LocalS3> {
  const bucket = opts.bucket ?? LOCAL_EVIDENCE_BUCKET;
  const temporary = opts.directory === undefined;
  const directory = opts.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    port: opts.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  return {
    endpoint,
    bucket,
    files: new S3Files({ bucket, client }),
    async stop() {
      client.destroy();
      await server.close();
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}
