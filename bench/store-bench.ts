// The hot path on a real engine: one answered question = getPerson (one consistent GetItem) +
// savePersonSession (one conditional UpdateItem). Counts the DynamoDB calls with a client
// middleware, sums the consumed capacity the engine reports, and times the save.
//
// Two layouts side by side: the person item as stored now (no index keys; the people index is
// small entries beside it, one per grant), and as it was before (index keys on the person item, so every answer was
// copied into GSI1 and GSI2) — written raw, the way the store used to write it.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Draft, Person } from '../domain/model';
import { DynamoStore } from '../store/dynamo-store';
import { keys } from '../store/keys';
import { recordCalls } from '../test/support/call-recorder';
import type { Engine } from '../test/support/engines';
import { percentile, sum } from './stats';

export type Layout = 'before' | 'now';
export const LAYOUTS: Record<Layout, string> = {
  before: 'before: index keys on the person item',
  now: 'now: index entries beside it',
};

export interface StoreBenchResult {
  engine: string;
  layout: Layout;
  iterations: number;
  /** Approximate size of the person item (JSON), which drives the write units. */
  itemBytes: number;
  callsPerAnswer: number;
  operations: string;
  readUnits: number | undefined;
  writeUnits: number | undefined;
  writeTableUnits: number | undefined;
  writeIndexUnits: number | undefined;
  saveP50: number;
  saveP99: number;
  answerP50: number;
  answerP99: number;
}

/** A draft halfway through the household form: the size an answer write really carries. */
const ANSWERED = 40;

function midSurveyDraft(): Draft {
  const answers: Record<string, string | number> = {};
  const history: Draft['history'] = [];
  for (let i = 0; i < ANSWERED; i++) {
    const q = `h${i}`;
    answers[q] = i % 3 === 0 ? 1000 + i : `答案${i}`;
    history.push({
      at: new Date(Date.UTC(2017, 9, 23, 2, i)).toISOString(),
      by: '900001',
      questionId: q,
      new: answers[q],
    });
  }
  return {
    surveyId: 'bench-survey',
    kind: 'household',
    formId: 'household',
    formVersion: 1,
    version: 1,
    baseRev: 0,
    answers,
    confirmations: {},
    cursor: 'h0',
    history,
    context: {
      townId: 'dongxing',
      villageId: 'datian',
      householdId: '4506810001',
      stratum: 'exited_2016',
      prefill: {},
    },
  };
}

/** Re-answer question i (mod ANSWERED) so the item keeps its size across iterations. */
function answerOne(p: Person, i: number): Person {
  const draft = p.session.draft;
  if (!draft) throw new Error('bench person lost its draft');
  const q = `h${i % ANSWERED}`;
  const at = new Date(Date.UTC(2017, 9, 23, 3, 0, i)).toISOString();
  const history = [
    ...draft.history.slice(1),
    { at, by: p.id, questionId: q, old: draft.answers[q], new: `改${i}` },
  ];
  return {
    ...p,
    session: {
      ...p.session,
      draft: { ...draft, answers: { ...draft.answers, [q]: `改${i}` }, cursor: q, history },
    },
    updatedAt: at,
  };
}

