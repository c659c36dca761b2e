// Telegram retries an update that timed out, sometimes while the first delivery is still running.
// Every update records its id before any side effect, so a repeat — at once or later — changes
// and sends nothing again: one summary, one invite, one stored list, one sign-off, one 明日检查村.
// On both DynamoDB engines, through the webhook.

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackQueryUpdate, documentMessageUpdate, textMessageUpdate } from '../../local/updates';
import { type ChatUser, nextUpdateId } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const OFFICE = 9_400_001;
const LEADER = 9_400_002;
const CONTACT = 9_400_003;

/** The same update, delivered `times` times at once. */
async function deliveredAtOnce(user: ChatUser, update: Record<string, unknown>, times = 3) {
  await Promise.all(Array.from({ length: times }, () => user.post(update)));
}

function press(user: ChatUser, data: string) {
  const message = user.lastMessage();
  return callbackQueryUpdate(
    nextUpdateId(),
    { id: user.id, firstName: user.firstName },
    {
      queryId: `cq${nextUpdateId()}`,
      data,
      message: { message_id: message.message_id, date: 0, text: message.text },
    },
  );
}

let messageNo = 10_000;
const typed = (user: ChatUser, text: string) =>
  textMessageUpdate(nextUpdateId(), { id: user.id, firstName: user.firstName }, messageNo++, text);

describe.each(ENGINES)('a repeated update acts once, on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let office: ChatUser;
  let leader: ChatUser;
  let contact: ChatUser;

  beforeAll(async () => {
    engine = await startEngine(engineName, 'retries');
    sys = await startSystem({ engine });
    await seedPerson(sys.store, { id: OFFICE, roles: ['office'] });
    await seedPerson(sys.store, { id: LEADER, roles: ['leader'], groupId: 'g3' });
    await seedPerson(sys.store, { id: CONTACT, roles: ['town_contact'], townId: 'malu' });
    office = sys.user(OFFICE, '潘');
    leader = sys.user(LEADER, '李');
    contact = sys.user(CONTACT, '马路联络人');
    for (const u of [office, leader, contact]) await u.send('/start');
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('📊 汇总表 delivered three times at once builds and sends the files once', async () => {
    await office.send('/summary');
    const before = office.messages().filter((m) => m.document).length;
    await deliveredAtOnce(office, press(office, 'sm:city'));
    expect(office.messages().filter((m) => m.document).length - before).toBe(2);
    const snapshots = await engine.client.send(
      new QueryCommand({
        TableName: engine.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `SNAPSHOT#${sys.campaign.id}#city` },
      }),
    );
    expect(snapshots.Items).toHaveLength(1);
  });

  it('one invite button delivered three times at once creates one invite', async () => {
    await office.send('/invite');
    const before = (await sys.store.openInvites()).length;
    await deliveredAtOnce(office, press(office, 'ir:office'));
    expect((await sys.store.openInvites()).length - before).toBe(1);
    expect(office.messages().filter((m) => m.text.startsWith('邀请链接')).length).toBe(1);
  });

  it('one upload delivered twice at once is stored once', async () => {
    await contact.pressData('up:daqiao');
    const csv = [
      '户编号,户主姓名,农户类型',
      ...Array.from({ length: 12 }, (_, i) => `D${i},户主${i},非贫困户`),
    ].join('\n');
    const bytes = new TextEncoder().encode(csv);
    sys.api.files.set('documents/retry-upload', bytes);
    const update = documentMessageUpdate(
      nextUpdateId(),
      { id: contact.id, firstName: contact.firstName },
      messageNo++,
      {
        fileId: 'retry-upload',
        fileName: '大桥村.csv',
        size: bytes.length,
      },
    );
    await deliveredAtOnce(contact, update, 2);
    const uploads = (await sys.store.auditOf(`list:${sys.campaign.id}/daqiao`)).filter(
      (e) => e.action === 'list.upload',
    );
    expect(uploads).toHaveLength(1);
    expect(contact.messages().filter((m) => m.text.startsWith('✅ 大桥村名单已上传')).length).toBe(1);
  });

  it('签发 and 明日检查村 delivered twice act once', async () => {
    await leader.send('/start');
    await leader.send('/report');
    const signOff = press(leader, leader.findButton('✍️ 签发').button.callback_data ?? '');
    await deliveredAtOnce(leader, signOff, 2);
    await leader.post(signOff); // and once more, later
    const events = await sys.store.auditOf(`group_report:${sys.campaign.id}/g3`);
    expect(events.filter((e) => e.action.includes('sign'))).toHaveLength(1);
    expect(leader.messages().filter((m) => m.text.startsWith('✅ 已签发')).length).toBe(1);

    await leader.send('/tomorrow');
    const tomorrow = press(leader, leader.findButton('平丰村').button.callback_data ?? '');
    await deliveredAtOnce(leader, tomorrow, 2);
    expect(leader.messages().filter((m) => m.text.startsWith('✅ 已设定明日检查村')).length).toBe(1);
  });

  it('each role’s /help says what that role does: no survey hint for a town contact or the office', async () => {
    await contact.send('/help');
    expect(contact.lastText()).toContain('上传当天的农户名单');
    expect(contact.lastText()).not.toContain('答题时');
    await office.send('/help');
    expect(office.lastText()).toContain('/people');
    expect(office.lastText()).not.toContain('答题时');
    await leader.send('/help');
    expect(leader.lastText()).toContain('答题时');
  });

  it('a typed command repeated later does nothing the second time', async () => {
    await seedSample(sys.store, 'zhuwei', [{ householdId: 'Z1', name: '罗玉梅', stratum: 'non_poor' }]);
    const before = leader.messages().length;
    const report = typed(leader, '/report');
    await leader.post(report);
    const after = leader.messages().length;
    expect(after).toBeGreaterThan(before);
    await leader.post(report);
    expect(leader.messages().length).toBe(after);
  });
});
