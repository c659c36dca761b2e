// 📊 汇总表 built in the summaries function rather than in the webhook (issue 18): a province's
// raw export takes minutes, the webhook has 29 s. The webhook invokes the summaries function
// asynchronously with who asked, for what scope and the update id; this builds the package as
// /summary would and sends it to that person's chat: each file through Telegram when it fits,
// else a link; then the ready line and 表5 as text.
//
// Exactly once: the delivery is claimed under the update id before anything is sent, with a lease
// a little longer than the function's timeout. A repeat of the same request (Lambda retries an
// asynchronous event after an error) finds the claim and sends nothing; one whose first attempt
// was cut off mid-way (a timeout) takes the claim over after the lease and sends what was not sent
// (each file, the ready line and 表5 are claimed on their own, app/deliveries.ts).
// A build that fails is reported to the person (not retried): pressing 📊 汇总表 again starts anew.

import { sendPartsOnce } from '../app/deliveries';
import { deliveryOf } from '../app/files';
import type { Clock, Messenger } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import type { LoggerLike } from '../bot/bot';
import { t } from '../bot/messages';
import { fileLinkMessage } from '../bot/render';
import type { Campaign } from '../domain/campaign';
import { summaryPackage } from './summary-files';

export interface ChatSummaryRequest {
  type: 'chat-summary';
  personId: string;
  scope: 'city' | string;
  /** The Telegram update that asked: one delivery per update. */
  requestId: number;
}

export function isChatSummaryRequest(event: unknown): event is ChatSummaryRequest {
  const e = event as Partial<ChatSummaryRequest> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.type === 'chat-summary' &&
    typeof e.personId === 'string' &&
    typeof e.scope === 'string' &&
    typeof e.requestId === 'number'
  );
}

/** The summaries function's timeout (infra/stack.ts) and a margin: a claim older than this was cut off. */
export const CHAT_SUMMARY_LEASE_MS = 5.5 * 60 * 1000;

export interface ChatSummaryDeps {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  messenger: Messenger;
  files?: FileStore | undefined;
  documentLimitBytes?: number;
  logger?: LoggerLike;
}

export type ChatSummaryOutcome = 'sent' | 'duplicate' | 'failed' | 'no_chat';

export async function runChatSummary(
  deps: ChatSummaryDeps,
  req: ChatSummaryRequest,
): Promise<ChatSummaryOutcome> {
  const { store, campaign, messenger } = deps;
  const person = await store.getPerson(req.personId);
  const chatId = person?.chatId;
  if (!person || chatId === undefined) return 'no_chat';
  const id = `${campaign.id}/summary:${req.requestId}`;
  const now = deps.clock.now();
  const lease = {
    now: now.toISOString(),
    until: new Date(now.getTime() + CHAT_SUMMARY_LEASE_MS).toISOString(),
  };
  if (!(await store.claimDelivery(id, person.id, lease))) return 'duplicate';
  const mark = (status: 'sent' | 'failed', lastError?: string) =>
    store.markDelivery(id, person.id, {
      status,
      attempted: true,
      ...(status === 'sent' ? { sentAt: deps.clock.now().toISOString() } : {}),
      ...(lastError ? { lastError } : {}),
    });
  try {
    // summaryPackage checks the person may build this scope (their grants as they are now).
    const { files, text } = await summaryPackage(deps, person, campaign, req.scope);
    const name =
      req.scope === 'city' ? t.summaryCity : (campaign.towns.find((tw) => tw.id === req.scope)?.name ?? '');
    // Each file, the ready line and 表5's text is a part of its own (sent once across runs,
    // app/deliveries.ts).
    const failure = await sendPartsOnce(deps, { id, recipientId: person.id, leaseUntil: lease.until }, [
      ...files.map((f) => async () => {
        const d = await deliveryOf(deps.files, f, deps.clock.now(), deps.documentLimitBytes);
        return d.kind === 'document'
          ? messenger.sendDocument({
              chatId,
              fileName: f.fileName,
              bytes: d.bytes,
              ...(f.caption ? { caption: f.caption } : {}),
            })
          : messenger.send({ chatId, ...fileLinkMessage(campaign, f.fileName, d) });
      }),
      () => messenger.send({ chatId, text: t.summaryReady(name) }),
      // 表5 as one part, however many messages it takes: a run taking over builds it anew (its
      // 截至 time and rows may differ), so its messages cannot be matched one by one.
      ...(text ? [() => messenger.send({ chatId, text })] : []),
    ]);
    if (failure) {
      // Telegram refused a part (not a build failure: nothing to tell the person that Telegram
      // would deliver); recorded as failed, so the summaries function counts it.
      deps.logger?.warn('chat summary not delivered whole', { personId: person.id, kind: failure });
      await mark('failed', failure);
      return 'failed';
    }
  } catch (err) {
    deps.logger?.error('chat summary failed', {
      personId: person.id,
      requestId: req.requestId,
      err: String(err),
    });
    await messenger.send({ chatId, text: t.summaryFailed }).catch(() => undefined);
    // The person is told either way; a mark that fails too leaves the claim to its lease.
    await mark('failed', err instanceof Error ? err.name : 'error').catch(() => undefined);
    return 'failed';
  }
  // Outside the try: a failure to mark a delivered summary must not tell the person it failed.
  await mark('sent');
  return 'sent';
}
