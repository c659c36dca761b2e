// `npm start` as a newcomer uses it: started as a child process, then driven in headless Debian
// chromium. An inspector of 第二组 uploads the sample list of 交东村, draws the sample and
// completes a household survey (one refused answer, one edit from the review); 江平镇's contact
// rectifies two problems and 第二组's leader verifies one and rejects the other; the office builds
// the city summary and downloads the XLSX; a move of the demo clock brings a reminder.
// Chromium is required: without /usr/bin/chromium this test fails, it never skips.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { renderLabel } from '../../domain/engine';
import { householdForm } from '../../domain/forms/household';
import { demoPersonas } from '../../local/demo-people';
import { samplePhoto } from '../../local/png';
import { households, VILLAGES } from '../../local/sample-data/generate';
import { freePort } from '../support/engines';
import { typicalHousehold } from '../support/survey-driver';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLE = join(REPO, 'local/sample-data/交东村农户名单.csv');
const SCREENSHOT = join(REPO, 'test-results/local-start.png');

const campaign = parseCampaign(seed);
const ctx = { povertyLine: campaign.povertyLine, year: campaign.year, incomeCutoff: campaign.incomeCutoff };
const personas = demoPersonas(campaign);
const inspector = personas.find((p) => p.role === 'inspector' && p.groupId === 'g2')!;
const leader = personas.find((p) => p.role === 'leader' && p.groupId === 'g2')!;
const office = personas.find((p) => p.role === 'office')!;
/** 交东村 is in 江平镇: its contact reports the rectification. */
const townContact = personas.find((p) => p.role === 'town_contact' && p.townId === 'jiangping')!;
/** Households of 交东村 the town lists as 2016年已脱贫户: the answers below fit that stratum. */
const exited2016 = households(VILLAGES[0]!)
  .filter((h) => h.type === '2016年已脱贫户')
  .map((h) => h.name);

/** A household of 2016, answered as an inspector would. */
const ANSWERS: Record<string, string> = {
  ...typicalHousehold,
  h2_income: '4200',
  h2_serious_illness: '是',
  h2_hospital_cost: '5000',
  h2_reimbursed: '3000',
  h2_illness_aid: '0',
  h2_area_per_person: '28',
};

let dataDir: string;
let server: ChildProcess | undefined;
let output = '';
let url: string;
let browser: Browser | undefined;
let page: Page;
/** A picture on the computer, for the page's file picker. */
let photoFile: string;

/** Starts `npm start` the way a person does and resolves with the URL it prints. */
function startApp(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--', '--fresh', '--port', String(port)], {
      cwd: REPO,
      env: { ...process.env, INSPECTION_DATA_DIR: dataDir, DEMO_TIME: '' },
      // Its own process group, so stopping it stops npm, tsx and node together.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /打开 Open in a browser:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`));
    });
  });
}

