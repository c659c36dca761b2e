// `npm run lists -- import --village <id> FILE`: the office imports a town's household list.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { confirmListReplacement, stratumLabel, uploadHouseholdList } from '../app/lists';
import { villageById } from '../domain/campaign';
import { STRATA } from '../domain/forms/types';
import {
  DEFAULT_CAMPAIGN,
  EXIT_FAILED,
  formatTable,
  print,
  reportError,
  runCli,
  UsageError,
  withContext,
} from './cli-support';

const HELP = `用法:npm run lists -- import --village <村编号> [选项] <名单文件>

导入乡镇提供的一个村的农户名单(CSV 或 XLSX)。
  · CSV 可为 UTF-8(含或不含 BOM)或 GBK/GB18030 编码(中文 Excel、WPS 另存的 CSV 即可)。
  · 名单须有「户编号」「户主姓名」「农户类型」三列;常见写法(户号、户主、类别 …)均可识别。
    可选列「人口」(1–30 的整数)、「村民小组」、「备注」一并保存;其他列(电话、身份证号等)
    不保存,导入时列出被忽略的列。
  · 只要有一行有误,就不导入任何农户,并逐行列出错误(第N行 …),改正后重新导入即可。
  · 文件必须是这个村的名单:标题、「村」列或户编号显示为其他村时拒绝导入,并说明像哪个村的。
  · 该村已有名单时,须加 --replace 确认替换(会显示新旧户数);该村样本抽取后名单锁定,不能再导入。

命令:
  import                 导入一个村的农户名单

选项:
  --village <id>         村编号,例如 datian(必填)
  --replace              该村已有名单时,确认用新名单替换(抽样前)
  --campaign <id|path>   活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --as <personId>        以已登记人员的身份操作(默认:扶贫办,cli-office)
  -h, --help             显示本帮助

环境变量:
  DYNAMODB_ENDPOINT      连接该地址的 DynamoDB(例如 npm start 启动的本地数据库);
                         不设时使用内置数据库,数据保存在 .data/dynamodb
  TABLE_NAME             表名(默认 inspection)

退出码:0 成功;1 名单有误或操作被拒绝;2 命令行用法有误。

示例:
  npm run lists -- import --village datian 大田村农户名单.csv
  npm run lists -- import --village jiaodong --as 123456789 交东村.xlsx`;

const HELP_HINT = '查看用法:npm run lists -- --help';

async function main(argv: string[]): Promise<number> {
  let campaignHint: Parameters<typeof reportError>[1];
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        village: { type: 'string' },
        replace: { type: 'boolean' },
        campaign: { type: 'string' },
        as: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      print(HELP);
      return 0;
    }
    const [command, file, ...extra] = positionals;
    if (command === undefined) throw new UsageError('缺少命令(import)。');
    if (command !== 'import') throw new UsageError(`未知命令「${command}」,可用命令:import。`);
    if (!values.village) throw new UsageError('缺少 --village <村编号>。');
    if (file === undefined) throw new UsageError('缺少名单文件路径。');
    if (extra.length > 0) throw new UsageError(`多余的参数:${extra.join(' ')}(一次只能导入一个文件)。`);
    const villageId = values.village;

    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch {
      throw new UsageError(`无法读取文件「${file}」,请检查路径。`);
    }

    return await withContext({ campaign: values.campaign, as: values.as }, async ({ campaign, ...deps }) => {
      campaignHint = campaign;
      const result = await uploadHouseholdList(deps, deps.actor, campaign, {
        villageId,
        fileName: basename(file),
        bytes,
      });
      if (!result.ok) {
        const wrong = result.errors.find((e) => e.code === 'wrong_village');
        if (wrong) {
          process.stderr.write(`${wrong.message}\n未导入任何农户。\n`);
          return EXIT_FAILED;
        }
        process.stderr.write(`名单有 ${result.errors.length} 处错误,未导入任何农户:\n`);
        for (const e of result.errors) process.stderr.write(`${e.message}\n`);
        process.stderr.write('请改正后重新导入。\n');
        return EXIT_FAILED;
      }
      const village = villageById(campaign, villageId);
      const name = village?.name ?? villageId;
      let info = result.info;
      if (result.status === 'unchanged') {
        print(
          `${name}的名单与已导入的户编号、户主姓名和农户类型都相同(共 ${info.count} 户),未作改动(人口、村民小组、备注的改动不会保存)。`,
        );
        return 0;
      }
      if (result.status === 'confirm') {
        if (!values.replace) {
          process.stderr.write(
            `${name}已有名单(共 ${result.current.count} 户,${result.current.uploadedAt} 导入);新名单共 ${info.count} 户。\n` +
              '如确定替换,请加 --replace 重新运行。未作改动。\n',
          );
          return EXIT_FAILED;
        }
        info = await confirmListReplacement(deps, deps.actor, campaign, {
          villageId,
          fingerprint: info.fingerprint,
          replacing: result.current.fingerprint,
        });
        print(`已用新名单替换${name}原名单:${result.current.count} 户 → ${info.count} 户。`);
      } else {
        print(`已导入${name}农户名单「${basename(file)}」,共 ${info.count} 户。`);
      }
      if (info.droppedColumns?.length) print(`已忽略以下列(不保存):${info.droppedColumns.join('、')}。`);
      print();
      print(
        formatTable(
          ['农户类型', '户数', '抽样数'],
          STRATA.map((s) => [
            stratumLabel(campaign, s),
            String(info.byStratum[s] ?? 0),
            String(campaign.strata.find((x) => x.id === s)?.quota ?? 0),
          ]),
        ),
      );
      print();
      print(`名单指纹(SHA-256):${info.fingerprint}`);
      return 0;
    });
  } catch (err) {
    return reportError(err, campaignHint, HELP_HINT);
  }
}

await runCli(() => main(process.argv.slice(2)));
