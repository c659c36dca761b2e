import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotasOf } from '../../app/lists';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign';
import { STRATA, type StratumId } from '../../domain/forms/types';
import { drawSample } from '../../domain/sampling';
import { type Engine, startEngine } from '../support/engines';

// The office command lines run as child processes, the way `npm run lists/sample` runs them,
// against a dynalite server given by DYNAMODB_ENDPOINT. A fresh TABLE_NAME makes the first
// command create the table, as it would on a new machine.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const campaign = parseCampaign(seed);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let engine: Engine;
let dir: string;
let env: NodeJS.ProcessEnv;

function run(script: 'lists' | 'sample', ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `scripts/${script}.ts`, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

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
