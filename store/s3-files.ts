// The S3 adapter of the FileStore port (app/ports.ts): the campaign's evidence bucket on AWS (SSE,
// public access blocked, TLS only: infra/stack.ts), an embedded S3-compatible server locally
// (s3rver, local/ and the tests). Objects are private; the only way in from outside is a presigned
// link (`link`), which expires and names one object.

import { Transform, type Writable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileStore } from '../app/ports';

/** S3's smallest part: memory holds at most QUEUE parts of it while a file streams up. */
const PART_BYTES = 5 * 1024 * 1024;
const QUEUE = 2;

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

  async putStream(
    key: string,
    write: (out: Writable) => Promise<void>,
    contentType: string,
  ): Promise<number> {
    // The upload reads the body; the size is counted on the way through.
    let size = 0;
    const body = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: QUEUE,
      // A failed part aborts the upload: no half file is left behind to be linked to.
      leavePartsOnError: false,
    });
    const done = upload.done();
    try {
      await write(body);
      if (!body.writableEnded) body.end();
    } catch (err) {
      await upload.abort().catch(() => undefined);
      body.destroy();
      await done.catch(() => undefined);
      throw err;
    }
    await done;
    return size;
  }

  async link(key: string, seconds: number, fileName: string): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        // Saved under its own name (a Chinese one, RFC 5987), not the key's last part.
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      }),
      { expiresIn: seconds },
    );
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
