// `npm start` with TELEGRAM_BOT_TOKEN: the bot long-polls Telegram instead of using the emulator's
// webhook. Here the emulator plays Telegram (getUpdates, deleteWebhook), so the whole path runs:
// invite links → a person's /start queued at "Telegram" → getUpdates → the webhook handler → reply.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { DemoInvite } from '../../local/demo-people';
import { PollingConflictError, pollUpdates } from '../../local/polling';
import { TelegramEmulator } from '../../local/telegram-emulator';
import { runTelegramMode } from '../../local/telegram-mode';
import { textMessageUpdate } from '../../local/updates';

const TOKEN = '7000009:polling-test-token';
const campaign = parseCampaign(seed);
let emulator: TelegramEmulator;
let apiRoot: string;
let controller: AbortController;

beforeEach(async () => {
  emulator = new TelegramEmulator({
    token: TOKEN,
    bot: { id: 7000009, username: 'dongxing_test_bot', first_name: '检查助手' },
  });
  apiRoot = await emulator.start();
  controller = new AbortController();
});

afterEach(async () => {
  controller.abort();
  await emulator.stop();
});

describe('npm start on real Telegram (long polling)', () => {
  it('prints one invite per demo role and answers a person who joins with one', async () => {
    // A webhook left by an AWS deployment: Telegram refuses getUpdates until it is deleted.
    await new Telegram(TOKEN, { apiRoot }).setWebhook('https://example.invalid/telegram');
    const store = new MemoryStore();
    await store.putCampaign(campaign);
    let ready: { username: string; invites: DemoInvite[] } | undefined;
    const run = runTelegramMode({
      token: TOKEN,
      apiRoot,
      store,
      campaign,
      signal: controller.signal,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      pollTimeoutSeconds: 1,
      schedulerTickMs: 60_000,
      onReady: (info) => {
        ready = info;
      },
    });
    await vi.waitFor(() => expect(ready).toBeDefined());
    expect(ready?.username).toBe('dongxing_test_bot');
    const labels = ready?.invites.map((i) => i.label) ?? [];
    expect(labels[0]).toBe('扶贫办');
    expect(labels).toContain('检查员(第二组 · 江平镇)');
    expect(labels).toContain('乡镇联络人(马路镇)');
    expect(labels).toHaveLength(1 + 3 * campaign.groups.length + campaign.towns.length);
    const link = ready?.invites.find((i) => i.label === '检查员(第二组 · 江平镇)')?.url ?? '';
    expect(link).toMatch(/^https:\/\/t\.me\/dongxing_test_bot\?start=[\w-]+$/);

    // The person taps the link: Telegram holds "/start <code>" until the bot polls.
    const person = { id: 555, firstName: '阿明' };
    const { update } = await emulator.sendText(person, `/start ${new URL(link).searchParams.get('start')}`);
    await vi.waitFor(
      () =>
        expect(emulator.chat(person.id)[0]?.text).toBe(
          '欢迎加入!您的身份:检查员(第二组 · 江平镇)。\n发送 /help 查看可以做什么。',
        ),
      { timeout: 10_000 },
    );
    expect((await store.getPerson('555'))?.grants).toMatchObject([{ role: 'inspector', groupId: 'g2' }]);

    const methods = emulator.calls.map((c) => c.method);
    expect(methods.indexOf('deleteWebhook')).toBeGreaterThan(-1);
    expect(methods.indexOf('deleteWebhook')).toBeLessThan(methods.indexOf('getUpdates'));
    // The next poll confirms the update, so Telegram does not deliver it again.
    await vi.waitFor(() =>
      expect(
        emulator.callsOf('getUpdates').some((c) => Number(c.params.offset) === update.update_id + 1),
      ).toBe(true),
    );
    await emulator.sendText(person, '/help');
    await vi.waitFor(() => expect(emulator.chat(person.id).at(-1)?.text).toContain('/villages'), {
      timeout: 10_000,
    });
    expect(emulator.chat(person.id).filter((m) => m.text.startsWith('欢迎加入'))).toHaveLength(1);

    controller.abort();
    await expect(run).resolves.toBeUndefined();
  });

  it('retries after a failed poll and hands each update to the webhook handler with the secret', async () => {
    emulator.failures.push({ method: 'getUpdates', errorCode: 502, description: 'Bad Gateway' });
    const seen: { id: number; secret: string | undefined }[] = [];
    const webhook = vi.fn(async (event: APIGatewayProxyEventV2) => {
      seen.push({
        id: JSON.parse(event.body ?? '{}').update_id,
        secret: event.headers['x-telegram-bot-api-secret-token'],
      });
      return { statusCode: 200 };
    });
    const user = { id: 9, firstName: '甲' };
    emulator.queueUpdate(textMessageUpdate(41, user, 1, '一'));
    emulator.queueUpdate(textMessageUpdate(42, user, 2, '二'));
    const run = pollUpdates({
      telegram: new Telegram(TOKEN, { apiRoot }),
      webhook,
      secret: 'polling-secret',
      signal: controller.signal,
      timeoutSeconds: 1,
      retryMs: 10,
    });
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    expect(seen).toEqual([
      { id: 41, secret: 'polling-secret' },
      { id: 42, secret: 'polling-secret' },
    ]);
    expect(emulator.callsOf('getUpdates').length).toBeGreaterThanOrEqual(2);
    controller.abort();
    await run;
    expect(webhook).toHaveBeenCalledTimes(2);
  });

  it('stops with a clear error when another process polls with the same token', async () => {
    emulator.failures.push({
      method: 'getUpdates',
      errorCode: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    await expect(
      pollUpdates({
        telegram: new Telegram(TOKEN, { apiRoot }),
        webhook: async () => ({ statusCode: 200 }),
        secret: 's',
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(PollingConflictError);
  });
});
