// `npm run people -- list|revoke|deactivate|reactivate|invites|cancel-invite`: the office manages
// who may do what (DOMAIN.md §10), the same use cases as /people in the chat.

import { parseArgs } from 'node:util';
import {
  cancelInvite,
  checkGrantRequest,
  deactivatePerson,
  grantsWithKeys,
  listPeople,
  openInvites,
  type PeopleScope,
  reactivatePerson,
  revokeGrant,
} from '../app/people';
import { grantLabel } from '../bot/labels';
import { type Campaign, ROLES, type Role } from '../domain/campaign';
import { grantKey } from '../domain/grants';
import type { Person } from '../domain/model';
import {
  DEFAULT_CAMPAIGN,
  EXIT_FAILED,
  formatTable,
  localTime,
  print,
  reportError,
  runCli,
  UsageError,
  withContext,
} from './cli-support';

const HELP = `用法:npm run people -- <命令> [选项]

查看人员及其身份(每个身份 = 角色 + 检查组或乡镇),撤销身份、停用人员、作废未使用的邀请。
每项改动都记入审计记录。

命令:
  list                   列出人员及身份;可加 --group <组编号> | --town <镇编号> | --role office
  revoke                 撤销某人的一个身份:--person <ID> --role <角色> [--group <组> | --town <镇>]
                         其在该组未完成的问卷交回检查组,由组内其他成员继续
  deactivate             停用某人:--person <ID>(所有身份失效,收不到提醒,未完成问卷交回检查组)
  reactivate             恢复已停用的人:--person <ID>
  invites                列出未使用的邀请(不显示邀请码)
  cancel-invite          作废一个未使用的邀请:--invite <邀请编号>(见 invites)

选项:
  --person <ID>          人员的 Telegram 用户 ID(见 list)
  --role <角色>          ${ROLES.join(' | ')}
  --group <组编号>       例如 g2
  --town <镇编号>        例如 jiangping
  --invite <邀请编号>    见 invites
  --campaign <id|path>   活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  -h, --help             显示本帮助

环境变量:DYNAMODB_ENDPOINT、TABLE_NAME(同 npm run lists)

退出码:0 成功;1 操作被拒绝或找不到;2 命令行用法有误。

示例:
  npm run people -- list --group g2
  npm run people -- revoke --person 123456789 --role inspector --group g2
  npm run people -- deactivate --person 123456789
  npm run people -- cancel-invite --invite Xy3_kP0aQe1w`;

const HELP_HINT = '查看用法:npm run people -- --help';
const COMMANDS = ['list', 'revoke', 'deactivate', 'reactivate', 'invites', 'cancel-invite'] as const;

function grantsText(campaign: Campaign, p: Person): string {
  const labels = grantsWithKeys(p).map(({ grant }) => grantLabel(campaign, grant));
  return labels.length > 0 ? labels.join('、') : '(无)';
}

async function main(argv: string[]): Promise<number> {
  let campaignHint: Campaign | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        person: { type: 'string' },
        role: { type: 'string' },
        group: { type: 'string' },
        town: { type: 'string' },
        invite: { type: 'string' },
        campaign: { type: 'string' },
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
    const needPerson = () => {
      if (!values.person) throw new UsageError('缺少 --person <ID>。');
      return values.person;
    };

    return await withContext({ campaign: values.campaign }, async (ctx) => {
      const { campaign, actor } = ctx;
      campaignHint = campaign;
      switch (command) {
        case 'list': {
          const scope: PeopleScope = values.group
            ? { kind: 'group', groupId: values.group }
            : values.town
              ? { kind: 'town', townId: values.town }
              : values.role
                ? { kind: 'role', role: values.role as Role }
                : { kind: 'all' };
          const people: Person[] = [];
          let page = await listPeople(ctx, actor, scope);
          people.push(...page.people);
          while (scope.kind === 'all' && page.next) {
            page = await listPeople(ctx, actor, { kind: 'all', after: page.next });
            people.push(...page.people);
          }
          if (people.length === 0) {
            print('没有人员。');
            return 0;
          }
          print(
            formatTable(
              ['ID', '姓名', '状态', '身份'],
              people.map((p) => [
                p.id,
                p.displayName ?? '',
                p.deactivated ? `已停用 ${localTime(campaign, p.deactivated.at)}` : '正常',
                grantsText(campaign, p),
              ]),
            ),
          );
          return 0;
        }
        case 'revoke': {
          const personId = needPerson();
          const role = values.role as Role | undefined;
          if (!role || !ROLES.includes(role))
            throw new UsageError(`--role 须为以下之一:${ROLES.join('、')}。`);
          const grant = checkGrantRequest(campaign, {
            role,
            ...(values.group ? { groupId: values.group } : {}),
            ...(values.town ? { townId: values.town } : {}),
          });
          const out = await revokeGrant(ctx, actor, campaign, { personId, grant: grantKey(grant) });
          if (!out.changed) {
            process.stderr.write(`${personId} 没有身份「${grantLabel(campaign, grant)}」,未作改动。\n`);
            return EXIT_FAILED;
          }
          print(
            `已撤销 ${personId} 的身份「${grantLabel(campaign, grant)}」。现有身份:${grantsText(campaign, out.person)}。`,
          );
          if (out.released > 0) print(`${out.released} 份未完成问卷已交回检查组。`);
          return 0;
        }
        case 'deactivate': {
          const out = await deactivatePerson(ctx, actor, campaign, { personId: needPerson() });
          print(out.changed ? `已停用 ${out.person.id}。` : `${out.person.id} 已是停用状态,未作改动。`);
          if (out.released > 0) print(`${out.released} 份未完成问卷已交回检查组。`);
          return 0;
        }
        case 'reactivate': {
          const out = await reactivatePerson(ctx, actor, campaign, { personId: needPerson() });
          print(
            out.changed
              ? `已恢复 ${out.person.id},身份:${grantsText(campaign, out.person)}。`
              : `${out.person.id} 未被停用,未作改动。`,
          );
          return 0;
        }
        case 'invites': {
          const invites = await openInvites(ctx, actor);
          if (invites.length === 0) {
            print('没有未使用的邀请。');
            return 0;
          }
          print(
            formatTable(
              ['邀请编号', '身份', '生成时间', '过期时间'],
              invites.map((i) => [
                i.id,
                grantLabel(campaign, i),
                localTime(campaign, i.createdAt),
                localTime(campaign, i.expiresAt),
              ]),
            ),
          );
          return 0;
        }
        default: {
          if (!values.invite)
            throw new UsageError('缺少 --invite <邀请编号>(见 npm run people -- invites)。');
          const out = await cancelInvite(ctx, actor, { inviteId: values.invite });
          if (out.used) {
            process.stderr.write('该邀请已被使用,无法作废;如需收回权限,请用 revoke 撤销其身份。\n');
            return EXIT_FAILED;
          }
          if (!out.cancelled) {
            process.stderr.write(`没有编号为「${values.invite}」的未使用邀请。\n`);
            return EXIT_FAILED;
          }
          print(`已作废邀请 ${values.invite},该链接不能再使用。`);
          return 0;
        }
      }
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'InviteInputError') {
      process.stderr.write('--group 或 --town 与角色不符,或找不到该检查组、乡镇。\n');
      return EXIT_FAILED;
    }
    if (err instanceof Error && err.name === 'NotFoundError') {
      process.stderr.write('找不到该人员,请用 list 查看 ID。\n');
      return EXIT_FAILED;
    }
    return reportError(err, campaignHint, HELP_HINT);
  }
}

await runCli(() => main(process.argv.slice(2)));
