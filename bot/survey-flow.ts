// Questions one at a time: answers by button or text, back, pause, confirmations, review, submit,
// /resume, and the leader's return for correction.

import { can } from '../app/authz';
import { attachPhoto, EvidenceError, givePhotoReason, recordLocation, skipLocation } from '../app/evidence';
import {
  answer,
  ChatError,
  cancelPending,
  confirmPending,
  contextOf,
  type FiguresChanged,
  formOf,
  goBack,
  groupSurveys,
  groupVillages,
  jumpTo,
  ledGroups,
  mySubmitted,
  openPick,
  openSurvey,
  openWork,
  pauseSurvey,
  readSurvey,
  refOfSurvey,
  returnSurvey,
  reviewOf,
  revOf,
  type SurveyRef,
  showReview,
  stepOf,
  submitSurvey,
  surveyHistory,
} from '../app/surveys';
import { villageById } from '../domain/campaign';
import { formatInstant } from '../domain/dates';
import { choicesOf, formatValue, renderLabel, review } from '../domain/engine';
import { EVIDENCE_FLAGS, type EvidenceFlag, MAX_PHOTO_BYTES } from '../domain/evidence';
import type { Draft, Survey } from '../domain/model';
import { photoRefusal, sendPhotos, sendPin } from './evidence-view';
import { homeScreen } from './home';
import { t } from './messages';
import {
  btn,
  chunk,
  escapeHtml,
  evidenceFlagLabel,
  evidenceLine,
  maskToChoices,
  multiRows,
  navRow,
  prompt,
  renderQuestionPicker,
  renderReadOnlyReview,
  renderSectionPicker,
  renderStep,
  SKIP_LOCATION,
  surveyTag,
} from './render';
import { isUnreachable, sendScreen } from './send';
import { downloadFile } from './telegram-files';
import type { Handlers, IncomingImage, Turn } from './turn';

/** Names in buttons and titles are clipped: a list allows 20 characters, older data may hold more. */
const NAME_SHOWN = 20;

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

const sdeps = (turn: Turn) => ({ store: turn.deps.store, clock: turn.deps.clock });

/** The open draft, if the button's tag names it; otherwise the button is stale. */
function draftFor(turn: Turn, tag: string | undefined): Draft {
  const draft = turn.person.session.draft;
  if (!draft) throw new ChatError('no_open_survey');
  if (tag !== undefined && surveyTag(draft.surveyId) !== tag) throw new ChatError('stale_button');
  return draft;
}

/** The version of the survey a 退回 began from, kept on screen while its pickers are in use. */
function returnSeen(turn: Turn, surveyId: string): string | number | undefined {
  const data = turn.person.session.data;
  return data?.returning === surveyId ? data.seen : undefined;
}

function questionAt(draft: Draft, index: string | undefined) {
  const q = formOf(draft).questions[Number(index)];
  if (!q) throw new ChatError('stale_button');
  return q;
}

/** The one-line record an answered prompt turns into. */
function record(turn: Turn, draft: Draft, questionId: string, value: unknown): string {
  const q = formOf(draft).questions.find((x) => x.id === questionId);
  if (!q) return '';
  const ctx = contextOf(turn.deps.campaign, draft);
  return t.answered(renderLabel(q, ctx), formatValue(q, value as never));
}

async function answerButton(turn: Turn, args: string[], input: Parameters<typeof answer>[3]['input']) {
  const [tag, rev, qi] = args;
  const draft = draftFor(turn, tag);
  const q = questionAt(draft, qi);
  const out = await answer(sdeps(turn), turn.person, turn.deps.campaign, {
    input,
    questionId: q.id,
    rev: Number(rev),
    updateId: turn.uid(),
  });
  const accepted =
    !out.duplicate && out.result.draft.answers[q.id] !== undefined && revOf(out.result.draft) > Number(rev);
  await turn.showStep(
    out,
    accepted ? { record: record(turn, draft, q.id, out.result.draft.answers[q.id]) } : { inPlace: true },
  );
}

