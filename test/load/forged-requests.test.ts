// Forged webhook requests: whoever does not send Telegram's secret token is refused with 401,
// before anything is parsed, read, written or sent. The updates are valid and come "from" an
// enrolled inspector with an open survey, so a request let through would show.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textMessageUpdate } from '../../local/updates';
import { recordCalls } from '../support/call-recorder';
import { apiGatewayEvent, nextUpdateId } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { rng, scriptHousehold } from '../support/household-scripts';
import { Interviewer } from '../support/interviewer';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';

const INSPECTOR = 640_001;
let engine: Engine;
let sys: System;

beforeAll(async () => {
  engine = await startEngine('dynalite', 'load-forged');
  sys = await startSystem({ engine });
  const plan = { name: '黄明', stratum: 'exited_2016' as const };
  await seedSample(sys.store, 'jiaodong', [{ householdId: '4506810001', ...plan }]);
  await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2' });
  const inspector = new Interviewer(sys.user(INSPECTOR), rng(1));
  await inspector.pressData('hs:jiaodong:0');
  const script = scriptHousehold(sys.campaign, plan, rng(2));
  await inspector
    .answerAll({ ...script, inputs: Object.fromEntries(Object.entries(script.inputs).slice(0, 3)) })
    .catch(
      () => undefined, // stops where the script ends: half-way is what we want
    );
});

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('forged webhook requests', () => {
  const secret = () => sys.secret;
  const forgeries: [string, (body: unknown) => ReturnType<typeof apiGatewayEvent>][] = [
    ['no secret header', (b) => apiGatewayEvent(b, undefined)],
    ['a wrong secret', (b) => apiGatewayEvent(b, 'wrong-secret-0123456789abcdef')],
    ['an empty secret', (b) => apiGatewayEvent(b, '')],
    ['the secret with one character changed', (b) => apiGatewayEvent(b, `${secret().slice(0, -1)}x`)],
    ['a prefix of the secret', (b) => apiGatewayEvent(b, secret().slice(0, 8))],
    ['the secret with more after it', (b) => apiGatewayEvent(b, `${secret()}0`)],
    ['the secret in upper case', (b) => apiGatewayEvent(b, secret().toUpperCase())],
    [
      'the secret under another header',
      (b) => {
        const e = apiGatewayEvent(b, undefined);
        e.headers = { ...e.headers, authorization: `Bearer ${secret()}` };
        return e;
      },
    ],
    [
      'the secret in the query string',
      (b) => ({ ...apiGatewayEvent(b, undefined), rawQueryString: `secret_token=${secret()}` }),
    ],
    [
      'no headers at all',
      (b) => {
        const e = apiGatewayEvent(b, undefined);
        delete (e as { headers?: unknown }).headers;
        return e;
      },
    ],
  ];

  it.each(forgeries)('%s: 401, nothing read or written, nothing sent to Telegram', async (_name, forge) => {
    const before = await sys.store.getPerson(String(INSPECTOR));
    const apiCalls = sys.api.calls.length;
    const recorder = recordCalls(sys.client);
    try {
      for (const text of ['/villages', '4', '/start someone-elses-invite']) {
        const update = textMessageUpdate(
          nextUpdateId(),
          { id: INSPECTOR, firstName: '阿明' },
          nextUpdateId(),
          text,
        );
        const res = await sys.webhook(forge(update));
        expect(res.statusCode).toBe(401);
      }
      // Not even a malformed body gets further than the secret check.
      expect((await sys.webhook({ ...forge({}), body: '{not json' })).statusCode).toBe(401);
    } finally {
      recorder.detach();
    }
    expect(recorder.calls).toEqual([]);
    expect(sys.api.calls.length).toBe(apiCalls);
    expect(await sys.store.getPerson(String(INSPECTOR))).toEqual(before);
  });

  it('the same update with the right secret is processed (the forgeries were refused for the secret alone)', async () => {
    const before = await sys.store.getPerson(String(INSPECTOR));
    const update = textMessageUpdate(
      nextUpdateId(),
      { id: INSPECTOR, firstName: '阿明' },
      nextUpdateId(),
      '/help',
    );
    expect((await sys.webhook(apiGatewayEvent(update, sys.secret))).statusCode).toBe(200);
    expect(sys.api.calls.at(-1)?.method).toBe('sendMessage');
    expect(before?.session.draft).toBeDefined();
  });
});
