// A simulated Telegram user: sends texts, presses buttons and uploads files as Telegram would
// deliver them — an update in an API Gateway v2 event, posted to the webhook handler.

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ChatMessage, FakeBotApi, InlineButton } from './fake-bot-api';

export type Webhook = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

let updateSeq = 1;
/** Telegram's update ids only grow; share one sequence between all users of a test run. */
export const nextUpdateId = () => updateSeq++;

export function apiGatewayEvent(body: unknown, secret: string | undefined): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /telegram',
    rawPath: '/telegram',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
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
        userAgent: 'test',
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

export class ChatUser {
  /** The last update this user sent, to replay it. */
  lastUpdate?: Record<string, unknown>;
  private messageSeq = 1;

  constructor(
    readonly api: FakeBotApi,
    readonly webhook: Webhook,
    readonly secret: string,
    readonly id: number,
    readonly firstName = `用户${id}`,
  ) {}

  private from() {
    return { id: this.id, is_bot: false, first_name: this.firstName, language_code: 'zh-hans' };
  }

  async post(update: Record<string, unknown>): Promise<APIGatewayProxyStructuredResultV2> {
    this.lastUpdate = update;
    const res = await this.webhook(apiGatewayEvent(update, this.secret));
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
    return res;
  }

  /** Send the same update again (Telegram retrying). */
  replay() {
    if (!this.lastUpdate) throw new Error('nothing to replay');
    return this.post(this.lastUpdate);
  }

  send(text: string) {
    return this.post({
      update_id: nextUpdateId(),
      message: {
        message_id: this.messageSeq++,
        from: this.from(),
        chat: { id: this.id, type: 'private', first_name: this.firstName },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
          : {}),
      },
    });
  }

  upload(fileName: string, bytes: Uint8Array) {
    const fileId = `f${this.id}x${this.messageSeq}`;
    this.api.files.set(`documents/${fileId}`, bytes);
    return this.post({
      update_id: nextUpdateId(),
      message: {
        message_id: this.messageSeq++,
        from: this.from(),
        chat: { id: this.id, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        document: { file_id: fileId, file_unique_id: fileId, file_name: fileName, file_size: bytes.length },
      },
    });
  }

  /** Press a button with callback data as given (a forged or old button). */
  pressData(data: string, message?: ChatMessage) {
    const msg = message ?? this.lastMessage();
    return this.post({
      update_id: nextUpdateId(),
      callback_query: {
        id: `cq${nextUpdateId()}`,
        from: this.from(),
        chat_instance: `ci${this.id}`,
        data,
        message: {
          message_id: msg.message_id,
          date: 0,
          chat: { id: this.id, type: 'private' },
          text: msg.text,
        },
      },
    });
  }

  /** Press the button whose text matches, on the newest message that has one. */
  press(label: string | RegExp) {
    const { message, button } = this.findButton(label);
    return this.pressData(button.callback_data ?? '', message);
  }

  findButton(label: string | RegExp): { message: ChatMessage; button: InlineButton } {
    const matches = (b: InlineButton) => (typeof label === 'string' ? b.text === label : label.test(b.text));
    for (const message of [...this.messages()].reverse()) {
      const button = message.buttons.flat().find(matches);
      if (button) return { message, button };
    }
    throw new Error(
      `no button ${label} in the chat; last message:\n${this.lastMessage().text}\nbuttons: ${this.buttonTexts().join(' | ')}`,
    );
  }

  messages(): ChatMessage[] {
    return this.api.chat(this.id);
  }

  lastMessage(): ChatMessage {
    const m = this.messages().at(-1);
    if (!m) throw new Error(`no message to user ${this.id}`);
    return m;
  }

  lastText(): string {
    return this.lastMessage().text;
  }

  buttonTexts(message = this.lastMessage()): string[] {
    return message.buttons.flat().map((b) => b.text);
  }

  /** Texts of the messages that arrived after `since` messages. */
  textsSince(since: number): string[] {
    return this.messages()
      .slice(since)
      .map((m) => m.text);
  }
}
