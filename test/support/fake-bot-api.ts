// A local Telegram Bot API server for tests: the unchanged bot talks to it over HTTP (apiRoot).
// It records every call, keeps each chat's messages (with edits) so a simulated user can read
// them and press their buttons, serves uploaded files, and can answer 429 or 403 on demand.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface ChatMessage {
  message_id: number;
  chatId: number;
  text: string;
  buttons: InlineButton[][];
  /** A document sent by the bot. */
  document?: { fileName: string; bytes: Uint8Array; caption?: string };
  edits: number;
}

export interface ScriptedFailure {
  method?: string;
  chatId?: number;
  errorCode: number;
  description: string;
  retryAfter?: number;
  /** How many calls it answers (default 1). */
  times?: number;
}

export class FakeBotApi {
  readonly calls: ApiCall[] = [];
  readonly messages: ChatMessage[] = [];
  readonly files = new Map<string, Uint8Array>();
  readonly failures: ScriptedFailure[] = [];
  private server?: Server;
  private nextId = 1000;
  apiRoot = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500).end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.apiRoot = `http://127.0.0.1:${port}`;
    return this.apiRoot;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Messages in one chat, oldest first. */
  chat(chatId: number): ChatMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.apiRoot);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const file = /^\/file\/bot[^/]+\/(.+)$/.exec(url.pathname);
    if (file?.[1]) {
      const bytes = this.files.get(file[1]);
      if (!bytes) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(bytes));
    }
    const m = /^\/bot[^/]+\/(\w+)$/.exec(url.pathname);
    if (!m?.[1]) return void res.writeHead(404).end();
    const method = m[1];
    const params = await this.params(req, body, url);
    this.calls.push({ method, params });
    const chatId = Number(params.chat_id);
    const failure = this.failures.find(
      (f) => (!f.method || f.method === method) && (f.chatId === undefined || f.chatId === chatId),
    );
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      return this.json(res, failure.errorCode, {
        ok: false,
        error_code: failure.errorCode,
        description: failure.description,
        ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    }
    return this.json(res, 200, { ok: true, result: this.result(method, params) });
  }

  private async params(req: IncomingMessage, body: Buffer, url: URL): Promise<Record<string, unknown>> {
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) return body.length ? JSON.parse(body.toString('utf8')) : {};
    if (type.includes('multipart/form-data')) {
      const form = await new Request(url, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      }).formData();
      const out: Record<string, unknown> = {};
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') {
          out[key] = /^[[{]/.test(value) ? safeJson(value) : value;
        } else {
          out[key] = { fileName: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
        }
      }
      return out;
    }
    return Object.fromEntries(url.searchParams);
  }

  private result(method: string, p: Record<string, unknown>): unknown {
    const chatId = Number(p.chat_id);
    const keyboard = (p.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined)?.inline_keyboard;
    switch (method) {
      case 'sendMessage': {
        const msg: ChatMessage = {
          message_id: this.nextId++,
          chatId,
          text: String(p.text),
          buttons: keyboard ?? [],
          edits: 0,
        };
        this.messages.push(msg);
        return this.asTelegram(msg);
      }
      case 'sendDocument': {
        const doc = p.document as { fileName: string; bytes: Uint8Array };
        const msg: ChatMessage = {
          message_id: this.nextId++,
          chatId,
          text: String(p.caption ?? ''),
          buttons: [],
          document: { ...doc, ...(p.caption ? { caption: String(p.caption) } : {}) },
          edits: 0,
        };
        this.messages.push(msg);
        return {
          ...this.asTelegram(msg),
          document: { file_id: `doc${msg.message_id}`, file_name: doc.fileName },
        };
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const msg = this.messages.find((x) => x.chatId === chatId && x.message_id === Number(p.message_id));
        if (!msg) return true;
        if (method === 'editMessageText') msg.text = String(p.text);
        msg.buttons = keyboard ?? [];
        msg.edits++;
        return this.asTelegram(msg);
      }
      case 'getFile':
        return { file_id: p.file_id, file_unique_id: p.file_id, file_path: `documents/${p.file_id}` };
      case 'getMe':
        return { id: 1, is_bot: true, first_name: 'bot', username: 'inspection_test_bot' };
      default:
        return true;
    }
  }

  private asTelegram(msg: ChatMessage) {
    return {
      message_id: msg.message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: msg.chatId, type: 'private' },
      text: msg.text,
      ...(msg.buttons.length ? { reply_markup: { inline_keyboard: msg.buttons } } : {}),
    };
  }

  private json(res: ServerResponse, status: number, payload: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
