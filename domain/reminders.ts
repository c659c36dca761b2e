// Reminder planning (DOMAIN.md §4): from the campaign's deadlines, lead times and audiences, and
// the open items the app gathered, which reminders are due now, to whom, saying what. Pure: the
// app (app/reminders.ts) reads the store, calls these, and sends; it also records each
// (reminder, recipient) so a reminder planned again on the next run is not sent twice.
//
// Keys. A reminder key is `<deadlineId>:<leadKey>:<scope>`, e.g. `rectification:1d0830:t.jiangping`
// (the key of its deliveries and of its acknowledgement button `ack:<key>`). The scope is
// `t.<townId>` (town contacts), `g.<groupId>` (a group's leader/liaison/inspectors), `o` (the
// office) or `p` (each recipient for themselves: a meeting everyone attends). The *item* a
// reminder is about is `<deadlineId>:<scope>`, with `p` made personal (`training:p.<personId>`):
// an acknowledgement of any of the item's reminders stops the rest. Daily lists use
// `daily_list:<req|am>:v.<villageId>.<yyyymmdd>`; escalations `<deadlineId>:escalation`.

import {
  type AckKind,
  type Campaign,
  type Deadline,
  deadlineInstant,
  type LeadTime,
  type Role,
  townOfVillage,
  villageById,
} from './campaign';
import { effectiveGrants, hasRole, holds, holdsInGroup } from './grants';
import type { Instant, Person, ProblemStatus } from './model';
import {
  ACK_LABELS,
  type EscalationEntry,
  MAX_LISTED_PROBLEMS,
  type ObservedItem,
  type ProblemLine,
  ROLE_LABELS,
  reminderMessages,
  WORKING_LABEL,
} from './reminder-messages';

// ---------------------------------------------------------------------------------------------
// Settings

/** DOMAIN.md §4: 3 days before, 1 day before and the morning of, at 08:30. */
export const DEFAULT_LEAD_TIMES: readonly LeadTime[] = [
  { days: 3, at: '08:30' },
  { days: 1, at: '08:30' },
  { days: 0, at: '08:30' },
];

/** A reminder is still sent this long after its time (a late or restarted scheduler), not later. */
export const CATCH_UP_MS = 6 * 3_600_000;
/** An escalation is sent within this long after the deadline passed. */
export const ESCALATION_WINDOW_MS = 24 * 3_600_000;
/** A day's list still missing at its due time is reported to the leader and the office within this long. */
export const LATE_LIST_WINDOW_MS = 6 * 3_600_000;
/** The morning reminder for a missing household list, this long before it is due (07:00 for 08:00). */
export const MORNING_REMINDER_MINUTES = 60;

/** What closes a deadline's item besides an acknowledgement. */
export type ItemKind = 'problems' | 'group_report' | 'ack';

/**
 * The campaign schema has no field saying which deadline the problem register or the group
 * report belongs to, so it goes by deadline id (the seed's, which other campaigns reuse).
 */
export const DEFAULT_ITEM_KINDS: Readonly<Record<string, ItemKind>> = {
  rectification: 'problems',
  group_report: 'group_report',
};

export interface ReminderOptions {
  /** Overrides campaign.reminders.leadTimes. */
  leadTimes?: readonly LeadTime[];
  catchUpMs?: number;
  escalationWindowMs?: number;
  morningReminderMinutes?: number;
  itemKinds?: Readonly<Record<string, ItemKind>>;
}

export const DAILY_LIST = 'daily_list';
export const ACK_PREFIX = 'ack:';
/** Callback data of the daily list's upload button; the bot opens its upload screen. */
export const UPLOAD_PREFIX = 'upload:';
/** Telegram's limit on callback data. */
export const MAX_CALLBACK_BYTES = 64;

// ---------------------------------------------------------------------------------------------
// Inputs and outputs

export interface OpenProblem {
  id: string;
  villageId?: string;
  description: string;
  /** The problem's own deadline; it counts for deadlines due at or after it. */
  deadline: Instant;
  /** open or rectifying: the town still owes it; needs_longer: on the written list. Absent = open. */
  status?: ProblemStatus;
  /** needs_longer: the date the town plans to finish (YYYY-MM-DD). */
  plannedDate?: string;
}

