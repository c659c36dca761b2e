// An S3-compatible server for tests and the bench, as dynalite is for DynamoDB: s3rver on a free
// port with its own temporary directory and one bucket, and the FileStore the app uses on it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createS3Client, S3Files } from '../../store/s3-files';

export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  files: S3Files;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'evidence'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
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
      await rm(directory, { recursive: true, force: true });
    },
  };
}
