// Filling a survey in a chat: open, answer, go back, jump, pause, review, submit, return.
//
// The hot path (an answered question) reads the person once (the bot's middleware does it) and
// writes the person once: the open survey's working copy lives in Person.session.draft. The
// canonical Survey item is written when a draft opens, pauses, is submitted or returned.

import { createHash } from 'node:crypto';
import { type Campaign, formContextFor, groupForTown, townOfVillage, villageById } from '../domain/campaign';
import {
  type AnswerInput,
  applicableQuestions,
  applyAnswer,
  computeFlags,
  explainDrops,
  nextQuestion,
  positionOf,
  previousQuestion,
  progress,
  type Review,
  restoreStashed,
  review,
  submittable,
} from '../domain/engine';
import { evidenceFlags, evidenceStillNeeded, minPhotos } from '../domain/evidence';
import { formById, forms } from '../domain/forms';
import type { AnswerValue, FormContext, FormDef, Question, StratumId } from '../domain/forms/types';
import { groupsOf } from '../domain/grants';
import {
  AlreadyExistsError,
  type ChatSession,
  ConflictError,
  type Draft,
  type DraftContext,
  DuplicateUpdateError,
  type EditEntry,
  type FiguresCorrection,
  isUpdateApplied,
  NotFoundError,
  type PendingConfirmation,
  type Person,
  PickReplacedError,
  type ProblemProposal,
  type Survey,
  type SurveyKind,
} from '../domain/model';
import { proposalsFor as proposalRules, withProposalKeys } from '../domain/proposals';
import { recordReleased, recordReturned, recordSubmitted, recordTakenOver } from './aggregates';
import { assertCan, can } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';
import type { Offer } from './problems';

export interface SurveyDeps {
  store: Store;
  clock: Clock;
}

export type ChatErrorCode =
  | 'no_open_survey'
  | 'stale_button'
  | 'unknown_village'
  | 'no_sample'
  | 'not_in_sample'
  | 'survey_taken'
  | 'survey_locked'
  | 'not_submittable'
  | 'not_returnable'
  /** The survey changed after the leader was shown it (resubmitted, corrected): not returned. */
  | 'changed_since_shown'
  | 'not_found'
  | 'in_review'
  | 'no_longer_covered'
  | 'household_replaced'
  | 'evidence_missing';

/** An expected refusal the bot turns into a Chinese reply (bot/messages.ts). */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly code: ChatErrorCode,
    readonly detail?: Record<string, string | number>,
  ) {
    super(code);
  }
}

export type SurveyRef =
  | { kind: 'household'; villageId: string; householdId: string }
  | { kind: 'village'; villageId: string }
  | { kind: 'office' };

/**
 * A survey's id: its kind and a hash of what it is about. One survey per household, village and
 * campaign, found again from the same facts; and short and free of separators whatever the ids a
 * town writes (`3组/15号`, `12:7`, `A#1`, 32 Chinese characters), so it fits in a key and in a
 * 64-byte button.
 */
export function surveyIdFor(campaignId: string, ref: SurveyRef): string {
  const about =
    ref.kind === 'household'
      ? [campaignId, ref.villageId, ref.householdId]
      : ref.kind === 'village'
        ? [campaignId, ref.villageId]
        : [campaignId];
  const hash = createHash('sha256').update(about.join('\u0000')).digest('base64url').slice(0, 20);
  return `${ref.kind === 'household' ? 'hh' : ref.kind === 'village' ? 'vs' : 'of'}-${hash}`;
}

/** What a stored survey is about, to open it again. */
export function refOfSurvey(s: Pick<Survey, 'kind' | 'villageId' | 'householdId'>): SurveyRef {
  if (s.kind === 'household' && s.villageId && s.householdId)
    return { kind: 'household', villageId: s.villageId, householdId: s.householdId };
  if (s.kind === 'village' && s.villageId) return { kind: 'village', villageId: s.villageId };
  if (s.kind === 'office') return { kind: 'office' };
  throw new ChatError('not_found');
}

/** The pseudo-town under which the office's own survey is filed (it belongs to no town). */
export const OFFICE_SCOPE = 'office';

const FORM_OF: Record<SurveyKind, string> = { household: 'household', village: 'village', office: 'office' };

// ---------------------------------------------------------------------------------------------
// What the bot shows next

export type SurveyStep =
  | {
      kind: 'question';
      draft: Draft;
      form: FormDef;
      ctx: FormContext;
      question: Question;
      position: number;
      total: number;
      answered: number;
      /** Set when this question is asked again after a refused answer. */
      rejected?: string;
    }
  | {
      kind: 'confirm';
      draft: Draft;
      form: FormDef;
      ctx: FormContext;
      question: Question;
      message: string;
      needsReason: boolean;
      /** An edit confirmation: the answers it would clear. */
      drops?: NonNullable<Draft['pending']>['drops'];
      /** Set when a reason was refused (too short): say why. */
      rejected?: string;
    }
  | { kind: 'review'; draft: Draft; form: FormDef; ctx: FormContext; review: Review }
  /** Every question answered; the visit's location (or why not) comes before the review. */
  | { kind: 'location'; draft: Draft; form: FormDef; ctx: FormContext }
  /** Fewer photos than the campaign asks for: send more, or say why. */
  | { kind: 'photos'; draft: Draft; form: FormDef; ctx: FormContext; have: number; need: number };

export function formOf(draft: Pick<Draft, 'formId' | 'formVersion'>): FormDef {
  const form = formById(draft.formId, draft.formVersion);
  if (!form) throw new Error(`form ${draft.formId} v${draft.formVersion} is not registered`);
  return form;
}

export function contextOf(campaign: Campaign, draft: Pick<Draft, 'context'>): FormContext {
  const c = draft.context;
  return {
    ...formContextFor(campaign),
    ...(c.stratum ? { stratum: c.stratum } : {}),
    ...(c.villageType ? { villageType: c.villageType } : {}),
    prefill: c.prefill,
  };
}

/** Buttons carry this so one from an earlier question or survey version never writes. */
export function revOf(draft: Pick<Draft, 'baseRev' | 'history'>): number {
  return draft.baseRev + draft.history.length;
}

