// `npm run evidence -- export --village <id> --out DIR`: a village's photos as files for the
// archive, in folders per household (镇/村/农户-编号/), with an index (现场照片清单.csv) saying which
// survey, question, time and caption each photo belongs to.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EvidenceError, villageArchive } from '../app/evidence';
import { villageById } from '../domain/campaign';
import { inspectorNames } from '../functions/summary-files';
import { csvField, EVIDENCE_SHEET_HEADER, evidenceTable } from '../reports/raw';
import {
  DEFAULT_CAMPAIGN,
  EXIT_FAILED,
  openEvidenceFiles,
  print,
  reportError,
  runCli,
  UsageError,
  villageHint,
  withContext,
} from './cli-support';

const HELP = `用法:npm run evidence -- export --village <村编号> [--out <目录>] [选项]

把一个村已提交问卷的现场照片导出为文件,按 镇/村/农户-编号/ 分文件夹存放,
并写出清单「现场照片清单.csv」(问卷、关联题目、发送时间、说明、发送人、文件位置)。
照片属于个人信息:导出的文件夹请按本次检查的保密要求保管,用完删除。

命令:
  export                 导出一个村的照片

选项:
  --village <id>         村编号,例如 jiaodong(必填)
  --out <目录>           输出目录(默认 evidence-<村编号>;不存在时自动创建)
  --campaign <id|path>   活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --as <personId>        以已登记人员的身份操作(默认:扶贫办,cli-office);组长只能导出本组负责的村
  -h, --help             显示本帮助

环境变量:
  EVIDENCE_BUCKET        AWS 上的照片存储桶(部署输出中的名称);不设时读取本机 npm start 保存的照片
                         (.data/evidence,或 INSPECTION_DATA_DIR/evidence)
  S3_ENDPOINT            连接该地址的 S3 兼容服务(可选)
  DYNAMODB_ENDPOINT      连接该地址的 DynamoDB;不设时使用内置数据库(.data/dynamodb)

退出码:0 成功;1 操作被拒绝或失败;2 命令行用法有误。

示例:
  npm run evidence -- export --village jiaodong --out 交东村照片/`;

const HELP_HINT = '查看用法:npm run evidence -- --help';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      village: { type: 'string' },
      out: { type: 'string' },
      campaign: { type: 'string' },
      as: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    print(HELP);
    return 0;
  }
  if (positionals[0] !== 'export' || positionals.length !== 1)
    throw new UsageError('请指定命令 export,例如:npm run evidence -- export --village jiaodong');
  if (!values.village) throw new UsageError('请用 --village 指定村编号。');
  const villageId = values.village;
  const outDir = resolve(values.out ?? `evidence-${villageId}`);

  return withContext({ campaign: values.campaign, as: values.as }, async ({ store, campaign, actor }) => {
    const village = villageById(campaign, villageId);
    if (!village) throw new UsageError(`本次检查没有编号为“${villageId}”的村。${villageHint(campaign)}`);
    const { surveys, entries } = await villageArchive({ store }, actor, campaign, villageId);
    const { files, close } = await openEvidenceFiles();
    let missing = 0;
    try {
      for (const e of entries) {
        const bytes = await files.get(e.key);
        if (!bytes) {
          missing++;
          continue;
        }
        const file = join(outDir, ...e.path.split('/'));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, bytes);
      }
    } finally {
      await close();
    }
    await mkdir(outDir, { recursive: true });
    const rows = evidenceTable(campaign, surveys, await inspectorNames(store, surveys));
    const csv = [[...EVIDENCE_SHEET_HEADER], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n');
    // With a BOM: Excel on Chinese Windows reads UTF-8 without one as GBK.
    await writeFile(join(outDir, '现场照片清单.csv'), `\ufeff${csv}\r\n`);
    print(`${village.name}:${surveys.length} 份问卷,导出照片 ${entries.length - missing} 张到 ${outDir}`);
    if (missing > 0) {
      process.stderr.write(`有 ${missing} 张照片在存储中找不到(清单中仍列出),请核查存储桶。\n`);
      return EXIT_FAILED;
    }
    return 0;
  });
}

runCli(async () => {
  try {
    return await main();
  } catch (err) {
    if (err instanceof EvidenceError) {
      process.stderr.write('找不到这个村。\n');
      return EXIT_FAILED;
    }
    return reportError(err, undefined, HELP_HINT);
  }
});
