import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { type Campaign, deadlineInstant } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Person, Role } from '../../domain/model';
import {
  ackedItemKey,
  localDate,
  MAX_CALLBACK_BYTES,
  type OpenItem,
  type OpenProblem,
  type PlannedReminder,
  parseReminderKey,
  planDailyList,
  planEscalations,
  planReminders,
  reminderLookups,
  type VillagePlan,
} from '../../domain/reminders';
import { grantsOf } from '../support/people';

const campaign: Campaign = parseCampaign(seed);
/** A local Asia/Shanghai time of the seed's year. */
const at = (local: string) => deadlineInstant(campaign, `2017-${local}`);

let nextChat = 1;
function person(id: string, roles: Role[], scope: { groupId?: string; townId?: string } = {}): Person {
  return {
    id,
    grants: grantsOf(roles, scope),
    chatId: nextChat++,
    displayName: id,
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: '2017-10-20T00:00:00.000Z',
    updatedAt: '2017-10-20T00:00:00.000Z',
  };
}

const office = person('office', ['office']);
const groupPeople = campaign.groups.flatMap((g) => [
  person(`leader-${g.id}`, ['leader'], { groupId: g.id }),
  person(`liaison-${g.id}`, ['liaison'], { groupId: g.id }),
  person(`inspector-${g.id}`, ['inspector'], { groupId: g.id }),
]);
const contacts = campaign.towns.map((t) => person(`contact-${t.id}`, ['town_contact'], { townId: t.id }));
const people = [office, ...groupPeople, ...contacts];

const rectificationDue = deadlineInstant(campaign, '2017-11-09T23:59').toISOString();
const problem = (
  id: string,
  villageId: string,
  description: string,
  deadline = rectificationDue,
): OpenProblem => ({
  id,
  villageId,
  description,
  deadline,
});
const jiangpingProblems: OpenItem = {
  kind: 'problems',
  townId: 'jiangping',
  items: [
    problem('p1', 'jiaodong', '交东村黄某某户帮扶措施与致贫原因不一致,产业帮扶未落实'),
    problem('p2', 'banai', '班埃村扶贫手册人口与系统人口不一致,未及时更新'),
    // Due later (a written "needs longer" list): not part of this deadline.
    problem('p3', 'wanwei', '万尾村危房改造项目进度滞后,计划12月完工', '2017-12-20T10:00:00.000Z'),
  ],
};

function plan(now: Date, openItems: OpenItem[] = [], who: Person[] = people): PlannedReminder[] {
  return planReminders({ campaign, now, openItems, people: who });
}
const keys = (rs: readonly PlannedReminder[]) => rs.map((r) => r.key).sort();
const byKey = (rs: readonly PlannedReminder[], key: string) => {
  const r = rs.find((x) => x.key === key);
  if (!r) throw new Error(`no reminder ${key} among ${keys(rs).join(', ')}`);
  return r;
};

