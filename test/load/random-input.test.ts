// 2,000 random updates never crash the handler: random unicode, very long texts, numbers in every
// script, emoji, commands with junk, random `kind:arg:arg` callback data (known kinds with junk
// arguments, and pure junk), photos and stickers, from enrolled people in every state and from
// strangers. Each update gets 200; whatever the bot answers is Chinese, and never the generic
// failure text (an unexpected error); nothing is logged as an error. FUZZ_SEED=<n> draws another
// sequence (the default one is fixed so CI is repeatable).

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackQueryUpdate, textMessageUpdate } from '../../local/updates';
import { apiGatewayEvent, nextUpdateId } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { chineseName, type Rng, rng, scriptHousehold } from '../support/household-scripts';
import { Interviewer } from '../support/interviewer';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const UPDATES = 2_000;
const FAILED = '系统出错了';
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

const KINDS = [
  'bk',
  'c',
  'cf',
  'cx',
  'dr',
  'es',
  'gl',
  'h',
  'hs',
  'ig',
  'ir',
  'it',
  'kp',
  'md',
  'mt',
  'nil',
  'op',
  'pc',
  'pe',
  'ph',
  'pn',
  'pp',
  'ps',
  'pt',
  'pv',
  'rp',
  'rr',
  'rt',
  'rv',
  'sb',
  'sm',
  'so',
  'tm',
  'up',
  'v',
  'vl',
  'vs',
  'vt',
  'pf',
  'ec',
  'eq',
  'gs',
  'rc',
  'rq',
  'm',
  'ack',
  'upload',
  'noop',
  // grants and people
  'ja',
  'jn',
  'um',
  'ul',
  'uc',
  'ur',
  'uy',
  'ud',
  'ux',
  'ua',
  'ui',
  'uk',
  // lists, draws, figures, reports
  'dc',
  'lr',
  'lk',
  'os',
  'fo',
  'rg',
  'tg',
  'gh',
  'mi',
  // problems and proposals
  'pa',
  'py',
  'pl',
  'po',
  'px',
  'pw',
  'pz',
];
const COMMANDS = [
  'start',
  'help',
  'menu',
  'villages',
  'resume',
  'problem',
  'surveys',
  'report',
  'tomorrow',
  'cancel',
  'invite',
  'summary',
  'figures',
  'signoffs',
  'xyz',
];

const errors: string[] = [];
const logger = {
  info() {},
  warn() {},
  error(message: string, ...attributes: Record<string, unknown>[]) {
    errors.push(JSON.stringify({ message, ...Object.assign({}, ...attributes) }));
  },
};

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Code points from scripts and blocks people (and broken clients) send. */
function randomUnicode(r: Rng, length: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e], // ASCII
    [0x4e00, 0x9fff], // CJK
    [0x3000, 0x303f], // CJK punctuation (full-width space, 。)
    [0xff01, 0xff5e], // full-width forms
    [0x1f300, 0x1faff], // emoji
    [0x0300, 0x036f], // combining marks
    [0x0590, 0x06ff], // Hebrew, Arabic (RTL)
    [0x200b, 0x200f], // zero-width and direction marks
    [0x0000, 0x001f], // control characters
    [0xe000, 0xf8ff], // private use
  ];
  let s = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = pick(r, ranges);
    s += String.fromCodePoint(int(r, lo, hi));
  }
  return s;
}

function randomNumberText(r: Rng): string {
  return pick(r, [
    () => String(int(r, -1e6, 1e9)),
    () => String(r() * 1e6),
    () => '1e308',
    () => '-0',
    () => 'NaN',
    () => 'Infinity',
    () => '１２３４',
    () => '三千五百',
    () => '٣٤٥',
    () => `${int(r, 0, 99)}.${int(r, 0, 99999)}元`,
    () => '9'.repeat(int(r, 20, 400)),
  ])();
}

function randomText(r: Rng): string {
  return pick(r, [
    () => randomUnicode(r, int(r, 1, 40)),
    () => randomUnicode(r, int(r, 500, 4096)),
    () => 'x'.repeat(4096),
    randomNumberText.bind(null, r),
    () => pick(r, ['😀', '👍🏽', '🇨🇳', '👨‍👩‍👧‍👦', '❤️‍🔥']).repeat(int(r, 1, 50)),
    () => `/${pick(r, COMMANDS)}${r() < 0.5 ? '' : ` ${randomUnicode(r, int(r, 1, 80))}`}`,
    () => `/${pick(r, COMMANDS)}@inspection_test_bot ${randomNumberText(r)}`,
    () => `/start ${pick(r, ['', 'x', 'a'.repeat(64), randomUnicode(r, 10), '../../etc', 'PERSON#1'])}`,
    () => `/${randomUnicode(r, int(r, 1, 20))}`,
    () => pick(r, ['<b>粗</b>', '&amp;', '<script>alert(1)</script>', '"; DROP TABLE', '{{x}}', '\\', '']),
    () => pick(r, ['是', '否', '有', '无', '满意', '跳过', '完成', chineseName(r)]),
  ])();
}

