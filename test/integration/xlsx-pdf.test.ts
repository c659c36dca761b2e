// Opens a generated summary workbook as a person would print it: LibreOffice headless converts it
// to PDF and poppler reads each page back. Needs the apt packages libreoffice-calc-nogui,
// fonts-noto-cjk and poppler-utils; without them this test fails (it does not skip), so CI cannot
// pass without checking the print output.

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
import type { SummaryModels, Table3Row } from '../../domain/tables/index';
import { summaryWorkbook } from '../../reports/xlsx';
import { storeSurveys } from '../support/stored-surveys';
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

/** A word as pdftotext -bbox places it. */
interface Word {
  x: number;
  y: number;
  text: string;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Each page's words, top to bottom and left to right. */
function pagesOf(bbox: string): Word[][] {
  return bbox
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)]
        .map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: decodeEntities(m[3]!) }))
        .sort((a, b) => a.y - b.y || a.x - b.x),
    );
}

const textOf = (words: readonly Word[]) => words.map((w) => w.text).join('');
const headerWord = (words: readonly Word[], text: string) => words.find((w) => w.text === text);

/**
 * The words of two neighbouring columns of a page, found from the repeated header: `a` and `b`
 * are their header labels, centred in columns `widths` characters wide; a column's text starts
 * at its left edge or is centred in it.
 */
function columns(words: readonly Word[], a: string, b: string, widths: [number, number]): [Word[], Word[]] {
  const ha = headerWord(words, a)!;
  const hb = headerWord(words, b)!;
  const unit = (hb.x - ha.x) / ((widths[0] + widths[1]) / 2);
  const left = ha.x - (widths[0] / 2) * unit;
  const middle = left + widths[0] * unit;
  const right = middle + widths[1] * unit;
  const body = words.filter((w) => w.y > ha.y + 1);
  return [
    body.filter((w) => w.x >= left - unit && w.x < middle - unit / 2),
    body.filter((w) => w.x >= middle - unit / 2 && w.x < right - unit / 2),
  ];
}

const OFFICE = {
  id: 'office-1',
  grants: [{ role: 'office' as const }],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00.000Z',
  updatedAt: '2017-10-30T00:00:00.000Z',
};

const EIGHT_ONE = '贫困户"八有一超"情况';
const OTHER = '其他方面(资料、档案、内生动力等)';

/**
 * The city's tables, made long enough to need several pages: every row of the 八有一超 group
 * carries a long note (the group is taller than a page), and 表3's 其他方面 has 40 problems.
 */
function lengthened(models: SummaryModels): SummaryModels {
  const long = structuredClone(models);
  const city = long.city!;
  for (const row of city.table4.rows) {
    if (row.group === EIGHT_ONE)
      row.note = `${row.note ?? ''}督查组现场核实情况说明:逐户走访,与帮扶干部、村委会核对台账,情况属实`;
  }
  const other = city.table3.sections.find((s) => s.title === OTHER)!.parts[0]!;
  const template = other.rows[0] ?? city.table3.sections[0]!.parts[0]!.rows[0]!;
  other.rows = Array.from(
    { length: 40 },
    (_, i): Table3Row => ({
      ...template,
      no: 100 + i,
      problemId: `long-${i}`,
      text: `档案问题${String(i).padStart(3, '0')}:贫困户档案资料不齐全,帮扶手册填写不规范,部分数据与国家扶贫开发信息系统不一致`,
    }),
  );
  return long;
}

let dir: string;
let pages: Word[][];
let models: SummaryModels;

beforeAll(async () => {
  // Asserted here so that a machine without them fails every test below instead of skipping.
  expect(await available('soffice', ['--version']), `soffice is missing: ${INSTALL_HINT}`).toBe(true);
  expect(await available('pdftotext', ['-v']), `pdftotext is missing: ${INSTALL_HINT}`).toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'xlsx-pdf-'));

  const store = new MemoryStore();
  await storeSurveys(store, campaign, [...householdSurveys, ...villageSurveys, officeSurvey]);
  for (const p of problems) await store.putProblem(p);
  const clock = new ManualClock(new Date('2017-11-04T12:00:00.000Z'));
  models = await buildSummaries({ store, clock }, OFFICE, campaign, 'city');
  const xlsx = join(dir, 'summary.xlsx');
  await writeFile(xlsx, await summaryWorkbook(lengthened(models), campaign));

  // A private profile: a second soffice (a developer's, a parallel run) cannot lock this one out.
  const profile = pathToFileURL(join(dir, 'profile')).href;
  await run(
    'soffice',
    [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, xlsx],
    { timeout: 150_000 },
  );
  const pdf = join(dir, 'summary.pdf');
  expect((await stat(pdf)).size).toBeGreaterThan(1000);
  expect((await readFile(pdf)).subarray(0, 4).toString('latin1')).toBe('%PDF');
  const { stdout } = await run('pdftotext', ['-bbox', pdf, '-'], { timeout: 60_000, maxBuffer: 64 << 20 });
  pages = pagesOf(stdout);
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pages of 表4 (its header has 数量) and of 表3 (序号, 类别, 问题). */
const table4Pages = () => pages.filter((p) => headerWord(p, '数量') && headerWord(p, '类别'));
const table3Pages = () => pages.filter((p) => headerWord(p, '序号') && headerWord(p, '类别'));

