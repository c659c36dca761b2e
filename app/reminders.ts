// Sending the reminders domain/reminders.ts plans (issue 8). The scheduler runs sendDueReminders
// every 15 minutes; runs may overlap, so each (reminder, recipient) is claimed with a conditional
// write BEFORE it is sent and marked after: of two runs only the claimant sends.
//
// Store conventions this module keeps (the Store port has no dedicated items for them):
// - Deliveries are keyed `<campaignId>/<reminderKey>` so two campaigns never share one.
// - claimDelivery only creates, so a failed delivery cannot be claimed again. A retry claims a
//   lock delivery `<id>~retry<attempts>` instead ("#" is not allowed in DynamoDB key parts): runs
//   that read the same failed attempt race for the same lock, and only the winner sends; the
//   result is then marked on the delivery itself. The lock is leased like a first send, so a
//   retry cut off mid-send is taken over after its lease.
// - Tomorrow's village (明日检查村) is an audit event `daily_list.set` with subject
//   `daily_list:<campaignId>/<date>` and details { groupId, villageId, date }, read back with
//   auditOf; the latest setting of a group for a day wins.
// - A group report counts as signed off when its subject `group_report:<campaignId>/<groupId>` has
//   a `group_report.sign_off` event (whoever builds sign-off appends it); an acknowledgement
//   (已提交) of its reminder also stops the reminders.

import { type AckKind, type Campaign, groupForTown, townOfVillage, villageById } from '../domain/campaign';
import { ConflictError, type Person, type Problem, type ReminderDelivery, type Role } from '../domain/model';
import { reminderMessages } from '../domain/reminder-messages';
import {
  addDays,
  DAILY_LIST,
  DEFAULT_ITEM_KINDS,
  dailyListTimes,
  holdsScope,
  localDate,
  type OpenItem,
  type PlannedReminder,
  parseReminderKey,
  personLabel,
  planDailyList,
  planEscalations,
  planReminders,
  type ReminderOptions,
  reminderLookups,
  type VillagePlan,
} from '../domain/reminders';
import { assertCan, can, isOffice } from './authz';
import { ReminderInputError } from './errors';
import { reportState } from './group-report';
import type { Clock, Messenger, OutgoingMessage, SendResult } from './messaging';
import type { Store } from './ports';

export type Sleep = (ms: number) => Promise<void>;

export interface ReminderDeps {
  store: Store;
  messenger: Messenger;
  clock: Clock;
  /** Waits for throttling and Telegram 429s; tests pass one that only records. */
  sleep?: Sleep;
  /** A warm Lambda may keep one across runs; by default each run starts a fresh one. */
  throttle?: SendThrottle;
  options?: ReminderOptions;
}

/** The actor of audit events the scheduler writes. */
export const SYSTEM_ACTOR = 'system';
/** Sends of one delivery (first try and retries on later runs) before it is left failed. */
export const MAX_SEND_ATTEMPTS = 5;
/** Sends in flight at once in one run (the throttle keeps them within Telegram's limits). */
export const SENDS_IN_FLIGHT = 10;
/**
 * How long a claimed delivery is its claimant's: longer than the reminders function may run (5
 * minutes), so a takeover only ever follows a run that is over. A run cut off between Telegram
 * accepting and the mark is the one case a message may go out twice.
 */
export const DELIVERY_LEASE_MS = 6 * 60_000;

/** Telegram 429 waits within one send before it counts as a failed attempt. */
export const MAX_RATE_LIMIT_WAITS = 3;

export const DAILY_LIST_SET = 'daily_list.set';

export const deliveryId = (c: Pick<Campaign, 'id'>, key: string) => `${c.id}/${key}`;
export const reminderSubject = (c: Pick<Campaign, 'id'>, key: string) => `reminder:${c.id}/${key}`;
export const dailyListSubject = (c: Pick<Campaign, 'id'>, date: string) => `daily_list:${c.id}/${date}`;
/** Audit identity is (subject, at, action, actor): one subject per delivery keeps each send. */
const deliverySubject = (c: Pick<Campaign, 'id'>, key: string, recipientId: string) =>
  `delivery:${c.id}/${key}/${recipientId}`;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Throttle

