// Problems in the chat: /problem (typed by hand), the proposals after a submit, the office's queue
// of paper imports' proposals (/proposals), and the reporter's own problems (/problems) with edit
// and withdraw. Every write goes through app/problems.ts, where "exactly once" is decided: a
// confirmation pressed twice, delivered again or from another device answers "already recorded".
//
// Buttons name proposals and problems by their ids (hashes, no separators), never by an index
// into chat state, so a button keeps meaning the same thing whatever was pressed in between.

import { can, ForbiddenError, isOffice } from '../app/authz';
import { attachProblemPhoto, EvidenceError, ProblemPhotoError } from '../app/evidence';
import {
  confirmAllProposals,
  confirmProposal,
  declineProposal,
  editProblem,
  judgeDescription,
  logProblem,
  type Offer,
  officeQueue,
  ProblemInputError,
  readProblem,
  readProposal,
  reportedProblems,
  townProblems,
  withdrawProblem,
} from '../app/problems';
import { ChatError } from '../app/surveys';
import { villageDetail } from '../app/villages';
import { formatInstant, formatLocalDate } from '../domain/dates';
import { MAX_PHOTO_BYTES } from '../domain/evidence';
import { contactTownsOf, holdsInGroup } from '../domain/grants';
import {
  PROBLEM_CATEGORIES,
  type Problem,
  type ProblemAction,
  type ProblemCategory,
  type ProblemStatus,
  type Proposal,
  reporterMayChange,
} from '../domain/model';
import { queueTag, wordingTag } from '../domain/proposals';
import { ALLOWED_FROM } from '../domain/rectification';
import { PROBLEM_STATUS_LABELS, placeOf } from '../domain/tables/index';
import { photoRefusal, sendPhotos } from './evidence-view';
import { categoryLabels, t } from './messages';
import { btn, chunk, prompt, type Screen } from './render';
import { downloadFile } from './telegram-files';
import type { Handlers, IncomingImage, Turn } from './turn';

const pdeps = (turn: Turn) => ({
  store: turn.deps.store,
  clock: turn.deps.clock,
  // One typed problem per update: a retried update finds its problem already stored.
  newId: () => `pb-${turn.person.id}-${turn.updateId}`,
});

const localTime = (turn: Turn, iso: string) => formatInstant(new Date(iso), turn.deps.campaign.timeZone);

/** Text in a button is clipped: a keyboard row is narrow on a phone. */
function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

// ---------------------------------------------------------------------------------------------
// /problem: a problem typed by hand

async function chooseCategory(turn: Turn) {
  await turn.show({
    text: t.chooseCategory,
    buttons: [
      ...PROBLEM_CATEGORIES.map((c, i) => [btn(categoryLabels[c], 'pc', i)]),
      [btn(t.problemButtons.mine, 'pl', REPORTED, 0)],
    ],
  });
}

async function chooseVillage(turn: Turn, category: number, townId: string) {
  const town = turn.deps.campaign.towns.find((tw) => tw.id === townId);
  await turn.show({
    text: t.chooseProblemVillage,
    buttons: [
      ...chunk(
        (town?.villages ?? []).map((v) => btn(v.name, 'pv', category, v.id)),
        3,
      ),
      [btn(t.buttons.skip, 'pv', category, `-${townId}`)],
    ],
  });
}

async function askDescription(
  turn: Turn,
  data: Record<string, string | number>,
  text: string = t.describeProblem,
) {
  await turn.setScreen('problem_desc', data);
  await turn.show(prompt(text));
}

