// Invites, summaries, the office figures form, the group report and reminder acknowledgements.
// (Problems and proposals are bot/problem-flow.ts.)

import { can, ForbiddenError, isOffice } from '../app/authz';
import { ReminderInputError } from '../app/errors';
import { deliveryOf } from '../app/files';
import {
  leaderReportState,
  MIN_SIGN_OFF_REASON,
  type ReportState,
  reportTownOf,
  type ShownReport,
  SignOffError,
  signOffGroupReport,
  signOffStatus,
} from '../app/group-report';
import type { Button } from '../app/messaging';
import { createInvite, INVITE_DAYS } from '../app/people';
import { ChatError, ledGroups, surveyIdFor } from '../app/surveys';
import { ROLES, type Role } from '../domain/campaign';
import { formatInstant, formatLocalDate } from '../domain/dates';
import { groupsOf } from '../domain/grants';
import { wordingTag } from '../domain/proposals';
import { addDays, localDate } from '../domain/reminders';
import { scopeLabel } from './labels';
import { roleLabels, t } from './messages';
import { btn, chunk, fileLinkMessage, prompt } from './render';
import { openAndShow } from './survey-flow';
import type { Handlers, SummaryFile, Turn } from './turn';

async function inviteMenu(turn: Turn) {
  if (!isOffice(turn.person)) throw new ForbiddenError('invite', turn.person.id);
  await turn.show({
    text: t.chooseInviteRole,
    buttons: chunk(
      ROLES.map((r) => btn(roleLabels[r], 'ir', r)),
      2,
    ),
  });
}

async function issueInvite(turn: Turn, botUsername: string, role: Role, groupId?: string, townId?: string) {
  const invite = await createInvite(turn.deps, turn.person, turn.deps.campaign, {
    role,
    ...(groupId ? { groupId } : {}),
    ...(townId ? { townId } : {}),
  });
  const link = `https://t.me/${botUsername}?start=${invite.code}`;
  await turn.setScreen('home');
  await turn.show(
    t.inviteCreated(roleLabels[role], scopeLabel(turn.deps.campaign, groupId, townId), link, INVITE_DAYS),
  );
}

async function summaryMenu(turn: Turn) {
  const towns = turn.deps.campaign.towns.filter((tw) =>
    can.buildSummary(turn.person, turn.deps.campaign, tw.id),
  );
  const rows: Button[][] = [];
  if (isOffice(turn.person)) rows.push([btn(t.buttons.city, 'sm', 'city')]);
  rows.push(
    ...chunk(
      towns.map((tw) => btn(tw.name, 'sm', tw.id)),
      3,
    ),
  );
  await turn.show({ text: t.chooseSummaryScope, buttons: rows });
}

/**
 * Each file as a document; a stored export too large for Telegram as a link that expires (the
 * file itself expires from the bucket's exports/ within a day: infra/stack.ts).
 */
async function sendFiles(turn: Turn, files: readonly SummaryFile[]) {
  for (const f of files) {
    const d = await deliveryOf(turn.deps.files, f, turn.deps.clock.now(), turn.deps.documentLimitBytes);
    if (d.kind === 'document') {
      await turn.ctx.replyWithDocument(
        { source: Buffer.from(d.bytes), filename: f.fileName },
        f.caption ? { caption: f.caption } : {},
      );
    } else {
      await turn.send(fileLinkMessage(turn.deps.campaign, f.fileName, d));
    }
  }
}

const localTime = (turn: Turn, iso: string | Date) =>
  formatInstant(new Date(iso), turn.deps.campaign.timeZone);

