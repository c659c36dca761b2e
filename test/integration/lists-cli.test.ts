import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotasOf } from '../../app/lists';
import { surveyIdFor } from '../../app/surveys';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { STRATA, type StratumId } from '../../domain/forms/types';
import { drawSample } from '../../domain/sampling';
import { DynamoStore } from '../../store/dynamo-store';
import { png } from '../fixtures/lists/build';
import { type CliRun, runScript } from '../support/cli';
import { type Engine, startEngine } from '../support/engines';
import { submittedHousehold } from '../support/submitted-surveys';

// The office command lines run as child processes, the way `npm run lists/sample` runs them,
// against a dynalite server given by DYNAMODB_ENDPOINT. A fresh TABLE_NAME makes the first
// command create the table, as it would on a new machine.

const campaign = parseCampaign(seed);

type Run = CliRun;

let engine: Engine;
let dir: string;
let env: NodeJS.ProcessEnv;

function run(script: 'lists' | 'sample' | 'people' | 'invite', ...args: string[]): Promise<Run> {
  return runIn(env, script, ...args);
}

const runIn = (environment: NodeJS.ProcessEnv, script: string, ...args: string[]): Promise<Run> =>
  runScript(script, args, environment);

/** Expected errors are explained in Chinese, never with a stack trace. */
function expectNoStack(result: Run): void {
  expect(result.stderr).not.toMatch(/^\s+at /mu);
  expect(result.stdout).not.toMatch(/^\s+at /mu);
}

const stratumText: Record<StratumId, string> = {
  exited_2014_2015: '2015年脱贫户',
  exited_2016: '2016年已脱贫户',
  planned_2017: '2017年计划脱贫户',
  registered_poor: '未脱贫户',
  non_poor: '非贫困户',
};
const SIZES: Record<StratumId, number> = {
  exited_2014_2015: 4,
  exited_2016: 3,
  planned_2017: 6,
  registered_poor: 1,
  non_poor: 5,
};
const HOUSEHOLDS = STRATA.flatMap((stratum, s) =>
  Array.from({ length: SIZES[stratum] }, (_, i) => ({
    id: `4506810${s + 1}${String(i + 1).padStart(2, '0')}`,
    name: `${'黄李陈王刘张'[i % 6]}${'明华强芳军'[s]}${i + 1}`,
    stratum,
  })),
);

/** A list as Chinese Excel saves it: GBK, CRLF, header variants, an extra column. */
function gbkCsv(lines: readonly string[]): Buffer {
  return iconv.encode(['户号,户主,类别,家庭人口', ...lines].join('\r\n'), 'gbk');
}
const goodLines = HOUSEHOLDS.map((h) => `${h.id},${h.name},${stratumText[h.stratum]},3`);

const SEED = '20171030-大田村-公开抽签';

