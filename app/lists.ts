// Household lists and samples (DOMAIN.md §2, issue 5): upload the town's list, draw the village's
// sample, replace a household that cannot be surveyed, add a non-poor household chosen on site.
// Every use case checks the actor's role before it reads or writes anything, and every change
// writes an audit event carrying ids and counts only (audit is read by the office and may be logged).
//
// Refusals a user can act on are ListsError (code + Chinese message), mapped to a reply at the
// front end's one error boundary, like ForbiddenError; an unreadable file is ListFileError (from
// ingest/). Outcomes that are data rather than refusals (bad rows, an exhausted stratum) are results.

import { randomBytes } from 'node:crypto';
import { type Campaign, townOfVillage, type Village, villageById } from '../domain/campaign';
import { STRATA, type StratumId } from '../domain/forms/types';
import { type ListRowError, listFingerprint, parseHouseholdList } from '../domain/household-list';
import {
  AlreadyExistsError,
  type AuditEvent,
  ConflictError,
  countByStratum,
  type HouseholdList,
  type HouseholdListInfo,
  type Person,
  type ReplacementReason,
  type Sample,
  type SampleEntry,
  SampleLockedError,
} from '../domain/model';
import { drawReplacement, drawSample } from '../domain/sampling';
import { assertCan, can } from './authz';
import { ListsError } from './errors';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { surveyIdFor } from './surveys';

/** A name added on site is as long as a head of household's name may be in a list. */
export const ON_SITE_NAME_MAX = 20;

export const REPLACEMENT_REASONS = [
  'absent',
  'refused',
  'moved',
  'other',
] as const satisfies readonly ReplacementReason[];

export const messages = {
  unknownVillage: (villageId: string) => `找不到村「${villageId}」,请检查村编号是否属于本次检查。`,
  forbidden: '您没有权限进行此操作。',
  sampleLocked: '该村样本已抽取并锁定,不能再上传名单。如需替换农户,请使用"申请替换"。',
  noList: (village: string) => `${village}还没有上传农户名单,请先由乡镇上传名单再抽样。`,
  noSample: (village: string) => `${village}还没有抽取样本。`,
  listChanged: (village: string) =>
    `${village}的农户名单与抽样时所用名单不一致(指纹不同),无法按记录抽取替换户,请联系扶贫办核查。`,
  emptySeed: '随机种子不能为空。',
  notInSample: (householdId: string) => `户编号 ${householdId} 不在该村样本中。`,
  alreadyReplaced: (householdId: string) => `户编号 ${householdId} 已被替换,不能再次替换。`,
  alreadySurveyed: (householdId: string) => `户编号 ${householdId} 已完成调查,不能替换。`,
  unknownReason: (reason: string) => `替换原因「${reason}」无法识别,请选择:不在家、拒绝调查、已搬迁或其他。`,
  noteRequired: '替换原因为"其他"时,请写明具体情况。',
  stratumExhausted: (stratum: string) => `该村名单中「${stratum}」已没有可替换的农户,样本未作改动。`,
  nameRequired: '请填写现场增补农户的户主姓名。',
  reasonRequired: '请写明现场增补该农户的理由。',
  onSiteDuplicate: (name: string) => `「${name}」已作为现场增补农户记录,无需重复添加。`,
  busy: '该村样本正被他人同时修改,请稍后重试。',
  alreadyStarted: (name: string) =>
    `${name}户的问卷已经开始填写,不能再替换。如确实无法完成调查,请在问卷中如实记录并联系组长。`,
  listChangedMeanwhile: (village: string) =>
    `${village}的名单刚刚被他人更新,本次操作没有执行。请重新打开该村查看最新名单后再确认。`,
  stagedMissing: '待确认的名单已过期或不存在,请重新发送名单文件。',
  onSiteNameLength: (max: number) => `现场增补农户的户主姓名应为1–${max}个字,请重新输入。`,
  reasonLabels: { absent: '不在家', refused: '拒绝调查', moved: '已搬迁', other: '其他' } satisfies Record<
    ReplacementReason,
    string
  >,
};

export { ListsError } from './errors';

export interface ListsDeps {
  store: Store;
  clock: Clock;
  /** A fresh seed for a draw; defaults to 16 random bytes as hex. Tests pass a fixed one. */
  random?: () => string;
}

