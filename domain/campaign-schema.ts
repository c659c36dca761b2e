// A campaign (大检查) as data: towns, villages, groups, strata quotas, deadlines and reminder
// settings, checked. One JSON file per campaign is parsed here when it is loaded (npm run
// load-campaign, npm start, the stack's synth); everything else trusts the parsed value, so every
// rule a config can break is checked here with a message an office admin can act on. The running
// functions read the stored campaign and never import this module (nor zod): domain/campaign.ts
// has the types and helpers.

// A namespace import, not `{ z }`: esbuild then bundles only the parts of zod used here (the `z`
// object would pull in every locale and the JSON Schema converters, about 370 KB more).
import * as z from 'zod';
import {
  ACK_KINDS,
  CLOCK_TIME,
  COUNTY_STATUSES,
  DEFAULT_RETENTION_DAYS,
  ID,
  isTimeZone,
  MAX_ID_LENGTH,
  parseLocal,
  RETENTION_LIMITS,
  ROLES,
} from './campaign-values';
import { STRATA, VILLAGE_TYPES } from './forms/types';

const Text = z.string().trim().min(1);

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