export interface ThrottleLimits {
  /** Telegram: about 30 messages per second in all. */
  perSecond: number;
  /** Telegram: about one message per second to one chat. */
  perChatMs: number;
  /**
   * Slack added to both spacings. Telegram counts arrivals, and the time between taking a slot
   * and the request arriving varies; without slack a full window drew 429s (bench: 5 of 300
   * sends, each pausing every send for a second: 21 instead of ~27 messages/s).
   */
  marginMs?: number;
}

export const TELEGRAM_LIMITS: ThrottleLimits = { perSecond: 30, perChatMs: 1000, marginMs: 100 };

/**
 * A sliding-window limiter over the injected clock and sleep. It keeps its own time cursor that
 * moves by what it slept, so a test's sleep that only records (and leaves the clock alone) still
 * spaces the sends correctly and never loops.
 */
export class SendThrottle {
  #cursor = 0;
  readonly #recent: number[] = [];
  readonly #lastByChat = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    private readonly limits: ThrottleLimits = TELEGRAM_LIMITS,
  ) {}

  #now(): number {
    this.#cursor = Math.max(this.#cursor, this.clock.now().getTime());
    return this.#cursor;
  }

  /**
   * Resolves when a message to `chatId` may go out. The slot is reserved before waiting, so
   * concurrent senders (sendDueReminders runs several) never take the same slot: a slot is the
   * earliest time with fewer than `perSecond` reservations in the second before it and at least
   * `perChatMs` after the chat's previous one.
   */
  async acquire(chatId: number): Promise<number> {
    const now = this.#now();
    const margin = this.limits.marginMs ?? 0;
    const last = this.#lastByChat.get(chatId);
    let at = last === undefined ? now : Math.max(now, last + this.limits.perChatMs + margin);
    // Reservations are kept sorted; those older than a second before `now` no longer matter.
    while (this.#recent.length > 0 && (this.#recent[0] ?? 0) <= now - 1000 - margin) this.#recent.shift();
    for (;;) {
      const inWindow = this.#recent.filter((t) => t > at - 1000 - margin && t <= at);
      if (inWindow.length < this.limits.perSecond) break;
      at = (inWindow[0] ?? at) + 1000 + margin;
    }
    const i = this.#recent.findIndex((t) => t > at);
    this.#recent.splice(i === -1 ? this.#recent.length : i, 0, at);
    if (this.#lastByChat.size > 10_000) this.#lastByChat.clear();
    this.#lastByChat.set(chatId, at);
    if (at > now) {
      await this.sleep(at - now);
      this.#cursor = Math.max(this.#cursor, at);
    }
    return at;
  }

  /** Everyone waits: Telegram's 429 says the bot, not one chat, is going too fast. */
  async pause(ms: number): Promise<void> {
    const now = this.#now();
    await this.sleep(ms);
    this.#cursor = Math.max(this.#cursor, now + ms);
  }
}

// ---------------------------------------------------------------------------------------------
// Tomorrow's village

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface SetVillageResult {
  plan: VillagePlan;
  /** When the town contact is asked, reminded, and when the list is due. */
  requestAt: Date;
  remindAt: Date;
  dueAt: Date;
}

/**
 * 明日检查村: a leader or liaison of the group checking the village's town says which village the
 * group visits on `date` (default tomorrow, local). The town contact is then asked for the list.
 */
export async function setTomorrowVillage(
  deps: Pick<ReminderDeps, 'store' | 'clock' | 'options'>,
  actor: Person,
  campaign: Campaign,
  input: { villageId: string; date?: string },
): Promise<SetVillageResult> {
  const now = deps.clock.now();
  const village = villageById(campaign, input.villageId);
  const town = townOfVillage(campaign, input.villageId);
  if (!village || !town) throw new ReminderInputError('unknown_village');
  const group = groupForTown(campaign, town.id);
  assertCan(group !== undefined && can.planDay(actor, group.id), 'daily_list.set', actor);
  const today = localDate(campaign, now);
  const date = input.date ?? addDays(today, 1);
  if (!DATE.test(date) || addDays(date, 0) !== date) throw new ReminderInputError('bad_date');
  if (date < today) throw new ReminderInputError('past_date');
  const plan: VillagePlan = { groupId: group!.id, villageId: village.id, date };
  await deps.store.appendAudit({
    at: now.toISOString(),
    actorId: actor.id,
    action: DAILY_LIST_SET,
    subject: dailyListSubject(campaign, date),
    details: { groupId: plan.groupId, villageId: plan.villageId, date },
  });
  return { plan, ...dailyListTimes(campaign, date, deps.options) };
}

/** The village settings for these days, oldest first (planning lets the latest of a group win). */
export async function readVillagePlans(
  store: Store,
  campaign: Campaign,
  dates: readonly string[],
): Promise<VillagePlan[]> {
  const perDay = await Promise.all(dates.map((d) => store.auditOf(dailyListSubject(campaign, d))));
  return perDay.flat().flatMap((e) => {
    const { groupId, villageId, date } = e.details ?? {};
    if (e.action !== DAILY_LIST_SET || typeof groupId !== 'string' || typeof villageId !== 'string')
      return [];
    return typeof date === 'string' ? [{ groupId, villageId, date }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Acknowledgement

export interface AckResult {
  ack: AckKind;
  /** The item that gets no further reminders. */
  itemKey: string;
  alreadyAcknowledged: boolean;
  /** What the bot answers (Chinese). */
  reply: string;
}

/**
 * The reminder's 已完成 / 已上传 / 已提交 button. Only a recipient of that reminder may tap it
 * (ForbiddenError otherwise); tapping twice is a no-op.
 */
export async function acknowledgeReminder(
  deps: Pick<ReminderDeps, 'store' | 'clock'>,
  actor: Person,
  campaign: Campaign,
  reminderKey: string,
): Promise<AckResult> {
  const k = parseReminderKey(reminderKey);
  const ack =
    k?.deadlineId === DAILY_LIST ? 'uploaded' : campaign.deadlines.find((d) => d.id === k?.deadlineId)?.ack;
  if (!k || !ack) throw new ReminderInputError('unknown_reminder');
  const itemKey = `${k.deadlineId}:${k.scope === 'p' ? `p.${actor.id}` : k.scope}`;
  const id = deliveryId(campaign, reminderKey);
  const mine = (await deps.store.deliveriesOfReminder(id)).find((d) => d.recipientId === actor.id);
  assertCan(mine !== undefined, 'reminder.ack', actor);
  // And still one of those the item is for: a 组长 replaced since the reminder was sent must not
  // close their old group's item (its reminders and the office's escalation would stop). The daily
  // list is closed by its upload, whoever taps.
  if (k.deadlineId !== DAILY_LIST)
    assertCan(holdsScope(campaign, k.deadlineId, k.scope, actor), 'reminder.ack', actor);
  // An item the system observes (the list, the signature, the rectifications) is closed by the
  // fact: the tap is noted as "seen", and the reply says what will close it.
  const kind = k.deadlineId === DAILY_LIST ? 'daily_list' : DEFAULT_ITEM_KINDS[k.deadlineId];
  const observed = kind === 'daily_list' || kind === 'problems' || kind === 'group_report' ? kind : undefined;
  if (mine?.status === 'acknowledged') {
    const reply = observed ? reminderMessages.workingNoted(observed) : reminderMessages.ackAlready(ack);
    return { ack, itemKey, alreadyAcknowledged: true, reply };
  }
  const at = deps.clock.now().toISOString();
  await deps.store.markDelivery(id, actor.id, { status: 'acknowledged', ackAt: at });
  await deps.store.appendAudit({
    at,
    actorId: actor.id,
    action: 'reminder.ack',
    subject: reminderSubject(campaign, reminderKey),
    details: { campaignId: campaign.id, reminderKey, itemKey, ack },
  });
  const reply = observed ? reminderMessages.workingNoted(observed) : reminderMessages.ackRecorded(ack);
  return { ack, itemKey, alreadyAcknowledged: false, reply };
}

// ---------------------------------------------------------------------------------------------
// The scheduled run

export interface SendReport {
  /** (reminder, recipient) pairs planned this run. */
  planned: number;
  sent: number;
  failed: number;
  unreachable: number;
  /** Already delivered, claimed by another run, or out of attempts. */
  skipped: number;
  /** Office notices about newly unreachable people. */
  officeNotices: number;
}

interface RunContext {
  deps: ReminderDeps;
  campaign: Campaign;
  throttle: SendThrottle;
  people: Map<string, Person>;
  report: SendReport;
}

/** What the store knows, in the planner's terms. */
async function gatherOpenItems(
  store: Store,
  campaign: Campaign,
  lookups: ReturnType<typeof reminderLookups>,
  deliveries: Map<string, ReminderDelivery[]>,
): Promise<OpenItem[]> {
  const items: OpenItem[] = [];
  for (const [reminderKey, ds] of deliveries) {
    for (const d of ds)
      if (d.status === 'acknowledged') items.push({ kind: 'ack', reminderKey, personId: d.recipientId });
  }
  if (lookups.problems) {
    const byTown = new Map<string, Problem[]>();
    // What the town still owes (open, rectifying) and its written list (needs_longer, which the
    // escalation names with the planned dates); rectified, verified and withdrawn ones are done.
    const owed = await Promise.all(
      (['open', 'rectifying', 'needs_longer'] as const).map((s) => store.problemsOfCampaign(campaign.id, s)),
    );
    for (const p of owed.flat()) {
      byTown.set(p.townId, [...(byTown.get(p.townId) ?? []), p]);
    }
    for (const [townId, ps] of byTown) {
      items.push({
        kind: 'problems',
        townId,
        items: ps.map((p) => ({
          id: p.id,
          ...(p.villageId !== undefined ? { villageId: p.villageId } : {}),
          description: p.description,
          deadline: p.deadline,
          status: p.status,
          ...(p.plannedDate !== undefined ? { plannedDate: p.plannedDate } : {}),
        })),
      });
    }
  }
  await Promise.all([
    ...lookups.groupReports.map(async (groupId) => {
      // Signed, and nothing changed since: a 已提交 tap never stands in for the signature.
      const state = await reportState(store, campaign, groupId);
      items.push({ kind: 'group_report', groupId, signedOff: state.done });
    }),
    ...lookups.villagePlans.map(async (plan) => {
      const list = await store.getHouseholdListInfo(campaign.id, plan.villageId);
      items.push({
        kind: 'daily_list',
        villageId: plan.villageId,
        date: plan.date,
        uploaded: list !== undefined,
      });
    }),
  ]);
  return items;
}

async function gatherPeople(store: Store, roles: readonly Role[]): Promise<Map<string, Person>> {
  const lists = await Promise.all(roles.map((r) => store.peopleWithRole(r)));
  return new Map(lists.flat().map((p) => [p.id, p]));
}

/**
 * One scheduler run: plan what is due now and send each (reminder, recipient) at most once.
 * Returns counts for the log.
 */
export async function sendDueReminders(deps: ReminderDeps, campaign: Campaign): Promise<SendReport> {
  const report: SendReport = { planned: 0, sent: 0, failed: 0, unreachable: 0, skipped: 0, officeNotices: 0 };
  const { store, clock } = deps;
  const now = clock.now();
  const today = localDate(campaign, now);
  const villagePlans = await readVillagePlans(store, campaign, [today, addDays(today, 1)]);
  const lookups = reminderLookups({
    campaign,
    now,
    villagePlans,
    ...(deps.options ? { options: deps.options } : {}),
  });
  if (!lookups.active) return report;

  const [people, deliveryLists] = await Promise.all([
    gatherPeople(store, lookups.roles),
    Promise.all(lookups.keys.map((k) => store.deliveriesOfReminder(deliveryId(campaign, k)))),
  ]);
  const deliveries = new Map(lookups.keys.map((k, i) => [k, deliveryLists[i] ?? []]));
  const openItems = await gatherOpenItems(store, campaign, lookups, deliveries);

  const input = {
    campaign,
    now,
    openItems,
    people: [...people.values()],
    ...(deps.options ? { options: deps.options } : {}),
  };
  const planned = [
    ...planDailyList({ ...input, villagePlans }),
    ...planReminders(input),
    ...planEscalations(input),
  ];

  const ctx: RunContext = {
    deps,
    campaign,
    throttle: deps.throttle ?? new SendThrottle(clock, deps.sleep ?? realSleep),
    people,
    report,
  };
  // Several sends in flight: with a ~150 ms round trip to Telegram one at a time manages ~6 a
  // second; the throttle keeps the whole run within Telegram's 30/s and 1/s per chat.
  const jobs = planned.flatMap((reminder) =>
    reminder.recipientIds.map((recipientId) => ({ reminder, recipientId })),
  );
  report.planned += jobs.length;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(SENDS_IN_FLIGHT, jobs.length) }, async () => {
      while (next < jobs.length) {
        const { reminder, recipientId } = jobs[next++] as (typeof jobs)[number];
        const existing = deliveries.get(reminder.key)?.find((d) => d.recipientId === recipientId);
        await deliverOne(ctx, reminder, recipientId, existing);
      }
    }),
  );
  return report;
}

/** Claim, send, record one (reminder, recipient). */
async function deliverOne(
  ctx: RunContext,
  reminder: PlannedReminder,
  recipientId: string,
  existing: ReminderDelivery | undefined,
): Promise<void> {
  const { store } = ctx.deps;
  const person = ctx.people.get(recipientId);
  // Marked unreachable earlier in this run, or no chat to send to.
  if (!person || person.unreachable || person.chatId === undefined) {
    ctx.report.skipped++;
    return;
  }
  const id = deliveryId(ctx.campaign, reminder.key);
  let lock: string | undefined;
  const now = ctx.deps.clock.now();
  const lease = { now: now.toISOString(), until: new Date(now.getTime() + DELIVERY_LEASE_MS).toISOString() };
  const leaseEnded = existing?.status === 'pending' && (existing.leaseUntil ?? '') < lease.now;
  if (existing === undefined || leaseEnded) {
    // New, or claimed by a run that was cut off before it marked the result: its lease ended.
    if (!(await store.claimDelivery(id, recipientId, lease))) {
      ctx.report.skipped++;
      return;
    }
  } else if (existing.status === 'failed' && existing.attempts < MAX_SEND_ATTEMPTS) {
    lock = `${id}~retry${existing.attempts}`;
    // Leased like a first send: a retry cut off mid-send is taken over once its lease ends, not
    // left claimed (and the reminder lost) for good.
    if (!(await store.claimDelivery(lock, recipientId, lease))) {
      ctx.report.skipped++;
      return;
    }
  } else {
    ctx.report.skipped++;
    return;
  }

  const result = await sendWithRetries(ctx, {
    chatId: person.chatId,
    text: reminder.text,
    ...(reminder.buttons.length > 0 ? { buttons: reminder.buttons } : {}),
  });
  const at = ctx.deps.clock.now().toISOString();
  const mark = async (update: Parameters<Store['markDelivery']>[2]) => {
    await store.markDelivery(id, recipientId, update);
    if (lock) await store.markDelivery(lock, recipientId, update);
  };

  if (result.ok) {
    await mark({ status: 'sent', attempted: true, sentAt: at });
    ctx.report.sent++;
    await store.appendAudit({
      at,
      actorId: SYSTEM_ACTOR,
      action: reminder.kind === 'escalation' ? 'reminder.escalated' : 'reminder.sent',
      subject: deliverySubject(ctx.campaign, reminder.key, recipientId),
      details: { campaignId: ctx.campaign.id, reminderKey: reminder.key, recipientId },
    });
    return;
  }
  if (result.kind === 'unreachable') {
    await mark({ status: 'unreachable', attempted: true, lastError: 'unreachable' });
    ctx.report.unreachable++;
    await handleUnreachable(ctx, person);
    return;
  }
  const lastError =
    result.kind === 'rate_limited' ? `rate_limited ${result.retryAfter}s` : result.description;
  await mark({ status: 'failed', attempted: true, lastError: lastError.slice(0, 200) });
  ctx.report.failed++;
}

/** One message through the throttle; a 429 waits `retryAfter` and tries again. */
async function sendWithRetries(ctx: RunContext, message: OutgoingMessage): Promise<SendResult> {
  for (let waits = 0; ; waits++) {
    await ctx.throttle.acquire(message.chatId);
    let result: SendResult;
    try {
      result = await ctx.deps.messenger.send(message);
    } catch (e) {
      // A network failure is a failed attempt, retried on a later run.
      result = { ok: false, kind: 'error', description: e instanceof Error ? e.message : String(e) };
    }
    if (result.ok || result.kind !== 'rate_limited' || waits >= MAX_RATE_LIMIT_WAITS) return result;
    await ctx.throttle.pause(Math.max(1, result.retryAfter) * 1000);
  }
}

/**
 * Telegram 403: mark the person unreachable (the planner skips them from now on) and tell the
 * office once. Only the run whose write flips the flag tells the office, so overlapping runs and
 * several reminders to the same person produce one notice.
 */
async function handleUnreachable(ctx: RunContext, person: Person): Promise<void> {
  const { store, clock } = ctx.deps;
  const at = clock.now().toISOString();
  let current: Person | undefined = person;
  let saved: Person | undefined;
  for (let tries = 0; tries < 3 && current && !current.unreachable && !saved; tries++) {
    try {
      saved = await store.savePerson({ ...current, unreachable: true, updatedAt: at }, current.version);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      current = await store.getPerson(person.id);
    }
  }
  ctx.people.set(person.id, saved ?? { ...person, unreachable: true });
  if (!saved) return;
  await store.appendAudit({
    at,
    actorId: SYSTEM_ACTOR,
    action: 'reminder.unreachable',
    subject: `person:${person.id}`,
    details: { campaignId: ctx.campaign.id, personId: person.id },
  });
  const noticeKey = `unreachable:p.${person.id}:v${saved.version}`;
  const text = reminderMessages.unreachable({ personLabel: personLabel(ctx.campaign, person) });
  const office = [...ctx.people.values()].filter(
    (p) => isOffice(p) && p.id !== person.id && p.chatId !== undefined && !p.unreachable,
  );
  for (const o of office) {
    const id = deliveryId(ctx.campaign, noticeKey);
    if (!(await store.claimDelivery(id, o.id))) continue;
    // No further notice if an office member is unreachable too: that would only recurse.
    const result = await sendWithRetries(ctx, { chatId: o.chatId!, text });
    const sentAt = clock.now().toISOString();
    await store.markDelivery(
      id,
      o.id,
      result.ok
        ? { status: 'sent', attempted: true, sentAt }
        : { status: result.kind === 'unreachable' ? 'unreachable' : 'failed', attempted: true },
    );
    if (result.ok) ctx.report.officeNotices++;
  }
}
