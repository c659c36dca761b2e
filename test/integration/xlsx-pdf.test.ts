// Opens a generated summary workbook as a person would print it: LibreOffice headless converts it
// to PDF. Needs the apt packages libreoffice-calc-nogui, fonts-noto-cjk and poppler-utils; without
// them this test fails (it does not skip), so CI cannot pass without checking the print output.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import { buildSummaries } from '../../app/summaries';
import { summaryWorkbook } from '../../reports/xlsx';
import { campaign, householdSurveys, officeSurvey, problems, villageSurveys } from '../unit/table4.fixture';

const run = promisify(execFile);
const INSTALL_HINT =
  'apt-get install -y --no-install-recommends libreoffice-calc-nogui fonts-noto-cjk poppler-utils';

async function available(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-pdf-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a summary workbook printed through LibreOffice', () => {
  it('converts to a non-empty PDF that shows the Chinese titles', { timeout: 180_000 }, async () => {
    expect(await available('soffice', ['--version']), `soffice is missing: ${INSTALL_HINT}`).toBe(true);
    expect(await available('pdftotext', ['-v']), `pdftotext is missing: ${INSTALL_HINT}`).toBe(true);

    const store = new MemoryStore();
    for (const s of [...householdSurveys, ...villageSurveys, officeSurvey]) await store.createSurvey(s);
    for (const p of problems) await store.putProblem(p);
    const clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));
    const office = {
      id: 'office-1',
      grants: [{ role: 'office' as const }],
      lastUpdateId: 0,
      session: {},
      version: 1,
      createdAt: '2017-10-30T00:00:00.000Z',
      updatedAt: '2017-10-30T00:00:00.000Z',
    };
    const models = await buildSummaries({ store, clock }, office, campaign, 'dongxing');
    const xlsx = join(dir, 'summary.xlsx');
    await writeFile(xlsx, await summaryWorkbook(models, campaign));

    // A private profile: a second soffice (a developer's, a parallel run) cannot lock this one out.
    const profile = pathToFileURL(join(dir, 'profile')).href;
    await run(
      'soffice',
      [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, xlsx],
      { timeout: 150_000 },
    );

    const pdf = join(dir, 'summary.pdf');
    expect((await stat(pdf)).size).toBeGreaterThan(1000);
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');

    const { stdout: text } = await run('pdftotext', ['-layout', pdf, '-'], { timeout: 60_000 });
    expect(text).toContain('脱贫攻坚大检查任务完成情况汇总表');
    expect(text).toContain('脱贫攻坚大检查发现问题汇总表');
    expect(text).toContain('督查镇名称:东兴镇');
  });
});
