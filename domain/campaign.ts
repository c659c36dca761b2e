// A campaign (大检查) as data: towns, villages, groups, strata quotas, deadlines and reminder
// settings. One JSON file per campaign is parsed here once at start-up; everything else trusts
// the parsed value, so every rule a config can break is checked here with a message an office
// admin can act on.

// A namespace import, not `{ z }`: esbuild then bundles only the parts of zod used here (the `z`
// object would pull in every locale and the JSON Schema converters, about 370 KB more).
import * as z from 'zod';
import { type FormContext, STRATA, VILLAGE_TYPES } from './forms/types';

/** Role ids of DOMAIN.md §10; deadlines name the roles that must act. */
export const ROLES = ['office', 'leader', 'liaison', 'inspector', 'town_contact'] as const;
export type Role = (typeof ROLES)[number];

/** Which acknowledgement button fits a deadline: 已完成 / 已上传 / 已提交. */
export const ACK_KINDS = ['done', 'uploaded', 'submitted'] as const;
export type AckKind = (typeof ACK_KINDS)[number];

/** 九有一低于 rows of 表4 apply only to a county that has exited or plans to exit this year. */
export const COUNTY_STATUSES = ['none', 'exited', 'planned_exit'] as const;
export type CountyStatus = (typeof COUNTY_STATUSES)[number];

// ---------------------------------------------------------------------------------------------
// Small value formats

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const ID = /^[a-z][a-z0-9_-]*$/;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function parseLocal(s: string): LocalParts | undefined {
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return undefined;
  // Day 0 of the next month is the last day of this one, so 2017-02-30 is rejected.
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return { year, month, day, hour, minute };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const Text = z.string().trim().min(1);

/** Days personal data is kept after the campaign's end unless the file says otherwise. */
export const DEFAULT_RETENTION_DAYS = 365;
/** A month at least (the archive is made at close), ten years at most. */
export const RETENTION_LIMITS = { min: 30, max: 3650 } as const;
/**
 * Ids travel in Telegram's button data, at most 64 bytes, some buttons carrying two of them with
 * their kind and an index ("gl:<group>:<village>"): an id longer than this would fail only when the
 * button is sent, so the campaign is refused when it is loaded.
 */
export const MAX_ID_LENGTH = 24;
const Id = z
  .string()
  .regex(ID, 'expected an id of lower-case letters, digits, "_" or "-" (e.g. "datian")')
  .max(
    MAX_ID_LENGTH,
    `expected an id of at most ${MAX_ID_LENGTH} characters (ids travel in Telegram's 64-byte buttons)`,
  );
const LocalDateTime = z.string().refine((s) => parseLocal(s) !== undefined, {
  message: 'expected a local time YYYY-MM-DDTHH:mm (e.g. "2017-10-31T09:00")',
});
const ClockTime = z.string().regex(CLOCK_TIME, 'expected a time of day HH:mm (e.g. "08:30")');
const TimeZone = z.string().refine(isTimeZone, {
  message: 'expected an IANA time zone (e.g. "Asia/Shanghai")',
});

// ---------------------------------------------------------------------------------------------
// The schema

type Issues = z.core.$RefinementCtx;

const VillageSchema = z.strictObject({
  id: Id,
  name: Text,
  type: z.enum(VILLAGE_TYPES),
  /**
   * How the town's household ids of this village begin, when they follow a code (e.g. the
   * village's administrative code): a list whose ids begin with another village's prefix is
   * refused as that village's list.
   */
  idPrefix: z
    .string()
    .regex(/^[0-9A-Za-z-]{2,20}$/, 'expected 2–20 letters or digits, e.g. "45068101"')
    .optional(),
  /**
   * Where the village is (WGS 84, as a phone reports it): an inspector's location farther than
   * `evidence.radiusKm` from it is flagged far_from_village. Approximate is enough.
   */
  location: z
    .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
    .optional(),
});

const TownSchema = z.strictObject({
  id: Id,
  name: Text,
  villages: z.array(VillageSchema).min(1),
});

const StratumSchema = z.strictObject({
  id: z.enum(STRATA),
  label: Text,
  quota: z.number().int().min(0),
});

const GroupSchema = z
  .strictObject({
    id: Id,
    name: Text,
    /** The town this group inspects. */
    townId: Id,
    leader: z.strictObject({ title: Text, name: Text }),
    deputy: z.strictObject({ unit: Text, title: Text, name: Text.optional() }),
    /** The unit whose staff member is the group's 联络员. */
    liaisonUnit: Text,
    /** Every city unit sending one member, in the plan's order (the liaison's unit included). */
    memberUnits: z.array(Text).min(1),
    /** Staff lent by another town: the plan's deliberate cross-check. */
    crossTownStaff: z.strictObject({ fromTownId: Id, count: z.number().int().min(1) }).optional(),
  })
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.memberUnits.forEach((unit, i) => {
      if (seen.has(unit))
        ctx.addIssue({ code: 'custom', path: ['memberUnits', i], input: unit, message: 'unit listed twice' });
      seen.add(unit);
    });
    if (!seen.has(g.liaisonUnit)) {
      ctx.addIssue({
        code: 'custom',
        path: ['liaisonUnit'],
        input: g.liaisonUnit,
        message: 'the liaison unit must be one of memberUnits',
      });
    }
  });