describe('deadline reminders', () => {
  it('go out 3 days before, 1 day before and on the morning of a deadline, at 08:30 local time', () => {
    expect(keys(plan(at('10-28T08:15')))).toEqual([]);
    expect(keys(plan(at('10-28T08:30')))).toEqual([
      'staff_list:3d0830:g.g1',
      'staff_list:3d0830:g.g2',
      'staff_list:3d0830:g.g3',
      'training:3d0830:p',
    ]);
    expect(keys(plan(at('10-30T08:30')))).toContain('training:1d0830:p');
    expect(keys(plan(at('10-31T08:30')))).toEqual([
      'field:3d0830:g.g1',
      'field:3d0830:g.g2',
      'field:3d0830:g.g3',
      'field:3d0830:t.dongxing',
      'field:3d0830:t.jiangping',
      'field:3d0830:t.malu',
      'staff_list:0d0830:g.g1',
      'staff_list:0d0830:g.g2',
      'staff_list:0d0830:g.g3',
      'training:0d0830:p',
    ]);
  });

  it('are still sent within 6 hours of their time (a late scheduler) but not later, and never after the deadline', () => {
    expect(keys(plan(at('10-28T14:15')))).toContain('training:3d0830:p');
    expect(keys(plan(at('10-28T14:30')))).toEqual([]);
    // Same-day reminder at 08:30 for a 09:00 deadline: sent at 08:45, not at 09:00.
    expect(keys(plan(at('10-31T08:45')))).toContain('staff_list:0d0830:g.g2');
    expect(keys(plan(at('10-31T09:00')))).not.toContain('staff_list:0d0830:g.g2');
  });

  it('skip a lead time that falls after the deadline itself', () => {
    const late = planReminders({
      campaign,
      now: at('10-31T09:30'),
      openItems: [],
      people,
      options: { leadTimes: [{ days: 0, at: '09:30' }] },
    });
    // 09:30 is after staff_list (09:00) but before training (10:00).
    expect(keys(late)).toEqual(['training:0d0930:p']);
  });

  it('send only the latest lead time when several are due at once, so a restarted scheduler does not flood', () => {
    const rs = planReminders({
      campaign,
      now: at('10-31T08:45'),
      openItems: [],
      people,
      options: {
        leadTimes: [
          { days: 0, at: '06:00' },
          { days: 0, at: '08:30' },
        ],
      },
    });
    expect(keys(rs).filter((k) => k.startsWith('training'))).toEqual(['training:0d0830:p']);
  });

  it('go to the people holding the audience roles within the scope, with a chat and not unreachable', () => {
    const rs = plan(at('10-28T08:30'));
    expect(byKey(rs, 'staff_list:3d0830:g.g2').recipientIds).toEqual(['leader-g2', 'liaison-g2']);
    expect(byKey(rs, 'training:3d0830:p').recipientIds).toHaveLength(9);

    const blocked = people.map((p) =>
      p.id === 'leader-g2'
        ? { ...p, unreachable: true }
        : p.id === 'liaison-g2'
          ? { ...p, chatId: undefined }
          : p,
    );
    expect(keys(plan(at('10-28T08:30'), [], blocked))).not.toContain('staff_list:3d0830:g.g2');
  });

  it('say the deadline, its local time, the place of a meeting, and carry the acknowledgement button', () => {
    const training = byKey(plan(at('10-30T08:30')), 'training:1d0830:p');
    expect(training.text).toContain('【提醒】检查人员培训');
    expect(training.text).toContain('时间:10月31日 10:00(明天)');
    expect(training.text).toContain('地点:东兴市政府二楼大会议室');
    expect(training.buttons).toEqual([[{ text: '已完成', data: 'ack:training:1d0830:p' }]]);
    expect(training.ack).toBe('done');

    const staff = byKey(plan(at('10-28T08:30')), 'staff_list:3d0830:g.g1');
    expect(staff.text).toContain('截止:10月31日 09:00 前(3天后截止)');
    expect(staff.text).toContain('对象:第一组');
    expect(staff.buttons[0]?.[0]).toEqual({ text: '已提交', data: 'ack:staff_list:3d0830:g.g1' });
  });

  it("list a town's open problems and their count in its rectification reminder; a town with none gets none", () => {
    const rs = plan(at('11-06T08:30'), [jiangpingProblems]);
    expect(keys(rs)).toEqual(['rectification:3d0830:t.jiangping']);
    const r = byKey(rs, 'rectification:3d0830:t.jiangping');
    expect(r.recipientIds).toEqual(['contact-jiangping']);
    expect(r.text).toContain('截止:11月9日 23:59 前(3天后截止)');
    expect(r.text).toContain('尚有 2 个问题未整改');
    expect(r.text).toContain('1. 交东村:交东村黄某某户帮扶措施与致贫原因不一致,产业帮扶未落实');
    expect(r.text).toContain('2. 班埃村:班埃村扶贫手册人口与系统人口不一致');
    expect(r.text).not.toContain('万尾村');
  });

  it('send the group-report reminder only to leaders and liaisons of groups whose report is not signed off', () => {
    const rs = plan(at('11-01T08:30'), [
      { kind: 'group_report', groupId: 'g1', signedOff: true },
      { kind: 'group_report', groupId: 'g2', signedOff: false },
    ]);
    expect(keys(rs)).toEqual(['group_report:3d0830:g.g2', 'group_report:3d0830:g.g3']);
    const g2 = byKey(rs, 'group_report:3d0830:g.g2');
    expect(g2.recipientIds).toEqual(['leader-g2', 'liaison-g2']);
    expect(g2.text).toContain('尚未经带队领导签字报送');
  });

  it('stop for a whole town or group once one recipient acknowledges, and for that person only at a meeting', () => {
    const acks: OpenItem[] = [
      { kind: 'ack', reminderKey: 'staff_list:3d0830:g.g1', personId: 'liaison-g1' },
      { kind: 'ack', reminderKey: 'training:3d0830:p', personId: 'inspector-g1' },
    ];
    const rs = plan(at('10-30T08:30'), acks);
    expect(keys(rs)).toEqual(['staff_list:1d0830:g.g2', 'staff_list:1d0830:g.g3', 'training:1d0830:p']);
    expect(byKey(rs, 'training:1d0830:p').recipientIds).not.toContain('inspector-g1');
    expect(byKey(rs, 'training:1d0830:p').recipientIds).toContain('leader-g1');
  });

  it('are closed by rectifying: a town with no open problems left gets no more reminders', () => {
    const rectified: OpenItem = { kind: 'problems', townId: 'jiangping', items: [] };
    expect(plan(at('11-08T08:30'), [rectified])).toEqual([]);
  });

  it('stop at the end of the campaign', () => {
    expect(plan(at('11-30T23:59'))).toEqual([]);
    expect(planEscalations({ campaign, now: at('11-30T23:59'), openItems: [], people })).toEqual([]);
  });

  it("have callback data within Telegram's 64 bytes and keys that parse back to their item", () => {
    for (const now of [at('10-28T08:30'), at('10-31T08:30'), at('11-06T08:30')]) {
      for (const r of plan(now, [jiangpingProblems])) {
        for (const b of r.buttons.flat())
          expect(new TextEncoder().encode(b.data).length).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
        expect(parseReminderKey(r.key)).toBeDefined();
      }
    }
    expect(ackedItemKey('training:1d0830:p', '42')).toBe('training:p.42');
    expect(ackedItemKey('field:0d0830:t.malu', '42')).toBe('field:t.malu');
  });
});

