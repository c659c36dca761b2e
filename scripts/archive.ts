// `npm run archive -- --out DIR [--campaign <id>] [--backup] [--no-files]`: the campaign's record
// at close, before the table's TTL and the bucket's lifecycle delete it (store/expiry.ts).
//
// - Everywhere: a JSON-lines dump of the campaign's items (items.jsonl: every item of this campaign
//   and every item tied to none — people, invites, audit trail, reminder deliveries — the packed
//   attributes unpacked to JSON), its photos as files (evidence/…, as stored under
//   evidence/<campaign>/), and manifest.json (counts, the photos' keys and sizes, when the items
//   expire). Against the embedded engine or `npm start`'s, that is the archive.
// - On AWS (DYNAMODB_ENDPOINT=aws, TABLE_NAME, EVIDENCE_BUCKET): `--backup` first makes an
//   on-demand DynamoDB backup (CreateBackup), which AWS keeps until someone deletes it — TTL does
//   not reach into backups — and the dump and photos are copied with the operator's credentials
//   (`--no-files` lists the photos in the manifest without downloading them).
// A Scan is right here: this is a one-off export of the whole campaign, not a request path (the
// functions never scan, and are not granted to).

import { createWriteStream, realpathSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateBackupCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Campaign, retentionExpiry } from '../domain/campaign';
import { loadCampaignFile } from '../local/campaign-file';
import { openStore } from '../local/engine';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../store/client';
import { isPacked, unpack } from '../store/packed';
import { TABLE } from '../store/table';
import { DEFAULT_CAMPAIGN, openEvidenceFiles, print, reportError, runCli, UsageError } from './cli-support';

const HELP = `用法:npm run archive -- --out <目录> [选项]

活动结束时归档:导出本活动的全部数据(每行一条记录的 JSON,items.jsonl)和现场照片
(evidence/ 目录),并写出清单 manifest.json。数据表中的个人信息将在活动结束
retention.daysAfterEnd 天后由 DynamoDB 自动删除,照片随存储桶的生命周期删除,请在此之前归档。

选项:
  --out <目录>           归档写入的目录(须不存在或为空)
  --campaign <id|path>   活动编号或配置文件路径(默认 ${DEFAULT_CAMPAIGN})
  --backup               另在 AWS 上创建该数据表的按需备份(CreateBackup;仅限 AWS)
  --no-files             只在清单中列出照片,不下载照片文件
  -h, --help             显示本帮助

环境变量:DYNAMODB_ENDPOINT(aws 或 AWS 地址即连接已部署的数据表)、TABLE_NAME、
EVIDENCE_BUCKET、S3_ENDPOINT(同 npm run evidence)、AWS_REGION`;

const HELP_HINT = '查看用法:npm run archive -- --help';

/** Keys whose first part after the prefix is the campaign (store/keys.ts). */
const CAMPAIGN_KEY = /^(?:CAMPAIGN|VILLAGE|AGG|TOWN|PROBLEMS|PROPOSAL|PROPOSALS|SNAPSHOT)#([^#]+)/;

/** The campaign an item belongs to, or undefined for the items tied to none (people, audit…). */
export function campaignOfItem(item: Record<string, unknown>): string | undefined {
  if (typeof item.campaignId === 'string') return item.campaignId;
  for (const key of [item.PK, item.GSI1PK, item.GSI2PK]) {
    const hit = typeof key === 'string' ? CAMPAIGN_KEY.exec(key) : null;
    if (hit) return hit[1];
  }
  const reported = typeof item.SK === 'string' ? /^REPORTED#([^#]+)#/.exec(item.SK) : null;
  if (reported) return reported[1];
  if (item.entity === 'campaign' && typeof item.campaign === 'object' && item.campaign !== null)
    return String((item.campaign as { id?: unknown }).id);
  return undefined;
}

/** JSON for an item: packed attributes as the JSON they hold, other binaries in base64, sets as lists. */
function toJson(item: Record<string, unknown>): string {
  return JSON.stringify(item, (_key, value: unknown) => {
    if (isPacked(value)) {
      try {
        return { $packed: unpack(value) };
      } catch {
        return { $binary: Buffer.from(value).toString('base64') };
      }
    }
    if (value instanceof Set) return [...value];
    return value;
  });
}

export interface ArchiveReport {
  campaignId: string;
  table: string;
  items: number;
  byEntity: Record<string, number>;
  evidence: { key: string; bytes?: number }[];
  backup?: { name: string; arn: string };
}

