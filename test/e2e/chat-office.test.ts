// End to end over HTTP on dynalite: the daily list, problems (typed and proposed after a survey),
// deadline reminders with acknowledgements, 429/403 from Telegram, the office's summaries and the
// leader's report sign-off — all through the same webhook handler and fake Bot API.

import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { sendDueReminders } from '../../app/reminders';
import { createBot } from '../../bot/bot';
import { telegramMessenger } from '../../bot/telegram-messenger';
import seed from '../../campaigns/dongxing-2017.json';
import { deadlineInstant } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import { botDeps, botInfoFrom } from '../../functions/runtime';
import { createWebhookHandler } from '../../functions/telegram-webhook';
import { DynamoStore } from '../../store/dynamo-store';
import { ChatUser } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { FakeBotApi } from '../support/fake-bot-api';
import { type LocalS3, startS3 } from '../support/s3';
import { answerUntilStop, typicalHousehold } from '../support/survey-driver';

const TOKEN = '7000002:test-token';
const SECRET = 'e2e-office-secret-0123456789';
const campaign = parseCampaign(seed);
/** Local (Asia/Shanghai) wall-clock time of the campaign. */
const local = (at: string) => deadlineInstant(campaign, at);
const clock = new ManualClock(local('2017-10-30T09:00'));
const logLines: string[] = [];
const log =
  (level: string) =>
  (message: string, ...attrs: Record<string, unknown>[]) => {
    logLines.push(JSON.stringify({ level, message, ...Object.assign({}, ...attrs) }));
    if (level === 'error') console.error(logLines.at(-1));
  };
const logger = { info: log('info'), warn: log('warn'), error: log('error') };

let engine: Engine;
let store: DynamoStore;
let api: FakeBotApi;
let s3: LocalS3;
let bot: ReturnType<typeof createBot>;
let office: ChatUser;
let leader: ChatUser;
let inspector: ChatUser;
let contact: ChatUser;
const sleeps: number[] = [];

const LIST = [
  '户号,户主,类别',
  ...['黄明', '李华', '陈强'].map((n, i) => `45068101${i},${n},2015年退出户`),
  ...['刘洋', '张伟', '杨静'].map((n, i) => `45068102${i},${n},2016年脱贫户`),
  ...['赵磊', '周婷', '钱勇', '孙丽'].map((n, i) => `45068103${i},${n},预脱贫户`),
  ...['冯刚', '陈红', '褚亮'].map((n, i) => `45068104${i},${n},未脱贫户`),
  ...['蒋平', '沈洁'].map((n, i) => `45068105${i},${n},一般农户`),
].join('\n');

async function enrol(role: RegExp, scope: RegExp, id: number, name: string): Promise<ChatUser> {
  await office.send('/invite');
  await office.press(role);
  await office.press(scope);
  const code = /start=(\S+)/.exec(office.lastText())?.[1];
  const user = new ChatUser(api, webhook, SECRET, id, name);
  await user.send(`/start ${code}`);
  return user;
}

let webhook: ReturnType<typeof createWebhookHandler>;