/** /figures: the form, or — once submitted — when, and a button to correct them. */
async function figures(turn: Turn) {
  if (!isOffice(turn.person)) throw new ForbiddenError('office.figures', turn.person.id);
  const id = surveyIdFor(turn.deps.campaign.id, { kind: 'office' });
  const survey = await turn.deps.store.getSurvey(id);
  const open = turn.person.session.draft?.surveyId === id;
  if (survey?.status !== 'submitted' || open) return openAndShow(turn, { kind: 'office' });
  const corrected = survey.resubmittedAt ? t.figuresCorrected(localTime(turn, survey.resubmittedAt)) : '';
  // Another office user's paused correction: whoever submits first decides, the other is told.
  const others = Object.keys(survey.pendingEdits ?? {}).filter((id) => id !== turn.person.id).length;
  await turn.show({
    text: `${t.figuresSubmitted(localTime(turn, survey.submittedAt ?? survey.updatedAt))}${corrected}${
      (survey.pendingEdits?.[turn.person.id] ?? survey.pendingEdit) ? `\n${t.figuresPendingEdit}` : ''
    }${others > 0 ? `\n${t.figuresOthersEditing(others)}` : ''}`,
    buttons: [[btn(t.buttons.correctFigures, 'fo')]],
  });
}

/** A leader of several groups picks the group first. */
async function chooseLedGroup(turn: Turn, kind: string): Promise<boolean> {
  const led = ledGroups(turn.person, turn.deps.campaign);
  if (led.length <= 1) return false;
  await turn.show({
    text: t.chooseLedGroup,
    buttons: chunk(
      led.map((g) => btn(g.name, kind, g.id)),
      3,
    ),
  });
  return true;
}

async function groupReport(turn: Turn, groupId?: string) {
  if (groupId === undefined && (await chooseLedGroup(turn, 'rg'))) return;
  const townId = reportTownOf(turn.person, turn.deps.campaign, groupId);
  if (!turn.deps.groupReport) {
    await turn.send(t.summaryUnavailable);
    return;
  }
  await turn.send(t.reportBuilding);
  // Taken before any fact is read: whatever changes after it is not in what the leader sees.
  const shownAt = turn.deps.clock.now();
  const pkg = await turn.deps.groupReport(turn.person, townId);
  const town = turn.deps.campaign.towns.find((tw) => tw.id === townId)?.name ?? '';
  await turn.send(`${t.reportIntro(town)}\n\n${pkg.text}`);
  await sendFiles(turn, pkg.files);
  const group = turn.deps.campaign.groups.find((g) => g.townId === townId)?.id ?? '';
  const state = await leaderReportState(turn.deps, turn.person, turn.deps.campaign, group);
  await turn.send({
    text: [completenessText(state), '', statusText(turn, state), '', t.reportSignPrompt].join('\n'),
    buttons:
      state.signOff && state.done
        ? []
        : [[btn(t.buttons.signOff, 'so', group, shownAt.getTime().toString(36), state.missing)]],
  });
}

/** The package a 签发 button was under, from its data (absent on a button from before). */
function shownFrom(at36: string | undefined, missing: string | undefined): ShownReport | undefined {
  const ms = at36 ? Number.parseInt(at36, 36) : Number.NaN;
  const n = Number(missing);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(n)) return undefined;
  return { at: new Date(ms).toISOString(), missing: n };
}

/** Submitted of sampled, village by village, and what is still missing. */
function completenessText(state: ReportState): string {
  if (state.villages.length === 0) return t.reportNoVillages;
  const lines = state.villages.map((v) =>
    t.reportVillageLine(v.name, v.submitted, v.sampled, v.villageSurveySubmitted),
  );
  return [
    t.reportCompleteness,
    ...lines,
    state.missing > 0 ? t.reportMissing(state.missing) : t.reportComplete,
  ].join('\n');
}

function statusText(turn: Turn, state: ReportState): string {
  if (!state.signOff?.at) return t.reportNotSigned;
  const at = localTime(turn, state.signOff.at);
  if (state.changedSince) return t.reportChanged(at, state.changedSince.surveys, state.changedSince.problems);
  return state.signOff.missing ? t.reportSignedIncomplete(at, state.signOff.missing) : t.reportSigned(at);
}

async function signOffs(turn: Turn) {
  const status = await signOffStatus(turn.deps, turn.person, turn.deps.campaign);
  const lines = status.map((s) => {
    const group = turn.deps.campaign.groups.find((g) => g.id === s.groupId)?.name ?? s.groupId;
    const town = turn.deps.campaign.towns.find((tw) => tw.id === s.townId)?.name ?? s.townId;
    return `${t.signOffLine(group, town, s.signOff?.at ? localTime(turn, s.signOff.at) : undefined, s.changedSince !== undefined)}${
      s.signOff?.missing ? t.signOffIncomplete(s.signOff.missing, s.signOff.reason ?? '') : ''
    }`;
  });
  await turn.show([t.signOffTitle, ...lines].join('\n'));
}

