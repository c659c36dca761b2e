// Nightly at 21:00 Asia/Shanghai (EventBridge Scheduler): build the city-wide and per-town tables,
// store the snapshots, and send the workbooks to every office member's chat. Also invoked
// asynchronously by the webhook for 📊 汇总表 (functions/chat-summary.ts): the same build, sent to
// the person who asked.

import middy from '@middy/core';
import { systemClock } from '../app/messaging';
import { isChatSummaryRequest, runChatSummary } from './chat-summary';
import { counter, flushMetrics } from './metrics';
import { logger, runtime } from './runtime';
import { summaryFiles, systemOffice } from './summary-files';

export const handler = middy()
  .use(flushMetrics())
  .handler(async (event: unknown) => {
    const rt = await runtime();
    if (isChatSummaryRequest(event)) {
      const outcome = await runChatSummary(
        {
          store: rt.store,
          clock: systemClock,
          campaign: rt.campaign,
          messenger: rt.messenger,
          files: rt.files,
          logger,
        },
        event,
      );
      if (outcome === 'failed') counter.count('SummariesNotDelivered');
      logger.info('chat summary', { requestId: event.requestId, outcome });
      return { outcome };
    }
    const at = systemClock.now().toISOString();
    const files = await summaryFiles(
      { store: rt.store, clock: systemClock },
      systemOffice('schedule', at),
      rt.campaign,
      'city',
    );
    const office = (await rt.store.peopleWithRole('office')).filter((p) => p.chatId && !p.unreachable);
    let sent = 0;
    for (const person of office) {
      for (const f of files) {
        const result = await rt.messenger.sendDocument({
          chatId: person.chatId as number,
          fileName: f.fileName,
          bytes: f.bytes,
          ...(f.caption ? { caption: f.caption } : {}),
        });
        if (result.ok) sent++;
        else {
          counter.count('SummariesNotDelivered');
          logger.warn('summary not delivered', { personId: person.id, kind: result.kind });
        }
      }
    }
    logger.info('summaries built', { files: files.length, recipients: office.length, sent });
    return { files: files.length, sent };
  });