const defaultRandom = () => randomBytes(16).toString('hex');

/** Audit subjects: one per village for its list, one for its sample (replacements included). */
export const auditSubject = {
  list: (campaignId: string, villageId: string) => `list:${campaignId}/${villageId}`,
  sample: (campaignId: string, villageId: string) => `sample:${campaignId}/${villageId}`,
};

// ---------------------------------------------------------------------------------------------
// Small helpers

function villageOrThrow(campaign: Campaign, villageId: string): Village {
  const village = villageById(campaign, villageId);
  if (!village || !townOfVillage(campaign, villageId))
    throw new ListsError('unknown_village', messages.unknownVillage(villageId));
  return village;
}

/** The campaign's quota per stratum; a stratum the campaign does not list is not sampled. */
export function quotasOf(campaign: Campaign): Record<StratumId, number> {
  const quotas = Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<StratumId, number>;
  for (const s of campaign.strata) quotas[s.id] = s.quota;
  return quotas;
}

export function stratumLabel(campaign: Campaign, stratum: StratumId): string {
  return campaign.strata.find((s) => s.id === stratum)?.label ?? stratum;
}

async function audit(
  deps: ListsDeps,
  actor: Person,
  action: string,
  subject: string,
  at: string,
  details: AuditEvent['details'],
): Promise<void> {
  await deps.store.appendAudit({ at, actorId: actor.id, action, subject, ...(details ? { details } : {}) });
}

/**
 * Applies `change` to the stored sample and saves it on its version; when someone else saved in
 * between (ConflictError), re-reads and re-applies once. `change` sees the fresh sample each time,
 * so its checks (still selected? exhausted?) hold for what is actually written.
 */
async function updateSample<R>(
  deps: ListsDeps,
  campaign: Campaign,
  village: Village,
  change: (sample: Sample) => { sample: Sample; result: R } | { refused: R },
): Promise<{ saved?: Sample; result: R }> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getSample(campaign.id, village.id);
    if (!current) throw new ListsError('no_sample', messages.noSample(village.name));
    const outcome = change(current);
    if ('refused' in outcome) return { result: outcome.refused };
    try {
      const saved = await deps.store.saveSample(outcome.sample, current.version);
      return { saved, result: outcome.result };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (attempt >= 2) throw new ListsError('busy', messages.busy);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Upload

export interface UploadListInput {
  villageId: string;
  fileName: string;
  bytes: Uint8Array;
}

export type UploadListResult =
  /** Stored: the village had no list, or had this very list already (`unchanged`). */
  | { ok: true; status: 'stored' | 'unchanged'; info: HouseholdListInfo }
  /**
   * The village has another list: the new one is kept aside until the uploader confirms the
   * replacement (confirmListReplacement with both fingerprints), seeing both counts.
   */
  | { ok: true; status: 'confirm'; info: HouseholdListInfo; current: HouseholdListInfo }
  | { ok: false; errors: ListRowError[] };

/** The campaign's villages as the list checks need them (this one, and every other). */
function villagesFor(campaign: Campaign, village: Village) {
  const all = campaign.towns.flatMap((t) => t.villages);
  const plain = (v: Village) => ({ id: v.id, name: v.name, ...(v.idPrefix ? { idPrefix: v.idPrefix } : {}) });
  return { village: plain(village), others: all.filter((v) => v.id !== village.id).map(plain) };
}

/**
 * Reads and checks the town's list. Nothing is stored unless every row is good and the file is
 * for this village. A first list is stored at once; a different list for a village that has one
 * waits for confirmation. Refused once the sample is drawn (ListsError sample_locked), and the
 * store refuses it too if a draw wins a race with it. Throws ListFileError for a file that is not
 * a readable list (a picture, a Word file, a zip bomb …).
 */
export async function uploadHouseholdList(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: UploadListInput,
): Promise<UploadListResult> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.uploadList(actor, campaign, village.id), 'upload the household list', actor);

  // The lock first: a locked village needs a replacement, not a corrected file.
  if (await deps.store.getSample(campaign.id, village.id))
    throw new ListsError('sample_locked', messages.sampleLocked);

  // The reader is loaded on the first upload: an answer's cold start never evaluates it.
  const { readListFile } = await import('../ingest/list-file');
  const rows = await readListFile(input.bytes, input.fileName);
  const parsed = parseHouseholdList(rows, villagesFor(campaign, village));
  if (!parsed.ok) return { ok: false, errors: parsed.errors };

  const at = deps.clock.now().toISOString();
  const fingerprint = listFingerprint(parsed.households);
  const list: HouseholdList = {
    campaignId: campaign.id,
    villageId: village.id,
    fingerprint,
    count: parsed.households.length,
    byStratum: countByStratum(parsed.households),
    uploadedBy: actor.id,
    uploadedAt: at,
    fileName: input.fileName,
    ...(parsed.droppedColumns.length > 0 ? { droppedColumns: parsed.droppedColumns } : {}),
    households: parsed.households,
  };
  const { households: _h, ...info } = list;
  const current = await deps.store.getHouseholdListInfo(campaign.id, village.id);
  if (current?.fingerprint === fingerprint) return { ok: true, status: 'unchanged', info: current };
  if (current) {
    await deps.store.stageHouseholdList(list);
    return { ok: true, status: 'confirm', info, current };
  }
  await storeList(deps, actor, campaign, village, list, undefined);
  return { ok: true, status: 'stored', info };
}