/** The description typed after /problem, or a proposal's reworded description. */
async function describe(turn: Turn, text: string) {
  const data = turn.person.session.data ?? {};
  const verdict = judgeDescription(text);
  if (verdict !== 'ok') {
    // Asked again, with 取消: the screen stays, so the next text is the new description, and the
    // prompt says so (a person who gives up must not have their next message logged as a problem).
    await turn.show(prompt(t.describeAgain(verdict)));
    return;
  }
  if (typeof data.proposalId === 'string') {
    await turn.setScreen('home');
    await confirm(turn, data.proposalId, { description: text });
    return;
  }
  const problem = await logProblem(pdeps(turn), turn.person, turn.deps.campaign, {
    category: String(data.category) as ProblemCategory,
    townId: String(data.townId),
    ...(data.villageId ? { villageId: String(data.villageId) } : {}),
    ...(data.householdId ? { householdId: String(data.householdId) } : {}),
    description: text,
  }).catch(async (err) => {
    if (err instanceof Error && err.name === 'AlreadyExistsError') return undefined; // a retried update
    // Refused (the grant was taken away meanwhile, the village is not the town's): the prompt
    // ends with the refusal, so the next text is an ordinary message, not another description.
    if (isRefusal(err)) await turn.setScreen('home');
    throw err;
  });
  if (!problem) {
    await turn.setScreen('home');
    return;
  }
  // Photos sent next belong to this problem.
  await turn.setScreen('problem_photo', { problemId: problem.id });
  await turn.send(`${t.problemLogged(categoryLabels[problem.category])}\n${t.problemPhotoHint}`);
}

/** What the person is told and may not retry as typed: the prompt ends with it. */
const isRefusal = (err: unknown) => err instanceof ForbiddenError || err instanceof ProblemInputError;

const edeps = (turn: Turn) => {
  if (!turn.deps.files) throw new EvidenceError('store_failed');
  return { store: turn.deps.store, clock: turn.deps.clock, files: turn.deps.files };
};

/** A photo for the problem on screen: stored once, added on the problem's version. */
async function photoForProblem(turn: Turn, photo: IncomingImage) {
  const problemId = String(turn.person.session.data?.problemId ?? '');
  try {
    const out = await attachProblemPhoto(edeps(turn), turn.person, turn.deps.campaign, problemId, {
      ...photo,
      download: () => downloadFile(turn, photo.fileId, MAX_PHOTO_BYTES),
    });
    await turn.send(out.duplicate ? t.problemPhotoAlready : t.problemPhotoSaved(out.count));
  } catch (err) {
    if (err instanceof ProblemPhotoError) {
      await turn.send(
        err.reason === 'too_many'
          ? t.problemPhotoTooMany
          : err.reason === 'withdrawn'
            ? t.problemPhotoWithdrawn
            : t.problemRefusals.unknown_problem,
      );
      return;
    }
    if (err instanceof EvidenceError) {
      await turn.send(photoRefusal(err));
      return;
    }
    throw err;
  }
}

/** Who sees 📷 补充照片 on a card: whoever attachProblemPhoto would accept. */
function mayAddPhoto(turn: Turn, p: Problem): boolean {
  if (p.status === 'withdrawn') return false;
  const { person, deps } = turn;
  if (p.reporterId === person.id && can.logProblem(person, deps.campaign, p.townId)) return true;
  return (
    can.actOnProblem(person, deps.campaign, p, 'rectified') ||
    can.actOnProblem(person, deps.campaign, p, 'verified')
  );
}

// ---------------------------------------------------------------------------------------------
// Proposals: after a submit (the inspector's), and the office's queue (paper imports)

/** 确认记录 and 不记录 carry the wording they were shown with (a re-import may reword it since). */
function proposalButtons(p: Pick<Proposal, 'id' | 'description'>) {
  const tag = wordingTag(p.description);
  return [
    [btn(t.buttons.logProblem, 'pp', p.id, tag), btn(t.buttons.editProblem, 'pe', p.id)],
    [btn(t.buttons.skipProblem, 'pn', p.id, tag)],
  ];
}

/**
 * A tap on a proposal reworded since its message (or on a button from before buttons carried the
 * wording): nothing was recorded; the proposal is shown as it reads now, with its buttons.
 */
async function showReworded(turn: Turn, proposalId: string) {
  const p = await readProposal(pdeps(turn), turn.person, turn.deps.campaign, proposalId);
  await turn.send({
    text: `${t.proposalReworded}\n${t.proposal(categoryLabels[p.category], p.description)}`,
    buttons: p.status === 'pending' || p.status === 'declined' ? proposalButtons(p) : [],
  });
}