beforeAll(async () => {
  engine = await startEngine('dynalite');
  dir = await mkdtemp(join(tmpdir(), 'lists-cli-'));
  env = {
    ...process.env,
    DYNAMODB_ENDPOINT: engine.endpoint,
    TABLE_NAME: 'lists-cli',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  await writeFile(join(dir, 'good.csv'), gbkCsv(goodLines));
  const badLines = [...goodLines];
  badLines[1] = `${HOUSEHOLDS[1]?.id},,${stratumText.exited_2014_2015},3`; // row 3: empty name
  badLines[4] = `${HOUSEHOLDS[4]?.id},某户,外来户,3`; // row 6: unknown type
  await writeFile(join(dir, 'bad.csv'), gbkCsv(badLines));
});

afterAll(async () => {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each command is a fresh Node process (tsx + the AWS SDK): seconds each on a busy machine.
describe('the office command lines against DynamoDB (dynalite)', { timeout: 180_000 }, () => {
  it('print their usage in Chinese with the flag names for --help', async () => {
    const lists = await run('lists', '--help');
    expect(lists.code).toBe(0);
    expect(lists.stdout).toContain('用法');
    expect(lists.stdout).toContain('--village');
    const sample = await run('sample', '--help');
    expect(sample.code).toBe(0);
    for (const flag of ['draw', 'show', 'replace', '--seed', '--verify', '--household', '--reason', '--note'])
      expect(sample.stdout).toContain(flag);
  });

  it('refuse a wrong command line with exit code 2 and a hint', async () => {
    const result = await run('sample', 'draw');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--village');
    expect(result.stderr).toContain('--help');
    expectNoStack(result);
  });

  it('walk a village through import, draw, show --verify and replace', async () => {
    // A GBK list with two bad rows: every bad row is reported and nothing is imported.
    const bad = await run('lists', 'import', '--village', 'datian', join(dir, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^第3行.*户主/mu);
    expect(bad.stderr).toMatch(/^第6行.*外来户/mu);
    expect(bad.stderr).toContain('未导入任何农户');
    expectNoStack(bad);
    const notYet = await run('sample', 'draw', '--village', 'datian');
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toContain('还没有上传农户名单');

    const good = await run('lists', 'import', '--village', 'datian', join(dir, 'good.csv'));
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`共 ${HOUSEHOLDS.length} 户`);
    expect(good.stdout).toMatch(/2017年计划脱贫户\s+6\s+3/u);
    expect(good.stdout).toMatch(/建档立卡贫困户\s+1\s+2/u);

    const drawn = await run('sample', 'draw', '--village', 'datian', '--seed', SEED);
    expect(drawn.code).toBe(0);
    // The same seed and list give the same sample in this process as in the command line's.
    const expected = drawSample({ households: HOUSEHOLDS, quotas: quotasOf(campaign), seed: SEED });
    const printedIds = [...drawn.stdout.matchAll(/^\d+\s+\S+\s+(\d{10})\s/gmu)].map((m) => m[1]);
    expect(printedIds).toEqual(expected.picks.map((p) => p.householdId));
    expect(drawn.stdout).toContain(`随机种子:${SEED}`);
    expect(drawn.stdout).toMatch(/建档立卡贫困户:应抽 2 户,名单中仅 1 户/u);

    const again = await run('sample', 'draw', '--village', 'datian', '--seed', 'another');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('锁定,未重新抽样');
    expect(again.stdout).toContain(`随机种子:${SEED}`);

    const locked = await run('lists', 'import', '--village', 'datian', join(dir, 'good.csv'));
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('该村样本已抽取并锁定,不能再上传名单');

    const shown = await run('sample', 'show', '--village', 'datian', '--verify');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('核验通过');
    expect(shown.stdout).toMatch(/名单指纹\(SHA-256\):[0-9a-f]{64}/u);
    for (const pick of expected.picks) expect(shown.stdout).toContain(pick.householdId);

    const first = expected.picks[0]?.householdId ?? '';
    const noNote = await run(
      'sample',
      'replace',
      '--village',
      'datian',
      '--household',
      first,
      '--reason',
      'other',
    );
    expect(noNote.code).toBe(1);
    expect(noNote.stderr).toContain('请写明具体情况');
    expectNoStack(noNote);

    const replaced = await run(
      'sample',
      'replace',
      '--village',
      'datian',
      '--household',
      first,
      '--reason',
      'absent',
    );
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(new RegExp(`已替换:${first}.*不在家.*新抽中 \\d{10}`, 'u'));

    const after = await run('sample', 'show', '--village', 'datian', '--verify');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('已替换(不在家)');
    expect(after.stdout).toContain('核验通过');

    // Each household's state is its survey's status: one submitted, one returned for correction.
    const store = new DynamoStore({ client: engine.client, tableName: 'lists-cli' });
    const [second, third] = [expected.picks[1]!, expected.picks[2]!];
    const surveyOf = (householdId: string) =>
      submittedHousehold({
        id: surveyIdFor(campaign.id, { kind: 'household', villageId: 'datian', householdId }),
        campaign,
        place: { townId: 'dongxing', villageId: 'datian' },
        householdId,
        inspectorId: '801',
        answers: {},
      });
    await store.createSurvey(surveyOf(second.householdId));
    await store.createSurvey({ ...surveyOf(third.householdId), status: 'returned' });
    const states = await run('sample', 'show', '--village', 'datian');
    const line = (householdId: string) =>
      states.stdout.split('\n').find((l) => l.includes(householdId)) ?? '';
    expect(line(second.householdId)).toContain('已调查');
    expect(line(third.householdId)).toContain('已退回修改');
    expect(line(expected.picks[3]!.householdId)).toContain('待调查');
  });

  it('refuse a list that is another village’s, a picture, or has an invisible duplicate', async () => {
    const other = await run(
      'lists',
      'import',
      '--village',
      'jiaodong',
      'local/sample-data/大田村农户名单.xlsx',
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('大田村');
    expect(other.stderr).toContain('未导入任何农户');
    expectNoStack(other);

    await writeFile(join(dir, '名单.csv'), png());
    const picture = await run('lists', 'import', '--village', 'jiaodong', join(dir, '名单.csv'));
    expect(picture.code).not.toBe(0);
    expect(picture.stderr).toContain('图片');
    expectNoStack(picture);

    await writeFile(
      join(dir, 'dup.csv'),
      ['户编号,户主姓名,农户类型', 'A1,黄明,非贫困户', 'A\u200b1,李华,非贫困户'].join('\n'),
    );
    const dup = await run('lists', 'import', '--village', 'jiaodong', join(dir, 'dup.csv'));
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/第3行.*与第2行重复/u);
    const shown = await run('sample', 'show', '--village', 'jiaodong');
    expect(shown.stdout + shown.stderr).toContain('还没有');
  });

  it('import and draw ids written 3组/15号, 12:7 and A#1; a second list needs --replace', async () => {
    const rows = [
      ['3组/15号', '黄志强', '2014年退出户'],
      ['3组/16号', '李秀英', '2015年退出户'],
      ['12:7', '陈建华', '2016年已脱贫户'],
      ['12:8', '刘桂兰', '2016年已脱贫户'],
      ['A#1', '梁国庆', '2017年预脱贫户'],
      ['A#2', '韦丽萍', '2017年预脱贫户'],
      ['A#3', '莫海军', '2017年预脱贫户'],
      ['B1', '覃春燕', '建档立卡贫困户'],
      ['B2', '苏文杰', '建档立卡贫困户'],
      ['C1', '罗玉梅', '非贫困户'],
    ];
    await writeFile(
      join(dir, 'odd.csv'),
      ['户编号,户主姓名,农户类型', ...rows.map((r) => r.join(','))].join('\n'),
    );
    const imported = await run('lists', 'import', '--village', 'banai', join(dir, 'odd.csv'));
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const drawn = await run('sample', 'draw', '--village', 'banai', '--seed', 'odd-ids');
    expect(drawn.code).toBe(0);
    for (const id of ['3组/15号', '12:7', 'A#1']) expect(drawn.stdout).toContain(id);

    await writeFile(join(dir, 'v1.csv'), gbkCsv(goodLines.slice(0, 10)));
    await writeFile(join(dir, 'v2.csv'), gbkCsv(goodLines));
    expect((await run('lists', 'import', '--village', 'zhazu', join(dir, 'v1.csv'))).code).toBe(0);
    const unconfirmed = await run('lists', 'import', '--village', 'zhazu', join(dir, 'v2.csv'));
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('已有名单(共 10 户');
    expect(unconfirmed.stderr).toContain(`新名单共 ${HOUSEHOLDS.length} 户`);
    expect(unconfirmed.stderr).toContain('--replace');
    const confirmed = await run('lists', 'import', '--village', 'zhazu', '--replace', join(dir, 'v2.csv'));
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`10 户 → ${HOUSEHOLDS.length} 户`);
  });

  it('manage people from the command line: list, revoke, invites and cancel', async () => {
    const invite = await run('invite', '--role', 'inspector', '--group', 'g2', '--bot', 'test_bot');
    expect(invite.code).toBe(0);
    const invites = await run('people', 'invites');
    expect(invites.code).toBe(0);
    expect(invites.stdout).toContain('检查员(第二组 · 江平镇)');
    const code = /start=(\S+)/.exec(invite.stdout)?.[1] ?? '';
    expect(invites.stdout).not.toContain(code);
    const id = /^(\S{12})\s+检查员/mu.exec(invites.stdout)?.[1] ?? '';
    const cancelled = await run('people', 'cancel-invite', '--invite', id);
    expect(cancelled.code).toBe(0);
    expect((await run('people', 'invites')).stdout).not.toContain(id);
    // An id starting with "-" (made before ids avoided it) reads as an option: the tool says how.
    const dashed = await run('people', 'cancel-invite', '--invite', '-bcdefghijkl');
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toContain('选项 --invite 的值以“-”开头,请写成 --invite=值。');
    expectNoStack(dashed);
    const none = await run('people', 'revoke', '--person', 'nobody', '--role', 'inspector', '--group', 'g2');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('找不到该人员');
    expectNoStack(none);
  });

  it('import and draw an 8,000-household list on the embedded database', async () => {
    const strata = ['2014年退出户', '2016年已脱贫户', '2017年预脱贫户', '建档立卡贫困户', '非贫困户'];
    const lines = Array.from(
      { length: 8000 },
      (_, i) =>
        `45068199${String(i).padStart(5, '0')},户主${i},${strata[i % 5]},${1 + (i % 9)},第${i % 12}组`,
    );
    await writeFile(join(dir, 'big.csv'), ['户编号,户主姓名,农户类型,人口,村民小组', ...lines].join('\r\n'));
    const { DYNAMODB_ENDPOINT: _endpoint, ...rest } = env;
    const embedded = { ...rest, INSPECTION_DATA_DIR: join(dir, 'embedded') };
    const imported = await runIn(embedded, 'lists', 'import', '--village', 'wanwei', join(dir, 'big.csv'));
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('共 8000 户');
    const drawn = await runIn(embedded, 'sample', 'draw', '--village', 'wanwei', '--seed', 'big');
    expect(drawn.code).toBe(0);
    const shown = await runIn(embedded, 'sample', 'show', '--village', 'wanwei', '--verify');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('核验通过');
  });

  it('explain an unknown village or person in Chinese and exit non-zero', async () => {
    const village = await run('sample', 'show', '--village', 'atlantis');
    expect(village.code).toBe(1);
    expect(village.stderr).toContain('找不到村「atlantis」');
    expect(village.stderr).toContain('datian(大田村)');
    expectNoStack(village);
    const who = await run('sample', 'show', '--village', 'datian', '--as', 'nobody');
    expect(who.code).toBe(2);
    expect(who.stderr).toContain('找不到人员「nobody」');
    expectNoStack(who);
  });
});