function randomArg(r: Rng): string {
  return pick(r, [
    () => String(int(r, -5, 200)),
    () => int(r, 0, 1e9).toString(36),
    () => '',
    () => randomUnicode(r, int(r, 1, 6)),
    () =>
      pick(r, ['jiaodong', 'datian', 'malu', 'g1', 'g2', 'dongxing', 'hh', 'NaN', '-1', '1e9', '#', '..']),
  ])();
}

function randomCallbackData(r: Rng): string {
  if (r() < 0.1) return randomUnicode(r, int(r, 1, 80)); // may exceed 64 bytes: refused by the schema
  const args = Array.from({ length: int(r, 0, 5) }, () => randomArg(r));
  const data = [r() < 0.85 ? pick(r, KINDS) : randomArg(r), ...args].join(':');
  return r() < 0.9 ? Buffer.from(data).subarray(0, 64).toString() : data;
}

interface FuzzUser {
  id: number;
  firstName: string;
}

function randomUpdate(r: Rng, user: FuzzUser, messageId: number): Record<string, unknown> {
  const kind = r();
  if (kind < 0.45) return textMessageUpdate(nextUpdateId(), user, messageId, randomText(r));
  if (kind < 0.92)
    return callbackQueryUpdate(nextUpdateId(), user, {
      queryId: `fz${user.id}-${messageId}`,
      data: randomCallbackData(r),
      message: { message_id: int(r, 1, 5000), date: 0, text: randomUnicode(r, 5) },
    });
  const base = textMessageUpdate(nextUpdateId(), user, messageId, '');
  const message = { ...(base.message as Record<string, unknown>) };
  delete message.text;
  if (kind < 0.95) message.photo = [{ file_id: 'p1', file_unique_id: 'p1', width: 1, height: 1 }];
  else if (kind < 0.98) message.sticker = { file_id: 's1', file_unique_id: 's1', width: 1, height: 1 };
  else return { update_id: base.update_id, edited_message: { ...message, text: randomText(r) } };
  return { update_id: base.update_id, message };
}

let engine: Engine;
let sys: System;
const users: FuzzUser[] = [];

beforeAll(async () => {
  engine = await startEngine('dynalite', 'load-random');
  sys = await startSystem({ engine, logger });
  const r = rng(99);
  // An inspector in the middle of a survey, one at home, a leader, a town contact, and strangers.
  const plan = { name: chineseName(r), stratum: 'exited_2016' as const };
  await seedSample(sys.store, 'jiaodong', [{ householdId: '4506810001', ...plan }]);
  await seedPerson(sys.store, { id: 630_001, roles: ['inspector'], groupId: 'g2' });
  await seedPerson(sys.store, { id: 630_002, roles: ['inspector'], groupId: 'g1' });
  await seedPerson(sys.store, { id: 630_003, roles: ['leader', 'inspector'], groupId: 'g2' });
  await seedPerson(sys.store, { id: 630_004, roles: ['town_contact'], townId: 'malu' });
  const busy = new Interviewer(sys.user(630_001), r);
  await busy.pressData('hs:jiaodong:0');
  const script = scriptHousehold(sys.campaign, plan, r);
  // Half-way through: a few answers given, the rest left for the fuzz to poke at.
  await busy
    .answerAll({ ...script, inputs: Object.fromEntries(Object.entries(script.inputs).slice(0, 5)) })
    .catch(() => undefined);
  for (const id of [630_001, 630_002, 630_003, 630_004, 639_998, 639_999])
    users.push({ id, firstName: `u${id}` });
}, 60_000);

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('random input from enrolled people and strangers', () => {
  it(`${UPDATES} random texts and button presses: always 200, Chinese or nothing, never the failure reply`, async () => {
    const r = rng(Number(process.env.FUZZ_SEED ?? 12345));
    const perUser = users.map(() => [] as Record<string, unknown>[]);
    for (let i = 0; i < UPDATES; i++) {
      const u = i % users.length;
      perUser[u]?.push(randomUpdate(r, users[u] as FuzzUser, 10_000 + i));
    }
    const callsBefore = sys.api.calls.length;
    const statuses: (number | undefined)[] = [];
    // People act at the same time; each person's updates arrive in order.
    await Promise.all(
      perUser.map(async (updates) => {
        for (const update of updates) {
          const res: APIGatewayProxyStructuredResultV2 = await sys.webhook(
            apiGatewayEvent(update, sys.secret),
          );
          statuses.push(res.statusCode);
        }
      }),
    );
    expect(statuses).toHaveLength(UPDATES);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(errors).toEqual([]);

    const replies = sys.api.calls.slice(callsBefore).flatMap((c) => {
      const p = c.params;
      if (c.method === 'sendMessage' || c.method === 'editMessageText') return [String(p.text)];
      if (c.method === 'answerCallbackQuery' && typeof p.text === 'string') return [p.text];
      if (c.method === 'sendDocument' && typeof p.caption === 'string') return [p.caption];
      return [];
    });
    expect(replies.filter((t) => t.includes(FAILED))).toEqual([]);
    expect(replies.filter((t) => !CJK.test(t))).toEqual([]);
    expect(replies.length).toBeGreaterThan(UPDATES / 2);
  }, 80_000);
});
