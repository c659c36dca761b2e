// The Bot API fake of the tests is the local Telegram emulator (local/telegram-emulator.ts): the
// unchanged bot talks to it over HTTP (apiRoot); it records every call, keeps each chat's messages
// (with edits), serves uploaded files, and can answer 429 or 403 on demand. It refuses (400, in
// `refusals`) what Telegram refuses, so a text too long or HTML Telegram cannot parse fails here.

export type {
  ApiCall,
  ChatMessage,
  InlineButton,
  Refusal,
  ScriptedFailure,
} from '../../local/telegram-emulator';
export { TelegramEmulator as FakeBotApi } from '../../local/telegram-emulator';
