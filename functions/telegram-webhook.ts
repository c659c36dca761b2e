// Lambda entry point for Telegram's webhook: the runtime (functions/runtime.ts) builds the bot and
// the handler (functions/webhook-handler.ts), again when the secret or the campaign changed;
// metrics are flushed per call. Each log line carries the Lambda context and the update id
// (correlation_id), both reset after the call.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { flushMetrics } from './metrics';
import { logger, runtime } from './runtime';
import type { Result } from './webhook-handler';

export { createWebhookHandler, type WebhookOptions } from './webhook-handler';

/** Lambda: the runtime from the environment and Secrets Manager (functions/runtime.ts). */
export const handler = middy<APIGatewayProxyEventV2, Result>()
  // Never the event: its body is the person's message (names, answers).
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(flushMetrics())
  .handler(async (event) => {
    const rt = await runtime();
    return rt.webhook(event);
  });