export async function main(argv: string[], log: (line: string) => void = print): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        campaign: { type: 'string' },
        backup: { type: 'boolean' },
        'no-files': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      log(HELP);
      return 0;
    }
    if (!values.out) throw new UsageError('缺少 --out <目录>。');
    const out = resolve(values.out);
    if ((await readdir(out).catch(() => [])).length > 0)
      throw new UsageError(`目录 ${out} 不是空的:请指定新的目录,以免与旧的归档混在一起。`);
    const campaign = await loadCampaignFile(values.campaign ?? DEFAULT_CAMPAIGN);
    const report = await archive(campaign, out, {
      backup: values.backup ?? false,
      files: !values['no-files'],
      log,
    });
    log(
      `已归档活动 ${report.campaignId}:${report.items} 条记录、${report.evidence.length} 张照片 → ${out}` +
        (report.backup ? `;AWS 备份 ${report.backup.name}` : ''),
    );
    return 0;
  } catch (err) {
    return reportError(err, undefined, HELP_HINT);
  }
}

export async function archive(
  campaign: Campaign,
  out: string,
  opts: { backup: boolean; files: boolean; log: (line: string) => void },
): Promise<ArchiveReport> {
  const opened = await openStore();
  try {
    if (opts.backup && !opened.aws)
      throw new UsageError(
        '--backup 只适用于 AWS 上的数据表(DYNAMODB_ENDPOINT=aws);本地数据请直接保存归档目录。',
      );
    if (opened.aws && !process.env.EVIDENCE_BUCKET?.trim())
      throw new UsageError('归档 AWS 上的活动时须设置 EVIDENCE_BUCKET(部署输出 EvidenceBucketName)。');
    await mkdir(out, { recursive: true });
    const archivedAt = new Date();
    const report: ArchiveReport = {
      campaignId: campaign.id,
      table: opened.tableName,
      items: 0,
      byEntity: {},
      evidence: [],
    };

    // The backup first: it is the whole table as it is at this moment, whatever follows.
    if (opts.backup) {
      const name = `${campaign.id}-close-${archivedAt.toISOString().slice(0, 16).replace(/\D/g, '')}`;
      const raw = new DynamoDBClient(opened.region ? { region: opened.region } : {});
      try {
        const made = await raw.send(
          new CreateBackupCommand({ TableName: opened.tableName, BackupName: name }),
        );
        report.backup = { name, arn: made.BackupDetails?.BackupArn ?? '' };
        opts.log(`AWS 按需备份已创建:${name}(${report.backup.arn})`);
      } finally {
        raw.destroy();
      }
    }

    const client = createDynamoClient({
      endpoint: opened.endpoint,
      ...(opened.aws ? { region: opened.region } : { region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
    });
    const lines = createWriteStream(join(out, 'items.jsonl'), { encoding: 'utf8' });
    try {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: opened.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        for (const item of page.Items ?? []) {
          const owner = campaignOfItem(item);
          if (owner !== undefined && owner !== campaign.id) continue;
          if (!lines.write(`${toJson(item)}\n`))
            await new Promise<void>((resolve) => lines.once('drain', () => resolve()));
          report.items++;
          const entity = String(item.entity ?? 'other');
          report.byEntity[entity] = (report.byEntity[entity] ?? 0) + 1;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } finally {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        lines.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    }

    const evidence = await openEvidenceFiles();
    try {
      const prefix = `evidence/${campaign.id}/`;
      for (const key of await evidence.files.list(prefix)) {
        if (!opts.files) {
          report.evidence.push({ key });
          continue;
        }
        const bytes = await evidence.files.get(key);
        if (!bytes) continue;
        const file = join(out, 'evidence', key.slice(prefix.length));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, bytes);
        report.evidence.push({ key, bytes: bytes.length });
      }
    } finally {
      await evidence.close();
    }

    const expires = retentionExpiry(campaign, archivedAt);
    await writeFile(
      join(out, 'manifest.json'),
      `${JSON.stringify(
        {
          campaign: { id: campaign.id, name: campaign.name, end: campaign.campaignEnd ?? null },
          archivedAt: archivedAt.toISOString(),
          source: opened.aws ? `AWS DynamoDB ${opened.tableName} (${opened.region})` : opened.endpoint,
          table: opened.tableName,
          items: { file: 'items.jsonl', count: report.items, byEntity: report.byEntity },
          evidence: { folder: opts.files ? 'evidence/' : null, objects: report.evidence },
          retention: {
            daysAfterEnd: campaign.retention.daysAfterEnd,
            ttlAttribute: TABLE.ttlAttribute,
            itemsWrittenNowExpireAt: expires === undefined ? null : new Date(expires * 1000).toISOString(),
          },
          ...(report.backup ? { backup: report.backup } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return report;
  } finally {
    await opened.close();
  }
}

const entry = process.argv[1];
if (entry && pathToFileURL(realpathSync(entry)).href === import.meta.url)
  await runCli(() => main(process.argv.slice(2)));
