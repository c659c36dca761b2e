// Chinese texts of reminders, escalations, daily-list requests and delivery notices. One module so
// the wording can be reviewed (and changed) in one place; domain/reminders.ts decides what to say,
// this module only says it. Times are local wall-clock readings of the campaign's zone, formatted
// straight from the config's `YYYY-MM-DDTHH:mm` strings, so no time-zone arithmetic happens here.

import type { AckKind, Role } from './campaign';
import { formatLocalDate, formatLocalTime } from './dates';

export const ACK_LABELS: Readonly<Record<AckKind, string>> = {
  done: '已完成',
  uploaded: '已上传',
  submitted: '已提交',
};

/** The button of an item the system observes itself: it says "seen", it never closes the item. */
export const WORKING_LABEL = '👌 收到,正在办理';

/** What closes an observed item, in the words of its reminder. */
export const FACT_CLOSES = {
  group_report: '带队领导在机器人中“签发”后,此提醒自动停止。',
  problems: '每个问题在机器人中报告整改完成后,对该问题的提醒自动停止。',
  daily_list: '名单上传后,此提醒自动停止。',
} as const;
export type ObservedItem = keyof typeof FACT_CLOSES;

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  office: '扶贫办',
  leader: '组长',
  liaison: '联络员',
  inspector: '检查员',
  town_contact: '镇联络人',
};

/**
 * Telegram's limit on one message. A reminder is always one message, never split: a send cut off
 * between two parts would repeat the first to the same person on the next run (its claim covers
 * the delivery, not each part). The texts are plain, so JavaScript's length is what Telegram counts
 * or more.
 */
export const REMINDER_MAX_CHARS = 4096;

/** Problems listed in one message; the rest are counted ("……等共 N 个"). */
export const MAX_LISTED_PROBLEMS = 10;
const MAX_PROBLEM_CHARS = 60;

export { formatInstant, formatLocalDate, formatLocalTime } from './dates';

function daysAhead(days: number): string {
  if (days === 0) return '今天';
  if (days === 1) return '明天';
  if (days === 2) return '后天';
  return `${days}天后`;
}