/**
 * 确认替换: makes the staged list the village's list, if the list in force is still the one the
 * uploader saw (`replacing`) and no sample was drawn meanwhile.
 */
export async function confirmListReplacement(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: { villageId: string; fingerprint: string; replacing: string },
): Promise<HouseholdListInfo> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.uploadList(actor, campaign, village.id), 'replace the household list', actor);
  const staged = await deps.store.getHouseholdList(campaign.id, village.id, input.fingerprint);
  // Staged lists expire (a few days), chunk by chunk: one partly expired must not be installed
  // under the full list's fingerprint (every draw would then fail, and the file sent again would be
  // "the same"). What is read back must be the list that was staged.
  if (
    !staged ||
    staged.households.length !== staged.count ||
    listFingerprint(staged.households) !== input.fingerprint
  )
    throw new ListsError('staged_missing', messages.stagedMissing);
  const current = await deps.store.getHouseholdListInfo(campaign.id, village.id);
  if (current?.fingerprint === input.fingerprint) return current; // a repeated confirmation
  const at = deps.clock.now().toISOString();
  const list: HouseholdList = { ...staged, uploadedBy: actor.id, uploadedAt: at };
  await storeList(deps, actor, campaign, village, list, input.replacing, current?.count);
  const { households: _h, ...info } = list;
  return info;
}

