// End to end over HTTP: API Gateway events → the webhook handler → telegraf → use cases →
// DynamoDB Local, with the bot talking to a local fake Bot API. One campaign day in 交东村.

import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../app/messaging';
import { surveyIdFor } from '../../app/surveys';
import { createBot } from '../../bot/bot';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { officeForm } from '../../domain/forms/office';
import { villageForm } from '../../domain/forms/village';
import type { Person, Survey } from '../../domain/model';
import { botInfoFrom } from '../../functions/runtime';
import { createWebhookHandler } from '../../functions/telegram-webhook';
import { DynamoStore } from '../../store/dynamo-store';
import { apiGatewayEvent, ChatUser, nextUpdateId } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { freshPhoto, nearVillage, villageIn } from '../support/evidence';
import { FakeBotApi } from '../support/fake-bot-api';
import { type LocalS3, startS3 } from '../support/s3';
import {
  answerUntilStop,
  currentQuestion,
  give,
  typicalHousehold,
  typicalVillageFigures,
} from '../support/survey-driver';

const TOKEN = '7000001:test-token';
const SECRET = 'e2e-webhook-secret-0123456789';
const campaign = parseCampaign(seed);

/** Log lines of the run (the privacy test reads them; failures print them). */
const logLines: string[] = [];
const record =
  (level: string) =>
  (message: string, ...attributes: Record<string, unknown>[]) => {
    const line = JSON.stringify({ level, message, ...Object.assign({}, ...attributes) });
    logLines.push(line);
    if (level === 'error') console.error(line);
  };
const testLogger = { info: record('info'), warn: record('warn'), error: record('error') };

let engine: Engine;
let store: DynamoStore;
let api: FakeBotApi;
let s3: LocalS3;
let webhook: ReturnType<typeof createWebhookHandler>;

const OFFICE_ID = 9001;
let office: ChatUser;
let inspector: ChatUser;
let leader: ChatUser;
let outsider: ChatUser;

/** 20 households of 交东村 as the town writes them, saved by Chinese Excel (GBK). */
const LIST = [
  '户编号,户主姓名,农户类型,人口',
  ...['黄明', '李华', '陈强', '王芳'].map((n, i) => `45068101${i},${n},2014年退出户,4`),
  ...['刘洋', '张伟', '杨静', '吴敏'].map((n, i) => `45068102${i},${n},2016年已脱贫户,3`),
  ...['赵磊', '周婷', '钱勇', '孙丽', '郑军'].map((n, i) => `45068103${i},${n},2017年预脱贫户,5`),
  ...['冯刚', '陈红', '褚亮', '卫东'].map((n, i) => `45068104${i},${n},建档立卡贫困户,2`),
  ...['蒋平', '沈洁', '韩冰'].map((n, i) => `45068105${i},${n},非贫困户,4`),
].join('\r\n');

async function enrol(code: string, id: number, name: string): Promise<ChatUser> {
  const user = new ChatUser(api, webhook, SECRET, id, name);
  await user.send(`/start ${code}`);
  return user;
}

/** Office: /invite → role → group; returns the code from the link. */
async function invite(role: RegExp, group: RegExp): Promise<string> {
  await office.send('/invite');
  await office.press(role);
  await office.press(group);
  const link = /start=(\S+)/.exec(office.lastText());
  expect(link?.[1], office.lastText()).toBeDefined();
  return link![1]!;
}

async function storedPerson(id: number): Promise<Person> {
  const p = await store.getPerson(String(id));
  if (!p) throw new Error(`person ${id} not stored`);
  return p;
}

