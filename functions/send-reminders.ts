// Scheduled every 15 minutes (EventBridge Scheduler): send the reminders that are due. Each
// (reminder, recipient) is claimed with a conditional write before sending, so overlapping runs
// never send twice (app/reminders.ts).

import middy from '@middy/core';
import { systemClock } from '../app/messaging';
import { sendDueReminders } from '../app/reminders';
import { logger, runtime } from './runtime';

export const handler = middy().handler(async () => {
  const rt = await runtime();
  const report = await sendDueReminders(
    { store: rt.store, messenger: rt.messenger, clock: systemClock },
    rt.campaign,
  );
  logger.info('reminders run', { ...report });
  return report;
});
