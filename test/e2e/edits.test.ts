// Edits that say what they cost (issue 15): an edit that would clear answers lists how many and
// which and waits for 确定修改; the cleared answers are kept, so changing back restores them; an
// answer asked again because an edit made it fail a check says why; a refused reason says why.
// Through the webhook on both DynamoDB engines.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyIdFor } from '../../app/surveys';
import type { Person } from '../../domain/model';
import type { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { giveEvidence } from '../support/evidence';
import { answerUntilStop, currentQuestion, typicalHousehold } from '../support/survey-driver';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

describe.each(ENGINES)('an edit says what it costs, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let inspector: ChatUser;
  const ID = 9_500_001;

  const draftOf = async () => ((await sys.store.getPerson(String(ID))) as Person).session.draft;

  beforeAll(async () => {
    engine = await startEngine(engineName, 'edits');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: ID, roles: ['inspector'], groupId: 'g2' });
    await seedSample(sys.store, 'guiming', [
      { householdId: 'E1', name: '黄秀英', stratum: 'exited_2016' },
      { householdId: 'E2', name: '李国庆', stratum: 'exited_2016' },
    ]);
    inspector = sys.user(ID, '阿明');
    await inspector.send('/start');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('changing 农户类型 in the review warns with the count, and changing it back restores every answer', async () => {
    await inspector.pressData('hs:guiming:0');
    await answerUntilStop(inspector, { h1_name: '黄秀英', h1_type: '2016年脱贫户', ...typicalHousehold });
    expect(inspector.lastText()).toContain('📋 回顾');
    const before = (await draftOf())!.answers;

    await inspector.press('✏️ 修改');
    await inspector.press('一、被调查户基本情况');
    await inspector.press(/^农户类型/);
    await inspector.press('非贫困户');
    const warning = inspector.lastText();
    const cleared = Number(/将清除 (\d+) 个已填答案/.exec(warning)?.[1]);
    expect(cleared).toBeGreaterThanOrEqual(10);
    expect(warning).toContain('明白卡人口');
    // Nothing changed yet.
    expect((await draftOf())!.answers).toEqual(before);

    await inspector.press('✅ 确定修改');
    const after = (await draftOf())!.answers;
    expect(Object.keys(before).length - Object.keys(after).length).toBe(cleared - 0);
    expect(after.h1_type).toBe('non_poor');
    // A non-poor household is then asked what applies to it (5.2 漏评).
    await answerUntilStop(inspector, { h5_missed: '否' });

    // Back to 2016年脱贫户: 5.2 is cleared (said so), and the 16-odd answers come back.
    await inspector.press('✏️ 修改');
    await inspector.press('一、被调查户基本情况');
    await inspector.press(/^农户类型/);
    await inspector.press('2016年脱贫户');
    expect(inspector.lastText()).toMatch(/将清除 1 个已填答案:5\.2/);
    await inspector.press('✅ 确定修改');
    const restoredText = inspector.textsSince(0).find((x) => x.includes('个答案,请核对'));
    expect(restoredText, inspector.textsSince(0).slice(-3).join('\n---\n')).toContain(
      `已恢复 ${cleared} 个答案,请核对`,
    );
    expect((await draftOf())!.answers).toEqual(before);

    // 取消修改 leaves everything as it was.
    await inspector.press('✏️ 修改');
    await inspector.press('一、被调查户基本情况');
    await inspector.press(/^农户类型/);
    await inspector.press('非贫困户');
    await inspector.press('✖️ 取消修改');
    expect((await draftOf())!.answers).toEqual(before);
  });

  it('lowering 住院花费 below 报销 asks 报销 again and says why, without the old value', async () => {
    await inspector.pressData('ps');
    await inspector.pressData('hs:guiming:1');
    const ill = {
      ...typicalHousehold,
      h1_name: '李国庆',
      h1_type: '2016年脱贫户',
      h2_serious_illness: '是',
      h2_hospital_cost: '30000',
      h2_reimbursed: '20000',
      h2_illness_aid: '2000',
    };
    await answerUntilStop(inspector, ill);
    expect(inspector.lastText()).toContain('📋 回顾');
    await inspector.press('✏️ 修改');
    await inspector.press(/^二、/);
    await inspector.press(/^住院花费/);
    expect(inspector.buttonTexts()).toContain('✔ 保持:30000元');
    await inspector.send('10000');
    expect(inspector.lastText()).toMatch(/将清除 1 个已填答案:2\.5 报销/);
    await inspector.press('✅ 确定修改');
    expect(currentQuestion(inspector)).toBe('h2_reimbursed');
    const prompt = inspector.lastText();
    expect(prompt).toContain('⚠️ 需重新填写:报销金额(20000元)不能超过住院花费(10000元)');
    // The cleared value is not offered as the current answer.
    expect(prompt).not.toContain('当前答案');
    expect(inspector.buttonTexts().some((b) => b.includes('保持'))).toBe(false);
    await inspector.send('8000');
    expect(inspector.lastText()).toContain('📋 回顾');
    const survey = await sys.store.getSurvey(
      surveyIdFor(sys.campaign.id, { kind: 'household', villageId: 'guiming', householdId: 'E2' }),
    );
    expect(survey).toBeDefined();
    const draft = (await draftOf())!;
    // The record shows the change and the clearing: 20000 → (cleared) → 8000.
    const reimbursed = draft.history
      .filter((e) => e.questionId === 'h2_reimbursed')
      .map((e) => [e.old, e.new]);
    expect(reimbursed).toEqual([
      [undefined, 20000],
      [20000, undefined],
      [undefined, 8000],
    ]);
  });

  it('a reason that is too short is refused, and the reply says why', async () => {
    await inspector.pressData('ps');
    await seedSample(sys.store, 'shanxin', [{ householdId: 'S1', name: '韦丽萍', stratum: 'exited_2016' }]);
    await inspector.pressData('hs:shanxin:0');
    await answerUntilStop(inspector, {
      ...typicalHousehold,
      h1_name: '韦丽萍',
      h1_type: '2016年脱贫户',
      h2_income: '3000',
    });
    expect(inspector.lastText()).toContain('请用一句话写明理由');
    await inspector.send('无');
    expect(inspector.lastText()).toContain('❌');
    expect(inspector.lastText()).toContain('至少 4 个字');
    await inspector.send('务工收入未完全计入');
    // Then the location and a photo from the house, and the review.
    await giveEvidence(inspector);
    expect(inspector.lastText()).toContain('📋 回顾');
  });

  it('an old 确认无误 confirms only what it was shown under: never an edit’s cost asked after it', async () => {
    await inspector.pressData('ps');
    await seedSample(sys.store, 'zhazu', [{ householdId: 'Z1', name: '陆春梅', stratum: 'exited_2016' }]);
    await inspector.pressData('hs:zhazu:0');
    await answerUntilStop(inspector, { ...typicalHousehold, h1_name: '陆春梅', h1_type: '2016年脱贫户' });
    await giveEvidence(inspector);
    expect(inspector.lastText()).toContain('📋 回顾');
    // As it is now: the chat edits a message in place, so keep a copy of its buttons.
    const review = structuredClone(inspector.lastMessage());
    const before = (await draftOf())!.answers;

    // From the review: an income of 500 asks 确认无误 (a soft check, nothing written yet)…
    await inspector.press('✏️ 修改');
    await inspector.press(/^二、/);
    await inspector.press(/^截止2017年9月底家庭人均纯/);
    await inspector.send('500');
    const softCheck = structuredClone(inspector.lastMessage());
    expect(softCheck.text).toContain('人均纯收入低于 1000 元');
    // …then, from the review still in the chat, 农户类型 → 非贫困户 asks what that edit clears.
    await inspector.pressData(
      review.buttons.flat().find((b) => b.text === '✏️ 修改')?.callback_data ?? '',
      review,
    );
    await inspector.press('一、被调查户基本情况');
    await inspector.press(/^农户类型/);
    await inspector.press('非贫困户');
    // (Asked in place of the review, above the income check.)
    expect(inspector.messages().some((m) => /将清除 \d+ 个已填答案/.test(m.text))).toBe(true);
    expect((await draftOf())!.pending).toMatchObject({ kind: 'edit', questionId: 'h1_type' });

    // 确认无误 under the income check: it was not shown under the edit, so it changes nothing.
    const since = inspector.messages().length;
    await inspector.pressData(
      softCheck.buttons.flat().find((b) => b.text === '✅ 确认无误')?.callback_data ?? '',
      softCheck,
    );
    const said = [
      ...sys.api.callsOf('answerCallbackQuery').map((c) => c.params.text),
      ...inspector.textsSince(since),
    ];
    expect(said).toContain('这个按钮已过期(问卷已前进),没有做任何修改。请在最新的一条消息里作答。');
    expect((await draftOf())!.answers).toEqual(before);
    // The edit's own 取消修改 still answers it.
    await inspector.press('✖️ 取消修改');
    expect((await draftOf())!.answers).toEqual(before);
    expect((await draftOf())!.pending).toBeUndefined();
  });
});
