// A reminder is always one message (domain/reminder-messages.ts): Telegram refuses a text over
// 4,096 characters, and a reminder split in parts would repeat its first part to the same person
// when a send cut off between two parts is retried. So a long escalation or a campaign file's long
// description shortens the message instead, saying how much there is.

import { describe, expect, it } from 'vitest';
import { type EscalationEntry, REMINDER_MAX_CHARS, reminderMessages } from '../../domain/reminder-messages';

const problems = (n: number, village: string) =>
  Array.from({ length: n }, (_, i) => ({
    villageName: village,
    description: `${village}第${i + 1}户帮扶手册中帮扶措施与致贫原因不对应,因病致贫却只安排了产业奖补,需重新制定`,
  }));

describe('an escalation to the office', () => {
  const escalate = (entries: EscalationEntry[]) =>
    reminderMessages.escalation({ title: '问题整改', due: '2017-11-09T23:59', entries });

  it('lists every late town with its problems while that fits in one message', () => {
    const text = escalate([
      { label: '江平镇', problems: problems(3, '交东村') },
      { label: '马路镇', problems: problems(1, '大桥村') },
    ]);
    expect(text).toContain('· 江平镇:3 个问题未整改\n  1. 交东村:');
    expect(text).toContain('· 马路镇:1 个问题未整改\n  1. 大桥村:');
    expect(text.endsWith('请督促落实。')).toBe(true);
  });

  it('counts each town’s problems instead of listing them when thirty towns are late', () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({
      label: `第${i + 1}镇`,
      problems: problems(12, `第${i + 1}村`),
      delayed: problems(2, `第${i + 1}村`),
    }));
    const text = escalate(entries);
    expect(text.length).toBeLessThanOrEqual(REMINDER_MAX_CHARS);
    expect(text).toContain('· 第1镇:12 个问题未整改\n· 第1镇:2 个问题已列入延期清单\n· 第2镇:');
    expect(text).toContain('· 第30镇:12 个问题未整改');
    expect(text).not.toContain('帮扶手册');
  });

  it('names as many of 400 people as fit, then how many there are, in one message', () => {
    const entries = Array.from({ length: 400 }, (_, i) => ({
      label: `检查员${i + 1}(第${(i % 40) + 1}组 检查员)`,
      ack: 'done' as const,
    }));
    const text = escalate(entries);
    expect(text.length).toBeLessThanOrEqual(REMINDER_MAX_CHARS);
    expect(text).toContain('· 检查员1(第1组 检查员):未确认“已完成”');
    expect(text).not.toContain('检查员400(');
    expect(text).toMatch(/\n……等共 400 项\n\n请督促落实。$/);
    // As many as fit: one more would not.
    const listed = text.split('\n').filter((l) => l.startsWith('· ')).length;
    expect(listed).toBeGreaterThan(50);
    const oneMore = [
      ...text.split('\n').slice(0, 2 + listed),
      `· ${entries[listed]!.label}:未确认“已完成”`,
      '……等共 400 项',
      '',
      '请督促落实。',
    ].join('\n');
    expect(oneMore.length).toBeGreaterThan(REMINDER_MAX_CHARS);
  });
});

describe('a deadline reminder', () => {
  const base = {
    title: '问题整改',
    due: '2017-11-09T23:59',
    leadDays: 1,
    scopeLabel: '江平镇',
    ack: 'done' as const,
  };

  it('lists up to ten open problems and counts the rest', () => {
    const text = reminderMessages.deadline({
      ...base,
      description: '请按期整改。',
      problems: problems(14, '交东村'),
    });
    expect(text).toContain('尚有 14 个问题未整改');
    expect(text).toContain('10. 交东村:');
    expect(text).toContain('……等共 14 个');
    expect(text).toContain('请按期整改。');
  });

  it('cuts a campaign file’s overlong description to fit one message, keeping what to do at the end', () => {
    const description = '各镇对照问题清单逐项整改,'.repeat(400);
    const text = reminderMessages.deadline({ ...base, description, problems: problems(14, '交东村') });
    expect(text.length).toBeLessThanOrEqual(REMINDER_MAX_CHARS);
    expect(text).toContain('尚有 14 个问题未整改');
    expect(text).toContain('…\n\n完成后请点下方“已完成”,此事项不再提醒。');
    expect(text.length).toBeGreaterThan(REMINDER_MAX_CHARS - 10);
  });
});