const DeadlineSchema = z
  .strictObject({
    id: Id,
    title: Text,
    /** Absent for a point in time (a submission, a meeting). */
    start: LocalDateTime.optional(),
    due: LocalDateTime,
    /** Roles that must act; they get the reminders. */
    audiences: z.array(z.enum(ROLES)).min(1),
    /** Chinese, from the plan; shown with reminders. */
    description: Text,
    /** For the office only (how the plan was read, an editorial remark): never in any message. */
    note: Text.optional(),
    location: Text.optional(),
    ack: z.enum(ACK_KINDS).default('done'),
  })
  .superRefine((d, ctx) => {
    // Same zone and fixed width, so string order is time order.
    if (d.start !== undefined && parseLocal(d.due) !== undefined && d.start >= d.due) {
      ctx.addIssue({
        code: 'custom',
        path: ['start'],
        input: d.start,
        message: `must be before due (${d.due})`,
      });
    }
    if (new Set(d.audiences).size !== d.audiences.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['audiences'],
        input: undefined,
        message: 'a role is listed twice',
      });
    }
  });

const RemindersSchema = z.strictObject({
  /** Remind `days` days before the due date, at local time `at`; days 0 = the morning of. */
  leadTimes: z
    .array(z.strictObject({ days: z.number().int().min(0).max(366), at: ClockTime }))
    .superRefine((lts, ctx) => {
      const seen = new Set<string>();
      lts.forEach((lt, i) => {
        const key = `${lt.days}@${lt.at}`;
        if (seen.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [i],
            input: undefined,
            message: `lead time ${lt.days} day(s) at ${lt.at} is listed twice`,
          });
        seen.add(key);
      });
    }),
  /** When a deadline passes with items open, tell the office. */
  escalateToOffice: z.boolean().default(true),
});

