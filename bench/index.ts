// `npm run bench`: the store's hot path on DynamoDB Local and dynalite, as a Markdown table.

import { ENGINES, startEngine } from '../test/support/engines';
import { benchStore, markdownTable, type StoreBenchResult } from './store-bench';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);

const results: StoreBenchResult[] = [];
for (const name of ENGINES) {
  const engine = await startEngine(name, 'bench');
  try {
    results.push(await benchStore(engine, ITERATIONS));
  } finally {
    await engine.stop();
  }
}

const first = results[0];
console.log(
  `## Store hot path: one answered question (getPerson + savePersonSession), ${ITERATIONS} iterations\n`,
);
console.log(markdownTable(results));
console.log(
  `\nPerson item ≈ ${((first?.itemBytes ?? 0) / 1024).toFixed(1)} KB (a draft with 40 answers and 40 history entries).` +
    ' Capacity as each engine reports it (ReturnConsumedCapacity INDEXES = TOTAL plus the split);' +
    ' dynalite counts the table only. Times are local engines, not AWS latency.',
);
