// A problem's rectification in the chat (DOMAIN.md §9): the town's contact reports 整改措施 and 责任人,
// 已整改 (with a note and photos) or 需延期 (a planned date and a reason); the leader of the group
// checking the town, or the office, checks a rectified problem: 已整改到位, or 未整改到位 with a
// reason, which reopens it and tells the town. Each report is one prompt (or two) with 取消; what
// is typed is checked before anything is written, and a refusal keeps the prompt, so the next text
// is taken for the same question. The write itself (app/problems.ts actOnProblem) re-checks the
// grant and the status on the problem's version.

import { can, ForbiddenError } from '../app/authz';
import { actOnProblem, ProblemInputError, readProblem } from '../app/problems';
import type { Campaign } from '../domain/campaign';
import { formatInstant, formatLocalDate } from '../domain/dates';
import { contactTownsOf, holdsInGroup } from '../domain/grants';
import type { Person, Problem, ProblemAction } from '../domain/model';
import {
  ALLOWED_FROM,
  checkPlannedDate,
  cleanText,
  RESPONSIBLE_MAX,
  RESPONSIBLE_MIN,
  RectificationError,
  type RectificationInput,
  TEXT_MAX,
  TEXT_MIN,
} from '../domain/rectification';
import { localDate } from '../domain/reminders';
import { PROBLEM_STATUS_LABELS, placeOf } from '../domain/tables/index';
import { t } from './messages';
import { problemCard, REPORTED, townView } from './problem-flow';
import { btn, prompt } from './render';
import { sendScreen } from './send';
import type { Handlers, Turn } from './turn';

const pdeps = (turn: Turn) => ({ store: turn.deps.store, clock: turn.deps.clock });

/** The refusal in words; the prompt stays open for another try. */
function refusal(err: RectificationError): string {
  const r = t.rectificationRefusals;
  return err.reason === 'not_now' ? r.not_now(PROBLEM_STATUS_LABELS[err.status ?? 'open']) : r[err.reason];
}

/**
 * Checked when the button is pressed, so nobody types a report the write would refuse. The card's
 * buttons carry the version it showed: a problem that changed since (another report, a check, a
 * photo) is shown again as it is now, with the note that nothing was done, and undefined returned.
 * A button without a version (a card from before versions were on it) counts as changed too.
 */
async function actionable(
  turn: Turn,
  problemId: string,
  action: ProblemAction,
  view: string,
  seen: string | undefined,
): Promise<Problem | undefined> {
  const problem = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, problemId);
  if (!can.actOnProblem(turn.person, turn.deps.campaign, problem, action))
    throw new ForbiddenError(`problem.${action}`, turn.person.id);
  if (problem.status === 'withdrawn') throw new ProblemInputError('withdrawn');
  if (!ALLOWED_FROM[action].includes(problem.status)) throw new RectificationError('not_now', problem.status);
  if (seen === undefined || Number(seen) !== problem.version) {
    await turn.setScreen('home');
    await turn.send(await problemCard(turn, problem, t.rectificationRefusals.changed, view));
    return undefined;
  }
  return problem;
}

/** A sentence the lifecycle will take (4–500 characters), or undefined after saying why. */
async function sentenceOrSay(turn: Turn, text: string): Promise<string | undefined> {
  const n = [...cleanText(text)].length;
  if (n < TEXT_MIN) await turn.send(t.rectificationRefusals.text_short);
  else if (n > TEXT_MAX) await turn.send(t.rectificationRefusals.text_long);
  else return cleanText(text);
  return undefined;
}

const today = (turn: Turn) => localDate(turn.deps.campaign, turn.deps.clock.now());

/** People to tell, with a chat: the town's contacts, or the leaders of the group checking it. */
async function contactsOf(turn: Turn, townId: string): Promise<Person[]> {
  return (await turn.deps.store.peopleOfTown(townId)).filter(
    (p) => p.chatId !== undefined && contactTownsOf(p).includes(townId),
  );
}

async function leadersOf(turn: Turn, c: Campaign, townId: string): Promise<Person[]> {
  const group = c.groups.find((g) => g.townId === townId);
  if (!group) return [];
  return (await turn.deps.store.peopleOfGroup(group.id)).filter(
    (p) => p.chatId !== undefined && holdsInGroup(p, group.id, ['leader']),
  );
}