/**
 * 签发 of the package shown: straight away when nothing is missing; otherwise asked, with a
 * reason. A package that changed since it was shown (or a button that does not say which package
 * it was under) is not signed: the leader is told what changed and shown the package anew.
 */
async function signOff(
  turn: Turn,
  groupId: string | undefined,
  shown: ShownReport | undefined,
  reason?: string,
) {
  // Whose report it is comes first: a forged or foreign button is refused, not answered with a report.
  reportTownOf(turn.person, turn.deps.campaign, groupId);
  if (!shown) {
    await keepReason(turn, groupId, reason);
    await turn.send(reasonKept(t.reportButtonOutdated, groupId, reason));
    await groupReport(turn, groupId);
    return;
  }
  try {
    const s = await signOffGroupReport(turn.deps, turn.person, turn.deps.campaign, groupId, {
      shown,
      ...(reason ? { reason } : {}),
    });
    await turn.setScreen('home');
    await turn.show(
      s.missing
        ? t.signedOffIncomplete(localTime(turn, s.at ?? ''), s.missing)
        : t.signedOff(s.at ? localTime(turn, s.at) : ''),
    );
  } catch (err) {
    if (!(err instanceof SignOffError)) throw err;
    if (err.reason === 'changed') {
      await keepReason(turn, groupId, reason);
      await turn.send(
        reasonKept(
          t.reportChangedSinceShown(err.changes?.surveys ?? 0, err.changes?.problems ?? 0),
          groupId,
          reason,
        ),
      );
      await groupReport(turn, groupId);
      return;
    }
    const state = await leaderReportState(turn.deps, turn.person, turn.deps.campaign, groupId);
    // A reason typed for a package that changed before it was signed is offered again, not lost.
    const kept = reason ? undefined : keptReasonOf(turn, state.groupId);
    await turn.setScreen('signoff_reason', {
      groupId: state.groupId,
      shownAt: shown.at,
      shownMissing: shown.missing,
      ...(kept ? { keptReason: kept } : {}),
    });
    const ask = prompt(
      `${completenessText(state)}\n\n${reason ? t.signOffReasonTooShort : t.signOffAskReason(state.missing)}${
        kept ? `\n\n${t.signOffKeptReason(kept)}` : ''
      }`,
    );
    // The button names the package and the reason its message showed: it signs only those.
    const useKept = kept
      ? btn(
          t.buttons.signWithKeptReason,
          'sk',
          state.groupId,
          new Date(shown.at).getTime().toString(36),
          shown.missing,
          wordingTag(kept),
        )
      : undefined;
    await turn.show(useKept ? { ...ask, buttons: [[useKept], ...(ask.buttons ?? [])] } : ask);
  }
}

/** Whether a reason is one the sign-off would take (so worth keeping). */
const usableReason = (reason: string | undefined): reason is string =>
  reason !== undefined && [...reason.trim()].length >= MIN_SIGN_OFF_REASON;

/** How long a reason typed for a refused 签发 is offered again. */
const KEPT_REASON_MS = 60 * 60_000;

/**
 * A reason the leader typed, kept with their home screen when its 签发 was refused because the
 * package changed: the next 签发 of that group within the hour that needs a reason offers it with
 * one button. A refusal of a 签发 without a reason keeps the one already kept.
 */
async function keepReason(turn: Turn, groupId: string | undefined, reason: string | undefined) {
  const data = turn.person.session.data ?? {};
  // A new reason is kept from now; otherwise the one already kept stays, with its own time.
  const kept = usableReason(reason)
    ? { keptReason: reason.trim(), keptAt: turn.deps.clock.now().getTime() }
    : groupId !== undefined && keptReasonOf(turn, groupId) !== undefined
      ? { keptReason: String(data.keptReason), keptAt: Number(data.keptAt) }
      : undefined;
  await turn.setScreen('home', kept && groupId !== undefined ? { ...kept, keptGroup: groupId } : undefined);
}