export function stepOf(campaign: Campaign, draft: Draft, rejected?: string): SurveyStep {
  const form = formOf(draft);
  const ctx = contextOf(campaign, draft);
  const state = { answers: draft.answers, confirmations: draft.confirmations };
  if (draft.pending) {
    const question = form.questions.find((q) => q.id === draft.pending?.questionId);
    if (question) {
      return {
        kind: 'confirm',
        draft,
        form,
        ctx,
        question,
        message: draft.pending.message,
        needsReason: draft.pending.needsReason,
        ...(draft.pending.drops ? { drops: draft.pending.drops } : {}),
        ...(rejected ? { rejected } : {}),
      };
    }
  }
  const question = draft.cursor ? form.questions.find((q) => q.id === draft.cursor) : undefined;
  if (!question) {
    // Answered through: the evidence comes before the review (DOMAIN.md §11).
    const needed = nextQuestion(form, ctx, state)
      ? undefined
      : evidenceStillNeeded(campaign, draft.kind, draft.evidence);
    if (needed === 'location') return { kind: 'location', draft, form, ctx };
    if (needed === 'photos')
      return {
        kind: 'photos',
        draft,
        form,
        ctx,
        have: draft.evidence?.photos.length ?? 0,
        need: minPhotos(campaign, draft.kind),
      };
    return { kind: 'review', draft, form, ctx, review: review(form, ctx, state) };
  }
  const p = progress(form, ctx, state);
  return {
    kind: 'question',
    draft,
    form,
    ctx,
    question,
    position: positionOf(form, ctx, state, question.id),
    total: p.applicable,
    answered: p.answered,
    ...(rejected ? { rejected } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The one write: the person's session, with retry on a concurrent change

export type Outcome<T> = { duplicate: true } | { duplicate: false; person: Person; result: T };

/**
 * Apply `change` to the person's session and save it with one conditional write. On a conflict
 * (another update of the same person won) re-read and apply again, so no answer is lost; on a
 * repeated update id do nothing.
 */
export async function withSession<T>(
  deps: SurveyDeps,
  person: Person,
  updateId: number | undefined,
  change: (p: Person) => Promise<{ session?: ChatSession; result: T }> | { session?: ChatSession; result: T },
): Promise<Outcome<T>> {
  let current = person;
  for (let attempt = 0; ; attempt++) {
    if (updateId !== undefined && isUpdateApplied(current, updateId)) return { duplicate: true };
    const { session, result } = await change(current);
    if (!session) return { duplicate: false, person: current, result };
    try {
      const saved = await deps.store.savePersonSession(
        { ...current, session, updatedAt: deps.clock.now().toISOString() },
        { expectVersion: current.version, ...(updateId !== undefined ? { updateId } : {}) },
      );
      return { duplicate: false, person: saved, result };
    } catch (err) {
      if (err instanceof DuplicateUpdateError) return { duplicate: true };
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
      const fresh = await deps.store.getPerson(person.id);
      if (!fresh) throw err;
      current = fresh;
    }
  }
}

function requireDraft(p: Person, campaign: Campaign): Draft {
  const d = p.session.draft;
  if (!d) throw new ChatError('no_open_survey');
  if (!draftCovered(p, campaign, d)) throw new ChatError('no_longer_covered');
  return d;
}

/** Whether one of the person's grants still covers the draft's village (or the office form). */
export function draftCovered(p: Person, campaign: Campaign, d: Pick<Draft, 'kind' | 'context'>): boolean {
  if (d.kind === 'office') return can.officeFigures(p);
  return d.context.villageId !== undefined && can.survey(p, campaign, d.context.villageId);
}

/**
 * Checked before every write of a draft (an answer, back, pause, submit …), not only on opening.
 * A draft the person may no longer fill (their grant was revoked while it was open) is written
 * back to its survey, handed back to the group and closed, then the tap is refused: nothing of it
 * is lost and nothing more is written by them.
 */
export async function guardDraft(deps: SurveyDeps, person: Person, campaign: Campaign): Promise<void> {
  const draft = person.session.draft;
  if (!draft || draftCovered(person, campaign, draft)) return;
  await writeBackDraft(deps, campaign, draft, person.id);
  const survey = await deps.store.getSurvey(draft.surveyId);
  const at = deps.clock.now().toISOString();
  if (survey && survey.status !== 'submitted' && !survey.released && survey.inspectorId === person.id) {
    const released = await deps.store
      .saveSurvey(
        { ...survey, released: { from: person.id, at, by: person.id, reason: 'revoked' }, updatedAt: at },
        survey.version,
      )
      .catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
        return undefined;
      });
    // On the leader's 🔓 list, as a release by the office puts it.
    if (released) await recordReleased(deps, released, at);
  }
  await withSession(deps, person, undefined, (p) =>
    p.session.draft?.surveyId === draft.surveyId
      ? { session: { ...sessionWith(p, undefined), data: {} }, result: undefined }
      : { result: undefined },
  );
  throw new ChatError('no_longer_covered');
}

function sessionWith(p: Person, draft: Draft | undefined, screen?: string): ChatSession {
  const { draft: _old, ...rest } = p.session;
  return { ...rest, ...(draft ? { draft } : {}), screen: screen ?? (draft ? 'survey' : 'home') };
}

// ---------------------------------------------------------------------------------------------
// Opening

/** The household as drawn, and where: from the survey (stored at creation) or from the sample. */
interface DrawnPick {
  name: string;
  stratum: StratumId;
  index: number;
  /** Marked started in the sample (it cannot be replaced any more). */
  started: boolean;
}

/** What the engine needs besides the answers; no reads (the pick, if any, is already known). */
function contextFor(
  campaign: Campaign,
  ref: SurveyRef,
  pick: DrawnPick | undefined,
): { context: DraftContext; groupId?: string } {
  if (ref.kind === 'office') {
    const units = new Set(campaign.groups.flatMap((g) => g.memberUnits));
    const people = campaign.groups.reduce(
      (n, g) => n + 2 + g.memberUnits.length + (g.crossTownStaff?.count ?? 0),
      0,
    );
    return { context: { townId: OFFICE_SCOPE, prefill: { o_departments: units.size, o_people: people } } };
  }
  const village = villageById(campaign, ref.villageId);
  const town = townOfVillage(campaign, ref.villageId);
  if (!village || !town) throw new ChatError('unknown_village');
  const groupId = groupForTown(campaign, town.id)?.id;
  const base = { townId: town.id, villageId: village.id, villageType: village.type };
  if (ref.kind === 'village') {
    return { context: { ...base, prefill: { v1_type: village.type } }, ...(groupId ? { groupId } : {}) };
  }
  if (!pick) throw new ChatError('not_in_sample');
  return {
    context: {
      ...base,
      householdId: ref.householdId,
      stratum: pick.stratum,
      prefill: { h1_name: pick.name, h1_type: pick.stratum },
      ...(pick.started ? { pickIndex: pick.index } : {}),
    },
    ...(groupId ? { groupId } : {}),
  };
}

/** The household's pick in its village's sample (one read); refused when it is not (any more) in it. */
async function drawnPick(
  deps: SurveyDeps,
  campaign: Campaign,
  villageId: string,
  find: { householdId: string } | { index: number },
): Promise<{ pick: DrawnPick; householdId: string }> {
  const sample = await deps.store.getSample(campaign.id, villageId);
  if (!sample) throw new ChatError('no_sample');
  const index =
    'index' in find ? find.index : sample.picks.findIndex((p) => p.householdId === find.householdId);
  const entry = sample.picks[index];
  if (!entry || entry.status === 'replaced') throw new ChatError('not_in_sample');
  return {
    householdId: entry.householdId,
    pick: { name: entry.name, stratum: entry.stratum, index, started: entry.startedAt !== undefined },
  };
}

export function flagsOf(
  campaign: Campaign,
  draft: Pick<Draft, 'formId' | 'formVersion' | 'context' | 'answers' | 'kind' | 'evidence'>,
): string[] {
  return [
    ...computeFlags(formOf(draft), contextOf(campaign, draft), draft.answers),
    ...evidenceFlags(campaign, draft.kind, draft.evidence),
  ];
}

/**
 * A survey whose inspector lost their grant went back to the group: the member who opens it now
 * continues it. Anyone else's survey stays theirs.
 */
async function takeOver(deps: SurveyDeps, person: Person, survey: Survey): Promise<Survey> {
  if (!survey.released) throw new ChatError('survey_taken');
  const at = deps.clock.now().toISOString();
  const { released, ...rest } = survey;
  try {
    const saved = await deps.store.saveSurvey(
      { ...rest, inspectorId: person.id, updatedAt: at },
      survey.version,
    );
    // Off the leader's 🔓 list (the aggregate's released marker goes with the release).
    await recordTakenOver(deps, saved, at);
    await deps.store.appendAudit({
      at,
      actorId: person.id,
      action: 'survey.take_over',
      subject: `survey:${survey.id}`,
      details: { from: released.from },
    });
    return saved;
  } catch (err) {
    // Two members opened it at once: the one who saved first has it.
    if (err instanceof ConflictError) throw new ChatError('survey_taken');
    throw err;
  }
}

/**
 * Open (or continue) a survey. Within 2 reads and 3 writes (issue 18): the person is read by the
 * webhook; a household's pick comes from the sample (one read) or, on reopening, from the survey
 * itself (which the caller may pass in, having read it to check the person may); a pick not yet
 * started has no survey, so it is marked started and the survey created without reading it first.
 */
export async function openSurvey(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  ref: SurveyRef,
  opts: { at?: string; updateId?: number; survey?: Survey } = {},
): Promise<Outcome<SurveyStep>> {
  const id = surveyIdFor(campaign.id, ref);
  const survey = opts.survey?.id === id ? opts.survey : undefined;
  let pick: DrawnPick | undefined;
  if (ref.kind === 'household') {
    assertCan(can.survey(person, campaign, ref.villageId), 'survey.open', person);
    pick = survey?.sampled
      ? { ...survey.sampled, started: true }
      : (await drawnPick(deps, campaign, ref.villageId, { householdId: ref.householdId })).pick;
  }
  return openWith(deps, person, campaign, ref, { ...opts, ...(survey ? { survey } : {}), pick });
}

/** Open the survey of the sample's pick at `index` (the village screen's button carries the index). */
export async function openPick(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { villageId: string; index: number },
  opts: { at?: string; updateId?: number } = {},
): Promise<Outcome<SurveyStep>> {
  assertCan(can.survey(person, campaign, req.villageId), 'survey.open', person);
  const { pick, householdId } = await drawnPick(deps, campaign, req.villageId, { index: req.index });
  return openWith(
    deps,
    person,
    campaign,
    { kind: 'household', villageId: req.villageId, householdId },
    {
      ...opts,
      pick,
    },
  );
}

async function openWith(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  ref: SurveyRef,
  opts: { at?: string; updateId?: number; survey?: Survey; pick?: DrawnPick | undefined },
): Promise<Outcome<SurveyStep>> {
  if (ref.kind === 'office') assertCan(can.officeFigures(person), 'office.figures', person);
  else assertCan(can.survey(person, campaign, ref.villageId), 'survey.open', person);
  const id = surveyIdFor(campaign.id, ref);
  let pick = opts.pick;
  // Opening a household's survey starts it: from now on the household cannot be replaced. The
  // sample records it (one pick, no version race with other picks), so an old 申请替换 button
  // pressed later is refused by the sample itself.
  const fresh = ref.kind === 'household' && pick !== undefined && !pick.started;
  if (ref.kind === 'household' && pick && !pick.started) {
    try {
      await deps.store.markPick(
        campaign.id,
        ref.villageId,
        ref.householdId,
        { kind: 'started', at: deps.clock.now().toISOString(), by: person.id },
        pick.index,
      );
    } catch (err) {
      if (err instanceof PickReplacedError || err instanceof NotFoundError)
        throw new ChatError('not_in_sample');
      throw err;
    }
    pick = { ...pick, started: true };
  }
  const { context, groupId } = contextFor(campaign, ref, pick);
  const kept = person.session.draft?.surveyId === id ? person.session.draft : undefined;
  let survey = opts.survey;
  // A pick opened for the first time has no survey yet (it is created below, refused if one
  // exists after all); a draft open in the session is this person's (a release or a takeover
  // closes it), so neither needs the survey read.
  if (!survey && !fresh && !kept) survey = await deps.store.getSurvey(id);
  if (!survey && !kept) {
    const now = deps.clock.now().toISOString();
    const form = forms[FORM_OF[ref.kind]];
    if (!form) throw new Error(`no form for ${ref.kind}`);
    const created: Survey = {
      id,
      campaignId: campaign.id,
      kind: ref.kind,
      formId: form.id,
      formVersion: form.version,
      townId: context.townId,
      ...(context.villageId ? { villageId: context.villageId } : {}),
      ...(context.householdId ? { householdId: context.householdId } : {}),
      ...(groupId ? { groupId } : {}),
      inspectorId: person.id,
      status: 'draft',
      answers: {},
      confirmations: {},
      flags: [],
      history: [],
      ...(pick ? { sampled: { name: pick.name, stratum: pick.stratum, index: pick.index } } : {}),
      version: 1,
      // The survey records who started it and when: no separate audit write.
      createdAt: now,
      updatedAt: now,
    };
    try {
      survey = await deps.store.createSurvey(created);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      survey = await deps.store.getSurvey(id);
      if (!survey) throw err;
    }
  }
  // The office corrects its own figures at any time; every other submitted survey is locked
  // until its group's leader returns it.
  if (survey?.status === 'submitted' && ref.kind !== 'office') throw new ChatError('survey_locked');
  if (survey && survey.inspectorId !== person.id && ref.kind !== 'office')
    survey = await takeOver(deps, person, survey);
  const opened = survey;

  const previous = person.session.draft;
  if (previous && previous.surveyId !== id) await writeBackDraft(deps, campaign, previous, person.id);

  return withSession(deps, person, opts.updateId, async (p) => {
    const keep = p.session.draft?.surveyId === id ? p.session.draft : undefined;
    // Kept unread, then closed by a concurrent update before this write: read it after all.
    const from = keep ? undefined : (opened ?? (await deps.store.getSurvey(id)));
    if (!keep && !from) throw new ChatError('not_found');
    const base: Draft = keep ?? draftOf(from as Survey, context, p.id);
    const form = formOf(base);
    const ctx = contextOf(campaign, base);
    const state = { answers: base.answers, confirmations: base.confirmations };
    const at =
      opts.at && applicableQuestions(form, ctx, base.answers).some((q) => q.id === opts.at)
        ? opts.at
        : undefined;
    const cursor = at ?? nextQuestion(form, ctx, state)?.id;
    const { pending: _pending, cursor: _cursor, ...rest } = base;
    const draft: Draft = { ...rest, ...(cursor ? { cursor } : {}) };
    return { session: sessionWith(p, draft), result: stepOf(campaign, draft) };
  });
}

/** A new working copy of a stored survey, for `personId`. */
function draftOf(opened: Survey, context: DraftContext, personId: string): Draft {
  // Reopened figures continue from this person's correction in progress, if they paused one.
  const paused = opened.kind === 'office' ? pausedCorrection(opened, personId) : undefined;
  return {
    surveyId: opened.id,
    kind: opened.kind,
    formId: opened.formId,
    formVersion: opened.formVersion,
    version: opened.version,
    baseRev: opened.history.length,
    answers: paused?.answers ?? opened.answers,
    confirmations: paused?.confirmations ?? opened.confirmations,
    history: paused?.history ?? [],
    context,
    ...(opened.kind === 'office' ? { figuresBase: paused?.base ?? figuresStateOf(opened) } : {}),
    ...(opened.evidence ? { evidence: opened.evidence } : {}),
  };
}

/**
 * Which figures the office's survey holds: its status, how many changes its history records and
 * when they were last submitted or corrected. Any submit, resubmit or import changes it; pausing a
 * correction (kept apart in `pendingEdits`) does not.
 */
export function figuresStateOf(s: Survey): string {
  return [s.status, s.history.length, s.resubmittedAt ?? s.submittedAt ?? '', s.correctedAt ?? ''].join('|');
}

/** The correction `personId` paused; the one shared correction of items written before, else. */
function pausedCorrection(s: Survey, personId: string): FiguresCorrection | undefined {
  return s.pendingEdits?.[personId] ?? s.pendingEdit;
}

/** The survey without `personId`'s paused correction (submitted, or superseded by a newer pause). */
function withoutCorrectionOf(s: Survey, personId: string): Survey {
  const { pendingEdit: _legacy, pendingEdits, ...rest } = s;
  const others = Object.entries(pendingEdits ?? {}).filter(([id]) => id !== personId);
  return { ...rest, ...(others.length > 0 ? { pendingEdits: Object.fromEntries(others) } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Answering and moving

export interface AnswerRequest {
  input: AnswerInput;
  /** From a button: the question and the revision it was shown at. */
  questionId?: string;
  rev?: number;
  updateId?: number;
}

export async function answer(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: AnswerRequest,
): Promise<Outcome<SurveyStep>> {
  await guardDraft(deps, person, campaign);
  const bounded = await boundHistory(deps, campaign, person);
  return withSession(deps, person, req.updateId, (p) => {
    const draft = bounded(requireDraft(p, campaign));
    if (req.rev !== undefined && (req.rev !== revOf(draft) || req.questionId !== draft.cursor)) {
      throw new ChatError('stale_button');
    }
    const form = formOf(draft);
    const ctx = contextOf(campaign, draft);
    const state = { answers: draft.answers, confirmations: draft.confirmations };
    const pending = draft.pending;
    // A typed text while a reason is awaited is the reason.
    if (pending?.needsReason && 'text' in req.input) {
      return accept(
        deps,
        p,
        campaign,
        draft,
        pending.questionId,
        { value: pending.value },
        { confirm: { reason: req.input.text } },
      );
    }
    const questionId = draft.cursor;
    if (!questionId) throw new ChatError('in_review');
    const result = applyAnswer(form, ctx, state, questionId, req.input);
    if (result.kind === 'rejected') return { result: stepOf(campaign, draft, result.message) };
    if (result.kind === 'confirm') {
      const { pending: _p, ...rest } = draft;
      const next: Draft = {
        ...rest,
        pending: {
          questionId,
          value: result.value,
          check: result.check.id,
          message: result.message,
          needsReason: result.check.kind === 'reason',
        },
      };
      return { session: sessionWith(p, next), result: stepOf(campaign, next) };
    }
    return accept(deps, p, campaign, draft, questionId, req.input);
  });
}

function accept(
  deps: SurveyDeps,
  p: Person,
  campaign: Campaign,
  draft: Draft,
  questionId: string,
  input: AnswerInput,
  opts: { confirm?: { reason?: string }; editConfirmed?: boolean } = {},
): { session?: ChatSession; result: SurveyStep } {
  const form = formOf(draft);
  const ctx = contextOf(campaign, draft);
  const state = { answers: draft.answers, confirmations: draft.confirmations };
  const result = applyAnswer(
    form,
    ctx,
    state,
    questionId,
    input,
    opts.confirm ? { confirm: opts.confirm } : {},
  );
  if (result.kind === 'rejected') return { result: stepOf(campaign, draft, result.message) };
  if (result.kind === 'confirm') return { result: stepOf(campaign, draft) };
  const { pending: _p, cursor: _c, restored: _r, ...rest } = draft;
  const drops = explainDrops(form, ctx, state, result.state, questionId);
  // An edit that clears other answers says so first, with how many and which, and waits for 确定修改.
  if (drops.length > 0 && !opts.editConfirmed) {
    const next: Draft = {
      ...rest,
      cursor: questionId,
      pending: {
        kind: 'edit',
        questionId,
        value: result.value,
        check: 'edit_cost',
        message: '',
        needsReason: false,
        ...(opts.confirm ? { confirmed: opts.confirm } : {}),
        drops: drops.map(({ id, why, message }) => ({ id, why, ...(message ? { message } : {}) })),
      },
    };
    return { session: sessionWith(p, next), result: stepOf(campaign, next) };
  }
  const at = deps.clock.now().toISOString();
  const entries: EditEntry[] = [
    {
      at,
      by: p.id,
      questionId,
      ...(draft.answers[questionId] !== undefined ? { old: draft.answers[questionId] as AnswerValue } : {}),
      new: result.value,
    },
    // What the edit cleared is part of the record too (old → nothing).
    ...drops.map((d) => ({ at, by: p.id, questionId: d.id, old: d.value })),
  ];
  // Cleared answers are kept aside: changing back restores them.
  const stash = {
    answers: { ...(draft.stash?.answers ?? {}), ...Object.fromEntries(drops.map((d) => [d.id, d.value])) },
    confirmations: {
      ...(draft.stash?.confirmations ?? {}),
      ...Object.fromEntries(
        drops.flatMap((d) => {
          const c = state.confirmations[d.id];
          return c ? [[d.id, c] as const] : [];
        }),
      ),
    },
  };
  const back = restoreStashed(form, ctx, result.state, stash);
  for (const id of back.restored) {
    entries.push({ at, by: p.id, questionId: id, new: back.state.answers[id] as AnswerValue });
    delete stash.answers[id];
    delete stash.confirmations[id];
  }
  const reasked = { ...(draft.reasked ?? {}) };
  delete reasked[questionId];
  for (const id of back.restored) delete reasked[id];
  for (const d of drops)
    if (d.why === 'invalid' && d.message && !back.restored.includes(d.id)) reasked[d.id] = d.message;
  const { stash: _s, reasked: _q, ...base } = rest;
  const following = nextQuestion(form, ctx, back.state);
  const next: Draft = {
    ...base,
    answers: back.state.answers,
    confirmations: { ...back.state.confirmations },
    history: [...draft.history, ...entries],
    ...(following ? { cursor: following.id } : {}),
    ...(Object.keys(stash.answers).length > 0 ? { stash } : {}),
    ...(Object.keys(reasked).length > 0 ? { reasked } : {}),
    ...(back.restored.length > 0 ? { restored: back.restored.length } : {}),
  };
  return { session: sessionWith(p, next), result: stepOf(campaign, next) };
}

/**
 * A short tag of what a confirmation asks (which question, which value, which check, soft check or
 * an edit's cost), carried by its buttons. 上一题, a jump, a value typed again or /resume replace
 * the pending confirmation without a new revision; the tag tells a button of the one shown from
 * a button of another, so 确认 never confirms something it was not shown under.
 */
export function pendingTag(pending: PendingConfirmation): string {
  const about = [pending.kind ?? 'soft', pending.questionId, pending.check, JSON.stringify(pending.value)];
  return createHash('sha256').update(about.join('\u0000')).digest('base64url').slice(0, 6);
}

/** The pending confirmation a button was under, or ChatError 'stale_button'. */
function pendingShown(draft: Draft, req: { rev?: number; pending?: string }): PendingConfirmation {
  const pending = draft.pending;
  if (
    !pending ||
    (req.rev !== undefined && req.rev !== revOf(draft)) ||
    req.pending === undefined ||
    req.pending !== pendingTag(pending)
  )
    throw new ChatError('stale_button');
  return pending;
}

/** 确认无误 on a soft check that needs no reason, or 确定修改 on an edit's cost: the one shown. */
export async function confirmPending(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { rev?: number; pending?: string; updateId?: number },
): Promise<Outcome<SurveyStep>> {
  await guardDraft(deps, person, campaign);
  const bounded = await boundHistory(deps, campaign, person);
  return withSession(deps, person, req.updateId, (p) => {
    const draft = bounded(requireDraft(p, campaign));
    const pending = pendingShown(draft, req);
    if (pending.needsReason) return { result: stepOf(campaign, draft) };
    // An edit's cost confirmed: apply it with the soft check it had already passed.
    if (pending.kind === 'edit') {
      return accept(
        deps,
        p,
        campaign,
        draft,
        pending.questionId,
        { value: pending.value },
        {
          ...(pending.confirmed ? { confirm: pending.confirmed } : {}),
          editConfirmed: true,
        },
      );
    }
    return accept(deps, p, campaign, draft, pending.questionId, { value: pending.value }, { confirm: {} });
  });
}

/** Where the cursor goes: a question id, the review (undefined), or nowhere ('stay'). */
type CursorMove = (draft: Draft, form: FormDef, ctx: FormContext) => string | undefined | 'stay';

/** Move the cursor of the open draft (dropping a pending confirmation) with one session write. */
async function moveCursor(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  updateId: number | undefined,
  to: CursorMove,
): Promise<Outcome<SurveyStep>> {
  await guardDraft(deps, person, campaign);
  return withSession(deps, person, updateId, (p) => {
    const draft = requireDraft(p, campaign);
    const target = to(draft, formOf(draft), contextOf(campaign, draft));
    if (target === 'stay') return { result: stepOf(campaign, draft) };
    const { pending: _p, cursor: _c, restored: _r, ...rest } = draft;
    const next: Draft = { ...rest, ...(target ? { cursor: target } : {}) };
    return { session: sessionWith(p, next), result: stepOf(campaign, next) };
  });
}

/** 重新填写 / 取消修改: drop the pending confirmation shown and ask its question again. */
export function cancelPending(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { rev?: number; pending?: string; updateId?: number },
): Promise<Outcome<SurveyStep>> {
  return moveCursor(deps, person, campaign, req.updateId, (d) => pendingShown(d, req).questionId);
}

/** 上一题. */
export function goBack(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { rev?: number; updateId?: number },
): Promise<Outcome<SurveyStep>> {
  return moveCursor(deps, person, campaign, req.updateId, (d, form, ctx) => {
    if (req.rev !== undefined && req.rev !== revOf(d)) throw new ChatError('stale_button');
    return (
      previousQuestion(form, ctx, { answers: d.answers, confirmations: d.confirmations }, d.cursor)?.id ??
      'stay'
    );
  });
}

/** 修改: jump to a question (from the review or a return notice). */
export function jumpTo(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { questionId: string; updateId?: number },
): Promise<Outcome<SurveyStep>> {
  return moveCursor(deps, person, campaign, req.updateId, (d, form, ctx) => {
    if (!applicableQuestions(form, ctx, d.answers).some((q) => q.id === req.questionId)) {
      throw new ChatError('stale_button');
    }
    return req.questionId;
  });
}

/** Show the review, or the first question still open (after the last question, or 继续答题). */
export function showReview(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { updateId?: number },
): Promise<Outcome<SurveyStep>> {
  return moveCursor(
    deps,
    person,
    campaign,
    req.updateId,
    (d, form, ctx) => nextQuestion(form, ctx, { answers: d.answers, confirmations: d.confirmations })?.id,
  );
}

/** 暂停: keep the answers on the Survey item and close the draft. */
export async function pauseSurvey(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { updateId?: number },
): Promise<Outcome<{ surveyId: string; answered: number; total: number } | undefined>> {
  await guardDraft(deps, person, campaign);
  const draft = person.session.draft;
  if (draft) await writeBackDraft(deps, campaign, draft, person.id);
  return withSession(deps, person, req.updateId, (p) => {
    const d = p.session.draft;
    if (!d) return { session: sessionWith(p, undefined), result: undefined };
    const form = formOf(d);
    const pr = progress(form, contextOf(campaign, d), { answers: d.answers, confirmations: d.confirmations });
    return {
      session: sessionWith(p, undefined),
      result: { surveyId: d.surveyId, answered: pr.answered, total: pr.applicable },
    };
  });
}

/**
 * The survey's history with this draft's entries after what it held when the draft opened: writing
 * the same draft back twice (a retried pause, a revocation after a pause) never doubles an entry.
 */
function historyWith(survey: Survey, draft: Draft): EditEntry[] {
  return [...survey.history.slice(0, draft.baseRev), ...draft.history];
}

/**
 * Write `owner`'s working copy back to the Survey item (on pause, before opening another, on
 * revocation).
 */
export async function writeBackDraft(
  deps: SurveyDeps,
  campaign: Campaign,
  draft: Draft,
  owner: string,
): Promise<Survey | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const survey = await deps.store.getSurvey(draft.surveyId);
    if (!survey) return undefined;
    if (survey.status === 'submitted') {
      // Reopened office figures: the correction is kept apart, one per person, with the figures it
      // started from; the submitted figures stay in force.
      if (survey.kind !== 'office') return undefined;
      const rest = withoutCorrectionOf(survey, owner);
      try {
        return await deps.store.saveSurvey(
          {
            ...rest,
            pendingEdits: {
              ...rest.pendingEdits,
              [owner]: {
                answers: draft.answers,
                confirmations: draft.confirmations,
                history: draft.history,
                ...(draft.figuresBase !== undefined ? { base: draft.figuresBase } : {}),
              },
            },
            updatedAt: deps.clock.now().toISOString(),
          },
          survey.version,
        );
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        continue;
      }
    }
    try {
      return await deps.store.saveSurvey(
        {
          ...survey,
          answers: draft.answers,
          confirmations: draft.confirmations,
          flags: flagsOf(campaign, draft),
          history: historyWith(survey, draft),
          ...(draft.evidence ? { evidence: draft.evidence } : {}),
          updatedAt: deps.clock.now().toISOString(),
        },
        survey.version,
      );
    } catch (err) {
      // Someone else wrote the survey meanwhile (a release by the office): write it again over it.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return undefined;
}

/**
 * Edits a draft holds in the person item before they move to the survey. The person item is
 * written on every answer, so it must stay small whatever the inspector does: a draft's history
 * grows with every change (124 edits of one long answer once filled the 400 KB item). A household
 * survey has 40–60 answers, so only heavy editing reaches this; then, once, the answer that does
 * also writes the draft back to its survey (one read and one write more) and the person item keeps
 * only what came after.
 */
export const DRAFT_HISTORY_MAX = 100;

/** Move a long draft history to the survey; the returned step applies that to the draft as re-read. */
async function boundHistory(
  deps: SurveyDeps,
  campaign: Campaign,
  person: Person,
): Promise<(d: Draft) => Draft> {
  const draft = person.session.draft;
  if (!draft || draft.kind === 'office' || draft.history.length < DRAFT_HISTORY_MAX) return (d) => d;
  const saved = await writeBackDraft(deps, campaign, draft, person.id);
  if (!saved) return (d) => d;
  const moved = draft.history.length;
  // Only the draft that was written back, as it was then (a concurrent update may have closed it).
  return (d) =>
    d.surveyId === draft.surveyId && d.baseRev === draft.baseRev && d.history.length >= moved
      ? { ...d, baseRev: d.baseRev + moved, history: d.history.slice(moved), version: saved.version }
      : d;
}

// ---------------------------------------------------------------------------------------------
// Submitting and returning

/** A problem a submitted survey proposes (DOMAIN.md §9; the rules are domain/proposals.ts). */
export type { ProblemProposal } from '../domain/model';

export interface Submitted {
  submitted: true;
  survey: Survey;
  /** What the answers propose, stored: those still to be decided, and those decided before. */
  proposals: Offer;
  /**
   * Undecided proposals of the submission before (a return and resubmit) that the answers no
   * longer raise, superseded by this submit (app/problems.ts supersedeProposals).
   */
  superseded: number;
}

/**
 * The office's figures were submitted or corrected by someone else after this draft opened:
 * nothing was submitted (it would have put their old values back and dropped their history). The
 * draft is closed; what it changed is listed so it can be entered again over the current figures.
 */
export interface FiguresChanged {
  submitted: false;
  /** The figures as they are now. */
  survey: Survey;
  /** Who changed them and when (the latest submit, correction or, before submission, answer). */
  by?: string;
  at: string;
  /** This draft's changes, each with the value it set and the value in force now. */
  unsent: { questionId: string; mine?: AnswerValue; current?: AnswerValue }[];
}

export type SubmitResult = Submitted | FiguresChanged;

/**
 * 提交: lock the survey with its answers and flags, count it in its village's aggregate, close the
 * draft. Each step is idempotent, so a retried submit finishes what a cut-off one started.
 */
/**
 * The problems' use cases (superseding and offering proposals), imported by the submits that need
 * them: a resubmit that drops proposals, a survey that raises some. An answer's cold start never
 * does (the webhook's bundle, infra/bundle.ts).
 */
const problems = () => import('./problems');

export async function submitSurvey(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  req: { rev?: number; updateId?: number },
): Promise<Outcome<SubmitResult>> {
  await guardDraft(deps, person, campaign);
  const draft = requireDraft(person, campaign);
  if (req.rev !== undefined && req.rev !== revOf(draft)) throw new ChatError('stale_button');
  const form = formOf(draft);
  const ctx = contextOf(campaign, draft);
  const ok = submittable(form, ctx, { answers: draft.answers, confirmations: draft.confirmations });
  if (!ok.ok) throw new ChatError('not_submittable', { missing: ok.missing.length });
  // The location (or why not) and the photos (or why not) are part of what is submitted.
  if (evidenceStillNeeded(campaign, draft.kind, draft.evidence)) throw new ChatError('evidence_missing');
  const now = deps.clock.now().toISOString();
  let survey = await deps.store.getSurvey(draft.surveyId);
  if (!survey) throw new ChatError('not_found');
  if (survey.inspectorId !== person.id && survey.kind !== 'office') throw new ChatError('survey_taken');
  if (survey.kind === 'office' && figuresChangedSince(draft, survey)) {
    return refuseStaleFigures(deps, person, survey, draft, req.updateId);
  }
  if (survey.kind === 'office' && survey.status === 'submitted') {
    return resubmitFigures(deps, person, campaign, survey, draft, req.updateId);
  }
  const household =
    survey.kind === 'household' && survey.villageId && survey.householdId
      ? { villageId: survey.villageId, householdId: survey.householdId }
      : undefined;
  // A household replaced in the sample (before surveys marked their pick started) is not in the
  // sample any more: its survey must not count as one of the village's ten. A draft opened since
  // opening marked the pick knows where it is, and a started pick cannot be replaced: no read.
  const pickIndex = draft.context.pickIndex;
  if (household && survey.status !== 'submitted' && pickIndex === undefined) {
    const sample = await deps.store.getSample(campaign.id, household.villageId);
    const pick = sample?.picks.find((p) => p.householdId === household.householdId);
    if (!pick || pick.status === 'replaced') throw new ChatError('household_replaced');
  }
  if (survey.status !== 'submitted') {
    try {
      survey = await deps.store.saveSurvey(
        withProposalKeys(
          campaign,
          {
            ...survey,
            status: 'submitted',
            answers: draft.answers,
            confirmations: draft.confirmations,
            flags: flagsOf(campaign, draft),
            history: historyWith(survey, draft),
            ...(draft.evidence ? { evidence: draft.evidence } : {}),
            // The submission is recorded in the survey itself (no separate audit write).
            submissions: [...(survey.submissions ?? []), { at: now, by: person.id }],
            submittedAt: now,
            updatedAt: now,
          },
          survey,
        ),
        survey.version,
      );
    } catch (err) {
      // A double tap or a repeated delivery of 提交 processed at the same time: the other one
      // submitted this draft and finishes the rest; this tap did nothing (load test: it used to
      // answer 系统出错了).
      if (!(err instanceof ConflictError)) throw err;
      const current = await deps.store.getSurvey(draft.surveyId);
      // The office's figures first submitted by another office user at the same moment.
      if (current?.kind === 'office' && figuresChangedSince(draft, current))
        return refuseStaleFigures(deps, person, current, draft, req.updateId);
      if (current?.status === 'submitted') throw new ChatError('stale_button');
      throw err;
    }
  }
  // Whether a pick was surveyed is read from its survey (the village screen, the group report):
  // the survey is the fact, a mark on the pick would be a copy to keep in step with returns. A
  // pick is only marked when the draft did not mark it started when it opened (a draft from
  // before those marks): then it is marked here, so that it can no longer be replaced. If that
  // fails after the store's retries the error surfaces and the draft stays open: pressing 提交
  // again finishes it.
  if (household && pickIndex === undefined) {
    await deps.store.markPick(campaign.id, household.villageId, household.householdId, {
      kind: 'surveyed',
      at: now,
      by: person.id,
    });
  }
  // Then its village's aggregate (one conditional write; a repeat is refused by its marker), and
  // what the submission before proposed and these answers do not is superseded (read from the
  // stored survey: a submit repeated after being cut off finishes it; nothing on a first submit).
  await recordSubmitted(deps, campaign, survey);
  // Only a resubmit drops proposals.
  const superseded = survey.droppedProposalKeys?.length
    ? await (await problems()).supersedeProposals(deps, person, campaign, survey)
    : 0;
  // What these answers propose is stored before the draft closes (create-once per key,
  // app/problems.ts offerProposals): a submit cut off here leaves the draft open, and 提交 again
  // stores and shows them, nothing twice.
  const raised = proposalsFor(campaign, survey);
  const proposals: Offer =
    raised.length > 0
      ? await (await problems()).offerProposals(deps, person, campaign, raised, 'chat')
      : { pending: [], settled: [] };
  const submitted = survey;
  return withSession(deps, person, req.updateId, (p) => ({
    session: sessionWith(p, p.session.draft?.surveyId === submitted.id ? undefined : p.session.draft),
    result: { submitted: true as const, survey: submitted, proposals, superseded },
  }));
}

/**
 * Whether the office's figures changed after `draft` opened. A draft from before drafts kept
 * their figures' state compares the history it started from.
 */
function figuresChangedSince(draft: Draft, survey: Survey): boolean {
  return draft.figuresBase !== undefined
    ? draft.figuresBase !== figuresStateOf(survey)
    : draft.baseRev !== survey.history.length;
}

/** Close a draft of figures changed since it opened, and say what it would have changed. */
async function refuseStaleFigures(
  deps: SurveyDeps,
  person: Person,
  survey: Survey,
  draft: Draft,
  updateId: number | undefined,
): Promise<Outcome<SubmitResult>> {
  const { at, by } = lastFiguresChange(survey);
  const unsent = netChanges(draft.history).map((c) => ({
    questionId: c.questionId,
    ...(c.new !== undefined ? { mine: c.new } : {}),
    ...(survey.answers[c.questionId] !== undefined ? { current: survey.answers[c.questionId] } : {}),
  }));
  // The draft is closed and the update id recorded first; a repeat of this update stops there.
  const out = await withSession(deps, person, updateId, (p) => ({
    session: sessionWith(p, p.session.draft?.surveyId === survey.id ? undefined : p.session.draft),
    result: { submitted: false as const, survey, at, ...(by ? { by } : {}), unsent },
  }));
  // This person's paused correction, if the draft continued from one, started from the same old
  // figures: it goes with the draft (its changes are the ones listed).
  if (!out.duplicate && survey.pendingEdits?.[person.id]) {
    await deps.store
      .saveSurvey(withoutCorrectionOf(survey, person.id), survey.version)
      .catch((err: unknown) => {
        // Written meanwhile: the correction is kept, and submitting it again is refused the same way.
        if (!(err instanceof ConflictError)) throw err;
      });
  }
  return out;
}

/** Who last changed the office's figures and when: a correction, a (re)submission, or an answer. */
function lastFiguresChange(survey: Survey): { at: string; by?: string } {
  const latest = survey.history.at(-1);
  if (survey.status !== 'submitted')
    return { at: latest?.at ?? survey.updatedAt, ...(latest ? { by: latest.by } : {}) };
  const submitted = survey.resubmittedAt ?? survey.submittedAt ?? survey.updatedAt;
  if (survey.correctedAt && survey.correctedAt > submitted)
    return { at: survey.correctedAt, ...(latest ? { by: latest.by } : {}) };
  return { at: submitted, by: survey.resubmittedBy ?? survey.inspectorId };
}

/** Each question a history changed, from its first old value to its last new one (unchanged left out). */
function netChanges(history: EditEntry[]): { questionId: string; old?: AnswerValue; new?: AnswerValue }[] {
  const byQuestion = new Map<string, { questionId: string; old?: AnswerValue; new?: AnswerValue }>();
  for (const e of history) {
    // The first entry's old value stays; each later entry brings the newest value.
    const old = byQuestion.has(e.questionId) ? byQuestion.get(e.questionId)?.old : e.old;
    byQuestion.set(e.questionId, { questionId: e.questionId, old, new: e.new });
  }
  return [...byQuestion.values()].filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new));
}

/**
 * The office submits its corrected figures: the new answers replace the old, every change goes
 * into the survey's history (old → new, who, when), and the correction in progress is cleared.
 */
async function resubmitFigures(
  deps: SurveyDeps,
  person: Person,
  campaign: Campaign,
  survey: Survey,
  draft: Draft,
  updateId: number | undefined,
): Promise<Outcome<SubmitResult>> {
  const now = deps.clock.now().toISOString();
  // Only this person's paused correction is done with: another office user's stays theirs (it
  // started from the figures before this submit, so submitting it later is refused and listed).
  const rest = withoutCorrectionOf(survey, person.id);
  let saved: Survey;
  try {
    saved = await deps.store.saveSurvey(
      {
        ...rest,
        answers: draft.answers,
        confirmations: draft.confirmations,
        flags: flagsOf(campaign, draft),
        history: historyWith(survey, draft),
        resubmittedAt: now,
        resubmittedBy: person.id,
        updatedAt: now,
      },
      survey.version,
    );
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    // Another office user submitted at the same moment: theirs stands, this one is listed back.
    const current = await deps.store.getSurvey(survey.id);
    if (current && figuresChangedSince(draft, current))
      return refuseStaleFigures(deps, person, current, draft, updateId);
    throw new ChatError('stale_button');
  }
  await deps.store.appendAudit({
    at: now,
    actorId: person.id,
    action: 'survey.resubmit',
    subject: `survey:${survey.id}`,
    details: { changes: draft.history.length },
  });
  return withSession(deps, person, updateId, (p) => ({
    session: sessionWith(p, p.session.draft?.surveyId === saved.id ? undefined : p.session.draft),
    result: {
      submitted: true as const,
      survey: saved,
      proposals: { pending: [], settled: [] },
      superseded: 0,
    },
  }));
}

/** What a submitted survey proposes for its inspector to confirm, edit or decline (DOMAIN.md §9). */
export function proposalsFor(campaign: Campaign, survey: Survey): ProblemProposal[] {
  return proposalRules(campaign, survey);
}

/** The group's leader (or the office) returns a submitted survey for correction at one question. */
export async function returnSurvey(
  deps: SurveyDeps,
  leader: Person,
  campaign: Campaign,
  /**
   * `seenVersion`: the version of the survey the leader was shown (the card 退回 was pressed on).
   * A return is about answers the leader read: a survey resubmitted or corrected since is not
   * returned (ChatError 'changed_since_shown').
   */
  req: { surveyId: string; questionId: string; reason: string; seenVersion?: number },
): Promise<Survey> {
  const survey = await deps.store.getSurvey(req.surveyId);
  if (!survey || survey.campaignId !== campaign.id) throw new ChatError('not_found');
  assertCan(can.returnSurvey(leader, survey), 'survey.return', leader);
  if (
    survey.status === 'returned' &&
    survey.returnedAt !== undefined &&
    survey.returnedAt === survey.updatedAt
  ) {
    // The same return again, before the inspector touched it (its aggregate write may have
    // failed): finish it from the answers as submitted, then say it is returned already.
    await recordReturned(deps, campaign, survey, survey.updatedAt);
  }
  if (survey.status !== 'submitted') throw new ChatError('not_returnable');
  if (req.seenVersion !== undefined && req.seenVersion !== survey.version)
    throw new ChatError('changed_since_shown');
  const now = deps.clock.now().toISOString();
  const saved = await deps.store.saveSurvey(
    {
      ...survey,
      status: 'returned',
      returnReason: req.reason,
      returnedBy: leader.id,
      returnedAt: now,
      returnQuestion: req.questionId,
      updatedAt: now,
    },
    survey.version,
  );
  await deps.store.appendAudit({
    at: now,
    actorId: leader.id,
    action: 'survey.return',
    subject: `survey:${survey.id}`,
    details: { questionId: req.questionId },
  });
  await recordReturned(deps, campaign, survey, now);
  return saved;
}

/** /resume: the person's open drafts and the surveys returned to them. */
export async function openWork(deps: SurveyDeps, person: Person): Promise<Survey[]> {
  const [drafts, returned] = await Promise.all([
    deps.store.surveysOfInspector(person.id, 'draft'),
    deps.store.surveysOfInspector(person.id, 'returned'),
  ]);
  return [...returned, ...drafts];
}

/** The groups a person leads (a leader may lead more than one). */
export function ledGroups(person: Person, campaign: Campaign) {
  const ids = groupsOf(person, ['leader']);
  return campaign.groups.filter((g) => ids.includes(g.id));
}

function ledGroup(leader: Person, campaign: Campaign, groupId?: string) {
  const group = ledGroups(leader, campaign).find((g) => groupId === undefined || g.id === groupId);
  if (!group) assertCan(false, 'survey.list_group', leader);
  return group as NonNullable<typeof group>;
}

export interface GroupVillage {
  villageId: string;
  /** Submitted surveys (households and the village survey). */
  submitted: number;
  returned: number;
  /** Unfinished surveys whose inspector lost their grant (they went back to the group). */
  released: number;
}

/**
 * A leader's first screen of the group's surveys: per village of the group's town, how many are
 * submitted, returned and released, from the village aggregates (one query of small items, the
 * same at 100 or 10,000 surveys).
 */
export async function groupVillages(
  deps: SurveyDeps,
  leader: Person,
  campaign: Campaign,
  groupId?: string,
): Promise<GroupVillage[]> {
  const group = ledGroup(leader, campaign, groupId);
  const aggregates = await deps.store.villageCountsOfTown(campaign.id, group.townId);
  // In the campaign's order of villages, as every other village list.
  const order = campaign.towns.flatMap((t) => t.villages).map((v) => v.id);
  return aggregates
    .sort((a, b) => order.indexOf(a.villageId) - order.indexOf(b.villageId))
    .map((a) => ({
      villageId: a.villageId,
      submitted: a.submitted,
      returned: a.returned,
      released: a.released,
    }))
    .filter((v) => v.submitted + v.returned + v.released > 0);
}

/**
 * A leader's view of one village of a group they lead: its submitted and returned surveys with
 * their flags, and unfinished ones whose inspector lost their grant. One query of the village.
 */
export async function groupSurveys(
  deps: SurveyDeps,
  leader: Person,
  campaign: Campaign,
  groupId: string | undefined,
  villageId: string,
): Promise<Survey[]> {
  const group = ledGroup(leader, campaign, groupId);
  const surveys = await deps.store.surveysOfVillage(campaign.id, group.townId, villageId);
  return surveys.filter(
    (s) =>
      (s.status === 'submitted' || s.status === 'returned' || (s.status === 'draft' && s.released)) &&
      can.readSurvey(leader, s),
  );
}

/** The inspector's own submitted surveys, to read back (read-only). */
export async function mySubmitted(deps: SurveyDeps, person: Person): Promise<Survey[]> {
  const mine = await deps.store.surveysOfInspector(person.id, 'submitted');
  return mine.filter((s) => can.readSurvey(person, s));
}

export interface SurveyHistory {
  survey: Survey;
  /** Answers changed after they were first given (old → new), and answers an edit cleared. */
  changes: EditEntry[];
  /** Returns for correction: when, by whom, at which question. */
  returns: { at: string; by: string; questionId?: string }[];
  /** Display names of everyone named above, by person id. */
  names: Map<string, string>;
}

/**
 * What happened to a survey, for whoever may read it: who changed which answer from what to what
 * and when, and when it was returned. First answers are not listed (the review shows them).
 */
export async function surveyHistory(
  deps: SurveyDeps,
  person: Person,
  surveyId: string,
): Promise<SurveyHistory> {
  const survey = await readSurvey(deps, person, surveyId);
  const changes = survey.history.filter((e) => e.old !== undefined);
  const returns = (await deps.store.auditOf(`survey:${survey.id}`))
    .filter((e) => e.action === 'survey.return')
    .map((e) => ({
      at: e.at,
      by: e.actorId,
      ...(typeof e.details?.questionId === 'string' ? { questionId: e.details.questionId } : {}),
    }));
  const ids = [...new Set([survey.inspectorId, ...changes.map((e) => e.by), ...returns.map((r) => r.by)])];
  const people = await Promise.all(ids.map((id) => deps.store.getPerson(id)));
  const names = new Map(people.flatMap((p) => (p?.displayName ? [[p.id, p.displayName] as const] : [])));
  return { survey, changes, returns, names };
}

export async function readSurvey(deps: SurveyDeps, person: Person, surveyId: string): Promise<Survey> {
  const survey = await deps.store.getSurvey(surveyId);
  if (!survey) throw new ChatError('not_found');
  assertCan(can.readSurvey(person, survey), 'survey.read', person);
  return survey;
}

/** Review of a stored survey (for the leader). */
export function reviewOf(campaign: Campaign, survey: Survey, context: DraftContext): Review {
  const draft = { formId: survey.formId, formVersion: survey.formVersion, context };
  return review(formOf(draft), contextOf(campaign, draft), {
    answers: survey.answers,
    confirmations: survey.confirmations,
  });
}
