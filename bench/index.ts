// `npm run bench`: the product's speed and capacity as numbers (issue 11), printed as Markdown and
// written to bench/results.md. Sections: the form engine per answer; the store's hot path (the
// person item as stored now and as it was); one answered question through the real webhook on
// DynamoDB Local and dynalite; reminder throughput against a Bot API enforcing 30 messages/s;
// summary build time by number of surveys; the webhook bundle's size and cold import.
//
// Household lists (issue 14): reading, checking, storing and drawing 1,000–20,000 households, the
// largest item written, hostile files refused, and ten concurrent pick marks.
//
// Evidence (issue 16): a phone photo and the location through the webhook, with s3rver.
//
// Province scale (issue 18): 100,000 surveys in 2,000 villages on DynamoDB Local, 表4 city-wide
// from the village aggregates, the /villages tap at 1,000 and 10,000 surveys in a town; every
// update of a survey by kind (reads, writes, WCU). The headline numbers also go to
// bench/results.json (machine-readable; null where not measured, with the reason in `notes`).
//
// Knobs: BENCH_ONLY=engine,store,webhook,evidence,reminders,summaries,lists,bundle,scale (a subset;
// results.md and results.json are then not written), BENCH_ITERATIONS (store, default 300),
// BENCH_SURVEYS (webhook, default 5), BENCH_RECIPIENTS (reminders, default 300), BENCH_SCALE
// (surveys of the province, default 100000).

import { readFile, writeFile } from 'node:fs/promises';
import { cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Engine, type EngineName, startEngine } from '../test/support/engines';
import { BUNDLE_NOTE, benchBundle, bundleTable } from './bundle-bench';
import { benchEngine, engineTable } from './engine-bench';
import { benchEvidence, type EvidenceBenchResult, evidenceTable } from './evidence-bench';
import { benchConcurrentMarks, benchHostile, benchLists, type ListBenchRow, listTable } from './list-bench';
import { benchReminders, type ReminderBenchResult, reminderTable } from './reminder-bench';
import { benchScale, type ScaleBenchResult, scaleTable } from './scale-bench';
import { benchStore, markdownTable, type StoreBenchResult } from './store-bench';
import { benchSummaries, summaryTable } from './summary-bench';
import { benchWebhook, tapTable, type WebhookBenchResult, webhookTable } from './webhook-bench';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const SURVEYS = Number(process.env.BENCH_SURVEYS ?? 5);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 300);
const SCALE = Number(process.env.BENCH_SCALE ?? 100_000);
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (section: string) => !ONLY || ONLY.includes(section);

const started = performance.now();
const out: string[] = [];
const emit = (text: string) => {
  out.push(text);
  console.log(text);
};
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);

emit('# Benchmarks (`npm run bench`)\n');
emit(
  `${new Date().toISOString().slice(0, 16)}Z · Node ${process.version} · ${platform()} · ` +
    `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}. Local engines and a loopback Bot API: ` +
    'counts and capacity carry over to AWS, times only compare with each other.\n',
);

if (wanted('engine')) {
  emit('## Form engine: CPU per answered household question\n');
  emit(engineTable(benchEngine()));
  emit(
    '\napplyAnswer (validate, re-normalise, next question) plus the progress and position the prompt shows, ' +
      'over scripted interviews of every stratum (test/support/household-scripts.ts).\n',
  );
}

const storeResults: StoreBenchResult[] = [];
const webhookResults: WebhookBenchResult[] = [];
const reminderResults: ReminderBenchResult[] = [];
const listResults: ListBenchRow[] = [];
const markResults: string[] = [];
const evidenceResults: EvidenceBenchResult[] = [];
let summaries = '';
let scale: ScaleBenchResult | undefined;

async function onEngine(name: EngineName, work: (engine: Engine) => Promise<void>) {
  const engine = await startEngine(name, 'bench');
  try {
    await work(engine);
  } finally {
    await engine.stop();
  }
}

