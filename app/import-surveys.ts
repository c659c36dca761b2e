// 纸质表录入: surveys filled on paper where there is no signal, typed in by the office (or the
// group) and imported as a batch. Every record is replayed through the form engine exactly as the
// chat would apply it, answer by answer in form order, so a paper survey obeys the same rules as a
// chat one. Soft checks are accepted as confirmed by the importer, with the reason '纸质表录入'.
//
// All or nothing: every record is checked first and every problem is reported (record, question,
// Chinese reason); if there is any, nothing is stored. Surveys take the chat's ids (one per
// household and per village), so importing the same file again after an interruption skips what
// was stored and creates the rest, and never duplicates a survey.
//
// What the imported surveys propose (DOMAIN.md §9: 错退, 漏评, 返贫 …) goes into the office's queue
// of proposals (app/problems.ts), keyed as the chat's proposals are: importing again, or a survey
// the chat proposed the same problem from, queues nothing twice. The office confirms them in the
// chat (/proposals) or with `npm run problems -- proposals --confirm-all`.

import { createHash } from 'node:crypto';
import { type Campaign, groupForTown, localDateTime, townOfVillage, villageById } from '../domain/campaign';
import {
  applicableQuestions,
  applyAnswer,
  choicesOf,
  computeFlags,
  renderLabel,
  submittable,
} from '../domain/engine';
import { EVIDENCE_FLAGS } from '../domain/evidence';
import { forms } from '../domain/forms/index';
import {
  type Answers,
  type AnswerValue,
  EMPTY_STATE,
  type FormContext,
  type FormDef,
  type Question,
  type StratumId,
  type SurveyState,
} from '../domain/forms/types';
import { groupsOf } from '../domain/grants';
import {
  AlreadyExistsError,
  ConflictError,
  type EditEntry,
  NotFoundError,
  type Person,
  type Sample,
  type Survey,
} from '../domain/model';
import { cleanName, proposalsFor, withProposalKeys } from '../domain/proposals';
import { recordReturned, recordSubmitted, recountVillage } from './aggregates';
import { assertCan, can, isOffice } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { offerProposals, supersedeProposals } from './problems';
import { surveyIdFor } from './surveys';

export type ImportKind = 'household' | 'village';

/** One paper survey as read from a file (ingest/survey-file.ts). */
export interface SurveyRecord {
  /** 1-based, in file order. */
  no: number;
  /** Where the record is, as the person typing it in sees it: "第3条", "农户调查表 第4行". */
  where: string;
  kind: ImportKind;
  villageId: string;
  householdId?: string;
  /** Who filled the paper form; the importer when absent. */
  inspectorId?: string;
  /** Question id → answer, as typed (choice labels or ids, numbers, names separated by 、). */
  answers: Record<string, AnswerValue>;
  /** The stored survey's id (the raw export's first column): what `--update` corrects. */
  surveyId?: string;
  /** A multi-select question's options marked 1 in its 0/1 columns (the raw export's layout). */
  selections?: Record<string, string[]>;
  /** The spreadsheet column of each question, so a refusal names it ("R列"). */
  columns?: Record<string, string>;
  /**
   * The survey's 最后修改时间 when it was exported ("2017-10-31 10:00", the campaign's clock): a
   * survey changed since then is not corrected from this row (it would undo that change).
   */
  exportedAt?: string;
  /** The survey's version when it was exported (exact; preferred to the time when present). */
  exportedVersion?: number;
}

/** A reason a record (or the file) cannot be imported; `message` is Chinese. */
export interface RecordIssue {
  record?: number;
  where: string;
  questionId?: string;
  message: string;
}

export interface ImportDeps {
  store: Store;
  clock: Clock;
}