describe('a summary workbook printed through LibreOffice', () => {
  it("shows the seed's captions and the 督查镇名称 line", () => {
    const all = pages.map(textOf).join('\n');
    expect(all).toContain('表4督查任务完成情况汇总表');
    expect(all).toContain('表3督查发现问题汇总表');
    expect(all).toContain('表5反馈问题整改情况抽查汇总表');
    expect(all).toContain('表4督查任务完成情况分镇对比表');
    expect(all).toContain('督查镇名称:东兴镇');
  });

  it('prints the 类别 of 表4 on every page where rows of that 类别 are', () => {
    // Labels that occur once in 表4, each with its 类别 (category and heading, as the merged cell
    // prints them, without the line break).
    const rows = models.city!.table4.rows;
    const count = new Map<string, number>();
    for (const r of rows) count.set(r.label, (count.get(r.label) ?? 0) + 1);
    const categoryOf = new Map(
      rows.filter((r) => count.get(r.label) === 1).map((r) => [r.label, `${r.category}${r.group ?? ''}`]),
    );
    const spread = new Map<string, number>();
    let checked = 0;
    for (const page of table4Pages()) {
      const [labels, items] = columns(page, '类别', '项目', [20, 46]);
      const categoryText = textOf(labels);
      const here = new Set(items.map((w) => categoryOf.get(w.text)).filter((c) => c !== undefined));
      for (const category of here) {
        expect(categoryText, `a page with rows of ${category}`).toContain(category);
        spread.set(category, (spread.get(category) ?? 0) + 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    // The lengthened 八有一超 group did cross pages: its label was repeated, not lost.
    expect(spread.get(`主要目标任务完成情况${EIGHT_ONE}`)).toBeGreaterThanOrEqual(2);
    // 十一有一低于 keeps its 12 rows and its label together (it once printed rows 11–12 under an
    // empty 类别).
    const elevenOne = table4Pages().filter((p) => textOf(p).includes('软弱涣散基层党组织村数'));
    expect(elevenOne.length).toBeGreaterThan(0);
    for (const page of elevenOne)
      expect(textOf(columns(page, '类别', '项目', [20, 46])[0])).toContain('贫困村"十一有一低于"情况');
  });

  it('names the 表3 category on every page where its problems are', () => {
    let pagesWithOther = 0;
    for (const page of table3Pages()) {
      const [category, problem] = columns(page, '类别', '问题', [22, 76]);
      if (!/档案问题\d{3}/.test(textOf(problem))) continue;
      pagesWithOther++;
      expect(textOf(category)).toContain(OTHER);
    }
    expect(pagesWithOther).toBeGreaterThanOrEqual(2);
  });

  it('numbers the pages of each table from 1 to its own count, and ends each table with the signature line', () => {
    let sheets = 0;
    let expected = 1;
    let total = 0;
    for (const page of pages) {
      const m = /第(\d+)页共(\d+)页/.exec(textOf(page));
      expect(m, 'every page has its number').not.toBeNull();
      const [n, of] = [Number(m![1]), Number(m![2])];
      if (n === 1) {
        expect(expected, 'the previous table ended on its last page').toBe(1);
        total = of;
        sheets++;
      }
      expect([n, of]).toEqual([expected, total]);
      const last = n === of;
      expect(textOf(page).includes('填表人:__________'), `page ${n} of ${of}`).toBe(last);
      if (last) expect(textOf(page)).toContain('单位盖章:__________');
      expected = last ? 1 : n + 1;
    }
    // 表3, 表4, 表5 for the city and three towns, 分镇对比 and the written list.
    expect(sheets).toBe(14);
  });
});
