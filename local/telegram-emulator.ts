// A local Telegram: the Bot API server the unchanged bot talks to (apiRoot), and the "Telegram
// servers" side that turns a person's actions into updates. Used by `npm start` (the browser chat)
// and by the tests (test/support/fake-bot-api.ts re-exports it).
//
// It records every Bot API call, keeps each chat's timeline (the bot's messages with their edits,
// and what the person sent), keeps files for getFile and for download, serves getUpdates (long
// polling) and set/deleteWebhook, can answer 429 or 403 on demand, and tells subscribers about
// every new or edited message so a browser can show them live. It refuses (400, Telegram's
// description, recorded in `refusals`) what Telegram refuses: local/telegram-limits.ts.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Clock } from '../app/messaging';
import {
  TelegramRefusal as ApiRefusal,
  checkCallbackAnswer,
  checkCaption,
  checkCommands,
  checkMessageText,
  checkReplyMarkup,
} from './telegram-limits';
import {
  apiGatewayEvent,
  callbackQueryUpdate,
  documentMessageUpdate,
  locationMessageUpdate,
  photoMessageUpdate,
  type TelegramUpdate,
  type TelegramUserInfo,
  textMessageUpdate,
} from './updates';

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** A button of a reply keyboard (under the text field); one may ask for the person's location. */
export interface KeyboardButton {
  text: string;
  request_location?: boolean;
}

/** A photo in a chat: Telegram's file id (getFile serves `photos/<fileId>`). */
export interface ChatPhoto {
  fileId: string;
  caption?: string;
}

export interface ChatLocation {
  lat: number;
  lon: number;
}

export interface DocumentFile {
  fileName: string;
  bytes: Uint8Array;
  caption?: string;
  /** Where getFile and the file route find it: `documents/<fileId>`. */
  fileId?: string;
}

/** A message the bot sent (what the tests call a chat message). */
export interface ChatMessage {
  message_id: number;
  chatId: number;
  text: string;
  buttons: InlineButton[][];
  /** A document sent by the bot. */
  document?: DocumentFile;
  /** A photo the bot sent (alone or in an album). */
  photo?: ChatPhoto;
  /** The album this photo belongs to (sendMediaGroup). */
  mediaGroupId?: string;
  location?: ChatLocation;
  /** A reply keyboard the message put under the text field; it stays until one removes it. */
  replyKeyboard?: KeyboardButton[][];
  /** The message took the reply keyboard away. */
  removeKeyboard?: boolean;
  edits: number;
  /** 'HTML' when the bot asked Telegram to format the text. */
  parseMode?: string;
  /** Unix seconds, by the emulator's clock. */
  date: number;
  /** One order over every chat's bot and user messages, to merge them into a timeline. */
  seq: number;
}

/** A message a person sent to the bot. */
export interface UserMessage {
  message_id: number;
  chatId: number;
  fromId: number;
  text?: string;
  document?: DocumentFile;
  photo?: ChatPhoto;
  location?: ChatLocation;
  /** Passed on from another chat. */
  forwarded?: boolean;
  date: number;
  seq: number;
}

export type TimelineEntry = ({ from: 'bot' } & ChatMessage) | ({ from: 'user' } & UserMessage);

export interface BotCommand {
  command: string;
  description: string;
}

export type EmulatorEvent =
  | { type: 'message'; chatId: number; entry: TimelineEntry }
  | { type: 'edit'; chatId: number; entry: TimelineEntry }
  | { type: 'commands'; chatId: number; commands: BotCommand[] }
  | { type: 'callback_answer'; callbackQueryId: string; text?: string };

export interface ScriptedFailure {
  method?: string;
  chatId?: number;
  errorCode: number;
  description: string;
  retryAfter?: number;
  /** How many calls it answers (default 1). */
  times?: number;
}

export type WebhookHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface BotIdentity {
  id: number;
  username: string;
  first_name: string;
}

