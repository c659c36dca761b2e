// `npm run summary -- --town jiangping --format json` as the office runs it while the towns work
// on their problems (issue 17): a child process against dynalite, run again after each step of
// one problem's life. Its 表5 row's 整改措施, 责任人, 整改时限, 整改状态 and 抽查结果 follow the
// problem: open → rectifying → rectified → verified; a second problem goes onto the written list
// and appears under delays with its reason and planned date.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { actOnProblem, logProblem } from '../../app/problems';
import seed from '../../campaigns/dongxing-2017.json';
import { deadlineInstant } from '../../domain/campaign';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Person } from '../../domain/model';
import type { Table5 } from '../../domain/tables/index';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';
import { seedPerson } from '../support/system';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const campaign = parseCampaign(seed);
const TABLE = 'rectification-cli';

let engine: Engine;
let store: DynamoStore;
let dir: string;
let env: NodeJS.ProcessEnv;
let contact: Person;
let leader: Person;
let reporter: Person;
const clock = new ManualClock(deadlineInstant(campaign, '2017-11-03T10:00'));
const deps = () => ({ store, clock });

function summaryJson(): Promise<{ code: number; stdout: string; stderr: string; table5: Table5 }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/summary.ts', '--town', 'jiangping', '--format', 'json', '--out', dir],
      { cwd: ROOT, env, timeout: 120_000 },
      async (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const file = join(dir, `summary-${campaign.id}-jiangping.json`);
        const json = code === 0 ? JSON.parse(await readFile(file, 'utf8')) : undefined;
        resolve({ code, stdout, stderr, table5: json?.towns[0]?.table5 });
      },
    );
  });
}

beforeAll(async () => {
  engine = await startEngine('dynalite', TABLE);
  store = new DynamoStore({ client: engine.client, tableName: TABLE });
  dir = await mkdtemp(join(tmpdir(), 'rectification-cli-'));
  env = {
    ...process.env,
    DYNAMODB_ENDPOINT: engine.endpoint,
    TABLE_NAME: TABLE,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  await store.putCampaign(campaign);
  reporter = await seedPerson(store, { id: 9_810_001, roles: ['inspector'], groupId: 'g2', name: '阿明' });
  leader = await seedPerson(store, { id: 9_810_002, roles: ['leader'], groupId: 'g2', name: '韦组长' });
  contact = await seedPerson(store, {
    id: 9_810_003,
    roles: ['town_contact'],
    townId: 'jiangping',
    name: '江平联络',
  });
});

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('表5 in `npm run summary -- --format json` follows each problem', { timeout: 180_000 }, () => {
  it('open → rectifying → rectified → verified, and the written list, one run after each step', async () => {
    const manual = await logProblem(deps(), reporter, campaign, {
      townId: 'jiangping',
      villageId: 'jiaodong',
      category: 'assistance_measures',
      description: '交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。',
    });
    const archive = await logProblem(deps(), reporter, campaign, {
      townId: 'jiangping',
      villageId: 'shanxin',
      category: 'other',
      description: '山心村贫困户档案资料不齐全,12户缺少收入核算表。',
    });
    const rowOf = async (id: string) => {
      const run = await summaryJson();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return {
        row: run.table5.towns[0]!.rows.find((r) => r.problemId === id)!,
        delays: run.table5.delays,
        stdout: run.stdout,
      };
    };

    // The CLI builds "now" (long after the campaign's 11月9日 deadline): open and overdue.
    expect((await rowOf(manual.id)).row).toMatchObject({
      measures: '',
      responsible: '江平镇交东村',
      deadline: '2017-11-09',
      status: 'open',
      statusLabel: '未整改',
      checkResult: '逾期未整改',
    });

    await actOnProblem(deps(), contact, campaign, manual.id, {
      action: 'measures',
      measures: '逐户核对致贫原因,重新制定帮扶措施',
      responsible: '江平镇扶贫站 黄明',
    });
    expect((await rowOf(manual.id)).row).toMatchObject({
      measures: '逐户核对致贫原因,重新制定帮扶措施',
      responsible: '江平镇扶贫站 黄明',
      status: 'rectifying',
      statusLabel: '整改中',
      checkResult: '逾期未完成整改',
    });

    clock.set(deadlineInstant(campaign, '2017-11-07T16:00'));
    await actOnProblem(deps(), contact, campaign, manual.id, {
      action: 'rectified',
      note: '3户帮扶手册已按因病致贫更新帮扶措施',
    });
    expect((await rowOf(manual.id)).row).toMatchObject({
      status: 'rectified',
      statusLabel: '已整改',
      checkResult: '待抽查',
    });

    await actOnProblem(deps(), leader, campaign, manual.id, { action: 'verified' });
    expect((await rowOf(manual.id)).row).toMatchObject({
      measures: '逐户核对致贫原因,重新制定帮扶措施',
      responsible: '江平镇扶贫站 黄明',
      deadline: '2017-11-09',
      status: 'verified',
      statusLabel: '整改到位',
      checkResult: '已整改到位',
    });

    await actOnProblem(deps(), contact, campaign, archive.id, {
      action: 'needs_longer',
      plannedDate: '2017-12-15',
      reason: '档案需逐户补齐,工作量大',
    });
    const last = await rowOf(archive.id);
    expect(last.row).toMatchObject({
      deadline: '2017-12-15',
      status: 'needs_longer',
      statusLabel: '需较长时间整改',
      checkResult: '已列入书面清单,计划2017-12-15前完成',
    });
    // What the terminal prints says the same.
    expect(last.stdout).toContain('江平镇:共 2 个(整改到位 1 · 需较长时间整改 1)');
    expect(last.stdout).toContain('需较长时间整改的问题清单:');
    expect(last.delays).toEqual([
      {
        no: 1,
        problemId: archive.id,
        townName: '江平镇',
        place: '山心村',
        problem: '山心村贫困户档案资料不齐全,12户缺少收入核算表。',
        reason: '档案需逐户补齐,工作量大',
        plannedDate: '2017-12-15',
      },
    ]);
  });
});