for (const name of ['DynamoDB Local', 'dynalite'] as const) {
  if (!['store', 'webhook', 'reminders', 'summaries', 'lists', 'evidence', 'scale'].some(wanted)) break;
  await onEngine(name, async (engine) => {
    // Reminders first: every inspector on the engine is a recipient, so none of the other sections'.
    if (wanted('reminders') && name === 'DynamoDB Local') {
      reminderResults.push(await benchReminders(engine, RECIPIENTS));
      // A Lambda waits ~150 ms for each Bot API answer; the sender keeps several in flight.
      reminderResults.push(await benchReminders(engine, RECIPIENTS, 150, 760_000));
    }
    if (wanted('store')) {
      storeResults.push(await benchStore(engine, 'before', ITERATIONS));
      storeResults.push(await benchStore(engine, 'now', ITERATIONS));
    }
    if (wanted('webhook')) webhookResults.push(await benchWebhook(engine, SURVEYS));
    if (wanted('evidence')) evidenceResults.push(await benchEvidence(engine));
    if (wanted('lists')) {
      listResults.push(...(await benchLists(engine)));
      markResults.push(await benchConcurrentMarks(engine));
    }
    if (wanted('summaries') && name === 'dynalite') summaries = summaryTable(await benchSummaries(engine));
    if (wanted('scale') && name === 'DynamoDB Local') scale = await benchScale(engine, SCALE);
  });
  console.error(`… ${name} done (${seconds()} s)`);
}

if (storeResults.length > 0) {
  const item = storeResults.find((r) => r.layout === 'now')?.itemBytes ?? 0;
  emit(
    `## Store hot path: one answered question (getPerson + savePersonSession), ${ITERATIONS} iterations\n`,
  );
  emit(markdownTable(storeResults));
  emit(
    `\nPerson ≈ ${(item / 1024).toFixed(1)} KB as JSON (a draft with 40 answers and 40 history entries); the ` +
      'store writes its session deflated with a preset dictionary of the forms’ strings (store/packed.ts), so ' +
      'the stored item is about a sixth of that. ' +
      '"before" writes the person item as the store used to (with GSI1/GSI2 keys on it), "now" as it does: ' +
      'the people index lives on small entries beside it (one per grant), written only when grants change. Capacity ' +
      'as each engine reports it (ReturnConsumedCapacity INDEXES); dynalite counts the table only.\n',
  );
}

if (webhookResults.length > 0) {
  emit('## One answered question through the webhook\n');
  emit(webhookTable(webhookResults));
  emit(
    '\nChatUser → API Gateway v2 event → createWebhookHandler → telegraf → use case → DynamoStore, with the ' +
      'fake Bot API on loopback. Scripted household interviews of varied strata (soft checks confirmed ' +
      'included), one update at a time; each answering update is measured: DynamoDB calls (a client ' +
      'middleware), consumed capacity, and the handler’s wall time including its Bot API calls ' +
      '(a button answer edits the prompt, sends the next one and answers the callback). Budget: one ' +
      'read and one write per answer (ARCHITECTURE.md).\n',
  );
}

if (webhookResults.length > 0) {
  emit('## Every update of a household survey, by kind\n');
  emit(tapTable(webhookResults));
  emit(
    '\nThe same scripted surveys, every update from opening (`hs`) to submitting, one edit from the review ' +
      '(修改 → section → question → the new answer) included. A button is named by its kind (`c` a choice, ' +
      '`nil` 确认无误 on a soft check, `pf` the photo step’s 完成). Reads and writes are DynamoDB calls ' +
      '(retries not counted); WCU as DynamoDB Local reports it (table and GSIs). Budget (issue 18): every ' +
      'update inside a survey ≤ 1 read + 1 write; opening and submitting each within 2 reads + 3 writes. ' +
      'Submitting writes the survey, the village’s aggregate and its counts item, and the person (4: see ' +
      'README, Scale); the pick was marked started when the survey opened.\n',
  );
}