/** Reminders name a problem until the town reports it rectified or puts it on the written list. */
const owedByTown = (p: OpenProblem) =>
  p.status === undefined || p.status === 'open' || p.status === 'rectifying';

/** The button on a reminder that opens one problem in the town's list (its id fits 64 bytes). */
export const PROBLEM_BUTTON_PREFIX = 'po:';

/** The state the app gathers from the store; anything not listed is taken as not done. */
export type OpenItem =
  /** A town's problems still `open`. */
  | { kind: 'problems'; townId: string; items: readonly OpenProblem[] }
  | { kind: 'group_report'; groupId: string; signedOff: boolean }
  /** Whether a village's household list for an inspection day is in. */
  | { kind: 'daily_list'; villageId: string; date: string; uploaded: boolean }
  /** Someone tapped 已完成 / 已上传 / 已提交 on a reminder they received. */
  | { kind: 'ack'; reminderKey: string; personId: string };

/** A leader or liaison said which village their group checks on `date` (local YYYY-MM-DD). */
export interface VillagePlan {
  groupId: string;
  villageId: string;
  date: string;
}

export type ReminderKind =
  | 'deadline'
  | 'daily_list_request'
  | 'daily_list_reminder'
  | 'daily_list_late'
  | 'escalation';

export interface ReminderButton {
  text: string;
  /** Callback data, ≤ 64 bytes. */
  data: string;
}

export interface PlannedReminder {
  key: string;
  /** What an acknowledgement closes; for a `p` scope `<deadlineId>:p`, each recipient's own item. */
  itemKey: string;
  kind: ReminderKind;
  /** A deadline id, or `daily_list`. */
  deadlineId: string;
  sendAt: Date;
  /** Person ids, reachable (a chat and not marked unreachable), sorted. */
  recipientIds: string[];
  text: string;
  buttons: ReminderButton[][];
  ack?: AckKind;
}

export interface PlanInput {
  campaign: Campaign;
  now: Date;
  openItems: readonly OpenItem[];
  people: readonly Person[];
  options?: ReminderOptions;
}

