// The group report is done when the leader signs it, with its completeness in view: signing with
// work missing asks for a reason; a later change marks it 签发后有变更 until it is signed again; a
// tap on the report reminder's button is not a signature. Through the webhook on both engines,
// with the reminders sent by the same code as the scheduled function.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { sendDueReminders } from '../../app/reminders';
import { surveyIdFor } from '../../app/surveys';
import { telegramMessenger } from '../../bot/telegram-messenger';
import { deadlineInstant } from '../../domain/campaign';
import type { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { freshPhoto } from '../support/evidence';
import { rng, scriptHousehold } from '../support/household-scripts';
import { Interviewer } from '../support/interviewer';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const LEADER = 9_600_001;
const INSPECTOR = 9_600_002;
const OFFICE = 9_600_003;
const CONTACT = 9_600_004;
const NO_FAULTS = { duplicate: 0, doubleTap: 0, stale: 0 };

describe.each(ENGINES)('签发 with its completeness, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let leader: ChatUser;
  let inspector: ChatUser;
  let office: ChatUser;
  /** The ✅ 用这个理由签发 button one scenario was offered, pressed again in a later one. */
  let olderOffer: { data: string; message: ReturnType<ChatUser['lastMessage']> } | undefined;
  const clock = new ManualClock(new Date('2017-11-03T02:00:00.000Z'));
  const households = Array.from({ length: 10 }, (_, i) => ({
    householdId: `S${i}`,
    name: `户主${'甲乙丙丁戊己庚辛壬癸'[i]}`,
    stratum: (['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor', 'non_poor'] as const)[
      i % 5
    ]!,
  }));

  async function submit(i: number) {
    const h = households[i]!;
    const interviewer = new Interviewer(inspector, rng(40 + i), NO_FAULTS);
    await interviewer.pressData(`hs:beilian:${i}`);
    await interviewer.answerAll(
      scriptHousehold(sys.campaign, { name: h.name, stratum: h.stratum }, rng(50 + i)),
    );
    await interviewer.submit();
  }

  beforeAll(async () => {
    engine = await startEngine(engineName, 'sign-off');
    sys = await startSystem({ engine, clock });
    await seedPerson(sys.store, { id: LEADER, roles: ['leader'], groupId: 'g3' });
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g3' });
    await seedPerson(sys.store, { id: OFFICE, roles: ['office'] });
    await seedSample(sys.store, 'beilian', households);
    leader = sys.user(LEADER, '李');
    inspector = sys.user(INSPECTOR, '黄');
    office = sys.user(OFFICE, '潘');
    for (const u of [leader, inspector, office]) await u.send('/start');
    await submit(0);
    await submit(1);
  }, 120_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('the report shows submitted of sampled, and signing with 2 of 10 done asks for a reason', async () => {
    await leader.send('/report');
    const status = leader.lastText();
    expect(status).toContain('⏳ 北联村:农户 2/10,村级表未提交');
    expect(status).toContain('尚有 9 项未完成');
    expect(status).toContain('状态:未签发');
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('尚有 9 项未完成。确定现在签发吗?请回复签发理由');
    await leader.send('好');
    expect(leader.lastText()).toContain('理由太短了');
    await office.send('/signoffs');
    expect(office.lastText()).toContain('⏳ 第三组(马路镇):未签发');

    await leader.send('其余农户外出务工,已电话核实');
    expect(leader.lastText()).toMatch(/^✅ 已签发\(11月3日 \d\d:\d\d\),签发时尚有 9 项未完成/);
    await office.send('/signoffs');
    expect(office.lastText()).toContain('✅ 第三组(马路镇):已签发');
    expect(office.lastText()).toContain('签发时 9 项未完成,理由:其余农户外出务工,已电话核实');
  });

  it('a survey submitted after the sign-off marks it 签发后有变更 until the leader signs again', async () => {
    clock.advance(3_600_000);
    await submit(2);
    await leader.send('/report');
    expect(leader.lastText()).toMatch(/签发后有变更.*1 份问卷、0 个问题有变化/);
    await office.send('/signoffs');
    expect(office.lastText()).toContain('⚠️ 第三组(马路镇):签发后有变更');
    clock.advance(60_000);
    await leader.press('✍️ 签发');
    await leader.send('其余农户外出务工,已电话核实');
    expect(leader.lastText()).toMatch(/^✅ 已签发/);
    await office.send('/signoffs');
    expect(office.lastText()).toContain('✅ 第三组(马路镇):已签发');
    const events = await sys.store.auditOf(`group_report:${sys.campaign.id}/g3`);
    expect(events.filter((e) => e.action === 'group_report.sign_off')).toHaveLength(2);
  });

  it('an old 签发 button signs nothing once the report has changed: the leader sees the report anew', async () => {
    clock.advance(3_600_000);
    await submit(3);
    await leader.send('/report');
    const shown = leader.lastMessage();
    expect(shown.text).toContain('签发后有变更');
    const signed = async () =>
      (await sys.store.auditOf(`group_report:${sys.campaign.id}/g3`)).filter(
        (e) => e.action === 'group_report.sign_off',
      );
    const before = (await signed()).length;
    // Another survey comes in after the report was built; then the leader taps 签发 under it.
    clock.advance(60_000);
    await submit(4);
    clock.advance(60_000);
    const seen = leader.messages().length;
    await leader.pressData(shown.buttons.flat().find((b) => b.text === '✍️ 签发')?.callback_data ?? '', shown);
    const replies = leader.textsSince(seen);
    expect(replies[0]).toBe(
      '⚠️ 这份报告发出后情况有了变化(1 份问卷、0 个问题),没有签发。请核对下面最新的报告后再签发。',
    );
    expect(replies.at(-1)).toContain('⏳ 北联村:农户 5/10,村级表未提交');
    expect(await signed()).toHaveLength(before);
    // From the package as it is now, the signature is taken, and says which package it was.
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('尚有 6 项未完成。确定现在签发吗?');
    await leader.send('其余农户外出务工,已电话核实');
    expect(leader.lastText()).toMatch(/^✅ 已签发/);
    const events = await signed();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)?.details).toMatchObject({ missing: 6, shownAt: expect.any(String) });
    expect(String(events.at(-1)?.details?.shownAt) > String(events.at(-2)?.at)).toBe(true);
  });

  it('a button without the package it was under (from before) signs nothing and shows the report', async () => {
    clock.advance(60_000);
    await submit(5);
    await leader.send('/report');
    const seen = leader.messages().length;
    await leader.pressData('so:g3');
    expect(leader.textsSince(seen)[0]).toBe('这个“签发”按钮已过期,没有签发。请核对下面最新的报告后再签发。');
    expect(leader.lastText()).toContain('签发后有变更');
  });

  it('a reason typed for a package that changed before it was signed is kept, and signs the new package with one tap', async () => {
    clock.advance(60_000);
    await leader.send('/report');
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('请回复签发理由');
    // While the leader writes, another survey comes in: what they typed is for a package gone by.
    clock.advance(60_000);
    await submit(6);
    clock.advance(60_000);
    const seen = leader.messages().length;
    await leader.send('其余农户外出务工,已逐户电话核实');
    expect(leader.textsSince(seen)[0]).toBe(
      '⚠️ 这份报告发出后情况有了变化(1 份问卷、0 个问题),没有签发。请核对下面最新的报告后再签发。\n' +
        '您写的签发理由已保留,核对后再点“签发”即可直接使用。',
    );
    const signed = async () =>
      (await sys.store.auditOf(`group_report:${sys.campaign.id}/g3`)).filter(
        (e) => e.action === 'group_report.sign_off',
      );
    const before = (await signed()).length;

    // The new package's 签发 offers it; one tap signs that package with it.
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('尚有 4 项未完成。确定现在签发吗?');
    expect(leader.lastText()).toContain('您之前写的理由:「其余农户外出务工,已逐户电话核实」');
    // Its data, kept to press it again later (the message is edited into the confirmation).
    const offer = leader.findButton('✅ 用这个理由签发');
    const offerData = offer.button.callback_data ?? '';
    await leader.press('✅ 用这个理由签发');
    expect(leader.lastText()).toMatch(/^✅ 已签发\(11月3日 \d\d:\d\d\),签发时尚有 4 项未完成/);
    const events = await signed();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)?.details).toMatchObject({ missing: 4, reason: '其余农户外出务工,已逐户电话核实' });

    // It is offered once: the next 签发 asks again, and the old button does nothing.
    clock.advance(60_000);
    await submit(7);
    await leader.send('/report');
    await leader.press('✍️ 签发');
    expect(leader.lastText()).not.toContain('您之前写的理由');
    expect(offerData).toMatch(/^sk:g3:/);
    await leader.pressData(offerData, offer.message);
    expect(leader.lastText()).toBe('这个按钮已过期:请重新点“签发”。');
    expect(await signed()).toHaveLength(before + 1);
    olderOffer = { data: offerData, message: offer.message };
  });

  it('a problem reported on, checked or given a photo after the sign-off marks it 签发后有变更', async () => {
    await seedPerson(sys.store, { id: CONTACT, roles: ['town_contact'], townId: 'malu' });
    const contact = sys.user(CONTACT, '马路联络');
    await contact.send('/start');
    await inspector.send('/problem');
    await inspector.press('四、其他方面(资料、档案、内生动力等)');
    await inspector.press('北联村');
    await inspector.press('跳过');
    await inspector.send('北联村户主甲户帮扶手册未填写2017年收入,与系统不一致');
    const [problem] = await sys.store.problemsOfTown(sys.campaign.id, 'malu');
    const card = `po:${problem?.id}:t.malu`;
    await contact.pressData(card);
    await contact.press('📝 填报整改措施');
    await contact.send('逐户补填帮扶手册收入栏');
    await contact.send('北联村村委 黄明');
    const signNow = async () => {
      clock.advance(60_000);
      await leader.send('/report');
      await leader.press('✍️ 签发');
      await leader.send('其余农户外出务工,已电话核实');
      expect(leader.lastText()).toMatch(/^✅ 已签发/);
    };
    const changed = async () => {
      clock.advance(60_000);
      await leader.send('/report');
      return leader.lastText();
    };
    await signNow();
    expect(await changed()).toContain('状态:已签发');
    /** `what` happens to the problem after the sign-off: the report is changed since; signed again. */
    const changesIt = async (what: () => Promise<void>) => {
      clock.advance(60_000);
      await what();
      expect(await changed()).toMatch(/签发后有变更.*0 份问卷、1 个问题有变化/);
      await signNow();
    };
    // The town reports it rectified after the signature: the signed 表5 no longer holds.
    await changesIt(async () => {
      await contact.pressData(card);
      await contact.press('✅ 已整改');
      await contact.send('已补填全部收入栏');
    });
    // A photo of the rectification is a change too.
    await changesIt(async () => {
      await contact.sendPhoto(freshPhoto(), { caption: '补填后的帮扶手册' });
      expect(contact.lastText()).toBe('📷 已附到问题上(共 1 张)。');
    });
    // So is the check: rejected by the office.
    await changesIt(async () => {
      await office.pressData(card);
      await office.press('👎 未整改到位');
      await office.send('抽查发现2户收入栏仍为空');
    });
    expect(await changed()).toContain('状态:已签发');
  });

  it('a kept reason outlives a 签发 refused again, an older offer signs nothing, and after an hour it is not offered', async () => {
    /** The inspector logs a problem in 北联村: the leader's package changes. */
    const newProblem = async (text: string) => {
      clock.advance(60_000);
      await inspector.send('/problem');
      await inspector.press('四、其他方面(资料、档案、内生动力等)');
      await inspector.press('北联村');
      await inspector.press('跳过');
      await inspector.send(text);
    };
    const signed = async () =>
      (await sys.store.auditOf(`group_report:${sys.campaign.id}/g3`)).filter(
        (e) => e.action === 'group_report.sign_off',
      );
    const older = olderOffer;
    if (!older) throw new Error('the first 签发 scenario keeps its offer for this one');
    const before = (await signed()).length;

    // The report was signed with nothing changed since: a new problem makes it to be signed again.
    await newProblem('北联村户主乙户产业扶持资金台账不全');
    await leader.send('/report');
    await leader.press('✍️ 签发');
    await newProblem('北联村户主丙户危房改造资料缺失,需补充');
    let seen = leader.messages().length;
    await leader.send('余下三户在外务工,已视频核实');
    expect(leader.textsSince(seen)[0]).toContain(
      '没有签发。请核对下面最新的报告后再签发。\n您写的签发理由已保留',
    );
    // The package shown with the refusal changes too before its 签发: refused, the reason stays.
    const stale = leader.lastMessage();
    await newProblem('北联村户主丁户帮扶手册签字不全');
    seen = leader.messages().length;
    await leader.pressData(stale.buttons.flat().find((b) => b.text === '✍️ 签发')?.callback_data ?? '', stale);
    expect(leader.textsSince(seen)[0]).toMatch(/^⚠️ 这份报告发出后情况有了变化.*没有签发/);
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('您之前写的理由:「余下三户在外务工,已视频核实」');
    // The first scenario's offer (another package, another reason) signs nothing now.
    await leader.pressData(older.data, older.message);
    expect(leader.lastText()).toBe('这个按钮已过期:请重新点“签发”。');
    expect(await signed()).toHaveLength(before);
    // The prompt's own button signs (its message becomes the confirmation).
    const offer = leader.findButton('✅ 用这个理由签发').message;
    await leader.press('✅ 用这个理由签发');
    expect(leader.messages().find((m) => m.message_id === offer.message_id)?.text).toMatch(/^✅ 已签发/);
    expect((await signed()).at(-1)?.details).toMatchObject({ reason: '余下三户在外务工,已视频核实' });

    // A reason kept more than an hour ago is not offered: the leader writes one for what is now.
    await newProblem('北联村户主戊户收入台账缺少佐证材料');
    await leader.send('/report');
    await leader.press('✍️ 签发');
    await newProblem('北联村户主己户医疗报销凭证缺失');
    seen = leader.messages().length;
    await leader.send('两户资料正在补充,先行签发');
    expect(leader.textsSince(seen)[0]).toContain('您写的签发理由已保留');
    clock.advance(61 * 60_000);
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('请回复签发理由');
    expect(leader.lastText()).not.toContain('您之前写的理由');
    expect(await signed()).toHaveLength(before + 1);
    await leader.send('两户资料正在补充,先行签发');
    expect(leader.lastText()).toMatch(/^✅ 已签发/);
  });

  it('a tap on the report reminder is not a signature: reminders and the escalation go on', async () => {
    await seedPerson(sys.store, { id: 9_600_011, roles: ['leader'], groupId: 'g2' });
    const g2 = sys.user(9_600_011, '韩');
    await g2.send('/start');
    clock.set(deadlineInstant(sys.campaign, '2017-11-03T08:30'));
    const deps = {
      store: sys.store,
      messenger: telegramMessenger(sys.bot.telegram),
      clock,
      sleep: async () => {},
    };
    await sendDueReminders(deps, sys.campaign);
    const reminder = g2.messages().find((m) => m.text.startsWith('【提醒】报送检查报告'));
    expect(reminder?.text).toContain('带队领导在机器人中“签发”后,此提醒自动停止');
    const button = reminder!.buttons.flat()[0]!;
    expect(button.text).toBe('👌 收到,正在办理');
    await g2.pressData(button.callback_data ?? '', reminder);
    expect(g2.lastText()).toContain('好的,已收到');
    clock.set(deadlineInstant(sys.campaign, '2017-11-04T08:30'));
    await sendDueReminders(deps, sys.campaign);
    expect(g2.messages().filter((m) => m.text.startsWith('【提醒】报送检查报告'))).toHaveLength(2);
    clock.set(deadlineInstant(sys.campaign, '2017-11-05T00:00'));
    await sendDueReminders(deps, sys.campaign);
    const escalation = office.messages().find((m) => m.text.startsWith('【逾期未完成】报送检查报告'));
    expect(escalation?.text).toContain('· 第二组:检查报告未签字报送');
    expect(escalation?.text).not.toContain('第三组');
  });
});

