// A file too large for Telegram (bots may upload 50 MB; a province's raw export can be more) is
// not lost and not cut: the chat's raw export streams into the bucket (a multipart upload on
// s3rver) and the office gets a button with a link that works for an hour, to the same workbook.
// The limit is lowered here so a small campaign's export is "too large".

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../support/chat-user';
import { type Engine, startEngine } from '../support/engines';
import { type System, seedPerson, startSystem } from '../support/system';

let engine: Engine;
let sys: System;
let office: ChatUser;

beforeAll(async () => {
  engine = await startEngine('dynalite', 'large-export');
  sys = await startSystem({ engine, documentLimitBytes: 4096 });
  await seedPerson(sys.store, { id: 9_700_001, roles: ['office'], name: '扶贫办' });
  office = sys.user(9_700_001, '扶贫办');
  await office.send('/start');
}, 120_000);

afterAll(async () => {
  await sys?.stop();
  await engine?.stop();
});

describe('an export over the document limit', () => {
  it('arrives as a link that downloads the whole workbook; the small summary still comes as a file', async () => {
    await office.send('/summary');
    await office.press('全市');
    const docs = office.messages().filter((m) => m.document);
    expect(docs.map((d) => d.document?.fileName)).toEqual([expect.stringMatching(/全市-汇总表-.*\.xlsx$/)]);
    const linked = office.messages().find((m) => m.text.startsWith('📎'));
    const text = linked?.text ?? '';
    expect(text).toMatch(/^📎 .*全市-原始数据-.*\.xlsx/);
    expect(text).toMatch(/\d+ KB/);
    expect(text).toContain('超过 Telegram 可发送的文件大小,请点下方按钮下载。');
    expect(text).toMatch(/链接 \d+月\d+日 \d\d:\d\d 前有效/);
    const button = linked?.buttons.flat()[0];
    expect(button?.text).toBe('⬇️ 下载文件');
    const response = await fetch(button?.url ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(encodeURIComponent('原始数据'));
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(4096);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('农户调查表');
    expect(sheet?.getRow(1).getCell(1).value).toBe('surveyId');
    expect(sheet?.getRow(2).getCell(1).value).toBe('问卷编号');
    // The link is to the one object of this build under exports/, nothing else.
    expect(await sys.files.list('exports/')).toHaveLength(1);
    expect(office.lastText()).toMatch(/^表5 整改情况/);
  });
});