async function stopApp() {
  const pid = server?.pid;
  if (!pid) return;
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // npm may exit before its node child has saved the chats and closed the database: wait for
  // the whole process group, and force it only if it hangs.
  if (groupAlive()) process.kill(-pid, 'SIGTERM');
  for (let waited = 0; groupAlive() && waited < 15_000; waited += 100) await sleep(100);
  if (groupAlive()) process.kill(-pid, 'SIGKILL');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Acting in the page as a person

const botMessages = () => page.locator('.msg[data-from="bot"]');
const lastBot = () => botMessages().last();

/** The page marks itself busy from an action until the bot's replies have arrived. */
async function settled() {
  // A string: the test is compiled without the DOM types.
  await page.waitForFunction("document.body.dataset.busy === 'false'", undefined, { timeout: 15_000 });
}

async function lastText(): Promise<string> {
  return ((await lastBot().locator('.text, .doc-caption').first().textContent()) ?? '').trim();
}

async function choosePersona(name: string) {
  await page.locator('#persona-button').click();
  await page.locator('.persona', { hasText: name }).click();
  await expect.poll(() => page.locator('#persona-name').textContent()).toBe(name);
  await settled();
}

async function send(text: string) {
  await page.locator('#text-input').fill(text);
  await page.locator('#text-input').press('Enter');
  await settled();
}

/** The newest button with this label (exact text, or a pattern). */
function button(label: string | RegExp): Locator {
  const exact =
    typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label;
  return page.locator('.keyboard button').filter({ hasText: exact }).last();
}

async function press(label: string | RegExp) {
  await button(label).click();
  await settled();
}

async function lastButtons(): Promise<string[]> {
  return (await lastBot().locator('.keyboard button').allTextContents()).map((t) => t.trim());
}

/** The question id of the newest prompt, read from its bold label. */
async function currentQuestion(): Promise<string> {
  const bold = ((await lastBot().locator('.text b').first().textContent()) ?? '').trim();
  const q = householdForm.questions.find(
    (x) => bold === `${x.seedNo === '补' ? '' : `${x.seedNo} `}${renderLabel(x, ctx)}`,
  );
  if (!q) throw new Error(`not a household question prompt:\n${await lastText()}`);
  return q.id;
}

/** Answer like a person: press the button whose label is the answer, or type it. */
async function give(value: string) {
  const labels = await lastButtons();
  const label = labels.find((b) => b === value || b === `✔ ${value}`);
  if (label) await press(label);
  else await send(value);
}

/** The location step: Telegram's 📍 button under the text field opens where the person is. */
async function sendLocationFromKeyboard(villageId: string, far: boolean) {
  await page.locator('#reply-keyboard button', { hasText: '📍 发送当前位置' }).click();
  await page.locator(far ? `[data-village-far="${villageId}"]` : `[data-village="${villageId}"]`).click();
  await settled();
}

/** A photo: one of the bundled samples, or a picture from the computer through the file picker. */
async function sendPhoto(from: { sample: string } | { file: string }) {
  await page.locator('#attach-button').click();
  if ('sample' in from) {
    await page.locator('#sample-photos button', { hasText: from.sample }).click();
  } else {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('#choose-photo').click(),
    ]);
    await chooser.setFiles(from.file);
  }
  await settled();
}

// ---------------------------------------------------------------------------------------------

