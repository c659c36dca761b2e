// Private chats only (issue 19): in a group, a supergroup or a channel the bot reads nothing,
// answers with no names and stores nothing — it says once that it works in private chats and
// leaves. A leader's /surveys typed in a group posts no list; /start with an invite code typed in a
// group neither uses the invite nor stores the group as anyone's chat; added to a group, the bot
// leaves. Forged button data naming Object's own members, or a button with no message under it,
// is an unknown button, not a crash.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../app/messaging';
import { createInvite } from '../../app/people';
import { systemOffice } from '../../functions/summary-files';
import { textMessageUpdate } from '../../local/updates';
import { type ChatUser, nextUpdateId } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { type System, seedPerson, startSystem } from '../support/system';

const GROUP = -1_001_234_567_890;
let engine: Engine;
let sys: System;
let leader: ChatUser;

/** A text typed by `user` into the group (Telegram's update for a supergroup message). */
function inGroup(user: ChatUser, text: string, type = 'supergroup') {
  const update = textMessageUpdate(nextUpdateId(), { id: user.id, firstName: '韩' }, 1, text) as unknown as {
    message: { chat: unknown };
  };
  update.message.chat = { id: GROUP, type, title: '第二组工作群' };
  return user.post(update as unknown as Record<string, unknown>);
}

const groupMessages = () => sys.api.callsOf('sendMessage').filter((c) => Number(c.params.chat_id) === GROUP);
const leaves = () => sys.api.callsOf('leaveChat').filter((c) => Number(c.params.chat_id) === GROUP);

beforeAll(async () => {
  engine = await startEngine('dynalite', 'private-only');
  sys = await startSystem({ engine });
  await seedPerson(sys.store, { id: 9_720_001, roles: ['leader'], groupId: 'g2', name: '韩' });
  leader = sys.user(9_720_001, '韩');
  await leader.send('/start');
}, 60_000);

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('a group chat', () => {
  it("gets one reply and the bot leaves; a leader's /surveys there lists nothing and changes nothing", async () => {
    const before = await sys.store.getPerson('9720001');
    await inGroup(leader, '/surveys');
    expect(groupMessages().map((c) => c.params.text)).toEqual([
      '本机器人只在私聊中使用,请点我的头像私聊。我将退出本群。',
    ]);
    expect(leaves()).toHaveLength(1);
    const after = await sys.store.getPerson('9720001');
    expect(after?.version).toBe(before?.version);
    expect(after?.chatId).toBe(9_720_001);
  });

  it('does not use an invite typed there, nor store the group as anyone’s chat', async () => {
    const invite = await createInvite(
      { store: sys.store, clock: systemClock },
      systemOffice('office', new Date().toISOString()),
      sys.campaign,
      { role: 'inspector', groupId: 'g2' },
    );
    const stranger = sys.user(9_720_002, '新人');
    await inGroup(stranger, `/start ${invite.code}`);
    expect(await sys.store.getPerson('9720002')).toBeUndefined();
    expect((await sys.store.getInvite(invite.code))?.usedBy).toBeUndefined();
    expect(leaves().length).toBeGreaterThanOrEqual(2);
    // In the private chat the same code still works.
    await stranger.send(`/start ${invite.code}`);
    const joined = await sys.store.getPerson('9720002');
    expect(joined?.chatId).toBe(9_720_002);
    expect(joined?.grants).toEqual([expect.objectContaining({ role: 'inspector', groupId: 'g2' })]);
  });

  it('is left as soon as someone adds the bot to it', async () => {
    const count = leaves().length;
    await leader.post({
      update_id: nextUpdateId(),
      my_chat_member: {
        chat: { id: GROUP, type: 'group', title: '第二组工作群' },
        from: { id: 9_720_001, is_bot: false, first_name: '韩' },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: 'left', user: { id: 1, is_bot: true, first_name: 'bot' } },
        new_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'bot' } },
      },
    });
    expect(leaves()).toHaveLength(count + 1);
  });
});

describe('forged button data', () => {
  it('a button with no message under it gets a toast and nothing else', async () => {
    const sent = sys.api.callsOf('sendMessage').length;
    await leader.post({
      update_id: nextUpdateId(),
      callback_query: {
        id: `cq-nomsg-${nextUpdateId()}`,
        from: { id: 9_720_001, is_bot: false, first_name: '韩' },
        chat_instance: '1',
        data: 'mi',
      },
    });
    expect(sys.api.callsOf('answerCallbackQuery').at(-1)?.params.text).toBe('这个按钮已失效,请重新操作。');
    expect(sys.api.callsOf('sendMessage')).toHaveLength(sent);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', '__proto__:x:y'])(
    '%s is an unknown button, answered with a toast, not an error',
    async (data) => {
      const failed = sys.api
        .callsOf('sendMessage')
        .filter((c) => String(c.params.text).includes('系统出错了')).length;
      await leader.pressData(data);
      const toast = sys.api.callsOf('answerCallbackQuery').at(-1);
      expect(toast?.params.text).toBe('这个按钮已失效,请重新操作。');
      expect(
        sys.api.callsOf('sendMessage').filter((c) => String(c.params.text).includes('系统出错了')),
      ).toHaveLength(failed);
    },
  );
});

describe('odd input in the private chat', () => {
  it('a 3,000-character /start code is an unknown invite, not an error', async () => {
    const stranger = sys.user(9_720_003, '路人');
    await stranger.send(`/start ${'x'.repeat(3000)}`);
    expect(stranger.lastText()).toBe('邀请码无效。请确认链接完整,或向扶贫办索取新的邀请链接。');
    expect(await sys.store.getPerson('9720003')).toBeUndefined();
  });

  it('an edited message is answered: edits are not recorded, and how to change an answer', async () => {
    const update = textMessageUpdate(
      nextUpdateId(),
      { id: leader.id, firstName: '韩' },
      7,
      '5200',
    ) as unknown as {
      update_id: number;
      message: Record<string, unknown>;
    };
    const before = await sys.store.getPerson('9720001');
    await leader.post({ update_id: update.update_id, edited_message: { ...update.message, edit_date: 1 } });
    expect(leader.lastText()).toBe(
      '修改已发送的消息不会被记录。要改答案,请用“⬅️ 上一题”回到那道题重新回答,或在回顾页点“✏️ 修改”。',
    );
    expect((await sys.store.getPerson('9720001'))?.version).toBe(before?.version);
  });
});