if (evidenceResults.length > 0) {
  emit('## Evidence: a phone photo and the location through the webhook\n');
  emit(evidenceTable(evidenceResults));
  emit(
    '\nTwenty ~200 KB photos (the most a survey keeps) sent one update at a time while a survey is open, then the ' +
      'location. Each photo: getFile and a download from the Bot API (loopback), one put to s3rver (an S3-compatible ' +
      'server on loopback, as `npm start` runs), the update’s claim (its id recorded before any side effect) and ' +
      'one conditional write of the person item; the bytes never enter DynamoDB. The person item grows by one reference (~0.3 KB) per photo, well inside 400 KB. On AWS the put ' +
      'and the download cross the network; budget them at tens of milliseconds each, inside the 29 s webhook.\n',
  );
}

if (reminderResults.length > 0) {
  emit('## Reminder sending against a Bot API enforcing 30 messages/s\n');
  emit(reminderTable(reminderResults));
  emit(
    '\nOne scheduler run (sendDueReminders, as functions/send-reminders.ts wires it) on the day before the ' +
      'training: every inspector gets the reminder. The fake Bot API (bench/rate-limited-bot-api.ts) answers ' +
      '429 with retry_after beyond 30 accepted sends in any sliding second. Each message costs a claim, a ' +
      'mark and an audit write. The 150 ms row adds a Telegram round trip to every Bot API call: the sender ' +
      'keeps 10 sends in flight (app/reminders.ts SENDS_IN_FLIGHT), each slot reserved in the throttle before ' +
      'waiting, so the round trip no longer sets the pace (issue 18: before, one at a time, 5.7 messages/s). ' +
      '"duplicates": messages a recipient received more than once. Each claim is leased for 6 minutes: a ' +
      'run cut off between claiming and marking leaves the delivery to the first run after the lease.\n',
  );
}

if (listResults.length > 0) {
  emit('## Household lists: a town’s XLSX read, checked, stored, drawn and one replacement\n');
  emit(listTable(listResults));
  emit(
    '\nThrough app/lists.ts as the chat and `npm run lists` use it. The XLSX has 人口, 村民小组, 备注 and a phone ' +
      'column (dropped). "read + check": the bounded reader (ingest/list-file.ts). The list is stored as chunk items ' +
      'of one stratum each (≤ 500 households) plus the village state item; "largest item" is the biggest item ' +
      'written, as JSON (DynamoDB counts a little differently; its limit is 400 KB). The draw reads every chunk ' +
      'once; a replacement reads the village state and one stratum’s chunks. dynalite reports no capacity.\n',
  );
  emit('### Hostile files\n');
  emit(await benchHostile());
  emit(
    '\nIn this process (the webhook’s code path); RSS growth is noisy and includes earlier allocations.\n',
  );
  emit('### Ten inspectors open a household in one village at once\n');
  emit(markResults.join('\n\n'));
  emit(
    '\nstore.markPick (started: the pick can no longer be replaced) from ten concurrent calls, as ten ' +
      'inspectors opening their households do: each updates only its own pick (`picks[i]`), so none ' +
      'conflicts with another and none is lost (before: read-modify-write of the whole sample on its version, ' +
      'three tries, then silently given up — 2–6 of 10 marks lost).\n',
  );
}

if (summaries) {
  emit('## Summary build time by number of submitted surveys\n');
  emit(summaries);
  emit(
    '\nbuildSummaries for the city (three towns and the city, 表3/表4/表5, snapshots included) over scripted ' +
      'household surveys spread over all villages, each with its full edit history. "computation only": the ' +
      'store hands over prepared arrays. "in-memory store": app/memory-store.ts (deep copies, as its contract ' +
      'demands). "dynalite": one Query per town and status, 1 MB pages, read sequentially per town. ' +
      'The computation grows linearly (about the same ms per 1,000 surveys at every size). 100,000 with ' +
      'storage is skipped: seeding 100,000 ≈3.5 KB items into dynalite takes about 4 minutes (≈2.4 ms a put), ' +
      'beyond this bench’s 5-minute budget, and the build would hold ≈350 MB of items in memory ' +
      '(a 512 MB Lambda would need more memory or a projection of the answers).\n',
  );
}