function subjectOfSurvey(turn: Turn, s: Survey): string {
  const village =
    turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === s.villageId)?.name ?? '';
  if (s.kind === 'office') return t.officeSubject;
  if (s.kind === 'village') return t.villageSubject(village);
  // Before the name is answered, the household as drawn (a paused survey in /resume reads 黄一户,
  // not the list's GM1户).
  const name =
    typeof s.answers.h1_name === 'string' ? s.answers.h1_name : (s.sampled?.name ?? s.householdId ?? '');
  return t.householdSubject(clip(name, NAME_SHOWN), village);
}

function contextOfSurvey(turn: Turn, s: Survey) {
  const village = turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === s.villageId);
  const stratum = typeof s.answers.h1_type === 'string' ? s.answers.h1_type : undefined;
  return {
    townId: s.townId,
    ...(s.villageId ? { villageId: s.villageId } : {}),
    ...(village ? { villageType: village.type } : {}),
    ...(stratum ? { stratum: stratum as never } : {}),
    prefill: {},
  };
}

/** `survey`: the stored survey when the caller has read it already (opening it reads it no more). */
async function openAndShow(turn: Turn, ref: SurveyRef, at?: string, survey?: Survey) {
  const out = await openSurvey(sdeps(turn), turn.person, turn.deps.campaign, ref, {
    updateId: turn.uid(),
    ...(at ? { at } : {}),
    ...(survey ? { survey } : {}),
  });
  await turn.showStep(out);
}

async function openPickAndShow(turn: Turn, villageId: string, index: number) {
  const out = await openPick(
    sdeps(turn),
    turn.person,
    turn.deps.campaign,
    { villageId, index },
    {
      updateId: turn.uid(),
    },
  );
  await turn.showStep(out);
}

export { openAndShow, openPickAndShow };

async function submit(turn: Turn, args: string[]) {
  const [tag, rev] = args;
  draftFor(turn, tag);
  const out = await submitSurvey(sdeps(turn), turn.person, turn.deps.campaign, {
    rev: Number(rev),
    updateId: turn.uid(),
  });
  if (out.duplicate) return;
  turn.person = out.person;
  if (!out.result.submitted) {
    await figuresChangedMeanwhile(turn, out.result);
    return;
  }
  const { survey, proposals, superseded } = out.result;
  // The office corrects its own figures (no leader returns them).
  await turn.show(
    survey.kind === 'office' ? t.figuresSubmittedNow : t.submitted(subjectOfSurvey(turn, survey)),
  );
  if (superseded > 0) await turn.send(t.proposalsSuperseded(superseded));
  // The problem flow is a lazy chunk (bot/routes.ts LAZY_FLOWS): loaded by a submit that proposes.
  if (proposals.pending.length > 0 || proposals.settled.length > 0)
    await (await import('./problem-flow')).showOffer(turn, proposals);
}

async function resume(turn: Turn) {
  const [work, submitted] = await Promise.all([
    openWork(sdeps(turn), turn.person),
    mySubmitted(sdeps(turn), turn.person),
  ]);
  const mine = submitted.length > 0 ? [[btn(t.buttons.mySubmitted(submitted.length), 'mi')]] : [];
  if (work.length === 0) {
    await turn.show({ text: t.resumeNone, buttons: mine });
    return;
  }
  await turn.show({
    text: t.resumeTitle,
    buttons: [
      ...work.map((s) => [
        btn(`${s.status === 'returned' ? '↩️' : '✏️'} ${subjectOfSurvey(turn, s)}`, 'op', s.id),
      ]),
      ...mine,
    ],
  });
}

/** The inspector's own submitted surveys, each opening read-only. */
async function mySurveys(turn: Turn) {
  const submitted = await mySubmitted(sdeps(turn), turn.person);
  // A keyboard holds 100 buttons; the newest are the ones people look for.
  const shown = [...submitted]
    .sort((a, b) => ((a.submittedAt ?? '') < (b.submittedAt ?? '') ? 1 : -1))
    .slice(0, 60);
  await turn.show({
    text: shown.length > 0 ? t.mySubmittedTitle(submitted.length) : t.mySubmittedNone,
    buttons: shown.map((s) => [btn(`📄 ${subjectOfSurvey(turn, s)}`, 'gs', s.id)]),
  });
}