function reasonKept(text: string, groupId: string | undefined, reason: string | undefined): string {
  return usableReason(reason) && groupId !== undefined ? `${text}\n${t.signOffReasonKept}` : text;
}

/** The reason kept for this group's next 签发: until the leader's screen changes, for an hour. */
function keptReasonOf(turn: Turn, groupId: string): string | undefined {
  const { screen, data } = turn.person.session;
  if ((screen ?? 'home') !== 'home' || data?.keptGroup !== groupId) return undefined;
  if (typeof data.keptAt !== 'number' || turn.deps.clock.now().getTime() - data.keptAt > KEPT_REASON_MS)
    return undefined;
  return typeof data.keptReason === 'string' && usableReason(data.keptReason) ? data.keptReason : undefined;
}

/**
 * ✅ 用这个理由签发: signs only while the prompt it was under is the one pending, for the same
 * group, package and reason (an older prompt's button, or one for another group, signs nothing).
 */
async function signWithKeptReason(turn: Turn, [groupId, at36, missing, tag]: readonly string[]) {
  const { screen, data } = turn.person.session;
  const kept = typeof data?.keptReason === 'string' ? data.keptReason : undefined;
  const shown = shownFrom(at36, missing);
  const same =
    screen === 'signoff_reason' &&
    kept !== undefined &&
    shown !== undefined &&
    data?.groupId === groupId &&
    data?.shownAt === shown.at &&
    data?.shownMissing === shown.missing &&
    wordingTag(kept) === tag;
  if (same) return signOffWithReason(turn, kept);
  await turn.send(t.keptReasonGone);
}

/** 签发 from the reason prompt: with the reason typed, or (sk) the one kept from a refused 签发. */
function signOffWithReason(turn: Turn, reason: string | undefined) {
  const data = turn.person.session.data ?? {};
  const shown =
    typeof data.shownAt === 'string' && typeof data.shownMissing === 'number'
      ? { at: data.shownAt, missing: data.shownMissing }
      : undefined;
  return signOff(turn, String(data.groupId ?? ''), shown, reason);
}

async function tomorrowMenu(turn: Turn, groupId?: string) {
  const groups = groupsOf(turn.person, ['leader', 'liaison']);
  if (groupId === undefined && groups.length > 1) {
    const named = turn.deps.campaign.groups.filter((g) => groups.includes(g.id));
    await turn.show({
      text: t.chooseLedGroup,
      buttons: chunk(
        named.map((g) => btn(g.name, 'tg', g.id)),
        3,
      ),
    });
    return;
  }
  const group = turn.deps.campaign.groups.find(
    (g) => g.id === (groupId ?? groups[0]) && groups.includes(g.id),
  );
  const town = turn.deps.campaign.towns.find((tw) => tw.id === group?.townId);
  if (!town) throw new ForbiddenError('daily_list.set', turn.person.id);
  // The day is fixed when the menu is shown: a village tapped after midnight is still set for the
  // day the menu asked about (and a day already past is refused), not the day after the tap.
  const date = addDays(localDate(turn.deps.campaign, turn.deps.clock.now()), 1);
  await turn.show({
    text: t.chooseTomorrow(formatLocalDate(date)),
    buttons: chunk(
      town.villages.map((v) => btn(v.name, 'tm', v.id, date.replaceAll('-', ''))),
      3,
    ),
  });
}

