// Failures that must not stay log lines (issue 19): CloudWatch metrics in the embedded metric
// format (Powertools Metrics, written with the function's logs, no API call), flushed after each
// invocation by `flushMetrics` (a middy middleware), each with an alarm to the stack's topic
// (infra/stack.ts). The counts carry no ids, names or answers. Powertools' own logMetrics
// middleware warns "No application metrics to publish" after every invocation without a failure,
// which would be a log line per answered question; this one writes only when something was counted.

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Messenger, SendResult } from '../app/messaging';

/** CloudWatch namespace and the `service` dimension Powertools adds to every metric. */
export const METRICS_NAMESPACE = 'InspectionBot';
export const METRICS_SERVICE = 'inspection-bot';

export const METRIC_NAMES = [
  /** An update the bot could not handle (the person was told 系统出错了). */
  'UpdatesFailed',
  /** A request to the webhook without the secret token (a forged or misrouted call). */
  'WebhookUnauthorized',
  /** A summary the office (or the person who asked) did not receive. */
  'SummariesNotDelivered',
  /**
   * A reminder, notice or summary the Bot API did not take, for a reason other than the person
   * being unreachable (403: blocked, never started) or Telegram's rate limit (counted below): a
   * 4xx/5xx answer, a network failure, a call that timed out.
   */
  'SendsFailed',
  /** A 429 from the Bot API, on any call (the bot's replies too): the bot is sending too fast. */
  'TelegramRateLimited',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** What the bot and the handlers count through; the tests count in memory. */
export interface Counter {
  count(name: MetricName): void;
}

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

export const counter: Counter = {
  count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
};

/**
 * The Messenger of reminders, notices and summaries, counting each send that failed as SendsFailed:
 * not a 403 (the person blocked the bot: handled, the office is told) and not a 429 (counted as
 * TelegramRateLimited on the Bot API call itself, bot/telegram-messenger.ts limitBotApi).
 */
export function countedMessenger(messenger: Messenger, counter: Counter): Messenger {
  const counted = (result: SendResult) => {
    if (!result.ok && result.kind === 'error') counter.count('SendsFailed');
    return result;
  };
  return {
    send: async (message) => counted(await messenger.send(message)),
    sendDocument: async (doc) => counted(await messenger.sendDocument(doc)),
  };
}

/** Writes what was counted during the invocation (nothing when nothing was), success or failure. */
export function flushMetrics(): MiddlewareObj {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}