const when = (turn: Turn, iso: string | undefined) =>
  iso ? formatInstant(new Date(iso), turn.deps.campaign.timeZone) : '';

/** Who filled it and when, and its returns: the lines above a read-only review. */
async function surveyHeader(turn: Turn, s: Survey): Promise<string> {
  const inspector = await turn.deps.store.getPerson(s.inspectorId);
  const lines = [
    t.surveyBy(
      escapeHtml(inspector?.displayName ?? `用户${s.inspectorId}`),
      when(turn, s.createdAt),
      when(turn, s.submittedAt),
    ),
  ];
  if (s.status === 'returned' && s.returnReason) lines.push(t.surveyReturnedNow(escapeHtml(s.returnReason)));
  return lines.join('\n');
}

/** 📜 修改记录: changed answers (old → new, who, when) and returns, oldest first. */
/** A survey's questions as people read them: numbered label, and a value as answered. */
function readable(turn: Turn, survey: Survey) {
  const form = formOf(survey);
  const ctx = contextOf(turn.deps.campaign, { context: contextOfSurvey(turn, survey) });
  return {
    label: (qid: string | undefined) => {
      const q = form.questions.find((x) => x.id === qid);
      return q ? `${q.seedNo === '补' ? '' : `${q.seedNo} `}${renderLabel(q, ctx)}` : (qid ?? '');
    },
    value: (qid: string, v: unknown) => {
      const q = form.questions.find((x) => x.id === qid);
      return v === undefined ? t.historyCleared : q ? formatValue(q, v as never) : String(v);
    },
  };
}

/** Changed figures listed in one message (each line well under 150 characters). */
const UNSENT_SHOWN = 20;

/**
 * 提交 of figures another office user submitted or corrected since this draft opened: nothing was
 * submitted and the draft is closed. Who changed them and when, what this draft would have set
 * against what holds now, and a button to correct the current figures.
 */
async function figuresChangedMeanwhile(turn: Turn, r: FiguresChanged) {
  const { label, value } = readable(turn, r.survey);
  const who = r.by ? ((await turn.deps.store.getPerson(r.by))?.displayName ?? `用户${r.by}`) : '';
  const lines = r.unsent.map((c) =>
    t.figuresUnsentLine(
      label(c.questionId),
      value(c.questionId, c.mine),
      // Never answered in the figures in force (not a cleared answer, as the history would say).
      c.current === undefined ? t.figuresUnanswered : value(c.questionId, c.current),
    ),
  );
  const shown = lines.slice(0, UNSENT_SHOWN);
  await turn.show({
    text: [
      t.figuresChangedMeanwhile(who, when(turn, r.at), r.survey.status === 'submitted'),
      ...(lines.length > 0 ? [t.figuresUnsentTitle(lines.length), ...shown] : [t.figuresUnsentNone]),
      ...(lines.length > shown.length ? [t.figuresUnsentMore(lines.length - shown.length)] : []),
    ].join('\n'),
    buttons: [[btn(t.buttons.correctFigures, 'fo')]],
  });
}