/** A message with a button to the problem; someone who blocked the bot is skipped, not fatal. */
async function tell(turn: Turn, people: readonly Person[], text: string, problem: Problem) {
  for (const p of people) {
    if (p.id === turn.person.id || p.chatId === undefined) continue;
    await sendScreen(turn.ctx.telegram, p.chatId, {
      text,
      buttons: [[btn(t.problemButtons.open, 'po', problem.id, townView(problem.townId))]],
    }).catch((err: unknown) =>
      turn.deps.logger?.warn('problem notice not delivered', {
        personId: p.id,
        problemId: problem.id,
        err: String(err),
      }),
    );
  }
}

/**
 * Writes the report, then shows the card with what was said, and tells whom it concerns. Only if
 * the problem is still the version the person was shown (`seen`): else the card as it is now.
 */
async function act(turn: Turn, problemId: string, input: RectificationInput, view: string, seen: number) {
  // Whatever the outcome, the next text is not part of this report any more.
  await turn.setScreen('home');
  let saved: Problem;
  try {
    saved = await actOnProblem(pdeps(turn), turn.person, turn.deps.campaign, problemId, input, {
      seenVersion: seen,
    });
  } catch (err) {
    if (err instanceof RectificationError && err.reason === 'changed') {
      const now = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, problemId);
      await turn.send(await problemCard(turn, now, refusal(err), view));
      return;
    }
    if (err instanceof RectificationError) {
      await turn.send(refusal(err));
      return;
    }
    throw err;
  }
  const c = turn.deps.campaign;
  const place = placeOf(c, saved, true);
  const note =
    input.action === 'measures'
      ? t.measuresSaved
      : input.action === 'rectified'
        ? t.rectifiedSaved
        : input.action === 'needs_longer'
          ? t.delaySaved(formatLocalDate(saved.plannedDate ?? ''))
          : input.action === 'verified'
            ? t.verifiedSaved
            : t.rejectedSaved;
  // Photos sent after a town's report belong to this problem (the rectification's evidence).
  if (input.action === 'measures' || input.action === 'rectified')
    await turn.setScreen('problem_photo', { problemId: saved.id });
  await turn.send(await problemCard(turn, saved, note, view));
  const town = c.towns.find((tw) => tw.id === saved.townId)?.name ?? saved.townId;
  if (input.action === 'rectified')
    await tell(
      turn,
      await leadersOf(turn, c, saved.townId),
      t.notifyRectified(town, place, saved.description),
      saved,
    );
  if (input.action === 'rejected')
    await tell(
      turn,
      await contactsOf(turn, saved.townId),
      t.notifyRejected(place, saved.description, saved.check?.reason ?? ''),
      saved,
    );
}

/** 📜 处理记录: every report and check, oldest first, who and when, with what they wrote. */
async function history(turn: Turn, problemId: string, view: string) {
  const c = turn.deps.campaign;
  const problem = await readProblem(pdeps(turn), turn.person, c, problemId);
  const events = problem.events ?? [];
  const names = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.by))) {
    const person = await turn.deps.store.getPerson(id);
    names.set(id, person?.displayName ?? `用户${id}`);
  }
  // The latest 30: each line is short, and Telegram refuses a message over 4,096 characters.
  const lines = events.slice(-30).map((e) => {
    const x = e.texts ?? {};
    const detail = [
      x.measures,
      x.responsible ? `责任人 ${x.responsible}` : undefined,
      x.note,
      x.plannedDate ? `计划 ${formatLocalDate(x.plannedDate)}` : undefined,
      x.reason,
    ]
      .filter(Boolean)
      .join(';');
    return t.problemEvent(
      formatInstant(new Date(e.at), c.timeZone),
      names.get(e.by) ?? e.by,
      t.problemActions[e.action],
      [...detail].length > 80 ? `${[...detail].slice(0, 79).join('')}…` : detail,
    );
  });
  await turn.show({
    text: [
      t.problemHistoryTitle(placeOf(c, problem, true)),
      ...(lines.length ? lines : [t.problemHistoryNone]),
    ].join('\n'),
    buttons: [[btn(t.problemButtons.backToList, 'po', problem.id, view)]],
  });
}

