// The in-memory twin of the evidence store, for use-case tests: copies in and out, like S3.

import type { Writable } from 'node:stream';
import { collectBytes } from './files';
import type { FileStore } from './ports';

export class MemoryFiles implements FileStore {
  readonly #objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  /** How many puts reached the store (a test can show a repeat stored nothing new). */
  puts = 0;

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    this.puts++;
    this.#objects.set(key, { bytes: new Uint8Array(bytes), contentType });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const o = this.#objects.get(key);
    return o ? new Uint8Array(o.bytes) : undefined;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async putStream(
    key: string,
    write: (out: Writable) => Promise<void>,
    contentType: string,
  ): Promise<number> {
    const bytes = await collectBytes(write);
    await this.put(key, bytes, contentType);
    return bytes.length;
  }

  /** Not a real URL: names the object, so a test can tell which file a link points at. */
  async link(key: string, seconds: number, fileName: string): Promise<string> {
    return `memory:///${encodeURIComponent(key)}?expires=${seconds}&name=${encodeURIComponent(fileName)}`;
  }
}
