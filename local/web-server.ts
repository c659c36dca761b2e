// npm start's one HTTP server: the browser chat (local/web/), a small JSON + server-sent-events
// API for it, the sample household lists, and the emulator's Bot API routes the bot calls.
// Everything the page does goes through the emulator as a person's action in Telegram.

import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { type Campaign, deadlineInstant } from '../domain/campaign';
import { distanceKm, imageTypeOf } from '../domain/evidence';
import type { DemoClock } from './demo-clock';
import { type Persona, userOf } from './demo-people';
import { samplePhoto } from './png';
import {
  type EmulatorEvent,
  EmulatorInputError,
  type TelegramEmulator,
  type TimelineEntry,
} from './telegram-emulator';

export interface LocalServerDeps {
  emulator: TelegramEmulator;
  personas: readonly Persona[];
  clock: DemoClock;
  campaign: Campaign;
  bot: { name: string; username: string };
  /** local/web/ */
  webDir: string;
  /** local/sample-data/ */
  samplesDir: string;
  /** Runs what a clock move makes due (the scheduler); the clock request answers after it. */
  afterClockMove?: () => Promise<void>;
}

/** Telegram's limit for files a bot downloads. */
const MAX_UPLOAD = 20 * 1024 * 1024;
const MAX_JSON = 64 * 1024;

