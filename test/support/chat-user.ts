// A simulated Telegram user: sends texts, presses buttons and uploads files as Telegram would
// deliver them — an update in an API Gateway v2 event, posted to the webhook handler.

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  apiGatewayEvent,
  callbackQueryUpdate,
  documentMessageUpdate,
  locationMessageUpdate,
  photoMessageUpdate,
  stickerMessageUpdate,
  textMessageUpdate,
  type Webhook,
} from '../../local/updates';
import type { ChatMessage, FakeBotApi, InlineButton } from './fake-bot-api';

export { apiGatewayEvent, type Webhook };

let updateSeq = 1;
/** Telegram's update ids only grow; share one sequence between all users of a test run. */
export const nextUpdateId = () => updateSeq++;

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

  private get user() {
    return { id: this.id, firstName: this.firstName };
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
    return this.post(textMessageUpdate(nextUpdateId(), this.user, this.messageSeq++, text));
  }

  /** Sends a file; `declareSize: false` leaves file_size out, as Telegram does at times. */
  upload(fileName: string, bytes: Uint8Array, opts: { declareSize?: boolean } = {}) {
    const fileId = `f${this.id}x${this.messageSeq}`;
    this.api.files.set(`documents/${fileId}`, bytes);
    return this.post(
      documentMessageUpdate(nextUpdateId(), this.user, this.messageSeq++, {
        fileId,
        fileName,
        ...(opts.declareSize === false ? {} : { size: bytes.length }),
      }),
    );
  }

  /** A photo from the phone's camera; `forwarded` passes it on from another chat instead. */
  sendPhoto(bytes: Uint8Array, opts: { caption?: string; forwarded?: boolean } = {}) {
    const fileId = `p${this.id}x${this.messageSeq}`;
    this.api.files.set(`photos/${fileId}`, bytes);
    this.api.files.set(`photos/${fileId}-s`, bytes);
    return this.post(
      photoMessageUpdate(
        nextUpdateId(),
        this.user,
        this.messageSeq++,
        { fileId, size: bytes.length, ...(opts.caption ? { caption: opts.caption } : {}) },
        opts.forwarded ? { forwarded: true } : {},
      ),
    );
  }

  /** The location button of the reply keyboard. */
  sendLocation(lat: number, lon: number, opts: { forwarded?: boolean } = {}) {
    return this.post(locationMessageUpdate(nextUpdateId(), this.user, this.messageSeq++, { lat, lon }, opts));
  }

  sendSticker() {
    return this.post(stickerMessageUpdate(nextUpdateId(), this.user, this.messageSeq++));
  }

  /** Press a button with callback data as given (a forged or old button). */
  pressData(data: string, message?: ChatMessage) {
    const msg = message ?? this.lastMessage();
    return this.post(
      callbackQueryUpdate(nextUpdateId(), this.user, {
        queryId: `cq${nextUpdateId()}`,
        data,
        message: { message_id: msg.message_id, date: 0, text: msg.text },
      }),
    );
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