export interface EmulatorOptions {
  /** When set, Bot API calls with another token are refused (401), as Telegram does. */
  token?: string;
  bot?: BotIdentity;
  /** Message dates follow this clock (the demo clock locally). */
  clock?: Clock;
  /** Update ids only grow; a restarted local system must start above the ids it used before. */
  firstUpdateId?: number;
}

/** What `snapshot()` returns and `restore()` takes: the chats, JSON-safe (bytes as base64). */
export interface EmulatorSnapshot {
  version: 1;
  nextMessageId: number;
  nextSeq: number;
  messages: (Omit<ChatMessage, 'document'> & { document?: StoredDocument })[];
  userMessages: (Omit<UserMessage, 'document'> & { document?: StoredDocument })[];
  files: [string, string][];
  commands: [number, BotCommand[]][];
}

type StoredDocument = Omit<DocumentFile, 'bytes'> & { bytes: string };

export interface Delivery {
  update: TelegramUpdate;
  /** The webhook's HTTP status, when a webhook handler took the update. */
  status?: number;
  /** The text the bot answered a button press with (Telegram's toast). */
  toast?: string;
}

export class EmulatorInputError extends Error {
  override readonly name = 'EmulatorInputError';
}

/**
 * A refusal that depends on the chat, not on what the bot sent (an edit of a message that is gone
 * or that would not change): the bot expects these and sends anew, so they are not `refusals`.
 */
class StateRefusal extends ApiRefusal {}

/** A call Telegram would have refused for what it carried, with the 400 description it got. */
export interface Refusal extends ApiCall {
  description: string;
}

const DEFAULT_BOT: BotIdentity = { id: 1, username: 'inspection_test_bot', first_name: 'bot' };
const BOT_ROUTE = /^\/bot([^/]+)\/(\w+)$/;
const FILE_ROUTE = /^\/file\/bot([^/]+)\/(.+)$/;

export class TelegramEmulator {
  readonly calls: ApiCall[] = [];
  /** The bot's messages, every chat, oldest first. */
  readonly messages: ChatMessage[] = [];
  /** What people sent, every chat, oldest first. */
  readonly userMessages: UserMessage[] = [];
  /** Files by path (`documents/<fileId>`): uploads for getFile, and the bot's documents. */
  readonly files = new Map<string, Uint8Array>();
  readonly failures: ScriptedFailure[] = [];
  /** Calls answered 400 for what they carried (too long, bad HTML, bad buttons…): bugs of the bot. */
  readonly refusals: Refusal[] = [];
  /** setMyCommands per private chat. */
  readonly commands = new Map<number, BotCommand[]>();
  apiRoot = '';
  readonly bot: BotIdentity;

  private server?: Server;
  private nextId = 1000;
  private nextSeq = 1;
  private nextUpdate: number;
  private readonly listeners = new Set<(e: EmulatorEvent) => void>();
  private readonly clock?: Clock;
  private readonly token?: string;
  // Updates waiting for getUpdates (when no webhook handler is connected), and the polls waiting.
  private readonly pending: TelegramUpdate[] = [];
  private readonly waiters = new Set<() => void>();
  private webhookUrl = '';
  private handler?: { webhook: WebhookHandler; secret: string };
  // Each chat's updates reach the bot one after another, as Telegram delivers them.
  private readonly chatQueues = new Map<number, Promise<unknown>>();

  constructor(opts: EmulatorOptions = {}) {
    this.bot = opts.bot ?? DEFAULT_BOT;
    this.clock = opts.clock;
    this.token = opts.token;
    this.nextUpdate = opts.firstUpdateId ?? 1;
  }

  /** Serve the Bot API on its own port (tests). Returns the apiRoot. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    const actual = typeof address === 'object' && address ? address.port : 0;
    this.apiRoot = `http://127.0.0.1:${actual}`;
    return this.apiRoot;
  }

  /** Served by another server (npm start's one port): requests for `handles()` go to `handle()`. */
  mount(apiRoot: string): void {
    this.apiRoot = apiRoot;
  }

