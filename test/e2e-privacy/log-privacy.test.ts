// Logs carry ids, never names, incomes or answers (ARCHITECTURE.md). A whole working day goes
// through the webhook with the logging Lambda uses (the powertools Logger of functions/runtime.ts
// as the bot's and the webhook's logger): an inspector joins with an invite, answers two
// household interviews with names, incomes, free-text opinions and a soft-check reason, submits,
// and confirms the proposed problem. Every line the logger is given, and everything written to
// stdout/stderr meanwhile, is searched for those values.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../app/messaging';
import { createInvite } from '../../app/people';
import type { LoggerLike } from '../../bot/bot';
import { logger as powertools } from '../../functions/runtime';
import { ChatUser } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { freshPhoto, nearVillage } from '../support/evidence';
import { rng, scriptHousehold } from '../support/household-scripts';
import { Interviewer } from '../support/interviewer';
import { campaign, type System, seedPerson, seedSample, startSystem } from '../support/system';

const INSPECTOR_NAME = '欧阳明月';
const HOUSEHOLDS = [
  { householdId: '4506810001', name: '司徒翠花', stratum: 'exited_2016' as const },
  { householdId: '4506810002', name: '诸葛铁柱', stratum: 'non_poor' as const },
];
const EXITED = {
  inputs: {
    h2_income: '2987.65',
    h3_cadre_name: '上官志远',
    h4_opinions: '希望修建村口的石拱桥',
    h5_meets_standard: '是',
  },
  reasons: { h5_meets_standard: '邻居作证其务工收入未计入统计' },
};
const NON_POOR = {
  inputs: { h2_income: '3111.11', h4_opinions: '村里路灯坏了半年没人修', h5_missed: '是' },
};
const PHOTO_CAPTION = '司徒家漏雨的厨房';
const jiaodong = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === 'jiaodong')!;
/** What must never reach a log line. */
const SECRETS = [
  PHOTO_CAPTION,
  String(nearVillage(jiaodong, 0.4).lat),
  INSPECTOR_NAME,
  ...HOUSEHOLDS.map((h) => h.name),
  '2987.65',
  '3111.11',
  '上官志远',
  '石拱桥',
  '路灯坏了',
  '务工收入未计入',
];

const lines: string[] = [];
/** The bot's logger: records each call as the line it becomes, and hands it to powertools. */
const recording: LoggerLike = Object.fromEntries(
  (['info', 'warn', 'error'] as const).map((level) => [
    level,
    (message: string, ...attributes: Record<string, unknown>[]) => {
      lines.push(JSON.stringify({ level, message, ...Object.assign({}, ...attributes) }));
      powertools[level](message, ...attributes);
    },
  ]),
) as unknown as LoggerLike;

let engine: Engine;
let sys: System;
const written: string[] = [];

beforeAll(async () => {
  engine = await startEngine('dynalite', 'privacy');
  sys = await startSystem({ engine, logger: recording });
  await seedSample(sys.store, 'jiaodong', HOUSEHOLDS);
  // Whatever powertools (or anything else) prints while the day runs.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      written.push(text);
      // Keep the test output readable: the service's own log lines are checked, not shown.
      if (text.includes('"service":"inspection-bot"')) return true;
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  await sys?.stop();
  await engine?.stop();
});

describe('a working day leaves no names, incomes or answers in the logs', () => {
  it('runs the day: join, two interviews, a soft-check reason, submit, a confirmed problem', async () => {
    const office = await seedPerson(sys.store, { id: 650_000, roles: ['office'], name: '潘主任' });
    const invite = await createInvite({ store: sys.store, clock: systemClock }, office, sys.campaign, {
      role: 'inspector',
      groupId: 'g2',
    });
    const user = new ChatUser(sys.api, sys.webhook, sys.secret, 650_001, INSPECTOR_NAME);
    await user.send(`/start ${invite.code}`);
    expect(user.textsSince(0)[0]).toContain('欢迎加入');

    const interviewer = new Interviewer(user, rng(3));
    for (const [index, overrides] of [EXITED, NON_POOR].entries()) {
      const h = HOUSEHOLDS[index];
      if (!h) throw new Error('household missing');
      const script = scriptHousehold(sys.campaign, h, rng(10 + index), overrides);
      expect(script.expected.h4_opinions).toBe(overrides.inputs.h4_opinions);
      if (index === 0) expect(script.confirms.h5_meets_standard).toBe(EXITED.reasons.h5_meets_standard);
      await interviewer.pressData(`hs:jiaodong:${index}`);
      await interviewer.answerAll(script);
      await interviewer.submit();
      expect(user.textsSince(0).some((t) => t.startsWith('✅ 已提交'))).toBe(true);
    }
    // The non-poor household judged 漏评 proposes a problem naming the household: confirmed.
    expect(user.lastText()).toContain(HOUSEHOLDS[1]?.name);
    await user.press('✅ 确认记录');
    expect(user.lastText()).toMatch(/^✅ 问题已记录/);
    const [problem] = await sys.store.problemsOfTown(sys.campaign.id, 'jiangping');
    expect(problem?.description).toContain(HOUSEHOLDS[1]?.name);

    // A problem's photo with a caption (photos are personal data: no caption, key or place in logs).
    await user.sendPhoto(freshPhoto(), { caption: PHOTO_CAPTION });
    expect(user.lastText()).toBe('📷 已附到问题上(共 1 张)。');

    // Telegram repeating that update is logged too: still ids only.
    await user.replay();
    expect(lines.at(-1)).toContain('duplicate update ignored');
  }, 60_000);

  it('the logger got lines with ids, and powertools printed them', () => {
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.some((l) => l.includes('"personId":"650001"'))).toBe(true);
    const printed = written.join('');
    expect(printed).toContain('"service":"inspection-bot"');
  });

  it.each(SECRETS)('no log line contains %s', (secret) => {
    // Where the interviews were sent from (the village's location, 0.4 km north) is personal too.
    expect(SECRETS).toContain(String(nearVillage(jiaodong, 0.4).lat));
    expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    expect(written.filter((w) => w.includes(secret))).toEqual([]);
  });
});