function clip(text: string, max: number): string {
  const chars = [...text.trim().replace(/\s+/g, ' ')];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

export interface ProblemLine {
  /** The village's name when the problem names one. */
  villageName?: string;
  description: string;
  /** On the written list: the date the town plans to finish (YYYY-MM-DD). */
  plannedDate?: string;
}

function problemLines(problems: readonly ProblemLine[], indent = ''): string[] {
  const lines = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map(
      (p, i) =>
        `${indent}${i + 1}. ${p.villageName ? `${p.villageName}:` : ''}${clip(p.description, MAX_PROBLEM_CHARS)}` +
        (p.plannedDate ? `(计划 ${formatLocalDate(p.plannedDate)} 前完成)` : ''),
    );
  if (problems.length > MAX_LISTED_PROBLEMS) lines.push(`${indent}……等共 ${problems.length} 个`);
  return lines;
}

/** An escalation entry's lines: with each problem (`detailed`), or its counts only. */
function entryLines(e: EscalationEntry, detailed: boolean): string[] {
  const lines: string[] = [];
  if (e.problems) {
    if (e.problems.length > 0)
      lines.push(
        `· ${e.label}:${e.problems.length} 个问题未整改`,
        ...(detailed ? problemLines(e.problems, '  ') : []),
      );
    if (e.delayed?.length)
      lines.push(
        `· ${e.label}:${e.delayed.length} 个问题已列入延期清单`,
        ...(detailed ? problemLines(e.delayed, '  ') : []),
      );
  } else if (e.reportPending) {
    lines.push(`· ${e.label}:检查报告未签字报送`);
  } else {
    lines.push(`· ${e.label}:未确认“${ACK_LABELS[e.ack ?? 'done']}”`);
  }
  return lines;
}

export interface DeadlineReminderText {
  title: string;
  /** Local `YYYY-MM-DDTHH:mm`. */
  due: string;
  /** The lead time's days before the due date (0 = the same day). */
  leadDays: number;
  /** A meeting: the due time is when it starts, and where. */
  location?: string;
  /** Whose item this is: a town or group name; absent when it is the recipient's own. */
  scopeLabel?: string;
  description: string;
  ack: AckKind;
  /** A rectification-like item: the scope's open problems. */
  problems?: readonly ProblemLine[];
  /** A group-report item: the group's report is not signed off yet. */
  reportPending?: boolean;
  /** The system sees when this item is done (a signature, uploads, rectifications): no 已完成 button. */
  observed?: ObservedItem;
}

export interface EscalationEntry {
  /** A town or group name, or a person's name with role and scope. */
  label: string;
  /** Open problems (rectification-like deadlines). */
  problems?: readonly ProblemLine[];
  /** Problems on the town's written list (需较长时间整改), with their planned dates. */
  delayed?: readonly ProblemLine[];
  /** A group report not signed off. */
  reportPending?: boolean;
  /** Nobody tapped the acknowledgement button. */
  ack?: AckKind;
}

export const reminderMessages = {
  /**
   * One message (REMINDER_MAX_CHARS): the open problems listed when that fits, else counted; a
   * description too long for what is left (a campaign file's own text) is cut with "…".
   */
  deadline(m: DeadlineReminderText): string {
    const compose = (listProblems: boolean, description: string) => {
      const lines = [`【提醒】${m.title}`];
      if (m.scopeLabel) lines.push(`对象:${m.scopeLabel}`);
      if (m.location) {
        lines.push(`时间:${formatLocalTime(m.due)}(${daysAhead(m.leadDays)})`);
        lines.push(`地点:${m.location}`);
      } else {
        lines.push(`截止:${formatLocalTime(m.due)} 前(${daysAhead(m.leadDays)}截止)`);
      }
      if (m.problems) {
        lines.push(
          '',
          `尚有 ${m.problems.length} 个问题未整改(点下方问题填报整改情况):`,
          ...(listProblems ? problemLines(m.problems) : []),
        );
      }
      if (m.reportPending) lines.push('', '本组书面检查报告(连同各检查表)尚未经带队领导签字报送。');
      lines.push('', description, '');
      if (m.observed) {
        lines.push(FACT_CLOSES[m.observed]);
      } else {
        // A meeting is not "done" ahead of time: its button just confirms the reminder was seen.
        const ask = m.location ? '收到并确认参加后' : '完成后';
        lines.push(`${ask}请点下方“${ACK_LABELS[m.ack]}”,此事项不再提醒。`);
      }
      return lines.join('\n');
    };
    const full = compose(true, m.description);
    if (full.length <= REMINDER_MAX_CHARS) return full;
    const counted = compose(false, m.description);
    if (counted.length <= REMINDER_MAX_CHARS) return counted;
    const room = REMINDER_MAX_CHARS - compose(false, '').length;
    // Never half of a surrogate pair at the cut.
    const cut = m.description.slice(0, Math.max(0, room - 1)).replace(/[\uD800-\uDBFF]$/, '');
    return compose(false, room > 1 ? `${cut}…` : '');
  },

  /**
   * One message however many are late: the entries with their problems when that fits, else each
   * entry's count alone, else the entries that fit and how many there are in all.
   */
  escalation(m: { title: string; due: string; entries: readonly EscalationEntry[] }): string {
    const head = [`【逾期未完成】${m.title}`, `截止时间 ${formatLocalTime(m.due)} 已过,以下仍未完成:`];
    const tail = ['', '请督促落实。'];
    const text = (body: readonly string[]) => [...head, ...body, ...tail].join('\n');
    const fits = (body: readonly string[]) => text(body).length <= REMINDER_MAX_CHARS;
    const detailed = m.entries.flatMap((e) => entryLines(e, true));
    if (fits(detailed)) return text(detailed);
    const brief = m.entries.map((e) => entryLines(e, false));
    if (fits(brief.flat())) return text(brief.flat());
    const more = `……等共 ${m.entries.length} 项`;
    const kept: string[] = [];
    for (const lines of brief) {
      if (!fits([...kept, ...lines, more])) break;
      kept.push(...lines);
    }
    return text([...kept, more]);
  },

  dailyListRequest(m: {
    groupName: string;
    townName: string;
    villageName: string;
    /** The inspection day, local YYYY-MM-DD. */
    date: string;
    /** Local HH:mm on that day. */
    dueAt: string;
  }): string {
    return [
      `【户名单】明天(${formatLocalDate(m.date)})${m.groupName}到${m.townName}${m.villageName}检查。`,
      `请于 ${formatLocalDate(m.date)} ${m.dueAt} 前上传${m.villageName}的户名单(户编号、户主姓名、农户类型;CSV 或 Excel),检查组据此现场抽取农户。`,
      '',
      `点“上传户名单”后发送文件。${FACT_CLOSES.daily_list}`,
    ].join('\n');
  },

  dailyListReminder(m: { groupName: string; villageName: string; date: string; dueAt: string }): string {
    return [
      `【提醒】今天(${formatLocalDate(m.date)})${m.dueAt} 前请上传${m.villageName}的户名单,目前尚未收到。`,
      `${m.groupName}今天到村检查,需要这份名单现场抽取农户。`,
      '',
      `点“上传户名单”后发送文件。${FACT_CLOSES.daily_list}`,
    ].join('\n');
  },

  /** To the group's leaders and the office: the day's list is still missing at its due time. */
  dailyListLate(m: {
    groupName: string;
    townName: string;
    villageName: string;
    date: string;
    dueAt: string;
  }): string {
    return [
      `【名单未到】${m.townName}${m.villageName} ${formatLocalDate(m.date)} 的户名单截至 ${m.dueAt} 仍未上传,${m.groupName}无法按时抽样。`,
      `请联系${m.townName}联络人尽快上传;名单上传后即可在机器人中抽样。`,
    ].join('\n');
  },

  unreachable(m: { personLabel: string }): string {
    return [
      `【无法送达】${m.personLabel} 已屏蔽机器人或尚未开始对话,提醒无法送达。`,
      '请电话联系,请其在 Telegram 中重新打开机器人并发送任意消息。',
    ].join('\n');
  },

  /** The answer to 收到,正在办理 on an item the system observes: the tap is noted, the fact decides. */
  workingNoted(item: ObservedItem): string {
    return `好的,已收到。${FACT_CLOSES[item]}`;
  },

  /** The bot's answer to an acknowledgement button. */
  ackRecorded(kind: AckKind): string {
    return `已记录“${ACK_LABELS[kind]}”,此事项不再提醒。`;
  },

  ackAlready(kind: AckKind): string {
    return `此前已记录“${ACK_LABELS[kind]}”。`;
  },

  uploadButton: '上传户名单',
} as const;
