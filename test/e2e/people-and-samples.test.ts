// People, scope and the sample through the webhook, on both DynamoDB engines (issue 14): nobody
// gains a role they were not given, a grant taken away stops the next tap, the office offboards
// people, and the sample cannot be corrupted by concurrency, old buttons or odd household ids.
// Each scenario is what a real user did; each asserts the outcome the record must show.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyIdFor } from '../../app/surveys';
import { grantKey } from '../../domain/grants';
import type { Person, Survey } from '../../domain/model';
import { deflatedRepeat, png, xlsx, zip } from '../fixtures/lists/build';
import type { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { chineseName, rng, scriptHousehold } from '../support/household-scripts';
import { Interviewer } from '../support/interviewer';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const OFFICE = 9_100_001;
const NO_FAULTS = { duplicate: 0, doubleTap: 0, stale: 0 };

/** A submitted survey of another group, as a 第二组 inspector would have left it. */
async function submittedSurvey(sys: System, villageId: string, householdId: string, inspectorId: string) {
  const town = sys.campaign.towns.find((t) => t.villages.some((v) => v.id === villageId))!;
  const group = sys.campaign.groups.find((g) => g.townId === town.id)!;
  const now = new Date().toISOString();
  const survey: Survey = {
    id: surveyIdFor(sys.campaign.id, { kind: 'household', villageId, householdId }),
    campaignId: sys.campaign.id,
    kind: 'household',
    formId: 'household',
    formVersion: 1,
    townId: town.id,
    villageId,
    householdId,
    groupId: group.id,
    inspectorId,
    status: 'submitted',
    answers: { h1_name: '黄明' },
    confirmations: {},
    flags: [],
    history: [],
    submittedAt: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  return sys.store.createSurvey(survey);
}

async function inviteCode(office: ChatUser, role: RegExp, scope?: RegExp): Promise<string> {
  await office.send('/invite');
  await office.press(role);
  if (scope) await office.press(scope);
  const code = /start=(\S+)/.exec(office.lastText())?.[1];
  if (!code) throw new Error(`no invite link in: ${office.lastText()}`);
  return code;
}

const grantKeys = (p: Person | undefined) => (p?.grants ?? []).map(grantKey);

describe.each(ENGINES)('people, scope and the sample on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let office: ChatUser;

  beforeAll(async () => {
    engine = await startEngine(engineName, 'people-samples');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: OFFICE, roles: ['office'], name: '潘' });
    office = sys.user(OFFICE, '潘');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('接受 under one invite’s question never takes another invite opened since', async () => {
    const person = sys.user(7_109_071, '覃');
    await seedPerson(sys.store, { id: person.id, roles: ['inspector'], groupId: 'g3' });
    await person.send(`/start ${await inviteCode(office, /组长/, /第一组/)}`);
    const first = structuredClone(person.findButton('✅ 接受'));
    await person.send(`/start ${await inviteCode(office, /检查员/, /第二组/)}`);
    await person.pressData(first.button.callback_data ?? '', first.message);
    expect(grantKeys(await sys.store.getPerson(String(person.id)))).toEqual(['inspector@g.g3']);
    await person.press('✅ 接受');
    expect(grantKeys(await sys.store.getPerson(String(person.id)))).toEqual([
      'inspector@g.g3',
      'inspector@g.g2',
    ]);
  });

  it('the 第一组 leader who opens a 第二组 inspector invite is asked, then holds both and leads only 第一组', async () => {
    const leader = sys.user(7_100_001, '邓');
    await seedPerson(sys.store, { id: leader.id, roles: ['leader'], groupId: 'g1' });
    const code = await inviteCode(office, /检查员/, /第二组/);
    await leader.send(`/start ${code}`);
    expect(leader.lastText()).toBe(
      '您已是组长(第一组 · 东兴镇)。\n这个邀请链接将让您同时担任:检查员(第二组 · 江平镇)。\n原有身份不变。是否接受?',
    );
    // Nothing changes before they accept.
    expect(grantKeys(await sys.store.getPerson(String(leader.id)))).toEqual(['leader@g.g1']);
    await leader.press('✅ 接受');
    expect(leader.textsSince(0).some((x) => x.startsWith('✅ 已接受。'))).toBe(true);
    expect(grantKeys(await sys.store.getPerson(String(leader.id)))).toEqual([
      'leader@g.g1',
      'inspector@g.g2',
    ]);

    // A 第二组 survey: not theirs to read or return, and 第二组's report is not theirs to sign.
    const survey = await submittedSurvey(sys, 'jiaodong', '4506810101', '7100099');
    await leader.pressData(`gs:${survey.id}`);
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await leader.pressData(`rt:${survey.id}`);
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    await leader.pressData('so:g2');
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    expect((await sys.store.getSurvey(survey.id))?.status).toBe('submitted');
    // 第一组 is still theirs.
    await leader.send('/report');
    await leader.press('✍️ 签发');
    expect(leader.lastText()).toMatch(/^✅ 已签发/);
    await leader.send('/surveys');
    expect(leader.lastText()).toBe('组内还没有已提交的问卷。');
  });

  it('a 马路镇 town contact who opens an inspector link stays the town contact', async () => {
    const contact = sys.user(7_100_011, '马');
    await seedPerson(sys.store, { id: contact.id, roles: ['town_contact'], townId: 'malu' });
    const code = await inviteCode(office, /检查员/, /第一组/);
    await contact.send(`/start ${code}`);
    await contact.press('✅ 接受');
    expect(grantKeys(await sys.store.getPerson(String(contact.id)))).toEqual([
      'town_contact@t.malu',
      'inspector@g.g1',
    ]);
    expect((await sys.store.peopleOfTown('malu')).map((p) => p.id)).toContain(String(contact.id));
    // With two towns to work in, /villages asks which.
    await contact.send('/villages');
    expect(contact.lastText()).toBe('请选择乡镇:');
    expect(contact.buttonTexts().sort()).toEqual(['东兴镇', '马路镇'].sort());
  });

  it('declining an invite changes nothing and leaves the link unused', async () => {
    const p = sys.user(7_100_021, '韦');
    await seedPerson(sys.store, { id: p.id, roles: ['inspector'], groupId: 'g3' });
    const code = await inviteCode(office, /组长/, /第三组/);
    await p.send(`/start ${code}`);
    await p.press('✖️ 不接受');
    expect(p.lastText()).toContain('没有接受这个邀请');
    expect(grantKeys(await sys.store.getPerson(String(p.id)))).toEqual(['inspector@g.g3']);
    expect((await sys.store.getInvite(code))?.usedBy).toBeUndefined();
  });

  it('an inspector moved out of 第一组 cannot answer or submit the open survey; it goes back to the group', async () => {
    const moved = sys.user(7_100_031, '莫');
    const colleague = sys.user(7_100_032, '黎');
    const leader = sys.user(7_100_033, '邓');
    await seedPerson(sys.store, { id: moved.id, roles: ['inspector'], groupId: 'g1', name: '莫' });
    await seedPerson(sys.store, { id: colleague.id, roles: ['inspector'], groupId: 'g1' });
    await seedPerson(sys.store, { id: leader.id, roles: ['leader'], groupId: 'g1' });
    await seedSample(sys.store, 'jiangna', [
      { householdId: '4506810301', name: '梁秀英', stratum: 'exited_2016' },
      { householdId: '4506810302', name: '韦建华', stratum: 'non_poor' },
    ]);
    await moved.send('/start');
    await moved.pressData('hs:jiangna:0');
    expect(moved.lastText()).toContain('1.1 农户姓名');
    await moved.press('✔ 梁秀英');
    const reviewButtons = moved.lastMessage();
    const surveyId = surveyIdFor(sys.campaign.id, {
      kind: 'household',
      villageId: 'jiangna',
      householdId: '4506810301',
    });

    // The office revokes 检查员(第一组) from /people.
    await office.send('/people');
    await office.press('第一组');
    await office.press('莫');
    await office.press(/^撤销:检查员/);
    await office.press('✅ 确定');
    expect(office.lastText()).toContain('已撤销 莫 的身份「检查员(第一组 · 东兴镇)」');
    expect(office.lastText()).toContain('1 份未完成问卷已交回检查组');
    expect(moved.textsSince(0).some((x) => x.startsWith('扶贫办已撤销您的身份'))).toBe(true);

    // Their next answer, an old 上一题 button and a forged 提交 write nothing.
    const before = await sys.store.getSurvey(surveyId);
    await moved.send('5');
    expect(moved.lastText()).toContain('您已不再负责该村的调查');
    const back = reviewButtons.buttons.flat().find((b) => b.text.includes('上一题'));
    if (back?.callback_data) await moved.pressData(back.callback_data, reviewButtons);
    await moved.pressData(`hs:jiangna:0`);
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    expect(await sys.store.getSurvey(surveyId)).toEqual(before);
    expect(before?.released).toMatchObject({ from: String(moved.id), reason: 'revoked' });
    expect(before?.answers.h1_name).toBe('梁秀英');

    // The leader sees it handed back; a colleague continues it with the answer kept.
    await leader.send('/surveys');
    expect(leader.lastText()).toContain('交回本组的未完成问卷');
    await colleague.send('/start');
    // From the village screen, as a colleague would: the household's card offers to continue it.
    await colleague.pressData('h:jiangna:0');
    await colleague.press('▶️ 继续填写');
    expect(colleague.lastText()).toContain('第2/');
    expect((await sys.store.getSurvey(surveyId))?.inspectorId).toBe(String(colleague.id));
    // Taken over, it is no longer listed as handed back (the village's aggregate follows).
    const released = async () =>
      Object.keys(
        (await sys.store.getVillageAggregate(sys.campaign.id, 'dongxing', 'jiangna'))?.released ?? {},
      );
    expect(await released()).not.toContain(surveyId);

    // The colleague loses the grant without the office's 撤销 (the grant edited away): their next
    // tap hands the survey back, and the leader's list shows it again.
    const holder = (await sys.store.getPerson(String(colleague.id)))!;
    await sys.store.savePerson({ ...holder, grants: [] }, holder.version);
    await colleague.send('梁秀英');
    expect((await sys.store.getSurvey(surveyId))?.released?.from).toBe(String(colleague.id));
    expect(await released()).toContain(surveyId);
  });

  it('a deactivated person gets 您已被停用 for everything, and reminders no longer find them', async () => {
    const p = sys.user(7_100_041, '覃');
    await seedPerson(sys.store, { id: p.id, roles: ['liaison'], groupId: 'g3', name: '覃' });
    await office.send('/people');
    await office.press('第三组');
    await office.press('覃');
    await office.press('⛔ 停用此人');
    await office.press('✅ 确定');
    expect(office.lastText()).toContain('已停用 覃');
    for (const act of [() => p.send('/villages'), () => p.send('你好'), () => p.pressData('m:villages')]) {
      const before = p.messages().length;
      await act();
      const told = p
        .messages()
        .slice(before)
        .map((m) => m.text);
      const toast = sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text;
      expect([...told, toast].some((x) => String(x).includes('已被扶贫办停用'))).toBe(true);
    }
    expect((await sys.store.peopleWithRole('liaison')).map((x) => x.id)).not.toContain(String(p.id));
    expect((await sys.store.peopleOfGroup('g3')).map((x) => x.id)).not.toContain(String(p.id));
    const audit = await sys.store.auditOf(`person:${p.id}`);
    expect(audit.map((e) => e.action)).toContain('person.deactivate');
  });

  it("恢复 and 确定停用 act on the standing they were shown with: another office user's newer deactivation or reactivation stands", async () => {
    const p = sys.user(7_100_042, '蒙');
    await seedPerson(sys.store, { id: p.id, roles: ['liaison'], groupId: 'g3', name: '蒙' });
    await seedPerson(sys.store, { id: 7_100_043, roles: ['office'], name: '陈' });
    const colleague = sys.user(7_100_043, '陈');
    // From everyone (a group's list leaves out whom the office stopped).
    const openCard = async (user: ChatUser) => {
      await user.send('/people');
      await user.press('👥 全部人员');
      await user.press(/^(⛔ )?蒙$/);
    };
    const buttonData = (user: ChatUser, label: string) => {
      const { message, button } = user.findButton(label);
      return { message, data: button.callback_data ?? '' };
    };

    // 潘 stops 蒙 and keeps the card with 恢复启用 open.
    await openCard(office);
    await office.press('⛔ 停用此人');
    await office.press('✅ 确定');
    await openCard(office);
    const reactivate = buttonData(office, '♻️ 恢复启用');
    // 陈 reactivates 蒙 and, learning more, stops them again.
    await openCard(colleague);
    await colleague.press('♻️ 恢复启用');
    await openCard(colleague);
    await colleague.press('⛔ 停用此人');
    await colleague.press('✅ 确定');
    expect((await sys.store.getPerson(String(p.id)))?.deactivated?.by).toBe('7100043');

    // 潘's 恢复 from before does not undo 陈's newer deactivation.
    await office.pressData(reactivate.data, reactivate.message);
    expect(office.lastText()).toContain('已被他人更改');
    expect(office.lastText()).toMatch(/蒙.*\n[\s\S]*已停用/);
    const stopped = await sys.store.getPerson(String(p.id));
    expect(stopped?.deactivated?.by).toBe('7100043');

    // 陈 reactivates 蒙; 潘 asks to stop them, 蒙 answers meanwhile (their own activity changes nothing).
    await openCard(colleague);
    await colleague.press('♻️ 恢复启用');
    await openCard(office);
    await office.press('⛔ 停用此人');
    const confirmStop = buttonData(office, '✅ 确定');
    await p.send('/start');
    // 陈 stops and reactivates 蒙 (a mistaken tap, put right) before 潘 confirms.
    await openCard(colleague);
    await colleague.press('⛔ 停用此人');
    await colleague.press('✅ 确定');
    await openCard(colleague);
    await colleague.press('♻️ 恢复启用');
    await office.pressData(confirmStop.data, confirmStop.message);
    expect(office.lastText()).toContain('已被他人更改');
    expect((await sys.store.getPerson(String(p.id)))?.deactivated).toBeUndefined();

    // A 确定停用 on the standing as it is, with 蒙 answering in between, stops them.
    await openCard(office);
    await office.press('⛔ 停用此人');
    await p.send('/start');
    await office.press('✅ 确定');
    expect(office.lastText()).toContain('已停用 蒙');
    expect((await sys.store.getPerson(String(p.id)))?.deactivated?.by).toBe(String(OFFICE));
  });

  it('a text typed after leaving a prompt is not taken for it: a survey answer never becomes the reason to replace a household', async () => {
    const inspector = sys.user(7_100_081, '阿明');
    await seedPerson(sys.store, { id: inspector.id, roles: ['inspector'], groupId: 'g2' });
    // The town's list has one household of the stratum more than was drawn: a replacement exists.
    const list = [
      { id: 'GM1', name: '黄一', stratum: 'registered_poor' as const },
      { id: 'GM2', name: '黄二', stratum: 'registered_poor' as const },
      { id: 'GM3', name: '黄四', stratum: 'registered_poor' as const },
    ];
    const at = new Date().toISOString();
    await sys.store.putHouseholdList({
      campaignId: sys.campaign.id,
      villageId: 'guiming',
      households: list,
      count: 3,
      byStratum: {},
      fingerprint: 'seeded-guiming',
      uploadedBy: 'seed',
      uploadedAt: at,
      fileName: 'seed.csv',
    });
    const drawn = await sys.store.putSample({
      campaignId: sys.campaign.id,
      villageId: 'guiming',
      seed: 'seeded',
      fingerprint: 'seeded-guiming',
      drawnBy: 'seed',
      drawnAt: at,
      picks: list.slice(0, 2).map(({ id, ...h }) => ({ householdId: id, ...h, status: 'selected' as const })),
      shortfalls: [],
      version: 1,
    });
    await inspector.send('/start');
    await inspector.pressData('hs:guiming:0');
    // 黄二 seems away: 申请替换 → 其他原因, and the chat asks what happened …
    await inspector.send('/villages');
    await inspector.press(/^贵明村/);
    await inspector.press(/黄二$/);
    await inspector.press('🔁 申请替换');
    await inspector.press('其他原因');
    expect(inspector.lastText()).toBe('请用一句话写明具体情况:');
    // … but 黄二 turns up. /resume lists 黄一's survey, still open, and its first answer is typed.
    await inspector.send('/resume');
    expect(inspector.buttonTexts()).toContain('✏️ 黄一户(贵明村)');
    await inspector.send('黄一');
    expect(inspector.textsSince(0).some((x) => x.startsWith('🔁 已将 黄二'))).toBe(false);
    const picks = (await sys.store.getSample(sys.campaign.id, 'guiming'))?.picks ?? [];
    expect(picks.map((p) => [p.householdId, p.status])).toEqual(
      drawn.picks.map((p) => [p.householdId, 'selected']),
    );
    expect((await sys.store.getPerson(String(inspector.id)))?.session.draft?.answers.h1_name).toBe('黄一');
  });

  it('a list file sent from one village is not stored for the village whose 上传名单 was tapped before', async () => {
    const contact = sys.user(7_100_082, '江平联络');
    await seedPerson(sys.store, { id: contact.id, roles: ['town_contact'], townId: 'jiangping' });
    await contact.send('/villages');
    await contact.press(/^山心村/);
    await contact.press('📤 上传名单');
    expect(contact.lastText()).toBe('请把山心村的农户名单文件(CSV 或 Excel .xlsx)直接发送到这里。');
    // Not yet at hand: later, from 吒祖村's screen, the contact sends 吒祖村's file.
    await contact.send('/villages');
    await contact.press(/^吒祖村/);
    const csv = ['户编号,户主姓名,农户类型', 'Z1,韦一,非贫困户', 'Z2,韦二,建档立卡贫困户'].join('\r\n');
    await contact.upload('名单.csv', new TextEncoder().encode(csv));
    expect(contact.textsSince(0).some((x) => x.includes('名单已上传'))).toBe(false);
    expect(contact.lastText()).toContain('不知道是哪个村的名单');
    expect(await sys.store.getHouseholdList(sys.campaign.id, 'shanxin')).toBeUndefined();
    // From 吒祖村's own 上传名单 it is stored as 吒祖村's.
    await contact.press('📤 上传名单');
    await contact.upload('名单.csv', new TextEncoder().encode(csv));
    expect(contact.textsSince(0).some((x) => x.startsWith('✅ 吒祖村名单已上传:共 2 户'))).toBe(true);
    // The same households again with only a 备注 added: nothing is stored, and the chat says why.
    await contact.send('/villages');
    await contact.press(/^吒祖村/);
    await contact.press('📤 上传名单');
    const noted = [
      '户编号,户主姓名,农户类型,备注',
      'Z1,韦一,非贫困户,外出务工',
      'Z2,韦二,建档立卡贫困户,',
    ].join('\r\n');
    await contact.upload('名单.csv', new TextEncoder().encode(noted));
    expect(contact.lastText()).toBe(
      '吒祖村的名单与已上传的户编号、户主姓名和农户类型都相同(共 2 户),名单未更新。只改了人口、村民小组或备注的,这些改动不会保存。',
    );
  });

  it('a grant the office revoked does not come back through the invite link that gave it', async () => {
    const person = sys.user(7_100_091, '覃');
    await seedPerson(sys.store, { id: person.id, roles: ['inspector'], groupId: 'g3', name: '覃' });
    const code = await inviteCode(office, /组长/, /第一组/);
    await person.send(`/start ${code}`);
    await person.press('✅ 接受');
    expect(grantKeys(await sys.store.getPerson(String(person.id)))).toEqual([
      'inspector@g.g3',
      'leader@g.g1',
    ]);
    // The office replaces the leader: 撤销 on their card.
    await office.send('/people');
    await office.press('👥 全部人员');
    await office.press(/^覃$/);
    await office.press(/^撤销:组长/);
    await office.press('✅ 确定');
    expect(grantKeys(await sys.store.getPerson(String(person.id)))).toEqual(['inspector@g.g3']);
    // The old link from the chat's history: refused, and nothing is asked or given.
    await person.send(`/start ${code}`);
    expect(person.lastText()).toContain('您已经用过这个邀请链接');
    expect(person.buttonTexts()).not.toContain('✅ 接受');
    expect(grantKeys(await sys.store.getPerson(String(person.id)))).toEqual(['inspector@g.g3']);
  });

  it('the office cancels an unused invite; the link then says it was withdrawn', async () => {
    const code = await inviteCode(office, /扶贫办/);
    await office.send('/people');
    await office.press('🔗 未使用的邀请');
    expect(office.lastText()).not.toContain(code);
    await office.press(/^作废 1$/);
    expect(office.lastText()).toMatch(/^✅ 已作废邀请「扶贫办」/);
    const stranger = sys.user(7_100_051, '路人');
    await stranger.send(`/start ${code}`);
    expect(stranger.lastText()).toBe('该邀请链接已被扶贫办作废。如需加入,请向扶贫办索取新的邀请链接。');
    expect(await sys.store.getPerson(String(stranger.id))).toBeUndefined();
  });

  it('ten inspectors pressing 提交 at once in one village leave ten surveys counted, none lost', async () => {
    const r = rng(14);
    const strata = [
      'exited_2014_2015',
      'exited_2016',
      'planned_2017',
      'registered_poor',
      'non_poor',
    ] as const;
    const households = Array.from({ length: 10 }, (_, i) => ({
      householdId: `45068104${String(i).padStart(2, '0')}`,
      name: chineseName(r),
      stratum: strata[i % 5] ?? 'non_poor',
    }));
    await seedSample(sys.store, 'hezhou', households);
    const team = await Promise.all(
      households.map(async (h, i) => {
        const id = 7_100_100 + i;
        await seedPerson(sys.store, { id, roles: ['inspector'], groupId: 'g1' });
        return { h, i, interviewer: new Interviewer(sys.user(id), rng(200 + i), NO_FAULTS) };
      }),
    );
    await Promise.all(
      team.map(async ({ h, i, interviewer }) => {
        await interviewer.pressData(`hs:hezhou:${i}`);
        await interviewer.answerAll(
          scriptHousehold(sys.campaign, { name: h.name, stratum: h.stratum }, rng(300 + i)),
        );
      }),
    );
    // Everyone on the review; now all press 提交 in the same instant.
    await Promise.all(team.map(({ interviewer }) => interviewer.submit()));
    const sample = await sys.store.getSample(sys.campaign.id, 'hezhou');
    // Every pick kept the mark opening gave it (no replacement from now on), and the village's
    // aggregate counts all ten submissions: what the village screen and the group report read.
    expect(sample?.picks.filter((p) => p.startedAt !== undefined)).toHaveLength(10);
    expect(sample?.picks).toHaveLength(10);
    const aggregate = await sys.store.getVillageAggregate(sys.campaign.id, 'dongxing', 'hezhou');
    expect(aggregate?.households).toBe(10);
    expect(Object.keys(aggregate?.submitted ?? {})).toHaveLength(10);
    for (const { h } of team) {
      const id = surveyIdFor(sys.campaign.id, {
        kind: 'household',
        villageId: 'hezhou',
        householdId: h.householdId,
      });
      expect((await sys.store.getSurvey(id))?.status).toBe('submitted');
    }
    // A submitted household cannot then be replaced: the village keeps ten picks.
    const first = team[0]!;
    await first.interviewer.pressData('rr:hezhou:0:absent');
    const after = await sys.store.getSample(sys.campaign.id, 'hezhou');
    expect(after?.picks).toHaveLength(10);
    expect(sys.api.messages.filter((m) => m.text.includes('系统出错了'))).toEqual([]);
  }, 120_000);

  it('an old 申请替换 button is refused once the household’s survey has started', async () => {
    const inspector = sys.user(7_100_061, '苏');
    await seedPerson(sys.store, { id: inspector.id, roles: ['inspector'], groupId: 'g1' });
    await seedSample(sys.store, 'niueling', [
      { householdId: '4506810501', name: '苏国庆', stratum: 'non_poor' },
      { householdId: '4506810502', name: '蒙丽萍', stratum: 'non_poor' },
      { householdId: '4506810503', name: '卢春燕', stratum: 'non_poor' },
    ]);
    await inspector.send('/start');
    await inspector.pressData('h:niueling:0');
    expect(inspector.buttonTexts()).toContain('🔁 申请替换');
    const menu = inspector.lastMessage();
    await inspector.press('▶️ 开始调查');
    expect(inspector.lastText()).toContain('1.1 农户姓名');
    // The menu's old button, then the reason.
    const replace = menu.buttons.flat().find((b) => b.text === '🔁 申请替换')!;
    await inspector.pressData(replace.callback_data ?? '', menu);
    await inspector.press('不在家');
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toContain(
      '苏国庆户的问卷已经开始填写,不能再替换',
    );
    const sample = await sys.store.getSample(sys.campaign.id, 'niueling');
    expect(sample?.picks.map((p) => p.status)).toEqual(['selected', 'selected', 'selected']);
    expect(sample?.picks[0]?.startedBy).toBe(String(inspector.id));
    // The menu no longer offers it.
    await inspector.send('/start');
    await inspector.pressData('h:niueling:0');
    expect(inspector.buttonTexts()).not.toContain('🔁 申请替换');
  });

  it('a 4,000-character name added on site is refused and the village screen stays usable', async () => {
    const inspector = sys.user(7_100_071, '钟');
    await seedPerson(sys.store, { id: inspector.id, roles: ['inspector'], groupId: 'g1' });
    await seedSample(sys.store, 'songbai', [
      { householdId: '4506810601', name: '钟秀珍', stratum: 'non_poor' },
    ]);
    await inspector.send('/start');
    await inspector.pressData('os:songbai');
    await inspector.send('张'.repeat(4000));
    expect(inspector.lastText()).toBe('户主姓名应为1–20个字,请重新回复户主姓名。');
    await inspector.send('张海军');
    await inspector.send('走访中发现住房困难');
    expect(inspector.textsSince(0).some((x) => x.includes('已将 张海军 作为现场增补'))).toBe(true);
    await inspector.pressData('v:songbai');
    expect(inspector.lastText()).toContain('张海军');
    expect(inspector.lastText().length).toBeLessThan(1000);
  });
});

describe.each(ENGINES)('household ids as towns write them, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  const INSPECTOR = 7_200_001;
  const LEADER = 7_200_002;
  const LONG_ID = '东兴市江平镇班埃村第三村民小组第十五号农户家庭户编号甲'; // 28 characters

  beforeAll(async () => {
    engine = await startEngine(engineName, 'odd-ids');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: OFFICE, roles: ['office'] });
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2' });
    await seedPerson(sys.store, { id: LEADER, roles: ['leader'], groupId: 'g2' });
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('ids with /, :, # and 28 Chinese characters import, draw, open, resume, return and export', async () => {
    const inspector = sys.user(INSPECTOR, '阿明');
    const leader = sys.user(LEADER, '韩');
    // Exactly each stratum's quota, so every household is drawn.
    const rows = [
      ['3组/15号', '黄志强', '2014年退出户'],
      ['3组/16号', '李秀英', '2015年退出户'],
      ['12:7', '陈建华', '2016年已脱贫户'],
      ['12:8', '刘桂兰', '2016年已脱贫户'],
      ['A#1', '梁国庆', '2017年预脱贫户'],
      ['A#2', '韦丽萍', '2017年预脱贫户'],
      [LONG_ID, '莫海军', '2017年预脱贫户'],
      ['B-1', '覃春燕', '建档立卡贫困户'],
      ['B-2', '苏文杰', '建档立卡贫困户'],
      ['C 1', '罗玉梅', '非贫困户'],
    ];
    const csv = ['户编号,户主姓名,农户类型', ...rows.map((r) => r.join(','))].join('\r\n');
    await inspector.send('/villages');
    await inspector.press('班埃村 未抽样');
    await inspector.press('📤 上传名单');
    await inspector.upload('班埃村名单.csv', new TextEncoder().encode(csv));
    expect(inspector.textsSince(0).some((x) => x.startsWith('✅ 班埃村名单已上传:共 10 户'))).toBe(true);
    await inspector.press('🎲 抽取样本');
    await inspector.press('🎲 确定抽取');
    const sample = await sys.store.getSample(sys.campaign.id, 'banai');
    expect(sample?.picks.map((p) => p.householdId).sort()).toEqual(
      ['3组/15号', '3组/16号', '12:7', '12:8', 'A#1', 'A#2', LONG_ID, 'B-1', 'B-2', 'C1'].sort(),
    );
    // Every button the village screen shows fits Telegram's 64 bytes (the fake Bot API refuses more).
    const buttons = inspector.lastMessage().buttons.flat();
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data ?? '')).toBeLessThanOrEqual(64);

    // Open 3组/15号, answer one question, pause, and find it again with /resume.
    await inspector.press(/黄志强$/);
    await inspector.press('▶️ 开始调查');
    await inspector.press('✔ 黄志强');
    await inspector.press('⏸ 暂停');
    expect(inspector.lastText()).toMatch(/^⏸ 已暂停/);
    await inspector.send('/resume');
    expect(inspector.buttonTexts()).toContain('✏️ 黄志强户(班埃村)');
    await inspector.press('✏️ 黄志强户(班埃村)');
    expect(inspector.lastText()).toContain('第2/');
    await inspector.press('⏸ 暂停');

    // The 28-character id: open and answer through the whole survey, submit.
    const long = sample!.picks.findIndex((p) => p.householdId === LONG_ID);
    const interviewer = new Interviewer(inspector, rng(5), NO_FAULTS);
    await interviewer.pressData(`hs:banai:${long}`);
    await interviewer.answerAll(
      scriptHousehold(sys.campaign, { name: '莫海军', stratum: 'planned_2017' }, rng(6)),
    );
    await interviewer.submit();
    const longId = surveyIdFor(sys.campaign.id, {
      kind: 'household',
      villageId: 'banai',
      householdId: LONG_ID,
    });
    expect((await sys.store.getSurvey(longId))?.status).toBe('submitted');
    expect((await sys.store.getSample(sys.campaign.id, 'banai'))?.picks[long]?.startedAt).toBeDefined();

    // The raw export (submitted surveys) names the household as the town wrote it.
    const office = sys.user(OFFICE, '潘');
    await office.send('/summary');
    await office.press('全市');
    const raw = office.messages().find((m) => m.document?.fileName.includes('原始数据'));
    expect(raw).toBeDefined();
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(raw!.document!.bytes) as unknown as ArrayBuffer);
    const cells = book.worksheets.flatMap((ws) => {
      const out: string[] = [];
      ws.eachRow((row) => row.eachCell((c) => out.push(String(c.value ?? ''))));
      return out;
    });
    expect(cells).toContain(LONG_ID);

    // The leader returns it at one answer; the inspector's notice opens it there.
    await leader.send('/surveys');
    await leader.press(/^班埃村/);
    await leader.press(/莫海军户/);
    await leader.press('↩️ 退回修改');
    await leader.press(/家庭基本情况|被调查户基本情况/);
    await leader.press(/^1\.3|家庭实际人口/);
    await leader.send('请再核实一下家庭实际人口');
    expect(leader.textsSince(0).some((x) => x.startsWith('↩️ 已退回:莫海军户'))).toBe(true);
    const notice = inspector.messages().find((m) => m.text.startsWith('↩️ 组长退回了您的问卷'));
    expect(notice?.text).toContain('莫海军户(班埃村)');
    const open = notice!.buttons.flat()[0]!;
    expect(Buffer.byteLength(open.callback_data ?? '')).toBeLessThanOrEqual(64);
    await inspector.pressData(open.callback_data ?? '', notice);
    expect(inspector.lastText()).toContain('家庭实际人口');

    expect(sys.api.messages.filter((m) => m.text.includes('系统出错了'))).toEqual([]);
  }, 120_000);
});

