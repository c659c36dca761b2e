// The webhook over a bot (API Gateway HTTP API, payload v2): check the secret token, parse the
// update, hand it to the bot, answer 200. Handled errors already became a Chinese reply inside the
// bot, so Telegram never retries them. The same function runs in Lambda (functions/telegram-webhook.ts,
// wired by functions/runtime.ts), locally and in tests; it imports neither, so they need no cycle.

import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
// zod/mini: the same checks as classic zod, a quarter of its size in the bundle every cold start
// evaluates (issue 18); its messages are not shown to anyone here.
import * as z from 'zod/mini';
import type { LoggerLike } from '../bot/bot';
import type { Counter } from './metrics';

const Chat = z.looseObject({ id: z.number(), type: z.optional(z.string()) });
const User = z.looseObject({ id: z.number(), is_bot: z.boolean() });
const MessageShape = z.looseObject({
  message_id: z.number(),
  chat: Chat,
  from: z.optional(User),
  date: z.number(),
});
/** Only the kinds the bot handles are validated in depth; the rest is ignored. */
const UpdateSchema = z.looseObject({
  update_id: z.int().check(z.nonnegative()),
  message: z.optional(MessageShape),
  callback_query: z.optional(
    z.looseObject({
      id: z.string(),
      from: User,
      data: z.optional(z.string().check(z.maxLength(64))),
      message: z.optional(z.unknown()),
    }),
  ),
  // An edited message: answered that edits are not recorded (bot/bot.ts).
  edited_message: z.optional(MessageShape),
  // The bot added to (or removed from) a chat: in a group or channel it leaves (bot/bot.ts).
  my_chat_member: z.optional(
    z.looseObject({ chat: Chat, from: User, new_chat_member: z.looseObject({ status: z.string() }) }),
  ),
});

export interface WebhookOptions {
  bot: Telegraf;
  secret: string;
  logger?: LoggerLike;
  counter?: Counter;
  /** Told each update's id before the bot runs (Lambda: the logger's correlation id). */
  correlate?: (updateId: number) => void;
}

export type Result = APIGatewayProxyStructuredResultV2;
const respond = (statusCode: number, body = ''): Result => ({ statusCode, body });

function secretMatches(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** The webhook handler over a bot; the same function runs in Lambda, locally and in tests. */
export function createWebhookHandler({ bot, secret, logger, counter, correlate }: WebhookOptions) {
  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    if (!secretMatches(header(event, 'x-telegram-bot-api-secret-token'), secret)) {
      counter?.count('WebhookUnauthorized');
      logger?.warn('webhook request refused: bad secret token', {
        requestId: event.requestContext?.requestId,
      });
      return respond(401, 'unauthorized');
    }
    let body: unknown;
    try {
      const raw = event.isBase64Encoded
        ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
        : (event.body ?? '');
      body = JSON.parse(raw);
    } catch {
      return respond(400, 'invalid json');
    }
    const parsed = UpdateSchema.safeParse(body);
    if (!parsed.success) {
      // Authenticated but malformed: answering 200 stops Telegram from retrying it forever.
      logger?.warn('update ignored: unexpected shape', { issues: parsed.error.issues.length });
      return respond(200);
    }
    const update = parsed.data;
    correlate?.(update.update_id);
    if (!update.message && !update.callback_query && !update.my_chat_member && !update.edited_message) {
      logger?.info('update ignored: kind not handled', { updateId: update.update_id });
      return respond(200);
    }
    await bot.handleUpdate(update as unknown as Update);
    return respond(200);
  };
}
