// Stratified, reproducible household sampling (DOMAIN.md §2). Pure: the caller supplies the seed
// (generating one is the app's job), so the same seed and list always give the same sample and
// anyone holding the record can re-run the draw.

import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { STRATA, type StratumId } from './forms/types';
import type { Household } from './household-list';

export type SampleHousehold = Pick<Household, 'id' | 'stratum'>;

export interface SamplePick {
  householdId: string;
  stratum: StratumId;
  /** 1-based position in the whole sample: strata in STRATA order, each in draw order. */
  order: number;
}

export interface Shortfall {
  stratum: StratumId;
  quota: number;
  available: number;
}

export interface Sample {
  picks: SamplePick[];
  shortfalls: Shortfall[];
}

export interface DrawSampleInput {
  households: readonly SampleHousehold[];
  quotas: Readonly<Record<StratumId, number>>;
  seed: string;
}

export interface DrawReplacementInput {
  households: readonly SampleHousehold[];
  stratum: StratumId;
  /** Everyone already drawn (picks, earlier replacements, the household being replaced). */
  exclude: ReadonlySet<string> | readonly string[];
  seed: string;
  /** 1 for the first replacement in this sample, 2 for the next …: each gets its own stream. */
  attempt: number;
}

/**
 * A generator seeded from SHA-256 of the seed and a purpose label. Using the full 128-bit state
 * (rather than a 32-bit seed) keeps distinct seed strings from colliding, and a separate stream
 * per stratum means one stratum's list or quota never shifts another stratum's picks.
 */
function streamFor(seed: string, ...purpose: readonly (string | number)[]): RandomGenerator {
  const digest = createHash('sha256')
    .update([seed, ...purpose.map(String)].join('\u0000'), 'utf8')
    .digest();
  const state = [0, 4, 8, 12].map((offset) => digest.readInt32BE(offset));
  // xoroshiro's all-zero state is a fixed point; astronomically unlikely, but never emit it.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return xoroshiro128plusFromState(state);
}

/** Sorted by id (code-unit order, locale-independent) so file row order cannot affect the draw. */
function membersOf(households: readonly SampleHousehold[], stratum: StratumId): string[] {
  return households
    .filter((h) => h.stratum === stratum)
    .map((h) => h.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function assertUsable(households: readonly SampleHousehold[], seed: string): void {
  if (seed === '') throw new Error('sampling seed must not be empty');
  const ids = new Set<string>();
  for (const h of households) {
    if (ids.has(h.id)) throw new Error(`duplicate household id in sampling input: ${h.id}`);
    ids.add(h.id);
  }
}

/** Draws each stratum's quota by a partial Fisher–Yates shuffle; a short stratum gives all it has. */
export function drawSample({ households, quotas, seed }: DrawSampleInput): Sample {
  assertUsable(households, seed);
  const picks: SamplePick[] = [];
  const shortfalls: Shortfall[] = [];
  for (const stratum of STRATA) {
    const quota = quotas[stratum];
    if (!Number.isInteger(quota) || quota < 0)
      throw new RangeError(`quota for ${stratum} must be an integer ≥ 0`);
    const pool = membersOf(households, stratum);
    if (pool.length < quota) shortfalls.push({ stratum, quota, available: pool.length });
    const take = Math.min(quota, pool.length);
    const rng = streamFor(seed, 'sample', stratum);
    for (let i = 0; i < take; i++) {
      const j = uniformInt(rng, i, pool.length - 1);
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = chosen;
      picks.push({ householdId: chosen, stratum, order: picks.length + 1 });
    }
  }
  return { picks, shortfalls };
}

/** One household of `stratum` not in `exclude`, uniformly at random; null when none is left. */
export function drawReplacement({
  households,
  stratum,
  exclude,
  seed,
  attempt,
}: DrawReplacementInput): string | null {
  assertUsable(households, seed);
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError('replacement attempt must be an integer ≥ 1');
  const excluded: ReadonlySet<string> = exclude instanceof Set ? exclude : new Set(exclude);
  const candidates = membersOf(households, stratum).filter((id) => !excluded.has(id));
  if (candidates.length === 0) return null;
  const rng = streamFor(seed, 'replacement', stratum, attempt);
  return candidates[uniformInt(rng, 0, candidates.length - 1)]!;
}