export async function benchStore(
  engine: Engine,
  layout: Layout,
  iterations = 300,
  warmup = 30,
): Promise<StoreBenchResult> {
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  const now = new Date().toISOString();
  // A group member: in GSI1 (group) and GSI2 (all people), as inspectors are.
  const fresh: Person = {
    id: String(900_000 + Math.floor(Math.random() * 99_999)),
    grants: [{ role: 'inspector', groupId: 'bench-group' }],
    chatId: 900001,
    lastUpdateId: 0,
    session: { screen: 'question', draft: midSurveyDraft() },
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  let person = fresh;
  if (layout === 'now') person = await store.putPerson(fresh);
  else {
    await engine.client.send(
      new PutCommand({
        TableName: engine.tableName,
        // The layout before the people index moved off the person item: its keys on every answer.
        Item: {
          ...keys.person(fresh.id),
          GSI1PK: 'GROUP#bench-group',
          GSI1SK: `PERSON#${fresh.id}`,
          GSI2PK: 'PEOPLE',
          GSI2SK: `PERSON#${fresh.id}`,
          entity: 'person',
          ...fresh,
        },
      }),
    );
  }
  let updateId = 1_000_000;

  const answer = async (i: number) => {
    const t0 = performance.now();
    const read = await store.getPerson(person.id);
    if (!read) throw new Error('bench person vanished');
    const t1 = performance.now();
    const saved = await store.savePersonSession(answerOne(read, i), {
      expectVersion: read.version,
      updateId: ++updateId,
    });
    const t2 = performance.now();
    return { save: t2 - t1, total: t2 - t0, saved };
  };

  for (let i = 0; i < warmup; i++) await answer(i);

  const recorder = recordCalls(engine.client, { consumedCapacity: 'INDEXES' });
  const saves: number[] = [];
  const totals: number[] = [];
  let last: Person = person;
  try {
    for (let i = 0; i < iterations; i++) {
      const r = await answer(warmup + i);
      saves.push(r.save);
      totals.push(r.total);
      last = r.saved;
    }
  } finally {
    recorder.detach();
  }
  saves.sort((a, b) => a - b);
  totals.sort((a, b) => a - b);
  const calls = recorder.calls;
  const reads = calls.filter((c) => c.operation === 'GetItem');
  const writes = calls.filter((c) => c.operation === 'UpdateItem');
  const per = (v: number | undefined) => (v === undefined ? undefined : v / iterations);
  const operations = [...new Set(calls.map((c) => c.operation))]
    .map((op) => `${calls.filter((c) => c.operation === op).length / iterations}× ${op}`)
    .join(' + ');
  // DynamoDB Local names only the indexes a write touched; none named = none written.
  const indexUnits = per(sum(writes.map((c) => c.indexUnits)));
  return {
    engine: engine.name,
    layout,
    iterations,
    itemBytes: Buffer.byteLength(JSON.stringify(last)),
    callsPerAnswer: calls.length / iterations,
    operations,
    readUnits: per(sum(reads.map((c) => c.capacity))),
    writeUnits: per(sum(writes.map((c) => c.capacity))),
    writeTableUnits: per(sum(writes.map((c) => c.tableUnits))),
    writeIndexUnits: indexUnits ?? (engine.name === 'DynamoDB Local' ? 0 : undefined),
    saveP50: percentile(saves, 0.5),
    saveP99: percentile(saves, 0.99),
    answerP50: percentile(totals, 0.5),
    answerP99: percentile(totals, 0.99),
  };
}

export function markdownTable(results: StoreBenchResult[]): string {
  const n = (v: number | undefined, digits = 1) => (v === undefined ? 'not reported' : v.toFixed(digits));
  const ms = (v: number) => v.toFixed(2);
  const lines = [
    '| engine | person item layout | DynamoDB calls per answer | read units (RCU) | write units (WCU: table + GSIs) | save p50 ms | save p99 ms | answer (read+save) p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const split =
        r.writeTableUnits === undefined
          ? ''
          : r.writeIndexUnits === undefined
            ? ` (table ${n(r.writeTableUnits)}; GSIs not reported)`
            : ` (${n(r.writeTableUnits)} + ${n(r.writeIndexUnits)})`;
      return `| ${r.engine} | ${LAYOUTS[r.layout]} | ${r.callsPerAnswer} (${r.operations}) | ${n(r.readUnits)} | ${n(r.writeUnits)}${split} | ${ms(r.saveP50)} | ${ms(r.saveP99)} | ${ms(r.answerP50)} / ${ms(r.answerP99)} |`;
    }),
  ];
  return lines.join('\n');
}
