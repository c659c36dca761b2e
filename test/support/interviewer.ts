// An inspector working through a scripted household interview in the chat, with the faults real
// phones and Telegram produce: an update delivered twice (concurrently), a button pressed twice
// fast (two different updates), and an old prompt's button pressed again later (stale).

import { callbackQueryUpdate, textMessageUpdate } from '../../local/updates';
import { type ChatUser, nextUpdateId } from './chat-user';
import { giveEvidence, isEvidenceStep } from './evidence';
import type { ChatMessage, InlineButton } from './fake-bot-api';
import type { Rng, ScriptedSurvey } from './household-scripts';
import { currentQuestion } from './survey-driver';

export interface Faults {
  /** Share of updates Telegram delivers twice, both at once. */
  duplicate?: number;
  /** Share of button answers pressed twice (two updates, both at once). */
  doubleTap?: number;
  /** Chance, before each answer, of pressing a button of an earlier prompt again. */
  stale?: number;
}

export interface InterviewStats {
  updates: number;
  duplicates: number;
  doubleTaps: number;
  stalePresses: number;
}

/** Called around each update that answers a question (not around faults). */
export type StepHook = (kind: 'before' | 'after', questionId: string) => void;

const REVIEW = '📋 回顾';
const CONFIRM = '✅ 确认无误';
/** Survey buttons whose callback data carries the revision: pressing them late must not write. */
const REVISED = new Set(['c', 'pf', 'bk', 'kp', 'nil']);

let messageSeq = 1_000_000;
let querySeq = 1;

export class Interviewer {
  readonly stats: InterviewStats = { updates: 0, duplicates: 0, doubleTaps: 0, stalePresses: 0 };
  /** Buttons of prompts already answered (their data and message), for stale presses. */
  private readonly old: { data: string; message: ChatMessage }[] = [];

  constructor(
    readonly user: ChatUser,
    private readonly r: Rng = Math.random,
    private readonly faults: Faults = {},
    private readonly hook?: StepHook,
  ) {}

  private get from() {
    return { id: this.user.id, firstName: this.user.firstName };
  }

  private async deliver(update: Record<string, unknown>, allowDuplicate = true) {
    this.stats.updates++;
    if (allowDuplicate && this.r() < (this.faults.duplicate ?? 0)) {
      this.stats.duplicates++;
      await Promise.all([this.user.post(update), this.user.post(update)]);
      return;
    }
    await this.user.post(update);
  }

  private pressUpdate(data: string, message: ChatMessage) {
    return callbackQueryUpdate(nextUpdateId(), this.from, {
      queryId: `lq${this.user.id}-${querySeq++}`,
      data,
      message: { message_id: message.message_id, date: 0, text: message.text },
    });
  }

  /** Send a text as the person types it. */
  async type(text: string) {
    await this.deliver(textMessageUpdate(nextUpdateId(), this.from, messageSeq++, text));
  }

  /** Press a button (maybe twice, as a double tap; maybe delivered twice). */
  async pressButton(button: InlineButton, message: ChatMessage, mayDoubleTap = true) {
    const data = button.callback_data ?? '';
    if (mayDoubleTap && this.r() < (this.faults.doubleTap ?? 0)) {
      this.stats.doubleTaps++;
      this.stats.updates += 2;
      await Promise.all([
        this.user.post(this.pressUpdate(data, message)),
        this.user.post(this.pressUpdate(data, message)),
      ]);
      return;
    }
    await this.deliver(this.pressUpdate(data, message));
  }

  async pressData(data: string, message?: ChatMessage) {
    await this.deliver(this.pressUpdate(data, message ?? this.syntheticMessage()), false);
  }

  private syntheticMessage(): ChatMessage {
    return { message_id: 1, chatId: this.user.id, text: '', buttons: [], edits: 0, date: 0, seq: 0 };
  }

  private remember(message: ChatMessage) {
    for (const b of message.buttons.flat()) {
      const kind = b.callback_data?.split(':')[0] ?? '';
      if (b.callback_data && REVISED.has(kind))
        this.old.push({ data: b.callback_data, message: { ...message } });
    }
  }

  private async maybeStalePress() {
    if (this.old.length === 0 || this.r() >= (this.faults.stale ?? 0)) return;
    const { data, message } = this.old[Math.floor(this.r() * this.old.length)] as (typeof this.old)[number];
    this.stats.stalePresses++;
    this.stats.updates++;
    await this.user.post(this.pressUpdate(data, message));
  }

  /** From the first prompt of an open survey to its review, following the script. */
  async answerAll(script: ScriptedSurvey): Promise<void> {
    let last = '';
    for (let step = 0; step < 400; step++) {
      const message = this.user.lastMessage();
      if (message.text.includes(REVIEW)) return;
      if (isEvidenceStep(message)) {
        // At the house: the location and a photo, as the campaign asks before the review.
        this.stats.updates++;
        await giveEvidence(this.user);
        continue;
      }
      if (message.text.includes('⚠️')) {
        const confirm = script.confirms[last];
        if (confirm === undefined) throw new Error(`unexpected soft check after ${last}:\n${message.text}`);
        this.hook?.('before', last);
        if (confirm === true) {
          const button = message.buttons.flat().find((b) => b.text === CONFIRM);
          if (!button) throw new Error(`no ${CONFIRM} button:\n${message.text}`);
          await this.pressButton(button, message, false);
        } else {
          await this.type(confirm);
        }
        this.hook?.('after', last);
        continue;
      }
      const id = currentQuestion(this.user);
      const input = script.inputs[id];
      if (input === undefined) throw new Error(`the script has no answer for ${id} (after ${last})`);
      await this.maybeStalePress();
      last = id;
      const button = message.buttons.flat().find((b) => b.text === input || b.text === `✔ ${input}`);
      this.remember(message);
      this.hook?.('before', id);
      if (button) await this.pressButton(button, message);
      else await this.type(input);
      this.hook?.('after', id);
    }
    throw new Error('the interview did not reach the review');
  }

  /** ✅ 提交 on the review (maybe double-tapped). */
  async submit(): Promise<void> {
    const message = this.user.lastMessage();
    const button = message.buttons.flat().find((b) => b.text === '✅ 提交');
    if (!button) throw new Error(`no submit button:\n${message.text}`);
    await this.pressButton(button, message);
  }
}
