// The bundle's stand-in for node-fetch (infra/shims/node-fetch.ts) over Node's own fetch: what
// telegraf's Bot API client gives it arrives as node-fetch would have sent it, and a failure says
// why without the URL (which holds the bot token).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fetch from '../../infra/shims/node-fetch';

let server: Server;
let root: string;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the bundle's node-fetch", () => {
  it('sends a multipart form given as a Node stream, chunked, with its content type, and drops the connection header', async () => {
    const body = Readable.from([
      '--b\r\n',
      'Content-Disposition: form-data; name="chat_id"\r\n\r\n42\r\n',
      '--b--\r\n',
    ]);
    const res = await fetch(`${root}/bot1:secret/sendDocument`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b', connection: 'keep-alive' },
      body,
      agent: {},
      timeout: 500_000,
      compress: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, result: 1 });
    const last = received.at(-1);
    expect(last?.headers['content-type']).toBe('multipart/form-data; boundary=b');
    expect(last?.headers['transfer-encoding']).toBe('chunked');
    expect(last?.body).toContain('name="chat_id"\r\n\r\n42');
  });

  it('sends a JSON body as it is', async () => {
    await fetch(`${root}/bot1:secret/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"chat_id":42,"text":"你好"}',
    });
    expect(JSON.parse(received.at(-1)?.body ?? '')).toEqual({ chat_id: 42, text: '你好' });
  });

  it('says why a request failed, without the URL and its token', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await fetch(`http://127.0.0.1:${port}/bot1:secret/getMe`, { method: 'POST' }).catch((e) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('Bot API request failed: ECONNREFUSED');
    expect(err.message).not.toContain('secret');
  });

  it('lets an abort through as an abort, so a timeout is still told apart', async () => {
    const err = await fetch(`${root}/bot1:secret/getMe`, {
      method: 'POST',
      signal: AbortSignal.abort(),
    }).catch((e) => e);
    expect(err.name).toBe('AbortError');
  });
});
