// Writes the synthetic household lists next to this file: for a few villages of the seed campaign,
// a CSV as Chinese Excel saves it (GBK, CRLF) and an XLSX with a title row above the header, as
// towns send them. The households are invented (seeded, so the files never change by accident).
//
//   npx tsx local/sample-data/generate.ts

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

interface VillageSpec {
  name: string;
  /** The 7th digit of the household ids (4506810xxx: 450681 is 东兴市). */
  code: number;
  /** Households per stratum, in the order of STRATA below. */
  counts: [number, number, number, number, number];
  teams: string[];
  seed: number;
}

export const VILLAGES: VillageSpec[] = [
  { name: '交东村', code: 1, counts: [5, 5, 7, 6, 7], teams: ['交东一组', '交东二组', '坡头屯'], seed: 11 },
  { name: '大田村', code: 2, counts: [4, 4, 5, 5, 6], teams: ['大田组', '新村组', '那湾屯'], seed: 23 },
  {
    name: '马路村',
    code: 3,
    counts: [6, 6, 8, 7, 9],
    teams: ['马路组', '北面组', '东山屯', '河边组'],
    seed: 37,
  },
];

/** How towns write each stratum; the first exits are split between the two years, as in real lists. */
const STRATA = [
  ['2014年退出户', '2015年退出户'],
  ['2016年已脱贫户'],
  ['2017年预脱贫户'],
  ['建档立卡贫困户'],
  ['非贫困户'],
] as const;

// Surnames common in 东兴 and southern Guangxi, and ordinary given names of that generation.
const SURNAMES = '黄李陈刘梁韦莫覃苏罗何吴邓蒙潘卢周杨黎赵林钟廖谢'.split('');
const GIVEN = (
  '志强 秀英 建华 桂兰 国庆 丽萍 海军 春燕 文杰 玉梅 德明 金凤 永福 月娥 振华 美玲 家旺 少芳 ' +
  '光明 翠兰 宝山 小红 荣生 惠珍 炳坤 秋菊 世杰 凤英 有才 雪梅 立新 彩霞 汉光 妹 木生 亚三 ' +
  '锦泉 丽娟 进财 桂芳 文辉 春花 伟雄 玉兰 日新 少华 兴旺 秀珍 福全 凤娇 昌盛 金莲'
).split(' ');

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleHousehold {
  id: string;
  name: string;
  type: string;
  people: number;
  team: string;
}

export function households(v: VillageSpec): SampleHousehold[] {
  const next = random(v.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const used = new Set<string>();
  const rows: SampleHousehold[] = [];
  v.counts.forEach((count, stratum) => {
    for (let i = 0; i < count; i++) {
      let name = '';
      do name = pick(SURNAMES) + pick(GIVEN);
      while (used.has(name));
      used.add(name);
      rows.push({
        id: '',
        name,
        type: pick(STRATA[stratum] ?? ['非贫困户']),
        people: 1 + Math.floor(next() * 7),
        team: pick(v.teams),
      });
    }
  });
  // Lists come sorted by team, not by stratum.
  rows.sort((a, b) => v.teams.indexOf(a.team) - v.teams.indexOf(b.team));
  return rows.map((r, i) => ({ ...r, id: `4506810${v.code}${String(i + 1).padStart(2, '0')}` }));
}

const HEADER = ['户编号', '户主姓名', '农户类型', '人口', '所在组'];

async function write(v: VillageSpec) {
  const rows = households(v);
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const csv = [HEADER, ...rows.map((r) => [r.id, r.name, r.type, String(r.people), r.team])]
    .map((cells) => cells.join(','))
    .join('\r\n');
  await writeFile(`${dir}${v.name}农户名单.csv`, iconv.encode(`${csv}\r\n`, 'gbk'));

  const wb = new ExcelJS.Workbook();
  wb.creator = '东兴市扶贫办';
  wb.created = new Date('2017-10-28T08:00:00+08:00');
  wb.modified = wb.created;
  const ws = wb.addWorksheet(`${v.name}名单`);
  ws.addRow([`${v.name}农户名单(2017年)`]).font = { bold: true, size: 14 };
  ws.addRow(HEADER).font = { bold: true };
  for (const r of rows) ws.addRow([r.id, r.name, r.type, r.people, r.team]);
  // Ids as text: a number column would show them in scientific notation.
  ws.getColumn(1).numFmt = '@';
  ws.columns.forEach((c, i) => {
    c.width = [14, 10, 18, 6, 12][i] ?? 10;
  });
  await writeFile(`${dir}${v.name}农户名单.xlsx`, new Uint8Array(await wb.xlsx.writeBuffer()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const v of VILLAGES) await write(v);
  console.log(`wrote ${VILLAGES.length * 2} files`);
}