const data = (turn: Turn) => turn.person.session.data ?? {};
const problemOf = (turn: Turn) => String(data(turn).problemId ?? '');
const viewOf = (turn: Turn) => String(data(turn).view ?? REPORTED);
/** The version of the problem on the card whose button opened this prompt. */
const seenOf = (turn: Turn) => Number(data(turn).seen ?? -1);

export const rectificationHandlers: Handlers = {
  callbacks: {
    zm: async (turn, [id, view = REPORTED, seen]) => {
      const p = await actionable(turn, id ?? '', 'measures', view, seen);
      if (!p) return;
      await turn.setScreen('rect_measures', { problemId: p.id, view, seen: p.version });
      await turn.show(prompt(t.askMeasures));
    },
    zr: async (turn, [id, view = REPORTED, seen]) => {
      const p = await actionable(turn, id ?? '', 'rectified', view, seen);
      if (!p) return;
      await turn.setScreen('rect_done', { problemId: p.id, view, seen: p.version });
      await turn.show(prompt(t.askRectifiedNote));
    },
    zd: async (turn, [id, view = REPORTED, seen]) => {
      const p = await actionable(turn, id ?? '', 'needs_longer', view, seen);
      if (!p) return;
      await turn.setScreen('rect_date', { problemId: p.id, view, seen: p.version });
      await turn.show(prompt(t.askPlannedDate));
    },
    // 已整改到位 is the leader's judgement after looking: one tap decides it, on what they saw.
    zv: async (turn, [id, view = REPORTED, seen]) => {
      const p = await actionable(turn, id ?? '', 'verified', view, seen);
      if (p) await act(turn, p.id, { action: 'verified' }, view, p.version);
    },
    zj: async (turn, [id, view = REPORTED, seen]) => {
      const p = await actionable(turn, id ?? '', 'rejected', view, seen);
      if (!p) return;
      await turn.setScreen('rect_reject', { problemId: p.id, view, seen: p.version });
      await turn.show(prompt(t.askRejectReason));
    },
    zk: (turn, [id, view]) => history(turn, id ?? '', view ?? REPORTED),
  },
  texts: {
    rect_measures: async (turn, text) => {
      const measures = await sentenceOrSay(turn, text);
      if (!measures) return;
      await turn.setScreen('rect_responsible', { ...data(turn), measures });
      await turn.send(prompt(t.askResponsible));
    },
    rect_responsible: async (turn, text) => {
      const n = [...cleanText(text)].length;
      if (n < RESPONSIBLE_MIN || n > RESPONSIBLE_MAX) {
        await turn.send(t.rectificationRefusals.responsible_bad);
        return;
      }
      const measures = String(data(turn).measures ?? '');
      await act(
        turn,
        problemOf(turn),
        { action: 'measures', measures, responsible: text },
        viewOf(turn),
        seenOf(turn),
      );
    },
    rect_done: async (turn, text) => {
      const note = await sentenceOrSay(turn, text);
      if (note) await act(turn, problemOf(turn), { action: 'rectified', note }, viewOf(turn), seenOf(turn));
    },
    rect_date: async (turn, text) => {
      let plannedDate: string;
      try {
        plannedDate = checkPlannedDate(text, today(turn));
      } catch (err) {
        if (!(err instanceof RectificationError)) throw err;
        await turn.send(refusal(err));
        return;
      }
      await turn.setScreen('rect_delay_reason', { ...data(turn), plannedDate });
      await turn.send(prompt(t.askDelayReason));
    },
    rect_delay_reason: async (turn, text) => {
      const reason = await sentenceOrSay(turn, text);
      if (!reason) return;
      const plannedDate = String(data(turn).plannedDate ?? '');
      await act(
        turn,
        problemOf(turn),
        { action: 'needs_longer', plannedDate, reason },
        viewOf(turn),
        seenOf(turn),
      );
    },
    rect_reject: async (turn, text) => {
      const reason = await sentenceOrSay(turn, text);
      if (reason)
        await act(turn, problemOf(turn), { action: 'rejected', reason }, viewOf(turn), seenOf(turn));
    },
  },
  commands: {},
};