beforeAll(async () => {
  engine = await startEngine('DynamoDB Local', 'inspection-e2e');
  store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  api = new FakeBotApi();
  await api.start();
  s3 = await startS3();
  const bot = createBot(
    { store, clock: systemClock, campaign, random: () => 'e2e-seed-1', logger: testLogger, files: s3.files },
    { token: TOKEN, botInfo: botInfoFrom(TOKEN, 'inspection_test_bot'), apiRoot: api.apiRoot },
  );
  webhook = createWebhookHandler({ bot, secret: SECRET });
  const now = new Date().toISOString();
  await store.putPerson({
    id: String(OFFICE_ID),
    grants: [{ role: 'office' }],
    chatId: OFFICE_ID,
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  office = new ChatUser(api, webhook, SECRET, OFFICE_ID, '潘');
}, 60_000);

afterAll(async () => {
  await api?.stop();
  // Nothing the bot sent would Telegram have refused.
  expect(api?.refusals ?? []).toEqual([]);
  await s3?.stop();
  await engine?.stop();
});

describe('an inspector completes a household survey in Telegram', () => {
  const INSPECTOR_ID = 5001;
  let survey: Survey | undefined;

  it('joins with a one-time invite from the office and gets the inspector commands', async () => {
    const code = await invite(/检查员/, /第二组/);
    inspector = await enrol(code, INSPECTOR_ID, '阿明');
    const texts = inspector.textsSince(0);
    expect(texts[0]).toBe('欢迎加入!您的身份:检查员(第二组 · 江平镇)。\n发送 /help 查看可以做什么。');
    const commands = api.callsOf('setMyCommands').at(-1)?.params;
    expect(commands?.scope).toEqual({ type: 'chat', chat_id: INSPECTOR_ID });
    expect(((commands?.commands ?? []) as { command: string }[]).map((c) => c.command)).toEqual([
      'villages',
      'resume',
      'problem',
      'problems',
      'help',
    ]);
    expect((await storedPerson(INSPECTOR_ID)).grants).toMatchObject([{ role: 'inspector', groupId: 'g2' }]);
  });

  it('a used invite cannot be used by someone else', async () => {
    const code = /start=(\S+)/.exec(office.textsSince(0).find((x) => x.includes('检查员')) ?? '')?.[1] ?? '';
    const stranger = new ChatUser(api, webhook, SECRET, 5999, '陌生人');
    await stranger.send(`/start ${code}`);
    expect(stranger.lastText()).toContain('已被他人使用');
    await stranger.send('/start not-a-code');
    expect(stranger.lastText()).toContain('邀请码无效');
    await stranger.send('你好');
    expect(stranger.lastText()).toContain('请通过扶贫办发给您的邀请链接加入');
    expect(await store.getPerson('5999')).toBeUndefined();
  });

  it('picks a village of the group, uploads the town list and draws the sample', async () => {
    await inspector.send('/villages');
    expect(inspector.lastText()).toBe('江平镇:请选择村');
    expect(inspector.buttonTexts()).toContain('交东村 未抽样');
    expect(inspector.buttonTexts()).toHaveLength(10);
    await inspector.press('交东村 未抽样');
    expect(inspector.lastText()).toContain('还没有农户名单');
    await inspector.press('📤 上传名单');
    expect(inspector.lastText()).toBe('请把交东村的农户名单文件(CSV 或 Excel .xlsx)直接发送到这里。');

    // Telegram leaves a document's size out at times: a 6 MB file is still refused, from its bytes.
    const padded = `${LIST}\r\n${'#'.repeat(6 * 1024 * 1024)}`;
    await inspector.upload('交东村名单.csv', new TextEncoder().encode(padded), { declareSize: false });
    expect(inspector.lastText()).toBe(
      '文件太大(超过 5MB),请只保留户编号、户主姓名、农户类型等必要列后重新发送。',
    );
    expect(await store.getHouseholdList(campaign.id, 'jiaodong')).toBeUndefined();

    const bad = `${LIST}\r\n450681060,,非贫困户,3`;
    await inspector.upload('交东村名单.csv', iconv.encode(bad, 'gbk'), { declareSize: false });
    expect(inspector.lastText()).toMatch(/^名单有 1 处错误,未保存任何数据/);
    expect(inspector.lastText()).toContain('第22行');
    expect(await store.getHouseholdList(campaign.id, 'jiaodong')).toBeUndefined();

    await inspector.upload('交东村名单.csv', iconv.encode(LIST, 'gbk'));
    expect(inspector.textsSince(0).some((x) => x.startsWith('✅ 交东村名单已上传:共 20 户'))).toBe(true);
    await inspector.press('🎲 抽取样本');
    expect(inspector.lastText()).toContain('抽样后样本锁定,名单不能再更换。确定抽取吗?');
    await inspector.press('🎲 确定抽取');
    expect(inspector.textsSince(0)).toContain('✅ 已抽取 10 户,样本已锁定。');
    const sample = await store.getSample(campaign.id, 'jiaodong');
    expect(sample?.seed).toBe('e2e-seed-1');
    expect(sample?.picks.map((p) => p.stratum).sort()).toEqual(
      [
        'exited_2014_2015',
        'exited_2014_2015',
        'exited_2016',
        'exited_2016',
        'planned_2017',
        'planned_2017',
        'planned_2017',
        'registered_poor',
        'registered_poor',
        'non_poor',
      ].sort(),
    );
    expect(inspector.lastText()).toContain('样本已抽取');
  });

  it('walks the survey of an exited household, refusing bad answers with a reason and keeping the rest', async () => {
    const sample = await store.getSample(campaign.id, 'jiaodong');
    const pick = sample!.picks.find((p) => p.stratum === 'exited_2016')!;
    await inspector.press(new RegExp(`${pick.name}$`));
    await inspector.press('▶️ 开始调查');

    // The first prompt: section, number, progress bar, label, hint, prefilled name, navigation.
    const first = inspector.lastMessage();
    expect(first.text).toContain(`${pick.name}户(交东村) · 一、被调查户基本情况`);
    expect(first.text).toMatch(/第1\/\d+题 ░{10}/);
    expect(first.text).toContain('<b>1.1 农户姓名</b>');
    expect(first.text).toContain('👉 请直接回复文字');
    expect(inspector.buttonTexts(first)).toEqual([`✔ ${pick.name}`, '⬅️ 上一题', '⏸ 暂停']);
    const nameButton = inspector.findButton(`✔ ${pick.name}`).button.callback_data!;
    await inspector.press(`✔ ${pick.name}`);
    expect(first.text).toBe(`✔️ 农户姓名:${pick.name}`); // the prompt became a record

    // A repeated update (Telegram retrying) changes nothing and sends nothing.
    const before = await storedPerson(INSPECTOR_ID);
    const calls = api.calls.length;
    await inspector.replay();
    expect(await storedPerson(INSPECTOR_ID)).toEqual(before);
    // Only the button press is answered again (no spinning button); nothing is sent or edited.
    expect(api.calls.slice(calls).map((c) => c.method)).toEqual(['answerCallbackQuery']);

    // The type question offers the five strata with the sampled one marked.
    expect(currentQuestion(inspector)).toBe('h1_type');
    expect(inspector.buttonTexts()).toEqual([
      '2014、2015年退出户',
      '✔ 2016年脱贫户',
      '今年计划脱贫户',
      '未脱贫户',
      '非贫困户',
      '⬅️ 上一题',
      '⏸ 暂停',
    ]);
    await inspector.press('✔ 2016年脱贫户');

    // A stale button (the name prompt's) does not write.
    const beforeStale = await storedPerson(INSPECTOR_ID);
    await inspector.pressData(nameButton, first);
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toContain('这个按钮已过期');
    expect((await storedPerson(INSPECTOR_ID)).version).toBe(beforeStale.version);

    expect(currentQuestion(inspector)).toBe('h1_pop_actual');
    expect(inspector.lastText()).toMatch(/第3\/\d+题/);
    for (const [bad, reason] of [
      ['三', '❌ 请用阿拉伯数字填写'],
      ['31', '❌ 不能大于 30人'],
      ['2.5', '❌ 这里要填整数'],
    ] as const) {
      await inspector.send(bad);
      expect(inspector.lastText().startsWith(reason), inspector.lastText()).toBe(true);
      expect(currentQuestion(inspector)).toBe('h1_pop_actual');
    }
    expect((await storedPerson(INSPECTOR_ID)).session.draft?.answers).toEqual({
      h1_name: pick.name,
      h1_type: 'exited_2016',
    });

    // A household that meets the standards but for what this scenario is about.
    const script: Record<string, string> = {
      ...typicalHousehold,
      h1_pop_manual: '5',
      h1_records_match: '否',
      h2_income: '4200.123',
      h2_serious_illness: '是',
      h2_hospital_cost: '5000',
      h2_reimbursed: '6000',
      h2_illness_aid: '0',
      h2_area_per_person: '28',
    };
    const fixes: Record<string, [string, RegExp]> = {
      h2_income: ['3000', /金额最多保留两位小数/],
      h2_reimbursed: ['3000', /报销金额\(6000元\)不能超过住院花费\(5000元\)/],
    };
    let wentBack = false;
    for (
      let step = 0;
      step < 80 && !inspector.lastText().includes('⚠️') && !inspector.lastText().includes('📋 回顾');
      step++
    ) {
      const id = currentQuestion(inspector);
      await give(inspector, script[id] ?? '');
      const fix = fixes[id];
      if (fix) {
        expect(inspector.lastText()).toMatch(fix[1]);
        await give(inspector, fix[0]);
      }
      if (id === 'h2_clothing' && !wentBack) {
        // 上一题 goes back to 2.2; answering it again moves on.
        wentBack = true;
        await inspector.press('⬅️ 上一题');
        expect(currentQuestion(inspector)).toBe('h2_clothing');
        // The current answer is marked on its button, not written in the prompt (a prompt left in
        // the chat must not show a value an edit has since changed).
        expect(inspector.lastText()).not.toContain('当前答案');
        expect(inspector.buttonTexts()).toContain('✔ 是');
        await inspector.press('✔ 是');
      }
    }
    // Low income and still judged 达标: a one-line reason is asked for and stored.
    expect(inspector.lastText()).toContain('请用一句话写明理由');
    await inspector.send('务工收入未完全计入');
    // Every question answered: the location from the spot comes before the review, with
    // Telegram's location button under the text field.
    expect(inspector.lastText()).toContain('问题已答完。请在现场点下方“📍 发送当前位置”');
    expect(inspector.lastMessage().replyKeyboard?.flat()).toEqual([
      { text: '📍 发送当前位置', request_location: true },
      { text: '跳过(说明原因)' },
    ]);
    const spot = nearVillage(villageIn('交东村')!, 0.8);
    await inspector.sendLocation(spot.lat, spot.lon);
    expect(inspector.textsSince(inspector.messages().length - 2)[0]).toBe(
      '📍 已记录位置:距交东村 0.8 公里。',
    );
    expect(inspector.messages().at(-2)?.removeKeyboard).toBe(true);
    // Then the photo the campaign asks for (one per household survey).
    expect(inspector.lastText()).toContain('本问卷需要至少 1 张现场照片,目前 0 张');
    await inspector.sendPhoto(freshPhoto(), { caption: '农户家门口' });
    expect(inspector.textsSince(inspector.messages().length - 2)[0]).toBe(
      '📷 已保存照片(第 1 张,关联:整份问卷)。',
    );
    expect(inspector.lastText()).toContain('📋 回顾');
    expect(inspector.lastText()).toContain('📷 1 张 · 📍 距交东村 0.8 公里');
  });

  it('reviews by section with the flags, edits one answer and submits', async () => {
    const review = inspector.lastText();
    expect(review).toContain('<b>一、被调查户基本情况</b>');
    expect(review).toContain('2.3 截止2017年9月底家庭人均纯收入(元):3000元');
    expect(review).toContain('5.1 判断已脱贫户是否达到脱贫标准:是(理由:务工收入未完全计入)');
    expect(review).toContain('· 人均纯收入低于贫困线');
    expect(review).toContain('· 家庭人口、户籍、明白卡、手册人口不一致');
    expect(inspector.buttonTexts()).toEqual(['✏️ 修改', '✅ 提交', '⏸ 暂停']);

    await inspector.press('✏️ 修改');
    await inspector.press('三、帮扶联系');
    await inspector.press(/^帮扶干部姓名/);
    expect(currentQuestion(inspector)).toBe('h3_cadre_name');
    await inspector.send('李志强');
    expect(inspector.lastText()).toContain('帮扶干部姓名:李志强');
    await inspector.press('✅ 提交');
    expect(inspector.textsSince(0).some((x) => x.startsWith('✅ 已提交:'))).toBe(true);

    const sample = await store.getSample(campaign.id, 'jiaodong');
    const pick = sample!.picks.find((p) => p.stratum === 'exited_2016' && p.startedAt !== undefined);
    expect(pick).toBeDefined();
    // The pick keeps the mark opening gave it (started: it can no longer be replaced); that it was
    // surveyed is its survey's status, which the village screen shows.
    expect(pick!.status).toBe('selected');
    await inspector.pressData('v:jiaodong');
    expect(inspector.lastText()).toContain(`✅ ${pick!.name}(2016年已脱贫户)`);
    survey = (await store.surveysOfInspector(String(INSPECTOR_ID), 'submitted'))[0];
    expect(survey?.answers).toEqual({
      h1_name: pick!.name,
      h1_type: 'exited_2016',
      h1_pop_actual: 4,
      h1_pop_registered: 4,
      h1_pop_card: 4,
      h1_pop_manual: 5,
      h1_measures_match: 'yes',
      h1_records_match: 'no',
      h2_food: 'yes',
      h2_clothing: 'yes',
      h2_income: 3000,
      h2_dropout: 'none',
      h2_insured_all: 'yes',
      h2_serious_illness: 'yes',
      h2_hospital_cost: 5000,
      h2_reimbursed: 3000,
      h2_illness_aid: 0,
      h2_safe_housing: 'has',
      h2_housing_structure: 'brick_concrete',
      h2_area_per_person: 28,
      h2_cracks_leaks: 'none',
      h2_relocated: 'no',
      h2_road_hardened: 'yes',
      h2_settlement_20plus: 'yes',
      h2_electricity: 'has',
      h2_water: 'has',
      h2_tv_signal: 'yes',
      h2_post_exit_support: 'yes',
      h3_cadre_assigned: 'yes',
      h3_cadre_name: '李志强',
      h3_visits: 6,
      h3_standard_explained: 'yes',
      h3_policies_introduced: 'yes',
      h3_requested_help: 'no',
      h3_material_help: 'no',
      h3_satisfied: 'satisfied',
      h3_recognition: 'yes',
      h4_unlisted_hardship: 'no',
      h4_committee_visited: 'yes',
      h4_committee_satisfied: 'satisfied',
      h4_opinions: '',
      h5_meets_standard: 'yes',
    });
    expect(survey?.flags.sort()).toEqual(['exit_suspect', 'income_below_line', 'population_mismatch']);
    expect(survey?.confirmations.h5_meets_standard?.reason).toBe('务工收入未完全计入');
    const edit = survey?.history.filter((h) => h.questionId === 'h3_cadre_name');
    expect(edit?.map((h) => [h.old, h.new])).toEqual([
      [undefined, '李强'],
      ['李强', '李志强'],
    ]);
    expect((await storedPerson(INSPECTOR_ID)).session.draft).toBeUndefined();
  });

  it('fills the village survey of a 非贫困村: §1, §3 and §5 only, with follow-ups when triggered', async () => {
    await inspector.send('/villages');
    await inspector.press(/^交东村 1\/10$/);
    await inspector.press('🏘 村级调查表');
    expect(inspector.lastText()).toContain('交东村村级调查表 · 一、村基本情况');
    expect(inspector.buttonTexts()).toContain('✔ 非贫困村');
    await inspector.press('✔ 非贫困村');
    await inspector.send('1860');
    await inspector.send('2000');
    expect(inspector.lastText()).toMatch(/^❌ .*1860/);
    expect(currentQuestion(inspector, villageForm)).toBe('v1_poor_population');
    const asked = await answerUntilStop(
      inspector,
      {
        v1_type: '非贫困村',
        ...typicalVillageFigures,
        v3_policy_continued: '享受',
        v3_relapse: '有',
        v3_relapse_details: '1户因病返贫,已纳入帮扶',
        v5_unlisted: '无',
        v5_rectification: '已建立整改台账,逐项销号',
        v5_ledger: '是',
        v5_responsible: '是',
        v5_measures: '是',
        v5_follow_through: '是',
        v5_data_consistent: '是',
        v5_archives: '档案齐全',
        v5_projects: '村道硬化工程已完工',
      },
      villageForm,
    );
    expect(asked.filter((id) => id.startsWith('v2_') || id.startsWith('v4_'))).toEqual([]);
    expect(asked).toContain('v3_relapse_details');
    expect(inspector.lastText()).toContain('📋 回顾');
    await inspector.press('✅ 提交');
    const stored = await store.getSurvey(
      surveyIdFor(campaign.id, { kind: 'village', villageId: 'jiaodong' }),
    );
    expect(stored?.status).toBe('submitted');
    expect(stored?.answers).toMatchObject({
      v1_agri_population: 1860,
      v1_poor_population: 120,
      v3_relapse: 'has',
    });
    expect(stored?.answers.v1_type).toBe('non_poor');
  });

  it('the office fills its county figures in the chat, pauses and resumes', async () => {
    await office.send('/figures');
    expect(office.lastText()).toContain('县级数据');
    expect(currentQuestion(office, officeForm)).toBe('o_county_status');
    await office.press('非摘帽县');
    expect(currentQuestion(office, officeForm)).toBe('o_departments');
    expect(office.buttonTexts()[0]).toMatch(/^✔ \d+个$/); // computed from the group roster
    await office.press(/^✔ \d+个$/);
    await office.press('⏸ 暂停');
    expect(office.lastText()).toMatch(/^⏸ 已暂停,已答 2\/\d+ 题/);
    await office.send('/resume');
    await office.press(/县级数据/);
    expect(currentQuestion(office, officeForm)).toBe('o_people');
  });

  it('a forged webhook request is refused without touching anything', async () => {
    const before = await storedPerson(INSPECTOR_ID);
    const calls = api.calls.length;
    const update = {
      update_id: nextUpdateId(),
      message: {
        message_id: 1,
        date: 0,
        chat: { id: INSPECTOR_ID },
        from: { id: INSPECTOR_ID, is_bot: false, first_name: 'x' },
        text: '/villages',
      },
    };
    expect((await webhook(apiGatewayEvent(update, 'wrong-secret'))).statusCode).toBe(401);
    expect((await webhook(apiGatewayEvent(update, undefined))).statusCode).toBe(401);
    expect(api.calls.length).toBe(calls);
    expect(await storedPerson(INSPECTOR_ID)).toEqual(before);
  });

  it('an inspector of another group cannot open the village or the survey', async () => {
    outsider = await enrol(await invite(/检查员/, /第一组/), 5002, '阿东');
    await outsider.pressData('hs:jiaodong:0');
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await outsider.pressData('v:jiaodong');
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await outsider.pressData(`op:${survey!.id}`);
    expect(api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    expect((await store.surveysOfInspector('5002')).length).toBe(0);
    expect((await store.getSurvey(survey!.id))?.version).toBe(survey!.version);
  });

  it('the leader returns the survey at one answer and the inspector fixes exactly that', async () => {
    leader = await enrol(await invite(/组长/, /第二组/), 5003, '韩');
    await leader.send('/surveys');
    // By village first: a town's surveys outgrow one keyboard.
    expect(leader.lastText()).toBe('组内已提交问卷 2 份。请选择村:');
    await leader.press('交东村 2');
    expect(leader.lastText()).toBe('组内已提交问卷 2 份(⚠ 表示有系统提示):'); // the household and the village survey
    await leader.press(/⚠3$/);
    expect(leader.lastText()).toContain('· 人均纯收入低于贫困线');
    await leader.press('↩️ 退回修改');
    await leader.press('二、贫困户"八有一超"达标情况');
    await leader.press(/^截止2017年9月底家庭人均纯…:3000元$/);
    expect(leader.lastText()).toContain('请回复退回原因');
    await leader.send('收入');
    expect(leader.lastText()).toContain('至少 4 个字');
    await leader.send('收入未计入低保金,请重新核算');
    expect(leader.lastText()).toMatch(/^↩️ 已退回/);
    expect((await store.getSurvey(survey!.id))?.status).toBe('returned');

    const push = inspector.lastMessage();
    expect(push.text).toContain('需修改:截止2017年9月底家庭人均纯收入(元)');
    expect(push.text).toContain('原因:收入未计入低保金,请重新核算');
    await inspector.press('✏️ 打开并修改');
    expect(currentQuestion(inspector)).toBe('h2_income');
    expect(inspector.buttonTexts()).toContain('✔ 保持:3000元');
    await inspector.send('3600');
    // The exit-suspect reason no longer applies (income above the line): straight to the review.
    expect(inspector.lastText()).toContain('📋 回顾');
    await inspector.press('✅ 提交');
    const fixed = await store.getSurvey(survey!.id);
    expect(fixed?.status).toBe('submitted');
    expect(fixed?.answers.h2_income).toBe(3600);
    expect(fixed?.flags.sort()).toEqual(['population_mismatch']);
    expect(fixed?.history.at(-1)).toMatchObject({
      by: String(INSPECTOR_ID),
      questionId: 'h2_income',
      old: 3000,
      new: 3600,
    });
  });

  it('the leader sees who filled it, when, its return and the changed answer; the inspector reads it back', async () => {
    await leader.send('/surveys');
    await leader.press('交东村 2');
    await leader.press(/户\(交东村\)/);
    expect(leader.lastText()).toMatch(/^检查员:阿明 · 开始 \d+月\d+日 \d\d:\d\d · 提交 \d+月\d+日 \d\d:\d\d/);
    await leader.press('📜 修改记录');
    const history = leader.lastText();
    expect(history).toMatch(/韩 退回修改「2\.3 截止2017年9月底家庭人均纯收入\(元\)」/);
    expect(history).toMatch(/阿明 修改「2\.3 截止2017年9月底家庭人均纯收入\(元\)」:3000元 → 3600元/);
    expect(history.indexOf('退回修改')).toBeLessThan(history.indexOf('3000元 → 3600元'));

    // The inspector reads their own submitted survey, read-only.
    await inspector.send('/resume');
    await inspector.press(/^📄 我已提交的问卷/);
    expect(inspector.lastText()).toContain('只读');
    await inspector.press(/^📄 .*户\(交东村\)/);
    expect(inspector.lastText()).toContain('📋 回顾');
    expect(inspector.buttonTexts()).not.toContain('↩️ 退回修改');
    expect(inspector.buttonTexts()).toContain('📜 修改记录');
  });

  it('退回 on a card read before the survey changed returns nothing: the leader is asked to read it again', async () => {
    const openCard = async () => {
      await leader.send('/surveys');
      await leader.press('交东村 2');
      await leader.press(/户\(交东村\)/);
      // A copy: the pickers after 退回 edit this message in place.
      return structuredClone(leader.lastMessage());
    };
    const returnVia = async (card: ReturnType<ChatUser['lastMessage']>, reason: string) => {
      await leader.pressData(
        card.buttons.flat().find((b) => b.text === '↩️ 退回修改')?.callback_data ?? '',
        card,
      );
      await leader.press('二、贫困户"八有一超"达标情况');
      await leader.press(/^截止2017年9月底家庭人均纯/);
      await leader.send(reason);
    };
    const earlier = await openCard();
    // Returned from a second look at it, fixed and submitted again by the inspector…
    await returnVia(await openCard(), '低保金请附证明材料');
    await inspector.press('✏️ 打开并修改');
    await inspector.send('3700');
    await inspector.press('✅ 提交');
    const resubmitted = await store.getSurvey(survey!.id);
    expect(resubmitted).toMatchObject({ status: 'submitted', answers: { h2_income: 3700 } });

    // …then 退回 on the card read before all that: nothing is returned.
    const since = leader.messages().length;
    await leader.pressData(
      earlier.buttons.flat().find((b) => b.text === '↩️ 退回修改')?.callback_data ?? '',
      earlier,
    );
    const said = [
      ...leader.textsSince(since),
      ...api.callsOf('answerCallbackQuery').map((c) => c.params.text),
    ];
    expect(said).toContain(
      '这份问卷在您查看之后有了变化(已重新提交或被修改),没有退回。请从组内问卷重新打开查看后再决定。',
    );
    expect(await store.getSurvey(survey!.id)).toMatchObject({
      status: 'submitted',
      version: resubmitted?.version,
    });

    // From the card as it is now, the return is taken.
    await returnVia(await openCard(), '收入证明请补充签字');
    expect(leader.lastText()).toMatch(/^↩️ 已退回/);
    expect((await store.getSurvey(survey!.id))?.status).toBe('returned');
  });
});