function runReminders() {
  return sendDueReminders(
    {
      store,
      messenger: telegramMessenger(bot.telegram),
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
    campaign,
  );
}

beforeAll(async () => {
  engine = await startEngine('dynalite', 'inspection-office');
  s3 = await startS3();
  store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  api = new FakeBotApi();
  await api.start();
  bot = createBot(
    { ...botDeps(store, campaign, clock, logger, s3.files), random: () => 'office-seed' },
    { token: TOKEN, botInfo: botInfoFrom(TOKEN, 'inspection_test_bot'), apiRoot: api.apiRoot },
  );
  webhook = createWebhookHandler({ bot, secret: SECRET, logger });
  const now = clock.now().toISOString();
  await store.putPerson({
    id: '9101',
    grants: [{ role: 'office' }],
    chatId: 9101,
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  office = new ChatUser(api, webhook, SECRET, 9101, '潘');
  leader = await enrol(/组长/, /第二组/, 6001, '韩');
  inspector = await enrol(/检查员/, /第二组/, 6002, '阿明');
  contact = await enrol(/乡镇联络人/, /江平镇/, 6003, '江平联络');
  // 东兴镇's contact joins, then blocks the bot (the fake API answers 403 below).
  await enrol(/乡镇联络人/, /东兴镇/, 6004, '东兴联络');
}, 60_000);

afterAll(async () => {
  await api?.stop();
  // Nothing the bot sent would Telegram have refused.
  expect(api?.refusals ?? []).toEqual([]);
  await s3?.stop();
  await engine?.stop();
});

describe('a campaign day from the office, the group and the town', () => {
  it('the leader sets tomorrow’s village and the town is asked for the list that evening', async () => {
    await leader.send('/tomorrow');
    await leader.press('交东村');
    expect(leader.lastText()).toMatch(
      /^✅ 已设定明日检查村:交东村\(10月31日\)。乡镇联络人将在 10月30日 18:00 收到/,
    );

    clock.set(local('2017-10-30T18:00'));
    await runReminders();
    const request = contact.lastMessage();
    expect(request.text).toContain('交东村');
    expect(request.text).toContain('08:00');
    await contact.press(/上传/);
    expect(contact.lastText()).toBe('请把交东村的农户名单文件(CSV 或 Excel .xlsx)直接发送到这里。');
    await contact.upload('交东村.csv', iconv.encode(LIST, 'gb18030'));
    expect(contact.textsSince(0).some((t) => t.startsWith('✅ 交东村名单已上传:共 15 户'))).toBe(true);

    // The morning reminder is not sent: the list is there.
    const before = contact.messages().length;
    clock.set(local('2017-10-31T07:00'));
    await runReminders();
    expect(contact.messages().length).toBe(before);
  });

  it('a town contact may upload but not draw; the group draws', async () => {
    await contact.pressData('dr:jiaodong');
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await contact.pressData('dc:jiaodong');
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await inspector.send('/villages');
    await inspector.press('交东村 未抽样');
    await inspector.press('🎲 抽取样本');
    // The draw is irreversible: it asks first, naming the list it draws from.
    expect(inspector.lastText()).toContain('将从交东村名单(共 15 户)中按配额随机抽取样本');
    expect(await store.getSample(campaign.id, 'jiaodong')).toBeUndefined();
    await inspector.press('🎲 确定抽取');
    expect(inspector.textsSince(0)).toContain('✅ 已抽取 10 户,样本已锁定。');
  });

  it('a household that cannot be surveyed is replaced from the same stratum, with the reason kept', async () => {
    const before = await store.getSample(campaign.id, 'jiaodong');
    const absent = before!.picks.find((p) => p.stratum === 'planned_2017')!;
    await inspector.press(new RegExp(`${absent.name}$`));
    await inspector.press('🔁 申请替换');
    expect(inspector.lastText()).toBe(`为什么不能调查${absent.name}户?`);
    await inspector.press('其他原因');
    await inspector.send('外出务工,全家不在村');
    expect(inspector.textsSince(0).some((t) => t.startsWith(`🔁 已将 ${absent.name} 替换为`))).toBe(true);
    const after = await store.getSample(campaign.id, 'jiaodong');
    const original = after!.picks.find((p) => p.householdId === absent.householdId)!;
    expect(original).toMatchObject({
      status: 'replaced',
      replacement: { reason: 'other', note: '外出务工,全家不在村' },
    });
    const replacement = after!.picks.find((p) => p.householdId === original.replacedBy);
    expect(replacement?.stratum).toBe('planned_2017');
    expect(before!.picks.some((p) => p.householdId === replacement?.householdId)).toBe(false);
  });

  it('a non-poor household missing from the list is added on site with a reason', async () => {
    await inspector.send('/villages');
    await inspector.press(/^交东村/);
    await inspector.press('➕ 现场增补');
    await inspector.send('覃大山');
    expect(inspector.lastText()).toBe('请用一句话写明现场选定覃大山户的理由:');
    await inspector.send('住房破旧、无劳动力,未列入名单');
    expect(inspector.textsSince(0)).toContain('➕ 已将 覃大山 作为现场增补的非贫困户加入样本,可以开始调查。');
    const sample = await store.getSample(campaign.id, 'jiaodong');
    expect(sample?.picks.at(-1)).toMatchObject({
      name: '覃大山',
      stratum: 'non_poor',
      onSite: { reason: '住房破旧、无劳动力,未列入名单', by: '6002' },
    });
    expect(inspector.buttonTexts()).toContain('⬜ 覃大山');
  });

  it('a prompt for typed text can be left with 取消, and the next text is not taken for it', async () => {
    await inspector.press('➕ 现场增补');
    expect(inspector.buttonTexts()).toEqual(['✖️ 取消']);
    await inspector.press('✖️ 取消');
    expect(inspector.lastText()).toBe('请选择要做的事:');
    expect((await store.getPerson('6002'))?.session.screen).toBe('home');
    const picks = (await store.getSample(campaign.id, 'jiaodong'))?.picks.length;
    await inspector.send('覃小山');
    expect(inspector.lastText()).toBe('没听懂。请点按钮操作,或发送 /help 查看说明。');
    expect((await store.getSample(campaign.id, 'jiaodong'))?.picks.length).toBe(picks);
  });

  it('a non-poor household judged 漏评 proposes problems that the inspector confirms, each once', async () => {
    const sample = await store.getSample(campaign.id, 'jiaodong');
    const pick = sample!.picks.find((p) => p.stratum === 'non_poor')!;
    await inspector.press(new RegExp(`${pick.name}$`));
    await inspector.press('▶️ 开始调查');
    await answerUntilStop(inspector, {
      ...typicalHousehold,
      h1_name: pick.name,
      h1_type: '非贫困户',
      h2_income: '2900',
      h4_unlisted_hardship: '是',
      h4_unlisted_names: '覃二、覃三',
      h4_unlisted_verified: '是',
      h5_missed: '是',
    });
    expect(inspector.lastText()).toContain('· 判断为疑似漏评');
    const before = inspector.messages().length;
    await inspector.press('✅ 提交');
    const proposals = inspector
      .messages()
      .slice(before)
      .filter((m) => m.text.startsWith('根据调查结果'));
    // One proposal per reported name (DOMAIN.md §9): each is one suspect in 表4 and one row in 表3.
    expect(proposals.map((m) => m.text)).toEqual([
      `根据调查结果,建议记录问题:\n【一、精准识别(漏评方面)】交东村${pick.name}户经入户核查疑似漏评。`,
      '根据调查结果,建议记录问题:\n【一、精准识别(漏评方面)】交东村群众反映覃二户生活困难但未纳入贫困户,经现场核查疑似漏评。',
      '根据调查结果,建议记录问题:\n【一、精准识别(漏评方面)】交东村群众反映覃三户生活困难但未纳入贫困户,经现场核查疑似漏评。',
    ]);
    const newestButton = inspector.findButton('✅ 确认记录').button.callback_data!;
    await inspector.press('✅ 确认记录'); // the newest: 覃三
    expect(inspector.lastText()).toBe(
      '✅ 问题已记录:一、精准识别(漏评方面)。整改期限内乡镇会收到提醒。\n如有现场照片,现在可以直接发送(最多 10 张),会附在这个问题上。',
    );
    await inspector.press('✅ 确认记录'); // its keyboard is gone: this is 覃二's
    await inspector.press('✅ 确认记录'); // and the household's
    await inspector.pressData(newestButton, proposals[2]); // 覃三's pressed again from another device
    expect(inspector.lastText()).toBe('该问题此前已记录(一、精准识别(漏评方面)),没有重复记录。');
    const problems = await store.problemsOfTown(campaign.id, 'jiangping');
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.description).sort()).toEqual(
      proposals.map((m) => m.text.split('】')[1]).sort(),
    );
    expect(problems.find((p) => p.householdId !== undefined)).toMatchObject({
      category: 'identification_missed',
      villageId: 'jiaodong',
      householdId: pick.householdId,
      status: 'open',
      reporterId: '6002',
      deadline: local('2017-11-09T23:59').toISOString(),
    });
    expect(problems.every((p) => /^hh-[\w-]{20}$/.test(p.sourceSurveyId ?? ''))).toBe(true);
  });

  it('a typed problem must be concrete: vague or short descriptions are asked again', async () => {
    await inspector.send('/problem');
    await inspector.press('二、精准帮扶·措施制定');
    await inspector.press('交东村');
    await inspector.press('跳过');
    expect(inspector.lastText()).toContain('见事见人、明确具体');
    await inspector.send('有问题');
    expect(inspector.lastText()).toContain('描述太笼统');
    await inspector.send('手册不全');
    expect(inspector.lastText()).toContain('描述太简短了');
    await inspector.send('交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。');
    expect(inspector.lastText()).toBe(
      '✅ 问题已记录:二、精准帮扶·措施制定。整改期限内乡镇会收到提醒。\n如有现场照片,现在可以直接发送(最多 10 张),会附在这个问题上。',
    );
    expect(await store.problemsOfTown(campaign.id, 'jiangping', 'open')).toHaveLength(4);
  });

  it('an inspector who gives up after a refused description is not logged a problem by the next message', async () => {
    const before = (await store.problemsOfTown(campaign.id, 'jiangping')).length;
    await inspector.send('/problem');
    await inspector.press('二、精准帮扶·措施制定');
    await inspector.press('交东村');
    await inspector.press('跳过');
    await inspector.send('不规范');
    expect(inspector.lastText()).toContain('请重新输入问题描述;不记录了请点「取消」');
    await inspector.press('✖️ 取消');
    await inspector.send('交东村村部今天下午开会讨论了明年的产业奖补安排。');
    expect(inspector.lastText()).not.toContain('问题已记录');
    expect(await store.problemsOfTown(campaign.id, 'jiangping')).toHaveLength(before);
  });

  it('a description refused because the grant went meanwhile ends the prompt: the next text is not a problem', async () => {
    const before = (await store.problemsOfTown(campaign.id, 'jiangping')).length;
    await inspector.send('/problem');
    await inspector.press('二、精准帮扶·措施制定');
    await inspector.press('交东村');
    await inspector.press('跳过');
    // The office takes the inspector's grant away while they type.
    const person = (await store.getPerson('6002'))!;
    await store.savePerson({ ...person, grants: [] }, person.version);
    await inspector.send('交东村帮扶手册中帮扶措施与致贫原因不对应,2户因学致贫却只安排了产业奖补。');
    expect(inspector.lastText()).not.toContain('问题已记录');
    const revoked = (await store.getPerson('6002'))!;
    expect(revoked.session.screen).toBe('home');
    await store.savePerson({ ...revoked, grants: person.grants }, revoked.version);
    await inspector.send('交东村帮扶手册中帮扶措施与致贫原因不对应,2户因学致贫却只安排了产业奖补。');
    expect(inspector.lastText()).not.toContain('问题已记录');
    expect(await store.problemsOfTown(campaign.id, 'jiangping')).toHaveLength(before);
  });

  it('the office logs a problem in another town', async () => {
    await office.send('/problem');
    await office.press('四、其他方面(资料、档案、内生动力等)');
    await office.press('东兴镇');
    await office.press('跳过');
    await office.send('东兴镇扶贫档案未按户建档,大田村部分户的帮扶记录缺失。');
    expect(office.lastText()).toContain('✅ 问题已记录');
    expect(await store.problemsOfTown(campaign.id, 'dongxing')).toHaveLength(1);
  });

  it('rectification reminders list the town’s open problems, wait out a 429, and a tap does not stop them', async () => {
    api.failures.push({
      method: 'sendMessage',
      chatId: 6003,
      errorCode: 429,
      description: 'Too Many Requests',
      retryAfter: 2,
    });
    api.failures.push({
      method: 'sendMessage',
      chatId: 6004,
      errorCode: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    clock.set(local('2017-11-06T08:30'));
    const before = contact.messages().length;
    await runReminders();
    const received = contact.messages().slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]?.text).toContain('覃二户');
    expect(received[0]?.text).toContain('覃三户');
    expect(received[0]?.text).toContain('11月9日 23:59');
    expect(sleeps.some((ms) => ms >= 2000)).toBe(true);

    // 东兴镇's contact blocked the bot: marked unreachable, the office told once.
    expect((await store.getPerson('6004'))?.unreachable).toBe(true);
    const notices = office.textsSince(0).filter((t) => t.startsWith('【无法送达】'));
    expect(notices).toEqual([expect.stringContaining('东兴联络(东兴镇 镇联络人)')]);

    // The problems are what is open: "收到" is noted, and the reminders go on until they are rectified.
    await contact.press(/收到,正在办理/);
    expect(contact.lastText()).toContain('好的,已收到。每个问题在机器人中报告整改完成后');
    const afterAck = contact.messages().length;
    clock.set(local('2017-11-08T08:30'));
    await runReminders();
    expect(contact.messages().length).toBe(afterAck + 1);
    expect(contact.lastText()).toMatch(/尚有 \d+ 个问题未整改/);
  });

  it('the office builds the city summary and receives the spreadsheets', async () => {
    await office.send('/summary');
    await office.press('全市');
    const docs = office.messages().filter((m) => m.document);
    expect(docs.map((d) => d.document?.fileName)).toEqual([
      expect.stringMatching(/全市-汇总表-2017-11-08\.xlsx$/),
      expect.stringMatching(/全市-原始数据-2017-11-08\.xlsx$/),
    ]);
    for (const d of docs) expect(Buffer.from(d.document!.bytes).subarray(0, 2).toString()).toBe('PK');
    const [ready, table5] = office.textsSince(office.messages().length - 2);
    expect(ready).toBe('📊 全市汇总表已生成。');
    expect(table5).toMatch(/^表5 整改情况\(截至 11月8日 \d\d:\d\d\)\n/);
    expect(await store.latestSnapshot(campaign.id, 'city')).toBeDefined();
  });

  it('the leader gets the report package, signs it off, and the office sees who has', async () => {
    await leader.send('/report');
    const texts = leader.textsSince(0).join('\n');
    expect(texts).toContain('📄 江平镇检查情况');
    expect(leader.messages().filter((m) => m.document)).toHaveLength(2);
    // Signed with work missing: the leader is shown what is missing and asked why.
    expect(leader.lastText()).toContain('完成情况(已提交/抽样户数)');
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toContain('确定现在签发吗?请回复签发理由');
    await leader.send('其余农户因外出务工未能入户');
    expect(leader.lastText()).toMatch(/^✅ 已签发\(11月8日 \d\d:\d\d\),签发时尚有 \d+ 项未完成/);
    await office.send('/signoffs');
    expect(office.lastText()).toContain('✅ 第二组(江平镇):已签发');
    expect(office.lastText()).toContain('⏳ 第一组(东兴镇):未签发');
  });

  it('明日检查村 sets the day its menu asked about: tapped after midnight, that day (now today); a day past, nothing', async () => {
    clock.set(local('2017-11-08T23:50'));
    await leader.send('/tomorrow');
    const menu = leader.lastMessage();
    expect(menu.text).toContain('11月9日');
    const dataOf = (name: string) => menu.buttons.flat().find((b) => b.text === name)?.callback_data ?? '';
    const [jiaodong, banai] = [dataOf('交东村'), dataOf('班埃村')];

    clock.set(local('2017-11-09T00:10'));
    await leader.pressData(jiaodong, menu);
    expect(leader.lastText()).toMatch(/^✅ 已设定今日检查村:交东村\(11月9日\)。乡镇联络人将很快收到/);
    const set = await store.auditOf(`daily_list:${campaign.id}/2017-11-09`);
    expect(set.map((e) => e.details?.villageId)).toEqual(['jiaodong']);
    expect(await store.auditOf(`daily_list:${campaign.id}/2017-11-10`)).toEqual([]);

    // The same menu a day later: 11月9日 has passed, and nothing is set for the 10th either.
    clock.set(local('2017-11-10T09:00'));
    await leader.pressData(banai, menu);
    expect(leader.lastText()).toBe(
      '这个菜单是为 11月9日 选村的,这一天已经过去,没有设定。请重新选择明天要去的村。',
    );
    await leader.press('📅 重新选择');
    expect(leader.lastText()).toContain('明天(11月11日)');
    expect(await store.auditOf(`daily_list:${campaign.id}/2017-11-09`)).toHaveLength(1);
    expect(await store.auditOf(`daily_list:${campaign.id}/2017-11-11`)).toEqual([]);
  });

  it('logs carry ids, never names or answers', () => {
    const all = logLines.join('\n');
    for (const secret of ['黄明', '蒋平', '沈洁', '2900', '交东村帮扶手册', '韩', '阿明']) {
      expect(all).not.toContain(secret);
    }
    expect(logLines.length).toBeGreaterThan(20);
  });
});
