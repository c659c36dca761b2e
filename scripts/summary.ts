// `npm run summary -- [--campaign id] [--town id] --format json|xlsx|csv --out DIR`: builds 表3/表4/表5
// from the submitted surveys (as the office, or `--as` someone) and writes them to files.

import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { recount } from '../app/aggregates';
import { buildSummaries, submittedPages, UnknownTownError } from '../app/summaries';
import { type Campaign, townById, villageById } from '../domain/campaign';
import type { SummaryModels } from '../domain/tables/index';
import { summaryJson } from '../reports/json';
import { writeRawCsv, writeRawWorkbook } from '../reports/raw';
import { table4Text, table5Text } from '../reports/text';
import { summaryWorkbook } from '../reports/xlsx';
import {
  DEFAULT_CAMPAIGN,
  EXIT_FAILED,
  localTime,
  print,
  reportError,
  runCli,
  UsageError,
  withContext,
} from './cli-support';

const FORMATS = ['json', 'xlsx', 'csv'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `用法:npm run summary -- [--town <镇编号>] [--format json|xlsx|csv] [--out <目录>] [选项]

根据已提交的调查表和问题清单生成汇总表:表3 督查发现问题汇总表、表4 督查任务完成情况汇总表、
表5 反馈问题整改情况抽查汇总表。不指定镇时生成全市及各镇的汇总;每次生成都会保存一份快照。

输出:
  json   summary-<活动>-<范围>.json:各表数据;表4 每一行以行编号为键(如 t4_households)
  xlsx   summary-<活动>-<范围>.xlsx:可直接打印的 A4 汇总表(每个范围一组 表3/表4/表5 工作表;
         全市汇总另有 表4-分镇对比:表4 每一行按镇分列,加合计);
         raw-<活动>-<范围>.xlsx:原始数据,每份调查表一行、每题一列;第一行为题目编号(改好后
         可用 npm run import -- <文件> --update 导回),第二行为中文题目;多选题另有每个选项
         一列(1 选、0 不选);时间为 Excel 日期,可按年月日筛选
  csv    raw-<活动>-<范围>-household.csv / -village.csv(/ -office.csv):原始数据,
         UTF-8 带 BOM,Excel 可直接打开(长数字编号保持为文本)

选项:
  --town <id>             只汇总一个镇,例如 dongxing(默认:全市)
  --format <f>            json | xlsx | csv(默认 xlsx)
  --out <目录>            输出目录(默认当前目录;不存在时自动创建)
  --campaign <id|path>    活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --values                原始数据写选项编号而非选项文字(CSV 的表头也用题目编号),便于统计软件读取
  --recount               先从调查表重新计算各村的汇总数据(表4 的来源),列出与已存数据不一致的村;
                          用于修复和核对(修改贫困线等活动配置后,生成汇总时也会自动重算)
  --as <personId>         以已登记人员的身份操作(默认:扶贫办,cli-office);
                          组长、联络员只能汇总本组负责的镇
  -h, --help              显示本帮助

环境变量:
  DYNAMODB_ENDPOINT       连接该地址的 DynamoDB(例如 npm start 启动的本地数据库);
                          不设时使用内置数据库,数据保存在 .data/dynamodb
  TABLE_NAME              表名(默认 inspection)

退出码:0 成功;1 操作被拒绝或失败;2 命令行用法有误。

示例:
  npm run summary -- --format xlsx --out out/
  npm run summary -- --town dongxing --format json --out out/
  npm run summary -- --recount --format json --out out/`;

const HELP_HINT = '查看用法:npm run summary -- --help';

function heading(campaign: Campaign, models: SummaryModels, townId?: string): string {
  const name = townId ? (townById(campaign, townId)?.name ?? townId) : '全市';
  return `${name} 表4 督查任务完成情况(截至 ${localTime(campaign, models.builtAt)})`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      town: { type: 'string' },
      format: { type: 'string', default: 'xlsx' },
      values: { type: 'boolean' },
      out: { type: 'string', default: '.' },
      campaign: { type: 'string' },
      as: { type: 'string' },
      recount: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    print(HELP);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format 须为 json、xlsx 或 csv,而不是“${values.format}”。`);
  const scope = values.town ?? 'city';
  const outDir = resolve(values.out ?? '.');

  return withContext(
    { campaign: values.campaign, as: values.as },
    async ({ store, clock, campaign, actor }) => {
      if (scope !== 'city' && !townById(campaign, scope)) {
        throw new UsageError(
          `本次检查没有编号为“${scope}”的镇。可用的镇编号:${campaign.towns.map((t) => `${t.id}(${t.name})`).join('、')}`,
        );
      }
      if (values.recount) {
        const result = await recount({ store }, actor, campaign, scope);
        print(`已重新计算 ${result.villages} 个村的汇总数据。`);
        if (result.differences.length === 0) print('与已存数据一致。');
        else {
          print(`${result.differences.length} 个村与已存数据不一致,已按调查表修正:`);
          for (const d of result.differences) {
            const name = villageById(campaign, d.villageId)?.name ?? d.villageId;
            print(`  ${name}(${d.villageId}):${d.what.join(';')}`);
          }
        }
        print();
      }
      const models = await buildSummaries({ store, clock }, actor, campaign, scope);
      await mkdir(outDir, { recursive: true });
      const base = `${campaign.id}-${scope}`;
      const written: string[] = [];
      const write = async (name: string, bytes: string | Uint8Array) => {
        const file = join(outDir, name);
        await writeFile(file, bytes);
        written.push(file);
      };

      if (format === 'json') {
        await write(`summary-${base}.json`, `${JSON.stringify(summaryJson(models), null, 2)}\n`);
      } else {
        // Raw data streams from the store to the file a village at a time: a province's surveys
        // never sit in memory together.
        const pages = await submittedPages({ store }, actor, campaign, scope);
        const rawOptions = { values: values.values ?? false };
        const stream = async (name: string, writeTo: (out: Writable) => Promise<void>) => {
          const file = join(outDir, name);
          const out = createWriteStream(file);
          const closed = finished(out);
          await writeTo(out);
          // exceljs's writer ends the stream itself when it commits; the CSV writer does not.
          if (!out.writableEnded) out.end();
          await closed;
          written.push(file);
        };
        if (format === 'xlsx') {
          await write(`summary-${base}.xlsx`, await summaryWorkbook(models, campaign));
          await stream(`raw-${base}.xlsx`, (out) => writeRawWorkbook(campaign, pages, out, rawOptions));
        } else {
          for (const kind of pages.kinds)
            await stream(`raw-${base}-${kind}.csv`, (out) =>
              writeRawCsv(campaign, pages, kind, out, rawOptions),
            );
        }
      }

      const table = models.city?.table4 ?? models.towns[0]?.table4;
      if (table) print(table4Text(table, heading(campaign, models, models.city ? undefined : scope)));
      const table5 = models.city?.table5 ?? models.towns[0]?.table5;
      if (table5) {
        print();
        print(table5Text(table5, `表5 整改情况(截至 ${localTime(campaign, models.builtAt)})`));
      }
      print();
      for (const f of written) print(`已写入 ${f}`);
      return 0;
    },
  );
}

runCli(async () => {
  try {
    return await main();
  } catch (err) {
    if (err instanceof UnknownTownError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_FAILED;
    }
    return reportError(err, undefined, HELP_HINT);
  }
});
