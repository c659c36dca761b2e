// 表5 comes alive (issue 17, DOMAIN.md §9 lifecycle): a problem found in a submitted survey and two
// typed ones go through the town's reports and the group's check in the chat — open → rectifying
// → rectified → verified, rectified → rejected back to open (the town told), and onto the written
// list (needs_longer) — while the reminders name what the town still owes, problem by problem,
// and the escalation names what is open and what is on the list. 表5 follows every step. Through
// the webhook on both DynamoDB engines, with a manual clock inside the campaign.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { sendDueReminders } from '../../app/reminders';
import { buildSummaries } from '../../app/summaries';
import { telegramMessenger } from '../../bot/telegram-messenger';
import { deadlineInstant } from '../../domain/campaign';
import type { Person, Problem } from '../../domain/model';
import { summaryJson } from '../../reports/json';
import type { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { freshPhoto } from '../support/evidence';
import { answerUntilStop, typicalHousehold } from '../support/survey-driver';
import { campaign, type System, seedPerson, seedSample, startSystem } from '../support/system';

const local = (at: string) => deadlineInstant(campaign, at);

describe.each(ENGINES)('rectification and its check, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  const clock = new ManualClock(local('2017-11-02T09:00'));
  let inspector: ChatUser;
  let leader: ChatUser;
  let contact: ChatUser;
  let otherContact: ChatUser;
  let otherLeader: ChatUser;
  let office: ChatUser;
  /** The problems by what they are about: the 错退 household, the manual, the archive. */
  const ids = { wrongful: '', manual: '', archive: '' };

  const problem = async (id: string) => (await sys.store.getProblem(id)) as Problem;
  const toast = () => sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text;
  const table5 = async () => {
    const office = (await sys.store.getPerson('9700006')) as Person;
    const models = await buildSummaries({ store: sys.store, clock }, office, campaign, 'jiangping');
    return summaryJson(models).towns.find((t) => t.townId === 'jiangping')!.table5;
  };
  const rowOf = async (id: string) => (await table5()).towns[0]!.rows.find((r) => r.problemId === id)!;
  const runReminders = () =>
    sendDueReminders(
      { store: sys.store, messenger: telegramMessenger(sys.bot.telegram), clock, sleep: async () => {} },
      campaign,
    );

  beforeAll(async () => {
    engine = await startEngine(engineName, 'rectify');
    sys = await startSystem({ engine, clock });
    await seedPerson(sys.store, { id: 9_700_001, roles: ['inspector'], groupId: 'g2', name: '阿明' });
    await seedPerson(sys.store, { id: 9_700_002, roles: ['leader'], groupId: 'g2', name: '韦组长' });
    await seedPerson(sys.store, {
      id: 9_700_003,
      roles: ['town_contact'],
      townId: 'jiangping',
      name: '江平联络',
    });
    await seedPerson(sys.store, {
      id: 9_700_004,
      roles: ['town_contact'],
      townId: 'dongxing',
      name: '东兴联络',
    });
    await seedPerson(sys.store, { id: 9_700_005, roles: ['leader'], groupId: 'g1', name: '一组组长' });
    await seedPerson(sys.store, { id: 9_700_006, roles: ['office'], name: '潘主任' });
    await seedSample(sys.store, 'jiaodong', [{ householdId: 'R1', name: '黄秀英', stratum: 'exited_2016' }]);
    inspector = sys.user(9_700_001, '阿明');
    leader = sys.user(9_700_002, '韦组长');
    contact = sys.user(9_700_003, '江平联络');
    otherContact = sys.user(9_700_004, '东兴联络');
    otherLeader = sys.user(9_700_005, '一组组长');
    office = sys.user(9_700_006, '潘主任');
    for (const u of [inspector, leader, contact, otherContact, otherLeader, office]) await u.send('/start');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('a survey judged 错退 and two typed problems are on the town’s list, by village and status', async () => {
    await inspector.pressData('hs:jiaodong:0');
    await answerUntilStop(inspector, {
      h1_name: '黄秀英',
      h1_type: '2016年脱贫户',
      ...typicalHousehold,
      h5_meets_standard: '否',
      h5_failure_kind: '错退',
    });
    for (let i = 0; i < 5 && !inspector.lastText().includes('📋 回顾'); i++) {
      if (inspector.lastText().includes('请用一句话写明理由')) await inspector.send('家庭收入测算不实');
      else await inspector.press('✅ 确认无误');
    }
    await inspector.press('✅ 提交');
    await inspector.press('✅ 确认记录');
    const fromSurvey = (await sys.store.problemsOfTown(campaign.id, 'jiangping')).find(
      (p) => p.suspect === 'wrongful_exit',
    );
    expect(fromSurvey?.status).toBe('open');
    ids.wrongful = fromSurvey!.id;

    for (const [category, village, text] of [
      [
        '二、精准帮扶·措施制定',
        '交东村',
        '交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。',
      ],
      [/^四、其他方面/, '山心村', '山心村贫困户档案资料不齐全,12户缺少收入核算表。'],
    ] as const) {
      await inspector.send('/problem');
      await inspector.press(category);
      await inspector.press(village);
      if (inspector.buttonTexts().includes('跳过')) await inspector.press('跳过');
      await inspector.send(text);
    }
    const typed = await sys.store.problemsOfTown(campaign.id, 'jiangping');
    ids.manual = typed.find((p) => p.description.startsWith('交东村帮扶手册'))!.id;
    ids.archive = typed.find((p) => p.description.startsWith('山心村'))!.id;

    await contact.send('/problems');
    expect(contact.lastText()).toMatch(/^江平镇问题清单:共 3 个\(未整改 3\)\n按村:交东村 2 · 山心村 1/);
    expect(contact.buttonTexts()).toHaveLength(4); // three problems and 我记录的问题
  });

  it('the town reports measures and 责任人, refusals keep the prompt, and the card shows them', async () => {
    await contact.pressData(`po:${ids.wrongful}:t.jiangping`);
    expect(contact.buttonTexts()).toEqual([
      '📝 填报整改措施',
      '✅ 已整改',
      '📅 需延期',
      '📷 补充照片',
      '⬅️ 返回列表',
    ]);
    await contact.press('📝 填报整改措施');
    await contact.send('改');
    expect(contact.lastText()).toBe('内容太短了,请至少写 4 个字。');
    await contact.send('重新核算家庭收入,11月8日前恢复贫困户身份并落实帮扶措施');
    expect(contact.lastText()).toContain('请填写整改责任人');
    await contact.send('江平镇扶贫站 黄明');
    const card = contact.lastText();
    expect(card).toContain('状态:整改中');
    expect(card).toContain('整改措施:重新核算家庭收入,11月8日前恢复贫困户身份并落实帮扶措施');
    expect(card).toContain('责任人:江平镇扶贫站 黄明');
    expect(card).toContain('✅ 已填报整改措施');
    const p = await problem(ids.wrongful);
    expect(p.status).toBe('rectifying');
    expect(p.events?.map((e) => [e.action, e.from, e.to, e.by])).toEqual([
      ['measures', 'open', 'rectifying', '9700003'],
    ]);
    expect(p.townActedAt).toBeDefined();
    // 表5 says the same.
    expect(await rowOf(ids.wrongful)).toMatchObject({
      measures: '重新核算家庭收入,11月8日前恢复贫困户身份并落实帮扶措施',
      responsible: '江平镇扶贫站 黄明',
      deadline: '2017-11-09',
      status: 'rectifying',
      statusLabel: '整改中',
      checkResult: '整改中,未到抽查',
    });
  });

  it('another town’s contact, an inspector and the other group’s leader cannot act on it', async () => {
    for (const [user, data] of [
      [otherContact, `zr:${ids.manual}`],
      [inspector, `zm:${ids.manual}`],
      [otherLeader, `zv:${ids.wrongful}`],
      [inspector, `zv:${ids.wrongful}`],
    ] as const) {
      await user.pressData(data);
      expect(toast()).toBe('您没有权限进行此操作。');
    }
    expect((await problem(ids.manual)).status).toBe('open');
  });

  it('rectified with a note and a photo; the leader is told and checks it: 已整改到位', async () => {
    await contact.pressData(`po:${ids.wrongful}:t.jiangping`);
    await contact.press('✅ 已整改');
    await contact.send('已恢复贫困户身份,11月7日落实产业帮扶,见照片');
    expect(contact.lastText()).toContain('✅ 已报告整改完成,等待检查组抽查。');
    await contact.sendPhoto(freshPhoto(), { caption: '整改后的帮扶手册' });
    expect(contact.lastText()).toBe('📷 已附到问题上(共 1 张)。');
    expect((await problem(ids.wrongful)).photos).toHaveLength(1);
    // The leader hears of it, with a button to the problem.
    const notice = leader.lastMessage();
    expect(notice.text).toMatch(/^【待抽查】江平镇报告已整改/);
    await leader.press('查看并处理');
    expect(leader.buttonTexts()).toContain('👍 已整改到位');
    expect(leader.lastText()).toContain('照片:1 张');
    expect(await rowOf(ids.wrongful)).toMatchObject({
      status: 'rectified',
      statusLabel: '已整改',
      checkResult: '待抽查',
    });

    // The same tap twice (a retry and a second tap): checked once, then said to be done already.
    await leader.press('👍 已整改到位');
    await leader.replay();
    expect(leader.lastText()).toContain('✅ 抽查结果:已整改到位。');
    await leader.pressData(`zv:${ids.wrongful}:t.jiangping`);
    expect(toast()).toBe('这个问题现在是“整改到位”,不能进行这项操作。');
    const p = await problem(ids.wrongful);
    expect(p.status).toBe('verified');
    expect(p.events?.map((e) => e.action)).toEqual(['measures', 'rectified', 'verified']);
    expect(await rowOf(ids.wrongful)).toMatchObject({ statusLabel: '整改到位', checkResult: '已整改到位' });
    // The card's history names who did what.
    await leader.press('📜 处理记录');
    const history = leader.lastText();
    expect(history).toMatch(/江平联络:填报整改措施\(重新核算家庭收入/);
    expect(history).toMatch(/韦组长:抽查:已整改到位/);
  });

  it('rejected: 未整改到位 with a reason reopens it and tells the town', async () => {
    await contact.pressData(`po:${ids.manual}:t.jiangping`);
    await contact.press('✅ 已整改');
    await contact.send('已重新制定帮扶措施');
    await leader.pressData(`po:${ids.manual}:t.jiangping`);
    await leader.press('👎 未整改到位');
    await leader.send('3户的帮扶手册仍未更新');
    expect(leader.lastText()).toContain('已记录:未整改到位。');
    expect(contact.lastText()).toBe(
      '【未整改到位】检查组抽查认为以下问题未整改到位,请重新整改:\n江平镇交东村:交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。\n原因:3户的帮扶手册仍未更新',
    );
    expect((await problem(ids.manual)).status).toBe('open');
    expect(await rowOf(ids.manual)).toMatchObject({
      status: 'open',
      statusLabel: '未整改',
      checkResult: '未整改到位:3户的帮扶手册仍未更新',
    });
  });

  it('needs_longer: a real date after today and a reason put it on the written list', async () => {
    await contact.pressData(`po:${ids.archive}:t.jiangping`);
    await contact.press('📅 需延期');
    for (const [date, reply] of [
      ['下个月', '没看懂这个日期,请写成“12月15日”或“2017-12-15”。'],
      ['2017-10-01', '计划完成日期须晚于今天。'],
      ['2031-01-01', '计划完成日期太远了(最多两年以内)。'],
      ['2月30日', '没看懂这个日期,请写成“12月15日”或“2017-12-15”。'],
    ] as const) {
      await contact.send(date);
      expect(contact.lastText()).toBe(reply);
    }
    await contact.send('12月15日');
    expect(contact.lastText()).toContain('请说明需要较长时间整改的原因');
    await contact.send('档案需逐户补齐,工作量大');
    expect(contact.lastText()).toContain('✅ 已列入需较长时间整改的清单,计划 12月15日 前完成。');
    expect(await rowOf(ids.archive)).toMatchObject({
      status: 'needs_longer',
      deadline: '2017-12-15',
      checkResult: '已列入书面清单,计划2017-12-15前完成',
    });
    expect((await table5()).delays).toEqual([
      expect.objectContaining({
        problemId: ids.archive,
        townName: '江平镇',
        reason: '档案需逐户补齐,工作量大',
        plannedDate: '2017-12-15',
      }),
    ]);
  });

  it('the office’s /summary says in the chat where each problem stands, and the written list', async () => {
    await office.send('/summary');
    await office.press('全市');
    const text = office.lastText();
    expect(text).toMatch(/^表5 整改情况\(截至 11月2日 09:00\)/);
    expect(text).toContain('江平镇:共 3 个(整改到位 1 · 需较长时间整改 1 · 未整改 1)');
    expect(text).toMatch(
      /\d\. 交东村:交东村帮扶手册中帮扶措施与致贫原因不对应.*【未整改;未整改到位:3户的帮扶手册仍未更新】/,
    );
    expect(text).toContain(
      '需较长时间整改的问题清单:\n  1. 江平镇山心村:山心村贫困户档案资料不齐全,12户缺少收入核算表。(计划 12月15日 前完成;档案需逐户补齐,工作量大)',
    );
    expect(text).toContain('其余 2 个镇暂无问题(东兴镇、马路镇)。');
    expect(text).not.toContain('黄秀英');
  });

  it('the reminder names only what the town still owes, each with its own button; the escalation adds the written list', async () => {
    clock.set(local('2017-11-08T08:30'));
    const before = contact.messages().length;
    await runReminders();
    const reminder = contact
      .messages()
      .slice(before)
      .find((m) => m.text.startsWith('【提醒】问题整改'))!;
    expect(reminder.text).toContain('尚有 1 个问题未整改');
    expect(reminder.text).toContain('交东村帮扶手册');
    expect(reminder.text).not.toContain('山心村');
    expect(reminder.text).not.toContain('黄秀英');
    expect(reminder.buttons.map((row) => row.map((b) => b.callback_data))).toEqual([
      [`po:${ids.manual}:t.jiangping`],
      [expect.stringMatching(/^ack:/)],
    ]);
    // Its button opens the problem, ready for the town to act.
    await contact.press(/^1\. 交东村/);
    expect(contact.buttonTexts()).toContain('📝 填报整改措施');

    clock.set(local('2017-11-10T09:00'));
    const seen = office.messages().length;
    await runReminders();
    const escalation = office
      .messages()
      .slice(seen)
      .find((m) => m.text.startsWith('【逾期未完成】问题整改'))!;
    expect(escalation.text).toContain('· 江平镇:1 个问题未整改');
    expect(escalation.text).toContain('交东村帮扶手册');
    expect(escalation.text).toContain('· 江平镇:1 个问题已列入延期清单');
    expect(escalation.text).toContain(
      '山心村贫困户档案资料不齐全,12户缺少收入核算表。(计划 12月15日 前完成)',
    );
    expect(escalation.text).not.toContain('黄秀英');
  });

  it('once every problem is rectified or on the list, the reminders stop', async () => {
    clock.set(local('2017-11-09T07:00'));
    await contact.pressData(`po:${ids.manual}:t.jiangping`);
    await contact.press('✅ 已整改');
    await contact.send('3户帮扶手册已按因病致贫更新帮扶措施');
    clock.set(local('2017-11-09T08:30'));
    const before = contact.messages().length;
    await runReminders();
    expect(
      contact
        .messages()
        .slice(before)
        .filter((m) => m.text.startsWith('【提醒】问题整改')),
    ).toEqual([]);
  });

  it('a check decides on what the checker saw: a card opened before the problem changed checks nothing', async () => {
    // The leader opens the card while the town's report is "3户帮扶手册已按因病致贫更新…".
    await leader.pressData(`po:${ids.manual}:t.jiangping`);
    const seen = leader.lastMessage();
    expect(seen.text).toContain('3户帮扶手册已按因病致贫更新帮扶措施');
    // Meanwhile the office rejects it, and the town reports it rectified again, differently.
    await office.pressData(`po:${ids.manual}:t.jiangping`);
    await office.press('👎 未整改到位');
    await office.send('抽查发现1户手册仍未更新');
    await contact.pressData(`po:${ids.manual}:t.jiangping`);
    await contact.press('✅ 已整改');
    await contact.send('最后1户手册已于11月9日更新');
    const before = await problem(ids.manual);

    // 👍 on the card opened first: nothing is checked; the card is shown as it is now.
    const verify = seen.buttons.flat().find((b) => b.text === '👍 已整改到位')!;
    await leader.pressData(verify.callback_data ?? '', seen);
    expect(leader.lastText()).toContain('这个问题在您打开之后有了新的情况,没有做任何修改。');
    expect(leader.lastText()).toContain('最后1户手册已于11月9日更新');
    const after = await problem(ids.manual);
    expect(after.status).toBe('rectified');
    expect(after.version).toBe(before.version);

    // 👎 from the fresh card opens the prompt; a photo the town adds while the leader types is news
    // too: the reason is not recorded against a problem the leader has not seen.
    await leader.press('👎 未整改到位');
    await contact.sendPhoto(freshPhoto(), { caption: '更新后的手册' });
    await leader.send('手册照片看不清楚');
    expect(leader.lastText()).toContain('这个问题在您打开之后有了新的情况,没有做任何修改。');
    expect(leader.lastText()).toContain('照片:1 张');
    expect((await problem(ids.manual)).status).toBe('rectified');

    // From the card as it is now, the check is taken.
    await leader.press('👍 已整改到位');
    expect(leader.lastText()).toContain('✅ 抽查结果:已整改到位。');
    const checked = await problem(ids.manual);
    expect(checked.status).toBe('verified');
    expect(checked.events?.slice(-3).map((e) => [e.action, e.by])).toEqual([
      ['rejected', '9700006'],
      ['rectified', '9700003'],
      ['verified', '9700002'],
    ]);
  });
});
