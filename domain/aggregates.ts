// A village's aggregate (ARCHITECTURE.md "Scale: aggregates, not re-reads"): what its submitted
// surveys contribute to 表4, which surveys are in it, and which were returned or released. One
// small item per village, changed by one conditional write per submit, return or release, so a
// summary, /villages, the leader's lists and the report's completeness read a few hundred small
// items instead of every survey.
//
// Exactly once: a survey's contribution is in the aggregate iff `submitted` names the survey, and
// each change is conditional on that marker (submit: absent; return: present). A retry, a replay or
// a concurrent duplicate finds the marker as the first one left it and changes nothing. A return
// subtracts the contribution recomputed from the survey; the survey's answers do not change while
// it is submitted, and the contribution is a function of them and of the basis, so it is exactly
// what the submit added as long as the basis is the same. The basis names everything the rules
// read besides the answers (poverty line, year, cut-off, the village's configured type, the rows):
// when it changes, the village is recounted from its surveys before anything else is applied.

import { createHash } from 'node:crypto';
import { type Campaign, villageById } from './campaign';
import type { Instant, SurveyKind } from './model';
import type { SurveyContribution, Table4RowDef, VillageTally } from './tables/compute';

/** Bump when the rules' code changes in a way the row definitions do not show (e.g. flags). */
export const AGGREGATE_RULES_VERSION = 1;

export interface VillageAggregate {
  campaignId: string;
  townId: string;
  villageId: string;
  /** The basis the contributions were computed on (basisOf); absent while empty. */
  basis?: string;
  version: number;
  /** Surveys whose contribution is in: survey id → kind and when submitted. */
  submitted: Record<string, { kind: Exclude<SurveyKind, 'office'>; at: Instant }>;
  /** Surveys returned for correction (not in), survey id → when. */
  returned: Record<string, Instant>;
  /** Unfinished surveys released to the group (their inspector lost the grant), id → when. */
  released: Record<string, Instant>;
  households: number;
  /** Household rule key → sum of the contributions. */
  counts: Record<string, number>;
  /** 漏评 key hash → how many submitted surveys name it (a name counts while one still does). */
  missed: Record<string, number>;
  /** The submitted village survey's contribution. */
  village?: { surveyId: string; rows: string[]; villageType?: string };
}

export type AggregateChange =
  | {
      op: 'submit' | 'return';
      surveyId: string;
      contribution: SurveyContribution;
      at: Instant;
    }
  | { op: 'release'; surveyId: string; at: Instant }
  /** A released survey taken over by a member of the group: off the released list. */
  | { op: 'take'; surveyId: string; at: Instant };

/**
 * Why a change was not applied: it was already (a repeat), the aggregate's basis is old, or a
 * submit finds the survey counted from another submission (the return in between never reached
 * the aggregate: a write lost after retries) and the village must be counted again.
 */
export type AggregateRefusal = 'applied' | 'stale_basis' | 'stale_mark';

export function emptyAggregate(campaignId: string, townId: string, villageId: string): VillageAggregate {
  return {
    campaignId,
    townId,
    villageId,
    version: 0,
    submitted: {},
    returned: {},
    released: {},
    households: 0,
    counts: {},
    missed: {},
  };
}