export type ImportResult =
  | {
      ok: true;
      /** Stored (or, on a dry run, to be stored). */
      created: Survey[];
      /** Ids already stored by an earlier run of the same file. */
      skipped: string[];
      /** Problems the surveys propose that now wait in the office's queue (none on a dry run). */
      proposals: number;
      /**
       * Undecided proposals the corrected answers no longer raise, now superseded (out of the
       * office's queue; a button from before answers that they were).
       */
      superseded: number;
      /** Submitted surveys whose answers the file corrects (`update`), with each change. */
      corrected: Correction[];
      /** Corrections refused because the survey changed while the file was checked (try again). */
      conflicts: string[];
      dryRun?: boolean;
    }
  | { ok: false; issues: RecordIssue[] };

/** The reason stored with each soft check the importer accepts. */
export const PAPER_REASON = '纸质表录入';

/** A submitted survey the office corrects from an edited export: before, after, what changed. */
export interface Correction {
  before: Survey;
  after: Survey;
  changes: EditEntry[];
}

// ---------------------------------------------------------------------------------------------
// Replaying one record through the engine (pure)

export interface ReplayResult {
  state: SurveyState;
  problems: { questionId?: string; message: string }[];
}

/**
 * Applies the answers in form order with `{ value }` inputs. A prefilled question left blank takes
 * the prefill (the sample's name and stratum, the configured village type); a blank optional text
 * is "无". The result must be submittable.
 */
export function replayAnswers(
  form: FormDef,
  ctx: FormContext,
  answers: Readonly<Record<string, AnswerValue>>,
  /** Stored with each soft check accepted on the way (an office correction gives its own). */
  confirmReason: string = PAPER_REASON,
): ReplayResult {
  const problems: ReplayResult['problems'] = [];
  const label = (id: string) => {
    const q = form.questions.find((x) => x.id === id);
    return q ? `“${renderLabel(q, ctx)}”` : id;
  };
  const known = new Set(form.questions.map((q) => q.id));
  for (const id of Object.keys(answers)) {
    if (!known.has(id)) problems.push({ questionId: id, message: `“${id}”不是${form.title}的题目编号` });
  }

  let state: SurveyState = EMPTY_STATE;
  const refused = new Set<string>();
  for (const q of form.questions) {
    const applies = () => applicableQuestions(form, ctx, state.answers).some((a) => a.id === q.id);
    let value = answers[q.id];
    if (value === undefined) {
      const prefill = ctx.prefill?.[q.id];
      if (prefill !== undefined && applies()) value = prefill;
      else if (q.type === 'text' && q.optional && applies()) value = '';
      else continue;
    }
    if (!applies()) {
      refused.add(q.id);
      problems.push({ questionId: q.id, message: `${label(q.id)}:按前面的回答,这一题不适用,不应填写` });
      continue;
    }
    const result = applyAnswer(form, ctx, state, q.id, { value }, { confirm: { reason: confirmReason } });
    if (result.kind === 'accepted') state = result.state;
    else {
      refused.add(q.id);
      problems.push({ questionId: q.id, message: `${label(q.id)}:${result.message}` });
    }
  }

  // An answer a later one made void (it no longer applies, or breaks a cross-check).
  for (const id of Object.keys(answers)) {
    if (known.has(id) && !refused.has(id) && state.answers[id] === undefined) {
      problems.push({ questionId: id, message: `${label(id)}:与后面的回答矛盾,这一答案不成立` });
    }
  }
  // Missing answers, besides those already refused above (one reason per question is enough).
  const ok = submittable(form, ctx, state);
  if (!ok.ok) {
    for (const id of ok.missing) {
      if (!refused.has(id) && answers[id] === undefined) {
        problems.push({ questionId: id, message: `缺少必答题${label(id)}` });
      }
    }
  }
  return { state, problems };
}

// ---------------------------------------------------------------------------------------------
// The use case

interface Prepared {
  record: SurveyRecord;
  survey: Survey;
}

/**
 * The chat's id for the household or village (app/surveys.ts), so a paper survey and a chat one
 * can never both exist, and the chat finds the imported survey locked. A household record without
 * a household id gets an id derived from its content, so importing it twice is still detected.
 */