describe.each(ENGINES)('list files checked before they are trusted, through the chat on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let contact: ChatUser;
  const CONTACT = 7_300_001;
  const INSPECTOR = 7_300_002;

  const rowsOf = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const strata = ['2014年退出户', '2016年已脱贫户', '2017年预脱贫户', '建档立卡贫困户', '非贫困户'];
      return `${prefix}${String(i).padStart(2, '0')},户主${i},${strata[i % 5]}`;
    });
  const csvOf = (lines: string[]) =>
    new TextEncoder().encode(['户编号,户主姓名,农户类型', ...lines].join('\r\n'));

  beforeAll(async () => {
    engine = await startEngine(engineName, 'list-files');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: CONTACT, roles: ['town_contact'], townId: 'jiangping' });
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2' });
    contact = sys.user(CONTACT, '交东联络人');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  async function uploadFor(user: ChatUser, villageId: string, fileName: string, bytes: Uint8Array) {
    await user.send('/start');
    await user.pressData(`up:${villageId}`);
    await user.upload(fileName, bytes);
    return user.lastText();
  }

  it('大田村’s workbook sent for 交东村 is refused, naming 大田村, and nothing is stored', async () => {
    const bytes = new Uint8Array(readFileSync('local/sample-data/大田村农户名单.xlsx'));
    const reply = await uploadFor(contact, 'jiaodong', '名单.xlsx', bytes);
    expect(reply).toContain('大田村');
    expect(reply).toContain('不是交东村的');
    expect(await sys.store.getHouseholdListInfo(sys.campaign.id, 'jiaodong')).toBeUndefined();
  });

  it('a picture named 名单.csv and a Word file are named for what they are', async () => {
    expect(await uploadFor(contact, 'jiaodong', '名单.csv', png())).toMatch(/图片.*PNG/);
    const docx = zip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'word/document.xml', data: '<w:document/>' },
    ]);
    expect(await uploadFor(contact, 'jiaodong', '名单.docx', docx)).toContain('Word');
    expect(await sys.store.getHouseholdListInfo(sys.campaign.id, 'jiaodong')).toBeUndefined();
  });

  it('a zip bomb is refused within seconds with a Chinese message', async () => {
    const bomb = xlsx({
      sheetPart: {
        deflated: deflatedRepeat(
          '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">',
          '<c/>',
          800,
        ),
      },
    });
    const started = performance.now();
    const reply = await uploadFor(contact, 'jiaodong', '名单.xlsx', bomb);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(reply).toMatch(/\p{Script=Han}/u);
    expect(reply).toContain('64 MB');
  });

  it('人口 written 五 or -1 is reported with its row, and A1 beside A\u200b1 is a duplicate', async () => {
    const reply = await uploadFor(
      contact,
      'jiaodong',
      '名单.csv',
      new TextEncoder().encode(
        [
          '户编号,户主姓名,农户类型,人口',
          'A1,黄明,非贫困户,五',
          'A2,李华,非贫困户,-1',
          'A\u200b1,陈强,非贫困户,3',
        ].join('\n'),
      ),
    );
    expect(reply).toMatch(/^名单有 3 处错误/);
    expect(reply).toContain('第2行');
    expect(reply).toContain('第3行');
    expect(reply).toContain('第4行');
    expect(await sys.store.getHouseholdListInfo(sys.campaign.id, 'jiaodong')).toBeUndefined();
  });

  it('确定替换 under one village’s question never replaces another village’s list asked about since', async () => {
    await uploadFor(contact, 'wanwei', '名单.csv', csvOf(rowsOf('W', 20)));
    await uploadFor(contact, 'wutou', '名单.csv', csvOf(rowsOf('U', 30)));
    await uploadFor(contact, 'wanwei', '名单.csv', csvOf(rowsOf('W', 21)));
    const first = structuredClone(contact.findButton('✅ 确定替换'));
    await uploadFor(contact, 'wutou', '名单.csv', csvOf(rowsOf('U', 5)));
    await contact.pressData(first.button.callback_data ?? '', first.message);
    expect((await sys.store.getHouseholdListInfo(sys.campaign.id, 'wutou'))?.count).toBe(30);
    expect((await sys.store.getHouseholdListInfo(sys.campaign.id, 'wanwei'))?.count).toBe(20);
    // The question asked last is still answered by its own button.
    await contact.press('✅ 确定替换');
    expect((await sys.store.getHouseholdListInfo(sys.campaign.id, 'wutou'))?.count).toBe(5);
  });

  it('a second list asks to confirm with both counts; phone and 身份证号 columns are dropped and said so', async () => {
    const first = await uploadFor(contact, 'zhazu', '名单.csv', csvOf(rowsOf('Z', 20)));
    expect(first).not.toContain('错误');
    const withPhones = new TextEncoder().encode(
      [
        '户编号,户主姓名,农户类型,联系电话,身份证号',
        ...rowsOf('Z', 24).map((r, i) => `${r},1380000${i},45068119800101${i}`),
      ].join('\r\n'),
    );
    const reply = await uploadFor(contact, 'zhazu', '名单.csv', withPhones);
    expect(reply).toContain('已有名单:共 20 户');
    expect(reply).toContain('新名单:共 24 户');
    expect(reply).toContain('已忽略以下列(不保存):联系电话、身份证号');
    expect((await sys.store.getHouseholdListInfo(sys.campaign.id, 'zhazu'))?.count).toBe(20);
    await contact.press('✅ 确定替换');
    expect(contact.textsSince(0)).toContain('✅ 吒祖村名单已替换:20 户 → 24 户。');
    const list = await sys.store.getHouseholdList(sys.campaign.id, 'zhazu');
    expect(list?.count).toBe(24);
    expect(JSON.stringify(list)).not.toContain('13800001');
  });

  it('a list replaced while 抽取样本 is pressed never leaves the sample drawn from another list', async () => {
    const inspector = sys.user(INSPECTOR, '阿明');
    for (const [n, villageId] of ['guiming', 'shanxin', 'jianglong'].entries()) {
      await uploadFor(contact, villageId, '名单.csv', csvOf(rowsOf(`G${n}`, 20)));
      await uploadFor(contact, villageId, '名单.csv', csvOf(rowsOf(`G${n}`, 25)));
      const replace = contact.findButton('✅ 确定替换');
      await inspector.send('/start');
      await inspector.pressData(`dr:${villageId}`);
      const draw = inspector.findButton('🎲 确定抽取');
      // Both land at once.
      await Promise.all([
        contact.pressData(replace.button.callback_data ?? '', replace.message),
        inspector.pressData(draw.button.callback_data ?? '', draw.message),
      ]);
      const state = await sys.store.getVillageState(sys.campaign.id, villageId);
      if (state.sample) {
        // Drawn: from the list in force, and a replacement can still be drawn from it.
        expect(state.sample.fingerprint).toBe(state.list?.fingerprint);
        const pick = state.sample.picks.find((p) => p.stratum === 'non_poor')!;
        await inspector.pressData(`rr:${villageId}:${state.sample.picks.indexOf(pick)}:absent`);
        const after = await sys.store.getSample(sys.campaign.id, villageId);
        expect(after?.picks.filter((p) => p.status === 'replaced')).toHaveLength(1);
      } else {
        // The replacement won: the draw said the list changed, and drawing now works.
        expect(
          inspector.textsSince(0).join('\n') +
            sys.api
              .callsOf('answerCallbackQuery')
              .map((c) => c.params.text)
              .join('\n'),
        ).toContain('刚刚被他人更新');
      }
    }
    expect(sys.api.messages.filter((m) => m.text.includes('系统出错了'))).toEqual([]);
  });
});
