// `npm run sample -- draw|show|replace|add-onsite …`: the office draws, shows, verifies and
// amends a village's household sample from the command line.

import { parseArgs } from 'node:util';
import {
  addOnSiteHousehold,
  drawVillageSample,
  messages,
  quotasOf,
  REPLACEMENT_REASONS,
  replaceHousehold,
  showVillageSample,
  stratumLabel,
  verifySample,
} from '../app/lists';
import { villageDetail } from '../app/villages';
import { type Campaign, villageById } from '../domain/campaign';
import type { ReplacementReason, Sample, SampleEntry, SurveyStatus } from '../domain/model';
import {
  type CliContext,
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

const HELP = `用法:npm run sample -- <命令> --village <村编号> [选项]

按农户类型分层随机抽取一个村的调查农户(每村 10 户:退出户 2、已脱贫户 2、计划脱贫户 3、
建档立卡贫困户 2、非贫困户 1,以活动配置为准)。抽样可复核:记录随机种子、名单指纹、
抽样人和时间,用同一种子和名单重新抽样结果完全相同。样本抽取后即锁定。

命令:
  draw        抽取样本(须先导入名单;已抽取的村不会重新抽取,只显示已锁定的样本)
  show        显示样本:农户类型、户编号、户主姓名、状态,以及缺额、随机种子和名单指纹
  replace     替换一户无法调查的农户:从同一类型中另抽一户(已抽中过的农户不会再被抽到),
              原农户保留记录,标为"已替换"
  add-onsite  记录检查组现场选定的、名单中没有的非贫困户

选项:
  --village <id>          村编号,例如 datian(必填)
  --seed <S>              draw:指定随机种子(例如现场公开抽签所用的种子);不填则随机生成
  --verify                show:按记录的种子和当前名单重新抽样,核对结果与名单指纹
  --household <户编号>    replace:要替换的农户
  --reason <原因>         replace:absent 不在家 | refused 拒绝调查 | moved 已搬迁 | other 其他
                          add-onsite:现场增补的理由(文字)
  --note <文字>           replace:情况说明(原因为 other 时必填)
  --name <户主姓名>       add-onsite:户主姓名
  --campaign <id|path>    活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --as <personId>         以已登记人员的身份操作(默认:扶贫办,cli-office)
  -h, --help              显示本帮助

环境变量:
  DYNAMODB_ENDPOINT       连接该地址的 DynamoDB(例如 npm start 启动的本地数据库);
                          不设时使用内置数据库,数据保存在 .data/dynamodb
  TABLE_NAME              表名(默认 inspection)

退出码:0 成功;1 操作被拒绝、核验不通过或无可替换农户;2 命令行用法有误。

示例:
  npm run sample -- draw --village datian
  npm run sample -- draw --village datian --seed 20171030-datian
  npm run sample -- show --village datian --verify
  npm run sample -- replace --village datian --household 4506810003 --reason absent
  npm run sample -- replace --village datian --household 4506810007 --reason other --note 常年外出务工
  npm run sample -- add-onsite --village datian --name 张三 --reason 走访中发现住房困难`;

const HELP_HINT = '查看用法:npm run sample -- --help';
const COMMANDS = ['draw', 'show', 'replace', 'add-onsite'] as const;
type Command = (typeof COMMANDS)[number];

/** The household's state: its survey's status when it has one (the fact), else the pick's marks. */
const statusLabel = (entry: SampleEntry, survey?: SurveyStatus): string => {
  if (entry.status === 'replaced') {
    const r = entry.replacement;
    const why = r ? messages.reasonLabels[r.reason] + (r.note ? `:${r.note}` : '') : '';
    return `已替换(${why})→ ${entry.replacedBy ?? ''}`;
  }
  if (survey === 'submitted' || (survey === undefined && entry.status === 'surveyed')) return '已调查';
  if (survey === 'returned') return '已退回修改';
  if (survey === 'draft' || entry.startedAt !== undefined) return '调查中';
  return '待调查';
};

function describeSample(
  campaign: Campaign,
  sample: Sample,
  statuses: Record<string, SurveyStatus> = {},
): string[] {
  const replacementIds = new Set(sample.picks.flatMap((p) => (p.replacedBy ? [p.replacedBy] : [])));
  const rows = sample.picks.map((p, i) => {
    const origin = p.onSite
      ? `现场增补:${p.onSite.reason}`
      : replacementIds.has(p.householdId)
        ? `替换 ${sample.picks.find((q) => q.replacedBy === p.householdId)?.householdId ?? ''}`
        : '';
    return [
      String(i + 1),
      stratumLabel(campaign, p.stratum),
      p.householdId,
      p.name,
      statusLabel(p, statuses[p.householdId]) + (origin ? `(${origin})` : ''),
    ];
  });
  const lines = [formatTable(['序号', '农户类型', '户编号', '户主姓名', '状态'], rows), ''];
  if (sample.shortfalls.length === 0) lines.push('缺额:无(各类型均按配额抽足)');
  else {
    lines.push('缺额:');
    for (const s of sample.shortfalls) {
      lines.push(
        `  ${stratumLabel(campaign, s.stratum)}:应抽 ${s.quota} 户,名单中仅 ${s.available} 户,缺 ${s.quota - s.available} 户`,
      );
    }
  }
  lines.push(
    `随机种子:${sample.seed}`,
    `名单指纹(SHA-256):${sample.fingerprint}`,
    `抽样人:${sample.drawnBy}  抽样时间:${localTime(campaign, sample.drawnAt)}(${campaign.timeZone})`,
  );
  return lines;
}

interface Flags {
  village?: string;
  seed?: string;
  verify?: boolean;
  household?: string;
  reason?: string;
  note?: string;
  name?: string;
}

async function run(command: Command, flags: Flags, ctx: CliContext): Promise<number> {
  const { campaign, actor } = ctx;
  const villageId = flags.village ?? '';
  const villageName = villageById(campaign, villageId)?.name ?? villageId;

  switch (command) {
    case 'draw': {
      const { sample, alreadyDrawn } = await drawVillageSample(ctx, actor, campaign, {
        villageId,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      });
      if (alreadyDrawn) {
        print(`${villageName}的样本已于 ${localTime(campaign, sample.drawnAt)} 抽取并锁定,未重新抽样。`);
        if (flags.seed !== undefined && flags.seed.trim() !== sample.seed)
          print(`(指定的种子 ${flags.seed} 未被使用;记录的种子见下。)`);
      } else print(`已为${villageName}抽取样本,共 ${sample.picks.length} 户:`);
      print();
      for (const line of describeSample(campaign, sample)) print(line);
      return 0;
    }
    case 'show': {
      const { sample, list } = await showVillageSample(ctx, actor, campaign, { villageId });
      if (!sample) {
        print(messages.noSample(villageName));
        print(
          list
            ? `已导入名单「${list.fileName}」,共 ${list.households.length} 户,可执行 draw 抽样。`
            : '该村也还没有导入农户名单。',
        );
        return flags.verify ? EXIT_FAILED : 0;
      }
      print(`${villageName}样本(${sample.picks.length} 条记录):`);
      print();
      // Each household's survey status, as the village screen reads it (the same use case).
      const { statuses } = await villageDetail(ctx, actor, campaign, villageId);
      for (const line of describeSample(campaign, sample, statuses)) print(line);
      if (!flags.verify) return 0;
      print();
      if (!list) {
        print('核验失败:找不到该村的农户名单,无法重新抽样。');
        return EXIT_FAILED;
      }
      const check = verifySample(sample, list, quotasOf(campaign));
      if (check.ok) {
        const replacements = sample.picks.filter((p) => p.replacedBy).length;
        print(
          `核验通过:名单指纹一致;按记录的种子重新抽样,结果与记录一致` +
            (replacements > 0 ? `;${replacements} 次替换也与记录一致。` : '。'),
        );
        return 0;
      }
      print('核验不通过:');
      for (const p of check.problems) print(`  ${p}`);
      return EXIT_FAILED;
    }
    case 'replace': {
      if (!flags.household) throw new UsageError('缺少 --household <户编号>。');
      const reason = flags.reason;
      if (!reason) throw new UsageError(`缺少 --reason(${REPLACEMENT_REASONS.join('|')})。`);
      if (!(REPLACEMENT_REASONS as readonly string[]).includes(reason))
        throw new UsageError(`--reason 须为 ${REPLACEMENT_REASONS.join('|')} 之一,收到「${reason}」。`);
      const result = await replaceHousehold(ctx, actor, campaign, {
        villageId,
        householdId: flags.household,
        reason: reason as ReplacementReason,
        ...(flags.note !== undefined ? { note: flags.note } : {}),
      });
      if (!result.ok) {
        process.stderr.write(`${result.message}\n`);
        return EXIT_FAILED;
      }
      const { replaced, replacement } = result;
      print(
        `已替换:${replaced.householdId} ${replaced.name}(${stratumLabel(campaign, replaced.stratum)},` +
          `原因:${messages.reasonLabels[reason as ReplacementReason]})` +
          ` → 新抽中 ${replacement.householdId} ${replacement.name}(第 ${result.attempt} 次替换)。`,
      );
      return 0;
    }
    case 'add-onsite': {
      if (!flags.name) throw new UsageError('缺少 --name <户主姓名>。');
      if (!flags.reason) throw new UsageError('缺少 --reason <现场增补的理由>。');
      const { entry } = await addOnSiteHousehold(ctx, actor, campaign, {
        villageId,
        name: flags.name,
        reason: flags.reason,
      });
      print(`已记录现场增补的非贫困户:${entry.householdId} ${entry.name}。`);
      return 0;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let campaignHint: Campaign | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        village: { type: 'string' },
        seed: { type: 'string' },
        verify: { type: 'boolean' },
        household: { type: 'string' },
        reason: { type: 'string' },
        note: { type: 'string' },
        name: { type: 'string' },
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
    if (command === undefined) throw new UsageError(`缺少命令(${COMMANDS.join('|')})。`);
    if (!(COMMANDS as readonly string[]).includes(command))
      throw new UsageError(`未知命令「${command}」,可用命令:${COMMANDS.join('、')}。`);
    if (extra.length > 0) throw new UsageError(`多余的参数:${extra.join(' ')}。`);
    if (!values.village) throw new UsageError('缺少 --village <村编号>。');

    return await withContext({ campaign: values.campaign, as: values.as }, (ctx) => {
      campaignHint = ctx.campaign;
      return run(command as Command, values, ctx);
    });
  } catch (err) {
    return reportError(err, campaignHint, HELP_HINT);
  }
}

await runCli(() => main(process.argv.slice(2)));
