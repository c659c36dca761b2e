import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../app/authz';
import { GROUP_REPORT_SIGN_OFF, groupReportSubject } from '../../app/group-report';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock, type Messenger, type OutgoingMessage, type SendResult } from '../../app/messaging';
import {
  acknowledgeReminder,
  DELIVERY_LEASE_MS,
  deliveryId,
  type ReminderDeps,
  readVillagePlans,
  SendThrottle,
  sendDueReminders,
  setTomorrowVillage,
} from '../../app/reminders';
import seed from '../../campaigns/dongxing-2017.json';
import { type Campaign, deadlineInstant } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { AuditEvent, Person, Problem, Role } from '../../domain/model';
import { keyPart } from '../../store/keys';
import { grantsOf } from '../support/people';

const campaign: Campaign = parseCampaign(seed);
/** A local Asia/Shanghai time of 2017, 'MM-DDTHH:mm'. */
const at = (local: string) => deadlineInstant(campaign, `2017-${local}`);
const STEP_MS = 15 * 60_000;

const localFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** 'MM-DD HH:mm' in Asia/Shanghai. */
function local(d: Date): string {
  const p: Record<string, string> = {};
  for (const part of localFormat.formatToParts(d)) p[part.type] = part.value;
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------------------------------------
// Personas: the office, a leader, liaison and inspector of each group, a contact of each town

interface Persona {
  id: string;
  roles: Role[];
  groupId?: string;
  townId?: string;
}

const personas: Persona[] = [
  { id: 'office', roles: ['office'] },
  ...campaign.groups.flatMap((g) => [
    { id: `leader-${g.id}`, roles: ['leader'] as Role[], groupId: g.id },
    { id: `liaison-${g.id}`, roles: ['liaison'] as Role[], groupId: g.id },
    { id: `inspector-${g.id}`, roles: ['inspector'] as Role[], groupId: g.id },
  ]),
  ...campaign.towns.map((t) => ({ id: `contact-${t.id}`, roles: ['town_contact'] as Role[], townId: t.id })),
];

function newPerson({ roles, groupId, townId, ...p }: Persona, chatId: number): Person {
  return {
    ...p,
    grants: grantsOf(roles, { ...(groupId ? { groupId } : {}), ...(townId ? { townId } : {}) }),
    chatId,
    displayName: p.id,
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: '2017-10-20T00:00:00.000Z',
    updatedAt: '2017-10-20T00:00:00.000Z',
  };
}

interface Received {
  to: string;
  at: string;
  /** The reminder key of its acknowledgement button, or else the first line of the text. */
  label: string;
  message: OutgoingMessage;
}

/** A Bot API stand-in: answers from a script per chat (default ok) and records what got through. */
class FakeMessenger implements Messenger {
  readonly received: Received[] = [];
  readonly attempts: OutgoingMessage[] = [];
  /** Answers to give a chat before the default ok, in order. */
  readonly script = new Map<number, SendResult[]>();
  #nextId = 1;

  constructor(
    private readonly clock: ManualClock,
    private readonly nameOf: Map<number, string>,
  ) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    this.attempts.push(message);
    // Yield, as a network call would, so overlapping runs really interleave.
    await Promise.resolve();
    const scripted = this.script.get(message.chatId)?.shift();
    if (scripted) return scripted;
    const ack = message.buttons
      ?.flat()
      .map((b) => b.data ?? '')
      .find((d) => d.startsWith('ack:'));
    this.received.push({
      to: this.nameOf.get(message.chatId) ?? String(message.chatId),
      at: local(this.clock.now()),
      label: ack ? ack.slice(4) : (message.text.split('\n')[0] ?? ''),
      message,
    });
    return { ok: true, messageId: this.#nextId++ };
  }

  async sendDocument(): Promise<SendResult> {
    return { ok: true, messageId: this.#nextId++ };
  }

  of(who: string): Received[] {
    return this.received.filter((r) => r.to === who);
  }
}

interface World {
  store: StrictStore;
  clock: ManualClock;
  messenger: FakeMessenger;
  slept: number[];
  deps: ReminderDeps;
  chatOf: Map<string, number>;
  person(id: string): Promise<Person>;
}

/** The in-memory store, refusing ids the DynamoDB adapter would refuse ("#" in a key part). */
class StrictStore extends MemoryStore {
  override async claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: string; until: string },
  ): Promise<boolean> {
    keyPart(reminderId);
    keyPart(recipientId);
    return super.claimDelivery(reminderId, recipientId, lease);
  }
  override async appendAudit(event: AuditEvent): Promise<void> {
    keyPart(event.subject);
    return super.appendAudit(event);
  }
}