export interface DailyListInput extends PlanInput {
  villagePlans: readonly VillagePlan[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const DAY_MS = 86_400_000;
const GROUP_ROLES: readonly Role[] = ['leader', 'liaison', 'inspector'];

/** 'YYYY-MM-DD' ± days. */
export function addDays(date: string, days: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(t + days * DAY_MS).toISOString().slice(0, 10);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date (YYYY-MM-DD) in the campaign's zone at `instant`. */
export function localDate(c: Pick<Campaign, 'timeZone'>, instant: Date): string {
  let f = dateFormats.get(c.timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: c.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(c.timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}`;
}

export function leadKey(lt: LeadTime): string {
  return `${lt.days}d${lt.at.replace(':', '')}`;
}

const instants = new Map<string, Date>();

/**
 * deadlineInstant, memoised: every run converts the same few local times, and the conversion
 * formats dates through Intl several times.
 */
function instant(c: Pick<Campaign, 'timeZone'>, local: string): Date {
  const key = `${c.timeZone}|${local}`;
  let t = instants.get(key);
  if (t === undefined) {
    if (instants.size > 5_000) instants.clear();
    t = deadlineInstant(c, local);
    instants.set(key, t);
  }
  return new Date(t);
}

const hasAny = (p: Person, roles: readonly Role[]) => hasRole(p, ...roles);
const reachable = (p: Person) => p.chatId !== undefined && p.unreachable !== true;
const byId = (a: Person, b: Person) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function callback(data: string): string {
  if (new TextEncoder().encode(data).length > MAX_CALLBACK_BYTES) {
    throw new RangeError(
      `callback data "${data}" is longer than ${MAX_CALLBACK_BYTES} bytes: shorten the deadline or village id`,
    );
  }
  return data;
}

export interface ParsedReminderKey {
  /** A deadline id or `daily_list`. */
  deadlineId: string;
  /** A lead key (`1d0830`), or `req` / `am` of a daily list. */
  lead: string;
  scope: string;
}

export function parseReminderKey(key: string): ParsedReminderKey | undefined {
  const parts = key.split(':');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [deadlineId, lead, scope] = parts as [string, string, string];
  return { deadlineId, lead, scope };
}

/** The item an acknowledgement of `reminderKey` by `personId` closes. */
export function ackedItemKey(reminderKey: string, personId: string): string | undefined {
  const k = parseReminderKey(reminderKey);
  if (!k) return undefined;
  return `${k.deadlineId}:${k.scope === 'p' ? `p.${personId}` : k.scope}`;
}

// ---------------------------------------------------------------------------------------------
// Scopes: who one reminder goes to, and whose item it is

interface Scope {
  code: string;
  kind: 'town' | 'group' | 'person' | 'office';
  /** Town or group name. */
  label?: string;
  /** The town; for a group, the town it checks (its problems are the town's). */
  townId?: string;
  groupId?: string;
  has(p: Person): boolean;
}

/**
 * Whether `p` is, now, among those a deadline's item `scopeCode` (g.<group>, t.<town>, o, p) is
 * for: an acknowledgement closes the item for everyone in it, so it takes someone still in it.
 */
export function holdsScope(c: Campaign, deadlineId: string, scopeCode: string, p: Person): boolean {
  const d = c.deadlines.find((x) => x.id === deadlineId);
  const scope = d ? scopesOf(c, d).find((s) => s.code === scopeCode) : undefined;
  return scope?.has(p) === true;
}

function scopesOf(c: Campaign, d: Deadline): Scope[] {
  // A meeting is attended by each person, so each acknowledges for themselves.
  if (d.location !== undefined) return [{ code: 'p', kind: 'person', has: (p) => hasAny(p, d.audiences) }];
  const scopes: Scope[] = [];
  const groupRoles = d.audiences.filter((r) => GROUP_ROLES.includes(r));
  if (groupRoles.length > 0) {
    for (const g of c.groups) {
      scopes.push({
        code: `g.${g.id}`,
        kind: 'group',
        label: g.name,
        townId: g.townId,
        groupId: g.id,
        has: (p) => holdsInGroup(p, g.id, groupRoles),
      });
    }
  }
  if (d.audiences.includes('town_contact')) {
    for (const t of c.towns) {
      scopes.push({
        code: `t.${t.id}`,
        kind: 'town',
        label: t.name,
        townId: t.id,
        has: (p) => holds(p, { role: 'town_contact', townId: t.id }),
      });
    }
  }
  if (d.audiences.includes('office'))
    scopes.push({ code: 'o', kind: 'office', has: (p) => hasRole(p, 'office') });
  return scopes;
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Lead {
  key: string;
  days: number;
  sendAt: Date;
}

function resolved(c: Campaign, o: ReminderOptions | undefined) {
  return {
    leadTimes: o?.leadTimes ?? c.reminders.leadTimes,
    catchUpMs: o?.catchUpMs ?? CATCH_UP_MS,
    escalationWindowMs: o?.escalationWindowMs ?? ESCALATION_WINDOW_MS,
    morningMs: (o?.morningReminderMinutes ?? MORNING_REMINDER_MINUTES) * 60_000,
    itemKinds: o?.itemKinds ?? DEFAULT_ITEM_KINDS,
  };
}
type Settings = ReturnType<typeof resolved>;

/** The deadline's lead times in time order; one falling at or after the deadline is dropped. */
function leadsOf(c: Campaign, d: Deadline, s: Settings): Lead[] {
  const due = instant(c, d.due).getTime();
  return s.leadTimes
    .map((lt) => ({
      key: leadKey(lt),
      days: lt.days,
      sendAt: instant(c, `${addDays(d.due.slice(0, 10), -lt.days)}T${lt.at}`),
    }))
    .filter((l) => l.sendAt.getTime() < due)
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
}

/**
 * The lead time to send now: the latest whose time has come, within the catch-up window and
 * before the deadline. Only the latest, so a scheduler back after a pause sends one reminder per
 * item, not every one it missed.
 */
function activeLead(leads: readonly Lead[], due: Date, now: Date, s: Settings): Lead | undefined {
  const t = now.getTime();
  if (t >= due.getTime()) return undefined;
  const passed = leads.filter((l) => l.sendAt.getTime() <= t);
  const last = passed[passed.length - 1];
  return last && t < last.sendAt.getTime() + s.catchUpMs ? last : undefined;
}

function escalationActive(c: Campaign, due: Date, now: Date, s: Settings): boolean {
  const t = now.getTime();
  return c.reminders.escalateToOffice && t >= due.getTime() && t < due.getTime() + s.escalationWindowMs;
}

function campaignOver(c: Campaign, now: Date): boolean {
  return c.campaignEnd !== undefined && now.getTime() >= instant(c, c.campaignEnd).getTime();
}

// ---------------------------------------------------------------------------------------------
// Open items

interface ItemIndex {
  acked: Set<string>;
  problems: Map<string, readonly OpenProblem[]>;
  signedOff: Set<string>;
  uploaded: Set<string>;
}

const uploadKey = (villageId: string, date: string) => `${villageId}|${date}`;

function indexItems(items: readonly OpenItem[]): ItemIndex {
  const ix: ItemIndex = { acked: new Set(), problems: new Map(), signedOff: new Set(), uploaded: new Set() };
  for (const it of items) {
    if (it.kind === 'ack') {
      const item = ackedItemKey(it.reminderKey, it.personId);
      if (item) ix.acked.add(item);
    } else if (it.kind === 'problems') {
      ix.problems.set(it.townId, [...(ix.problems.get(it.townId) ?? []), ...it.items]);
    } else if (it.kind === 'group_report') {
      if (it.signedOff) ix.signedOff.add(it.groupId);
    } else if (it.uploaded) ix.uploaded.add(uploadKey(it.villageId, it.date));
  }
  return ix;
}

interface ScopeState {
  /** Nothing left to do (no open problems, report signed off). */
  closed: boolean;
  problems?: ProblemLine[];
  /** The problems behind `problems`, in the same order (their buttons). */
  problemIds?: string[];
  /** The town's written list: problems it will finish later, with their planned dates. */
  delayed?: ProblemLine[];
  reportPending?: boolean;
}

function scopeState(c: Campaign, d: Deadline, scope: Scope, ix: ItemIndex, s: Settings): ScopeState {
  const kind = s.itemKinds[d.id] ?? 'ack';
  if (kind === 'problems' && scope.townId !== undefined) {
    const dueIso = instant(c, d.due).toISOString();
    const due = (ix.problems.get(scope.townId) ?? [])
      .filter((p) => p.deadline <= dueIso)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const line = (p: OpenProblem): ProblemLine => {
      const villageName = p.villageId === undefined ? undefined : villageById(c, p.villageId)?.name;
      return {
        ...(villageName ? { villageName } : {}),
        description: p.description,
        ...(p.plannedDate ? { plannedDate: p.plannedDate } : {}),
      };
    };
    const owed = due.filter(owedByTown);
    const delayed = due.filter((p) => p.status === 'needs_longer');
    return {
      closed: owed.length === 0,
      problems: owed.map(line),
      problemIds: owed.map((p) => p.id),
      ...(delayed.length > 0 ? { delayed: delayed.map(line) } : {}),
    };
  }
  if (kind === 'group_report' && scope.groupId !== undefined) {
    const signed = ix.signedOff.has(scope.groupId);
    return signed ? { closed: true } : { closed: false, reportPending: true };
  }
  return { closed: false };
}

// ---------------------------------------------------------------------------------------------
// Planning

/** Deadline reminders due now, one per (deadline, scope) at most. */
export function planReminders(input: PlanInput): PlannedReminder[] {
  const { campaign: c, now, people } = input;
  if (campaignOver(c, now)) return [];
  const s = resolved(c, input.options);
  const ix = indexItems(input.openItems);
  const sorted = [...people].sort(byId);
  const out: PlannedReminder[] = [];
  for (const d of c.deadlines) {
    const due = instant(c, d.due);
    const lead = activeLead(leadsOf(c, d, s), due, now, s);
    if (!lead) continue;
    const kind = s.itemKinds[d.id] ?? 'ack';
    // What the system observes (a signature, the problems' rectification) is closed by the fact
    // alone; a tap on the reminder's button only says it was seen.
    const observed: ObservedItem | undefined = kind === 'ack' ? undefined : kind;
    for (const scope of scopesOf(c, d)) {
      const state = scopeState(c, d, scope, ix, s);
      if (state.closed) continue;
      const personal = scope.kind === 'person';
      if (!personal && !observed && ix.acked.has(`${d.id}:${scope.code}`)) continue;
      const recipients = sorted.filter(
        (p) => scope.has(p) && reachable(p) && !(personal && ix.acked.has(`${d.id}:p.${p.id}`)),
      );
      if (recipients.length === 0) continue;
      const key = `${d.id}:${lead.key}:${scope.code}`;
      out.push({
        key,
        itemKey: `${d.id}:${scope.code}`,
        kind: 'deadline',
        deadlineId: d.id,
        sendAt: lead.sendAt,
        recipientIds: recipients.map((p) => p.id),
        text: reminderMessages.deadline({
          title: d.title,
          due: d.due,
          leadDays: lead.days,
          ...(d.location !== undefined ? { location: d.location } : {}),
          ...(scope.label !== undefined ? { scopeLabel: scope.label } : {}),
          description: d.description,
          ack: d.ack,
          ...(state.problems ? { problems: state.problems } : {}),
          ...(state.reportPending ? { reportPending: true } : {}),
          ...(observed ? { observed } : {}),
        }),
        buttons: [
          // Each problem named has its own button: the town acts on it, and its reminders stop.
          ...problemButtons(state, scope.townId),
          [{ text: observed ? WORKING_LABEL : ACK_LABELS[d.ack], data: callback(`${ACK_PREFIX}${key}`) }],
        ],
        ack: d.ack,
      });
    }
  }
  return out;
}

/** One button per problem the reminder lists (as many as it names), opening it in the town's list. */
function problemButtons(state: ScopeState, townId: string | undefined): ReminderButton[][] {
  const ids = (state.problemIds ?? []).slice(0, MAX_LISTED_PROBLEMS);
  return ids.map((id, i) => {
    const withView = `${PROBLEM_BUTTON_PREFIX}${id}:t.${townId ?? ''}`;
    const data =
      new TextEncoder().encode(withView).length <= MAX_CALLBACK_BYTES
        ? withView
        : `${PROBLEM_BUTTON_PREFIX}${id}`;
    const p = state.problems?.[i];
    const label = `${i + 1}. ${p?.villageName ? `${p.villageName}:` : ''}${p?.description ?? ''}`;
    return [
      { text: [...label].length > 24 ? `${[...label].slice(0, 23).join('')}…` : label, data: callback(data) },
    ];
  });
}

/** How the office reads a person in a list: name, scope, roles. */
export function personLabel(c: Campaign, p: Person): string {
  const name = p.displayName ?? `用户${p.id}`;
  const grants = effectiveGrants(p).map((g) => {
    const where =
      (g.groupId !== undefined ? c.groups.find((x) => x.id === g.groupId)?.name : undefined) ??
      (g.townId !== undefined ? c.towns.find((t) => t.id === g.townId)?.name : undefined);
    return `${where ? `${where} ` : ''}${ROLE_LABELS[g.role]}`;
  });
  return `${name}(${grants.join('、')})`;
}

/**
 * After a deadline passes with items open, one message to the office listing them. Problem-
 * register items list the problems still open whatever anyone tapped (the register is the
 * record); others list the towns, groups or people who never acknowledged.
 */
export function planEscalations(input: PlanInput): PlannedReminder[] {
  const { campaign: c, now, people } = input;
  if (campaignOver(c, now)) return [];
  const s = resolved(c, input.options);
  const ix = indexItems(input.openItems);
  const sorted = [...people].sort(byId);
  const office = sorted.filter((p) => hasRole(p, 'office') && reachable(p));
  if (office.length === 0) return [];
  const out: PlannedReminder[] = [];
  for (const d of c.deadlines) {
    const due = instant(c, d.due);
    if (!escalationActive(c, due, now, s)) continue;
    const kind = s.itemKinds[d.id] ?? 'ack';
    const entries: EscalationEntry[] = [];
    for (const scope of scopesOf(c, d)) {
      if (scope.kind === 'office') continue;
      if (scope.kind === 'person') {
        for (const p of sorted) {
          if (scope.has(p) && !ix.acked.has(`${d.id}:p.${p.id}`))
            entries.push({ label: personLabel(c, p), ack: d.ack });
        }
        continue;
      }
      const state = scopeState(c, d, scope, ix, s);
      const label = scope.label ?? scope.code;
      // The written list alone is still named to the office, with its planned dates.
      if (state.closed && !state.delayed) continue;
      if (kind === 'problems' && state.problems)
        entries.push({
          label,
          problems: state.problems,
          ...(state.delayed ? { delayed: state.delayed } : {}),
        });
      else if (state.reportPending) entries.push({ label, reportPending: true });
      else if (kind !== 'ack' || ix.acked.has(`${d.id}:${scope.code}`)) continue;
      else entries.push({ label, ack: d.ack });
    }
    if (entries.length === 0) continue;
    const key = `${d.id}:escalation`;
    out.push({
      key,
      itemKey: key,
      kind: 'escalation',
      deadlineId: d.id,
      sendAt: due,
      recipientIds: office.map((p) => p.id),
      text: reminderMessages.escalation({ title: d.title, due: d.due, entries }),
      buttons: [],
    });
  }
  return out;
}

/** Latest setting per (group, day) wins; two groups naming one village share its request. */
export function effectiveVillagePlans(plans: readonly VillagePlan[]): VillagePlan[] {
  const perGroupDay = new Map<string, VillagePlan>();
  for (const p of plans) perGroupDay.set(`${p.groupId}|${p.date}`, p);
  const perVillageDay = new Map<string, VillagePlan>();
  for (const p of perGroupDay.values()) {
    const k = uploadKey(p.villageId, p.date);
    if (!perVillageDay.has(k)) perVillageDay.set(k, p);
  }
  return [...perVillageDay.values()];
}

interface DailyTimes {
  requestAt: Date;
  remindAt: Date;
  dueAt: Date;
}

export function dailyListTimes(c: Campaign, date: string, options?: ReminderOptions): DailyTimes {
  const s = resolved(c, options);
  const dueAt = instant(c, `${date}T${c.dailyList.dueAt}`);
  return {
    requestAt: instant(c, `${addDays(date, -1)}T${c.dailyList.requestAt}`),
    remindAt: new Date(dueAt.getTime() - s.morningMs),
    dueAt,
  };
}

function dailyScope(plan: VillagePlan): string {
  return `v.${plan.villageId}.${plan.date.replaceAll('-', '')}`;
}

/**
 * The household list for a planned village: the evening before (dailyList.requestAt) the town
 * contact is asked for it by dueAt; in the morning, if it is not in, reminded once. At any moment
 * at most one of the two is due, so a village set late in the evening or at dawn gets one message.
 */
export function planDailyList(input: DailyListInput): PlannedReminder[] {
  const { campaign: c, now, people } = input;
  if (campaignOver(c, now)) return [];
  const ix = indexItems(input.openItems);
  const sorted = [...people].sort(byId);
  const t = now.getTime();
  const out: PlannedReminder[] = [];
  for (const plan of effectiveVillagePlans(input.villagePlans)) {
    const village = villageById(c, plan.villageId);
    const town = townOfVillage(c, plan.villageId);
    const group = c.groups.find((g) => g.id === plan.groupId);
    if (!village || !town || !group) continue;
    const scope = dailyScope(plan);
    // Done when the list is in: only the upload decides, never a button.
    if (ix.uploaded.has(uploadKey(plan.villageId, plan.date))) continue;
    const times = dailyListTimes(c, plan.date, input.options);
    const m = { groupName: group.name, townName: town.name, villageName: village.name, date: plan.date };
    if (t >= times.dueAt.getTime() && t < times.dueAt.getTime() + LATE_LIST_WINDOW_MS) {
      // Still missing at its time: the group's leaders and the office hear it, once.
      const told = sorted.filter(
        (p) => reachable(p) && (holdsInGroup(p, group.id, ['leader']) || hasRole(p, 'office')),
      );
      if (told.length === 0) continue;
      const key = `${DAILY_LIST}:late:${scope}`;
      out.push({
        key,
        itemKey: `${DAILY_LIST}:${scope}`,
        kind: 'daily_list_late',
        deadlineId: DAILY_LIST,
        sendAt: times.dueAt,
        recipientIds: told.map((p) => p.id),
        text: reminderMessages.dailyListLate({ ...m, dueAt: c.dailyList.dueAt }),
        buttons: [],
      });
      continue;
    }
    const phase =
      t >= times.requestAt.getTime() && t < times.remindAt.getTime()
        ? 'req'
        : t >= times.remindAt.getTime() && t < times.dueAt.getTime()
          ? 'am'
          : undefined;
    if (!phase) continue;
    const recipients = sorted.filter(
      (p) => holds(p, { role: 'town_contact', townId: town.id }) && reachable(p),
    );
    if (recipients.length === 0) continue;
    const key = `${DAILY_LIST}:${phase}:${scope}`;
    out.push({
      key,
      itemKey: `${DAILY_LIST}:${scope}`,
      kind: phase === 'req' ? 'daily_list_request' : 'daily_list_reminder',
      deadlineId: DAILY_LIST,
      sendAt: phase === 'req' ? times.requestAt : times.remindAt,
      recipientIds: recipients.map((p) => p.id),
      text:
        phase === 'req'
          ? reminderMessages.dailyListRequest({ ...m, dueAt: c.dailyList.dueAt })
          : reminderMessages.dailyListReminder({ ...m, dueAt: c.dailyList.dueAt }),
      buttons: [
        [{ text: reminderMessages.uploadButton, data: callback(`${UPLOAD_PREFIX}${plan.villageId}`) }],
      ],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the app must read before planning

export interface ReminderLookups {
  /** False: nothing can be due now; the app may stop without reading anything. */
  active: boolean;
  /** Reminder keys whose deliveries hold acknowledgements or tell who already got what. */
  keys: string[];
  /** Roles whose people can receive or be listed. */
  roles: Role[];
  /** Read the open problems (a problem-register deadline is in play). */
  problems: boolean;
  /** Read the sign-off of these groups' reports. */
  groupReports: string[];
  /** Village plans whose list request or reminder may be due: read whether their lists are in. */
  villagePlans: VillagePlan[];
}

/**
 * Which reads planning needs now. Every key of a deadline's lead times already passed is listed,
 * since an acknowledgement of an earlier reminder closes the item for the later ones.
 */
export function reminderLookups(input: {
  campaign: Campaign;
  now: Date;
  villagePlans: readonly VillagePlan[];
  options?: ReminderOptions;
}): ReminderLookups {
  const { campaign: c, now } = input;
  const out: ReminderLookups = {
    active: false,
    keys: [],
    roles: [],
    problems: false,
    groupReports: [],
    villagePlans: [],
  };
  if (campaignOver(c, now)) return out;
  const s = resolved(c, input.options);
  const roles = new Set<Role>();
  const t = now.getTime();
  for (const d of c.deadlines) {
    const due = instant(c, d.due);
    const leads = leadsOf(c, d, s);
    const escalating = escalationActive(c, due, now, s);
    if (!activeLead(leads, due, now, s) && !escalating) continue;
    out.active = true;
    for (const r of d.audiences) roles.add(r);
    const scopes = scopesOf(c, d);
    for (const lead of leads) {
      if (lead.sendAt.getTime() > t) continue;
      for (const scope of scopes) out.keys.push(`${d.id}:${lead.key}:${scope.code}`);
    }
    if (escalating) out.keys.push(`${d.id}:escalation`);
    const kind = s.itemKinds[d.id] ?? 'ack';
    if (kind === 'problems') out.problems = true;
    if (kind === 'group_report') out.groupReports = c.groups.map((g) => g.id);
  }
  for (const plan of effectiveVillagePlans(input.villagePlans)) {
    const times = dailyListTimes(c, plan.date, input.options);
    if (t < times.requestAt.getTime() || t >= times.dueAt.getTime() + LATE_LIST_WINDOW_MS) continue;
    out.active = true;
    roles.add('town_contact');
    // A list still missing at its time goes to the group's leaders (and the office, added below).
    if (t >= times.dueAt.getTime()) roles.add('leader');
    out.villagePlans.push(plan);
    for (const phase of ['req', 'am', 'late']) out.keys.push(`${DAILY_LIST}:${phase}:${dailyScope(plan)}`);
  }
  // The office receives escalations and hears about unreachable recipients.
  if (out.active) roles.add('office');
  out.roles = [...roles];
  return out;
}
