// `npm run import -- FILE [--dry-run]`: imports paper-filled surveys typed in by the office. Every
// record is checked by the form engine; if any is bad, each problem is listed and nothing is stored.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type Correction, importSurveys } from '../app/import-surveys';
import { type Campaign, villageById } from '../domain/campaign';
import { formatValue, renderLabel } from '../domain/engine';
import { formById } from '../domain/forms/index';
import { readSurveyFile } from '../ingest/survey-file';
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

const HELP = `用法:npm run import -- <文件> [--dry-run] [选项]

导入纸质填写、由扶贫办录入的调查表(农户调查表、村级调查表)。每份调查表按题目顺序逐题
经过与聊天填报相同的校验;需要确认的提示(如收入明显偏低)视为已确认,理由记为“纸质表录入”。
只要有一条记录有误,就列出所有错误(记录号、题目编号、原因),一条也不导入。导入的调查表
状态为“已提交”,计入汇总表。同一文件重复导入时,已导入的记录会被跳过。

文件格式:
  JSON   记录数组:[{ "kind": "household", "villageId": "datian", "householdId": "4506810001",
                     "inspectorId": "…", "answers": { "h1_name": "张三", "h2_food": "是", … } }, …]
         kind 为 household(农户调查表)或 village(村级调查表);inspectorId 可省略;householdId 仅在尚未抽样的村可省略(已抽样的村须填抽样名单中的农户编号)
  XLSX   工作表“household”(或“农户调查表”)和“village”(或“村级调查表”),其他工作表忽略;
         第一行为列名:villageId、householdId、inspectorId 和题目编号;每行一份调查表;
         空白单元格表示未填;多个姓名或多选项用顿号分开
  答案可填选项文字(是/否、有/无、今年计划脱贫户 …)或选项编号,数字可带单位。

更正已提交的调查表(--update):
  把“原始数据”工作簿(npm run summary 导出,或机器人发来的)在 Excel/WPS 中改好后导入。
  第一行的题目编号、问卷编号、村编号、农户编号不要改;改答案列即可,多选题改合并列或改各选项的
  1/0 列均可(只改一处)。每处改动按与聊天填报相同的规则校验,记入该调查表的修改记录(谁、何时、
  原值 → 新值、原因),表4 等汇总随之更新,已签发的检查组报告显示“签发后有变更”。先用 --dry-run
  查看每份调查表将改动的内容;有任何错误则一处也不改。

选项:
  --dry-run               只检查,不导入(--update 时列出每份调查表将改动的内容)
  --update                更正文件中已提交调查表的答案(仅扶贫办)
  --reason <文字>         更正的原因,记入修改记录(--update 时必填)
  --campaign <id|path>    活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --as <personId>         以已登记人员的身份操作(默认:扶贫办,cli-office);
                          检查组成员只能录入本组负责的村
  -h, --help              显示本帮助

环境变量:
  DYNAMODB_ENDPOINT       连接该地址的 DynamoDB(例如 npm start 启动的本地数据库);
                          不设时使用内置数据库,数据保存在 .data/dynamodb
  TABLE_NAME              表名(默认 inspection)

退出码:0 成功;1 文件有误(未导入)或操作被拒绝;2 命令行用法有误。

示例:
  npm run import -- 纸质调查表.xlsx --dry-run
  npm run import -- 原始数据-改.xlsx --update --reason "复核入户更正收入" --dry-run
  npm run import -- paper-surveys.json`;

const HELP_HINT = '查看用法:npm run import -- --help';