async function world(start: Date): Promise<World> {
  const store = new StrictStore();
  const clock = new ManualClock(start);
  const chatOf = new Map(personas.map((p, i) => [p.id, 1000 + i]));
  const nameOf = new Map([...chatOf].map(([id, chat]) => [chat, id]));
  const messenger = new FakeMessenger(clock, nameOf);
  const slept: number[] = [];
  for (const p of personas) await store.putPerson(newPerson(p, chatOf.get(p.id)!));
  const deps: ReminderDeps = {
    store,
    messenger,
    clock,
    // Records the wait and returns at once: the walk stays instant.
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
  return {
    store,
    clock,
    messenger,
    slept,
    deps,
    chatOf,
    async person(id) {
      const p = await store.getPerson(id);
      if (!p) throw new Error(`no person ${id}`);
      return p;
    },
  };
}

const rectificationDue = deadlineInstant(campaign, '2017-11-09T23:59').toISOString();
function newProblem(id: string, townId: string, villageId: string, description: string): Problem {
  return {
    id,
    campaignId: campaign.id,
    townId,
    villageId,
    category: 'assistance_measures',
    description,
    reporterId: 'inspector-g2',
    createdAt: '2017-11-02T03:00:00.000Z',
    deadline: rectificationDue,
    status: 'open',
    version: 1,
  };
}

// ---------------------------------------------------------------------------------------------
// The whole seed calendar

describe('the seed calendar, 10-26 to 12-01 in 15-minute steps with two overlapping runs each step', () => {
  let w: World;
  let walkMs = 0;

  beforeAll(async () => {
    w = await world(at('10-26T00:00'));
    // 江平镇 has 2 open problems, 马路镇 1 (rectified on 11-07), 东兴镇 only a rectified one.
    await w.store.putProblem(
      newProblem('pb-jp1', 'jiangping', 'jiaodong', '交东村黄某某户帮扶措施与致贫原因不一致,产业帮扶未落实'),
    );
    await w.store.putProblem(
      newProblem('pb-jp2', 'jiangping', 'banai', '班埃村扶贫手册人口与系统人口不一致,未及时更新'),
    );
    await w.store.putProblem(
      newProblem('pb-ml1', 'malu', 'daqiao', '大桥村低保应纳尽纳未落实,2户符合条件未纳入'),
    );
    // Logged before 第一组 signs its report (a problem logged after would mark it changed).
    await w.store.putProblem({
      ...newProblem('pb-dx1', 'dongxing', 'datian', '大田村帮扶手册填写不完整,缺少收入测算'),
      createdAt: '2017-10-30T03:00:00.000Z',
      status: 'rectified',
    });
    const started = Date.now();
    await walk();
    walkMs = Date.now() - started;
  });

  /** What people do during the walk, before the runs of that step. */
  function actions(): Map<string, () => Promise<unknown>> {
    const ack = async (who: string, key: string) =>
      acknowledgeReminder(w.deps, await w.person(who), campaign, key);
    return new Map<string, () => Promise<unknown>>([
      // The liaison of 第一组 reports the staff list after the first reminder; an inspector confirms training.
      ['10-28 09:00', () => ack('liaison-g1', 'staff_list:3d0830:g.g1')],
      ['10-28 09:15', () => ack('inspector-g1', 'training:3d0830:p')],
      // 明日检查村: 第二组 goes to 交东村 on 10-30; nobody uploads the list.
      [
        '10-29 15:00',
        async () =>
          setTomorrowVillage(w.deps, await w.person('leader-g2'), campaign, { villageId: 'jiaodong' }),
      ],
      // 第一组 sets 大田村 for 10-31 late in the evening; the town uploads the list at 21:00.
      [
        '10-30 20:00',
        async () =>
          setTomorrowVillage(w.deps, await w.person('liaison-g1'), campaign, { villageId: 'datian' }),
      ],
      [
        '10-30 21:00',
        () =>
          w.store.putHouseholdList({
            campaignId: campaign.id,
            villageId: 'datian',
            households: [{ id: '4506810201', name: '陈桂兰', stratum: 'non_poor' }],
            count: 1,
            byStratum: { non_poor: 1 },
            fingerprint: 'sha256:test',
            uploadedBy: 'contact-dongxing',
            uploadedAt: at('10-30T21:00').toISOString(),
            fileName: '大田村.xlsx',
          }),
      ],
      // 第三组 sets 马路村 for 11-01; the town taps the request's button but never uploads: a tap
      // is not an upload, so the morning reminder and the late notice still come.
      [
        '10-31 10:00',
        async () => setTomorrowVillage(w.deps, await w.person('leader-g3'), campaign, { villageId: 'malu' }),
      ],
      ['10-31 19:00', () => ack('contact-malu', 'daily_list:req:v.malu.20171101')],
      // 第一组's report is signed off before its first reminder.
      [
        '10-31 12:00',
        () =>
          w.store.appendAudit({
            at: at('10-31T12:00').toISOString(),
            actorId: 'leader-g1',
            action: GROUP_REPORT_SIGN_OFF,
            subject: groupReportSubject(campaign, 'g1'),
          }),
      ],
      // Field work confirmed by every group and two towns; 马路镇 never confirms.
      ['11-03 09:00', () => ack('leader-g1', 'field:0d0830:g.g1')],
      ['11-03 09:15', () => ack('inspector-g2', 'field:0d0830:g.g2')],
      ['11-03 09:30', () => ack('liaison-g3', 'field:0d0830:g.g3')],
      ['11-03 09:45', () => ack('contact-dongxing', 'field:0d0830:t.dongxing')],
      ['11-03 10:00', () => ack('contact-jiangping', 'field:0d0830:t.jiangping')],
      // 第二组's leader taps the report reminder's button without signing: not a signature.
      ['11-03 10:15', () => ack('leader-g2', 'group_report:1d0830:g.g2')],
      // 马路镇 rectifies its one problem.
      [
        '11-07 12:00',
        async () => {
          const p = (await w.store.getProblem('pb-ml1'))!;
          return w.store.saveProblem({ ...p, status: 'rectified', rectifiedNote: '已纳入低保' }, p.version);
        },
      ],
      // 东兴镇 finishes its self-check after the first reminder.
      ['11-27 09:00', () => ack('contact-dongxing', 'self_check:3d0830:t.dongxing')],
    ]);
  }

  async function walk(): Promise<void> {
    const todo = actions();
    const end = at('12-01T00:00').getTime();
    for (let t = at('10-26T00:00').getTime(); t <= end; t += STEP_MS) {
      w.clock.set(new Date(t));
      await todo.get(local(w.clock.now()))?.();
      await Promise.all([sendDueReminders(w.deps, campaign), sendDueReminders(w.deps, campaign)]);
    }
  }

  it('gives every persona exactly the expected messages, each once, and an escalation per missed deadline', async () => {
    const expected: string[] = [];
    const get = (who: readonly string[], time: string, label: string) => {
      for (const x of who) expected.push(`${x} | ${time} | ${label}`);
    };
    const leaders = (...g: string[]) => g.flatMap((x) => [`leader-${x}`, `liaison-${x}`]);
    const group = (x: string) => [`leader-${x}`, `liaison-${x}`, `inspector-${x}`];

    // staff_list (leaders and liaisons; 第一组 submitted after the first reminder)
    for (const g of ['g1', 'g2', 'g3']) get(leaders(g), '10-28 08:30', `staff_list:3d0830:g.${g}`);
    for (const g of ['g2', 'g3']) {
      get(leaders(g), '10-30 08:30', `staff_list:1d0830:g.${g}`);
      get(leaders(g), '10-31 08:30', `staff_list:0d0830:g.${g}`);
    }
    // training (everyone in a group, each for themselves; inspector-g1 confirmed after the first)
    const everyone = ['g1', 'g2', 'g3'].flatMap(group);
    get(everyone, '10-28 08:30', 'training:3d0830:p');
    get(
      everyone.filter((x) => x !== 'inspector-g1'),
      '10-30 08:30',
      'training:1d0830:p',
    );
    get(
      everyone.filter((x) => x !== 'inspector-g1'),
      '10-31 08:30',
      'training:0d0830:p',
    );
    // field (groups and towns; acknowledgements on 11-03 come after the last reminder)
    for (const [lead, time] of [
      ['3d0830', '10-31 08:30'],
      ['1d0830', '11-02 08:30'],
      ['0d0830', '11-03 08:30'],
    ] as const) {
      for (const g of ['g1', 'g2', 'g3']) get(group(g), time, `field:${lead}:g.${g}`);
      for (const t of ['dongxing', 'jiangping', 'malu']) get([`contact-${t}`], time, `field:${lead}:t.${t}`);
    }
    // the daily household list
    // (no acknowledgement button: these are labelled by their first line)
    get(['contact-jiangping'], '10-29 18:00', '【户名单】明天(10月30日)第二组到江平镇交东村检查。');
    get(
      ['contact-jiangping'],
      '10-30 07:00',
      '【提醒】今天(10月30日)08:00 前请上传交东村的户名单,目前尚未收到。',
    );
    get(['contact-dongxing'], '10-30 20:00', '【户名单】明天(10月31日)第一组到东兴镇大田村检查。');
    get(['contact-malu'], '10-31 18:00', '【户名单】明天(11月1日)第三组到马路镇马路村检查。');
    get(['contact-malu'], '11-01 07:00', '【提醒】今天(11月1日)08:00 前请上传马路村的户名单,目前尚未收到。');
    // lists still missing at 08:00: the group's leader and the office are told
    const late = (town: string, village: string, day: string, group: string) =>
      `【名单未到】${town}${village} ${day} 的户名单截至 08:00 仍未上传,${group}无法按时抽样。`;
    get(['leader-g2', 'office'], '10-30 08:00', late('江平镇', '交东村', '10月30日', '第二组'));
    get(['leader-g3', 'office'], '11-01 08:00', late('马路镇', '马路村', '11月1日', '第三组'));
    // group_report (第一组 signed off; 第二组 only tapped the button: the signature decides)
    for (const g of ['g2', 'g3']) get(leaders(g), '11-01 08:30', `group_report:3d0830:g.${g}`);
    for (const g of ['g2', 'g3']) get(leaders(g), '11-03 08:30', `group_report:1d0830:g.${g}`);
    for (const g of ['g2', 'g3']) get(leaders(g), '11-04 08:30', `group_report:0d0830:g.${g}`);
    // rectification (towns with open problems; 马路镇 rectified on 11-07)
    get(['contact-jiangping'], '11-06 08:30', 'rectification:3d0830:t.jiangping');
    get(['contact-malu'], '11-06 08:30', 'rectification:3d0830:t.malu');
    get(['contact-jiangping'], '11-08 08:30', 'rectification:1d0830:t.jiangping');
    get(['contact-jiangping'], '11-09 08:30', 'rectification:0d0830:t.jiangping');
    // self_check (东兴镇 done after the first reminder)
    for (const t of ['dongxing', 'jiangping', 'malu'])
      get([`contact-${t}`], '11-27 08:30', `self_check:3d0830:t.${t}`);
    for (const t of ['jiangping', 'malu']) {
      get([`contact-${t}`], '11-29 08:30', `self_check:1d0830:t.${t}`);
      get([`contact-${t}`], '11-30 08:30', `self_check:0d0830:t.${t}`);
    }
    // escalations to the office, once each, right after the deadline
    get(['office'], '10-31 09:00', '【逾期未完成】报送参加检查人员名单');
    get(['office'], '10-31 10:00', '【逾期未完成】检查人员培训');
    get(['office'], '11-04 00:00', '【逾期未完成】实地检查');
    get(['office'], '11-05 00:00', '【逾期未完成】报送检查报告');
    get(['office'], '11-10 00:00', '【逾期未完成】问题整改');
    get(['office'], '11-30 18:00', '【逾期未完成】自查整改');

    const actual = w.messenger.received.map((r) => `${r.to} | ${r.at} | ${r.label}`);
    expect([...actual].sort()).toEqual([...expected].sort());
    expect(new Set(actual).size).toBe(actual.length);
    // ~3,500 steps, two runs each, in memory: keep the suite quick.
    expect(walkMs).toBeLessThan(20_000);
  });

  it("makes the messages specific: a town's open problems, the deadline's local time, who is behind", async () => {
    const textOf = (who: string, label: string) => {
      const r = w.messenger.of(who).find((x) => x.label === label);
      if (!r) throw new Error(`${who} got no ${label}`);
      return r.message.text;
    };
    const jp = textOf('contact-jiangping', 'rectification:0d0830:t.jiangping');
    expect(jp).toContain('截止:11月9日 23:59 前(今天截止)');
    expect(jp).toContain('尚有 2 个问题未整改');
    expect(jp).toContain('1. 交东村:交东村黄某某户帮扶措施与致贫原因不一致');
    expect(jp).toContain('2. 班埃村:班埃村扶贫手册人口与系统人口不一致');
    expect(textOf('contact-malu', 'rectification:3d0830:t.malu')).toContain('尚有 1 个问题未整改');

    const office = (first: string) => textOf('office', `【逾期未完成】${first}`);
    expect(office('问题整改')).toContain('· 江平镇:2 个问题未整改');
    expect(office('问题整改')).not.toContain('马路镇');
    expect(office('报送参加检查人员名单')).toMatch(/第二组[^\n]*\n· 第三组/);
    expect(office('报送参加检查人员名单')).not.toContain('第一组');
    expect(office('实地检查')).toContain('· 马路镇:未确认“已完成”');
    expect(office('实地检查').match(/^· /gm)).toHaveLength(1);
    expect(office('报送检查报告')).toContain('· 第二组:检查报告未签字报送');
    expect(office('报送检查报告')).toContain('· 第三组:检查报告未签字报送');
    expect(office('报送检查报告').match(/^· /gm)).toHaveLength(2);
    expect(office('自查整改')).toContain('· 江平镇');
    expect(office('自查整改')).toContain('· 马路镇');
    expect(office('自查整改')).not.toContain('东兴镇');
    expect(office('检查人员培训').match(/^· /gm)).toHaveLength(8);

    const request = w.messenger.of('contact-jiangping').find((r) => r.label.startsWith('【户名单】'));
    expect(request?.message.text).toContain('请于 10月30日 08:00 前上传交东村的户名单');
    expect(request?.message.buttons).toEqual([[{ text: '上传户名单', data: 'upload:jiaodong' }]]);
    const late = w.messenger.of('office').find((r) => r.label.startsWith('【名单未到】江平镇交东村'));
    expect(late?.message.text).toContain(
      '江平镇交东村 10月30日 的户名单截至 08:00 仍未上传,第二组无法按时抽样',
    );
    // The campaign file's note for the office never reaches a reminder.
    for (const r of w.messenger.received) expect(r.message.text).not.toContain('方案开头写');
  });

  it('records every delivery as sent with one attempt, the acknowledgements, and audits with ids only', async () => {
    const staff = await w.store.deliveriesOfReminder(deliveryId(campaign, 'staff_list:3d0830:g.g1'));
    expect(staff.map((d) => [d.recipientId, d.status, d.attempts])).toEqual([
      ['leader-g1', 'sent', 1],
      ['liaison-g1', 'acknowledged', 1],
    ]);
    const day = await w.store.auditOfDay('2017-10-28');
    const sent = day.filter((e) => e.action === 'reminder.sent');
    expect(sent).toHaveLength(6 + 9);
    for (const e of sent)
      expect(Object.keys(e.details ?? {}).sort()).toEqual(['campaignId', 'recipientId', 'reminderKey']);
    expect(day.filter((e) => e.action === 'reminder.ack').map((e) => e.actorId)).toEqual([
      'liaison-g1',
      'inspector-g1',
    ]);
    const escalated = (await w.store.auditOfDay('2017-10-31')).filter(
      (e) => e.action === 'reminder.escalated',
    );
    expect(escalated.map((e) => e.details?.reminderKey)).toEqual([
      'staff_list:escalation',
      'training:escalation',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sending: Telegram's answers and limits

describe('sending reminders', () => {
  let w: World;
  beforeEach(async () => {
    w = await world(at('10-28T08:30'));
  });
  const run = () => sendDueReminders(w.deps, campaign);

  it('waits retry_after on a 429 and then sends once', async () => {
    const chat = w.chatOf.get('leader-g2')!;
    w.messenger.script.set(chat, [{ ok: false, kind: 'rate_limited', retryAfter: 3 }]);
    await run();
    expect(w.slept.some((ms) => ms >= 3000)).toBe(true);
    expect(w.messenger.of('leader-g2').map((r) => r.label)).toEqual([
      'staff_list:3d0830:g.g2',
      'training:3d0830:p',
    ]);
    const [d] = (await w.store.deliveriesOfReminder(deliveryId(campaign, 'staff_list:3d0830:g.g2'))).filter(
      (x) => x.recipientId === 'leader-g2',
    );
    expect(d).toMatchObject({ status: 'sent', attempts: 1 });
    await run();
    expect(w.messenger.of('leader-g2')).toHaveLength(2);
  });

  it('marks a person who blocked the bot unreachable, tells the office once, and does not try again', async () => {
    const chat = w.chatOf.get('leader-g2')!;
    const blocked: SendResult = { ok: false, kind: 'unreachable' };
    w.messenger.script.set(
      chat,
      Array.from({ length: 20 }, () => blocked),
    );
    // Two overlapping runs, each with two reminders for the blocked leader.
    await Promise.all([run(), run()]);
    expect((await w.person('leader-g2')).unreachable).toBe(true);
    const notices = w.messenger.of('office');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message.text).toContain('【无法送达】leader-g2(第二组 组长)');
    // Each run had claimed a different reminder for them before either saw the 403: each reminder
    // was tried once, and nothing after.
    const tried = () => w.messenger.attempts.filter((m) => m.chatId === chat).length;
    const firstTries = w.messenger.attempts
      .filter((m) => m.chatId === chat)
      .map((m) => m.buttons?.[0]?.[0]?.data);
    expect(new Set(firstTries).size).toBe(firstTries.length);
    expect(firstTries.length).toBeLessThanOrEqual(2);
    const deliveries = await w.store.deliveriesOfReminder(deliveryId(campaign, 'staff_list:3d0830:g.g2'));
    expect(deliveries.find((d) => d.recipientId === 'leader-g2')?.status).toBe('unreachable');

    // Later runs and later reminders skip them; the office hears nothing more.
    w.clock.set(at('10-28T08:45'));
    await run();
    w.clock.set(at('10-30T08:30'));
    await run();
    expect(tried()).toBe(firstTries.length);
    expect(w.messenger.of('office')).toHaveLength(1);
    expect(w.messenger.of('liaison-g2').map((r) => r.at)).toEqual([
      '10-28 08:30',
      '10-28 08:30',
      '10-30 08:30',
      '10-30 08:30',
    ]);
  });

  it('retries a failed send on a later run, once even when two runs overlap', async () => {
    const chat = w.chatOf.get('contact-malu')!;
    w.clock.set(at('10-31T08:30'));
    w.messenger.script.set(chat, [{ ok: false, kind: 'error', description: 'Bad Gateway' }]);
    await run();
    expect(w.messenger.of('contact-malu')).toEqual([]);
    const id = deliveryId(campaign, 'field:3d0830:t.malu');
    expect((await w.store.deliveriesOfReminder(id))[0]).toMatchObject({ status: 'failed', attempts: 1 });

    w.clock.set(at('10-31T08:45'));
    await Promise.all([run(), run()]);
    expect(w.messenger.of('contact-malu').map((r) => r.label)).toEqual(['field:3d0830:t.malu']);
    expect((await w.store.deliveriesOfReminder(id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    w.clock.set(at('10-31T09:00'));
    await run();
    expect(w.messenger.of('contact-malu')).toHaveLength(1);
  });

  it('retries again a retry cut off mid-send, once its lease has ended', async () => {
    const chat = w.chatOf.get('contact-malu')!;
    const id = deliveryId(campaign, 'field:3d0830:t.malu');
    w.clock.set(at('10-31T08:30'));
    w.messenger.script.set(chat, [{ ok: false, kind: 'error', description: 'Bad Gateway' }]);
    await run();
    expect((await w.store.deliveriesOfReminder(id))[0]).toMatchObject({ status: 'failed', attempts: 1 });

    // The retry's function is cut off while Telegram has not answered: that send never returns.
    const real = w.deps.messenger;
    w.deps.messenger = {
      send: (m) => (m.chatId === chat ? new Promise<SendResult>(() => undefined) : real.send(m)),
      sendDocument: (m) => real.sendDocument(m),
    };
    w.clock.set(at('10-31T08:45'));
    void run();
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.deps.messenger = real;
    // Later runs take the retry over once its lease has ended, and send it once.
    w.clock.set(at('10-31T09:00'));
    await run();
    w.clock.set(at('10-31T09:15'));
    await run();
    expect(w.messenger.of('contact-malu').map((r) => r.label)).toEqual(['field:3d0830:t.malu']);
    expect((await w.store.deliveriesOfReminder(id))[0]).toMatchObject({ status: 'sent' });
  });

  it('gives up a delivery after five failed attempts', async () => {
    const chat = w.chatOf.get('contact-malu')!;
    w.messenger.script.set(
      chat,
      Array.from(
        { length: 10 },
        () => ({ ok: false, kind: 'error', description: 'Bad Gateway' }) as SendResult,
      ),
    );
    for (let i = 0; i < 8; i++) {
      w.clock.set(new Date(at('10-31T08:30').getTime() + i * STEP_MS));
      await run();
    }
    expect(w.messenger.attempts.filter((m) => m.chatId === chat)).toHaveLength(5);
  });

  it('stays under 30 messages a second in all and one a second per chat', async () => {
    // 40 more inspectors in 第一组: the training reminder goes to 49 people at 10-28 08:30.
    for (let i = 0; i < 40; i++) {
      await w.store.putPerson(newPerson({ id: `extra-${i}`, roles: ['inspector'], groupId: 'g1' }, 5000 + i));
    }
    // Here the sleep moves the clock, so the send times are real.
    const sends: { chatId: number; t: number }[] = [];
    const messenger: Messenger = {
      send: async (m) => {
        sends.push({ chatId: m.chatId, t: w.clock.now().getTime() });
        return { ok: true, messageId: sends.length };
      },
      sendDocument: async () => ({ ok: true, messageId: 0 }),
    };
    await sendDueReminders(
      {
        ...w.deps,
        messenger,
        sleep: async (ms) => {
          w.clock.advance(ms);
        },
      },
      campaign,
    );
    expect(sends).toHaveLength(6 + 49);
    for (const s of sends) {
      expect(sends.filter((x) => x.t >= s.t && x.t < s.t + 1000).length).toBeLessThanOrEqual(30);
      const same = sends.filter((x) => x.chatId === s.chatId && x !== s);
      for (const x of same) expect(Math.abs(x.t - s.t)).toBeGreaterThanOrEqual(1000);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Sending several at once

describe('sending with several messages in flight', () => {
  it('the throttle gives 200 concurrent senders slots within 30 a second and 1 a second per chat', async () => {
    const clock = new ManualClock(at('10-28T08:30'));
    const throttle = new SendThrottle(clock, async () => {});
    // 150 chats, 50 of them twice: every send is asked for at the same moment.
    const chats = [
      ...Array.from({ length: 150 }, (_, i) => 1000 + i),
      ...Array.from({ length: 50 }, (_, i) => 1000 + i),
    ];
    const slots = await Promise.all(
      chats.map(async (chatId) => ({ chatId, t: await throttle.acquire(chatId) })),
    );
    for (const s of slots) {
      const window = slots.filter((x) => x.t > s.t - 1000 && x.t <= s.t);
      expect(window.length).toBeLessThanOrEqual(30);
      for (const x of slots.filter((y) => y.chatId === s.chatId && y !== s))
        expect(Math.abs(x.t - s.t)).toBeGreaterThanOrEqual(1000);
    }
    // And no slower than the limit: 200 sends take about 200 / 30 seconds, not one second each.
    const span = Math.max(...slots.map((s) => s.t)) - Math.min(...slots.map((s) => s.t));
    expect(span).toBeLessThan(8_000);
  });

  it('a delivery claimed by a run that was cut off is sent by the first run after its lease, once', async () => {
    const w = await world(at('10-28T08:30'));
    const id = deliveryId(campaign, 'training:3d0830:p');
    // A run claimed it and died before sending (the Lambda timed out).
    const now = w.clock.now();
    expect(
      await w.store.claimDelivery(id, 'inspector-g1', {
        now: now.toISOString(),
        until: new Date(now.getTime() + DELIVERY_LEASE_MS).toISOString(),
      }),
    ).toBe(true);
    await sendDueReminders(w.deps, campaign);
    expect(w.messenger.of('inspector-g1')).toEqual([]);
    expect(w.messenger.of('inspector-g2').map((r) => r.label)).toEqual(['training:3d0830:p']);

    // The next scheduled runs (two overlapping) after the lease: sent once; nobody else again.
    w.clock.set(at('10-28T08:45'));
    await Promise.all([sendDueReminders(w.deps, campaign), sendDueReminders(w.deps, campaign)]);
    expect(w.messenger.of('inspector-g1').map((r) => r.label)).toEqual(['training:3d0830:p']);
    expect(w.messenger.of('inspector-g2')).toHaveLength(1);
    expect(
      (await w.store.deliveriesOfReminder(id)).find((d) => d.recipientId === 'inspector-g1'),
    ).toMatchObject({
      status: 'sent',
      attempts: 1,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The use cases the chat calls

describe('acknowledging and setting tomorrow’s village', () => {
  let w: World;
  beforeEach(async () => {
    w = await world(at('10-28T08:30'));
    await sendDueReminders(w.deps, campaign);
  });

  it('records an acknowledgement once and answers in Chinese', async () => {
    const leader = await w.person('leader-g2');
    const first = await acknowledgeReminder(w.deps, leader, campaign, 'staff_list:3d0830:g.g2');
    expect(first).toMatchObject({ ack: 'submitted', itemKey: 'staff_list:g.g2', alreadyAcknowledged: false });
    expect(first.reply).toBe('已记录“已提交”,此事项不再提醒。');
    const again = await acknowledgeReminder(w.deps, leader, campaign, 'staff_list:3d0830:g.g2');
    expect(again.alreadyAcknowledged).toBe(true);
    const acks = (await w.store.auditOfDay('2017-10-28')).filter((e) => e.action === 'reminder.ack');
    expect(acks).toHaveLength(1);
  });

  it('refuses an acknowledgement from someone the reminder was not sent to, and an unknown key', async () => {
    const other = await w.person('leader-g3');
    await expect(
      acknowledgeReminder(w.deps, other, campaign, 'staff_list:3d0830:g.g2'),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(acknowledgeReminder(w.deps, other, campaign, 'nonsense')).rejects.toMatchObject({
      reason: 'unknown_reminder',
    });
  });

  it("refuses the acknowledgement of a leader replaced since: the group's item stays open for its new leader", async () => {
    const leader = await w.person('leader-g2');
    // The office takes 第二组's 组长 grant away after the reminder was sent; they keep nothing else there.
    await w.store.savePerson({ ...leader, grants: [] }, leader.version);
    const replaced = (await w.store.getPerson('leader-g2'))!;
    await expect(
      acknowledgeReminder(w.deps, replaced, campaign, 'staff_list:3d0830:g.g2'),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await w.store.auditOfDay('2017-10-28')).filter((e) => e.action === 'reminder.ack')).toEqual([]);
    const deliveries = await w.store.deliveriesOfReminder(deliveryId(campaign, 'staff_list:3d0830:g.g2'));
    expect(deliveries.some((d) => d.status === 'acknowledged')).toBe(false);
  });

  it("lets only a leader or liaison of the village's group set tomorrow's village, and reads it back", async () => {
    const inspector = await w.person('inspector-g2');
    await expect(
      setTomorrowVillage(w.deps, inspector, campaign, { villageId: 'jiaodong' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const otherGroup = await w.person('leader-g1');
    await expect(
      setTomorrowVillage(w.deps, otherGroup, campaign, { villageId: 'jiaodong' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const liaison = await w.person('liaison-g2');
    await expect(
      setTomorrowVillage(w.deps, liaison, campaign, { villageId: 'jiaodong', date: '2017-10-27' }),
    ).rejects.toMatchObject({ reason: 'past_date' });
    const set = await setTomorrowVillage(w.deps, liaison, campaign, { villageId: 'jiaodong' });
    expect(set.plan).toEqual({ groupId: 'g2', villageId: 'jiaodong', date: '2017-10-29' });
    expect(set.requestAt).toEqual(at('10-28T18:00'));
    expect(set.remindAt).toEqual(at('10-29T07:00'));
    expect(set.dueAt).toEqual(at('10-29T08:00'));
    expect(await readVillagePlans(w.store, campaign, ['2017-10-29'])).toEqual([set.plan]);
  });
});
