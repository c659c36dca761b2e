// Household lists and samples at village scale (issue 14): reading and checking a town's XLSX of
// 1,000 / 8,000 / 20,000 households, storing it, drawing, and one replacement, on a DynamoDB
// engine; the largest item written (DynamoDB's limit is 400 KB); hostile files refused; and ten
// inspectors marking their picks at once (every mark must hold).

import ExcelJS from 'exceljs';
import { drawVillageSample, replaceHousehold, uploadHouseholdList } from '../app/lists';
import { ManualClock } from '../app/messaging';
import { systemOffice } from '../functions/summary-files';
import { readListFile } from '../ingest/list-file';
import { DynamoStore } from '../store/dynamo-store';
import { deflatedRepeat, xlsx, xlsxOf } from '../test/fixtures/lists/build';
import { recordCalls } from '../test/support/call-recorder';
import type { Engine } from '../test/support/engines';
import { campaign } from '../test/support/system';
import { ms, num, sum, table, timed } from './stats';

const OFFICE = systemOffice('bench-office', '2017-10-30T00:00:00.000Z');

const STRATA = ['2014年退出户', '2016年已脱贫户', '2017年预脱贫户', '建档立卡贫困户', '非贫困户'];
const VILLAGES = ['wanwei', 'wutou', 'changshan'];

export interface ListBenchRow {
  engine: string;
  households: number;
  fileKb: number;
  readMs: number;
  uploadMs: number;
  uploadWcu?: number;
  itemsWritten: number;
  largestItemKb: number;
  drawMs: number;
  drawRcu?: number;
  replaceMs: number;
  replaceRcu?: number;
}

async function listWorkbook(n: number): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('名单');
  sheet.addRow(['户编号', '户主姓名', '农户类型', '人口', '村民小组', '备注', '联系电话']);
  for (let i = 0; i < n; i++) {
    sheet.addRow([
      `4506819${String(i).padStart(6, '0')}`,
      `户主${i}`,
      STRATA[i % 5],
      1 + (i % 9),
      `第${i % 12}组`,
      i % 7 ? '' : '外出务工',
      `1380000${i}`,
    ]);
  }
  return new Uint8Array(await book.xlsx.writeBuffer());
}

export async function benchLists(engine: Engine, sizes = [1000, 8000, 20_000]): Promise<ListBenchRow[]> {
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  await store.putCampaign(campaign);
  const clock = new ManualClock(new Date('2017-10-30T01:00:00.000Z'));
  const deps = { store, clock, random: () => 'bench-seed' };
  const rows: ListBenchRow[] = [];
  for (const [i, n] of sizes.entries()) {
    const villageId = VILLAGES[i % VILLAGES.length] ?? 'wanwei';
    const bytes = await listWorkbook(n);
    const read = await timed(() => readListFile(bytes, '名单.xlsx'));
    let largest = 0;
    let written = 0;
    const recorder = recordCalls(engine.client, { consumedCapacity: 'TOTAL' });
    // Measure each item the store writes (a middleware sees the marshalled request).
    engine.client.middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: unknown }).Item;
        if (item) {
          written++;
          largest = Math.max(largest, Buffer.byteLength(JSON.stringify(item)));
        }
        return next(args);
      },
      { step: 'initialize', name: `listBenchSize${i}` },
    );
    try {
      recorder.reset();
      const upload = await timed(() =>
        uploadHouseholdList(deps, OFFICE, campaign, { villageId, fileName: '名单.xlsx', bytes }),
      );
      if (!upload.value.ok) throw new Error(`bench list refused: ${upload.value.errors[0]?.message}`);
      const uploadWcu = sum(recorder.calls.map((c) => c.capacity));
      recorder.reset();
      const draw = await timed(() => drawVillageSample(deps, OFFICE, campaign, { villageId }));
      const drawRcu = sum(
        recorder.calls
          .filter((c) => c.operation !== 'PutItem' && c.operation !== 'UpdateItem')
          .map((c) => c.capacity),
      );
      recorder.reset();
      const pick = draw.value.sample.picks[0];
      const replace = await timed(() =>
        replaceHousehold(deps, OFFICE, campaign, {
          villageId,
          householdId: pick?.householdId ?? '',
          reason: 'absent',
        }),
      );
      const replaceRcu = sum(
        recorder.calls
          .filter((c) => c.operation === 'Query' || c.operation === 'GetItem')
          .map((c) => c.capacity),
      );
      rows.push({
        engine: engine.name,
        households: n,
        fileKb: bytes.length / 1024,
        readMs: read.ms,
        uploadMs: upload.ms,
        ...(uploadWcu !== undefined ? { uploadWcu } : {}),
        itemsWritten: written,
        largestItemKb: largest / 1024,
        drawMs: draw.ms,
        ...(drawRcu !== undefined ? { drawRcu } : {}),
        replaceMs: replace.ms,
        ...(replaceRcu !== undefined ? { replaceRcu } : {}),
      });
    } finally {
      recorder.detach();
      engine.client.middlewareStack.remove(`listBenchSize${i}`);
    }
  }
  return rows;
}

