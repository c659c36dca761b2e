// A Bot API on loopback that enforces Telegram's broadcast limit: at most `perSecond` messages in
// any sliding second, over all chats. Beyond it, it answers 429 with `retry_after` (whole
// seconds, as Telegram does) and the message is not delivered. Everything else is the fake Bot
// API (the local emulator), which records and keeps the chats.

import { createServer, type Server } from 'node:http';
import { FakeBotApi } from '../test/support/fake-bot-api';

/** Methods that put a message into a chat (what Telegram's flood limit counts). */
const SENDS = new Set(['sendMessage', 'sendDocument', 'sendPhoto', 'copyMessage', 'forwardMessage']);
const ROUTE = /^\/bot[^/]+\/(\w+)$/;

export class RateLimitedBotApi {
  readonly api = new FakeBotApi();
  /** Arrival times (ms) of the accepted sends, oldest first. */
  readonly accepted: number[] = [];
  rejected = 0;
  apiRoot = '';
  #server?: Server;

  /**
   * @param latencyMs added before each answer: the round trip to Telegram from a Lambda (loopback
   * has none, which would hide a sender that waits for each answer before the next send).
   */
  constructor(
    readonly perSecond = 30,
    readonly latencyMs = 0,
  ) {}

  async start(): Promise<string> {
    this.#server = createServer(async (req, res) => {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs / 2));
      const method = ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1] ?? '';
      if (SENDS.has(method)) {
        const now = performance.now();
        const windowStart = this.accepted[this.accepted.length - this.perSecond];
        if (windowStart !== undefined && now - windowStart < 1000) {
          this.rejected++;
          const retryAfter = Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000));
          if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs / 2));
          res.writeHead(429, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              ok: false,
              error_code: 429,
              description: `Too Many Requests: retry after ${retryAfter}`,
              parameters: { retry_after: retryAfter },
            }),
          );
          // Drain the body so the connection can be reused.
          req.resume();
          return;
        }
        this.accepted.push(now);
      }
      // The other half of the round trip: delay the answer, not the arrival.
      if (this.latencyMs > 0) {
        const end = res.end.bind(res);
        res.end = ((...args: Parameters<typeof end>) => {
          setTimeout(() => end(...args), this.latencyMs / 2);
          return res;
        }) as typeof res.end;
      }
      this.api.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.apiRoot = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.api.mount(this.apiRoot);
    return this.apiRoot;
  }

  /** The most sends accepted within any one second (must never exceed perSecond). */
  maxPerSecond(): number {
    let max = 0;
    let lo = 0;
    for (let hi = 0; hi < this.accepted.length; hi++) {
      while ((this.accepted[hi] ?? 0) - (this.accepted[lo] ?? 0) >= 1000) lo++;
      max = Math.max(max, hi - lo + 1);
    }
    return max;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
