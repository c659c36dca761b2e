// Texts are safe (issue 19): a screen too long for one Telegram message goes out as several, split
// between sections, each valid and within 4,096 characters, the buttons under the last; nothing is
// cut. The emulator refuses what Telegram refuses, and the system fails a test that sent any.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import type { ChatMessage } from '../support/fake-bot-api';
import { answerUntilStop, give, typicalHousehold } from '../support/survey-driver';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const INSPECTOR = 9_600_001;
const LEADER = 9_600_002;

/** What a household says at length, about 480 characters, with "<" and "&" that must be escaped. */
const longAnswer = (topic: string) =>
  `${topic}:${'家里老人常年生病,医药费负担重,收入<支出&负债,希望帮扶干部多来看看,帮忙联系就业和医疗救助,孩子上学也需要资助。'.repeat(9)}`.slice(
    0,
    480,
  );

/** Why a household under the poverty line is still judged to have left poverty: a long account. */
const JUDGEMENT =
  `务工收入未完全计入:${'该户长子在广东务工,月收入约三千元,年底寄回家中,但未在收入台账中登记;次子在县城打零工,收入不稳定但全年不少于八千元;家中种植肉桂三亩,今年已开始采收。'.repeat(30)}`.slice(
    0,
    2500,
  );

const ANSWERS = {
  h1_name: '黄秀英',
  h1_type: '2016年脱贫户',
  ...typicalHousehold,
  // Under the poverty line, yet judged to meet the standard: a reason is asked for (5.1).
  h2_income: '3000',
  h3_cadre_name: longAnswer('帮扶干部'),
  h3_requested_help: '是',
  h3_request_resolved: '是',
  h3_request_details: longAnswer('提出的事'),
  h3_material_help: '是',
  h3_material_details: longAnswer('得到的帮助'),
  h4_opinions: longAnswer('意见'),
};

/** The messages the bot sent to `user` since `since`, and their texts joined. */
function sentSince(user: ChatUser, since: number): { messages: ChatMessage[]; text: string } {
  const messages = user.messages().slice(since);
  return { messages, text: messages.map((m) => m.text).join('\n') };
}

const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('long screens go out in several messages', () => {
  let engine: Engine;
  let sys: System;
  let inspector: ChatUser;
  let leader: ChatUser;

  beforeAll(async () => {
    engine = await startEngine('dynalite', 'long-texts');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2', name: '阿明' });
    await seedPerson(sys.store, { id: LEADER, roles: ['leader'], groupId: 'g2', name: '韩组长' });
    await seedSample(sys.store, 'guiming', [{ householdId: 'L1', name: '黄秀英', stratum: 'exited_2016' }]);
    inspector = sys.user(INSPECTOR, '阿明');
    leader = sys.user(LEADER, '韩组长');
    await inspector.send('/start');
  }, 60_000);

  afterAll(async () => {
    // Fails the file if the bot sent anything Telegram refuses.
    await sys?.stop();
    await engine?.stop();
  });

  it('a household survey whose review runs to 6,000 characters is shown whole, in parts, and submitted', async () => {
    await inspector.pressData('hs:guiming:0');
    let before = inspector.messages().length;
    await answerUntilStop(inspector, ANSWERS);
    expect(inspector.lastText()).toContain('请用一句话写明理由');
    await inspector.send(JUDGEMENT);
    await answerUntilStop(inspector, ANSWERS);
    // The last answer's reply: the review, in several messages.
    const since = inspector.messages().slice(before);
    const review = since.slice(since.findLastIndex((m) => m.text.includes('📋 回顾')));
    expect(review.length).toBeGreaterThan(1);
    const text = review.map((m) => m.text).join('\n');
    expect(text.length).toBeGreaterThan(5500);
    for (const m of review) expect(m.text.length).toBeLessThanOrEqual(4096);
    // Every long answer is there in full (escaped), none cut.
    for (const id of ['h3_cadre_name', 'h3_request_details', 'h3_material_details', 'h4_opinions'] as const)
      expect(text).toContain(escaped(ANSWERS[id]));
    expect(text).toContain(`(理由:${JUDGEMENT})`);
    // Only the last part carries the buttons; the survey can be submitted from it.
    expect(review.slice(0, -1).every((m) => m.buttons.length === 0)).toBe(true);
    expect(inspector.buttonTexts(review.at(-1))).toContain('✅ 提交');
    before = inspector.messages().length;
    await inspector.press('✅ 提交');
    const [survey] = await sys.store.surveysOfInspector(String(INSPECTOR));
    expect(survey?.status).toBe('submitted');
    expect(survey?.answers.h4_opinions).toBe(ANSWERS.h4_opinions);
    expect(sentSince(inspector, before).text).not.toContain('出错');
  });

  it('the leader reads it whole, in parts, and a return reason as long as a person can type (4,090 characters) reaches the inspector in full', async () => {
    await leader.send('/surveys');
    await leader.press(/^贵明村/);
    const before = leader.messages().length;
    await leader.press(/黄秀英户/);
    const card = sentSince(leader, before);
    expect(card.messages.length).toBeGreaterThan(1);
    expect(card.text).toContain(escaped(ANSWERS.h3_material_details));
    expect(leader.buttonTexts()).toContain('↩️ 退回修改');

    await leader.press('↩️ 退回修改');
    await leader.press('二、贫困户"八有一超"达标情况');
    await leader.press(/^截止2017年9月底家庭人均纯…:3000元$/);
    // With the notice's own lines it is more than one message can hold.
    const reason = `收入核算有误:${'低保金、养老金、务工收入应分项计入并附证明材料,'.repeat(200)}`.slice(
      0,
      4090,
    );
    const pushedFrom = inspector.messages().length;
    await leader.send(reason);
    expect(leader.lastText()).toMatch(/^↩️ 已退回/);
    expect(leader.lastText()).not.toContain('屏蔽');

    const push = sentSince(inspector, pushedFrom);
    expect(push.messages.length).toBeGreaterThan(1);
    expect(push.text.replace(/\n/g, '')).toContain(reason);
    expect(inspector.buttonTexts()).toContain('✏️ 打开并修改');
    expect((await sys.store.surveysOfInspector(String(INSPECTOR)))[0]?.status).toBe('returned');
  });

  it('the leader is told the inspector may have blocked the bot only when Telegram says so (403)', async () => {
    const returnAgain = async (failure: { errorCode: number; description: string }) => {
      await inspector.press(/✏️ 打开并修改|退回/);
      await give(inspector, '保持:3000元');
      await answerUntilStop(inspector, ANSWERS);
      await inspector.press('✅ 提交');
      expect((await sys.store.surveysOfInspector(String(INSPECTOR)))[0]?.status).toBe('submitted');
      await leader.send('/surveys');
      await leader.press(/^贵明村/);
      await leader.press(/黄秀英户/);
      await leader.press('↩️ 退回修改');
      await leader.press('二、贫困户"八有一超"达标情况');
      await leader.press(/^截止2017年9月底家庭人均纯…:/);
      sys.api.failures.push({ method: 'sendMessage', chatId: INSPECTOR, ...failure });
      await leader.send('收入仍需核实,请补充证明');
      return leader.textsSince(leader.messages().length - 2).join('\n');
    };

    const afterError = await returnAgain({ errorCode: 500, description: 'Internal Server Error' });
    expect(afterError).toContain('退回通知没能发给检查员');
    expect(afterError).not.toContain('屏蔽');

    // The inspector never got that notice: they open the survey from their list instead.
    await inspector.send('/resume');
    const afterBlock = await returnAgain({
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    expect(afterBlock).toContain('可能已屏蔽');
  });
});
