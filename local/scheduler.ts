// The scheduled functions, in process: what EventBridge Scheduler runs on AWS. Reminders every 15
// minutes of the clock's time (and at once whenever the demo clock is moved); the nightly summary
// when the clock passes 21:00 in the campaign's time zone (sent to the office chats once a date, as
// functions/build-summaries does). Runs never overlap: a tick that finds one running waits its turn.

import type { Clock, Messenger } from '../app/messaging';
import type { Store } from '../app/ports';
import { type SendReport, sendDueReminders } from '../app/reminders';
import type { LoggerLike } from '../bot/bot';
import { type Campaign, deadlineInstant } from '../domain/campaign';
import { addDays, localDate } from '../domain/reminders';
import { type NightlyReport, sendNightlySummaries } from '../functions/nightly-summaries';

export const REMINDER_EVERY_MS = 15 * 60_000;
/** functions/build-summaries runs at 21:00 Asia/Shanghai on AWS. */
export const NIGHTLY_AT = '21:00';

export interface SchedulerDeps {
  store: Store;
  messenger: Messenger;
  clock: Clock;
  campaign: Campaign;
  logger?: LoggerLike;
  /** Waits between sends (throttle, 429); the real one by default. */
  sleep?: (ms: number) => Promise<void>;
}

export class LocalScheduler {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private lastSlot?: number;
  private lastSeen: Date;
  private moved = false;

  constructor(
    private readonly deps: SchedulerDeps,
    /** How often (real time) the clock is looked at. */
    private readonly tickMs = 1000,
  ) {
    this.lastSeen = deps.clock.now();
  }

  start(): void {
    this.stopTimer();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stop looking at the clock and wait for a run in progress. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running;
  }

  /** The demo clock was set: run reminders now, and the nightly summary if 21:00 was passed. */
  clockMoved(): Promise<void> {
    this.moved = true;
    return this.tick();
  }

  /** One look at the clock; resolves when the work it started (if any) is done. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.runDue()).catch((err) => this.fail('scheduler', err));
    return this.running;
  }

  private async runDue(): Promise<void> {
    const now = this.deps.clock.now();
    const previous = this.lastSeen;
    this.lastSeen = now;
    const slot = Math.floor(now.getTime() / REMINDER_EVERY_MS);
    if (this.moved || slot !== this.lastSlot) {
      this.moved = false;
      this.lastSlot = slot;
      await this.runReminders().catch((err) => this.fail('reminders', err));
    }
    if (passedNightly(this.deps.campaign, previous, now)) {
      await this.runNightly().catch((err) => this.fail('nightly summary', err));
    }
  }

  async runReminders(): Promise<SendReport> {
    const { store, messenger, clock, campaign } = this.deps;
    const report = await sendDueReminders(
      { store, messenger, clock, ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}) },
      campaign,
    );
    if (report.planned > 0) this.deps.logger?.info('reminders run', { ...report });
    return report;
  }

  /** What functions/build-summaries does: the city-wide workbooks to every reachable office chat, once a date. */
  async runNightly(): Promise<NightlyReport> {
    const { store, messenger, clock, campaign, logger } = this.deps;
    return sendNightlySummaries({ store, messenger, clock, ...(logger ? { logger } : {}) }, campaign);
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private fail(what: string, err: unknown) {
    this.deps.logger?.error(`${what} failed`, { error: err instanceof Error ? err.message : String(err) });
  }
}

/** Whether 21:00 (campaign time) lies in (previous, now]; a clock moved backwards passes nothing. */
export function passedNightly(campaign: Campaign, previous: Date, now: Date): boolean {
  if (now <= previous) return false;
  const day = localDate(campaign, previous);
  let next = deadlineInstant(campaign, `${day}T${NIGHTLY_AT}`);
  if (next <= previous) next = deadlineInstant(campaign, `${addDays(day, 1)}T${NIGHTLY_AT}`);
  return next <= now;
}