function surveyIdOf(campaignId: string, r: SurveyRecord): string {
  if (r.kind === 'village') return surveyIdFor(campaignId, { kind: 'village', villageId: r.villageId });
  if (r.householdId) {
    return surveyIdFor(campaignId, { kind: 'household', villageId: r.villageId, householdId: r.householdId });
  }
  const canonical = JSON.stringify([
    campaignId,
    r.villageId,
    Object.keys(r.answers)
      .sort()
      .map((k) => [k, r.answers[k]]),
  ]);
  return `paper-${createHash('sha256').update(canonical).digest('hex').slice(0, 24)}`;
}

/** The household's name as a paper record gives it (1.1), cleaned; undefined without one. */
function householdNameOf(r: SurveyRecord): string | undefined {
  const name = r.answers.h1_name;
  const cleaned = typeof name === 'string' ? cleanName(name) : '';
  return cleaned === '' ? undefined : cleaned;
}

/** What separates the entries of a typed list of names: never a space (see namesAsEntries). */
const LIST_SEPARATORS = /[,，、;；\n]+/u;

/**
 * Name lists (textList answers) one entry per person: split at 、 , ; and line breaks only, and each
 * entry's spaces removed (ASCII and full-width), so "陈　海军" is one person 陈海军, not 陈 and 海军.
 * The engine is then given entries without spaces, which it cannot split further.
 */
export function namesAsEntries(
  form: FormDef,
  answers: Readonly<Record<string, AnswerValue>>,
): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = { ...answers };
  for (const q of form.questions) {
    const v = answers[q.id];
    if (q.type !== 'textList' || v === undefined || typeof v === 'number') continue;
    const entries = (Array.isArray(v) ? v : [v])
      .flatMap((x) => x.split(LIST_SEPARATORS))
      .map(cleanName)
      .filter((x) => x !== '');
    out[q.id] = entries.length > 0 ? entries : v;
  }
  return out;
}

/** Answers compared whatever order their keys were stored in. */
function sameAnswers(a: Answers, b: Answers): boolean {
  const canon = (x: Answers) =>
    JSON.stringify(
      Object.keys(x)
        .sort()
        .map((k) => [k, x[k]]),
    );
  return canon(a) === canon(b);
}

const STATUS_LABELS: Readonly<Record<Survey['status'], string>> = {
  draft: '草稿',
  submitted: '已提交',
  returned: '已退回',
};

function baseContext(campaign: Campaign): FormContext {
  return { povertyLine: campaign.povertyLine, year: campaign.year, incomeCutoff: campaign.incomeCutoff };
}

/** A multi-select answer's choice ids as typed (ids or labels), or undefined when one is unknown. */
function choiceIdsOf(q: Question, value: AnswerValue): string[] | undefined {
  const parts = (Array.isArray(value) ? value : String(value).split(/[,，、;；\s]+/u)).filter(
    (x) => x !== '',
  );
  const ids = parts.map((p) => choicesOf(q).find((c) => c.id === p || c.label === p)?.id);
  return ids.every((id) => id !== undefined) ? [...new Set(ids as string[])].sort() : undefined;
}

const sameSet = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.length === b.length &&
  [...a].sort().join() === [...b].sort().join();

/**
 * A multi-select question can arrive twice in an edited export: its joined answer (办公场所、卫生室)
 * and its 0/1 option columns. Whichever one the person changed decides; both changed differently
 * is refused (nobody can tell which was meant). Without a stored survey, the joined answer decides
 * when the two disagree only if the option columns were left all blank.
 */
