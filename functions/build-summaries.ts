// Nightly at 21:00 Asia/Shanghai (EventBridge Scheduler): build the city-wide and per-town tables,
// store the snapshots, and send the workbooks to every office member's chat, once per
// campaign-local date (functions/nightly-summaries.ts). Also invoked asynchronously by the webhook
// for 📊 汇总表 (functions/chat-summary.ts): the same build, sent to the person who asked; and by
// the office API for its workbooks (functions/office-summary.ts): built into the bucket.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '../app/messaging';
import { isChatSummaryRequest, runChatSummary } from './chat-summary';
import { counter, flushMetrics } from './metrics';
import { sendNightlySummaries } from './nightly-summaries';
import { isOfficeSummaryRequest, runOfficeSummary } from './office-summary';
import { configured, logger, notConfigured } from './runtime';

export const handler = middy()
  // The event is never logged (POWERTOOLS_LOGGER_LOG_EVENT notwithstanding): a chat summary's
  // carries a person id only, but no event is worth a switch that could log a chat's text.
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(flushMetrics())
  .handler(async (event: unknown) => {
    const c = await configured();
    if (!c.ready) return notConfigured('summaries', c.missing);
    const rt = c.runtime;
    if (isChatSummaryRequest(event)) {
      logger.setCorrelationId(event.requestId);
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
    if (isOfficeSummaryRequest(event)) {
      if (!rt.files) throw new Error('configuration: EVIDENCE_BUCKET is needed for the office API workbooks');
      const outcome = await runOfficeSummary(
        { store: rt.store, clock: systemClock, campaign: rt.campaign, files: rt.files, logger },
        event,
      );
      if (outcome === 'failed') counter.count('SummariesNotDelivered');
      logger.info('office summary', { job: event.job, outcome });
      return { outcome };
    }
    return sendNightlySummaries(
      { store: rt.store, clock: systemClock, messenger: rt.messenger, logger, counter },
      rt.campaign,
    );
  });
