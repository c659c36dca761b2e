// Lambda entry point for Telegram's webhook: the runtime (functions/runtime.ts) builds the bot and
// the handler (functions/webhook-handler.ts) once per container; metrics are flushed per call.

import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { flushMetrics } from './metrics';
import { runtime } from './runtime';
import type { Result } from './webhook-handler';

export { createWebhookHandler, type WebhookOptions } from './webhook-handler';

/** Lambda: built once per container from the environment and Secrets Manager. */
export const handler = middy<APIGatewayProxyEventV2, Result>()
  .use(flushMetrics())
  .handler(async (event) => {
    const rt = await runtime();
    return rt.webhook(event);
  });