/** The day a 明日检查村 button was shown for (YYYYMMDD on the button). */
function dayOf(compact: string | undefined): string | undefined {
  return compact && /^\d{8}$/.test(compact)
    ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`
    : undefined;
}

export function adminHandlers(botUsername: string): Handlers {
  return {
    callbacks: {
      ir: async (turn, [role]) => {
        const r = role as Role;
        if (!ROLES.includes(r)) throw new ChatError('not_found');
        if (r === 'leader' || r === 'liaison' || r === 'inspector') {
          await turn.show({
            text: t.chooseInviteGroup,
            buttons: chunk(
              turn.deps.campaign.groups.map((g) => btn(g.name, 'ig', r, g.id)),
              3,
            ),
          });
          return;
        }
        if (r === 'town_contact') {
          await turn.show({
            text: t.chooseInviteTown,
            buttons: chunk(
              turn.deps.campaign.towns.map((tw) => btn(tw.name, 'it', tw.id)),
              3,
            ),
          });
          return;
        }
        await issueInvite(turn, botUsername, r);
      },
      ig: (turn, [role, groupId]) => issueInvite(turn, botUsername, role as Role, groupId),
      it: (turn, [townId]) => issueInvite(turn, botUsername, 'town_contact', undefined, townId),
      sm: async (turn, [scope]) => {
        if (!turn.deps.summaries) {
          await turn.send(t.summaryUnavailable);
          return;
        }
        if (turn.deps.summariesLater) {
          // Built in the summaries function, which sends the files here when they are ready.
          await turn.deps.summariesLater(turn.person, scope ?? 'city', turn.updateId);
          await turn.show(t.summaryQueued);
          return;
        }
        await turn.show(t.summaryBuilding);
        const { files, text } = await turn.deps.summaries(turn.person, scope ?? 'city');
        const name =
          scope === 'city'
            ? t.summaryCity
            : (turn.deps.campaign.towns.find((tw) => tw.id === scope)?.name ?? '');
        await sendFiles(turn, files);
        await turn.send(t.summaryReady(name));
        if (text) await turn.send(text);
      },
      ack: async (turn, args) => {
        if (!turn.deps.acknowledge) throw new Error('acknowledgements not wired');
        const reply = await turn.deps.acknowledge(turn.person, args.join(':'));
        await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
        await turn.send(reply);
      },
      // 修改县级数据: reopen the submitted figures (they stay in force until submitted again).
      fo: (turn) => openAndShow(turn, { kind: 'office' }),
      rg: (turn, [groupId]) => groupReport(turn, groupId),
      tg: (turn, [groupId]) => tomorrowMenu(turn, groupId),
      so: (turn, [groupId, at36, missing]) => signOff(turn, groupId || undefined, shownFrom(at36, missing)),
      sk: (turn, args) => signWithKeptReason(turn, args),
      tm: async (turn, [villageId, day]) => {
        if (!turn.deps.tomorrow) {
          await turn.send(t.tomorrowUnavailable);
          return;
        }
        const date = dayOf(day);
        // A menu from before buttons carried their day: asked again, with the day named.
        if (!date) return tomorrowMenu(turn);
        let r: { requestAt: Date; dueAt: Date };
        try {
          r = await turn.deps.tomorrow(turn.person, villageId ?? '', date);
        } catch (err) {
          if (!(err instanceof ReminderInputError && err.reason === 'past_date')) throw err;
          // A menu from a day already past: nothing set, and a new menu one tap away.
          await turn.show({
            text: t.tomorrowPast(formatLocalDate(date)),
            buttons: [[btn(t.buttons.chooseAgain, 'm', 'tomorrow')]],
          });
          return;
        }
        const name =
          turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === villageId)?.name ?? '';
        const today = localDate(turn.deps.campaign, turn.deps.clock.now());
        await turn.show(
          t.tomorrowSet(
            name,
            date === today ? '今日' : date === addDays(today, 1) ? '明日' : '',
            formatLocalDate(date),
            // Set after the town would have been asked (a menu tapped after midnight): asked at once.
            r.requestAt > turn.deps.clock.now() ? localTime(turn, r.requestAt) : '',
            localTime(turn, r.dueAt),
          ),
        );
      },
    },
    texts: {
      signoff_reason: (turn, text) => signOffWithReason(turn, text.trim()),
    },
    commands: {
      invite: (turn) => inviteMenu(turn),
      summary: (turn) => summaryMenu(turn),
      figures: (turn) => figures(turn),
      report: (turn) => groupReport(turn),
      signoffs: (turn) => signOffs(turn),
      tomorrow: (turn) => tomorrowMenu(turn),
    },
  };
}