function resolveSelections(
  form: FormDef,
  record: SurveyRecord,
  stored: Answers | undefined,
  /** The row was exported before the survey last changed: the stored answer is the newer one. */
  stale: boolean,
): { answers: Record<string, AnswerValue>; problems: { questionId: string; message: string }[] } {
  const answers: Record<string, AnswerValue> = { ...record.answers };
  const problems: { questionId: string; message: string }[] = [];
  for (const [questionId, chosen] of Object.entries(record.selections ?? {})) {
    const q = form.questions.find((x) => x.id === questionId);
    if (!q) continue;
    const typed = answers[questionId];
    if (typed === undefined) {
      if (chosen.length > 0) answers[questionId] = chosen;
      continue;
    }
    const joined = choiceIdsOf(q, typed);
    // An unknown option in the joined column: the engine names it.
    if (joined === undefined || sameSet(joined, chosen)) continue;
    const before = stored?.[questionId];
    const storedIds = Array.isArray(before) ? before : undefined;
    // A stale row (the same file imported again after its correction): one of the two is what
    // is stored now, so nothing was edited since.
    if (stale && storedIds && (sameSet(joined, storedIds) || sameSet(chosen, storedIds)))
      answers[questionId] = storedIds;
    else if (sameSet(joined, storedIds)) answers[questionId] = chosen;
    else if (!sameSet(chosen, storedIds)) {
      problems.push({
        questionId,
        message: `多选题“${q.label}”的合并列与各选项的 1/0 列不一致,请只改其中一处`,
      });
    }
  }
  return { answers, problems };
}

