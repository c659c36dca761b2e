// The Telegram front end: turns updates into use-case calls and results into messages and inline
// keyboards. It runs in webhook mode (handleUpdate) in Lambda and locally against the emulator.
// One error boundary maps expected refusals to Chinese replies; nothing here touches storage
// except through app/ use cases and the Store port.

import type { Context } from 'telegraf';
import { Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import { ForbiddenError } from '../app/authz';
import type { SummaryFile } from '../app/files';
import { type ListsDeps, ListsError } from '../app/lists';
import type { Button, Clock } from '../app/messaging';
import {
  InviteInputError,
  joinWithInvite,
  PersonDeactivatedError,
  SelfDeactivationError,
} from '../app/people';
import type { FileStore, Store } from '../app/ports';
import { ProblemInputError } from '../app/problems';
import { ReminderInputError } from '../app/reminders';
import { UnknownTownError } from '../app/summaries';
import { ChatError, type Outcome, type SurveyStep, withSession } from '../app/surveys';
import type { Campaign } from '../domain/campaign';
import { hasRole, isGroupRole, rolesOf } from '../domain/grants';
import { InviteUnusableError, isUpdateApplied, NotFoundError, type Person } from '../domain/model';
import { RectificationError } from '../domain/rectification';
import { PROBLEM_STATUS_LABELS } from '../domain/tables/index';
import { ListFileError } from '../ingest/list-file';
import { adminHandlers } from './admin-flow';
import { commandsFor, grantLabel, grantsLabel, scopeLabel } from './labels';
import { roleLabels, t } from './messages';
import { peopleHandlers } from './people-flow';
import { problemHandlers } from './problem-flow';
import { rectificationHandlers } from './rectification-flow';
import { parseCallback, renderStep, type Screen } from './render';
import { asScreen, editScreen, extra, replyScreen, toKeyboard } from './send';
import { surveyHandlers } from './survey-flow';
import { villageHandlers } from './village-flow';

export interface LoggerLike {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export type { SummaryFile };

export interface BotDeps {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  logger?: LoggerLike;
  /** Builds the summary workbooks (wired in functions/ and local/, since bot/ may not import reports/). */
  summaries?: (actor: Person, scope: 'city' | string) => Promise<{ files: SummaryFile[]; text: string }>;
  /**
   * Builds them in the summaries function instead, which sends them to the chat when done (a
   * province's export outlasts the webhook's 29 s). `requestId` (the update id) makes a repeated
   * request deliver once.
   */
  summariesLater?: (actor: Person, scope: 'city' | string, requestId: number) => Promise<void>;
  /** The leader's report package (workbooks + narrative text) for the group's town. */
  groupReport?: (actor: Person, townId: string) => Promise<{ files: SummaryFile[]; text: string }>;
  /** Reminder acknowledgement (已完成/已上传/已提交 buttons); returns the reply to show. */
  acknowledge?: (actor: Person, reminderKey: string) => Promise<string>;
  /** 明日检查村: a leader or liaison names tomorrow's village (the town is asked for its list). */
  tomorrow?: (actor: Person, villageId: string) => Promise<{ requestAt: Date; dueAt: Date }>;
  /** Downloads a Telegram file; defaults to fetch. */
  download?: (url: URL) => Promise<Uint8Array>;
  /** The evidence store (photos, large exports); without it photos are refused with a clear reply. */
  files?: FileStore;
  /** The largest file sent through Telegram (bots may upload 50 MB); larger ones go as a link. */
  documentLimitBytes?: number;
  /** Counts failures as metrics with alarms (functions/metrics.ts): 'UpdatesFailed'. */
  counter?: { count(name: 'UpdatesFailed'): void };
  random?: () => string;
}

export interface BotOptions {
  token: string;
  botInfo: UserFromGetMe;
  apiRoot?: string;
}

/** What every handler gets: the update's context, the person (if enrolled) and the deps. */
export interface Turn {
  ctx: Context;
  deps: BotDeps;
  person: Person;
  updateId: number;
  /** The update id for a session write: only the turn's first write records it. */
  uid(): number | undefined;
  /** The message holding the pressed button, if any (to edit in place). */
  fromButton: boolean;
  send(screen: Screen | string): Promise<void>;
  /** Edit the pressed message when there is one, else send. */
  show(screen: Screen | string): Promise<void>;
  /** Show a survey step: after a button answer the old prompt becomes a one-line record. */
  showStep(outcome: Outcome<SurveyStep>, opts?: { record?: string; inPlace?: boolean }): Promise<void>;
  /** Save the chat screen (and record the update id) without touching the draft. */
  setScreen(screen: string, data?: Record<string, string | number>): Promise<void>;
  listsDeps(): ListsDeps;
}

export type CallbackHandler = (turn: Turn, args: string[]) => Promise<void>;
export type TextHandler = (turn: Turn, text: string) => Promise<void>;

/** A photo (or an image sent as a file, which keeps its EXIF) the person sent. */
export interface IncomingImage {
  fileId: string;
  uniqueId: string;
  size?: number;
  mime: string;
  caption?: string;
}
export type PhotoHandler = (turn: Turn, photo: IncomingImage) => Promise<void>;
export type LocationHandler = (turn: Turn, at: { lat: number; lon: number }) => Promise<void>;

export interface Handlers {
  callbacks: Record<string, CallbackHandler>;
  /** By session screen. */
  texts: Record<string, TextHandler>;
  commands: Record<string, (turn: Turn, payload: string) => Promise<void>>;
  /** Photos by session screen; `survey` takes them while a survey is open, whatever the screen. */
  photos?: Record<string, PhotoHandler>;
  /** A location sent from the spot (the survey's location step). */
  location?: LocationHandler;
}

export { extra, toKeyboard };

export function createBot(deps: BotDeps, options: BotOptions): Telegraf {
  const bot = new Telegraf(options.token, {
    telegram: { webhookReply: false, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.botInfo = options.botInfo;
  const handlers = merge(
    surveyHandlers,
    villageHandlers,
    adminHandlers(options.botInfo.username),
    peopleHandlers,
    problemHandlers,
    rectificationHandlers,
  );
  const log = deps.logger;

  bot.use(async (ctx, next) => {
    const from = ctx.from;
    const updateId = ctx.update.update_id;
    // Private chats only: in a group or channel nothing is read, answered with names or stored
    // (a leader's /surveys would post household names to the group; /start there would store
    // the group as the person's chat). The bot says so once and leaves.
    if (ctx.chat && ctx.chat.type !== 'private') {
      await leaveNonPrivate(ctx, log);
      return;
    }
    if (ctx.myChatMember) return; // blocked or unblocked in a private chat: the next message says
    // An edited message is not an answer: say so, rather than let them believe "5200" replaced "52000".
    if (ctx.editedMessage) {
      await ctx.reply(t.editedIgnored).catch(() => undefined);
      return;
    }
    // A button with no message under it (inline mode, which the bot does not use, or a forged
    // update) has no chat to answer in: a toast, and nothing else.
    if (ctx.callbackQuery && !ctx.callbackQuery.message) {
      await ctx.answerCbQuery(t.unknownButton).catch(() => undefined);
      return;
    }
    if (!from || from.is_bot) return;
    let answered = false;
    const answerCb = async (text?: string) => {
      if (answered || !ctx.callbackQuery) return;
      answered = true;
      await ctx.answerCbQuery(text).catch(() => undefined);
    };
    try {
      const person = await deps.store.getPerson(String(from.id));
      if (person && isUpdateApplied(person, updateId)) {
        log?.info('duplicate update ignored', { updateId, personId: person.id });
        await answerCb();
        return;
      }
      if (!person) {
        await handleStranger(ctx, deps, updateId);
        await answerCb();
        return;
      }
      if (person.deactivated) {
        // Nothing a deactivated person sends is acted on; they are told why, every time.
        log?.info('update from a deactivated person', { updateId, personId: person.id });
        if (ctx.callbackQuery) await answerCb(t.deactivated.slice(0, 190));
        else await ctx.reply(t.deactivated).catch(() => undefined);
        return;
      }
      log?.info('update', { updateId, personId: person.id, kind: updateKind(ctx) });
      // Writing to the bot again means Telegram delivers to them again: reminders resume.
      const reachable = person.unreachable
        ? await deps.store.savePerson({ ...person, unreachable: false }, person.version)
        : person;
      const turn = makeTurn(ctx, deps, reachable, updateId);
      // Record the update before any side effect (a summary sent, an invite created, a list
      // stored, a sign-off): Telegram retries an update that timed out, possibly while the first
      // delivery is still running; only one of them gets past this write.
      if (claimsFirst(ctx, turn.person)) {
        const claimed = await withSession(
          { store: deps.store, clock: deps.clock },
          turn.person,
          updateId,
          (p) => ({
            session: p.session,
            result: undefined,
          }),
        );
        if (claimed.duplicate) {
          log?.info('duplicate update ignored', { updateId, personId: person.id });
          await answerCb();
          return;
        }
        turn.person = claimed.person;
      }
      await route(turn, handlers, answerCb);
      await answerCb();
    } catch (err) {
      const reply = replyFor(err);
      if (reply === t.failed) {
        deps.counter?.count('UpdatesFailed');
        log?.error('update failed', {
          updateId,
          error: err instanceof Error ? err.name : 'unknown',
          // Stack and message only: they carry ids, never answers (see the store's errors).
          message: err instanceof Error ? err.message : undefined,
        });
      } else {
        log?.info('update refused', { updateId, reason: err instanceof Error ? err.name : 'unknown' });
      }
      if (ctx.callbackQuery) {
        await answerCb(reply.length <= 190 ? reply : undefined);
        if (reply.length > 190 || reply === t.failed) await ctx.reply(reply).catch(() => undefined);
      } else {
        await ctx.reply(reply).catch(() => undefined);
      }
    }
    void next;
  });
  return bot;
}

/**
 * Survey taps record their update id in the one write they make (the answer and the id together:
 * the per-tap budget); a multi-choice toggle writes nothing. Everything else records the update
 * first, in a write of its own, before it does anything a repeat must not do again.
 */
const SELF_RECORDING_BUTTONS = new Set([
  'c',
  'pf',
  'nil',
  'kp',
  'md',
  'bk',
  'ps',
  'cf',
  'cx',
  'rv',
  'eq',
  'sb',
  'hs',
  'vs',
  'op',
  'mt',
  'noop',
]);

function claimsFirst(ctx: Context, person: Person): boolean {
  if (ctx.callbackQuery) {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    return !SELF_RECORDING_BUTTONS.has(parseCallback(data ?? '').kind);
  }
  const message = ctx.message;
  const inSurvey = (person.session.screen ?? 'home') === 'survey' && person.session.draft !== undefined;
  if (message && 'text' in message && !message.text.trim().startsWith('/')) {
    // A typed answer to the open survey is recorded with the answer.
    return !inSurvey;
  }
  // A photo or the location sent into the open survey is recorded with it too: the photo's object
  // key follows its file's unique id (a repeat puts the same object again) and the draft keeps a
  // photo once by that id, so the one session write is the only thing a repeat could do twice.
  if (message && ('photo' in message || 'location' in message)) return !inSurvey;
  return true;
}

function updateKind(ctx: Context): string {
  if (ctx.callbackQuery) return 'callback';
  if (ctx.message && 'document' in ctx.message) return 'document';
  if (ctx.message && 'text' in ctx.message) return ctx.message.text.startsWith('/') ? 'command' : 'text';
  return 'other';
}

async function handleStranger(ctx: Context, deps: BotDeps, updateId: number) {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  const m = /^\/start(?:@\w+)?\s+(\S+)/.exec(text);
  if (!m?.[1] || !ctx.from || !ctx.chat) {
    await ctx.reply(t.notEnrolled);
    return;
  }
  await join(ctx, deps, m[1], updateId);
}

/**
 * `/start <code>`. A stranger joins at once; someone already enrolled is asked first, with what
 * they hold and what the invite would add (the invite stays unused until they accept).
 */
async function join(
  ctx: Context,
  deps: BotDeps,
  code: string,
  /** Undefined when the update was recorded already (an enrolled person's turn claims first). */
  updateId: number | undefined,
) {
  if (!ctx.from || !ctx.chat) return;
  // Telegram's deep-link parameter is 1–64 of A–Z a–z 0–9 _ -: anything else typed after /start
  // (3,000 characters, another alphabet) is no invite, and never becomes a key to look up.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(code)) {
    await ctx.reply(t.inviteUnknown);
    return;
  }
  const sdeps = { store: deps.store, clock: deps.clock };
  const who = {
    userId: ctx.from.id,
    chatId: ctx.chat.id,
    ...(ctx.from.first_name ? { firstName: ctx.from.first_name } : {}),
  };
  const result = await joinWithInvite(sdeps, who, code);
  if (result.kind === 'confirm') {
    const out = await withSession(sdeps, result.person, updateId, (p) => ({
      session: { ...p.session, screen: 'confirm_grant', data: { code } },
      result: undefined,
    }));
    if (out.duplicate) return;
    await ctx.reply(
      t.confirmGrant(grantsLabel(deps.campaign, result.person), grantLabel(deps.campaign, result.grant)),
      {
        reply_markup: {
          inline_keyboard: [
            [
              { text: t.buttons.acceptGrant, callback_data: 'ja' },
              { text: t.buttons.declineGrant, callback_data: 'jn' },
            ],
          ],
        },
      },
    );
    return;
  }
  // Record this update as processed, so a retried /start does not greet twice.
  const recorded = await withSession(sdeps, result.person, updateId, (p) => ({
    session: { ...p.session, screen: 'home' },
    result: undefined,
  }));
  // A repeated /start (Telegram retrying) greets once.
  if (recorded.duplicate) return;
  const current = recorded.duplicate ? result.person : recorded.person;
  if (result.kind === 'already') {
    await ctx.reply(t.alreadyJoined(grantLabel(deps.campaign, result.grant)));
    return;
  }
  await ctx.reply(
    t.joined(
      roleLabels[result.grant.role],
      scopeLabel(deps.campaign, result.grant.groupId, result.grant.townId),
    ),
  );
  await afterGrantChange(ctx, current);
}

/** The accept button of an invite for someone already enrolled (the code waits in the session). */
export async function acceptGrant(turn: Turn) {
  const { ctx, deps } = turn;
  const code =
    turn.person.session.screen === 'confirm_grant' ? String(turn.person.session.data?.code ?? '') : '';
  if (!code || !ctx.from || !ctx.chat) {
    await turn.send(t.unknownButton);
    return;
  }
  const result = await joinWithInvite(
    { store: deps.store, clock: deps.clock },
    {
      userId: ctx.from.id,
      chatId: ctx.chat.id,
      ...(ctx.from.first_name ? { firstName: ctx.from.first_name } : {}),
    },
    code,
    { confirmed: true },
  );
  turn.person = result.person;
  await turn.setScreen('home');
  await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
  if (result.kind === 'already') {
    await turn.send(t.alreadyJoined(grantLabel(deps.campaign, result.grant)));
    return;
  }
  await turn.send(
    t.grantAdded(grantLabel(deps.campaign, result.grant), grantsLabel(deps.campaign, turn.person)),
  );
  await afterGrantChange(ctx, turn.person);
}

async function afterGrantChange(ctx: Context, person: Person) {
  if (!ctx.chat) return;
  await ctx.telegram
    .setMyCommands(commandsFor(rolesOf(person)), { scope: { type: 'chat', chat_id: ctx.chat.id } })
    .catch(() => undefined);
  const home = homeScreen(person);
  await ctx.reply(home.text, extra(home));
}

export { commandsFor, grantLabel, grantsLabel, scopeLabel } from './labels';

export function homeScreen(person: Person): Screen {
  const rows: Button[][] = [];
  const group = rolesOf(person).some(isGroupRole);
  if (group)
    rows.push([
      { text: '🏘 选择村', data: 'm:villages' },
      { text: '▶️ 继续问卷', data: 'm:resume' },
    ]);
  if (hasRole(person, 'town_contact') && !group) rows.push([{ text: '📤 上传名单', data: 'm:villages' }]);
  if (hasRole(person, 'leader')) {
    rows.push([
      { text: '📋 组内问卷', data: 'm:surveys' },
      { text: '✍️ 报告签发', data: 'm:report' },
    ]);
  }
  if (hasRole(person, 'leader', 'liaison')) rows.push([{ text: '📅 明日检查村', data: 'm:tomorrow' }]);
  if (group || hasRole(person, 'office')) rows.push([{ text: '📝 记录问题', data: 'm:problem' }]);
  if (hasRole(person, 'office')) {
    rows.push([
      { text: '📊 汇总表', data: 'm:summary' },
      { text: '🔗 邀请', data: 'm:invite' },
    ]);
    rows.push([
      { text: '🧾 县级数据', data: 'm:figures' },
      { text: '✅ 签发情况', data: 'm:signoffs' },
    ]);
    rows.push([{ text: '👥 人员与权限', data: 'm:people' }]);
  }
  return { text: t.home, buttons: rows };
}

export function helpText(person: Person): string {
  const roles = rolesOf(person);
  const lines = commandsFor(roles)
    .map((c) => (c.command === 'villages' && !roles.some((r) => r !== 'town_contact') ? 'upload' : c.command))
    .filter((c): c is keyof typeof t.helpLine => c in t.helpLine)
    .map((c) => t.helpLine[c]);
  // How to answer a survey is for those who fill surveys (a group's members, or the office's figures).
  return t.help(lines, roles.some(isGroupRole));
}

function makeTurn(ctx: Context, deps: BotDeps, initial: Person, updateId: number): Turn {
  const sdeps = { store: deps.store, clock: deps.clock };
  const turn: Turn = {
    ctx,
    deps,
    person: initial,
    updateId,
    fromButton: Boolean(ctx.callbackQuery),
    uid: () => (isUpdateApplied(turn.person, updateId) ? undefined : updateId),
    async send(s) {
      await replyScreen(ctx, s);
    },
    async show(s) {
      const screen = asScreen(s);
      // A reply keyboard (the location button) cannot be put on an edited message: send it. A
      // message too old to edit or unchanged is sent anew too.
      if (ctx.callbackQuery && !screen.reply && !screen.removeKeyboard && (await editScreen(ctx, screen)))
        return;
      await turn.send(screen);
    },
    async showStep(outcome, opts = {}) {
      if (outcome.duplicate) return;
      turn.person = outcome.person;
      const screen = renderStep(deps.campaign, outcome.result);
      if (ctx.callbackQuery && opts.inPlace) return turn.show(screen);
      if (ctx.callbackQuery && opts.record) {
        await ctx.editMessageText(opts.record).catch(() => undefined);
      }
      await turn.send(screen);
    },
    async setScreen(screen, data) {
      // A turn may save the session more than once; only the first write records the update id.
      const out = await withSession(sdeps, turn.person, turn.uid(), (p) => ({
        session: { ...p.session, screen, ...(data ? { data } : { data: {} }) },
        result: undefined,
      }));
      if (!out.duplicate) turn.person = out.person;
    },
    listsDeps() {
      return { store: deps.store, clock: deps.clock, ...(deps.random ? { random: deps.random } : {}) };
    },
  };
  return turn;
}

/**
 * A group, supergroup or channel: a button pressed there gets a toast, a message (or the bot being
 * added) one reply; then the bot leaves. Only the chat's type is logged, never who or what.
 */
async function leaveNonPrivate(ctx: Context, log: LoggerLike | undefined) {
  const chat = ctx.chat;
  if (!chat) return;
  log?.info('update from a non-private chat', { updateId: ctx.update.update_id, chatType: chat.type });
  const added = ctx.myChatMember?.new_chat_member;
  if (ctx.myChatMember && added?.status !== 'member' && added?.status !== 'administrator') return;
  if (ctx.callbackQuery) await ctx.answerCbQuery(t.privateOnlyToast).catch(() => undefined);
  else if (chat.type !== 'channel')
    await ctx.telegram.sendMessage(chat.id, t.privateOnly).catch(() => undefined);
  await ctx.telegram.leaveChat(chat.id).catch(() => undefined);
}

async function route(turn: Turn, handlers: Handlers, answerCb: (text?: string) => Promise<void>) {
  const { ctx } = turn;
  if (ctx.callbackQuery) {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    const { kind, args } = parseCallback(data ?? '');
    // Own properties only: forged data such as "__proto__" or "constructor" is an unknown button.
    const handler = Object.hasOwn(handlers.callbacks, kind) ? handlers.callbacks[kind] : undefined;
    if (!handler) {
      await answerCb(t.unknownButton);
      return;
    }
    await handler(turn, args);
    return;
  }
  const message = ctx.message;
  if (!message) return;
  const screen = turn.person.session.screen ?? 'home';
  const forwarded = 'forward_origin' in message || 'forward_date' in message || 'forward_from' in message;
  const image = imageOf(message);
  if (forwarded && (image || 'location' in message)) {
    // Evidence must be sent from the spot, not passed on from elsewhere.
    await turn.send(t.forwardedRefused);
    return;
  }
  if (image) {
    const photo =
      handlers.photos?.[screen] ?? (turn.person.session.draft ? handlers.photos?.survey : undefined);
    if (photo) await photo(turn, image);
    // A picture is never a household list, whatever screen is open.
    else await turn.send(screen === 'upload' ? t.uploadNotDocument : t.photoNoSurvey);
    return;
  }
  if ('document' in message) {
    await (handlers.callbacks.__document ?? (async () => turn.send(t.uploadNotExpected)))(turn, []);
    return;
  }
  if ('photo' in message) {
    await turn.send(screen === 'upload' ? t.uploadNotDocument : t.photoNoSurvey);
    return;
  }
  if ('location' in message) {
    if (handlers.location && turn.person.session.draft)
      await handlers.location(turn, { lat: message.location.latitude, lon: message.location.longitude });
    else await turn.send(t.unknownText);
    return;
  }
  if (!('text' in message)) {
    // A sticker, a voice message, a video …: nothing of the survey changes, and they are told so.
    await turn.send(turn.person.session.draft ? t.mediaNotAccepted : t.unknownText);
    return;
  }
  const text = message.text.trim();
  const cmd = /^\/(\w+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text);
  if (cmd?.[1]) {
    const name = cmd[1].toLowerCase();
    if (name === 'start' && cmd[2]) {
      await join(ctx, turn.deps, cmd[2].trim(), turn.uid());
      return;
    }
    const command = handlers.commands[name];
    if (command) {
      await command(turn, cmd[2]?.trim() ?? '');
      return;
    }
    await turn.send(helpText(turn.person));
    return;
  }
  // A text answers what the chat last asked for; with no such screen it answers the open survey.
  const handler = handlers.texts[screen] ?? (turn.person.session.draft ? handlers.texts.survey : undefined);
  if (handler) await handler(turn, text);
  else await turn.send(t.unknownText);
}

/** The image in a message: the largest size of a photo, or a file whose type is an image. */
function imageOf(message: NonNullable<Context['message']>): IncomingImage | undefined {
  const caption = 'caption' in message && message.caption ? { caption: message.caption } : {};
  if ('photo' in message && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => ((b.file_size ?? 0) > (a.file_size ?? 0) ? b : a));
    return {
      fileId: largest.file_id,
      uniqueId: largest.file_unique_id,
      ...(largest.file_size !== undefined ? { size: largest.file_size } : {}),
      mime: 'image/jpeg',
      ...caption,
    };
  }
  if ('document' in message && message.document.mime_type?.startsWith('image/')) {
    const d = message.document;
    return {
      fileId: d.file_id,
      uniqueId: d.file_unique_id,
      ...(d.file_size !== undefined ? { size: d.file_size } : {}),
      mime: d.mime_type ?? 'image/jpeg',
      ...caption,
    };
  }
  return undefined;
}

function merge(...parts: Handlers[]): Handlers {
  const merged: Handlers = {
    callbacks: Object.assign({}, ...parts.map((p) => p.callbacks)),
    texts: Object.assign({}, ...parts.map((p) => p.texts)),
    commands: Object.assign({}, ...parts.map((p) => p.commands)),
    photos: Object.assign({}, ...parts.map((p) => p.photos ?? {})),
    ...(parts.find((p) => p.location)?.location ? { location: parts.find((p) => p.location)?.location } : {}),
  };
  // Menu buttons (m:<command>) do what the command does.
  merged.callbacks.m = async (turn, [name]) => {
    const command = name ? merged.commands[name] : undefined;
    if (command) await command(turn, '');
    else await turn.send(t.unknownButton);
  };
  merged.callbacks.cn = async (turn) => merged.commands.cancel?.(turn, '');
  merged.callbacks.ja = (turn) => acceptGrant(turn);
  merged.callbacks.jn = async (turn) => {
    await turn.setScreen('home');
    await turn.show(t.grantDeclined);
  };
  merged.commands.start = async (turn) => turn.send(homeScreen(turn.person));
  merged.commands.help = async (turn) => turn.send(helpText(turn.person));
  merged.commands.menu = merged.commands.start;
  return merged;
}

/** The one place expected refusals become Chinese replies. */
export function replyFor(err: unknown): string {
  if (err instanceof ChatError) {
    const map: Record<ChatError['code'], string> = {
      no_open_survey: t.noOpenSurvey,
      stale_button: t.staleButton,
      unknown_village: t.unknownVillage,
      no_sample: t.noSample,
      not_in_sample: t.notInSample,
      survey_taken: t.surveyTaken,
      survey_locked: t.surveyLocked,
      not_submittable: t.notSubmittable(Number(err.detail?.missing ?? 1)),
      not_returnable: t.notReturnable,
      not_found: t.unknownButton,
      in_review: t.inReview,
      no_longer_covered: t.noLongerCovered,
      household_replaced: t.householdReplaced,
      evidence_missing: t.evidenceMissing,
    };
    return map[err.code];
  }
  if (err instanceof PersonDeactivatedError) return t.deactivated;
  if (err instanceof SelfDeactivationError) return t.cannotDeactivateSelf;
  if (err instanceof ForbiddenError) return t.forbidden;
  if (err instanceof ListsError || err instanceof ListFileError) return err.message;
  if (err instanceof ProblemInputError) {
    if (err.reason === 'vague') return t.problemVague;
    if (err.reason === 'too_short') return t.problemTooShort;
    return t.problemRefusals[err.reason];
  }
  if (err instanceof RectificationError) {
    const r = t.rectificationRefusals;
    return err.reason === 'not_now' ? r.not_now(PROBLEM_STATUS_LABELS[err.status ?? 'open']) : r[err.reason];
  }
  if (err instanceof InviteUnusableError)
    return err.reason === 'used'
      ? t.inviteUsed
      : err.reason === 'cancelled'
        ? t.inviteCancelled
        : t.inviteExpired;
  if (err instanceof NotFoundError && err.entity === 'invite') return t.inviteUnknown;
  if (err instanceof InviteInputError) return t.unknownButton;
  if (err instanceof ReminderInputError)
    return err.reason === 'unknown_reminder' ? t.unknownButton : t.tomorrowInvalid;
  if (err instanceof UnknownTownError) return t.unknownButton;
  // A button's id that no stored item can have (store/keys.ts; by name: bot/ does not import store/).
  if (err instanceof Error && err.name === 'InvalidKeyError') return t.unknownButton;
  return t.failed;
}