/** Runs a proposal's decision; a rewording since the tap's message shows it anew instead. */
async function unlessReworded(turn: Turn, proposalId: string, decide: () => Promise<void>) {
  try {
    await decide();
  } catch (err) {
    if (!(err instanceof ProblemInputError && err.reason === 'proposal_reworded')) throw err;
    await showReworded(turn, proposalId);
  }
}

/**
 * After a submit: what the survey proposes, each with 确认记录 / 修改描述 / 不记录. Proposals decided
 * before (this survey submitted again after a return, the same 漏评 name from a neighbour's survey)
 * are not offered again; the inspector is told how many.
 */
/** What a submit proposed (stored by the submit, app/surveys.ts): each undecided one with its buttons. */
export async function showOffer(turn: Turn, offer: Offer) {
  if (offer.settled.length > 0) await turn.send(t.proposalsSettled(offer.settled.length));
  for (const p of offer.pending) {
    await turn.send({
      text: t.proposal(categoryLabels[p.category], p.description),
      buttons: proposalButtons(p),
    });
  }
}

async function confirm(
  turn: Turn,
  proposalId: string,
  said: { description: string } | { seenWording: string },
) {
  const { problem, already } = await confirmProposal(
    pdeps(turn),
    turn.person,
    turn.deps.campaign,
    proposalId,
    said,
  );
  const category = categoryLabels[problem.category];
  if (already) {
    await turn.send(t.problemAlreadyLogged(category));
    return;
  }
  // Photos sent next belong to this problem, as after /problem.
  await turn.setScreen('problem_photo', { problemId: problem.id });
  await turn.send(`${t.problemLogged(category)}\n${t.problemPhotoHint}`);
}

/** How many queued proposals /proposals shows at once (each is a message with its buttons). */
const QUEUE_SHOWN = 5;

/** 全部确认's question: how many, and a 确定 that records exactly those. */
async function confirmAllPrompt(turn: Turn, pending: readonly Proposal[], before?: string) {
  await turn.show({
    text: `${before ? `${before}\n` : ''}${t.confirmAllPrompt(pending.length)}`,
    buttons: [[btn(t.problemButtons.confirmAllYes, 'py', queueTag(pending)), btn(t.buttons.cancel, 'cn')]],
  });
}