async function storeList(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  village: Village,
  list: HouseholdList,
  replacing: string | undefined,
  previousCount?: number,
): Promise<void> {
  try {
    await deps.store.putHouseholdList(list, replacing === undefined ? {} : { replacing });
  } catch (err) {
    if (err instanceof SampleLockedError) throw new ListsError('sample_locked', messages.sampleLocked);
    if (err instanceof ConflictError)
      throw new ListsError('list_changed_meanwhile', messages.listChangedMeanwhile(village.name));
    throw err;
  }
  await audit(
    deps,
    actor,
    replacing === undefined ? 'list.upload' : 'list.replace',
    auditSubject.list(campaign.id, village.id),
    list.uploadedAt,
    {
      villageId: village.id,
      count: list.count,
      fingerprint: list.fingerprint,
      droppedColumns: list.droppedColumns?.length ?? 0,
      ...(previousCount !== undefined ? { previousCount } : {}),
      ...list.byStratum,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Draw

export interface DrawSampleInput {
  villageId: string;
  /** Given when the draw must match one made elsewhere (e.g. witnessed on paper); else random. */
  seed?: string;
  /**
   * The list the person confirmed the draw for (its fingerprint, or a prefix of it, as a button
   * carries): if the list in force is another one, nothing is drawn.
   */
  expectFingerprint?: string;
}

export interface DrawSampleResult {
  sample: Sample;
  /** The village was already drawn: this is the locked sample, unchanged (the seed was not used). */
  alreadyDrawn: boolean;
}

/** Draws the village's sample from its list in force, once; later calls return the locked sample. */
export async function drawVillageSample(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: DrawSampleInput,
): Promise<DrawSampleResult> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.drawSample(actor, campaign, village.id), 'draw the sample', actor);

  const existing = await deps.store.getSample(campaign.id, village.id);
  if (existing) return { sample: existing, alreadyDrawn: true };
  const list = await deps.store.getHouseholdList(campaign.id, village.id);
  if (!list) throw new ListsError('no_list', messages.noList(village.name));
  if (input.expectFingerprint !== undefined && !list.fingerprint.startsWith(input.expectFingerprint))
    throw new ListsError('list_changed_meanwhile', messages.listChangedMeanwhile(village.name));

  const seed = (input.seed ?? (deps.random ?? defaultRandom)()).trim();
  if (seed === '') throw new ListsError('empty_seed', messages.emptySeed);
  const drawn = drawSample({ households: list.households, quotas: quotasOf(campaign), seed });
  const nameOf = new Map(list.households.map((h) => [h.id, h.name]));
  const at = deps.clock.now().toISOString();
  const sample: Sample = {
    campaignId: campaign.id,
    villageId: village.id,
    seed,
    // Recomputed rather than trusted from the stored item, so the record is what was drawn from.
    fingerprint: listFingerprint(list.households),
    drawnBy: actor.id,
    drawnAt: at,
    picks: drawn.picks.map((p) => ({
      householdId: p.householdId,
      name: nameOf.get(p.householdId) ?? '',
      stratum: p.stratum,
      status: 'selected',
    })),
    shortfalls: drawn.shortfalls,
    version: 1,
  };

  let stored: Sample;
  try {
    // The store draws only from the list in force: an upload that slipped in since we read the
    // list makes this fail, and nothing is drawn from a list that is no longer the village's.
    stored = await deps.store.putSample(sample);
  } catch (err) {
    if (err instanceof ConflictError)
      throw new ListsError('list_changed_meanwhile', messages.listChangedMeanwhile(village.name));
    // Someone drew at the same moment: theirs is the sample; never draw twice.
    if (!(err instanceof AlreadyExistsError)) throw err;
    const winner = await deps.store.getSample(campaign.id, village.id);
    if (!winner) throw err;
    return { sample: winner, alreadyDrawn: true };
  }
  await audit(deps, actor, 'sample.draw', auditSubject.sample(campaign.id, village.id), at, {
    villageId: village.id,
    seed,
    fingerprint: stored.fingerprint,
    picks: stored.picks.length,
    shortfall: stored.shortfalls.reduce((n, s) => n + s.quota - s.available, 0),
  });
  return { sample: stored, alreadyDrawn: false };
}

// ---------------------------------------------------------------------------------------------
// Verify (pure)

export interface VerifyResult {
  ok: boolean;
  fingerprintMatches: boolean;
  drawMatches: boolean;
  replacementsMatch: boolean;
  /** Chinese, one line per discrepancy. */
  problems: string[];
}

/**
 * Re-runs the recorded draw: the list's fingerprint must be the recorded one, the drawn picks must
 * be what the seed gives on this list, and each replacement what drawReplacement gives for its
 * attempt. Pass the campaign's quotas to check the number of picks too; without them the quotas
 * are inferred from the record (which cannot notice a pick deleted from the end of a stratum).
 */
export function verifySample(
  sample: Sample,
  list: Pick<HouseholdList, 'households'>,
  quotas?: Readonly<Record<StratumId, number>>,
): VerifyResult {
  const problems: string[] = [];
  const fingerprint = listFingerprint(list.households);
  const fingerprintMatches = fingerprint === sample.fingerprint;
  if (!fingerprintMatches)
    problems.push(`名单指纹不一致:记录为 ${sample.fingerprint},当前名单为 ${fingerprint}`);

  // Entries are only ever appended, so the record's order is the order things happened in.
  const replacementIds = new Set(sample.picks.flatMap((p) => (p.replacedBy ? [p.replacedBy] : [])));
  const drawnPicks = sample.picks.filter((p) => !p.onSite && !replacementIds.has(p.householdId));
  const recordedQuotas =
    quotas ??
    (() => {
      const counted = countByStratum(drawnPicks);
      const inferred = Object.fromEntries(STRATA.map((s) => [s, counted[s] ?? 0])) as Record<
        StratumId,
        number
      >;
      for (const s of sample.shortfalls) inferred[s.stratum] = s.quota;
      return inferred;
    })();
  const expected = drawSample({ households: list.households, quotas: recordedQuotas, seed: sample.seed });
  const expectedIds = expected.picks.map((p) => p.householdId);
  const actualIds = drawnPicks.map((p) => p.householdId);
  const drawMatches =
    expectedIds.length === actualIds.length && expectedIds.every((id, i) => actualIds[i] === id);
  if (!drawMatches)
    problems.push(`按记录的种子重新抽样得到 ${expectedIds.join('、')},记录中为 ${actualIds.join('、')}`);

  let replacementsMatch = true;
  let attempt = 0;
  sample.picks.forEach((pick, index) => {
    if (!replacementIds.has(pick.householdId)) return;
    attempt++;
    const replaced = sample.picks.find((p) => p.replacedBy === pick.householdId);
    const again = drawReplacement({
      households: list.households,
      stratum: replaced?.stratum ?? pick.stratum,
      exclude: sample.picks.slice(0, index).map((p) => p.householdId),
      seed: sample.seed,
      attempt,
    });
    if (again !== pick.householdId || replaced?.stratum !== pick.stratum) {
      replacementsMatch = false;
      problems.push(`第${attempt}次替换应抽到 ${again ?? '(无)'},记录中为 ${pick.householdId}`);
    }
  });

  return {
    ok: fingerprintMatches && drawMatches && replacementsMatch,
    fingerprintMatches,
    drawMatches,
    replacementsMatch,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// Show

export interface VillageSampleView {
  sample?: Sample;
  list?: HouseholdList;
}

/** The village's sample and list as stored, for the group and the office. */
export async function showVillageSample(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: { villageId: string },
): Promise<VillageSampleView> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.drawSample(actor, campaign, village.id), 'view the sample', actor);
  const sample = await deps.store.getSample(campaign.id, village.id);
  // Once drawn, the list that matters is the one the sample was drawn from.
  const list = await deps.store.getHouseholdList(campaign.id, village.id, sample?.fingerprint);
  return { ...(sample ? { sample } : {}), ...(list ? { list } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Replace

export interface ReplaceInput {
  villageId: string;
  householdId: string;
  reason: ReplacementReason;
  note?: string;
}

export type ReplaceResult =
  | { ok: true; sample: Sample; replaced: SampleEntry; replacement: SampleEntry; attempt: number }
  | { ok: false; code: 'stratum_exhausted'; message: string };

/**
 * Replaces a selected household by one drawn from the same stratum, excluding everyone already
 * in the sample. The original stays on record as replaced, with the reason.
 */
export async function replaceHousehold(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: ReplaceInput,
): Promise<ReplaceResult> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.drawSample(actor, campaign, village.id), 'replace a household', actor);

  const reason = input.reason as string;
  if (!(REPLACEMENT_REASONS as readonly string[]).includes(reason))
    throw new ListsError('unknown_reason', messages.unknownReason(reason));
  const note = input.note?.trim() || undefined;
  if (input.reason === 'other' && !note) throw new ListsError('note_required', messages.noteRequired);

  const at = deps.clock.now().toISOString();
  const before = await deps.store.getSample(campaign.id, village.id);
  if (!before) throw new ListsError('no_sample', messages.noSample(village.name));
  const target = before.picks.find((p) => p.householdId === input.householdId);
  if (!target) throw new ListsError('not_in_sample', messages.notInSample(input.householdId));
  // Surveys started before picks recorded it: the survey itself says so.
  const surveyId = surveyIdFor(campaign.id, {
    kind: 'household',
    villageId: village.id,
    householdId: target.householdId,
  });
  if (target.startedAt === undefined && (await deps.store.getSurvey(surveyId)))
    throw new ListsError('already_started', messages.alreadyStarted(target.name));
  // Only the stratum the replacement comes from, of the list the sample was drawn from.
  const candidates = await deps.store.householdsOfStratum(
    campaign.id,
    village.id,
    before.fingerprint,
    target.stratum,
  );
  if (candidates.length === 0) throw new ListsError('list_changed', messages.listChanged(village.name));

  const { saved, result } = await updateSample<ReplaceResult>(deps, campaign, village, (sample) => {
    const index = sample.picks.findIndex((p) => p.householdId === input.householdId);
    const original = sample.picks[index];
    if (!original) throw new ListsError('not_in_sample', messages.notInSample(input.householdId));
    if (original.status === 'replaced')
      throw new ListsError('not_selected', messages.alreadyReplaced(input.householdId));
    if (original.status === 'surveyed')
      throw new ListsError('not_selected', messages.alreadySurveyed(input.householdId));
    // Checked on the sample as it is written: opening the survey marks the pick (and bumps the
    // version), so a replacement computed before that fails its write and lands here.
    if (original.startedAt !== undefined)
      throw new ListsError('already_started', messages.alreadyStarted(original.name));

    const attempt = sample.picks.filter((p) => p.replacedBy !== undefined).length + 1;
    const chosen = drawReplacement({
      households: candidates,
      stratum: original.stratum,
      exclude: sample.picks.map((p) => p.householdId),
      seed: sample.seed,
      attempt,
    });
    if (chosen === null) {
      const message = messages.stratumExhausted(stratumLabel(campaign, original.stratum));
      return { refused: { ok: false, code: 'stratum_exhausted', message } };
    }
    const household = candidates.find((h) => h.id === chosen);
    const replacement: SampleEntry = {
      householdId: chosen,
      name: household?.name ?? '',
      stratum: original.stratum,
      status: 'selected',
    };
    const replaced: SampleEntry = {
      ...original,
      status: 'replaced',
      replacedBy: chosen,
      replacement: { reason: input.reason, ...(note ? { note } : {}), by: actor.id, at },
    };
    const picks = [...sample.picks];
    picks[index] = replaced;
    picks.push(replacement);
    return {
      sample: { ...sample, picks },
      result: { ok: true, sample: { ...sample, picks }, replaced, replacement, attempt },
    };
  });
  if (!saved || !result.ok) return result;

  // The note is free text (it may name people), so only the reason code goes to the audit.
  await audit(deps, actor, 'sample.replace', auditSubject.sample(campaign.id, village.id), at, {
    villageId: village.id,
    householdId: result.replaced.householdId,
    replacementId: result.replacement.householdId,
    stratum: result.replacement.stratum,
    reason: input.reason,
    attempt: result.attempt,
  });
  return { ...result, sample: saved };
}

// ---------------------------------------------------------------------------------------------
// On-site addition

export interface AddOnSiteInput {
  villageId: string;
  /** Head of household, as the inspector writes it. */
  name: string;
  reason: string;
}

export interface AddOnSiteResult {
  sample: Sample;
  entry: SampleEntry;
}

/** Adds a non-poor household missing from the list, chosen on site by the inspector. */
export async function addOnSiteHousehold(
  deps: ListsDeps,
  actor: Person,
  campaign: Campaign,
  input: AddOnSiteInput,
): Promise<AddOnSiteResult> {
  const village = villageOrThrow(campaign, input.villageId);
  assertCan(can.drawSample(actor, campaign, village.id), 'add a household on site', actor);

  const name = input.name.normalize('NFKC').trim().replace(/\s+/gu, ' ');
  const reason = input.reason.trim();
  if (name === '') throw new ListsError('name_required', messages.nameRequired);
  if ([...name].length > ON_SITE_NAME_MAX)
    throw new ListsError('name_required', messages.onSiteNameLength(ON_SITE_NAME_MAX));
  if (reason === '') throw new ListsError('reason_required', messages.reasonRequired);
  const at = deps.clock.now().toISOString();

  const { saved, result } = await updateSample<SampleEntry>(deps, campaign, village, (sample) => {
    const onSite = sample.picks.filter((p) => p.onSite);
    // A double tap in the chat must not add the same household twice.
    if (onSite.some((p) => p.name === name))
      throw new ListsError('on_site_duplicate', messages.onSiteDuplicate(name));
    const entry: SampleEntry = {
      householdId: `onsite-${onSite.length + 1}`,
      name,
      stratum: 'non_poor',
      status: 'selected',
      onSite: { reason, by: actor.id, at },
    };
    return { sample: { ...sample, picks: [...sample.picks, entry] }, result: entry };
  });
  if (!saved) throw new Error('unreachable: on-site addition never refuses without throwing');

  await audit(deps, actor, 'sample.add_on_site', auditSubject.sample(campaign.id, village.id), at, {
    villageId: village.id,
    householdId: result.householdId,
    picks: saved.picks.length,
  });
  return { sample: saved, entry: result };
}
