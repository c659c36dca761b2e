// Failures raise alarms (issue 19): a handled failure is counted, and the count leaves the
// function as a CloudWatch metric in the embedded metric format, written only when something was
// counted (no log line per answered question). The alarms on these metrics are in infra.test.ts.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { createBot } from '../../bot/bot';
import { counter, flushMetrics, type MetricName } from '../../functions/metrics';
import { botInfoFrom } from '../../functions/runtime';
import { createWebhookHandler } from '../../functions/telegram-webhook';
import { apiGatewayEvent, textMessageUpdate } from '../../local/updates';
import { campaign } from '../support/system';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A store whose reads fail, as DynamoDB does when it is unreachable. */
class BrokenStore extends MemoryStore {
  override async getPerson(): Promise<never> {
    throw new Error('connect ECONNREFUSED');
  }
}

function system(counted: MetricName[]) {
  const count = { count: (name: MetricName) => counted.push(name) };
  const bot = createBot(
    {
      store: new BrokenStore(),
      clock: new ManualClock(new Date('2017-11-01T02:00:00Z')),
      campaign,
      counter: count,
    },
    // Nothing listens there: the reply fails too, as it would with Telegram down.
    { token: '1:x', botInfo: botInfoFrom('1:x', 'test_bot'), apiRoot: 'http://127.0.0.1:9' },
  );
  return createWebhookHandler({ bot, secret: 'a-secret-of-16-chars', counter: count });
}

describe('counted failures', () => {
  it('a failed update is counted once, and the webhook still answers 200 (Telegram must not retry it)', async () => {
    const counted: MetricName[] = [];
    const webhook = system(counted);
    const out = await webhook(
      apiGatewayEvent(textMessageUpdate(1, { id: 42, firstName: '甲' }, 1, '你好'), 'a-secret-of-16-chars'),
    );
    expect(out.statusCode).toBe(200);
    expect(counted).toEqual(['UpdatesFailed']);
  });

  it('a webhook call without the secret token is counted', async () => {
    const counted: MetricName[] = [];
    const out = await system(counted)(apiGatewayEvent({ update_id: 2 }, 'wrong'));
    expect(out.statusCode).toBe(401);
    expect(counted).toEqual(['WebhookUnauthorized']);
  });
});

describe('the metrics leaving the function', () => {
  it('are one EMF line per invocation with a failure, and nothing (no warning either) without one', async () => {
    const lines: string[] = [];
    // Powertools writes through its own Console on stdout (as Lambda collects it).
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk).trim());
      return true;
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const flush = flushMetrics().after as () => Promise<void>;

    await flush();
    expect(lines).toEqual([]);
    expect(warn).not.toHaveBeenCalled();

    counter.count('UpdatesFailed');
    counter.count('UpdatesFailed');
    await flush();
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}');
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'InspectionBot',
      Dimensions: [['service']],
      Metrics: [{ Name: 'UpdatesFailed', Unit: 'Count' }],
    });
    // Two counts in one invocation: two values, which CloudWatch sums to 2.
    expect([emf.UpdatesFailed].flat().reduce((a: number, b: number) => a + b, 0)).toBe(2);
    expect(emf.service).toBe('inspection-bot');
  });
});
