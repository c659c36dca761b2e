// Deliveries of several messages to one person (the nightly workbooks, 📊 汇总表 built by the
// summaries function): each part is sent at most once, however often the delivery is run again.
//
// The delivery as a whole is claimed by its caller (a lease past the function's timeout), so a
// repeat of a run still going sends nothing. A run cut off half-way leaves that claim to its lease;
// the run that takes it over used to send everything again, so the person got the first files
// twice. Now each part is claimed too, under `<delivery>~part<i>` ("#" is not allowed in key
// parts), before it is sent and marked after: the run taking over sends only the parts that were
// not. What is left is the one part cut off between its send and its mark.

import type { Clock, SendResult } from './messaging';
import type { Store } from './ports';

export interface PartDeps {
  store: Store;
  clock: Clock;
}

/** What a part's failure is recorded as (the Bot API's kind of refusal). */
export type PartFailure = Exclude<SendResult, { ok: true }>['kind'];

/**
 * Sends `parts` in order, each unless a run before this one claimed it (sent, failed, or still
 * leased). Every part is leased until the delivery's own lease ends (`leaseUntil`, fixed when the
 * caller claimed the delivery): a run that takes the delivery over (its lease ended) may take over
 * any part the run before it left unmarked. Parts are numbered by position, so a delivery must
 * list the same parts in the same order each time it is run. Returns the first failure among the
 * parts, this run's sends and those an earlier run recorded.
 */
export async function sendPartsOnce(
  deps: PartDeps,
  delivery: { id: string; recipientId: string; leaseUntil: string },
  parts: ReadonlyArray<() => Promise<SendResult>>,
): Promise<PartFailure | undefined> {
  let failure: PartFailure | undefined;
  for (const [i, send] of parts.entries()) {
    const id = `${delivery.id}~part${i}`;
    const lease = { now: deps.clock.now().toISOString(), until: delivery.leaseUntil };
    if (!(await deps.store.claimDelivery(id, delivery.recipientId, lease))) {
      // Sent or failed before (or, with a clock gone wrong, still held): a failure then is this
      // delivery's too.
      const [earlier] = (await deps.store.deliveriesOfReminder(id)).filter(
        (d) => d.recipientId === delivery.recipientId,
      );
      if (earlier?.status === 'failed') failure ??= failureKind(earlier.lastError);
      continue;
    }
    const result = await send();
    await deps.store.markDelivery(
      id,
      delivery.recipientId,
      result.ok
        ? { status: 'sent', attempted: true, sentAt: deps.clock.now().toISOString() }
        : { status: 'failed', attempted: true, lastError: result.kind },
    );
    if (!result.ok) failure ??= result.kind;
  }
  return failure;
}

const KINDS: readonly PartFailure[] = ['rate_limited', 'unreachable', 'error'];
const failureKind = (recorded: string | undefined): PartFailure =>
  KINDS.find((k) => k === recorded) ?? 'error';
