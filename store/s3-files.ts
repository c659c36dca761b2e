// The S3 adapter of the FileStore port (app/ports.ts): the campaign's evidence bucket on AWS (SSE,
// public access blocked, TLS only: infra/stack.ts), an embedded S3-compatible server locally
// (s3rver, local/ and the tests). Objects are private; nothing here makes a public URL.

import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { FileStore } from '../app/ports';

export interface S3FilesOptions {
  bucket: string;
  client: S3Client;
}

/** A client for AWS (region and credentials from the environment) or a local endpoint. */
export function createS3Client(
  opts: { endpoint?: string; region?: string; credentials?: S3ClientConfig['credentials'] } = {},
) {
  return new S3Client({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint
      ? {
          endpoint: opts.endpoint,
          // s3rver serves buckets by path, and checks no checksums the SDK would now add by default.
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    maxAttempts: 4,
  });
}

export class S3Files implements FileStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor({ bucket, client }: S3FilesOptions) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return out.Body ? new Uint8Array(await out.Body.transformToByteArray()) : undefined;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
