// `npm run invite -- --role inspector --group g2`: the office creates a one-time invite and gets
// the Telegram deep link to send to the person (the first office invite of a deployment, too).

import { parseArgs } from 'node:util';
import { createInvite, INVITE_DAYS } from '../app/people';
import { ROLES, type Role } from '../domain/campaign';
import { DEFAULT_CAMPAIGN, print, reportError, runCli, UsageError, withContext } from './cli-support';

const HELP = `用法:npm run invite -- --role <身份> [--group <组编号> | --town <镇编号>] [选项]

生成一次性邀请链接。对方在 Telegram 中打开链接(/start <邀请码>)即以该身份加入,
${INVITE_DAYS} 天内有效,只能使用一次。

选项:
  --role <身份>           office 扶贫办 | leader 组长 | liaison 联络员 | inspector 检查员 | town_contact 乡镇联络人
  --group <组编号>        leader/liaison/inspector 必填,例如 g2
  --town <镇编号>         town_contact 必填,例如 jiangping
  --bot <用户名>          机器人用户名(默认取环境变量 BOT_USERNAME)
  --count <N>             一次生成 N 个链接(默认 1)
  --campaign <id|path>    活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  -h, --help              显示本帮助

环境变量:DYNAMODB_ENDPOINT、TABLE_NAME(同 npm run sample)、BOT_USERNAME`;

async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        group: { type: 'string' },
        town: { type: 'string' },
        bot: { type: 'string' },
        count: { type: 'string' },
        campaign: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      print(HELP);
      return 0;
    }
    const role = values.role as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new UsageError(`--role 须为以下之一:${ROLES.join('、')}。`);
    const bot = values.bot ?? process.env.BOT_USERNAME;
    if (!bot) throw new UsageError('缺少机器人用户名:请加 --bot <用户名> 或设置 BOT_USERNAME。');
    const count = Number(values.count ?? '1');
    if (!Number.isInteger(count) || count < 1 || count > 100)
      throw new UsageError('--count 须为 1 到 100 的整数。');
    return await withContext({ campaign: values.campaign }, async (ctx) => {
      for (let i = 0; i < count; i++) {
        const invite = await createInvite(ctx, ctx.actor, ctx.campaign, {
          role,
          ...(values.group ? { groupId: values.group } : {}),
          ...(values.town ? { townId: values.town } : {}),
        });
        print(`https://t.me/${bot}?start=${invite.code}`);
      }
      return 0;
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'InviteInputError') {
      const reason = (err as Error & { reason: string }).reason;
      const text: Record<string, string> = {
        group_required: '该身份须指定 --group <组编号>。',
        town_required: '乡镇联络人须指定 --town <镇编号>。',
        unknown_group: '找不到该检查组,请检查 --group。',
        unknown_town: '找不到该乡镇,请检查 --town。',
      };
      process.stderr.write(`${text[reason] ?? reason}\n`);
      return 1;
    }
    return reportError(err, undefined, '运行 npm run invite -- --help 查看用法。');
  }
}

await runCli(() => main(process.argv.slice(2)));
