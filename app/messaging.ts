// Ports for talking to people and for time. The bot's Telegram adapter implements Messenger; the
// local emulator and tests use the same adapter against a fake Bot API, so use cases never know.

export interface Button {
  text: string;
  /** Callback data (≤ 64 bytes) — or a URL button when `url` is set. */
  data?: string;
  url?: string;
}

export interface OutgoingMessage {
  chatId: number;
  text: string;
  /** Inline keyboard rows. */
  buttons?: Button[][];
}

export interface OutgoingDocument {
  chatId: number;
  fileName: string;
  bytes: Uint8Array;
  caption?: string;
}

export type SendResult =
  | { ok: true; messageId: number }
  /** Telegram 429: try again after this many seconds. */
  | { ok: false; kind: 'rate_limited'; retryAfter: number }
  /** Telegram 403: the person blocked the bot or never started it. */
  | { ok: false; kind: 'unreachable' }
  | { ok: false; kind: 'error'; description: string };

export interface Messenger {
  send(message: OutgoingMessage): Promise<SendResult>;
  sendDocument(doc: OutgoingDocument): Promise<SendResult>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests and the local demo move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
