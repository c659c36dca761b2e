// The rectification lifecycle of a problem (DOMAIN.md §9), pure: which report or check may follow
// which status, what each must say, and the problem it leaves — with one event in its history.
//
//   open ──measures──▶ rectifying ──rectified──▶ rectified ──verified──▶ verified
//     │  ╲                  │                       │
//     │   ╲──rectified──────┼───────────────────────┘ (a town may report it done at once)
//     │                     │                       └──rejected──▶ open (未整改到位: the town again)
//     └──needs_longer──▶ needs_longer (the written list; measures or rectified may follow)

import type { Instant, Problem, ProblemAction, ProblemEvent, ProblemStatus } from './model';

/** Texts a town or a group writes: a sentence at least, never an essay. */
export const TEXT_MIN = 4;
export const TEXT_MAX = 500;
/** 责任人: a person or unit's name. */
export const RESPONSIBLE_MIN = 2;
export const RESPONSIBLE_MAX = 40;
/** A planned date further than this is not a plan. */
export const MAX_DELAY_DAYS = 730;

export type RectificationInput =
  | { action: 'measures'; measures: string; responsible: string }
  | { action: 'rectified'; note: string }
  | { action: 'needs_longer'; plannedDate: string; reason: string }
  | { action: 'verified' }
  | { action: 'rejected'; reason: string };

export type RectificationRefusal =
  | 'not_now'
  | 'text_short'
  | 'text_long'
  | 'responsible_bad'
  | 'date_bad'
  | 'date_past'
  | 'date_far'
  /** The problem changed after the card the button was on was shown: nothing was done. */
  | 'changed';

export class RectificationError extends Error {
  override readonly name = 'RectificationError';
  constructor(
    readonly reason: RectificationRefusal,
    /** For 'not_now': the status the problem is in. */
    readonly status?: ProblemStatus,
  ) {
    super(reason);
  }
}

/** The statuses each action may start from. */
export const ALLOWED_FROM: Readonly<Record<ProblemAction, readonly ProblemStatus[]>> = {
  measures: ['open', 'rectifying', 'needs_longer'],
  rectified: ['open', 'rectifying', 'needs_longer'],
  needs_longer: ['open', 'rectifying', 'needs_longer'],
  verified: ['rectified'],
  rejected: ['rectified'],
};

const TARGET: Readonly<Record<ProblemAction, ProblemStatus>> = {
  measures: 'rectifying',
  rectified: 'rectified',
  needs_longer: 'needs_longer',
  verified: 'verified',
  rejected: 'open',
};

/** The actions a problem in this status can take next. */
export function actionsFrom(status: ProblemStatus): ProblemAction[] {
  return (Object.keys(ALLOWED_FROM) as ProblemAction[]).filter((a) => ALLOWED_FROM[a].includes(status));
}

/** Whitespace collapsed; counted in characters as people count them (not UTF-16 units). */
export function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function sentence(text: string): string {
  const t = cleanText(text);
  const n = [...t].length;
  if (n < TEXT_MIN) throw new RectificationError('text_short');
  if (n > TEXT_MAX) throw new RectificationError('text_long');
  return t;
}

function responsibleName(text: string): string {
  const t = cleanText(text);
  const n = [...t].length;
  if (n < RESPONSIBLE_MIN || n > RESPONSIBLE_MAX) throw new RectificationError('responsible_bad');
  return t;
}

/**
 * A date as people write it — 2017-12-15, 2017/12/15, 2017年12月15日, 12月15日, 12-15 — as
 * YYYY-MM-DD; a date without a year is the next such date on or after `today`. Undefined when it
 * is not a calendar date.
 */
export function parsePlannedDate(text: string, today: string): string | undefined {
  const t = text.trim().replace(/\s+/g, '');
  const full = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
  const short = /^(\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
  const ymd = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
      return undefined;
    return date.toISOString().slice(0, 10);
  };
  if (full) return ymd(Number(full[1]), Number(full[2]), Number(full[3]));
  if (short) {
    const year = Number(today.slice(0, 4));
    const candidate = ymd(year, Number(short[1]), Number(short[2]));
    if (!candidate) return undefined;
    return candidate >= today ? candidate : ymd(year + 1, Number(short[1]), Number(short[2]));
  }
  return undefined;
}

const daysBetween = (a: string, b: string) =>
  (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

/** A planned date: a real date after today, within two years. */
export function checkPlannedDate(text: string, today: string): string {
  const date = parsePlannedDate(text, today);
  if (!date) throw new RectificationError('date_bad');
  if (date <= today) throw new RectificationError('date_past');
  if (daysBetween(today, date) > MAX_DELAY_DAYS) throw new RectificationError('date_far');
  return date;
}

/**
 * The problem after `input` by `by` at `at` (`today` is the local date there), with the event
 * appended. Refuses an action the status does not allow and texts that do not say enough.
 */
export function applyRectification(
  problem: Problem,
  input: RectificationInput,
  by: string,
  at: Instant,
  today: string,
): Problem {
  if (!ALLOWED_FROM[input.action].includes(problem.status))
    throw new RectificationError('not_now', problem.status);
  const to = TARGET[input.action];
  let next: Problem;
  let texts: Record<string, string>;
  switch (input.action) {
    case 'measures': {
      const measures = sentence(input.measures);
      const responsible = responsibleName(input.responsible);
      texts = { measures, responsible };
      next = { ...problem, measures, responsible };
      break;
    }
    case 'rectified': {
      const note = sentence(input.note);
      texts = { note };
      next = { ...problem, rectifiedNote: note };
      break;
    }
    case 'needs_longer': {
      const plannedDate = checkPlannedDate(input.plannedDate, today);
      const reason = sentence(input.reason);
      texts = { plannedDate, reason };
      next = { ...problem, plannedDate, delayReason: reason };
      break;
    }
    case 'verified': {
      texts = {};
      next = { ...problem, check: { passed: true, by, at } };
      break;
    }
    case 'rejected': {
      const reason = sentence(input.reason);
      texts = { reason };
      next = { ...problem, check: { passed: false, reason, by, at } };
      break;
    }
  }
  const event: ProblemEvent = {
    at,
    by,
    action: input.action,
    from: problem.status,
    to,
    ...(Object.keys(texts).length > 0 ? { texts } : {}),
  };
  return {
    ...next,
    status: to,
    // Any action here is someone other than the reporter acting: the wording is locked from now on.
    townActedAt: problem.townActedAt ?? at,
    events: [...(problem.events ?? []), event],
  };
}

/** Still owed by the town: reminders and escalations name it (needs_longer is on the written list). */
export const awaitsTown = (p: Pick<Problem, 'status'>): boolean =>
  p.status === 'open' || p.status === 'rectifying';
