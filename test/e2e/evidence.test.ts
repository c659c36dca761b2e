// Field evidence (issue 16, DOMAIN.md §11): photos sent during a survey are stored once in the
// evidence bucket (s3rver) and referenced from the survey; the location before the review is
// measured against the village; too few photos or a far location are flags, never a block; a
// forwarded photo is refused; the leader's view sends the album and the pin. Through the webhook
// on both DynamoDB engines, with photos in an S3-compatible server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileStore } from '../../app/ports';
import { surveyIdFor } from '../../app/surveys';
import type { Person, Survey } from '../../domain/model';
import type { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { freshPhoto, giveEvidence, isLocationStep, isPhotosStep, nearVillage } from '../support/evidence';
import { type LocalS3, startS3 } from '../support/s3';
import { answerUntilStop, answerWhile, currentQuestion, typicalHousehold } from '../support/survey-driver';
import { campaign, type System, seedPerson, seedSample, startSystem } from '../support/system';

const village = campaign.towns.flatMap((t) => t.villages).find((v) => v.id === 'guiming')!;

describe.each(ENGINES)('evidence from the field, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let inspector: ChatUser;
  let leader: ChatUser;
  const INSPECTOR = 9_600_001;
  const LEADER = 9_600_002;

  const personOf = async (id: number) => (await sys.store.getPerson(String(id))) as Person;
  const draftOf = async () => (await personOf(INSPECTOR)).session.draft;
  const surveyOf = async (index: number) =>
    (await sys.store.getSurvey(
      surveyIdFor(campaign.id, { kind: 'household', villageId: 'guiming', householdId: `V${index + 1}` }),
    )) as Survey;
  const stored = () => sys.files.list(`evidence/${campaign.id}/`);
  const since = (user: ChatUser, n: number) => user.textsSince(n);

  beforeAll(async () => {
    engine = await startEngine(engineName, 'evidence');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2' });
    await seedPerson(sys.store, { id: LEADER, roles: ['leader'], groupId: 'g2' });
    await seedSample(sys.store, 'guiming', [
      { householdId: 'V1', name: '黄秀英', stratum: 'exited_2016' },
      { householdId: 'V2', name: '李国庆', stratum: 'exited_2016' },
      { householdId: 'V3', name: '韦丽萍', stratum: 'exited_2016' },
    ]);
    inspector = sys.user(INSPECTOR, '阿明');
    leader = sys.user(LEADER, '韦组长');
    await inspector.send('/start');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('two photos (one with the question on screen) and a location inside the radius: stored once each, no flags', async () => {
    await inspector.pressData('hs:guiming:0');
    await answerWhile(inspector, { h1_name: '黄秀英', h1_type: '2016年脱贫户' });
    // A photo while 1.3 实际人口 is on screen is linked to that question.
    expect(currentQuestion(inspector)).toBe('h1_pop_actual');
    const first = freshPhoto();
    await inspector.sendPhoto(first);
    expect(inspector.lastText()).toBe('📷 已保存照片(第 1 张,关联:1.3 家庭实际人口(共同生活人口))。');
    await answerUntilStop(inspector, typicalHousehold, undefined, 'stop');
    expect(isLocationStep(inspector.lastMessage())).toBe(true);

    const spot = nearVillage(village, 0.4);
    await inspector.sendLocation(spot.lat, spot.lon);
    expect(inspector.messages().at(-2)?.text).toBe('📍 已记录位置:距贵明村 0.4 公里。');
    // One photo is enough for the campaign: straight to the review; a second is still welcome.
    expect(inspector.lastText()).toContain('📋 回顾');
    expect(inspector.lastText()).toContain('📷 1 张 · 📍 距贵明村 0.4 公里');
    await inspector.sendPhoto(freshPhoto(), { caption: '住房外观' });
    expect(inspector.lastText()).toBe('📷 已保存照片(第 2 张,关联:整份问卷)。');

    // The review, shown again (in place, as the edit menu's 返回 does), counts both.
    await inspector.press('✏️ 修改');
    await inspector.press('⬅️ 返回');
    const review = [...inspector.messages()].reverse().find((m) => m.text.includes('📋 回顾'))!.text;
    expect(review).toContain('📷 2 张 · 📍 距贵明村 0.4 公里');
    expect(review).not.toContain('现场照片少于要求');
    await inspector.press('✅ 提交');

    const survey = await surveyOf(0);
    expect(survey.status).toBe('submitted');
    expect(survey.flags).not.toContain('no_photo');
    expect(survey.flags).not.toContain('far_from_village');
    const photos = survey.evidence?.photos ?? [];
    expect(photos.map((p) => [p.questionId, p.caption, p.by, p.mime])).toEqual([
      ['h1_pop_actual', undefined, String(INSPECTOR), 'image/png'],
      [undefined, '住房外观', String(INSPECTOR), 'image/png'],
    ]);
    expect(survey.evidence?.location).toMatchObject({ lat: spot.lat, lon: spot.lon, distanceKm: 0.4 });
    // The bytes are in the bucket under the survey, once each; the item keeps only references.
    const keys = await stored();
    expect(keys.filter((k) => k.includes(survey.id))).toEqual(photos.map((p) => p.key).sort());
    expect(Buffer.from((await sys.files.get(photos[0]!.key))!)).toEqual(Buffer.from(first));
    expect(photos[0]!.size).toBe(first.length);
    expect(JSON.stringify(survey)).not.toContain(Buffer.from(first).toString('base64').slice(0, 40));
  });

  it('the same photo update delivered twice, even at once, stores one object and one reference', async () => {
    await inspector.pressData('hs:guiming:1');
    await answerWhile(inspector, { h1_name: '李国庆', h1_type: '2016年脱贫户' });
    const before = (await stored()).length;
    await inspector.sendPhoto(freshPhoto());
    const update = inspector.lastUpdate!;
    const answered = inspector.messages().length;
    await inspector.replay();
    await Promise.all([inspector.post(update), inspector.post(update)]);
    expect((await draftOf())?.evidence?.photos).toHaveLength(1);
    // Recorded in the one write that stores the reference: a repeat says nothing again.
    expect(since(inspector, answered).filter((t) => t.startsWith('📷'))).toEqual([]);
    expect((await stored()).length).toBe(before + 1);
    // A new update with the same picture (Telegram's same unique id) is said to be there already.
    const n = inspector.messages().length;
    await inspector.post({ ...update, update_id: Number(update.update_id) + 100_000 });
    expect(since(inspector, n)).toEqual(['这张照片已经保存过了。']);
    expect((await draftOf())?.evidence?.photos).toHaveLength(1);
  });

  it('a forwarded photo or location, a sticker and a renamed spreadsheet are refused and change nothing', async () => {
    const before = await draftOf();
    const objects = (await stored()).length;
    let n = inspector.messages().length;
    await inspector.sendPhoto(freshPhoto(), { forwarded: true });
    await inspector.sendLocation(village.location!.lat, village.location!.lon, { forwarded: true });
    await inspector.sendSticker();
    await inspector.upload('现场.jpg', new TextEncoder().encode('姓名,身份证号\n张三,1'));
    expect(since(inspector, n)).toEqual([
      '转发的照片或位置不能作为现场证据,请在现场直接拍照或发送当前位置。',
      '转发的照片或位置不能作为现场证据,请在现场直接拍照或发送当前位置。',
      '问卷中只接收文字、照片和位置;语音、视频、贴纸等不会被记录。',
      '这个文件不是照片(只接收 JPG、PNG、WebP、HEIC 图片),没有保存。问卷的答案没有受影响。',
    ]);
    const after = await draftOf();
    expect(after?.evidence).toEqual(before?.evidence);
    expect(after?.answers).toEqual(before?.answers);
    expect((await stored()).length).toBe(objects);
    // An image sent as a file (it keeps its EXIF) is a photo.
    n = inspector.messages().length;
    await inspector.upload('IMG_0412.png', freshPhoto());
    expect(since(inspector, n)[0]).toMatch(/^📷 已保存照片\(第 2 张/);
  });

  it('no photo takes a reason and raises no_photo; a far location raises far_from_village with the distance', async () => {
    await inspector.pressData('hs:guiming:2');
    await answerUntilStop(
      inspector,
      { h1_name: '韦丽萍', h1_type: '2016年脱贫户', ...typicalHousehold },
      undefined,
      'stop',
    );
    const far = nearVillage(village, 8);
    await inspector.sendLocation(far.lat, far.lon);
    expect(inspector.messages().at(-2)?.text).toBe('📍 已记录位置:距贵明村 8 公里。');
    expect(isPhotosStep(inspector.lastMessage())).toBe(true);
    expect(inspector.lastText()).toContain('本问卷需要至少 1 张现场照片,目前 0 张');
    await inspector.send('不');
    expect(inspector.lastText()).toBe('原因太短了,请用一句话说明(至少 4 个字)。');
    await inspector.send('农户不同意拍照');
    const review = inspector.lastText();
    expect(review).toContain('📷 无照片(原因:农户不同意拍照) · 📍 距贵明村 8 公里');
    expect(review).toContain('· 现场照片少于要求');
    expect(review).toContain('· 定位距村 8 公里,超出范围');
    // Flags never block: the survey is submitted with them.
    expect(inspector.buttonTexts()).toContain('✅ 提交');
    await inspector.press('✅ 提交');
    const survey = await surveyOf(2);
    expect(survey.status).toBe('submitted');
    expect(survey.flags).toEqual(expect.arrayContaining(['no_photo', 'far_from_village']));
    expect(survey.evidence).toMatchObject({
      photos: [],
      photoReason: '农户不同意拍照',
      location: { distanceKm: 8 },
    });
  });

  it("the leader's view sends the album and the pin, then the card with the flags first", async () => {
    await leader.send('/surveys');
    await leader.press(/^贵明村 \d+$/);
    await leader.press(/黄秀英户/);
    const survey = await surveyOf(0);
    const album = sys.api.callsOf('sendMediaGroup').filter((c) => Number(c.params.chat_id) === LEADER);
    expect(album).toHaveLength(1);
    const media = album[0]!.params.media as { type: string; media: string; caption: string }[];
    expect(media.map((m) => m.media)).toEqual(survey.evidence!.photos.map((p) => p.fileId));
    expect(media[0]!.caption).toMatch(
      /^📷 黄秀英户\(贵明村\) 1\/2\n1\.3 家庭实际人口\(共同生活人口\) · \d+月\d+日 \d\d:\d\d$/,
    );
    expect(media[1]!.caption).toContain('说明:住房外观');
    const pin = sys.api.callsOf('sendLocation').filter((c) => Number(c.params.chat_id) === LEADER);
    expect(pin.map((c) => [Number(c.params.latitude), Number(c.params.longitude)])).toEqual([
      [survey.evidence!.location!.lat, survey.evidence!.location!.lon],
    ]);
    expect(leader.lastText()).toContain('📷 2 张 · 📍 距贵明村 0.4 公里');
    expect(leader.buttonTexts()).toContain('↩️ 退回修改');

    // The flagged survey: the flags come before the answers, and ride on the album's caption.
    await leader.press('⬅️ 返回');
    await leader.press(/韦丽萍户/);
    const card = leader.lastText();
    expect(card.indexOf('定位距村 8 公里,超出范围')).toBeLessThan(card.indexOf('一、被调查户基本情况'));
    // No photo: no album; the pin still shows where the location was sent from.
    expect(sys.api.callsOf('sendMediaGroup').filter((c) => Number(c.params.chat_id) === LEADER)).toHaveLength(
      1,
    );
    expect(sys.api.callsOf('sendLocation').filter((c) => Number(c.params.chat_id) === LEADER)).toHaveLength(
      2,
    );
  });

  it('a problem takes photos once it is described; they are shown as an album from its card', async () => {
    await inspector.send('/problem');
    await inspector.press('二、精准帮扶·措施制定');
    await inspector.press('贵明村');
    await inspector.press('跳过');
    // A photo before the words: asked for the description first, nothing stored.
    const objects = (await stored()).length;
    await inspector.sendPhoto(freshPhoto());
    expect(inspector.lastText()).toBe('请先用文字描述问题;记录后可以直接发送照片,附在问题上。');
    await inspector.send('贵明村帮扶手册中帮扶措施与致贫原因不对应,2户因病致贫却只安排了产业奖补。');
    expect(inspector.lastText()).toContain('如有现场照片,现在可以直接发送');
    await inspector.sendPhoto(freshPhoto(), { caption: '手册第3页' });
    expect(inspector.lastText()).toBe('📷 已附到问题上(共 1 张)。');
    await inspector.replay();
    await inspector.sendPhoto(freshPhoto());
    expect(inspector.lastText()).toBe('📷 已附到问题上(共 2 张)。');
    const [problem] = (await sys.store.problemsOfTown(campaign.id, 'jiangping')).filter((p) =>
      p.description.startsWith('贵明村帮扶手册'),
    );
    expect(problem?.photos?.map((p) => [p.caption, p.by])).toEqual([
      ['手册第3页', String(INSPECTOR)],
      [undefined, String(INSPECTOR)],
    ]);
    expect((await stored()).filter((k) => k.includes(`/problems/${problem!.id}/`))).toHaveLength(2);
    expect((await stored()).length).toBe(objects + 2);
    // The card says how many and shows them; a photo is not the town acting: edit stays open.
    await inspector.pressData(`po:${problem!.id}`);
    expect(inspector.lastText()).toContain('照片:2 张');
    expect(inspector.buttonTexts()).toEqual([
      '✏️ 修改描述',
      '↩️ 撤回',
      '📷 补充照片',
      '🖼 查看照片(2)',
      '⬅️ 返回列表',
    ]);
    await inspector.press('🖼 查看照片(2)');
    const album = sys.api.callsOf('sendMediaGroup').at(-1)!;
    expect(Number(album.params.chat_id)).toBe(INSPECTOR);
    expect((album.params.media as { media: string }[]).map((m) => m.media)).toEqual(
      problem!.photos!.map((p) => p.fileId),
    );
  });

  it('another group may not see the photos', async () => {
    const OUTSIDER = 9_600_003;
    await seedPerson(sys.store, { id: OUTSIDER, roles: ['leader'], groupId: 'g1' });
    const outsider = sys.user(OUTSIDER, '外组组长');
    await outsider.send('/start');
    const survey = await surveyOf(0);
    await outsider.pressData(`gs:${survey.id}`);
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('您没有权限进行此操作。');
    expect(sys.api.callsOf('sendMediaGroup').filter((c) => Number(c.params.chat_id) === OUTSIDER)).toEqual(
      [],
    );
  });
});

describe('a photo the bucket will not take', () => {
  let engine: Engine;
  let s3: LocalS3;
  let sys: System;
  let inspector: ChatUser;
  let failures = 0;
  const ID = 9_600_101;

  beforeAll(async () => {
    engine = await startEngine('dynalite', 'evidence-faults');
    s3 = await startS3();
    // The bucket refuses the next `failures` puts (an outage), then works again.
    const flaky: FileStore = {
      put: async (key, bytes, type) => {
        if (failures > 0) {
          failures--;
          throw new Error('ServiceUnavailable');
        }
        return s3.files.put(key, bytes, type);
      },
      get: (key) => s3.files.get(key),
      list: (prefix) => s3.files.list(prefix),
      putStream: (key, write, type) => s3.files.putStream(key, write, type),
      link: (key, seconds, name) => s3.files.link(key, seconds, name),
    };
    sys = await startSystem({ engine, files: flaky });
    await seedPerson(sys.store, { id: ID, roles: ['inspector'], groupId: 'g2' });
    await seedSample(sys.store, 'guiming', [{ householdId: 'F1', name: '陆海燕', stratum: 'exited_2016' }]);
    inspector = sys.user(ID, '小陆');
    await inspector.send('/start');
    await inspector.pressData('hs:guiming:0');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await s3?.stop();
    await engine?.stop();
  });

  it('is retried; when the bucket stays down the inspector is told, and no answer is lost', async () => {
    await answerWhile(inspector, { h1_name: '陆海燕', h1_type: '2016年脱贫户' });
    const answers = (await sys.store.getPerson(String(ID)))?.session.draft?.answers;
    failures = 2;
    await inspector.sendPhoto(freshPhoto());
    expect(inspector.lastText()).toMatch(/^📷 已保存照片\(第 1 张/);
    failures = 10;
    await inspector.sendPhoto(freshPhoto());
    expect(inspector.lastText()).toBe('照片没能保存,请稍后重新发送这张照片。问卷的答案没有受影响。');
    const draft = (await sys.store.getPerson(String(ID)))?.session.draft;
    expect(draft?.evidence?.photos).toHaveLength(1);
    expect(draft?.answers).toEqual(answers);
    expect((await s3.files.list('evidence/')).length).toBe(1);
    // The survey goes on where it was.
    failures = 0;
    expect(currentQuestion(inspector)).toBe('h1_pop_actual');
    await giveEvidence(inspector);
  });
});