async function history(turn: Turn, surveyId: string) {
  const h = await surveyHistory(sdeps(turn), turn.person, surveyId);
  const name = (id: string) => h.names.get(id) ?? `用户${id}`;
  const { label, value } = readable(turn, h.survey);
  const events = [
    ...h.changes.map((e) => ({
      at: e.at,
      line: t.historyChange(
        when(turn, e.at),
        name(e.by),
        label(e.questionId),
        value(e.questionId, e.old),
        value(e.questionId, e.new),
      ),
    })),
    ...h.returns.map((r) => ({
      at: r.at,
      line: t.historyReturn(when(turn, r.at), name(r.by), label(r.questionId)),
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : 1));
  // Telegram refuses a message over 4,096 characters: the most recent entries are kept.
  const lines = events.map((e) => e.line);
  const shown = lines.slice(-HISTORY_SHOWN);
  await turn.show({
    text: [
      t.historyTitle(subjectOfSurvey(turn, h.survey)),
      ...(lines.length > shown.length ? [t.historyEarlier(lines.length - shown.length)] : []),
      ...(shown.length > 0 ? shown : [t.historyNone]),
    ].join('\n'),
    buttons: [[btn(t.buttons.backToSurvey, 'gs', h.survey.id, 'q')]],
  });
}

/** History lines in one message (each well under 100 characters). */
const HISTORY_SHOWN = 30;

const edeps = (turn: Turn) => {
  if (!turn.deps.files) throw new EvidenceError('store_failed');
  return { store: turn.deps.store, clock: turn.deps.clock, files: turn.deps.files };
};

/** A photo while a survey is open: stored, linked to the question on screen, and said so. */
async function photoForSurvey(turn: Turn, photo: IncomingImage) {
  const draft = turn.person.session.draft;
  if (!draft) {
    await turn.send(t.photoNoSurvey);
    return;
  }
  const wasAsking = stepOf(turn.deps.campaign, draft).kind === 'photos';
  try {
    const out = await attachPhoto(
      edeps(turn),
      turn.person,
      turn.deps.campaign,
      { ...photo, download: () => downloadFile(turn, photo.fileId, MAX_PHOTO_BYTES) },
      turn.uid(),
    );
    if (out.duplicate) return;
    turn.person = out.person;
    if (out.result.duplicate) {
      await turn.send(t.photoAlready);
      return;
    }
    const q = formOf(draft).questions.find((x) => x.id === out.result.photo.questionId);
    const about = q
      ? t.photoAboutQuestion(
          `${q.seedNo === '补' ? '' : `${q.seedNo} `}${renderLabel(q, contextOf(turn.deps.campaign, draft))}`,
        )
      : t.photoAboutSurvey;
    await turn.send(t.photoSaved(out.result.count, about));
    // Asked for photos before the review: enough now, so on to the review.
    if (wasAsking && out.result.step.kind !== 'photos')
      await turn.send(renderStep(turn.deps.campaign, out.result.step));
  } catch (err) {
    if (!(err instanceof EvidenceError)) throw err;
    await turn.send(photoRefusal(err));
  }
}

/** The location from the spot: recorded with its distance, the keyboard taken away, then the next step. */
async function locationForSurvey(turn: Turn, at: { lat: number; lon: number }) {
  const draft = turn.person.session.draft;
  if (!draft) {
    await turn.send(t.noOpenSurvey);
    return;
  }
  let out: Awaited<ReturnType<typeof recordLocation>>;
  try {
    out = await recordLocation(sdeps(turn), turn.person, turn.deps.campaign, at, turn.uid());
  } catch (err) {
    if (!(err instanceof EvidenceError)) throw err;
    await turn.send(photoRefusal(err));
    return;
  }
  if (out.duplicate) return;
  turn.person = out.person;
  const village =
    turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === draft.context.villageId)
      ?.name ?? '';
  await turn.send({
    text: t.locationRecorded(village, out.result.distanceKm),
    buttons: [],
    removeKeyboard: true,
  });
  await turn.send(renderStep(turn.deps.campaign, out.result.step));
}

/**
 * 组内问卷: a group the person leads (asked when they lead several), then by village (a town has
 * over 100 surveys: one keyboard cannot hold them).
 */
async function leaderList(turn: Turn, groupId?: string, villageId?: string) {
  const led = ledGroups(turn.person, turn.deps.campaign);
  if (groupId === undefined && led.length > 1) {
    await turn.show({
      text: t.chooseLedGroup,
      buttons: chunk(
        led.map((g) => btn(g.name, 'gl', g.id)),
        3,
      ),
    });
    return;
  }
  const group = groupId ?? led[0]?.id ?? '';
  if (villageId === undefined) {
    const villages = await groupVillages(sdeps(turn), turn.person, turn.deps.campaign, group);
    if (villages.length === 0) {
      await turn.show(t.groupSurveysNone);
      return;
    }
    const names = new Map(turn.deps.campaign.towns.flatMap((tw) => tw.villages).map((v) => [v.id, v.name]));
    const total = villages.reduce((n, v) => n + v.submitted + v.returned + v.released, 0);
    const released = villages.reduce((n, v) => n + v.released, 0);
    await turn.show({
      text: [t.groupSurveysVillages(total), ...(released > 0 ? [t.released(released)] : [])].join('\n'),
      buttons: chunk(
        villages.map((v) =>
          btn(
            `${names.get(v.villageId) ?? v.villageId} ${v.submitted + v.returned + v.released}`,
            'gl',
            group,
            v.villageId,
          ),
        ),
        2,
      ),
    });
    return;
  }
  const inVillage = await groupSurveys(sdeps(turn), turn.person, turn.deps.campaign, group, villageId);
  await turn.show({
    text: t.groupSurveysTitle(inVillage.length),
    buttons: [
      ...inVillage.map((s) => [
        btn(
          `${s.released ? '🔓 ' : s.status === 'returned' ? '↩️ ' : ''}${subjectOfSurvey(turn, s)}${s.flags.length ? ` ⚠${s.flags.length}` : ''}`,
          'gs',
          s.id,
        ),
      ]),
      [btn(t.buttons.backToVillages, 'gl', group)],
    ],
  });
}

function flagLabels(s: Survey): string[] {
  const form = formOf(s);
  return s.flags.map((id) =>
    (EVIDENCE_FLAGS as readonly string[]).includes(id)
      ? evidenceFlagLabel(id as EvidenceFlag, s.evidence)
      : (form.flags.find((f) => f.id === id)?.label ?? id),
  );
}

/** The photos (albums, each captioned) and the location pin of a survey, before its card. */
async function sendSurveyEvidence(turn: Turn, s: Survey, flags: string[]) {
  const photos = s.evidence?.photos ?? [];
  const subject = subjectOfSurvey(turn, s);
  const form = formOf(s);
  const ctx = contextOf(turn.deps.campaign, { context: contextOfSurvey(turn, s) });
  await sendPhotos(turn, photos, (p, i) => {
    const q = form.questions.find((x) => x.id === p.questionId);
    return t.photoCaption({
      subject,
      index: i + 1,
      total: photos.length,
      about: q ? `${q.seedNo === '补' ? '' : `${q.seedNo} `}${renderLabel(q, ctx)}` : t.photoAboutSurvey,
      at: when(turn, p.at),
      ...(p.caption ? { caption: p.caption } : {}),
      // The first caption carries the flags, so an album forwarded alone still says them.
      ...(i === 0 && flags.length > 0 ? { flags } : {}),
    });
  });
  if (s.evidence?.location) await sendPin(turn, s.evidence.location);
}

export const surveyHandlers: Handlers = {
  callbacks: {
    c: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const q = questionAt(draft, args[2]);
      const choice = choicesOf(q)[Number(args[3])];
      if (!choice) throw new ChatError('stale_button');
      await answerButton(turn, args, { choice: choice.id });
    },
    pf: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const q = questionAt(draft, args[2]);
      const value = draft.context.prefill[q.id];
      if (value === undefined) throw new ChatError('stale_button');
      await answerButton(turn, args, { value });
    },
    nil: (turn, args) => answerButton(turn, args, { text: '无' }),
    kp: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const q = questionAt(draft, args[2]);
      const value = draft.answers[q.id];
      if (value === undefined) throw new ChatError('stale_button');
      await answerButton(turn, args, { value });
    },
    // Toggling a multi-choice option only redraws the keyboard: no write until 选好了.
    mt: async (turn, args) => {
      const [tag, rev, qi, mask] = args;
      const draft = draftFor(turn, tag);
      if (Number(rev) !== revOf(draft)) throw new ChatError('stale_button');
      const q = questionAt(draft, qi);
      const rows = [
        ...multiRows(q, tag ?? '', Number(rev), Number(qi), Number.parseInt(mask ?? '0', 36)),
        navRow(tag ?? '', Number(rev)),
      ];
      await turn.ctx
        .editMessageReplyMarkup({
          inline_keyboard: rows.map((r) => r.map((b) => ({ text: b.text, callback_data: b.data ?? 'noop' }))),
        })
        .catch(() => undefined);
    },
    md: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const q = questionAt(draft, args[2]);
      await answerButton(turn, args, { choices: maskToChoices(q, Number.parseInt(args[3] ?? '0', 36)) });
    },
    bk: async (turn, args) => {
      draftFor(turn, args[0]);
      const out = await goBack(sdeps(turn), turn.person, turn.deps.campaign, {
        rev: Number(args[1]),
        updateId: turn.uid(),
      });
      await turn.showStep(out, { inPlace: true });
    },
    ps: async (turn) => {
      const out = await pauseSurvey(sdeps(turn), turn.person, turn.deps.campaign, {
        updateId: turn.uid(),
      });
      if (out.duplicate) return;
      turn.person = out.person;
      await turn.show(out.result ? t.paused(out.result.answered, out.result.total) : t.noOpenSurvey);
    },
    cf: async (turn, args) => {
      draftFor(turn, args[0]);
      const out = await confirmPending(sdeps(turn), turn.person, turn.deps.campaign, {
        rev: Number(args[1]),
        ...(args[2] ? { pending: args[2] } : {}),
        updateId: turn.uid(),
      });
      await turn.showStep(out, { inPlace: true });
    },
    cx: async (turn, args) => {
      draftFor(turn, args[0]);
      const out = await cancelPending(sdeps(turn), turn.person, turn.deps.campaign, {
        rev: Number(args[1]),
        ...(args[2] ? { pending: args[2] } : {}),
        updateId: turn.uid(),
      });
      await turn.showStep(out, { inPlace: true });
    },
    rv: async (turn, args) => {
      draftFor(turn, args[0]);
      const out = await showReview(sdeps(turn), turn.person, turn.deps.campaign, { updateId: turn.uid() });
      await turn.showStep(out, { inPlace: true });
    },
    es: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const r = review(formOf(draft), contextOf(turn.deps.campaign, draft), draft);
      await turn.show(renderSectionPicker(r, args[0] ?? '', 'eq', ''));
    },
    ec: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const form = formOf(draft);
      const r = review(form, contextOf(turn.deps.campaign, draft), draft);
      await turn.show(renderQuestionPicker(form, r, Number(args[1]), 'eq', args[0] ?? ''));
    },
    eq: async (turn, args) => {
      const draft = draftFor(turn, args[0]);
      const q = questionAt(draft, args[1]);
      const out = await jumpTo(sdeps(turn), turn.person, turn.deps.campaign, {
        questionId: q.id,
        updateId: turn.uid(),
      });
      await turn.showStep(out, { inPlace: true });
    },
    sb: submit,
    op: async (turn, args) => {
      const surveyId = args[0] ?? '';
      const survey = await readSurvey(sdeps(turn), turn.person, surveyId);
      const at =
        args[1] !== undefined ? formOf(survey).questions[Number(args[1])]?.id : survey.returnQuestion;
      await openAndShow(turn, refOfSurvey(survey), at, survey);
    },
    // leader: list, read, return for correction
    gl: (turn, [groupId, villageId]) => leaderList(turn, groupId, villageId),
    gs: async (turn, args) => {
      const s = await readSurvey(sdeps(turn), turn.person, args[0] ?? '');
      const r = reviewOf(turn.deps.campaign, s, contextOfSurvey(turn, s));
      const flags = flagLabels(s);
      const village = villageById(turn.deps.campaign, s.villageId ?? '')?.name ?? '';
      // Opened from a list: the photos and the pin first, then the card (a new message, so its
      // buttons stay at the bottom). Back from the history ('q'): the card alone.
      const withEvidence = args[1] !== 'q' && s.kind !== 'office';
      if (withEvidence) await sendSurveyEvidence(turn, s, flags);
      const canReturn = s.status === 'submitted' && can.returnSurvey(turn.person, s);
      // The leader goes back to the group's list; an inspector reading their own, to theirs.
      const back = can.returnSurvey(turn.person, s)
        ? btn(t.buttons.backToVillage, 'gl', s.groupId ?? '', s.villageId ?? '-')
        : btn(t.buttons.backToVillage, 'mi');
      const card = {
        text: `${await surveyHeader(turn, s)}\n\n${renderReadOnlyReview(
          subjectOfSurvey(turn, s),
          r,
          flags,
          s.kind === 'office' ? undefined : evidenceLine(s.evidence, village),
        )}`,
        html: true,
        buttons: [
          ...(canReturn ? [[btn(t.buttons.returnSurvey, 'rt', s.id, s.version)]] : []),
          [btn(t.buttons.history, 'gh', s.id), back],
        ],
      };
      if (withEvidence && ((s.evidence?.photos.length ?? 0) > 0 || s.evidence?.location))
        await turn.send(card);
      else await turn.show(card);
    },
    gh: (turn, [surveyId]) => history(turn, surveyId ?? ''),
    mi: (turn) => mySurveys(turn),
    // 退回 from the card: about the survey as the card showed it (its version is on the button).
    // The pickers after it are in the same message; the version they are for is kept on screen.
    rt: async (turn, args) => {
      const s = await readSurvey(sdeps(turn), turn.person, args[0] ?? '');
      const seen = args[1] !== undefined ? Number(args[1]) : returnSeen(turn, s.id);
      if (seen !== s.version) throw new ChatError('changed_since_shown');
      // A leader's own open survey stays open (texts still answer it), as after the reason.
      await turn.setScreen(turn.person.session.draft ? 'survey' : 'home', {
        returning: s.id,
        seen: s.version,
      });
      const r = reviewOf(turn.deps.campaign, s, contextOfSurvey(turn, s));
      await turn.show(renderSectionPicker(r, '', 'rq', s.id));
    },
    rc: async (turn, args) => {
      const s = await readSurvey(sdeps(turn), turn.person, args[0] ?? '');
      const r = reviewOf(turn.deps.campaign, s, contextOfSurvey(turn, s));
      await turn.show(renderQuestionPicker(formOf(s), r, Number(args[1]), 'rq', s.id));
    },
    rq: async (turn, args) => {
      const s = await readSurvey(sdeps(turn), turn.person, args[0] ?? '');
      const q = formOf(s).questions[Number(args[1])];
      if (!q) throw new ChatError('stale_button');
      if (returnSeen(turn, s.id) !== s.version) throw new ChatError('changed_since_shown');
      await turn.setScreen('return_reason', {
        surveyId: s.id,
        questionId: q.id,
        returning: s.id,
        seen: s.version,
      });
      await turn.show(
        prompt(
          t.returnReasonPrompt(
            renderLabel(q, contextOf(turn.deps.campaign, { context: contextOfSurvey(turn, s) })),
          ),
        ),
      );
    },
  },
  photos: {
    // While a survey is open, a photo (or an image file) is evidence for it, whatever is on screen.
    survey: (turn, photo) => photoForSurvey(turn, photo),
  },
  location: (turn, at) => locationForSurvey(turn, at),
  texts: {
    location_skip: async (turn, text) => {
      const out = await skipLocation(sdeps(turn), turn.person, turn.deps.campaign, text, turn.uid()).catch(
        (err: unknown) => {
          if (err instanceof EvidenceError && err.reason === 'reason_too_short') return undefined;
          throw err;
        },
      );
      if (!out) {
        await turn.send(t.reasonTooShort);
        return;
      }
      if (out.duplicate) return;
      turn.person = out.person;
      await turn.send({ text: t.locationSkipped, buttons: [], removeKeyboard: true });
      await turn.send(renderStep(turn.deps.campaign, out.result.step));
    },
    // The office took away the grant that covered the open survey: say so once, then carry on.
    draft_released: async (turn) => {
      await turn.setScreen('home');
      await turn.send(t.noLongerCovered);
    },
    survey: async (turn, text) => {
      const draft = turn.person.session.draft;
      const step = draft ? stepOf(turn.deps.campaign, draft) : undefined;
      if (step?.kind === 'location') {
        // The reply keyboard's 跳过, or anything else typed instead of the location.
        if (text === SKIP_LOCATION) {
          await turn.setScreen('location_skip');
          await turn.send(prompt(t.askSkipReason));
        } else {
          await turn.send({ ...renderStep(turn.deps.campaign, step), text: t.askLocationAgain });
        }
        return;
      }
      if (step?.kind === 'photos') {
        // Typed instead of a photo: the reason there are fewer photos than asked for.
        const out = await givePhotoReason(
          sdeps(turn),
          turn.person,
          turn.deps.campaign,
          text,
          turn.uid(),
        ).catch((err: unknown) => {
          if (err instanceof EvidenceError && err.reason === 'reason_too_short') return undefined;
          throw err;
        });
        if (!out) await turn.send(t.reasonTooShort);
        else if (!out.duplicate) {
          turn.person = out.person;
          await turn.send(renderStep(turn.deps.campaign, out.result.step));
        }
        return;
      }
      const out = await answer(sdeps(turn), turn.person, turn.deps.campaign, {
        input: { text },
        updateId: turn.uid(),
      });
      await turn.showStep(out);
    },
    return_reason: async (turn, text) => {
      const data = turn.person.session.data ?? {};
      if ([...text.trim()].length < 4) {
        await turn.send(t.returnReasonTooShort);
        return;
      }
      // Leave the prompt first (and record the update): a failure must not trap the next texts.
      await turn.setScreen(turn.person.session.draft ? 'survey' : 'home');
      const returned = await returnSurvey(sdeps(turn), turn.person, turn.deps.campaign, {
        surveyId: String(data.surveyId),
        questionId: String(data.questionId),
        reason: text.trim(),
        seenVersion: Number(data.seen ?? -1),
      });
      const subject = subjectOfSurvey(turn, returned);
      await turn.send(t.returnedToLeader(subject));
      const inspector = await turn.deps.store.getPerson(returned.inspectorId);
      const form = formOf(returned);
      const qi = form.questions.findIndex((q) => q.id === returned.returnQuestion);
      const q = form.questions[qi];
      if (inspector?.chatId && q) {
        const label = renderLabel(
          q,
          contextOf(turn.deps.campaign, { context: contextOfSurvey(turn, returned) }),
        );
        // The survey is returned either way; if the push fails the leader is told to phone instead.
        // A long reason goes out whole, over several messages (the button under the last).
        await sendScreen(turn.ctx.telegram, inspector.chatId, {
          text: t.returnedPush(subject, label, text.trim()),
          buttons: [[btn(t.buttons.openReturned, 'op', returned.id, qi)]],
        }).catch((err: unknown) => {
          if (!isUnreachable(err))
            turn.deps.logger?.warn('return notice not delivered', {
              surveyId: returned.id,
              err: String(err),
            });
          return turn.send(isUnreachable(err) ? t.returnNotDelivered : t.returnNotSent);
        });
      }
    },
  },
  commands: {
    resume: (turn) => resume(turn),
    surveys: (turn) => leaderList(turn),
    // Leave a prompt: back to the open survey's question, or home.
    cancel: async (turn) => {
      const draft = turn.person.session.draft;
      await turn.setScreen(draft ? 'survey' : 'home');
      if (turn.fromButton) await turn.show(t.cancelled);
      await turn.send(
        draft ? renderStep(turn.deps.campaign, stepOf(turn.deps.campaign, draft)) : homeScreen(turn.person),
      );
    },
  },
};
