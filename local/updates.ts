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

/** A message update: the envelope every kind of message shares, with its content. */
function messageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  date: number,
  content: Record<string, unknown>,
): TelegramUpdate {
  return {
    update_id: updateId,
    message: { message_id: messageId, from: from(user), chat: chat(user), date, ...content },
  };
}

export function textMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  text: string,
  date = nowSeconds(),
): TelegramUpdate {
  const command = text.startsWith('/') ? text.split(/\s/)[0] : undefined;
  return messageUpdate(updateId, user, messageId, date, {
    text,
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
  });
}

export interface DocumentRef {
  fileId: string;
  fileName: string;
  /** Telegram leaves it out at times. */
  size?: number;
}

/** Telegram names a document's type from its file name; the bot trusts only images' types. */
export function mimeOf(fileName: string): string | undefined {
  const ext = /\.(\w+)$/.exec(fileName.toLowerCase())?.[1];
  const types: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    heic: 'image/heic',
    csv: 'text/csv',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    xls: 'application/vnd.ms-excel',
    pdf: 'application/pdf',
  };
  return ext ? types[ext] : undefined;
}

export function documentMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  doc: DocumentRef,
  date = nowSeconds(),
): TelegramUpdate {
  const mime = mimeOf(doc.fileName);
  return messageUpdate(updateId, user, messageId, date, {
    document: {
      file_id: doc.fileId,
      file_unique_id: doc.fileId,
      file_name: doc.fileName,
      ...(mime ? { mime_type: mime } : {}),
      ...(doc.size !== undefined ? { file_size: doc.size } : {}),
    },
  });
}

export interface PhotoRef {
  /** The full-size photo's file id; Telegram also sends smaller sizes, each with its own id. */
  fileId: string;
  size: number;
  caption?: string;
}

/** Passed on from another chat: Telegram says where it came from (Bot API 7: forward_origin). */
function forwardOrigin(user: TelegramUserInfo, date: number) {
  return { forward_origin: { type: 'user', sender_user: from(user), date: date - 3600 } };
}

export function photoMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  photo: PhotoRef,
  opts: { forwarded?: boolean; date?: number } = {},
): TelegramUpdate {
  const date = opts.date ?? nowSeconds();
  return messageUpdate(updateId, user, messageId, date, {
    ...(opts.forwarded ? forwardOrigin(user, date) : {}),
    // Smallest first, as Telegram orders them; the bot keeps the largest.
    photo: [
      {
        file_id: `${photo.fileId}-s`,
        file_unique_id: `${photo.fileId}-s`,
        width: 90,
        height: 120,
        file_size: Math.min(photo.size, 1500),
      },
      {
        file_id: photo.fileId,
        file_unique_id: photo.fileId,
        width: 960,
        height: 1280,
        file_size: photo.size,
      },
    ],
    ...(photo.caption ? { caption: photo.caption } : {}),
  });
}

export function locationMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  at: { lat: number; lon: number },
  opts: { forwarded?: boolean; date?: number } = {},
): TelegramUpdate {
  const date = opts.date ?? nowSeconds();
  return messageUpdate(updateId, user, messageId, date, {
    ...(opts.forwarded ? forwardOrigin(user, date) : {}),
    location: { latitude: at.lat, longitude: at.lon, horizontal_accuracy: 20 },
  });
}

/** Something the survey does not take (a sticker): the bot must say so and change nothing. */
export function stickerMessageUpdate(
  updateId: number,
  user: TelegramUserInfo,
  messageId: number,
  date = nowSeconds(),
): TelegramUpdate {
  return messageUpdate(updateId, user, messageId, date, {
    sticker: {
      file_id: `st${messageId}`,
      file_unique_id: `st${messageId}`,
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: '👍',
    },
  });
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
