// `npm run problems -- proposals [--confirm-all]`: the office's queue of problems that paper
// imports proposed (DOMAIN.md §9), the same use cases as /proposals in the chat. Confirming is
// idempotent: every proposal becomes exactly one problem, however often this runs.

import { parseArgs } from 'node:util';
import { confirmAllProposals, officeQueue } from '../app/problems';
import { categoryLabel, placeOf } from '../domain/tables/index';
import {
  DEFAULT_CAMPAIGN,
  formatTable,
  print,
  reportError,
  runCli,
  UsageError,
  withContext,
} from './cli-support';

const HELP = `用法:npm run problems -- proposals [--confirm-all] [选项]

纸质调查表导入(npm run import)后,调查表中发现的问题(疑似错退、疑似漏评、返贫、政策落实、
资料档案等)作为“问题建议”进入扶贫办的待确认清单,确认后才记入问题清单(表3、表5)并提醒
乡镇整改。与聊天中的 /proposals 相同。

命令:
  proposals              列出待确认的问题建议(编号、地点、类别、描述)
    --confirm-all        将全部待确认的建议记录为问题。每条建议只记录一次:重复执行、
                         或已在聊天中确认过的,不会重复记录

选项:
  --campaign <id|path>   活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --as <personId>        以已登记人员的身份操作(默认:扶贫办,cli-office);只有扶贫办可以操作
  -h, --help             显示本帮助

环境变量:
  DYNAMODB_ENDPOINT       连接该地址的 DynamoDB(例如 npm start 启动的本地数据库);
                          不设时使用内置数据库,数据保存在 .data/dynamodb
  TABLE_NAME              表名(默认 inspection)

退出码:0 成功;1 操作被拒绝或有建议未能记录;2 命令行用法有误。

示例:
  npm run import -- 纸质调查表.xlsx
  npm run problems -- proposals
  npm run problems -- proposals --confirm-all
  npm run summary -- --format json --out out/`;

const HELP_HINT = '查看用法:npm run problems -- --help';
const COMMANDS = ['proposals'] as const;

/** Why a proposal stayed in the queue, as the office reads it. */
const REFUSED: Readonly<Record<string, string>> = {
  too_short: '描述太简短,仍待确认',
  vague: '描述太笼统,仍待确认',
  proposal_stale: '调查表答案已更正,不再提出此问题,建议已作废',
  proposal_survey_returned: '调查表已退回修改,重新提交后再确认',
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'confirm-all': { type: 'boolean' },
      campaign: { type: 'string' },
      as: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError(`缺少命令(${COMMANDS.join('、')})。`);
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`未知命令「${command}」,可用命令:${COMMANDS.join('、')}。`);
  if (extra.length > 0) throw new UsageError(`多余的参数:${extra.join(' ')}。`);

  return withContext({ campaign: values.campaign, as: values.as }, async (ctx) => {
    const { campaign, actor } = ctx;
    if (!values['confirm-all']) {
      const queue = await officeQueue(ctx, actor, campaign);
      if (queue.length === 0) {
        print('没有待确认的问题建议。');
        return 0;
      }
      print(`待确认的问题建议 ${queue.length} 条:\n`);
      print(
        formatTable(
          ['编号', '地点', '类别', '描述'],
          queue.map((p) => [p.id, placeOf(campaign, p, true), categoryLabel(p.category), p.description]),
        ),
      );
      print('\n全部记录为问题:npm run problems -- proposals --confirm-all');
      return 0;
    }
    const result = await confirmAllProposals(ctx, actor, campaign);
    const total = result.confirmed.length + result.already + result.refused.length;
    if (total === 0) {
      print('没有待确认的问题建议。');
      return 0;
    }
    print(
      `已将 ${result.confirmed.length} 条建议记录为问题` +
        (result.already > 0 ? `,另有 ${result.already} 条此前已记录(未重复记录)` : '') +
        '。',
    );
    const byCategory = new Map<string, number>();
    for (const p of result.confirmed) {
      const label = categoryLabel(p.category);
      byCategory.set(label, (byCategory.get(label) ?? 0) + 1);
    }
    for (const [label, n] of byCategory) print(`  ${label}:${n} 个`);
    if (result.refused.length > 0) {
      process.stderr.write(`\n${result.refused.length} 条建议未能记录:\n`);
      process.stderr.write(
        `${formatTable(
          ['编号', '地点', '原因'],
          result.refused.map(({ proposal, reason }) => [
            proposal.id,
            placeOf(campaign, proposal, true),
            REFUSED[reason] ?? reason,
          ]),
        )}\n`,
      );
      return 1;
    }
    return 0;
  });
}

runCli(async () => {
  try {
    return await main(process.argv.slice(2));
  } catch (err) {
    return reportError(err, undefined, HELP_HINT);
  }
});
