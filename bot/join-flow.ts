// Joining with an invite: `/start <code>` from a stranger (joins at once) or from someone already
// enrolled (asked first, with what they hold and what the invite adds), and the accept button.

import type { Context } from 'telegraf';
import { inviteIdOf, joinWithInvite } from '../app/people';
import { withSession } from '../app/surveys';
import { rolesOf } from '../domain/grants';
import type { Person } from '../domain/model';
import { homeScreen } from './home';
import { commandsFor, grantLabel, grantsLabel, scopeLabel } from './labels';
import { roleLabels, t } from './messages';
import { extra } from './send';
import type { BotDeps, Turn } from './turn';

export async function handleStranger(ctx: Context, deps: BotDeps, updateId: number) {
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
export async function join(
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
              // Names its invite: accepting under one invite's question never takes another's.
              { text: t.buttons.acceptGrant, callback_data: `ja:${inviteIdOf(code)}` },
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
export async function acceptGrant(turn: Turn, inviteId: string | undefined) {
  const { ctx, deps } = turn;
  const code =
    turn.person.session.screen === 'confirm_grant' ? String(turn.person.session.data?.code ?? '') : '';
  if (!code || inviteIdOf(code) !== inviteId || !ctx.from || !ctx.chat) {
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