describe('escalations', () => {
  const escalate = (now: Date, openItems: OpenItem[] = [], who = people) =>
    planEscalations({ campaign, now, openItems, people: who });

  it('send one message to the office when a deadline has passed with problems open, listing the towns and problems', () => {
    const malu: OpenItem = {
      kind: 'problems',
      townId: 'malu',
      items: [problem('p9', 'daqiao', '大桥村低保应纳尽纳未落实')],
    };
    // An acknowledgement does not hide problems the register still shows open.
    const acked: OpenItem = {
      kind: 'ack',
      reminderKey: 'rectification:0d0830:t.jiangping',
      personId: 'contact-jiangping',
    };
    const rs = escalate(at('11-10T00:00'), [jiangpingProblems, malu, acked]);
    expect(keys(rs)).toEqual(['rectification:escalation']);
    const r = byKey(rs, 'rectification:escalation');
    expect(r.recipientIds).toEqual(['office']);
    expect(r.buttons).toEqual([]);
    expect(r.text).toContain('【逾期未完成】问题整改');
    expect(r.text).toContain('截止时间 11月9日 23:59 已过');
    expect(r.text).toContain('· 江平镇:2 个问题未整改');
    expect(r.text).toContain('· 马路镇:1 个问题未整改');
    expect(r.text).toContain('  1. 大桥村:大桥村低保应纳尽纳未落实');
    expect(r.text).not.toContain('东兴镇');
  });

  it('are not sent when every item is closed or acknowledged, nor long after the deadline', () => {
    expect(escalate(at('11-10T00:00'))).toEqual([]);
    const all: OpenItem[] = campaign.groups.map((g) => ({
      kind: 'ack',
      reminderKey: `staff_list:3d0830:g.${g.id}`,
      personId: `leader-${g.id}`,
    }));
    expect(keys(escalate(at('10-31T09:00'), all))).not.toContain('staff_list:escalation');
    expect(keys(escalate(at('10-31T09:00')))).toContain('staff_list:escalation');
    expect(keys(escalate(at('11-01T09:00')))).not.toContain('staff_list:escalation');
  });

  it('list groups that never acknowledged and people who did not confirm a meeting', () => {
    const rs = escalate(at('10-31T10:00'), [
      { kind: 'ack', reminderKey: 'training:1d0830:p', personId: 'leader-g1' },
      { kind: 'ack', reminderKey: 'staff_list:0d0830:g.g2', personId: 'leader-g2' },
    ]);
    const staff = byKey(rs, 'staff_list:escalation');
    expect(staff.text).toContain('· 第一组:未确认“已提交”');
    expect(staff.text).not.toContain('第二组');
    const training = byKey(rs, 'training:escalation');
    expect(training.text).toContain('· liaison-g1(第一组 联络员):未确认“已完成”');
    expect(training.text).not.toContain('leader-g1');
  });

  it('are not sent when the campaign turns escalation off or nobody in the office can be reached', () => {
    const quiet = { ...campaign, reminders: { ...campaign.reminders, escalateToOffice: false } };
    expect(planEscalations({ campaign: quiet, now: at('10-31T09:00'), openItems: [], people })).toEqual([]);
    expect(
      escalate(
        at('10-31T09:00'),
        [],
        people.filter((p) => p.id !== 'office'),
      ),
    ).toEqual([]);
  });

  it('name a group report not signed off', () => {
    const r = byKey(
      escalate(at('11-05T00:00'), [{ kind: 'group_report', groupId: 'g1', signedOff: true }]),
      'group_report:escalation',
    );
    expect(r.text).toContain('· 第二组:检查报告未签字报送');
    expect(r.text).not.toContain('第一组');
  });
});