/** Each test fails (never skips) on a machine without Debian's chromium. */
function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk (apt-get install)`);
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  dataDir = await mkdtemp(join(tmpdir(), 'inspection-start-'));
  photoFile = join(dataDir, '现场照片.png');
  await writeFile(photoFile, samplePhoto(99));
  url = await startApp(await freePort());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({
    viewport: { width: 400, height: 860 },
    acceptDownloads: true,
    locale: 'zh-CN',
  });
  page = await context.newPage();
  page.on('pageerror', (err) => {
    output += `\n[page error] ${err.message}`;
  });
  await page.goto(url);
  await page.waitForFunction("document.getElementById('persona-name').textContent !== ''", undefined, {
    timeout: 15_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopApp();
  if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

describe('npm start, tried in a browser', () => {
  it('an inspector uploads the sample list, draws the sample and completes a household survey', async () => {
    requireChromium();
    await choosePersona(inspector.name);
    await expect.poll(() => lastText()).toBe('请选择要做的事:');
    await press('🏘 选择村');
    await press('交东村 未抽样');
    expect(await lastText()).toContain('还没有农户名单');
    await press('📤 上传名单');

    // The file goes through the page's file picker, as a person would send it.
    await page.locator('#attach-button').click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('#choose-file').click(),
    ]);
    await chooser.setFiles(SAMPLE);
    await settled();
    await expect
      .poll(() => page.locator('.msg[data-from="user"] .doc-name').last().textContent())
      .toBe('交东村农户名单.csv');
    await expect
      .poll(() => botMessages().allTextContents())
      .toContainEqual(expect.stringMatching(/✅ 交东村名单已上传:共 30 户/));

    await press('🎲 抽取样本');
    await press('🎲 确定抽取');
    expect(
      (await botMessages().allTextContents()).some((t) => t.includes('✅ 已抽取 10 户,样本已锁定。')),
    ).toBe(true);

    const household = (await lastButtons()).find((b) => exited2016.some((n) => b.endsWith(n)));
    expect(household, `a 2016 household in ${(await lastButtons()).join(' | ')}`).toBeDefined();
    await press(household!);
    await press('▶️ 开始调查');
    expect(await lastText()).toContain('1.1 农户姓名');

    let refused = false;
    for (let step = 0; step < 80; step++) {
      const text = await lastText();
      if (text.includes('📋 回顾') || text.includes('发送当前位置')) break;
      if (text.includes('请用一句话写明理由')) {
        await send('务工收入未完全计入');
        continue;
      }
      const id = await currentQuestion();
      if (id === 'h1_name') {
        await press(/^✔ /);
        continue;
      }
      if (id === 'h1_type') {
        await press('✔ 2016年脱贫户');
        continue;
      }
      if (id === 'h1_pop_actual' && !refused) {
        // A number in words is refused with the reason, and the question stays.
        refused = true;
        await send('三');
        expect(await lastText()).toMatch(/^❌ 请用阿拉伯数字填写/);
        expect(await page.locator('.msg[data-from="bot"] .text', { hasText: '❌' }).count()).toBeGreaterThan(
          0,
        );
        expect(await currentQuestion()).toBe('h1_pop_actual');
      }
      const answer = ANSWERS[id];
      if (answer === undefined) throw new Error(`no answer scripted for ${id}:\n${text}`);
      await give(answer);
    }
    expect(refused).toBe(true);
    // Answered through: the location from the spot, with the reply keyboard's 📍 button.
    expect(await lastText()).toContain('请在现场点下方“📍 发送当前位置”');
    await expect.poll(() => page.locator('#reply-keyboard').isVisible()).toBe(true);
    await sendLocationFromKeyboard('jiaodong', false);
    await expect
      .poll(() => page.locator('.msg[data-from="user"] .location').last().textContent())
      .toContain('离交东村 0.3 公里');
    // The keyboard goes away once the location is in; then the photo the campaign asks for.
    await expect.poll(() => page.locator('#reply-keyboard').isVisible()).toBe(false);
    expect(await lastText()).toContain('本问卷需要至少 1 张现场照片,目前 0 张');
    await sendPhoto({ sample: '农户家门口' });
    const photo = page.locator('.msg[data-from="user"] img.photo').last();
    await expect
      .poll(() =>
        photo.evaluate((img) => {
          const loaded = img as unknown as { complete: boolean; naturalWidth: number };
          return loaded.complete && loaded.naturalWidth;
        }),
      )
      .toBe(320);
    const review = await lastText();
    expect(review).toContain('📷 1 张 · 📍 距交东村 0.3 公里');
    expect(review).toContain('📋 回顾');
    expect(review).toContain('帮扶干部姓名:李强');

    // One edit from the review, then submit.
    await press('✏️ 修改');
    await press('三、帮扶联系');
    await press(/^帮扶干部姓名/);
    expect(await currentQuestion()).toBe('h3_cadre_name');
    // A message longer than Telegram allows is explained, and kept in the box to shorten.
    await page.locator('#text-input').fill('李'.repeat(5000));
    await page.locator('#text-input').press('Enter');
    await expect
      .poll(() => page.locator('#toast').textContent())
      .toContain('消息过长:Telegram 每条消息最多 4096 个字符');
    expect((await page.locator('#text-input').inputValue()).length).toBe(5000);
    await send('李志强');
    expect(await lastText()).toContain('帮扶干部姓名:李志强');
    await press('✅ 提交');
    expect((await botMessages().allTextContents()).some((t) => t.includes('✅ 已提交:'))).toBe(true);
  }, 90_000);

  it('a 错退 survey returned by the leader and submitted again leaves exactly one problem', async () => {
    requireChromium();
    await choosePersona(inspector.name);
    await send('/villages');
    await press(/^交东村 \d+\/10$/);
    // The other 2016 household, not started yet.
    const other = (await lastButtons()).find(
      (b) => b.startsWith('⬜') && exited2016.some((n) => b.endsWith(n)),
    );
    expect(other, (await lastButtons()).join(' | ')).toBeDefined();
    const name = exited2016.find((n) => other!.endsWith(n))!;
    await press(other!);
    await press('▶️ 开始调查');
    const answers: Record<string, string> = { ...ANSWERS, h5_meets_standard: '否', h5_failure_kind: '错退' };
    for (let step = 0; step < 80; step++) {
      const text = await lastText();
      if (text.includes('📋 回顾')) break;
      if (text.includes('请用一句话写明理由')) {
        await send('家庭收入测算不实');
        continue;
      }
      if (text.includes('发送当前位置')) {
        // Sent from far away: recorded, and flagged with the distance (never blocking).
        await sendLocationFromKeyboard('jiaodong', true);
        continue;
      }
      if (text.includes('张现场照片,目前')) {
        await sendPhoto({ file: photoFile });
        continue;
      }
      const id = await currentQuestion();
      if (id === 'h1_name') await press(/^✔ /);
      else if (id === 'h1_type') await press('✔ 2016年脱贫户');
      else await give(answers[id] ?? '');
    }
    expect(await lastText()).toContain('定位距村 8 公里,超出范围');
    await press('✅ 提交');
    await expect.poll(() => lastText()).toContain('建议记录问题');
    await press('✅ 确认记录');
    await expect
      .poll(() => botMessages().allTextContents())
      .toContainEqual(expect.stringContaining('✅ 问题已记录'));

    // The leader returns it at one answer.
    await choosePersona(leader.name);
    await send('/surveys');
    await press(/^交东村 \d+$/);
    await press(new RegExp(`${name}户`));
    await press('↩️ 退回修改');
    await press(/^五、/);
    await press(/^判断已脱贫户是否达到脱贫标准/);
    await send('请再核实一次是否达标');

    // The inspector opens it from the notice, confirms the judgement, and submits again.
    await choosePersona(inspector.name);
    await press('✏️ 打开并修改');
    await give('否');
    for (let step = 0; step < 10 && !(await lastText()).includes('📋 回顾'); step++) {
      const id = await currentQuestion();
      await give(answers[id] ?? '');
    }
    await press('✅ 提交');
    await expect
      .poll(() => botMessages().allTextContents())
      .toContainEqual(expect.stringContaining('✅ 已提交'));
    // Nothing proposed again: the 错退 problem is recorded already, and the chat says so.
    expect(await lastText()).toContain('此前已确认或标记为不记录,不再重复提出');
    await send('/problems');
    expect(await lastText()).toContain('您记录的问题共 1 个');
  }, 120_000);

  it('the town rectifies two problems; the leader verifies one and rejects the other; 表5 shows both', async () => {
    requireChromium();
    // A second problem, typed by the inspector beside the 错退 one from the survey.
    await choosePersona(inspector.name);
    await send('/problem');
    await press('二、精准帮扶·措施制定');
    await press('交东村');
    await press('跳过');
    await send('交东村帮扶手册中帮扶措施与致贫原因不对应,3户因病致贫却只安排了产业奖补。');
    await expect
      .poll(() => botMessages().allTextContents())
      .toContainEqual(expect.stringContaining('✅ 问题已记录'));

    // The town's contact: the list, measures with 责任人, then done with a photo of the result.
    await choosePersona(townContact.name);
    await send('/problems');
    expect(await lastText()).toMatch(/^江平镇问题清单:共 2 个\(未整改 2\)/);
    const manual = /^⏳ 交东村帮扶手册/;
    const wrongful = (await lastButtons()).find((b) => b.startsWith('⏳') && !manual.test(b));
    expect(wrongful, (await lastButtons()).join(' | ')).toBeDefined();
    await press(wrongful!);
    await press('📝 填报整改措施');
    await send('改');
    expect(await lastText()).toBe('内容太短了,请至少写 4 个字。');
    await send('重新核算家庭收入,恢复贫困户身份并落实帮扶措施');
    await send('江平镇扶贫站 黄明');
    expect(await lastText()).toContain('状态:整改中');
    await press('✅ 已整改');
    await send('已恢复贫困户身份,落实产业帮扶,见照片');
    await sendPhoto({ sample: '农户家门口' });
    await expect.poll(() => lastText()).toBe('📷 已附到问题上(共 1 张)。');
    await send('/problems');
    await press(manual);
    await press('✅ 已整改');
    await send('已重新制定帮扶措施');
    expect(await lastText()).toContain('✅ 已报告整改完成,等待检查组抽查。');

    // The group's leader checks both: the first is in place, the second is not.
    await choosePersona(leader.name);
    await send('/problems');
    expect(await lastText()).toMatch(/^江平镇问题清单:共 2 个\(已整改 2\)/);
    await press(/^🛠 (?!交东村帮扶手册)/);
    expect(await lastText()).toContain('照片:1 张');
    await press('👍 已整改到位');
    expect(await lastText()).toContain('✅ 抽查结果:已整改到位。');
    await send('/problems');
    await press(/^🛠 交东村帮扶手册/);
    await press('👎 未整改到位');
    await send('3户的帮扶手册仍未更新');
    expect(await lastText()).toContain('已记录:未整改到位。');

    // The town hears of the rejection; the office's summary says where both stand.
    await choosePersona(townContact.name);
    expect(await lastText()).toMatch(/^【未整改到位】检查组抽查认为以下问题未整改到位/);
    await choosePersona(office.name);
    await send('/summary');
    await press('全市');
    await expect.poll(() => lastText(), { timeout: 15_000 }).toMatch(/^表5 整改情况/);
    const table5 = await lastText();
    expect(table5).toContain('江平镇:共 2 个(整改到位 1 · 未整改 1)');
    expect(table5).toContain('【未整改;未整改到位:3户的帮扶手册仍未更新】');
  }, 120_000);

  it('the office builds the city summary and downloads the XLSX from the chat', async () => {
    requireChromium();
    await choosePersona(office.name);
    const documentsBefore = await page.locator('.msg[data-from="bot"] a.doc').count();
    await send('/summary');
    await press('全市');
    const docs = page.locator('.msg[data-from="bot"] a.doc');
    await expect.poll(() => docs.count(), { timeout: 15_000 }).toBeGreaterThan(documentsBefore);
    const summary = docs.filter({ hasText: '全市-汇总表' }).last();
    expect(await summary.locator('.doc-name').textContent()).toMatch(
      /^2017年东兴市脱贫攻坚工作大检查-全市-汇总表-.*\.xlsx$/,
    );

    const [download] = await Promise.all([page.waitForEvent('download'), summary.click()]);
    expect(download.suggestedFilename()).toMatch(/全市-汇总表.*\.xlsx$/);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(bytes.length).toBeGreaterThan(1000);
  }, 60_000);

  it('moving the demo clock to the morning of a deadline brings the reminder', async () => {
    requireChromium();
    await choosePersona(leader.name);
    const reminders = () => botMessages().filter({ hasText: '【提醒】报送检查报告' }).count();
    const before = await reminders();
    await choosePersona(office.name);

    await page.locator('#clock-button').click();
    await page.locator('#clock-input').fill('2017-11-04T08:30');
    await page.locator('#clock-set').click();
    await settled();
    await expect.poll(() => page.locator('#clock-time').textContent()).toMatch(/^2017-11-04 08:3\d$/);
    await page.keyboard.press('Escape');

    // The leader's chat has news (a badge on the persona picker), and it is the reminder.
    await expect.poll(() => page.locator('#unread-total').isVisible()).toBe(true);
    await choosePersona(leader.name);
    await expect.poll(reminders).toBeGreaterThan(before);
    const reminder = await botMessages().filter({ hasText: '【提醒】报送检查报告' }).last().textContent();
    expect(reminder).toContain('今天截止');
    // Only the signature closes it: the button says "seen", not "submitted".
    expect(await lastButtons()).toContain('👌 收到,正在办理');

    await mkdir(join(REPO, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(output).not.toContain('[page error]');
  }, 60_000);
});
