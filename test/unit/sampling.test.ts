import { describe, expect, it } from 'vitest';
import { STRATA, type StratumId } from '../../domain/forms/types';
import { drawReplacement, drawSample, type SampleHousehold } from '../../domain/sampling';

/** DOMAIN.md §2 quotas: 10 households per village. */
const quotas: Record<StratumId, number> = {
  exited_2014_2015: 2,
  exited_2016: 2,
  planned_2017: 3,
  registered_poor: 2,
  non_poor: 1,
};

function village(sizes: Record<StratumId, number>): SampleHousehold[] {
  const households: SampleHousehold[] = [];
  for (const stratum of STRATA) {
    for (let i = 1; i <= sizes[stratum]; i++)
      households.push({ id: `${stratum}-${String(i).padStart(2, '0')}`, stratum });
  }
  return households;
}

const sizes: Record<StratumId, number> = {
  exited_2014_2015: 7,
  exited_2016: 5,
  planned_2017: 12,
  registered_poor: 9,
  non_poor: 20,
};
const households = village(sizes);
const stratumOf = new Map(households.map((h) => [h.id, h.stratum]));

/** A fixed permutation (reverse, then evens before odds) so the test needs no randomness of its own. */
function shuffled<T>(items: readonly T[]): T[] {
  const reversed = [...items].reverse();
  return [...reversed.filter((_, i) => i % 2 === 0), ...reversed.filter((_, i) => i % 2 === 1)];
}

describe('drawSample', () => {
  it('meets every quota from the right stratum when the list has enough households', () => {
    const { picks, shortfalls } = drawSample({ households, quotas, seed: 'dongxing-2017/大田村' });
    expect(shortfalls).toEqual([]);
    expect(picks).toHaveLength(10);
    for (const stratum of STRATA) {
      expect(picks.filter((p) => p.stratum === stratum)).toHaveLength(quotas[stratum]);
    }
    for (const pick of picks) expect(stratumOf.get(pick.householdId)).toBe(pick.stratum);
    expect(new Set(picks.map((p) => p.householdId)).size).toBe(10);
    expect(picks.map((p) => p.order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('takes every household of a short stratum and records the shortfall', () => {
    const short = village({ ...sizes, exited_2016: 1, non_poor: 0 });
    const { picks, shortfalls } = drawSample({ households: short, quotas, seed: 's' });
    expect(shortfalls).toEqual([
      { stratum: 'exited_2016', quota: 2, available: 1 },
      { stratum: 'non_poor', quota: 1, available: 0 },
    ]);
    expect(picks.filter((p) => p.stratum === 'exited_2016').map((p) => p.householdId)).toEqual([
      'exited_2016-01',
    ]);
    expect(picks.filter((p) => p.stratum === 'non_poor')).toEqual([]);
    expect(picks).toHaveLength(8);
  });

  it('gives the same sample for the same seed and list', () => {
    const a = drawSample({ households, quotas, seed: 'seed-1' });
    const b = drawSample({ households: [...households], quotas: { ...quotas }, seed: 'seed-1' });
    expect(b).toEqual(a);
  });

  it('gives a different sample for a different seed', () => {
    const ids = (seed: string) => drawSample({ households, quotas, seed }).picks.map((p) => p.householdId);
    expect(ids('seed-2')).not.toEqual(ids('seed-1'));
  });

  it('does not depend on the order of rows in the file', () => {
    const reordered = shuffled(households);
    expect(reordered.map((h) => h.id)).not.toEqual(households.map((h) => h.id));
    expect(drawSample({ households: reordered, quotas, seed: 'order' })).toEqual(
      drawSample({ households, quotas, seed: 'order' }),
    );
  });

  it('refuses an empty seed, a negative quota and duplicate ids rather than drawing something', () => {
    expect(() => drawSample({ households, quotas, seed: '' })).toThrow();
    expect(() => drawSample({ households, quotas: { ...quotas, non_poor: -1 }, seed: 's' })).toThrow(
      RangeError,
    );
    expect(() => drawSample({ households: [...households, households[0]!], quotas, seed: 's' })).toThrow();
  });

  // Each household of a stratum of size n with quota q should be picked with probability p = q/n.
  // Over N = 2,000 seeds its count is Binomial(N, p); we allow 4.5 standard deviations
  // (sqrt(N·p·(1−p))) either side, a bound a fair draw breaches with probability ~7e-6 per household.
  it('picks each household with frequency quota/stratum size within 4.5σ (binomial) over 2,000 seeds', () => {
    const runs = 2000;
    const counts = new Map<string, number>(households.map((h) => [h.id, 0]));
    for (let s = 0; s < runs; s++) {
      for (const pick of drawSample({ households, quotas, seed: `fairness-${s}` }).picks) {
        counts.set(pick.householdId, counts.get(pick.householdId)! + 1);
      }
    }
    for (const h of households) {
      const p = quotas[h.stratum] / sizes[h.stratum];
      const expected = runs * p;
      const sigma = Math.sqrt(runs * p * (1 - p));
      const count = counts.get(h.id)!;
      expect(
        Math.abs(count - expected),
        `${h.id}: ${count} vs ${expected.toFixed(1)} ± ${(4.5 * sigma).toFixed(1)}`,
      ).toBeLessThanOrEqual(4.5 * sigma);
    }
  });
});

describe('drawReplacement', () => {
  const seed = 'replace-seed';
  const { picks } = drawSample({ households, quotas, seed });

  it('replaces from the same stratum and never repeats a household, then returns null when exhausted', () => {
    const stratum: StratumId = 'exited_2016';
    const drawn = new Set(picks.map((p) => p.householdId));
    const replacements: string[] = [];
    for (let attempt = 1; attempt <= sizes[stratum]; attempt++) {
      const id = drawReplacement({ households, stratum, exclude: drawn, seed, attempt });
      if (id === null) break;
      expect(stratumOf.get(id)).toBe(stratum);
      expect(drawn.has(id)).toBe(false);
      drawn.add(id);
      replacements.push(id);
    }
    // 5 households, 2 sampled: exactly 3 replacements exist, then the stratum is exhausted.
    expect(replacements).toHaveLength(sizes[stratum] - quotas[stratum]);
    expect(drawReplacement({ households, stratum, exclude: drawn, seed, attempt: 99 })).toBeNull();
  });

  it('is reproducible and accepts the exclusions as an array or a set', () => {
    const exclude = picks.map((p) => p.householdId);
    const input = { households, stratum: 'planned_2017' as const, seed, attempt: 1 };
    const fromArray = drawReplacement({ ...input, exclude });
    expect(fromArray).not.toBeNull();
    expect(drawReplacement({ ...input, exclude: new Set(exclude) })).toBe(fromArray);
    expect(drawReplacement({ ...input, households: shuffled(households), exclude })).toBe(fromArray);
  });

  it('returns null for a stratum with no households at all', () => {
    const noNonPoor = households.filter((h) => h.stratum !== 'non_poor');
    expect(
      drawReplacement({ households: noNonPoor, stratum: 'non_poor', exclude: [], seed, attempt: 1 }),
    ).toBeNull();
  });
});