const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/texts.js': 'texts.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalServer {
  server: Server;
  /** Listens on 127.0.0.1 (the demo is for this machine only); returns the origin. */
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

/** The bundled sample photos (drawn by local/png.ts), by their captions. */
const SAMPLE_PHOTOS = ['农户家门口', '住房内部', '村委会公示栏'];

/** The villages the page can send a location for: those with coordinates in the campaign. */
function places(campaign: Campaign) {
  return campaign.towns.flatMap((t) =>
    t.villages.flatMap((v) =>
      v.location ? [{ id: v.id, name: v.name, town: t.name, lat: v.location.lat, lon: v.location.lon }] : [],
    ),
  );
}

export function createLocalServer(deps: LocalServerDeps): LocalServer {
  const { emulator } = deps;
  let photoUploads = 0;
  /** A timeline entry for the page: no bytes, links for documents and photos, the nearest village. */
  const entryView = (e: TimelineEntry) => {
    const { document, photo, location, ...rest } = e;
    const nearest = location
      ? places(deps.campaign)
          .map((v) => ({ name: v.name, km: Math.round(distanceKm(v, location) * 10) / 10 }))
          .sort((a, b) => a.km - b.km)[0]
      : undefined;
    return {
      ...rest,
      ...(document
        ? {
            document: {
              fileName: document.fileName,
              size: document.bytes.length,
              ...(document.caption ? { caption: document.caption } : {}),
              url: `/api/chats/${e.chatId}/documents/${e.message_id}`,
            },
          }
        : {}),
      ...(photo
        ? {
            photo: {
              ...(photo.caption ? { caption: photo.caption } : {}),
              url: `/api/chats/${e.chatId}/photos/${e.message_id}`,
            },
          }
        : {}),
      ...(location ? { location: { ...location, ...(nearest ? { nearest } : {}) } } : {}),
    };
  };
  const personaIds = new Set(deps.personas.map((p) => p.id));
  const streams = new Set<ServerResponse>();
  // Every frame is numbered, and each action's answer says the number reached when it finished:
  // the page knows when the bot's replies to an action have all arrived.
  let rev = 0;

  const broadcast = (payload: object) => {
    const frame = `data: ${JSON.stringify({ ...payload, rev: ++rev })}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const unsubscribe = emulator.subscribe((e: EmulatorEvent) => {
    if (e.type === 'callback_answer' || !personaIds.has(e.chatId)) return;
    if (e.type === 'commands') broadcast(e);
    else broadcast({ type: e.type, chatId: e.chatId, entry: entryView(e.entry) });
  });
  const unwatchClock = deps.clock.onChange((now) => broadcast({ type: 'clock', now: now.toISOString() }));
  const json = (res: ServerResponse, status: number, payload: object) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ ...payload, rev }));
  };
  const delivered = (res: ServerResponse, d: { status?: number; toast?: string }) => {
    if (d.status !== undefined && d.status !== 200) throw new HttpError(502, `webhook answered ${d.status}`);
    json(res, 200, { ok: true, ...(d.toast ? { toast: d.toast } : {}) });
  };
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  const persona = (raw: string | undefined): Persona => {
    const p = deps.personas.find((x) => String(x.id) === raw);
    if (!p) throw new HttpError(404, 'unknown chat');
    return p;
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const asset = ASSETS[path];
    if (method === 'GET' && asset) return sendFile(res, join(deps.webDir, asset), { noCache: true });
    if (path === '/favicon.ico') return void res.writeHead(204).end();

    if (method === 'GET' && path === '/api/state') {
      return json(res, 200, {
        bot: deps.bot,
        places: places(deps.campaign),
        samplePhotos: SAMPLE_PHOTOS.map((caption, seed) => ({ seed, caption })),
        campaign: { name: deps.campaign.name, timeZone: deps.campaign.timeZone },
        personas: deps.personas,
        clock: { now: deps.clock.now().toISOString() },
        samples: (await listSamples(deps.samplesDir)).map((f) => ({
          ...f,
          ...sampleVillage(deps.campaign, f.file),
        })),
      });
    }
    if (method === 'GET' && path === '/api/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`data: ${JSON.stringify({ type: 'hello', now: deps.clock.now().toISOString(), rev })}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (path === '/api/clock') {
      if (method === 'POST') {
        requirePageHeader(req);
        const body = (await readJson(req)) as { at?: string; local?: string; advanceMinutes?: number };
        if (typeof body.advanceMinutes === 'number' && Number.isFinite(body.advanceMinutes)) {
          deps.clock.advance(body.advanceMinutes * 60_000);
        } else if (typeof body.local === 'string') {
          // A wall-clock time of the campaign (the page's datetime-local field).
          let at: Date;
          try {
            at = deadlineInstant(deps.campaign, body.local.slice(0, 16));
          } catch {
            throw new HttpError(400, 'bad time');
          }
          deps.clock.set(at);
        } else if (typeof body.at === 'string') {
          const at = new Date(body.at);
          if (Number.isNaN(at.getTime())) throw new HttpError(400, 'bad time');
          deps.clock.set(at);
        } else {
          throw new HttpError(400, 'at or advanceMinutes expected');
        }
        await deps.afterClockMove?.();
      }
      return json(res, 200, { now: deps.clock.now().toISOString() });
    }
    const sample = /^\/samples\/([^/]+)$/.exec(path);
    if (method === 'GET' && sample?.[1]) {
      const name = await sampleName(deps.samplesDir, decodeURIComponent(sample[1]));
      return sendFile(res, join(deps.samplesDir, name), { download: name });
    }

    const chatRoute = /^\/api\/chats\/(\d+)(?:\/([\w-]+)(?:\/(\d+))?)?$/.exec(path);
    if (!chatRoute) throw new HttpError(404, 'not found');
    const who = persona(chatRoute[1]);
    const action = chatRoute[2];
    if (method === 'GET' && !action) {
      return json(res, 200, {
        entries: emulator.timeline(who.id).map(entryView),
        commands: emulator.commands.get(who.id) ?? [],
      });
    }
    if (method === 'GET' && action === 'documents' && chatRoute[3]) {
      const doc = emulator.documentOf(who.id, Number(chatRoute[3]));
      if (!doc) throw new HttpError(404, 'no such document');
      res.writeHead(200, {
        'content-type': TYPES[extname(doc.fileName).toLowerCase()] ?? 'application/octet-stream',
        'content-disposition': attachment(doc.fileName),
        'content-length': doc.bytes.length,
      });
      return void res.end(Buffer.from(doc.bytes));
    }
    if (method === 'GET' && action === 'photos' && chatRoute[3]) {
      const bytes = emulator.photoOf(who.id, Number(chatRoute[3]));
      if (!bytes) throw new HttpError(404, 'no such photo');
      res.writeHead(200, {
        'content-type': imageTypeOf(bytes) ?? 'application/octet-stream',
        'content-length': bytes.length,
        'cache-control': 'private, max-age=3600',
      });
      return void res.end(Buffer.from(bytes));
    }
    if (method !== 'POST') throw new HttpError(405, 'method not allowed');
    requirePageHeader(req);
    const user = userOf(who);
    switch (action) {
      case 'text': {
        const { text } = (await readJson(req)) as { text?: unknown };
        if (typeof text !== 'string' || !text.trim()) throw new HttpError(400, '消息不能为空');
        // Telegram refuses more than 4,096 characters; say so in words a person understands.
        if ([...text].length > 4096)
          throw new HttpError(
            400,
            `消息过长:Telegram 每条消息最多 4096 个字符,这条有 ${[...text].length} 个`,
          );
        return delivered(res, await emulator.sendText(user, text.trim()));
      }
      case 'press': {
        const { messageId, data } = (await readJson(req)) as { messageId?: unknown; data?: unknown };
        if (typeof messageId !== 'number' || typeof data !== 'string') throw new HttpError(400, 'button');
        return delivered(res, await emulator.press(user, messageId, data));
      }
      case 'document': {
        const name = url.searchParams.get('name')?.trim();
        if (!name) throw new HttpError(400, 'file name');
        const bytes = await readBody(req, MAX_UPLOAD);
        return delivered(res, await emulator.sendDocument(user, name, bytes));
      }
      case 'photo': {
        // A picture from the computer, sent as a photo (Telegram's camera or gallery).
        const bytes = await readBody(req, MAX_UPLOAD);
        if (!imageTypeOf(bytes)) throw new HttpError(400, '这不是图片文件(JPG、PNG、WebP 或 HEIC)');
        const caption = url.searchParams.get('caption')?.trim();
        return delivered(res, await emulator.sendPhoto(user, bytes, caption ? { caption } : {}));
      }
      case 'sample-photo': {
        const { seed } = (await readJson(req)) as { seed?: unknown };
        const caption = typeof seed === 'number' ? SAMPLE_PHOTOS[seed] : undefined;
        if (caption === undefined) throw new HttpError(404, 'no such sample photo');
        // A new picture each time (Telegram gives every upload its own file).
        const bytes = samplePhoto((seed as number) + 10 * ++photoUploads);
        return delivered(res, await emulator.sendPhoto(user, bytes, { caption }));
      }
      case 'location': {
        const body = (await readJson(req)) as { villageId?: unknown; far?: unknown };
        const place = places(deps.campaign).find((v) => v.id === body.villageId);
        if (!place) throw new HttpError(404, 'no such village');
        // Near the village office, or about 8 km away (to show the far_from_village flag).
        const km = body.far === true ? 8 : 0.3;
        return delivered(
          res,
          await emulator.sendLocation(user, { lat: place.lat + km / 111.2, lon: place.lon }),
        );
      }
      case 'sample': {
        const { file } = (await readJson(req)) as { file?: unknown };
        const name = await sampleName(deps.samplesDir, String(file ?? ''));
        const bytes = new Uint8Array(await readFile(join(deps.samplesDir, name)));
        return delivered(res, await emulator.sendDocument(user, name, bytes));
      }
      default:
        throw new HttpError(404, 'not found');
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Another name pointing at 127.0.0.1 (DNS rebinding) gets nothing.
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? ''))
      return void res.writeHead(421).end();
    const work = emulator.handles(url.pathname) ? emulator.handle(req, res) : routes(req, res, url);
    work.catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof EmulatorInputError ? 400 : 500;
      if (status === 500) console.error(err);
      if (res.headersSent) return void res.end();
      json(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  });

  return {
    server,
    async listen(port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      return `http://127.0.0.1:${actual}`;
    },
    async close() {
      unsubscribe();
      unwatchClock();
      clearInterval(keepAlive);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The page's actions carry a custom header: a browser sends one cross-site only after a CORS
 * preflight, which this server never approves, so other sites cannot act in the demo's chats.
 */
function requirePageHeader(req: IncomingMessage) {
  if (req.headers['x-local-demo'] !== '1') throw new HttpError(403, 'forbidden');
}

async function listSamples(dir: string) {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isSampleFile).sort();
  return Promise.all(
    names.map(async (file) => ({
      file,
      size: (await stat(join(dir, file))).size,
      url: `/samples/${encodeURIComponent(file)}`,
    })),
  );
}

/** The village a sample file is for (its name starts with the village's), and who covers it. */
function sampleVillage(campaign: Campaign, file: string) {
  for (const town of campaign.towns) {
    const village = town.villages.find((v) => file.startsWith(v.name));
    if (!village) continue;
    const group = campaign.groups.find((g) => g.townId === town.id);
    return {
      village: village.name,
      town: town.name,
      ...(group ? { groupId: group.id, group: group.name } : {}),
    };
  }
  return {};
}

const isSampleFile = (name: string) => /\.(csv|xlsx)$/i.test(name) && !name.startsWith('.');

/** Only files that are in the folder, by exact name: no paths from the request. */
async function sampleName(dir: string, requested: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  if (!isSampleFile(requested) || !names.includes(requested)) throw new HttpError(404, 'no such sample');
  return requested;
}

async function sendFile(res: ServerResponse, file: string, opts: { download?: string; noCache?: boolean }) {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) throw new HttpError(404, 'not found');
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    ...(opts.download ? { 'content-disposition': attachment(opts.download) } : {}),
    ...(opts.noCache ? { 'cache-control': 'no-cache' } : {}),
  });
  res.end(bytes);
}

/** RFC 6266 with a UTF-8 name (Chinese file names) and an ASCII fallback. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, 'too large');
    chunks.push(c as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, MAX_JSON);
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8') || '{}');
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid json');
}