const CampaignShape = z.strictObject({
  id: Id,
  name: Text,
  city: Text,
  year: z.number().int().min(2000).max(2100),
  timeZone: TimeZone,
  /** 元 per person per year; drives the `income_below_line` flag. */
  povertyLine: z.number().positive(),
  /** Wording of the income question's cut-off, e.g. "2017年9月底". */
  incomeCutoff: Text,
  countyStatus: z.enum(COUNTY_STATUSES),
  office: z.strictObject({
    name: Text,
    shortName: Text,
    contact: Text,
    phone: Text.optional(),
    email: Text.optional(),
  }),
  strata: z.array(StratumSchema).min(1),
  towns: z.array(TownSchema).min(1),
  groups: z.array(GroupSchema).min(1),
  deadlines: z.array(DeadlineSchema),
  reminders: RemindersSchema,
  /** The town is asked at `requestAt` the day before for the next day's household list, due `dueAt`. */
  dailyList: z.strictObject({ requestAt: ClockTime, dueAt: ClockTime }),
  /** After this no reminders go out. */
  campaignEnd: LocalDateTime.optional(),
  /** Field evidence (DOMAIN.md §11): photos a survey needs at least, and how far is too far. */
  evidence: z
    .strictObject({
      minPhotos: z
        .strictObject({
          household: z.number().int().min(0).max(20),
          village: z.number().int().min(0).max(20),
        })
        .default({ household: 1, village: 1 }),
      radiusKm: z.number().positive().max(100).default(3),
    })
    .default({ minPhotos: { household: 1, village: 1 }, radiusKm: 3 }),
  /**
   * How long personal data (people, lists, surveys, problems, photos) is kept after the campaign
   * ends: the table's items expire then (DynamoDB TTL), the photos with the bucket's lifecycle.
   */
  retention: z
    .strictObject({
      daysAfterEnd: z.number().int().min(RETENTION_LIMITS.min).max(RETENTION_LIMITS.max).default(365),
    })
    .default({ daysAfterEnd: DEFAULT_RETENTION_DAYS }),
  /**
   * The line that ends each printed summary table (表3/表4/表5), as submitted government tables
   * end: each item prints as "填表人:张三", or with a blank to fill by hand when it has no value.
   * Absent: SIGNATURE_LINE (every item blank). Optional without a default, so a campaign stored
   * before this field existed reads the same as a file that leaves it out.
   */
  signatureLine: z
    .array(z.strictObject({ label: Text, value: Text.optional() }))
    .min(1)
    .max(8)
    .optional(),
});

/** The signature line of a campaign that configures none: 填表人, 审核人, 联系电话, 填报日期, 单位盖章. */
export const SIGNATURE_LINE: readonly { label: string; value?: string }[] = [
  { label: '填表人' },
  { label: '审核人' },
  { label: '联系电话' },
  { label: '填报日期' },
  { label: '单位盖章' },
];

// Cross-reference checks read the input defensively and run even when some fields are malformed,
// so one run lists every problem instead of revealing them one fix at a time.
type Path = (string | number)[];
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const field = (v: unknown, key: string): unknown =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function requireUniqueIds(
  items: readonly { id: string | undefined; path: Path }[],
  what: string,
  ctx: Issues,
): void {
  const seen = new Map<string, Path>();
  for (const { id, path } of items) {
    if (id === undefined) continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, path);
    else {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'id'],
        input: id,
        message: `duplicate ${what} id, already used at ${formatPath(first)}`,
      });
    }
  }
}

function checkReferences(c: unknown, ctx: Issues): void {
  const idsOf = (key: string) =>
    list(field(c, key)).map((x, i) => ({ id: text(field(x, 'id')), path: [key, i] }));
  const towns = idsOf('towns');
  requireUniqueIds(idsOf('strata'), 'stratum', ctx);
  requireUniqueIds(towns, 'town', ctx);
  requireUniqueIds(idsOf('groups'), 'group', ctx);
  requireUniqueIds(idsOf('deadlines'), 'deadline', ctx);
  // Village ids key samples and surveys, so they are unique across the whole campaign.
  const villages = list(field(c, 'towns')).flatMap((t, ti) =>
    list(field(t, 'villages')).map((v, vi) => ({
      id: text(field(v, 'id')),
      path: ['towns', ti, 'villages', vi],
    })),
  );
  requireUniqueIds(villages, 'village', ctx);

  const townIds = towns.flatMap((t) => (t.id === undefined ? [] : [t.id]));
  const noSuchTown = `no such town (known towns: ${townIds.join('|')})`;
  const checkedBy = new Map<string, string>();
  list(field(c, 'groups')).forEach((g, i) => {
    const townId = text(field(g, 'townId'));
    if (townId !== undefined && !townIds.includes(townId)) {
      ctx.addIssue({ code: 'custom', path: ['groups', i, 'townId'], input: townId, message: noSuchTown });
    } else if (townId !== undefined) {
      // groupForTown must be unambiguous.
      const other = checkedBy.get(townId);
      if (other === undefined) checkedBy.set(townId, text(field(g, 'id')) ?? `#${i}`);
      else {
        const message = `this town is already checked by group "${other}"`;
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'townId'], input: townId, message });
      }
    }
    const from = text(field(field(g, 'crossTownStaff'), 'fromTownId'));
    const path = ['groups', i, 'crossTownStaff', 'fromTownId'];
    if (from === undefined) return;
    if (!townIds.includes(from)) ctx.addIssue({ code: 'custom', path, input: from, message: noSuchTown });
    else if (from === townId) {
      const message = 'cross-town staff must come from a town other than the one the group checks';
      ctx.addIssue({ code: 'custom', path, input: from, message });
    }
  });
  for (const t of towns) {
    if (t.id !== undefined && !checkedBy.has(t.id)) {
      ctx.addIssue({
        code: 'custom',
        path: [...t.path, 'id'],
        input: t.id,
        message: 'no group checks this town',
      });
    }
  }

  const end = text(field(c, 'campaignEnd'));
  if (end === undefined || parseLocal(end) === undefined) return;
  list(field(c, 'deadlines')).forEach((d, i) => {
    const due = text(field(d, 'due'));
    // Same zone and fixed width, so string order is time order.
    if (due !== undefined && parseLocal(due) !== undefined && due > end) {
      ctx.addIssue({
        code: 'custom',
        path: ['deadlines', i, 'due'],
        input: due,
        message: `is after campaignEnd (${end})`,
      });
    }
  });
}

