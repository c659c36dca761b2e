// Keeping the village aggregates (domain/aggregates.ts) true: a submit, a return and a release
// each change the village's aggregate once; a summary reads them instead of the surveys; a recount
// rebuilds them from the surveys (a repair after a campaign change, and a check that reports any
// difference). Called after the survey itself is written: if the aggregate write fails after the
// store's retries the error surfaces to the person, and doing the same thing again finishes it (a
// repeat of an applied change is refused by its marker, never counted twice).

import {
  type AggregateChange,
  applyChange,
  basisOf,
  emptyAggregate,
  type VillageAggregate,
  type VillageCounts,
} from '../domain/aggregates';
import { type Campaign, townById } from '../domain/campaign';
import { ConflictError } from '../domain/errors';
import type { Person, Survey } from '../domain/model';
import { contributionOf } from '../domain/tables/compute';
import { TABLE4_ROWS } from '../domain/tables/table4';
import { assertCan, can } from './authz';
import type { Store } from './ports';

export interface AggregateDeps {
  store: Store;
}

const RECOUNT_ATTEMPTS = 5;

/** Household and village surveys with a village are aggregated; the office's figures are not. */
const aggregated = (s: Survey): s is Survey & { villageId: string; kind: 'household' | 'village' } =>
  (s.kind === 'household' || s.kind === 'village') && s.villageId !== undefined;

const where = (s: Survey & { villageId: string }) => ({
  campaignId: s.campaignId,
  townId: s.townId,
  villageId: s.villageId,
});

async function change(
  deps: AggregateDeps,
  campaign: Campaign,
  survey: Survey,
  make: () => AggregateChange,
): Promise<void> {
  if (!aggregated(survey)) return;
  const basis = basisOf(campaign, survey.villageId, TABLE4_ROWS);
  for (let attempt = 0; attempt < 2; attempt++) {
    const outcome = await deps.store.changeVillageAggregate(where(survey), make(), basis);
    if (outcome === 'stale_mark') {
      // Counted from an earlier submission whose return was lost: the village is counted again
      // from its surveys as stored now (which include this one as submitted).
      await recountVillage(deps, campaign, survey.townId, survey.villageId);
      return;
    }
    if (outcome !== 'stale_basis') return;
    // Computed on another poverty line or other rules: recount the village first (it reads the
    // survey as it is now, so this change is then already in, or applies cleanly).
    await recountVillage(deps, campaign, survey.townId, survey.villageId);
  }
}

/** When a submitted survey last changed as the group report sees it: submitted, or corrected later. */
export function submittedMarkAt(s: Pick<Survey, 'submittedAt' | 'correctedAt' | 'updatedAt'>): string {
  const submitted = s.submittedAt ?? s.updatedAt;
  return s.correctedAt && s.correctedAt > submitted ? s.correctedAt : submitted;
}

/** The survey (as submitted) is in its village's aggregate. Idempotent. */
export function recordSubmitted(deps: AggregateDeps, campaign: Campaign, survey: Survey): Promise<void> {
  return change(deps, campaign, survey, () => ({
    op: 'submit',
    surveyId: survey.id,
    contribution: contributionOf(TABLE4_ROWS, campaign, survey),
    at: submittedMarkAt(survey),
  }));
}

/**
 * The survey was returned: its contribution (recomputed from the answers it was submitted with,
 * which a return does not change) leaves the aggregate. Pass the survey as it was submitted.
 */
export function recordReturned(
  deps: AggregateDeps,
  campaign: Campaign,
  submitted: Survey,
  at: string,
): Promise<void> {
  return change(deps, campaign, submitted, () => ({
    op: 'return',
    surveyId: submitted.id,
    contribution: contributionOf(TABLE4_ROWS, campaign, submitted),
    at,
  }));
}

/** An unfinished survey went back to the group (the leader's list shows it). No basis is involved. */
export async function recordReleased(deps: AggregateDeps, survey: Survey, at: string): Promise<void> {
  if (!aggregated(survey)) return;
  await deps.store.changeVillageAggregate(where(survey), { op: 'release', surveyId: survey.id, at }, '');
}

/** A released survey was taken over by a member of its group: no longer listed as released. */
export async function recordTakenOver(deps: AggregateDeps, survey: Survey, at: string): Promise<void> {
  if (!aggregated(survey)) return;
  await deps.store.changeVillageAggregate(where(survey), { op: 'take', surveyId: survey.id, at }, '');
}

/** The aggregate a village's surveys make, on the campaign's basis as it is now. */
export function aggregateFrom(
  campaign: Campaign,
  townId: string,
  villageId: string,
  surveys: readonly Survey[],
): VillageAggregate {
  const basis = basisOf(campaign, villageId, TABLE4_ROWS);
  let agg = emptyAggregate(campaign.id, townId, villageId);
  const apply = (c: AggregateChange) => {
    const next = applyChange(agg, c, basis);
    if (typeof next !== 'string') agg = next;
  };
  for (const s of surveys) {
    if (s.campaignId !== campaign.id || !aggregated(s) || s.villageId !== villageId) continue;
    if (s.status === 'submitted') {
      apply({
        op: 'submit',
        surveyId: s.id,
        contribution: contributionOf(TABLE4_ROWS, campaign, s),
        at: submittedMarkAt(s),
      });
    } else if (s.status === 'returned') {
      // A returned survey is in the returned markers; its contribution is not in.
      agg = { ...agg, returned: { ...agg.returned, [s.id]: s.updatedAt } };
    }
    if (s.released && s.status !== 'submitted') apply({ op: 'release', surveyId: s.id, at: s.released.at });
  }
  return { ...agg, basis };
}

