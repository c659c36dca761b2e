// The Bot API fake of the tests is the local Telegram emulator (local/telegram-emulator.ts): the
// unchanged bot talks to it over HTTP (apiRoot); it records every call, keeps each chat's messages
// (with edits), serves uploaded files, and can answer 429 or 403 on demand.

export type {
  ApiCall,
  ChatMessage,
  InlineButton,
  ScriptedFailure,
} from '../../local/telegram-emulator';
export { TelegramEmulator as FakeBotApi } from '../../local/telegram-emulator';