  async stop(): Promise<void> {
    this.wakePollers();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages in one chat, oldest first. */
  chat(chatId: number): ChatMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  /** The bot's and the person's messages of one chat, in order. */
  timeline(chatId: number): TimelineEntry[] {
    const bot = this.chat(chatId).map((m) => ({ from: 'bot' as const, ...m }));
    const user = this.userMessages
      .filter((m) => m.chatId === chatId)
      .map((m) => ({ from: 'user' as const, ...m }));
    return [...bot, ...user].sort((a, b) => a.seq - b.seq);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A document of the chat (the bot's or the person's) by message id, for download. */
  documentOf(chatId: number, messageId: number): DocumentFile | undefined {
    return (
      this.messages.find((m) => m.chatId === chatId && m.message_id === messageId)?.document ??
      this.userMessages.find((m) => m.chatId === chatId && m.message_id === messageId)?.document
    );
  }

  /** A photo of the chat (the bot's or the person's) by message id: its bytes, for the page. */
  photoOf(chatId: number, messageId: number): Uint8Array | undefined {
    const photo =
      this.messages.find((m) => m.chatId === chatId && m.message_id === messageId)?.photo ??
      this.userMessages.find((m) => m.chatId === chatId && m.message_id === messageId)?.photo;
    return photo ? this.files.get(`photos/${photo.fileId}`) : undefined;
  }

  /** Listen to new and edited messages; returns the unsubscribe function. */
  subscribe(listener: (e: EmulatorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -------------------------------------------------------------------------------------------
  // The person's side: what Telegram's apps would send

  /** Deliver updates to this handler (an API Gateway event with the secret), like a set webhook. */
  connectWebhook(webhook: WebhookHandler, secret: string): void {
    this.handler = { webhook, secret };
  }

  sendText(user: TelegramUserInfo, text: string): Promise<Delivery> {
    const msg = this.recordUserMessage(user, { text });
    return this.dispatch(user.id, textMessageUpdate(this.nextUpdate++, user, msg.message_id, text, msg.date));
  }

  sendDocument(user: TelegramUserInfo, fileName: string, bytes: Uint8Array): Promise<Delivery> {
    const fileId = `u${user.id}d${this.nextId}`;
    this.files.set(`documents/${fileId}`, bytes);
    const msg = this.recordUserMessage(user, { document: { fileName, bytes, fileId } });
    return this.dispatch(
      user.id,
      documentMessageUpdate(
        this.nextUpdate++,
        user,
        msg.message_id,
        { fileId, fileName, size: bytes.length },
        msg.date,
      ),
    );
  }

  /** A photo from the camera or gallery (Telegram recompresses it; the bot gets sizes). */
  sendPhoto(
    user: TelegramUserInfo,
    bytes: Uint8Array,
    opts: { caption?: string; forwarded?: boolean } = {},
  ): Promise<Delivery> {
    const fileId = `u${user.id}p${this.nextId}`;
    this.files.set(`photos/${fileId}`, bytes);
    this.files.set(`photos/${fileId}-s`, bytes);
    const msg = this.recordUserMessage(user, {
      photo: { fileId, ...(opts.caption ? { caption: opts.caption } : {}) },
      ...(opts.forwarded ? { forwarded: true } : {}),
    });
    return this.dispatch(
      user.id,
      photoMessageUpdate(
        this.nextUpdate++,
        user,
        msg.message_id,
        { fileId, size: bytes.length, ...(opts.caption ? { caption: opts.caption } : {}) },
        { date: msg.date, ...(opts.forwarded ? { forwarded: true } : {}) },
      ),
    );
  }

  /** The location button of a reply keyboard (or 📎 → 位置). */
  sendLocation(
    user: TelegramUserInfo,
    at: ChatLocation,
    opts: { forwarded?: boolean } = {},
  ): Promise<Delivery> {
    if (
      !Number.isFinite(at.lat) ||
      !Number.isFinite(at.lon) ||
      Math.abs(at.lat) > 90 ||
      Math.abs(at.lon) > 180
    )
      throw new EmulatorInputError(`not a location: ${at.lat}, ${at.lon}`);
    const msg = this.recordUserMessage(user, {
      location: at,
      ...(opts.forwarded ? { forwarded: true } : {}),
    });
    return this.dispatch(
      user.id,
      locationMessageUpdate(this.nextUpdate++, user, msg.message_id, at, {
        date: msg.date,
        ...(opts.forwarded ? { forwarded: true } : {}),
      }),
    );
  }

  /** Press an inline button of one of the bot's messages; only buttons that exist can be pressed. */
  press(user: TelegramUserInfo, messageId: number, data: string): Promise<Delivery> {
    const msg = this.messages.find((m) => m.chatId === user.id && m.message_id === messageId);
    if (!msg) throw new EmulatorInputError(`no message ${messageId} in chat ${user.id}`);
    if (!msg.buttons.flat().some((b) => b.callback_data === data))
      throw new EmulatorInputError(`message ${messageId} has no button ${data}`);
    const queryId = `cq${user.id}-${this.nextUpdate}`;
    const update = callbackQueryUpdate(this.nextUpdate++, user, {
      queryId,
      data,
      message: { message_id: msg.message_id, date: msg.date, text: msg.text },
    });
    return this.dispatch(user.id, update, queryId);
  }

  /** Queue an update for getUpdates (a long-polling bot), whatever webhook is connected. */
  queueUpdate(update: TelegramUpdate): void {
    this.pending.push(update);
    this.wakePollers();
  }

  private dispatch(chatId: number, update: TelegramUpdate, queryId?: string): Promise<Delivery> {
    const handler = this.handler;
    if (!handler) {
      this.queueUpdate(update);
      return Promise.resolve({ update });
    }
    const run = async (): Promise<Delivery> => {
      const res = await handler.webhook(apiGatewayEvent(update, handler.secret));
      const answer = queryId
        ? this.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === queryId)
        : undefined;
      const toast = answer?.params.text;
      return { update, status: res.statusCode ?? 200, ...(typeof toast === 'string' ? { toast } : {}) };
    };
    const previous = this.chatQueues.get(chatId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.chatQueues.set(chatId, next);
    return next;
  }

  private recordUserMessage(
    user: TelegramUserInfo,
    content: Pick<UserMessage, 'text' | 'document' | 'photo' | 'location' | 'forwarded'>,
  ) {
    const msg: UserMessage = {
      message_id: this.nextId++,
      chatId: user.id,
      fromId: user.id,
      ...content,
      date: this.unixNow(),
      seq: this.nextSeq++,
    };
    this.userMessages.push(msg);
    this.emit({ type: 'message', chatId: msg.chatId, entry: { from: 'user', ...msg } });
    return msg;
  }

  // -------------------------------------------------------------------------------------------
  // The Bot API

  /** Whether a request path is one of the Bot API's (for a server that also serves other things). */
  handles(pathname: string): boolean {
    return BOT_ROUTE.test(pathname) || FILE_ROUTE.test(pathname);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRoot || 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const file = FILE_ROUTE.exec(url.pathname);
    if (file?.[2]) {
      if (!this.tokenOk(file[1])) return void res.writeHead(401).end();
      const bytes = this.files.get(decodeURIComponent(file[2]));
      if (!bytes) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(bytes));
    }
    const m = BOT_ROUTE.exec(url.pathname);
    if (!m?.[2]) return void res.writeHead(404).end();
    if (!this.tokenOk(m[1]))
      return this.json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2];
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
    if (method === 'getUpdates') return this.getUpdates(req, res, params);
    try {
      return this.json(res, 200, { ok: true, result: this.result(method, params) });
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      if (!(err instanceof StateRefusal)) this.refusals.push({ method, params, description: err.message });
      return this.json(res, 400, { ok: false, error_code: 400, description: err.message });
    }
  }

  private tokenOk(token: string | undefined): boolean {
    return this.token === undefined || token === this.token;
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

  /** A new message of the bot in a chat, announced to subscribers. */
  private botMessage(chatId: number, fields: Partial<ChatMessage>): ChatMessage {
    const msg: ChatMessage = {
      message_id: this.nextId++,
      chatId,
      text: '',
      buttons: [],
      edits: 0,
      ...fields,
      date: this.unixNow(),
      seq: this.nextSeq++,
    };
    this.messages.push(msg);
    this.emit({ type: 'message', chatId, entry: { from: 'bot', ...msg } });
    return msg;
  }

  /** The photo a bot sends: a file id Telegram knows, or an upload that becomes one. */
  private photoFile(photo: unknown): string {
    if (typeof photo === 'string') {
      if (!this.files.has(`photos/${photo}`) && !this.files.has(`documents/${photo}`))
        throw new ApiRefusal('Bad Request: wrong file identifier/HTTP URL specified');
      return photo;
    }
    const upload = photo as { bytes?: Uint8Array } | undefined;
    if (!upload?.bytes) throw new ApiRefusal('Bad Request: there is no photo in the request');
    const fileId = `bp${this.nextId}`;
    this.files.set(`photos/${fileId}`, upload.bytes);
    return fileId;
  }

  private result(method: string, p: Record<string, unknown>): unknown {
    const chatId = Number(p.chat_id);
    const markup = p.reply_markup as
      | { inline_keyboard?: InlineButton[][]; keyboard?: KeyboardButton[][]; remove_keyboard?: boolean }
      | undefined;
    const keyboard = markup?.inline_keyboard;
    const replyMarkup = {
      ...(markup?.keyboard ? { replyKeyboard: markup.keyboard } : {}),
      ...(markup?.remove_keyboard ? { removeKeyboard: true } : {}),
    };
    const parseMode = typeof p.parse_mode === 'string' ? p.parse_mode : undefined;
    const caption = typeof p.caption === 'string' ? p.caption : undefined;
    this.refuseWhatTelegramRefuses(method, p, parseMode);
    switch (method) {
      case 'sendMessage': {
        const msg = this.botMessage(chatId, {
          text: String(p.text),
          buttons: keyboard ?? [],
          ...replyMarkup,
          ...(parseMode ? { parseMode } : {}),
        });
        return this.asTelegram(msg);
      }
      case 'sendPhoto': {
        const fileId = this.photoFile(p.photo);
        const msg = this.botMessage(chatId, {
          text: caption ?? '',
          buttons: keyboard ?? [],
          photo: { fileId, ...(caption ? { caption } : {}) },
          ...(parseMode ? { parseMode } : {}),
        });
        return this.asTelegram(msg);
      }
      case 'sendMediaGroup': {
        const media = (Array.isArray(p.media) ? p.media : []) as {
          type?: string;
          media?: unknown;
          caption?: string;
        }[];
        // Telegram takes albums of 2 to 10 items.
        if (media.length < 2 || media.length > 10)
          throw new ApiRefusal('Bad Request: wrong number of media in the album');
        for (const m of media as { caption?: unknown; parse_mode?: unknown }[])
          checkCaption(m.caption, typeof m.parse_mode === 'string' ? m.parse_mode : undefined);
        const group = `mg${this.nextId}`;
        const ids = media.map((m) => {
          if (m.type !== 'photo') throw new ApiRefusal('Bad Request: unsupported media type in the album');
          return this.photoFile(m.media);
        });
        return ids.map((fileId, i) => {
          const itemCaption = media[i]?.caption;
          return this.asTelegram(
            this.botMessage(chatId, {
              text: itemCaption ?? '',
              photo: { fileId, ...(itemCaption ? { caption: itemCaption } : {}) },
              mediaGroupId: group,
            }),
          );
        });
      }
      case 'sendLocation': {
        const lat = Number(p.latitude);
        const lon = Number(p.longitude);
        if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
          throw new ApiRefusal('Bad Request: wrong latitude or longitude');
        return this.asTelegram(this.botMessage(chatId, { location: { lat, lon }, buttons: keyboard ?? [] }));
      }
      case 'sendDocument': {
        const doc = p.document as { fileName: string; bytes: Uint8Array };
        const id = this.nextId++;
        const fileId = `doc${id}`;
        this.files.set(`documents/${fileId}`, doc.bytes);
        const msg: ChatMessage = {
          message_id: id,
          chatId,
          text: String(p.caption ?? ''),
          buttons: keyboard ?? [],
          document: { ...doc, fileId, ...(p.caption ? { caption: String(p.caption) } : {}) },
          edits: 0,
          ...(parseMode ? { parseMode } : {}),
          date: this.unixNow(),
          seq: this.nextSeq++,
        };
        this.messages.push(msg);
        this.emit({ type: 'message', chatId, entry: { from: 'bot', ...msg } });
        return {
          ...this.asTelegram(msg),
          document: {
            file_id: fileId,
            file_unique_id: fileId,
            file_name: doc.fileName,
            file_size: doc.bytes.length,
          },
        };
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const msg = this.messages.find((x) => x.chatId === chatId && x.message_id === Number(p.message_id));
        if (!msg) throw new StateRefusal('Bad Request: message to edit not found');
        const text = method === 'editMessageText' ? String(p.text) : msg.text;
        if (
          text === msg.text &&
          (method === 'editMessageReplyMarkup' || parseMode === msg.parseMode) &&
          JSON.stringify(keyboard ?? []) === JSON.stringify(msg.buttons)
        )
          throw new StateRefusal(
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        if (method === 'editMessageText') {
          msg.text = String(p.text);
          if (parseMode) msg.parseMode = parseMode;
          else delete msg.parseMode;
        }
        msg.buttons = keyboard ?? [];
        msg.edits++;
        this.emit({ type: 'edit', chatId, entry: { from: 'bot', ...msg } });
        return this.asTelegram(msg);
      }
      case 'answerCallbackQuery':
        this.emit({
          type: 'callback_answer',
          callbackQueryId: String(p.callback_query_id),
          ...(typeof p.text === 'string' ? { text: p.text } : {}),
        });
        return true;
      case 'setMyCommands': {
        const scope = p.scope as { type?: string; chat_id?: number } | undefined;
        if (scope?.type === 'chat' && scope.chat_id !== undefined) {
          const commands = (p.commands as BotCommand[] | undefined) ?? [];
          this.commands.set(Number(scope.chat_id), commands);
          this.emit({ type: 'commands', chatId: Number(scope.chat_id), commands });
        }
        return true;
      }
      case 'getFile': {
        const path = this.files.has(`photos/${p.file_id}`) ? `photos/${p.file_id}` : `documents/${p.file_id}`;
        const bytes = this.files.get(path);
        return {
          file_id: p.file_id,
          file_unique_id: p.file_id,
          file_path: path,
          ...(bytes ? { file_size: bytes.length } : {}),
        };
      }
      case 'getMe':
        return { is_bot: true, ...this.bot };
      case 'setWebhook':
        this.webhookUrl = String(p.url ?? '');
        return true;
      case 'deleteWebhook':
        this.webhookUrl = '';
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.pending.length = 0;
        return true;
      case 'getWebhookInfo':
        return {
          url: this.webhookUrl,
          has_custom_certificate: false,
          pending_update_count: this.pending.length,
        };
      default:
        return true;
    }
  }

  /**
   * The checks Telegram makes before it sends anything (local/telegram-limits.ts): the texts,
   * captions, toasts, buttons and commands of every method that carries them.
   */
  private refuseWhatTelegramRefuses(method: string, p: Record<string, unknown>, parseMode?: string) {
    if (method === 'sendMessage' || method === 'editMessageText') checkMessageText(p.text, parseMode);
    if (method === 'sendPhoto' || method === 'sendDocument' || method === 'editMessageCaption')
      checkCaption(p.caption, parseMode);
    if (method === 'answerCallbackQuery') checkCallbackAnswer(p.text);
    if (method === 'setMyCommands') checkCommands(p.commands);
    checkReplyMarkup(p.reply_markup);
  }

  /** Long polling as Telegram does it: `offset` confirms older updates; wait up to `timeout` s. */
  private async getUpdates(req: IncomingMessage, res: ServerResponse, p: Record<string, unknown>) {
    if (this.webhookUrl) {
      return this.json(res, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.min(50, Math.max(0, Number(p.timeout ?? 0)));
    if (offset > 0) {
      const keep = this.pending.filter((u) => u.update_id >= offset);
      this.pending.splice(0, this.pending.length, ...keep);
    }
    if (this.pending.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          req.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, timeout * 1000);
        this.waiters.add(done);
        // The poller gave up (aborted): stop waiting for it.
        req.once('close', done);
      });
    }
    if (res.destroyed) return;
    return this.json(res, 200, { ok: true, result: this.pending.slice(0, limit) });
  }

  private wakePollers() {
    for (const wake of [...this.waiters]) wake();
  }

  private asTelegram(msg: ChatMessage) {
    return {
      message_id: msg.message_id,
      date: msg.date,
      chat: { id: msg.chatId, type: 'private' },
      from: { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username },
      ...(msg.photo
        ? {
            photo: [
              { file_id: msg.photo.fileId, file_unique_id: msg.photo.fileId, width: 960, height: 1280 },
            ],
            ...(msg.photo.caption ? { caption: msg.photo.caption } : {}),
          }
        : msg.location
          ? { location: { latitude: msg.location.lat, longitude: msg.location.lon } }
          : { text: msg.text }),
      ...(msg.mediaGroupId ? { media_group_id: msg.mediaGroupId } : {}),
      ...(msg.buttons.length ? { reply_markup: { inline_keyboard: msg.buttons } } : {}),
    };
  }

  private json(res: ServerResponse, status: number, payload: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }

  private unixNow(): number {
    return Math.floor((this.clock?.now() ?? new Date()).getTime() / 1000);
  }

  private emit(event: EmulatorEvent) {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed browser tab) must not break the Bot API.
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Persistence: npm start keeps the chats across restarts, like the database

  snapshot(): EmulatorSnapshot {
    return {
      version: 1,
      nextMessageId: this.nextId,
      nextSeq: this.nextSeq,
      messages: this.messages.map(withStoredDocument),
      userMessages: this.userMessages.map(withStoredDocument),
      files: [...this.files].map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      commands: [...this.commands],
    };
  }

  restore(s: EmulatorSnapshot): void {
    this.messages.splice(0, this.messages.length, ...s.messages.map(withDocumentBytes));
    this.userMessages.splice(0, this.userMessages.length, ...s.userMessages.map(withDocumentBytes));
    this.files.clear();
    for (const [k, v] of s.files) this.files.set(k, new Uint8Array(Buffer.from(v, 'base64')));
    this.commands.clear();
    for (const [k, v] of s.commands) this.commands.set(k, v);
    this.nextId = Math.max(this.nextId, s.nextMessageId);
    this.nextSeq = Math.max(this.nextSeq, s.nextSeq);
  }
}

function withStoredDocument<T extends { document?: DocumentFile }>(
  m: T,
): Omit<T, 'document'> & { document?: StoredDocument } {
  const { document, ...rest } = m;
  return document
    ? { ...rest, document: { ...document, bytes: Buffer.from(document.bytes).toString('base64') } }
    : rest;
}

function withDocumentBytes<T extends { document?: StoredDocument }>(
  m: T,
): Omit<T, 'document'> & { document?: DocumentFile } {
  const { document, ...rest } = m;
  return document
    ? { ...rest, document: { ...document, bytes: new Uint8Array(Buffer.from(document.bytes, 'base64')) } }
    : rest;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
