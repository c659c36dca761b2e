// 表5 反馈问题整改情况抽查汇总表. The seed lost its layout; DOMAIN.md §9 defines it: per town, each
// problem with its measures, who is responsible, the deadline, the status and the check result.

import { type Campaign, townById } from '../campaign';
import type { Instant, Problem, ProblemStatus } from '../model';
import { categoryLabel, inRegister, placeOf } from './table3';

export const PROBLEM_STATUS_LABELS: Readonly<Record<ProblemStatus, string>> = {
  open: '未整改',
  rectifying: '整改中',
  rectified: '已整改',
  verified: '整改到位',
  needs_longer: '需较长时间整改',
  withdrawn: '已撤回',
};

export interface Table5Row {
  no: number;
  problemId: string;
  category: string;
  place: string;
  problem: string;
  /** 整改措施, as the town reported them. */
  measures: string;
  /** 责任人 as the town named them; the town (and village) when it has not yet. */
  responsible: string;
  reporterId: string;
  /** 整改时限, local YYYY-MM-DD: the planned date of a problem on the written list, else its deadline. */
  deadline: string;
  status: ProblemStatus;
  statusLabel: string;
  /** 抽查结果 as of the build. */
  checkResult: string;
}

/** The written list (需较长时间整改): what, why and by when. */
export interface Table5Delay {
  no: number;
  problemId: string;
  townName: string;
  place: string;
  problem: string;
  reason: string;
  plannedDate: string;
}

export interface Table5Town {
  townId: string;
  townName: string;
  rows: Table5Row[];
}

export interface Table5 {
  towns: Table5Town[];
  /** 需较长时间整改的问题清单, in the towns' order. */
  delays: Table5Delay[];
}

/** YYYY-MM-DD of an instant as read on a clock in `timeZone`. */
export function localDate(instant: Instant, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * 抽查结果, consistent with the status: only a rectified problem is checked; an open one says
 * whether a check found it not rectified, and any problem past its deadline says so.
 */
function checkResult(p: Problem, asOf: Instant): string {
  const overdue = asOf > p.deadline;
  switch (p.status) {
    case 'verified':
      return '已整改到位';
    case 'rectified':
      return '待抽查';
    case 'needs_longer':
      return p.plannedDate ? `已列入书面清单,计划${p.plannedDate}前完成` : '已列入书面清单';
    case 'rectifying':
      return overdue ? '逾期未完成整改' : '整改中,未到抽查';
    case 'open':
      if (p.check && !p.check.passed) return `未整改到位:${p.check.reason ?? ''}`;
      return overdue ? '逾期未整改' : '未开始整改';
    case 'withdrawn':
      return '记录人已撤回';
  }
}

const byCreated = (a: Problem, b: Problem) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;

/**
 * One section per town in the campaign's order; towns without problems are kept (an empty list).
 * Problems their reporter withdrew are not rows.
 */
export function buildTable5(
  campaign: Campaign,
  problems: readonly Problem[],
  opts: { townIds: readonly string[]; asOf: Instant },
): Table5 {
  const towns = opts.townIds.map((townId) => ({
    townId,
    townName: townById(campaign, townId)?.name ?? townId,
    problems: problems.filter((p) => p.townId === townId && inRegister(p)).sort(byCreated),
  }));
  return {
    towns: towns.map((t) => ({
      townId: t.townId,
      townName: t.townName,
      rows: t.problems.map(
        (p, i): Table5Row => ({
          no: i + 1,
          problemId: p.id,
          category: categoryLabel(p.category),
          place: placeOf(campaign, p, false),
          problem: p.description,
          measures: p.measures ?? '',
          responsible: p.responsible ?? placeOf(campaign, p, true),
          reporterId: p.reporterId,
          deadline:
            p.status === 'needs_longer' && p.plannedDate
              ? p.plannedDate
              : localDate(p.deadline, campaign.timeZone),
          status: p.status,
          statusLabel: PROBLEM_STATUS_LABELS[p.status],
          checkResult: checkResult(p, opts.asOf),
        }),
      ),
    })),
    delays: towns
      .flatMap((t) => t.problems.filter((p) => p.status === 'needs_longer').map((p) => ({ t, p })))
      .map(
        ({ t, p }, i): Table5Delay => ({
          no: i + 1,
          problemId: p.id,
          townName: t.townName,
          place: placeOf(campaign, p, false),
          problem: p.description,
          reason: p.delayReason ?? '',
          plannedDate: p.plannedDate ?? '',
        }),
      ),
  };
}