export function listTable(rows: readonly ListBenchRow[]): string {
  return table(
    [
      'engine',
      'households',
      'XLSX KB',
      'read + check ms',
      'store ms',
      'store WCU',
      'items',
      'largest item KB',
      'draw ms',
      'draw RCU',
      'replace ms',
      'replace RCU',
    ],
    rows.map((r) => [
      r.engine,
      String(r.households),
      ms(r.fileKb, 0),
      ms(r.readMs, 0),
      ms(r.uploadMs, 0),
      num(r.uploadWcu, 0),
      String(r.itemsWritten),
      ms(r.largestItemKb, 1),
      ms(r.drawMs, 0),
      num(r.drawRcu, 0),
      ms(r.replaceMs, 0),
      num(r.replaceRcu, 1),
    ]),
  );
}

/** Hostile files: how fast they are refused and how much memory refusing them takes. */
export async function benchHostile(): Promise<string> {
  const prefix =
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">';
  const cases: [string, () => Uint8Array][] = [
    [
      'XLSX zip bomb (900 MiB of sheet XML, < 1 MB)',
      () => xlsx({ sheetPart: { deflated: deflatedRepeat(prefix, '<c/>', 900) } }),
    ],
    [
      'the same with a forged small size',
      () => xlsx({ sheetPart: { deflated: deflatedRepeat(prefix, '<c/>', 900), declaredSize: 40_000 } }),
    ],
    [
      'content in column XFD on 2,000 rows',
      () =>
        xlsxOf(
          Array.from({ length: 2000 }, (_, i) =>
            i === 0 ? ['户编号', '户主姓名', '农户类型'] : [`A${i}`, '张三', '非贫困户'],
          ),
          (r) => `<c r="XFD${r}" t="inlineStr"><is><t>x</t></is></c>`,
        ),
    ],
  ];
  const out: string[][] = [];
  for (const [name, make] of cases) {
    const file = make();
    const rss0 = process.memoryUsage().rss;
    const t = await timed(() =>
      readListFile(file, '名单.xlsx').then(
        () => 'read',
        (e: Error) => e.message,
      ),
    );
    const rss = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    out.push([name, ms(file.length / 1024, 0), ms(t.ms, 1), ms(Math.max(0, rss), 0), t.value.slice(0, 40)]);
  }
  return table(['file', 'KB', 'refused in ms', 'RSS growth MB', 'answer (start)'], out);
}

/** Ten inspectors of one village open a household each at once: each marks its own pick started. */
export async function benchConcurrentMarks(engine: Engine): Promise<string> {
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  const villageId = 'tanji';
  const households = Array.from({ length: 10 }, (_, i) => ({
    id: `T${i}`,
    name: `户${i}`,
    stratum: 'non_poor' as const,
  }));
  await store.putHouseholdList({
    campaignId: campaign.id,
    villageId,
    households,
    count: 10,
    byStratum: { non_poor: 10 },
    fingerprint: 'bench-marks',
    uploadedBy: 'bench',
    uploadedAt: '2017-10-30T01:00:00.000Z',
    fileName: 'x.csv',
  });
  await store.putSample({
    campaignId: campaign.id,
    villageId,
    seed: 's',
    fingerprint: 'bench-marks',
    drawnBy: 'bench',
    drawnAt: '2017-10-30T01:00:00.000Z',
    picks: households.map((h) => ({
      householdId: h.id,
      name: h.name,
      stratum: h.stratum,
      status: 'selected',
    })),
    shortfalls: [],
    version: 1,
  });
  const recorder = recordCalls(engine.client);
  try {
    const t = await timed(() =>
      Promise.all(
        households.map((h) =>
          store.markPick(campaign.id, villageId, h.id, {
            kind: 'started',
            at: '2017-10-30T02:00:00.000Z',
            by: 'x',
          }),
        ),
      ),
    );
    const sample = await store.getSample(campaign.id, villageId);
    const started = sample?.picks.filter((p) => p.startedAt !== undefined).length ?? 0;
    const updates = recorder.calls.filter((c) => c.operation === 'UpdateItem').length;
    return table(
      ['engine', 'picks marked started', 'UpdateItem calls (10 = no retry)', 'ms'],
      [[engine.name, `${started}/10`, String(updates), ms(t.ms, 0)]],
    );
  } finally {
    recorder.detach();
  }
}