if (scale) {
  emit(`## Province scale: ${SCALE.toLocaleString('en-US')} surveys in 2,000 villages (DynamoDB Local)\n`);
  emit(scaleTable(scale));
  emit(
    '\nEach survey is stored and applied to its village’s aggregate by the two calls a submit makes ' +
      '(createSurvey, recordSubmitted). 表4 city-wide reads every town’s village counts (one Query per town, ' +
      'items whose size does not grow with the surveys: the per-survey markers live on the aggregate item, ' +
      'read only by exactly-once writes, the recount and the report’s completeness) and folds them. The ' +
      '/villages tap reads each village’s sample (absent here: one GetItem each) and the town’s counts.\n',
  );
}

let bundle: Awaited<ReturnType<typeof benchBundle>> | undefined;
if (wanted('bundle')) {
  emit('## Webhook bundle\n');
  bundle = await benchBundle('telegram-webhook', 7);
  emit(bundleTable([bundle]));
  emit(`\n${BUNDLE_NOTE}\n`);
}

emit(`_Whole run: ${seconds()} s._\n`);

/** The headline numbers of issue 18, machine-readable; null where this run did not measure them. */
function resultsJson() {
  const local = webhookResults.find((r) => r.engine === 'DynamoDB Local');
  const slow = reminderResults.find((r) => r.latencyMs === 150);
  const tap = (n: number) => scale?.villagesTap.find((t) => t.surveys === n)?.rcu ?? null;
  return {
    measuredAt: new Date().toISOString(),
    perTapMaxReads: local?.perTapMaxReads ?? null,
    perTapMaxWrites: local?.perTapMaxWrites ?? null,
    openSurveyReads: local?.openSurveyReads ?? null,
    submitWrites: local?.submitWrites ?? null,
    wcuPerHouseholdSurvey: local?.wcuPerHouseholdSurvey ?? null,
    villagesTapRcu1k: tap(1_000),
    villagesTapRcu10k: tap(10_000),
    table4City100kMs: scale && scale.surveys === 100_000 ? Math.round(scale.table4CityMs) : null,
    table4City10kMs: scale ? Math.round(scale.table4City10kMs) : null,
    rawExport100kMs: scale && scale.surveys === 100_000 ? Math.round(scale.rawExport.ms) : null,
    rawExport100kPeakRssMb: scale && scale.surveys === 100_000 ? Math.round(scale.rawExport.peakRssMb) : null,
    remindersMsgPerSec150ms: slow ? Number(slow.perSecond.toFixed(1)) : null,
    remindersDuplicates: slow ? slow.duplicates : null,
    webhookBundleKb: bundle ? bundle.webhookBundleKb : null,
    coldImportMs: bundle ? Math.round(bundle.coldImportMs) : null,
    notes: {
      perTap:
        'household surveys only (the village survey is not scripted in the bench); a 贫困村 village survey with ' +
        'its multi-choice toggles and ⬅️ back is counted in test/e2e/tap-budget.test.ts on both engines: within ' +
        '1 read and 1 write a tap, at most 2 WCU',
      rawExport100k:
        'the raw XLSX of all surveys (bench/raw-export-child.ts: submittedPages + writeRawWorkbook to a file) in a ' +
        'child process with an 896 MB heap, as a 1,024 MB function; the summary workbook is built separately',
    },
  };
}

if (!ONLY) {
  await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(resultsJson(), null, 2)}\n`);
  console.error('written: bench/results.json');
}

if (!ONLY) {
  const notes = await readFile(fileURLToPath(new URL('./before-after.md', import.meta.url)), 'utf8');
  await writeFile(new URL('./results.md', import.meta.url), `${out.join('\n')}\n${notes}`);
  console.error('written: bench/results.md');
}
