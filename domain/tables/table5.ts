// 表5 反馈问题整改情况抽查汇总表. The seed lost its layout; DOMAIN.md §9 defines it: per town, each
// problem with its measures, who is responsible, the deadline, the status and the check result.

import { type Campaign, townById } from '../campaign';
import type { Instant, Problem, ProblemStatus } from '../model';
import { categoryLabel, inRegister, placeOf } from './table3';

export const PROBLEM_STATUS_LABELS: Readonly<Record<ProblemStatus, string>> = {
  open: '未整改',
  rectified: '已整改',
  verified: '已整改并核查',
  needs_longer: '需较长时间整改',
  withdrawn: '已撤回',
};

export interface Table5Row {
  no: number;
  problemId: string;
  category: string;
  place: string;
  problem: string;
  /** 整改措施: the town's note. */
  measures: string;
  /** 责任单位: the town (and village) that rectifies it. Person names are not stored. */
  responsible: string;
  reporterId: string;
  /** Local date in the campaign's time zone, YYYY-MM-DD. */
  deadline: string;
  status: ProblemStatus;
  statusLabel: string;
  /** 抽查结果 as of the build. */
  checkResult: string;
}

export interface Table5Town {
  townId: string;
  townName: string;
  rows: Table5Row[];
}

export interface Table5 {
  towns: Table5Town[];
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

function checkResult(p: Problem, asOf: Instant): string {
  switch (p.status) {
    case 'verified':
      return '核查通过';
    case 'rectified':
      return '待核查';
    case 'needs_longer':
      return p.plannedDate ? `已列入书面清单,计划${p.plannedDate}前完成` : '已列入书面清单';
    case 'open':
      return asOf > p.deadline ? '逾期未整改' : '整改中';
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
  return {
    towns: opts.townIds.map((townId) => ({
      townId,
      townName: townById(campaign, townId)?.name ?? townId,
      rows: problems
        .filter((p) => p.townId === townId && inRegister(p))
        .sort(byCreated)
        .map(
          (p, i): Table5Row => ({
            no: i + 1,
            problemId: p.id,
            category: categoryLabel(p.category),
            place: placeOf(campaign, p, false),
            problem: p.description,
            measures: p.note ?? '',
            responsible: placeOf(campaign, p, true),
            reporterId: p.reporterId,
            deadline: localDate(p.deadline, campaign.timeZone),
            status: p.status,
            statusLabel: PROBLEM_STATUS_LABELS[p.status],
            checkResult: checkResult(p, opts.asOf),
          }),
        ),
    })),
  };
}