export interface VillageDifference {
  villageId: string;
  /** What differed, e.g. "t4_households 9 → 10", "submitted +1", "basis". */
  what: string[];
}

/** The differences between a stored aggregate and a recount (empty when they agree). */
export function differences(stored: VillageAggregate | undefined, fresh: VillageAggregate): string[] {
  const before = stored ?? emptyAggregate(fresh.campaignId, fresh.townId, fresh.villageId);
  const out: string[] = [];
  if (before.basis !== undefined && before.basis !== fresh.basis && Object.keys(before.submitted).length > 0)
    out.push('basis');
  const keysOf = (...rs: Record<string, unknown>[]) => [...new Set(rs.flatMap((r) => Object.keys(r)))].sort();
  for (const k of keysOf(before.counts, fresh.counts)) {
    const a = before.counts[k] ?? 0;
    const b = fresh.counts[k] ?? 0;
    if (a !== b) out.push(`${k} ${a} → ${b}`);
  }
  if (before.households !== fresh.households)
    out.push(`households ${before.households} → ${fresh.households}`);
  const missed = (a: VillageAggregate) =>
    Object.entries(a.missed)
      .filter(([, n]) => n > 0)
      .map(([k]) => k)
      .sort()
      .join();
  if (missed(before) !== missed(fresh)) out.push('missed');
  for (const [name, pick] of [
    ['submitted', (a: VillageAggregate) => a.submitted],
    ['returned', (a: VillageAggregate) => a.returned],
    ['released', (a: VillageAggregate) => a.released],
  ] as const) {
    const a = Object.keys(pick(before));
    const b = Object.keys(pick(fresh));
    const added = b.filter((id) => !a.includes(id)).length;
    const removed = a.filter((id) => !b.includes(id)).length;
    if (added || removed) out.push(`${name} +${added} −${removed}`);
  }
  const rows = (a: VillageAggregate) =>
    a.village ? `${a.village.rows.join()}|${a.village.villageType}` : '';
  if (rows(before) !== rows(fresh)) out.push('village survey');
  return out;
}

/**
 * Rebuilds one village's aggregate from its surveys (one query of the village) and writes it if
 * nobody changed it meanwhile (else reads again). Returns what differed.
 */
export async function recountVillage(
  deps: AggregateDeps,
  campaign: Campaign,
  townId: string,
  villageId: string,
): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const stored = await deps.store.getVillageAggregate(campaign.id, townId, villageId);
    const surveys = await deps.store.surveysOfVillage(campaign.id, townId, villageId);
    const fresh = aggregateFrom(campaign, townId, villageId, surveys);
    const diff = differences(stored, fresh);
    if (diff.length === 0 && stored?.basis === fresh.basis) return [];
    if (diff.length === 0 && !stored && Object.keys(fresh.submitted).length === 0) return [];
    try {
      const version = stored?.version ?? 0;
      await deps.store.putVillageAggregate({ ...fresh, version: version + 1 }, version);
      return diff;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= RECOUNT_ATTEMPTS) throw err;
    }
  }
}

/**
 * A town's village counts for the summaries, each on the campaign's current basis: a village
 * computed on an older basis (the office changed the poverty line) is recounted first. One query
 * of small items when current.
 */
export async function townCounts(
  deps: AggregateDeps,
  campaign: Campaign,
  townId: string,
): Promise<VillageCounts[]> {
  const stored = await deps.store.villageCountsOfTown(campaign.id, townId);
  const stale = stored.filter(
    (a) => a.submitted > 0 && a.basis !== basisOf(campaign, a.villageId, TABLE4_ROWS),
  );
  if (stale.length === 0) return stored;
  for (const a of stale) await recountVillage(deps, campaign, townId, a.villageId);
  return deps.store.villageCountsOfTown(campaign.id, townId);
}

/**
 * `npm run summary -- --recount`: every village of the scope rebuilt from its surveys; the
 * villages whose stored aggregate differed, and how. The office only.
 */
export async function recount(
  deps: AggregateDeps,
  actor: Person,
  campaign: Campaign,
  scope: 'city' | string,
): Promise<{ villages: number; differences: VillageDifference[] }> {
  assertCan(can.buildSummary(actor, campaign, scope), 'summary.recount', actor);
  const towns =
    scope === 'city' ? campaign.towns : [townById(campaign, scope)].filter((t) => t !== undefined);
  const out: VillageDifference[] = [];
  let villages = 0;
  for (const town of towns) {
    for (const v of town.villages) {
      villages++;
      const what = await recountVillage(deps, campaign, town.id, v.id);
      if (what.length > 0) out.push({ villageId: v.id, what });
    }
  }
  return { villages, differences: out };
}
