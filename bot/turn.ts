// What the front end's parts share, as types only: the turn every handler gets, the deps the bot
// is built with, and the handler tables each flow declares. Flows import these (never bot.ts), so
// bot.ts can import the flows through the route table (bot/routes.ts) without an import circle.

import type { Context } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import type { SummaryFile } from '../app/files';
import type { ListsDeps } from '../app/lists';
import type { Clock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import type { Outcome, SurveyStep } from '../app/surveys';
import type { Campaign } from '../domain/campaign';
import type { Person } from '../domain/model';
import type { Screen } from './render';

export interface LoggerLike {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export type { SummaryFile };

export interface BotDeps {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  logger?: LoggerLike;
  /** Builds the summary workbooks (wired in functions/ and local/, since bot/ may not import reports/). */
  summaries?: (actor: Person, scope: 'city' | string) => Promise<{ files: SummaryFile[]; text: string }>;
  /**
   * Builds them in the summaries function instead, which sends them to the chat when done (a
   * province's export outlasts the webhook's 29 s). `requestId` (the update id) makes a repeated
   * request deliver once.
   */
  summariesLater?: (actor: Person, scope: 'city' | string, requestId: number) => Promise<void>;
  /** The leader's report package (workbooks + narrative text) for the group's town. */
  groupReport?: (actor: Person, townId: string) => Promise<{ files: SummaryFile[]; text: string }>;
  /** Reminder acknowledgement (已完成/已上传/已提交 buttons); returns the reply to show. */
  acknowledge?: (actor: Person, reminderKey: string) => Promise<string>;
  /**
   * 明日检查村: a leader or liaison names the village of `date` (YYYY-MM-DD, the day after the one
   * the menu was shown on); the town is asked for its list.
   */
  tomorrow?: (actor: Person, villageId: string, date: string) => Promise<{ requestAt: Date; dueAt: Date }>;
  /** Downloads a Telegram file; defaults to fetch. */
  download?: (url: URL) => Promise<Uint8Array>;
  /** The evidence store (photos, large exports); without it photos are refused with a clear reply. */
  files?: FileStore;
  /** The largest file sent through Telegram (bots may upload 50 MB); larger ones go as a link. */
  documentLimitBytes?: number;
  /** Counts failures as metrics with alarms (functions/metrics.ts): 'UpdatesFailed'. */
  counter?: { count(name: 'UpdatesFailed'): void };
  random?: () => string;
}

export interface BotOptions {
  token: string;
  botInfo: UserFromGetMe;
  apiRoot?: string;
}

/** What every handler gets: the update's context, the person (if enrolled) and the deps. */
export interface Turn {
  ctx: Context;
  deps: BotDeps;
  person: Person;
  updateId: number;
  /** The update id for a session write: only the turn's first write records it. */
  uid(): number | undefined;
  /** The message holding the pressed button, if any (to edit in place). */
  fromButton: boolean;
  send(screen: Screen | string): Promise<void>;
  /** Edit the pressed message when there is one, else send. */
  show(screen: Screen | string): Promise<void>;
  /** Show a survey step: after a button answer the old prompt becomes a one-line record. */
  showStep(outcome: Outcome<SurveyStep>, opts?: { record?: string; inPlace?: boolean }): Promise<void>;
  /** Save the chat screen (and record the update id) without touching the draft. */
  setScreen(screen: string, data?: Record<string, string | number>): Promise<void>;
  listsDeps(): ListsDeps;
}

export type CallbackHandler = (turn: Turn, args: string[]) => Promise<void>;
export type TextHandler = (turn: Turn, text: string) => Promise<void>;

/** A photo (or an image sent as a file, which keeps its EXIF) the person sent. */
export interface IncomingImage {
  fileId: string;
  uniqueId: string;
  size?: number;
  mime: string;
  caption?: string;
}
export type PhotoHandler = (turn: Turn, photo: IncomingImage) => Promise<void>;
export type LocationHandler = (turn: Turn, at: { lat: number; lon: number }) => Promise<void>;

export interface Handlers {
  callbacks: Record<string, CallbackHandler>;
  /** By session screen. */
  texts: Record<string, TextHandler>;
  commands: Record<string, (turn: Turn, payload: string) => Promise<void>>;
  /** Photos by session screen; `survey` takes them while a survey is open, whatever the screen. */
  photos?: Record<string, PhotoHandler>;
  /** A file sent as a document that is not an image (a household list on the upload screen). */
  document?: (turn: Turn) => Promise<void>;
  /** A location sent from the spot (the survey's location step). */
  location?: LocationHandler;
}