describe.each(ENGINES)('the office corrects its own figures, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let office: ChatUser;
  const ID = 9_700_001;
  const OTHER = 9_700_002;

  /** Answer whatever the form asks: the first choice, or 1, confirming soft checks. */
  async function fillUntilReview(user: ChatUser) {
    for (let step = 0; step < 80; step++) {
      const m = user.lastMessage();
      if (m.text.includes('📋 回顾')) return;
      if (m.text.includes('请直接回复理由')) await user.send('按县统计报表填报');
      else if (m.text.includes('⚠️')) await user.press('✅ 确认无误');
      else {
        const choice = m.buttons.flat().find((b) => !/上一题|暂停|保持|取消/.test(b.text));
        if (choice) await user.pressData(choice.callback_data ?? '', m);
        else await user.send('1');
      }
    }
    throw new Error(`the figures did not reach the review:\n${user.lastText()}`);
  }

  beforeAll(async () => {
    engine = await startEngine(engineName, 'figures');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: ID, roles: ['office'] });
    await seedPerson(sys.store, { id: OTHER, roles: ['office'], name: '陈' });
    office = sys.user(ID, '潘');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('two office users filling the figures for the first time: the one whose draft is older submits nothing', async () => {
    const id = surveyIdFor(sys.campaign.id, { kind: 'office' });
    const colleague = sys.user(OTHER, '陈');
    await colleague.send('/start');
    // 潘 starts; 陈 starts too, answers and pauses (the answers go into the figures, unsubmitted).
    await office.send('/figures');
    await office.press('非摘帽县');
    await colleague.send('/figures');
    await colleague.press('已摘帽县');
    await colleague.press('⏸ 暂停');
    // 潘 finishes from a draft older than 陈's pause: nothing is submitted.
    await fillUntilReview(office);
    await office.press('✅ 提交');
    expect(office.lastText()).toContain('已由 陈 于');
    expect(office.lastText()).toContain('修改(尚未提交)');
    // 陈 answered only the first figure: 潘's others are listed against nothing filled in yet.
    expect(office.lastText()).toContain(':您填 非摘帽县,现为 已摘帽县');
    expect(office.lastText()).toContain(',现为 未填');
    expect((await sys.store.getSurvey(id))?.status).not.toBe('submitted');
    expect((await sys.store.getPerson(String(ID)))?.session.draft).toBeUndefined();
  });

  it('reopens submitted figures, keeps them in force while editing, and records old → new', async () => {
    await office.send('/figures');
    await fillUntilReview(office);
    await office.press('✅ 提交');
    const id = surveyIdFor(sys.campaign.id, { kind: 'office' });
    const submitted = await sys.store.getSurvey(id);
    expect(submitted?.status).toBe('submitted');

    // Before: "请组长退回" — the office has no 组长. Now /figures offers a correction.
    await office.send('/figures');
    expect(office.lastText()).toMatch(/^🧾 县级数据已于 .* 提交/);
    await office.press('✏️ 修改县级数据');
    expect(office.lastText()).toContain('📋 回顾');
    await office.press('✏️ 修改');
    await office.press('四、脱贫摘帽对象巩固提升情况');
    await office.press(/^全县"回头看"/);
    await office.send('7');
    // Paused half-way: the submitted figures are still the ones in force.
    await office.press('⏸ 暂停');
    expect((await sys.store.getSurvey(id))?.answers.o_lookback_failed).toBe(
      submitted?.answers.o_lookback_failed,
    );
    await office.send('/figures');
    expect(office.lastText()).toContain('有一份尚未提交的修改');
    await office.press('✏️ 修改县级数据');
    await fillUntilReview(office);
    await office.press('✅ 提交');
    const corrected = await sys.store.getSurvey(id);
    expect(corrected?.answers.o_lookback_failed).toBe(7);
    expect(corrected?.resubmittedAt).toBeDefined();
    expect(corrected?.pendingEdit).toBeUndefined();
    const change = corrected?.history.filter((e) => e.questionId === 'o_lookback_failed').at(-1);
    expect(change).toMatchObject({ old: submitted?.answers.o_lookback_failed, new: 7, by: String(ID) });
    const audit = await sys.store.auditOf(`survey:${id}`);
    expect(audit.map((e) => e.action)).toContain('survey.resubmit');
  });

  /** From /figures to the 回头看 question of the submitted figures, typed anew. */
  async function correctLookback(user: ChatUser, value: string) {
    await user.send('/figures');
    await user.press('✏️ 修改县级数据');
    await user.press('✏️ 修改');
    await user.press('四、脱贫摘帽对象巩固提升情况');
    await user.press(/^全县"回头看"/);
    await user.send(value);
  }

  it("two office users correct at once: the later 提交 is refused and listed, the first one's figures and history stand", async () => {
    const id = surveyIdFor(sys.campaign.id, { kind: 'office' });
    const colleague = sys.user(OTHER, '陈');
    await colleague.send('/start');
    const before = await sys.store.getSurvey(id);
    const historyBefore = before?.history.length ?? 0;

    // 潘 opens a correction and gets to the review; 陈 opens one, changes the same figure and submits.
    await correctLookback(office, '9');
    await fillUntilReview(office);
    await correctLookback(colleague, '11');
    await fillUntilReview(colleague);
    await colleague.press('✅ 提交');
    expect(colleague.lastText()).toContain('如需更正,发送 /figures');
    expect((await sys.store.getSurvey(id))?.answers.o_lookback_failed).toBe(11);

    // 潘's 提交, on a review of the figures before 陈's: nothing is written, and 潘 is told why and what.
    await office.press('✅ 提交');
    const refusal = office.lastText();
    expect(refusal).toContain('已由 陈 于');
    expect(refusal).toContain('您的修改没有提交');
    expect(refusal).toMatch(/「1 全县"回头看".*」:您填 9户,现为 11户/);
    expect(office.buttonTexts()).toContain('✏️ 修改县级数据');
    const after = await sys.store.getSurvey(id);
    expect(after?.answers.o_lookback_failed).toBe(11);
    expect(after?.resubmittedBy).toBe(String(OTHER));
    const changes = after?.history.slice(historyBefore) ?? [];
    expect(changes.filter((e) => e.questionId === 'o_lookback_failed')).toEqual([
      expect.objectContaining({ by: String(OTHER), old: 7, new: 11 }),
    ]);
    expect(changes.some((e) => e.by === String(ID))).toBe(false);
    // The draft is closed: the next correction starts from 陈's figures.
    expect((await sys.store.getPerson(String(ID)))?.session.draft).toBeUndefined();
    await office.press('✏️ 修改县级数据');
    expect(office.lastText()).toContain('📋 回顾');
    expect(office.lastText()).toContain('11户');
  });

  it('a correction paused while another is submitted is kept for its author, and refused with its changes when submitted', async () => {
    const id = surveyIdFor(sys.campaign.id, { kind: 'office' });
    const colleague = sys.user(9_700_002, '陈');
    await office.press('⏸ 暂停');
    await correctLookback(office, '12');
    await office.press('⏸ 暂停');
    expect((await sys.store.getSurvey(id))?.pendingEdits?.[String(ID)]).toBeDefined();

    await correctLookback(colleague, '13');
    await fillUntilReview(colleague);
    await colleague.press('✅ 提交');
    const submitted = await sys.store.getSurvey(id);
    expect(submitted?.answers.o_lookback_failed).toBe(13);
    // 陈's submit does not drop 潘's paused work.
    expect(submitted?.pendingEdits?.[String(ID)]?.answers.o_lookback_failed).toBe(12);

    await office.send('/figures');
    expect(office.lastText()).toContain('您有一份尚未提交的修改');
    await office.press('✏️ 修改县级数据');
    await fillUntilReview(office);
    await office.press('✅ 提交');
    expect(office.lastText()).toMatch(/:您填 12户,现为 13户/);
    const after = await sys.store.getSurvey(id);
    expect(after?.answers.o_lookback_failed).toBe(13);
    // Listed, so no longer kept: the next /figures offers a correction of the figures in force.
    expect(after?.pendingEdits).toBeUndefined();
  });
});
