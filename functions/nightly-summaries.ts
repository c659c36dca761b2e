// The nightly summary (21:00 in the campaign's time zone): the city-wide workbooks to every
// reachable office chat, once per campaign-local date. Run by functions/build-summaries.ts on AWS
// and by the local scheduler (local/scheduler.ts).
//
// Once per date: EventBridge Scheduler retries a run whose invocation failed, and Lambda retries a
// run that failed (functionRetries in infra/stack.ts); a retry must not send the office a second
// copy. Each office member's delivery is a claim `<campaignId>/nightly:<date>` (the reminders'
// claim, app/reminders.ts) written before anything is sent to them and marked after: a retried run
// skips whoever has theirs, sent or failed, and sends to the rest. A run cut off between claiming
// and marking leaves the claim leased; a run after the lease sends that person the files not sent
// yet (each file is claimed on its own, app/deliveries.ts: only a file cut off between its send
// and its mark can go twice). When everyone has theirs, a retry does not even build.

import { sendPartsOnce } from '../app/deliveries';
import type { Clock, Messenger } from '../app/messaging';
import type { Store } from '../app/ports';
import type { LoggerLike } from '../bot/bot';
import type { Campaign } from '../domain/campaign';
import { localDate } from '../domain/reminders';
import { CHAT_SUMMARY_LEASE_MS } from './chat-summary';
import type { Counter } from './metrics';
import { summaryFiles, systemOffice } from './summary-files';

export interface NightlyDeps {
  store: Store;
  clock: Clock;
  messenger: Messenger;
  logger?: LoggerLike;
  counter?: Counter;
}

export interface NightlyReport {
  /** The campaign-local date the run sent for. */
  date: string;
  /** Files built (0 when everyone had theirs already). */
  files: number;
  /** Reachable office members. */
  recipients: number;
  /** Files sent in this run. */
  sent: number;
  /** Office members whose summary of this date an earlier run already took care of. */
  already: number;
}

/** The delivery of a date's nightly summary (one item per office member under it). */
export const nightlyDeliveryId = (campaign: Pick<Campaign, 'id'>, date: string) =>
  `${campaign.id}/nightly:${date}`;

export async function sendNightlySummaries(deps: NightlyDeps, campaign: Campaign): Promise<NightlyReport> {
  const { store, clock, messenger } = deps;
  const now = clock.now();
  const date = localDate(campaign, now);
  const id = nightlyDeliveryId(campaign, date);
  const office = (await store.peopleWithRole('office')).filter((p) => p.chatId && !p.unreachable);
  const earlier = new Map((await store.deliveriesOfReminder(id)).map((d) => [d.recipientId, d]));
  // Sent, failed, or claimed by a run that may still be sending: not this run's.
  const taken = (personId: string) => {
    const d = earlier.get(personId);
    return d !== undefined && (d.status !== 'pending' || (d.leaseUntil ?? '') >= now.toISOString());
  };
  const due = office.filter((p) => !taken(p.id));
  const report: NightlyReport = {
    date,
    files: 0,
    recipients: office.length,
    sent: 0,
    already: office.length - due.length,
  };
  if (due.length === 0) {
    deps.logger?.info('nightly summary already delivered', { date, recipients: office.length });
    return report;
  }
  const files = await summaryFiles(
    { store, clock },
    systemOffice('schedule', now.toISOString()),
    campaign,
    'city',
  );
  report.files = files.length;
  for (const person of due) {
    const at = clock.now();
    const lease = {
      now: at.toISOString(),
      until: new Date(at.getTime() + CHAT_SUMMARY_LEASE_MS).toISOString(),
    };
    if (!(await store.claimDelivery(id, person.id, lease))) {
      report.already++;
      continue;
    }
    const failure = await sendPartsOnce(
      deps,
      { id, recipientId: person.id, leaseUntil: lease.until },
      files.map((f) => async () => {
        const result = await messenger.sendDocument({
          chatId: person.chatId as number,
          fileName: f.fileName,
          bytes: f.bytes,
          ...(f.caption ? { caption: f.caption } : {}),
        });
        if (result.ok) report.sent++;
        return result;
      }),
    );
    if (failure) {
      deps.counter?.count('SummariesNotDelivered');
      deps.logger?.warn('summary not delivered', { personId: person.id, kind: failure });
    }
    await store.markDelivery(
      id,
      person.id,
      failure
        ? { status: 'failed', attempted: true, lastError: failure }
        : { status: 'sent', attempted: true, sentAt: clock.now().toISOString() },
    );
  }
  deps.logger?.info('summaries built', { ...report });
  return report;
}
