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
// Of the response, telegraf's callApi reads `status`, `statusText` and `json()`, which both
// provide. Its one other use, piping `res.body` (a Node stream in node-fetch, a web stream here)
// when a file is uploaded *from a URL* (`{ url }`), never happens: the functions upload buffers.
// A network failure is rethrown with its cause's code in the message ("fetch failed" alone, as the
// built-in says, would not tell a refused connection from a reset in the logs), never the URL,
// which holds the bot token. The bundled webhook's test (test/integration/bundle-webhook.test.ts)
// sends JSON and multipart through it to the Bot API emulator.

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
  return globalThis.fetch(url, request).catch((err: unknown) => {
    throw withCause(err);
  });
}

/** The built-in's "fetch failed" with the reason its cause gives; aborts pass as they are. */
function withCause(err: unknown): unknown {
  if (!(err instanceof TypeError) || !(err.cause instanceof Error)) return err;
  const cause = err.cause as Error & { code?: string };
  return new TypeError(`Bot API request failed: ${cause.code ?? cause.message}`, { cause });
}
