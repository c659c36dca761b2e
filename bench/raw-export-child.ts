// The raw export of the province as `npm run summary -- --format xlsx|csv` writes it, run in a
// child process by the scale bench so its peak RSS is the export's alone (issue 18:
// rawExport100kMs, rawExport100kPeakRssMb). Reads the stored surveys a village at a time and
// streams the workbook (or the CSV) to a file. Prints one JSON line: { ms, bytes, rows, reads }
// (surveys written, surveys read: the writer passes over them more than once).
//
// Usage: node --import tsx bench/raw-export-child.ts <endpoint> <table> <xlsx|csv> <out file>

import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { submittedPages } from '../app/summaries';
import { systemOffice } from '../functions/summary-files';
import { writeRawCsv, writeRawWorkbook } from '../reports/raw';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';
import { provinceCampaign } from './scale-bench';

const [endpoint, tableName, format, file] = process.argv.slice(2);
if (!endpoint || !tableName || !file || (format !== 'xlsx' && format !== 'csv')) {
  console.error('usage: raw-export-child.ts <endpoint> <table> <xlsx|csv> <out file>');
  process.exit(2);
}
const store = new DynamoStore({
  client: createDynamoClient({ endpoint, credentials: LOCAL_CREDENTIALS }),
  tableName,
});
const campaign = provinceCampaign('province', 100, 20);
const office = systemOffice('bench-office', '2017-11-04T00:00:00.000Z');

const started = performance.now();
const pages = await submittedPages({ store }, office, campaign, 'city');
// The writer passes over the surveys more than once (rows, then the photos sheet): count each once.
const seen = new Set<string>();
let reads = 0;
const counted = {
  kinds: pages.kinds,
  names: pages.names,
  async *pages(kind: Parameters<typeof pages.pages>[0]) {
    for await (const page of pages.pages(kind)) {
      for (const s of page) seen.add(s.id);
      reads += page.length;
      yield page;
    }
  },
};
const out = createWriteStream(file);
const closed = finished(out);
if (format === 'xlsx') await writeRawWorkbook(campaign, counted, out);
else await writeRawCsv(campaign, counted, 'household', out);
if (!out.writableEnded) out.end();
await closed;
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, bytes: (await stat(file)).size, rows: seen.size, reads }));
