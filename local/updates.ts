// Telegram updates as Telegram builds them (a text, a document, a button press) and the API Gateway
// v2 event that carries one to the webhook Lambda. Shared by the local emulator and the tests, so
// both exercise exactly what production receives.

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type Webhook = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** A Telegram update as JSON (the webhook parses and validates it). */
export type TelegramUpdate = { update_id: number } & Record<string, unknown>;

export interface TelegramUserInfo {
  id: number;
  firstName: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function from(user: TelegramUserInfo) {
  return { id: user.id, is_bot: false, first_name: user.firstName, language_code: 'zh-hans' };
}

/** A private chat's id is the person's user id. */
function chat(user: TelegramUserInfo) {
  return { id: user.id, type: 'private', first_name: user.firstName };
}

export function textMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  text: string,
  date = nowSeconds(),
): TelegramUpdate {
  const command = text.startsWith('/') ? text.split(/\s/)[0] : undefined;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: from(user),
      chat: chat(user),
      date,
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
    },
  };
}

export interface DocumentRef {
  fileId: string;
  fileName: string;
  size: number;
}

export function documentMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  doc: DocumentRef,
  date = nowSeconds(),
): TelegramUpdate {
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: from(user),
      chat: chat(user),
      date,
      document: {
        file_id: doc.fileId,
        file_unique_id: doc.fileId,
        file_name: doc.fileName,
        file_size: doc.size,
      },
    },
  };
}

export interface PressedButton {
  /** Telegram's callback query id (answerCallbackQuery names it). */
  queryId: string;
  data: string;
  /** The bot's message holding the button. */
  message: { message_id: number; date: number; text: string };
}

export function callbackQueryUpdate(
  updateId: number,
  user: TelegramUserInfo,
  press: PressedButton,
): TelegramUpdate {
  return {
    update_id: updateId,
    callback_query: {
      id: press.queryId,
      from: from(user),
      chat_instance: `ci${user.id}`,
      data: press.data,
      message: { ...press.message, chat: { id: user.id, type: 'private' } },
    },
  };
}

/** How API Gateway (HTTP API, payload v2) hands Telegram's POST to the webhook Lambda. */
export function apiGatewayEvent(body: unknown, secret: string | undefined): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /telegram',
    rawPath: '/telegram',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      // API Gateway lower-cases header names.
      ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}),
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/telegram',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'TelegramBot (like TwitterBot)',
      },
      requestId: `req-${Date.now()}`,
      routeKey: 'POST /telegram',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
