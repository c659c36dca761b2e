// The Telegram front end: turns updates into use-case calls and results into messages and inline
// keyboards. It runs in webhook mode (handleUpdate) in Lambda and locally against the emulator.
// One error boundary maps expected refusals to Chinese replies; nothing here touches storage
// except through app/ use cases and the Store port.

import type { Context } from 'telegraf';
import { Telegraf } from 'telegraf';
import { ForbiddenError } from '../app/authz';
import {
  InviteInputError,
  ListsError,
  PersonDeactivatedError,
  ProblemInputError,
  ReminderInputError,
  SelfDeactivationError,
  UnknownTownError,
} from '../app/errors';
import { ChatError, withSession } from '../app/surveys';
import { InviteUnusableError, isUpdateApplied, NotFoundError, type Person } from '../domain/model';
import { RectificationError } from '../domain/rectification';
import { PROBLEM_STATUS_LABELS } from '../domain/tables/table5';
import { ListFileError } from '../ingest/list-file-error';
import { helpText } from './home';
import { t } from './messages';
import { parseCallback, renderStep } from './render';
import { routeTable } from './routes';
import { asScreen, editScreen, replyScreen } from './send';
import type { BotDeps, BotOptions, Handlers, IncomingImage, LoggerLike, Turn } from './turn';

export { commandsFor, scopeLabel } from './labels';
// What callers outside bot/ build the bot with (functions/, local/, tests).
export type { BotDeps, BotOptions, LoggerLike, SummaryFile } from './turn';

export function createBot(deps: BotDeps, options: BotOptions): Telegraf {
  const bot = new Telegraf(options.token, {
    telegram: { webhookReply: false, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.botInfo = options.botInfo;
  const handlers = routeTable(options.botInfo.username);
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
        // Enrolment is a lazy chunk (bot/routes.ts): loaded by a stranger's first update.
        await (await import('./join-flow')).handleStranger(ctx, deps, updateId);
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

/**
 * Screens that wait for a typed reply (or a file) outside a survey, with the buttons that carry
 * their flow on. Anything else the person does — a command, a menu, another button — leaves the
 * prompt first, so a text typed later is never taken for it: a survey answer typed after /resume
 * was the reason to replace a sampled household, and a file sent from another village's screen
 * was stored as the list of the village whose 上传名单 had been tapped before.
 */
const PROMPTS: Readonly<Record<string, readonly string[]>> = {
  onsite_name: [],
  onsite_reason: [],
  replace_note: [],
  upload: [],
  list_replace: ['lr', 'lk'],
  signoff_reason: ['sk'],
  confirm_grant: ['ja', 'jn'],
  return_reason: ['rt', 'rc', 'rq'],
  problem: ['ph'],
  problem_desc: [],
  problem_photo: [],
  problem_edit: [],
  rect_measures: [],
  rect_responsible: [],
  rect_done: [],
  rect_date: [],
  rect_delay_reason: [],
  rect_reject: [],
};

/** Leave a pending prompt unless `kind` (a button's) continues it; one write, only when one is pending. */
async function leavePrompt(turn: Turn, kind?: string) {
  const screen = turn.person.session.screen;
  const keep = screen !== undefined && Object.hasOwn(PROMPTS, screen) ? PROMPTS[screen] : undefined;
  if (!keep || (kind !== undefined && keep.includes(kind))) return;
  await turn.setScreen(turn.person.session.draft ? 'survey' : 'home');
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
    await leavePrompt(turn, kind);
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
    await (handlers.document ?? (async () => turn.send(t.uploadNotExpected)))(turn);
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
    const command = Object.hasOwn(handlers.commands, name) ? handlers.commands[name] : undefined;
    if (command) {
      await leavePrompt(turn);
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
      changed_since_shown: t.surveyChangedSinceShown,
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
      : err.reason === 'used_before'
        ? t.inviteUsedBefore
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