async function queue(turn: Turn) {
  const pending = await officeQueue(pdeps(turn), turn.person, turn.deps.campaign);
  if (pending.length === 0) {
    await turn.show(t.queueEmpty);
    return;
  }
  const shown = pending.slice(0, QUEUE_SHOWN);
  await turn.send({
    text: t.queueTitle(pending.length, shown.length),
    buttons: [[btn(t.problemButtons.confirmAll(pending.length), 'pa')]],
  });
  for (const p of shown) {
    await turn.send({
      text: t.queueItem(placeOf(turn.deps.campaign, p, true), categoryLabels[p.category], p.description),
      buttons: proposalButtons(p),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// /problems: the reporter's own problems (view `r`), or a town's list (view `t.<townId>`) for its
// contact, the leader of the group checking it and the office. The view travels in the list's and
// the card's buttons, so 返回列表 goes back to the list the card was opened from.

/** The reporter's view: the problems the person logged or confirmed. */
export const REPORTED = 'r';
export const townView = (townId: string) => `t.${townId}`;
const PAGE = 10;

export const STATUS_ICONS: Readonly<Record<ProblemStatus, string>> = {
  open: '⏳',
  rectifying: '🔧',
  needs_longer: '📅',
  rectified: '🛠',
  verified: '✅',
  withdrawn: '🗑',
};

/** The towns whose problem list this person works on: as the office, the town's contact, a leader. */
export function managedTowns(turn: Turn): string[] {
  const { person, deps } = turn;
  const c = deps.campaign;
  if (isOffice(person)) return c.towns.map((t) => t.id);
  const led = c.groups.filter((g) => holdsInGroup(person, g.id, ['leader'])).map((g) => g.townId);
  return c.towns.map((t) => t.id).filter((id) => contactTownsOf(person).includes(id) || led.includes(id));
}

/** /problems: a town's list for those who work on one, else the reporter's own problems. */
async function problemsCommand(turn: Turn) {
  const towns = managedTowns(turn);
  if (towns.length === 0) return problemList(turn, REPORTED, 0);
  if (towns.length === 1) return problemList(turn, townView(towns[0] as string), 0);
  await turn.show({
    text: t.chooseProblemsTown,
    buttons: [
      ...chunk(
        towns.map((id) =>
          btn(turn.deps.campaign.towns.find((tw) => tw.id === id)?.name ?? id, 'pl', townView(id), 0),
        ),
        3,
      ),
      [btn(t.problemButtons.mine, 'pl', REPORTED, 0)],
    ],
  });
}

const counted = (problems: readonly Problem[], key: (p: Problem) => string) => {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
  return [...counts];
};

async function problemList(turn: Turn, view: string, page: number) {
  const c = turn.deps.campaign;
  const townId = view.startsWith('t.') ? view.slice(2) : undefined;
  if (view !== REPORTED && !townId) throw new ChatError('not_found');
  const town = townId ? c.towns.find((tw) => tw.id === townId) : undefined;
  if (townId && !town) throw new ChatError('not_found');
  const problems = town
    ? await townProblems(pdeps(turn), turn.person, c, town.id)
    : await reportedProblems(pdeps(turn), turn.person, c);
  if (problems.length === 0) {
    await turn.show(town ? t.townProblemsNone(town.name) : t.myProblemsNone);
    return;
  }
  const byStatus = counted(problems, (p) => p.status)
    .map(([status, n]) => t.problemStatusCount(PROBLEM_STATUS_LABELS[status as ProblemStatus], n))
    .join(' · ');
  const pages = Math.ceil(problems.length / PAGE);
  const at = Math.min(Math.max(0, page), pages - 1);
  const rows = problems.slice(at * PAGE, (at + 1) * PAGE).map((p) => [
    btn(
      // The description names the village (见事见人); a problem of a whole town says which.
      `${STATUS_ICONS[p.status]} ${clip(p.villageId ? p.description : `${placeOf(c, p, false)}:${p.description}`, 26)}`,
      'po',
      p.id,
      view,
    ),
  ]);
  const nav = [
    ...(at > 0 ? [btn(t.problemButtons.prev, 'pl', view, at - 1)] : []),
    ...(at < pages - 1 ? [btn(t.problemButtons.next, 'pl', view, at + 1)] : []),
  ];
  if (!town) {
    await turn.show({
      text: t.myProblemsTitle(problems.length, byStatus),
      buttons: [...rows, ...(nav.length ? [nav] : [])],
    });
    return;
  }
  const villageName = (id: string) => town.villages.find((v) => v.id === id)?.name ?? t.wholeTown;
  const byVillage = counted(problems, (p) => p.villageId ?? '')
    .map(([id, n]) => `${villageName(id)} ${n}`)
    .join(' · ');
  await turn.show({
    text: t.townProblemsTitle(town.name, problems.length, byStatus, byVillage),
    buttons: [...rows, ...(nav.length ? [nav] : []), [btn(t.problemButtons.mine, 'pl', REPORTED, 0)]],
  });
}

/** 抽查结果 as the card says it. */
function checkLine(p: Problem): string | undefined {
  if (!p.check) return undefined;
  return p.check.passed ? t.checkPassed : t.checkFailed(p.check.reason ?? '');
}

/**
 * One problem with its facts, and the buttons this person may use on it now: the town's reports
 * (as its contact or the office), the check of a rectified problem (the group's leader or the
 * office), the reporter's edit and withdraw while the town has not acted, photos and history.
 */
export async function problemCard(turn: Turn, p: Problem, note?: string, view = REPORTED): Promise<Screen> {
  const c = turn.deps.campaign;
  const reporter = await turn.deps.store.getPerson(p.reporterId);
  const text = t.problemCard({
    category: categoryLabels[p.category],
    place: placeOf(c, p, true),
    description: p.description,
    status: PROBLEM_STATUS_LABELS[p.status],
    deadline: localTime(turn, p.deadline),
    created: localTime(turn, p.createdAt),
    reporter: reporter?.displayName ?? `用户${p.reporterId}`,
    ...(p.changedAt ? { changed: localTime(turn, p.changedAt) } : {}),
    ...(p.measures ? { measures: p.measures } : {}),
    ...(p.responsible ? { responsible: p.responsible } : {}),
    ...(p.status === 'needs_longer' && p.plannedDate
      ? { planned: formatLocalDate(p.plannedDate), delayReason: p.delayReason ?? '' }
      : {}),
    ...(p.rectifiedNote && p.status !== 'open' ? { rectifiedNote: p.rectifiedNote } : {}),
    ...(checkLine(p) ? { check: checkLine(p) } : {}),
  });
  const photos = p.photos?.length ?? 0;
  const mine = p.reporterId === turn.person.id;
  const mayChange = mine && reporterMayChange(p);
  const extra =
    note ??
    (p.status === 'withdrawn'
      ? t.problemWithdrawnNote
      : mine && !mayChange
        ? t.problemLockedNote
        : undefined);
  const body = photos > 0 ? `${text}\n${t.problemPhotosLine(photos)}` : text;
  const may = (action: ProblemAction) =>
    p.status !== 'withdrawn' &&
    ALLOWED_FROM[action].includes(p.status) &&
    can.actOnProblem(turn.person, c, p, action);
  const townRow = [
    ...(may('measures') ? [btn(t.problemButtons.measures, 'zm', p.id, view, p.version)] : []),
    ...(may('rectified') ? [btn(t.problemButtons.rectified, 'zr', p.id, view, p.version)] : []),
    ...(may('needs_longer') ? [btn(t.problemButtons.delay, 'zd', p.id, view, p.version)] : []),
  ];
  const checkRow = [
    ...(may('verified') ? [btn(t.problemButtons.verify, 'zv', p.id, view, p.version)] : []),
    ...(may('rejected') ? [btn(t.problemButtons.reject, 'zj', p.id, view, p.version)] : []),
  ];
  const photoRow = [
    ...(mayAddPhoto(turn, p) ? [btn(t.problemButtons.addPhotos, 'pq', p.id)] : []),
    ...(photos > 0 ? [btn(t.problemButtons.viewPhotos(photos), 'pg', p.id, view)] : []),
  ];
  return {
    text: extra ? `${body}\n\n${extra}` : body,
    buttons: [
      ...(townRow.length ? [townRow] : []),
      ...(checkRow.length ? [checkRow] : []),
      ...(mayChange
        ? [[btn(t.problemButtons.edit, 'px', p.id), btn(t.problemButtons.withdraw, 'pw', p.id)]]
        : []),
      ...(photoRow.length ? [photoRow] : []),
      [
        ...(p.events?.length ? [btn(t.problemButtons.history, 'zk', p.id, view)] : []),
        btn(t.problemButtons.backToList, 'pl', view, 0),
      ],
    ],
  };
}

async function openProblem(turn: Turn, problemId: string, view = REPORTED) {
  const problem = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, problemId);
  await turn.show(await problemCard(turn, problem, undefined, view));
}

/** Checked before asking for text, so a locked problem is refused at once, not after typing. */
async function changeable(turn: Turn, problemId: string): Promise<Problem> {
  const problem = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, problemId);
  // The use cases refuse the same; this keeps the prompt from asking at all.
  if (problem.reporterId !== turn.person.id) throw new ForbiddenError('problem.edit', turn.person.id);
  if (!reporterMayChange(problem)) {
    throw new ProblemInputError(problem.status === 'withdrawn' ? 'withdrawn' : 'town_acted');
  }
  return problem;
}

async function editText(turn: Turn, text: string) {
  const problemId = String(turn.person.session.data?.problemId ?? '');
  const verdict = judgeDescription(text);
  if (verdict !== 'ok') {
    // Asked again, with 取消: the screen stays, so the next text is the new description.
    await turn.show(prompt(t.describeAgain(verdict)));
    return;
  }
  // Whatever the outcome, the next text is not a description any more.
  await turn.setScreen('home');
  const saved = await editProblem(pdeps(turn), turn.person, turn.deps.campaign, {
    problemId,
    description: text,
  });
  await turn.send(await problemCard(turn, saved, t.problemEdited));
}

export const problemHandlers: Handlers = {
  callbacks: {
    pc: async (turn, [i]) => {
      const category = PROBLEM_CATEGORIES[Number(i)];
      if (!category) throw new ChatError('not_found');
      // The towns whose problems this person may log: their groups' towns, or all for the office.
      const towns = isOffice(turn.person)
        ? turn.deps.campaign.towns
        : turn.deps.campaign.towns.filter((tw) => can.logProblem(turn.person, turn.deps.campaign, tw.id));
      const only = towns.length === 1 ? towns[0] : undefined;
      if (only && !isOffice(turn.person)) return chooseVillage(turn, Number(i), only.id);
      await turn.show({
        text: t.chooseProblemTown,
        buttons: chunk(
          towns.map((tw) => btn(tw.name, 'pt', Number(i), tw.id)),
          3,
        ),
      });
    },
    pt: (turn, [i, townId]) => chooseVillage(turn, Number(i), townId ?? ''),
    pv: async (turn, [i, village]) => {
      const category = PROBLEM_CATEGORIES[Number(i)] ?? 'other';
      if (village?.startsWith('-')) {
        return askDescription(turn, { category, townId: village.slice(1) });
      }
      const townId =
        turn.deps.campaign.towns.find((tw) => tw.villages.some((v) => v.id === village))?.id ?? '';
      const d = await villageDetail(turn.deps, turn.person, turn.deps.campaign, village ?? '').catch(
        () => undefined,
      );
      const picks = d?.sample?.picks.filter((p) => p.status !== 'replaced') ?? [];
      if (picks.length === 0) return askDescription(turn, { category, townId, villageId: village ?? '' });
      await turn.setScreen('problem', { category, townId, villageId: village ?? '' });
      await turn.show({
        text: t.chooseProblemHousehold,
        buttons: [
          ...chunk(
            picks.map((p) => btn(p.name, 'ph', village ?? '', d?.sample?.picks.indexOf(p) ?? 0)),
            3,
          ),
          [btn(t.buttons.skip, 'ph', village ?? '', '-')],
        ],
      });
    },
    // The list names its village: a list from an earlier /problem (another village) is not read
    // against the one being reported now.
    ph: async (turn, [village, index]) => {
      const data = { ...(turn.person.session.data ?? {}) };
      if (turn.person.session.screen !== 'problem' || data.villageId !== village || index === undefined) {
        await turn.send(t.unknownButton);
        return;
      }
      if (index !== '-') {
        const d = await villageDetail(turn.deps, turn.person, turn.deps.campaign, String(data.villageId));
        const pick = d.sample?.picks[Number(index)];
        if (pick) data.householdId = pick.householdId;
      }
      await askDescription(turn, data);
    },
    // A proposal: 确认记录, 修改描述, 不记录.
    pp: async (turn, [id, wording]) => {
      await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
      await unlessReworded(turn, id ?? '', () => confirm(turn, id ?? '', { seenWording: wording ?? '' }));
    },
    pe: async (turn, [id]) => {
      const proposal = await readProposal(pdeps(turn), turn.person, turn.deps.campaign, id ?? '');
      await askDescription(turn, { proposalId: proposal.id }, t.describeProposal(proposal.description));
    },
    pn: async (turn, [id, wording]) => {
      await unlessReworded(turn, id ?? '', async () => {
        await declineProposal(pdeps(turn), turn.person, turn.deps.campaign, id ?? '', {
          seenWording: wording ?? '',
        });
        await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
        await turn.send(t.proposalSkipped);
      });
    },
    // The office's queue: 全部确认 asks first, then records every proposal still pending.
    pa: async (turn) => {
      const pending = await officeQueue(pdeps(turn), turn.person, turn.deps.campaign);
      if (pending.length === 0) {
        await turn.show(t.queueEmpty);
        return;
      }
      await confirmAllPrompt(turn, pending);
    },
    // 确定全部记录 records the queue its prompt counted; one changed since is counted again.
    py: async (turn, [seen]) => {
      await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
      let r: Awaited<ReturnType<typeof confirmAllProposals>>;
      try {
        r = await confirmAllProposals(pdeps(turn), turn.person, turn.deps.campaign, {
          seenQueue: seen ?? '',
        });
      } catch (err) {
        if (!(err instanceof ProblemInputError && err.reason === 'queue_changed')) throw err;
        const pending = await officeQueue(pdeps(turn), turn.person, turn.deps.campaign);
        if (pending.length === 0) await turn.show(t.queueEmpty);
        else await confirmAllPrompt(turn, pending, t.queueChanged);
        return;
      }
      const refused = (...reasons: string[]) => r.refused.filter((x) => reasons.includes(x.reason)).length;
      const stale = refused('proposal_stale');
      const waiting = refused('proposal_survey_returned');
      await turn.send(
        t.confirmedAll(r.confirmed.length, r.already, r.refused.length - stale - waiting, stale, waiting),
      );
    },
    // The reporter's problems.
    pl: (turn, [view, page]) => problemList(turn, view ?? REPORTED, Number(page) || 0),
    po: (turn, [id, view]) => openProblem(turn, id ?? '', view ?? REPORTED),
    px: async (turn, [id]) => {
      const problem = await changeable(turn, id ?? '');
      await turn.setScreen('problem_edit', { problemId: problem.id });
      await turn.show(prompt(t.editProblemPrompt(problem.description)));
    },
    pw: async (turn, [id]) => {
      const problem = await changeable(turn, id ?? '');
      await turn.show({
        text: t.confirmWithdraw(problem.description),
        buttons: [
          [btn(t.problemButtons.withdrawYes, 'pz', problem.id), btn(t.problemButtons.keep, 'po', problem.id)],
        ],
      });
    },
    // Photos of a problem: add (the next photos go to it), or see them as an album.
    pq: async (turn, [id]) => {
      const problem = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, id ?? '');
      if (!mayAddPhoto(turn, problem)) throw new ForbiddenError('problem.photo', turn.person.id);
      await turn.setScreen('problem_photo', { problemId: problem.id });
      await turn.send(t.askProblemPhotos);
    },
    pg: async (turn, [id, view]) => {
      const problem = await readProblem(pdeps(turn), turn.person, turn.deps.campaign, id ?? '');
      const photos = problem.photos ?? [];
      const place = placeOf(turn.deps.campaign, problem, true);
      await sendPhotos(turn, photos, (ph, i) =>
        t.problemPhotoCaption(place, i + 1, photos.length, localTime(turn, ph.at), ph.caption),
      );
      await turn.send(await problemCard(turn, problem, undefined, view ?? REPORTED));
    },
    pz: async (turn, [id]) => {
      const saved = await withdrawProblem(pdeps(turn), turn.person, turn.deps.campaign, {
        problemId: id ?? '',
      });
      await turn.show(await problemCard(turn, saved, t.problemWithdrawn));
    },
  },
  photos: {
    problem_photo: (turn, photo) => photoForProblem(turn, photo),
    problem_desc: (turn) => turn.send(t.problemPhotoDescribeFirst),
  },
  texts: {
    problem_desc: (turn, text) => describe(turn, text),
    problem_edit: (turn, text) => editText(turn, text),
  },
  commands: {
    problem: (turn) => chooseCategory(turn),
    problems: (turn) => problemsCommand(turn),
    proposals: (turn) => queue(turn),
  },
};
