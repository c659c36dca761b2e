// One answered question through the real webhook handler: ChatUser → API Gateway event → webhook →
// telegraf → use case → DynamoStore → fake Bot API on loopback. Scripted household interviews
// (varied answers, soft checks confirmed) are answered one update at a time; for each answering
// update the DynamoDB calls, the consumed capacity and the handler's wall time are recorded.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { recordCalls } from '../test/support/call-recorder';
import { ChatUser } from '../test/support/chat-user';
import type { Engine } from '../test/support/engines';
import { rng, scriptHousehold } from '../test/support/household-scripts';
import { Interviewer } from '../test/support/interviewer';
import { seedPerson, seedSample, startSystem, villagesWithGroups } from '../test/support/system';
import { updateKindOf } from '../test/support/update-kind';
import { ms, num, percentile, sorted, sum, table } from './stats';

export interface WebhookBenchResult {
  engine: string;
  surveys: number;
  answers: number;
  /** Mean DynamoDB calls per answering update, by operation. */
  operations: Record<string, number>;
  /** Answering updates that stayed within one read and one write. */
  withinBudget: number;
  readUnits: number | undefined;
  writeUnits: number | undefined;
  writeTableUnits: number | undefined;
  writeIndexUnits: number | undefined;
  botApiCalls: number;
  p50: number;
  p99: number;
  max: number;
  /** Every update of the measured surveys, by kind: the most reads and writes one update made. */
  taps: Record<string, { updates: number; maxReads: number; maxWrites: number; meanWcu?: number }>;
  /** Over every update between opening and submitting (answers, soft checks, evidence, edits). */
  perTapMaxReads: number;
  perTapMaxWrites: number;
  openSurveyReads: number;
  openSurveyWrites: number;
  submitReads: number;
  submitWrites: number;
  /** WCU of one household survey, from opening to submitted (table and GSIs), mean. */
  wcuPerHouseholdSurvey: number | undefined;
}