/** Everything the 表4 rules read besides a survey's answers, as a short hash. */
export function basisOf(campaign: Campaign, villageId: string, rows: readonly Table4RowDef[]): string {
  const inputs = {
    v: AGGREGATE_RULES_VERSION,
    povertyLine: campaign.povertyLine,
    year: campaign.year,
    incomeCutoff: campaign.incomeCutoff,
    villageType: villageById(campaign, villageId)?.type ?? null,
    rows: rows.map((r) => [r.id, r.rule, r.aside?.rule ?? null]),
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('base64url').slice(0, 16);
}

/**
 * 漏评 keys name people ("village|name"): the aggregate keeps a hash, so no name becomes an
 * attribute name; distinct keys stay distinct.
 */
export const missedHash = (key: string): string =>
  createHash('sha256').update(key).digest('base64url').slice(0, 16);

/**
 * The aggregate after `change`, or why it is unchanged. Pure: the in-memory store and the recount
 * run it; the DynamoDB adapter writes the same change as one conditional UpdateItem.
 */
export function applyChange(
  agg: VillageAggregate,
  change: AggregateChange,
  basis: string,
): VillageAggregate | AggregateRefusal {
  const id = change.surveyId;
  if (change.op === 'take') {
    if (!(id in agg.released)) return 'applied';
    const { [id]: _taken, ...released } = agg.released;
    return { ...agg, version: agg.version + 1, released };
  }
  if (change.op === 'release') {
    if (id in agg.submitted || id in agg.released) return 'applied';
    return { ...agg, version: agg.version + 1, released: { ...agg.released, [id]: change.at } };
  }
  if (agg.basis !== undefined && agg.basis !== basis && Object.keys(agg.submitted).length > 0)
    return 'stale_basis';
  const c = change.contribution;
  const submitting = change.op === 'submit';
  if (submitting && id in agg.submitted && agg.submitted[id]?.at !== change.at) return 'stale_mark';
  if (submitting === id in agg.submitted) return 'applied';
  const sign = submitting ? 1 : -1;
  const counts = { ...agg.counts };
  for (const [k, v] of Object.entries(c.counts)) counts[k] = (counts[k] ?? 0) + sign * v;
  const missed = { ...agg.missed };
  for (const k of c.missed.map(missedHash)) missed[k] = (missed[k] ?? 0) + sign;
  const { [id]: _wasReturned, ...returned } = agg.returned;
  const { [id]: _wasReleased, ...released } = agg.released;
  const { [id]: _wasSubmitted, ...submitted } = agg.submitted;
  const next: VillageAggregate = {
    ...agg,
    basis,
    version: agg.version + 1,
    submitted: submitting ? { ...submitted, [id]: { kind: c.kind, at: change.at } } : submitted,
    returned: submitting ? returned : { ...returned, [id]: change.at },
    released,
    households: agg.households + (c.kind === 'household' ? sign : 0),
    counts,
    missed,
  };
  if (c.kind === 'village') {
    if (submitting)
      next.village = {
        surveyId: id,
        rows: c.rows,
        ...(c.villageType ? { villageType: c.villageType } : {}),
      };
    else delete next.village;
  }
  return next;
}

/**
 * What readers need of a village, without the per-survey markers: the counts and the contribution
 * sums. Its size does not grow with the surveys (the markers do), so /villages, the leader's list
 * and the summaries read these; only exactly-once writes and the recount touch the markers.
 */
export interface VillageCounts {
  campaignId: string;
  townId: string;
  villageId: string;
  basis?: string;
  /** The aggregate's version it was taken from (a newer one replaces it, never an older one). */
  version: number;
  submitted: number;
  returned: number;
  released: number;
  households: number;
  counts: Record<string, number>;
  missed: Record<string, number>;
  village?: { surveyId: string; rows: string[]; villageType?: string };
}

export function countsOf(agg: VillageAggregate): VillageCounts {
  return {
    campaignId: agg.campaignId,
    townId: agg.townId,
    villageId: agg.villageId,
    ...(agg.basis !== undefined ? { basis: agg.basis } : {}),
    version: agg.version,
    submitted: Object.keys(agg.submitted).length,
    returned: Object.keys(agg.returned).length,
    released: Object.keys(agg.released).length,
    households: agg.households,
    counts: Object.fromEntries(Object.entries(agg.counts).filter(([, n]) => n !== 0)),
    missed: Object.fromEntries(Object.entries(agg.missed).filter(([, n]) => n > 0)),
    ...(agg.village ? { village: agg.village } : {}),
  };
}

/** The fold's view of a village's counts. */
export function tallyOf(agg: VillageCounts): VillageTally {
  return {
    townId: agg.townId,
    villageId: agg.villageId,
    households: agg.households,
    counts: agg.counts,
    missed: Object.entries(agg.missed)
      .filter(([, n]) => n > 0)
      .map(([k]) => k),
    ...(agg.village
      ? {
          village: {
            rows: agg.village.rows,
            ...(agg.village.villageType
              ? {
                  villageType: agg.village.villageType as NonNullable<VillageTally['village']>['villageType'],
                }
              : {}),
          },
        }
      : {}),
  };
}
