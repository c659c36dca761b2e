// A campaign (大检查) as data: towns, villages, groups, strata quotas, deadlines and reminder
// settings. Its types and the helpers everyone uses; it is checked when it is loaded
// (domain/campaign-schema.ts, with zod) and trusted after that, so the running functions never
// evaluate the schema.

import type { Campaign, Group, Town, Village } from './campaign-schema';
import { DEFAULT_RETENTION_DAYS, parseLocal, RETENTION_LIMITS } from './campaign-values';
import type { FormContext } from './forms/types';

export type { Campaign, Deadline, Group, LeadTime, Stratum, Town, Village } from './campaign-schema';
export {
  ACK_KINDS,
  type AckKind,
  COUNTY_STATUSES,
  type CountyStatus,
  DEFAULT_RETENTION_DAYS,
  MAX_ID_LENGTH,
  RETENTION_LIMITS,
  ROLES,
  type Role,
  SIGNATURE_LINE,
} from './campaign-values';

// ---------------------------------------------------------------------------------------------
// Helpers

export function townById(c: Campaign, id: string): Town | undefined {
  return c.towns.find((t) => t.id === id);
}

export function villageById(c: Campaign, id: string): Village | undefined {
  for (const t of c.towns) {
    const v = t.villages.find((x) => x.id === id);
    if (v) return v;
  }
  return undefined;
}

export function townOfVillage(c: Campaign, villageId: string): Town | undefined {
  return c.towns.find((t) => t.villages.some((v) => v.id === villageId));
}

/** The group that inspects a town (the schema allows at most one). */
export function groupForTown(c: Campaign, townId: string): Group | undefined {
  return c.groups.find((g) => g.townId === townId);
}

export type VillageInTown = Village & { townId: string };

export function allVillages(c: Campaign): VillageInTown[] {
  return c.towns.flatMap((t) => t.villages.map((v) => ({ ...v, townId: t.id })));
}

export function formContextFor(c: Campaign): Pick<FormContext, 'povertyLine' | 'year' | 'incomeCutoff'> {
  return { povertyLine: c.povertyLine, year: c.year, incomeCutoff: c.incomeCutoff };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading in `timeZone` at `instant`, as if that reading were UTC (ms). */
function wallClockAsUtc(timeZone: string, instant: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

const DAY_MS = 86_400_000;

/**
 * The instant a local `YYYY-MM-DDTHH:mm` in the campaign's zone denotes. Like Temporal's
 * 'compatible' disambiguation: a time repeated when clocks go back is the earlier instant; a time
 * skipped when clocks go forward moves forward by the gap (02:30 → 03:30).
 */
export function deadlineInstant(c: Pick<Campaign, 'timeZone'>, localDateTime: string): Date {
  const p = parseLocal(localDateTime);
  if (!p)
    throw new RangeError(`expected a local time YYYY-MM-DDTHH:mm, got ${JSON.stringify(localDateTime)}`);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  // Offsets a day either side cover both sides of any transition near this time.
  const before = wallClockAsUtc(c.timeZone, wall - DAY_MS) - (wall - DAY_MS);
  const after = wallClockAsUtc(c.timeZone, wall + DAY_MS) - (wall + DAY_MS);
  const candidates = [wall - before, wall - after].filter((t) => wallClockAsUtc(c.timeZone, t) === wall);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(wall - before);
}

// ---------------------------------------------------------------------------------------------
// Retention

/** The campaign's end: `campaignEnd`, else its last deadline; undefined when it names neither. */
export function campaignEndInstant(
  c: Pick<Campaign, 'timeZone' | 'campaignEnd' | 'deadlines'>,
): Date | undefined {
  const last =
    c.campaignEnd ??
    c.deadlines
      .map((d) => d.due)
      .sort()
      .at(-1);
  return last === undefined ? undefined : deadlineInstant(c, last);
}

/**
 * When an item written at `now` expires, in epoch seconds (the table's TTL attribute): the
 * campaign's end plus `retention.daysAfterEnd`. Counted from `now` instead when the end has
 * already passed, so a late correction, or a past campaign replayed in a demo, is still kept for
 * the full period rather than deleted by DynamoDB at once. Undefined when the campaign has no end:
 * nothing expires.
 */
export function retentionExpiry(
  c: Pick<Campaign, 'timeZone' | 'campaignEnd' | 'deadlines' | 'retention'>,
  now: Date,
): number | undefined {
  const end = campaignEndInstant(c);
  if (!end) return undefined;
  const from = Math.max(end.getTime(), now.getTime());
  return Math.ceil((from + retentionDays(c) * DAY_MS) / 1000);
}

/**
 * Days after upload that the bucket keeps a photo (an S3 lifecycle counts from each object's
 * creation, not from a date): the retention plus the campaign's span from its first deadline to
 * its end. A photo taken during the campaign therefore outlives the survey or problem it belongs
 * to (which expires retention days after the end), by at most the span.
 */
export function evidenceRetentionDays(
  c: Pick<Campaign, 'timeZone' | 'campaignEnd' | 'deadlines' | 'retention'>,
): number {
  const end = campaignEndInstant(c);
  const first = c.deadlines.map((d) => d.due).sort()[0];
  const span =
    end && first !== undefined
      ? Math.max(0, Math.ceil((end.getTime() - deadlineInstant(c, first).getTime()) / DAY_MS))
      : 0;
  return Math.min(RETENTION_LIMITS.max, retentionDays(c) + span);
}

/** A campaign stored before `retention` existed (read back from the table unparsed) has the default. */
function retentionDays(c: Pick<Campaign, 'retention'>): number {
  return (c.retention as Campaign['retention'] | undefined)?.daysAfterEnd ?? DEFAULT_RETENTION_DAYS;
}

/** `YYYY-MM-DD HH:mm` of an instant on a clock in `timeZone` ('' for none or an invalid one). */
export function localDateTime(instant: string | undefined, timeZone: string): string {
  const ms = instant ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) return '';
  return new Date(wallClockAsUtc(timeZone, ms)).toISOString().slice(0, 16).replace('T', ' ');
}