const READS = new Set(['GetItem', 'Query', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem']);
const STRATA = ['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor', 'non_poor'] as const;

export async function benchWebhook(engine: Engine, surveys = 5, warmup = 1): Promise<WebhookBenchResult> {
  const sys = await startSystem({ engine });
  const times: number[] = [];
  let timing = false;
  /** What the measured survey is doing: every update is filed under it (undefined: not measured). */
  let phase: string | undefined;
  const perUpdate: { phase: string; reads: number; writes: number; wcu?: number; survey: number }[] = [];
  let surveyNo = 0;
  const webhook = async (event: APIGatewayProxyEventV2) => {
    const t0 = performance.now();
    const before = recorder.calls.length;
    const out = await sys.webhook(event);
    if (timing) times.push(performance.now() - t0);
    if (phase) {
      const calls = recorder.calls.slice(before);
      const wcu = sum(calls.filter((c) => WRITES.has(c.operation)).map((c) => c.capacity));
      perUpdate.push({
        phase: phase === 'answer' ? updateKindOf(event) : phase,
        reads: calls.filter((c) => READS.has(c.operation)).length,
        writes: calls.filter((c) => WRITES.has(c.operation)).length,
        ...(wcu !== undefined ? { wcu } : {}),
        survey: surveyNo,
      });
    }
    return out;
  };
  const recorder = recordCalls(sys.client, { consumedCapacity: 'INDEXES' });
  const perAnswer: { ops: string[]; read?: number; write?: number; wTable?: number; wIndex?: number }[] = [];
  let apiBefore = 0;
  let apiCalls = 0;
  const villages = villagesWithGroups();
  const r = rng(20171030);
  try {
    for (let i = 0; i < warmup + surveys; i++) {
      const measured = i >= warmup;
      const v = villages[i % villages.length];
      if (!v) throw new Error('no village');
      const id = 810_000 + i;
      await seedPerson(sys.store, { id, roles: ['inspector'], groupId: v.groupId });
      const plan = { name: `户主${i}`, stratum: STRATA[i % STRATA.length] ?? 'exited_2016' };
      await seedSample(sys.store, v.villageId, [{ householdId: `45${id}`, ...plan }]);
      const script = scriptHousehold(sys.campaign, plan, r);
      const user = new ChatUser(sys.api, webhook, sys.secret, id, `检查员${i}`);
      const hook = (kind: 'before' | 'after') => {
        if (!measured) return;
        if (kind === 'before') {
          recorder.reset();
          apiBefore = sys.api.calls.length;
          timing = true;
          return;
        }
        timing = false;
        apiCalls += sys.api.calls.length - apiBefore;
        const calls = recorder.calls;
        const reads = calls.filter((c) => READS.has(c.operation));
        const writes = calls.filter((c) => WRITES.has(c.operation));
        const entry: (typeof perAnswer)[number] = { ops: calls.map((c) => c.operation) };
        const read = sum(reads.map((c) => c.capacity));
        const write = sum(writes.map((c) => c.capacity));
        const wTable = sum(writes.map((c) => c.tableUnits));
        const wIndex = sum(writes.map((c) => c.indexUnits));
        if (read !== undefined) entry.read = read;
        if (write !== undefined) entry.write = write;
        if (wTable !== undefined) entry.wTable = wTable;
        if (wIndex !== undefined) entry.wIndex = wIndex;
        perAnswer.push(entry);
      };
      const interviewer = new Interviewer(user, r, {}, hook);
      surveyNo = i;
      phase = measured ? 'open' : undefined;
      await interviewer.pressData(`hs:${v.villageId}:0`);
      if (measured) phase = 'answer';
      await interviewer.answerAll(script);
      if (measured) phase = 'edit from the review';
      // One answer changed from the review, as an inspector corrects a name (households that
      // were asked for their 帮扶干部).
      if (script.inputs.h3_cadre_name !== undefined) {
        await user.press('✏️ 修改');
        await user.press('三、帮扶联系');
        await user.press(/^帮扶干部姓名/);
        await user.send('李志强');
      }
      if (measured) phase = 'submit';
      await interviewer.submit();
      phase = undefined;
      if (!user.lastText().startsWith('✅ 已提交')) throw new Error(`not submitted: ${user.lastText()}`);
    }
  } finally {
    recorder.detach();
    await sys.stop();
  }
  const n = perAnswer.length;
  const operations: Record<string, number> = {};
  for (const a of perAnswer) for (const op of a.ops) operations[op] = (operations[op] ?? 0) + 1 / n;
  const mean = (f: (a: (typeof perAnswer)[number]) => number | undefined) => {
    const s = sum(perAnswer.map(f));
    return s === undefined ? undefined : s / n;
  };
  const t = sorted(times);
  const taps: WebhookBenchResult['taps'] = {};
  for (const u of perUpdate) {
    const k = taps[u.phase] ?? { updates: 0, maxReads: 0, maxWrites: 0 };
    taps[u.phase] = k;
    k.updates++;
    k.maxReads = Math.max(k.maxReads, u.reads);
    k.maxWrites = Math.max(k.maxWrites, u.writes);
    if (u.wcu !== undefined) k.meanWcu = (k.meanWcu ?? 0) + u.wcu;
  }
  for (const k of Object.values(taps)) if (k.meanWcu !== undefined) k.meanWcu /= k.updates;
  const inside = perUpdate.filter((u) => u.phase !== 'open' && u.phase !== 'submit');
  const maxOf = (phase: string, f: (u: (typeof perUpdate)[number]) => number) =>
    Math.max(0, ...perUpdate.filter((u) => u.phase === phase).map(f));
  const wcuBySurvey = new Map<number, number>();
  for (const u of perUpdate)
    if (u.wcu !== undefined) wcuBySurvey.set(u.survey, (wcuBySurvey.get(u.survey) ?? 0) + u.wcu);
  const wcus = [...wcuBySurvey.values()];
  return {
    taps,
    perTapMaxReads: Math.max(0, ...inside.map((u) => u.reads)),
    perTapMaxWrites: Math.max(0, ...inside.map((u) => u.writes)),
    openSurveyReads: maxOf('open', (u) => u.reads),
    openSurveyWrites: maxOf('open', (u) => u.writes),
    submitReads: maxOf('submit', (u) => u.reads),
    submitWrites: maxOf('submit', (u) => u.writes),
    wcuPerHouseholdSurvey: wcus.length ? wcus.reduce((a, b) => a + b, 0) / wcus.length : undefined,
    engine: engine.name,
    surveys,
    answers: n,
    operations,
    withinBudget: perAnswer.filter(
      (a) => a.ops.filter((o) => READS.has(o)).length <= 1 && a.ops.filter((o) => WRITES.has(o)).length <= 1,
    ).length,
    readUnits: mean((a) => a.read),
    writeUnits: mean((a) => a.write),
    writeTableUnits: mean((a) => a.wTable),
    // DynamoDB Local names only the indexes a write touched; none named = none written.
    writeIndexUnits: mean((a) => a.wIndex) ?? (engine.name === 'DynamoDB Local' ? 0 : undefined),
    botApiCalls: apiCalls / n,
    p50: percentile(t, 0.5),
    p99: percentile(t, 0.99),
    max: t.at(-1) ?? Number.NaN,
  };
}

/** Reads and writes per update, by what the update is (issue 18's per-tap budget: 1 read + 1 write). */
export function tapTable(results: readonly WebhookBenchResult[]): string {
  return table(
    ['engine', 'update kind', 'updates', 'max reads', 'max writes', 'mean WCU'],
    results.flatMap((r) =>
      Object.entries(r.taps)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, k]) => [
          r.engine,
          kind,
          String(k.updates),
          String(k.maxReads),
          String(k.maxWrites),
          num(k.meanWcu, 2),
        ]),
    ),
  );
}

export function webhookTable(results: readonly WebhookBenchResult[]): string {
  return table(
    [
      'engine',
      'answers (surveys)',
      'DynamoDB calls per answer',
      'within 1 read + 1 write',
      'RCU per answer',
      'WCU per answer (table + GSIs)',
      'Bot API calls per answer',
      'webhook p50 / p99 / max ms',
    ],
    results.map((r) => {
      const ops = Object.entries(r.operations)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, k]) => `${k.toFixed(2)} ${op}`)
        .join(' + ');
      const total = Object.values(r.operations).reduce((a, b) => a + b, 0);
      const split =
        r.writeTableUnits === undefined
          ? ''
          : r.writeIndexUnits === undefined
            ? ` (table ${num(r.writeTableUnits, 2)}; GSIs not reported)`
            : ` (${num(r.writeTableUnits, 2)} + ${num(r.writeIndexUnits, 2)})`;
      return [
        r.engine,
        `${r.answers} (${r.surveys})`,
        `${total.toFixed(2)} (${ops})`,
        `${r.withinBudget}/${r.answers}`,
        num(r.readUnits, 2),
        `${num(r.writeUnits, 2)}${split}`,
        r.botApiCalls.toFixed(2),
        `${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.max)}`,
      ];
    }),
  );
}
