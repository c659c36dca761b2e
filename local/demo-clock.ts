// The demo's time: it runs like a normal clock from wherever the person set it, so a demo can
// start on a campaign day of 2017 and jump to the evening a reminder or the nightly summary is due.
// The bot, the reminders and the summaries all read this one clock.

import type { Clock } from '../app/messaging';

export class DemoClock implements Clock {
  private base: number;
  private since: number;
  private readonly listeners = new Set<(now: Date, previous: Date) => void>();

  constructor(
    start: Date,
    private readonly realNow: () => number = Date.now,
  ) {
    this.base = start.getTime();
    this.since = realNow();
  }

  now(): Date {
    return new Date(this.base + (this.realNow() - this.since));
  }

  set(to: Date): void {
    if (Number.isNaN(to.getTime())) throw new RangeError('invalid demo time');
    const previous = this.now();
    this.base = to.getTime();
    this.since = this.realNow();
    for (const listener of this.listeners) listener(this.now(), previous);
  }

  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }

  /** Called after every set or advance with the new and the previous time. */
  onChange(listener: (now: Date, previous: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
