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
}

const READS = new Set(['GetItem', 'Query', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem']);
const STRATA = ['exited_2014_2015', 'exited_2016', 'planned_2017', 'registered_poor', 'non_poor'] as const;

export async function benchWebhook(engine: Engine, surveys = 5, warmup = 1): Promise<WebhookBenchResult> {
  const sys = await startSystem({ engine });
  const times: number[] = [];
  let timing = false;
  const webhook = async (event: APIGatewayProxyEventV2) => {
    const t0 = performance.now();
    const out = await sys.webhook(event);
    if (timing) times.push(performance.now() - t0);
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
      await interviewer.pressData(`hs:${v.villageId}:0`);
      await interviewer.answerAll(script);
      await interviewer.submit();
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
  return {
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