const sameValue = (a: AnswerValue | undefined, b: AnswerValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Each answer that differs, as history entries of the office's correction. */
function changesOf(before: Answers, after: Answers, at: string, by: string, reason: string): EditEntry[] {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return ids
    .filter((id) => !sameValue(before[id], after[id]))
    .map((questionId) => ({
      at,
      by,
      questionId,
      ...(before[questionId] !== undefined ? { old: before[questionId] } : {}),
      ...(after[questionId] !== undefined ? { new: after[questionId] } : {}),
      reason,
    }));
}

/**
 * Checks every record and, only if all are good, stores them as submitted surveys with an audit
 * event each. Returns every problem found otherwise.
 */
export async function importSurveys(
  deps: ImportDeps,
  actor: Person,
  campaign: Campaign,
  records: readonly SurveyRecord[],
  opts: {
    /**
     * Problems found while reading the file (a malformed record, an unknown column). Any of them
     * fails the import; the records are still checked so every problem is reported at once.
     */
    fileIssues?: readonly RecordIssue[];
    /** Check only: report what would be created, store nothing. */
    dryRun?: boolean;
    /**
     * Correct submitted surveys whose answers the file changes (an edited raw export), as the
     * office's edits with this reason. Office only.
     */
    update?: { reason: string };
  } = {},
): Promise<ImportResult> {
  // Only the office and inspection groups enter surveys; a group only its own villages (below).
  if (!isOffice(actor) && groupsOf(actor).length === 0) assertCan(false, 'survey.import', actor);
  // Changing what a group submitted is the office's, with a reason, recorded in the history.
  if (opts.update) assertCan(isOffice(actor), 'survey.office_edit', actor);
  const issues: RecordIssue[] = [...(opts.fileIssues ?? [])];
  const now = deps.clock.now().toISOString();
  const samples = new Map<string, Promise<Sample | undefined>>();
  const existing = new Map<string, Promise<Survey[]>>();
  const sampleOf = (villageId: string) => {
    if (!samples.has(villageId)) samples.set(villageId, deps.store.getSample(campaign.id, villageId));
    return samples.get(villageId)!;
  };
  const surveysOf = (townId: string, villageId: string) => {
    if (!existing.has(villageId))
      existing.set(villageId, deps.store.surveysOfVillage(campaign.id, townId, villageId));
    return existing.get(villageId)!;
  };

  const prepared: Prepared[] = [];
  const skipped: string[] = [];
  /** Surveys an earlier run stored: their proposals are queued again (a run cut off before it). */
  const storedBefore: Survey[] = [];
  const seenInFile = new Map<string, number>();
  const people = new Map<string, Promise<Person | undefined>>();
  const personOf = (id: string) => {
    const known = people.get(id);
    if (known) return known;
    const read = deps.store.getPerson(id);
    people.set(id, read);
    return read;
  };
  const corrections: Correction[] = [];
  for (const record of records) {
    const issue = (message: string, questionId?: string) => {
      // The spreadsheet's column too, when the file has one for the question ("第4行R列").
      const column = questionId ? record.columns?.[questionId] : undefined;
      issues.push({
        record: record.no,
        where: column ? `${record.where}${column}列` : record.where,
        ...(questionId ? { questionId } : {}),
        message,
      });
    };
    const village = villageById(campaign, record.villageId);
    const town = townOfVillage(campaign, record.villageId);
    if (!village || !town) {
      issue(`本次检查没有编号为“${record.villageId}”的村`);
      continue;
    }
    if (!isOffice(actor) && !can.survey(actor, campaign, record.villageId)) {
      issue(`您无权录入${village.name}的调查表(只能录入本组负责的村)`);
      continue;
    }
    const form = forms[record.kind]!;
    const ctx: FormContext = { ...baseContext(campaign), villageType: village.type };

    if (record.kind === 'household') {
      const sample = await sampleOf(record.villageId);
      const pick = record.householdId
        ? sample?.picks.find((p) => p.householdId === record.householdId)
        : undefined;
      if (record.householdId && sample && !pick) {
        issue(`农户编号“${record.householdId}”不在${village.name}的抽样名单中`);
        continue;
      }
      // Once the village is drawn, a household is one of its picks: without its id a paper form
      // could enter a sampled household a second time (beside its chat or numbered survey) or one
      // that was never drawn, and 表4 would count either. The pick of that name is suggested.
      if (!record.householdId && sample) {
        const name = householdNameOf(record);
        const named = name
          ? sample.picks.find((p) => p.status !== 'replaced' && cleanName(p.name) === name)
          : undefined;
        issue(
          `${village.name}已抽样,农户调查表须填写抽样名单中的农户编号${
            named ? `(“${named.name}”的农户编号是 ${named.householdId})` : ''
          }`,
        );
        continue;
      }
      if (pick?.status === 'replaced') {
        issue(`农户编号“${record.householdId}”在${village.name}的样本中已被替换,不能再提交其问卷`);
        continue;
      }
      if (pick) {
        ctx.stratum = pick.stratum as StratumId;
        ctx.prefill = { h1_name: pick.name, h1_type: pick.stratum };
      }
    } else {
      ctx.prefill = { v1_type: village.type };
    }

    // One survey per household and per village, in the file and in the store. A household without
    // an id is known by its name within its village (a file corrected and imported again must not
    // enter the household a second time under its new content).
    const paperName =
      record.kind === 'household' && !record.householdId ? householdNameOf(record) : undefined;
    const key =
      record.kind === 'village'
        ? `village:${record.villageId}`
        : record.householdId
          ? `household:${record.villageId}:${record.householdId}`
          : paperName
            ? `named:${record.villageId}:${paperName}`
            : undefined;
    if (key) {
      const first = seenInFile.get(key);
      if (first !== undefined) {
        issue(`与第${first}条记录是同一${record.kind === 'village' ? '村' : '户'},重复录入`);
        continue;
      }
      seenInFile.set(key, record.no);
    }

    const stored = await surveysOf(town.id, record.villageId);
    // A paper survey entered without a household id has an id made from its first content, which
    // an exported (and edited) row cannot reproduce: its 问卷编号 names it, within its village.
    const paperId =
      record.kind === 'household' && !record.householdId && record.surveyId?.startsWith('paper-')
        ? record.surveyId
        : undefined;
    if (paperId && !stored.some((s) => s.id === paperId && s.kind === 'household')) {
      issue(`${village.name}没有问卷编号为“${paperId}”的调查表,请不要修改问卷编号`);
      continue;
    }
    const id = paperId ?? surveyIdOf(campaign.id, record);
    // The export's 问卷编号 must be the survey its village and household name: an edited id would
    // otherwise correct another household's survey.
    if (record.surveyId !== undefined && record.surveyId !== id) {
      issue(`问卷编号“${record.surveyId}”与村编号、农户编号不符(应为 ${id}),请不要修改这几列`);
      continue;
    }
    const same = stored.find((s) => s.id === id);

    const stale =
      same !== undefined &&
      (record.exportedVersion !== undefined
        ? same.version !== record.exportedVersion
        : record.exportedAt !== undefined &&
          localDateTime(same.updatedAt, campaign.timeZone) > record.exportedAt);
    const resolved = resolveSelections(form, record, same?.answers, stale);
    for (const p of resolved.problems) issue(p.message, p.questionId);
    if (resolved.problems.length > 0) continue;
    const correcting = opts.update !== undefined && same?.status === 'submitted';
    const replay = replayAnswers(
      form,
      ctx,
      namesAsEntries(form, resolved.answers),
      correcting ? `扶贫办更正:${opts.update?.reason}` : PAPER_REASON,
    );
    for (const p of replay.problems) issue(p.message, p.questionId);
    if (replay.problems.length > 0) continue;

    // The same survey stored by an earlier run of this file: nothing to do. (With --update, a
    // row left as it is, whatever its survey's status now: an untouched row of a survey returned
    // since the export must not refuse the file's corrections.)
    if (same && sameAnswers(same.answers, replay.state.answers)) {
      if (same.status === 'submitted' || opts.update) {
        skipped.push(id);
        if (same.status === 'submitted') storedBefore.push(same);
        continue;
      }
    }
    if (correcting && same && record.exportedAt === undefined && record.exportedVersion === undefined) {
      // Without the export's 最后修改时间 nobody can tell whether the row is older than the
      // survey (a JSON file, a paper sheet, a column deleted or turned into text): correcting
      // from it could undo a later resubmission.
      issue('更正已提交的调查表须使用“原始数据”导出的文件,并保留“最后修改时间”(updatedAt)列');
      continue;
    }
    if (correcting && same && stale) {
      // Correcting from an old export would undo what changed since (a return and resubmission,
      // another correction): the person exports again and edits that.
      issue(
        `这份调查表在导出后已被修改(最后修改 ${localDateTime(same.updatedAt, campaign.timeZone)}),为免覆盖,请重新导出后再改`,
      );
      continue;
    }
    if (correcting && same && opts.update) {
      const changes = changesOf(same.answers, replay.state.answers, now, actor.id, opts.update.reason);
      // A soft check confirmed in the chat keeps its reason while its answer stays.
      const confirmations = { ...replay.state.confirmations };
      for (const [qid, c] of Object.entries(same.confirmations))
        if (qid in confirmations && sameValue(same.answers[qid], replay.state.answers[qid]))
          confirmations[qid] = c;
      corrections.push({
        before: same,
        changes,
        after: withProposalKeys(
          campaign,
          {
            ...same,
            answers: replay.state.answers,
            confirmations,
            // The answers' flags anew; the evidence's (no photo, far from the village) stay as the
            // chat set them: a corrected income does not clear what the visit lacked (and a paper
            // survey, which has none, gets none).
            flags: [
              ...computeFlags(form, ctx, replay.state.answers),
              ...same.flags.filter((f) => (EVIDENCE_FLAGS as readonly string[]).includes(f)),
            ],
            history: [...same.history, ...changes],
            correctedAt: now,
            updatedAt: now,
          },
          same,
        ),
      });
      continue;
    }
    if (opts.update && same && same.status !== 'submitted') {
      issue(`只能更正已提交的调查表,这份调查表${STATUS_LABELS[same.status]}(编号 ${same.id})`);
      continue;
    }
    const clash =
      same ??
      stored.find((s) =>
        record.kind === 'village'
          ? s.kind === 'village'
          : s.kind === 'household' &&
            (record.householdId !== undefined
              ? s.householdId === record.householdId
              : // Its name, on a household entered without an id before (any content).
                paperName !== undefined &&
                s.householdId === undefined &&
                typeof s.answers.h1_name === 'string' &&
                cleanName(s.answers.h1_name) === paperName),
      );
    if (clash) {
      const what =
        record.kind === 'village'
          ? village.name
          : record.householdId !== undefined
            ? `${village.name}农户“${record.householdId}”`
            : `${village.name}“${paperName ?? ''}”户(无农户编号)`;
      const hint =
        clash.status !== 'submitted'
          ? ''
          : record.kind === 'household' && record.householdId === undefined && clash !== same
            ? ';如要更正,请从“原始数据”导出这份调查表,改好后加 --update 导入'
            : ';如要更正已提交的答案,请加 --update';
      issue(`${what}已有调查表(${STATUS_LABELS[clash.status]},编号 ${clash.id}),不能重复录入${hint}`);
      continue;
    }

    // Who filled a new paper survey is shown on the leader's card and in the raw export: someone
    // who may survey this village now (or the importer), not any id the file names. A correction
    // keeps the stored survey's inspector, whatever its row says.
    if (record.inspectorId !== undefined && record.inspectorId !== actor.id) {
      const named = await personOf(record.inspectorId);
      if (!named || named.deactivated || !can.survey(named, campaign, record.villageId)) {
        issue(
          `检查员“${record.inspectorId}”不是负责${village.name}的检查员(未登记、已停用或不在负责该村的组)`,
        );
        continue;
      }
    }
    const group = groupForTown(campaign, town.id);
    prepared.push({
      record,
      survey: withProposalKeys(campaign, {
        id,
        campaignId: campaign.id,
        kind: record.kind,
        formId: form.id,
        formVersion: form.version,
        townId: town.id,
        villageId: record.villageId,
        ...(record.householdId ? { householdId: record.householdId } : {}),
        ...(group ? { groupId: group.id } : {}),
        inspectorId: record.inspectorId ?? actor.id,
        status: 'submitted',
        answers: replay.state.answers,
        confirmations: { ...replay.state.confirmations },
        flags: computeFlags(form, ctx, replay.state.answers),
        history: [],
        submittedAt: now,
        version: 1,
        createdAt: now,
        updatedAt: now,
      }),
    });
  }
  if (issues.length > 0) {
    // File order: by record, then as found.
    const order = (i: RecordIssue) => i.record ?? 0;
    return {
      ok: false,
      issues: issues
        .map((i, n) => [i, n] as const)
        .sort((a, b) => order(a[0]) - order(b[0]) || a[1] - b[1])
        .map(([i]) => i),
    };
  }

  if (opts.dryRun)
    return {
      ok: true,
      created: prepared.map((p) => p.survey),
      skipped,
      proposals: 0,
      superseded: 0,
      corrected: corrections,
      conflicts: [],
      dryRun: true,
    };

  const created: Survey[] = [];
  for (const { record, survey } of prepared) {
    try {
      created.push(await deps.store.createSurvey(survey));
    } catch (err) {
      // A concurrent run of the same file stored it first: the same content, so nothing is lost.
      if (!(err instanceof AlreadyExistsError)) throw err;
      skipped.push(survey.id);
      storedBefore.push(survey);
      continue;
    }
    await deps.store.appendAudit({
      at: now,
      actorId: actor.id,
      action: 'survey.import',
      subject: `survey:${survey.id}`,
      details: { kind: survey.kind, villageId: record.villageId, record: record.no },
    });
  }
  await markSurveyed(deps.store, campaign.id, created, now, actor.id);
  // Into the villages' aggregates: what this run created, and what a run cut off before it stored
  // (if it is still submitted); a repeat is refused by its marker.
  for (const s of created) await recordSubmitted(deps, campaign, s);
  for (const s of storedBefore) {
    const stored = await deps.store.getSurvey(s.id);
    if (stored?.status === 'submitted') await recordSubmitted(deps, campaign, stored);
  }
  const { corrected, conflicts } = await applyCorrections(deps, actor, campaign, corrections, now);
  // What the corrected answers no longer raise, from the stored surveys' own record of it: a run
  // cut off before this point finds those surveys unchanged (stored before) and finishes it.
  let superseded = 0;
  for (const s of [...corrected.map((c) => c.after), ...storedBefore])
    superseded += await supersedeProposals(deps, actor, campaign, s);
  const proposals = await queueProposals(deps, actor, campaign, [
    ...created,
    ...storedBefore,
    ...corrected.map((c) => c.after),
  ]);
  await deps.store.appendAudit({
    at: now,
    actorId: actor.id,
    action: 'survey.import_batch',
    subject: `import:${campaign.id}`,
    details: {
      records: records.length,
      created: created.length,
      skipped: skipped.length,
      ...(opts.update ? { corrected: corrected.length, superseded } : {}),
      proposals,
    },
  });
  return { ok: true, created, skipped, proposals, superseded, corrected, conflicts };
}

/**
 * The office's corrections, one survey at a time, each whole or not at all: its old contribution
 * leaves the village aggregate, the survey is written if nobody changed it meanwhile (its
 * version), and its new contribution goes in (marked with the correction's time: a group report
 * signed off before shows 签发后有变更). Cut off between the steps, a run of the same file again
 * finds the survey corrected and puts it back in its aggregate; a survey changed meanwhile is
 * left as it is, back in its aggregate, and reported.
 */
async function applyCorrections(
  deps: ImportDeps,
  actor: Person,
  campaign: Campaign,
  corrections: readonly Correction[],
  at: string,
): Promise<{ corrected: Correction[]; conflicts: string[] }> {
  const corrected: Correction[] = [];
  const conflicts: string[] = [];
  for (const c of corrections) {
    // Changed since the file was checked (returned, resubmitted, corrected by another run): its
    // aggregate holds other figures than c.before's, so nothing is touched.
    const current = await deps.store.getSurvey(c.before.id);
    if (current?.version !== c.before.version || current.status !== 'submitted') {
      conflicts.push(c.before.id);
      continue;
    }
    await recordReturned(deps, campaign, c.before, at);
    let saved: Survey;
    try {
      saved = await deps.store.saveSurvey(c.after, c.before.version);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Changed between the read above and the write: what the aggregate holds for it is
      // unknown now, so the village is counted again from its surveys.
      if (c.before.villageId) await recountVillage(deps, campaign, c.before.townId, c.before.villageId);
      conflicts.push(c.before.id);
      continue;
    }
    await recordSubmitted(deps, campaign, saved);
    await deps.store.appendAudit({
      at,
      actorId: actor.id,
      action: 'survey.office_edit',
      subject: `survey:${saved.id}`,
      // Which questions, never the answers (the audit is read more widely than the surveys).
      details: {
        questions: c.changes.map((e) => e.questionId).join(','),
        reason: c.changes[0]?.reason ?? '',
      },
    });
    corrected.push({ ...c, after: saved });
  }
  return { corrected, conflicts };
}

/**
 * The surveys' proposals into the office's queue, one survey at a time; returns how many of them
 * wait there now (decided ones, from an earlier run or the chat, stay decided).
 */
async function queueProposals(
  deps: ImportDeps,
  actor: Person,
  campaign: Campaign,
  surveys: readonly Survey[],
): Promise<number> {
  const waiting = new Set<string>();
  for (const survey of surveys) {
    const offer = await offerProposals(deps, actor, campaign, proposalsFor(campaign, survey), 'paper');
    for (const p of offer.pending) waiting.add(p.id);
  }
  return waiting.size;
}

/**
 * As a chat submit does: each sampled household now surveyed is marked so in its village's sample,
 * one pick at a time (no race with other picks; a failure surfaces, never a silently unmarked pick).
 */
async function markSurveyed(
  store: Store,
  campaignId: string,
  surveys: readonly Survey[],
  at: string,
  by: string,
): Promise<void> {
  for (const s of surveys) {
    if (s.kind !== 'household' || !s.villageId || !s.householdId) continue;
    try {
      await store.markPick(campaignId, s.villageId, s.householdId, { kind: 'surveyed', at, by });
    } catch (err) {
      // A household surveyed on paper outside the sample (checked above) has no pick to mark.
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}
