// Scheduled every 15 minutes (EventBridge Scheduler): send the reminders that are due. Each
// (reminder, recipient) is claimed with a conditional write before sending, so overlapping runs
// never send twice (app/reminders.ts). A send Telegram did not take is counted (SendsFailed,
// TelegramRateLimited: functions/metrics.ts) and tried again on a later run.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '../app/messaging';
import { sendDueReminders } from '../app/reminders';
import { flushMetrics } from './metrics';
import { configured, logger, notConfigured } from './runtime';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(flushMetrics())
  .handler(async () => {
    const c = await configured();
    if (!c.ready) return notConfigured('reminders', c.missing);
    const rt = c.runtime;
    const report = await sendDueReminders(
      { store: rt.store, messenger: rt.messenger, clock: systemClock },
      rt.campaign,
    );
    logger.info('reminders run', { ...report });
    return report;
  });