export const CampaignSchema = CampaignShape.superRefine((c, ctx) => checkReferences(c, ctx), {
  when: () => true,
});

export type Campaign = z.output<typeof CampaignSchema>;
export type Town = Campaign['towns'][number];
export type Village = Campaign['towns'][number]['villages'][number];
export type Group = Campaign['groups'][number];
export type Deadline = Campaign['deadlines'][number];
export type Stratum = Campaign['strata'][number];
export type LeadTime = Campaign['reminders']['leadTimes'][number];

// ---------------------------------------------------------------------------------------------
// Parsing with a readable error

export interface CampaignProblem {
  /** Dotted path, e.g. `towns[1].villages[3].type`; "(root)" for the file itself. */
  path: string;
  problem: string;
}

export class CampaignConfigError extends Error {
  override readonly name = 'CampaignConfigError';
  constructor(readonly problems: readonly CampaignProblem[]) {
    super(
      `活动配置有误 (campaign config is invalid), ${problems.length} problem(s):\n` +
        problems.map((p) => `  - ${p.path}: ${p.problem}`).join('\n'),
    );
  }
}

/** Validates a campaign file's parsed JSON; throws CampaignConfigError listing every problem. */
export function parseCampaign(json: unknown): Campaign {
  const result = CampaignSchema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  throw new CampaignConfigError(
    result.error.issues.map((iss) => ({ path: formatPath(iss.path), problem: describeIssue(iss) })),
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function isPrimitive(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function describeIssue(iss: z.core.$ZodIssue): string {
  const got = `got ${show(iss.input)}`;
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required but missing';
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, ${got}`;
    case 'invalid_value': {
      const oneOf = `one of ${iss.values.map(String).join('|')}`;
      return iss.input === undefined ? `required but missing (${oneOf})` : `expected ${oneOf}, ${got}`;
    }
    case 'too_small':
      if (iss.origin === 'string') return 'must not be empty';
      if (iss.origin === 'array') return `must have at least ${iss.minimum} item(s)`;
      return `must be ${iss.inclusive ? '>=' : '>'} ${iss.minimum}, ${got}`;
    case 'too_big':
      if (iss.origin === 'array') return `must have at most ${iss.maximum} item(s)`;
      return `must be ${iss.inclusive ? '<=' : '<'} ${iss.maximum}, ${got}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (a typo?)`;
    case 'invalid_format':
      return `${iss.message}, ${got}`;
    case 'custom':
      // Refinements on a single value say what they got; whole-object ones name it in the message.
      return isPrimitive(iss.input) ? `${iss.message}, ${got}` : iss.message;
    default:
      return iss.message;
  }
}

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
