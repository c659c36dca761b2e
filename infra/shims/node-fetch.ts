// Bundled in place of node-fetch 2 (infra/bundle.ts aliases it here): telegraf's HTTP client calls
// it for every Bot API request, and Node 24 has fetch built in (undici). Keeping node-fetch meant
// evaluating ~20 KB of a second HTTP client on every cold start.
//
// telegraf passes node-fetch's options; the built-in fetch takes the same except:
// - `agent` (telegraf's keep-alive https.Agent): the built-in keeps connections alive itself;
// - `timeout` (telegraf sets 500 s, longer than any function runs) and `compress` (the built-in
//   always accepts and decodes gzip);
// - a `connection` header, which the built-in refuses (it manages connections);
// - a multipart body (a document: an XLSX, a CSV) as a Node stream: the built-in takes a web
//   stream, sent chunked as node-fetch sent it, with `duplex: 'half'`.
// telegraf reads only `status`, `statusText` and `json()` of the response, which both provide.
// The bundled webhook's test (test/integration/bundle-webhook.test.ts) sends both kinds through
// it to the Bot API emulator.

import { Readable } from 'node:stream';

interface NodeFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
  agent?: unknown;
  timeout?: number;
  compress?: boolean;
}

export default function fetch(url: string | URL, init: NodeFetchInit = {}): Promise<Response> {
  const { agent: _agent, timeout: _timeout, compress: _compress, headers, body, ...rest } = init;
  const sent = Object.fromEntries(
    Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'connection'),
  );
  const request: RequestInit & { duplex?: 'half' } = { ...rest, headers: sent };
  if (body instanceof Readable) {
    request.body = Readable.toWeb(body) as ReadableStream<Uint8Array>;
    request.duplex = 'half';
  } else if (body !== undefined) request.body = body;
  return globalThis.fetch(url, request);
}
