// Real Telegram without AWS: long-poll getUpdates and hand each update to the same webhook handler
// Lambda runs (wrapped in an API Gateway event with the secret), so a phone can try the bot against
// a laptop. Telegram refuses getUpdates while a webhook is set, so the webhook is deleted first
// (pending updates are kept).

import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { LoggerLike } from '../bot/bot';
import { apiGatewayEvent, type TelegramUpdate, type Webhook } from './updates';

export interface PollOptions {
  telegram: Telegram;
  webhook: Webhook;
  secret: string;
  signal: AbortSignal;
  /** Long-poll wait in seconds (Telegram allows up to 50). */
  timeoutSeconds?: number;
  /** Pause after a failed poll before trying again. */
  retryMs?: number;
  logger?: LoggerLike;
}

/** Another process polls with the same token (Telegram answers 409); polling cannot go on. */
export class PollingConflictError extends Error {
  override readonly name = 'PollingConflictError';
}

/** Polls until `signal` aborts. Resolves then; rejects only on a conflict with another poller. */
export async function pollUpdates(opts: PollOptions): Promise<void> {
  const { telegram, webhook, secret, signal, logger } = opts;
  const retryMs = opts.retryMs ?? 3000;
  await telegram.deleteWebhook({ drop_pending_updates: false });
  let offset = 0;
  while (!signal.aborted) {
    let updates: TelegramUpdate[];
    try {
      updates = (await telegram.callApi(
        'getUpdates',
        {
          offset,
          timeout: opts.timeoutSeconds ?? 25,
          allowed_updates: ['message', 'callback_query', 'my_chat_member', 'edited_message'],
        },
        // telegraf types the signal with its abort-controller polyfill; Node's own works the same.
        { signal } as Parameters<Telegram['callApi']>[2],
      )) as unknown as TelegramUpdate[];
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof TelegramError && err.code === 409) throw new PollingConflictError(err.description);
      logger?.warn('getUpdates failed, retrying', {
        error: err instanceof Error ? err.message : String(err),
      });
      await pause(retryMs, signal);
      continue;
    }
    for (const update of updates) {
      // Confirmed on the next poll whatever happens: a failing update must not block the rest.
      offset = Math.max(offset, update.update_id + 1);
      try {
        const res = await webhook(apiGatewayEvent(update, secret));
        if (res.statusCode !== 200)
          logger?.warn('update not accepted', { updateId: update.update_id, status: res.statusCode });
      } catch (err) {
        logger?.error('update failed', {
          updateId: update.update_id,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