/** One corrected survey: where it is, then each answer old → new, as people read them. */
function describeCorrection(campaign: Campaign, c: Correction): string {
  const s = c.after;
  const form = formById(s.formId, s.formVersion);
  const village = s.villageId ? (villageById(campaign, s.villageId)?.name ?? s.villageId) : '';
  const place = s.householdId ? `${village} 农户 ${s.householdId}` : village;
  const ctx = { povertyLine: campaign.povertyLine, year: campaign.year, incomeCutoff: campaign.incomeCutoff };
  const lines = c.changes.map((e) => {
    const q = form?.questions.find((x) => x.id === e.questionId);
    const label = q ? `${q.seedNo} ${renderLabel(q, ctx)}` : e.questionId;
    const show = (v: typeof e.old) => (q ? formatValue(q, v) : String(v ?? '(未答)'));
    return `  ${label}:${show(e.old)} → ${show(e.new)}`;
  });
  return [`问卷 ${s.id}(${place}):`, ...lines].join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      update: { type: 'boolean' },
      reason: { type: 'string' },
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
  if (positionals.length !== 1) throw new UsageError('请指定一个要导入的文件。');
  const reason = values.reason?.trim() ?? '';
  if (values.update && reason === '')
    throw new UsageError('--update 需要 --reason <原因>,它会记入修改记录。');
  if (!values.update && values.reason !== undefined) throw new UsageError('--reason 只用于 --update。');
  // Written into every changed answer's history entry: a sentence, not a document.
  if ([...reason].length > 200)
    throw new UsageError(`--reason 最多 200 个字,现在有 ${[...reason].length} 个字。`);
  const path = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    process.stderr.write(`无法读取文件 ${path}\n`);
    return EXIT_FAILED;
  }
  const file = await readSurveyFile(bytes, basename(path));

  return withContext(
    { campaign: values.campaign, as: values.as },
    async ({ store, clock, campaign, actor }) => {
      const result = await importSurveys({ store, clock }, actor, campaign, file.records, {
        fileIssues: file.issues,
        dryRun: values['dry-run'] ?? false,
        ...(values.update ? { update: { reason } } : {}),
      });
      if (!result.ok) {
        const bad = new Set(result.issues.map((i) => i.record ?? 0));
        process.stderr.write(
          `文件有误,未导入任何记录(共 ${file.records.length} 条记录,其中 ${[...bad].filter((n) => n > 0).length} 条有误):\n\n`,
        );
        process.stderr.write(
          `${formatTable(
            ['记录', '位置', '题目编号', '原因'],
            result.issues.map((i) => [
              i.record ? String(i.record) : '—',
              i.where,
              i.questionId ?? '',
              i.message,
            ]),
          )}\n`,
        );
        return EXIT_FAILED;
      }
      if (values.update) {
        for (const c of result.corrected) print(describeCorrection(campaign, c));
        const verb = result.dryRun ? '将更正' : '已更正';
        print(
          result.corrected.length > 0
            ? `${verb} ${result.corrected.length} 份调查表,共 ${result.corrected.reduce((n, c) => n + c.changes.length, 0)} 处答案` +
                (result.dryRun ? '(未保存;去掉 --dry-run 即按此更正)。' : ',已记入各调查表的修改记录。')
            : '文件中已提交调查表的答案与系统中一致,没有需要更正的内容。',
        );
        if (result.superseded > 0)
          print(`更正后的答案不再提出此前尚未确认的 ${result.superseded} 条问题建议,这些建议已作废。`);
        if (result.conflicts.length > 0) {
          process.stderr.write(
            `${result.conflicts.length} 份调查表在导入期间被他人修改,未更正(${result.conflicts.join('、')}):请重新导出后再改。\n`,
          );
          return EXIT_FAILED;
        }
      }
      const count = (kind: string) => result.created.filter((s) => s.kind === kind).length;
      const villages = [...new Set(result.created.map((s) => s.villageId ?? ''))]
        .map((id) => villageById(campaign, id)?.name ?? id)
        .join('、');
      if (result.created.length === 0) {
        if (!values.update) print(`文件中的 ${result.skipped.length} 份调查表此前均已导入,没有新的记录。`);
        return 0;
      }
      const verb = result.dryRun ? '检查通过,可导入' : '已导入';
      print(
        `${verb} ${result.created.length} 份调查表(农户调查表 ${count('household')} 份,村级调查表 ${count('village')} 份)` +
          (villages ? `,涉及${villages}` : '') +
          '。',
      );
      if (result.skipped.length > 0) print(`另有 ${result.skipped.length} 份此前已导入,已跳过。`);
      if (!result.dryRun && result.proposals > 0)
        print(
          `这些调查表提出了 ${result.proposals} 条问题建议,等待扶贫办确认(npm run problems -- proposals,或在机器人中发送 /proposals)。`,
        );
      return 0;
    },
  );
}

runCli(async () => {
  try {
    return await main();
  } catch (err) {
    return reportError(err, undefined, HELP_HINT);
  }
});