describe('the daily household list', () => {
  const plans: VillagePlan[] = [{ groupId: 'g2', villageId: 'jiaodong', date: '2017-10-30' }];
  const daily = (now: Date, openItems: OpenItem[] = [], villagePlans = plans) =>
    planDailyList({ campaign, now, openItems, people, villagePlans });

  it('asks the town contact at 18:00 the evening before for the list by 08:00, with an upload button', () => {
    expect(daily(at('10-29T17:45'))).toEqual([]);
    const [r, ...rest] = daily(at('10-29T18:00'));
    expect(rest).toEqual([]);
    expect(r?.key).toBe('daily_list:req:v.jiaodong.20171030');
    expect(r?.recipientIds).toEqual(['contact-jiangping']);
    expect(r?.text).toContain('明天(10月30日)第二组到江平镇交东村检查');
    expect(r?.text).toContain('请于 10月30日 08:00 前上传交东村的户名单');
    // Only the upload closes it: there is no 已上传 button to tap instead.
    expect(r?.buttons).toEqual([[{ text: '上传户名单', data: 'upload:jiaodong' }]]);
    expect(r?.text).toContain('名单上传后,此提醒自动停止');
  });

  it('reminds at 07:00 if nothing was uploaded, and not after 08:00', () => {
    expect(daily(at('10-30T06:45')).map((r) => r.key)).toEqual(['daily_list:req:v.jiaodong.20171030']);
    const [r] = daily(at('10-30T07:00'));
    expect(r?.key).toBe('daily_list:am:v.jiaodong.20171030');
    expect(r?.text).toContain('今天(10月30日)08:00 前请上传交东村的户名单,目前尚未收到');
    expect(daily(at('10-30T08:00')).map((x) => x.kind)).not.toContain('daily_list_reminder');
  });

  it('tells the group’s leaders and the office when the list is still missing at 08:00, once', () => {
    const [late, ...rest] = daily(at('10-30T08:15'));
    expect(rest).toEqual([]);
    expect(late?.key).toBe('daily_list:late:v.jiaodong.20171030');
    expect(late?.kind).toBe('daily_list_late');
    expect(late?.text).toContain('江平镇交东村 10月30日 的户名单截至 08:00 仍未上传');
    const recipients = late?.recipientIds ?? [];
    expect(recipients).toContain('office');
    expect(recipients.some((id) => id.startsWith('leader-g2'))).toBe(true);
    expect(recipients).not.toContain('contact-jiangping');
    expect(daily(at('10-30T14:15'))).toEqual([]);
  });

  it('stays quiet once the list is uploaded, and only then: a tap is not an upload', () => {
    const uploaded: OpenItem = {
      kind: 'daily_list',
      villageId: 'jiaodong',
      date: '2017-10-30',
      uploaded: true,
    };
    expect(daily(at('10-30T07:00'), [uploaded])).toEqual([]);
    const tapped: OpenItem = {
      kind: 'ack',
      reminderKey: 'daily_list:req:v.jiaodong.20171030',
      personId: 'contact-jiangping',
    };
    expect(daily(at('10-30T07:00'), [tapped]).map((r) => r.key)).toEqual([
      'daily_list:am:v.jiaodong.20171030',
    ]);
    expect(daily(at('10-30T08:15'), [uploaded])).toEqual([]);
  });

  it("follows the group's latest choice of village for the day", () => {
    const changed = [...plans, { groupId: 'g2', villageId: 'banai', date: '2017-10-30' }];
    expect(daily(at('10-29T18:00'), [], changed).map((r) => r.key)).toEqual([
      'daily_list:req:v.banai.20171030',
    ]);
  });
});

describe('reminderLookups', () => {
  it('is inactive when nothing can be due, so a quiet run reads nothing', () => {
    expect(reminderLookups({ campaign, now: at('10-26T12:00'), villagePlans: [] }).active).toBe(false);
  });

  it('lists the earlier reminders of an item too, whose acknowledgements close it', () => {
    const l = reminderLookups({ campaign, now: at('11-09T08:30'), villagePlans: [] });
    expect(l.active).toBe(true);
    expect(l.problems).toBe(true);
    expect(l.keys).toEqual(
      expect.arrayContaining([
        'rectification:3d0830:t.malu',
        'rectification:1d0830:t.malu',
        'rectification:0d0830:t.malu',
      ]),
    );
    expect(l.roles).toEqual(expect.arrayContaining(['town_contact', 'office']));
  });

  it('knows the local date in Asia/Shanghai', () => {
    expect(localDate(campaign, at('10-30T00:30'))).toBe('2017-10-30');
  });
});
