// The per-tap budget (ARCHITECTURE.md, issue 18): every update inside an open survey — a button
// answer, a typed answer, 上一题, a soft check's reason and 确认无误, the location, a photo, an
// edit from the review — makes at most one DynamoDB read and one write, counted through the real
// webhook on both engines. Opening a survey (for the first time, or again from the village screen)
// makes at most 2 reads and 3 writes. Submitting makes 2 reads and 4 writes: the survey, the
// village's aggregate and its counts item, and the person (the pick was marked started when the
// survey opened; that it was surveyed is read from the survey). Issue 18's 3 writes would need the
// aggregate and its counts in one item, or the counts written after the tap; see README.
// Each write inside the household survey costs one write unit: the person item, draft included,
// stays under 1 KB to the end of the survey (its session is packed with the forms' dictionary,
// store/packed.ts). The village survey of a 贫困村 (53 questions, a multi-choice among them, ten
// typed sentences) is walked the same way: within 1 read and 1 write a tap, at most 2 write units.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surveyIdFor } from '../../app/surveys';
import { choicesOf } from '../../domain/engine';
import { villageForm } from '../../domain/forms/village';
import { type CallRecorder, recordCalls } from '../support/call-recorder';
import { ChatUser } from '../support/chat-user';
import { ENGINES, type Engine, startEngine } from '../support/engines';
import { giveEvidence, isEvidenceStep } from '../support/evidence';
import {
  answerUntilStop,
  answerWhile,
  currentQuestion,
  give,
  typicalHousehold,
  typicalVillageFigures,
} from '../support/survey-driver';
import { type System, seedPerson, seedSample, startSystem } from '../support/system';
import { updateKindOf } from '../support/update-kind';

const READS = new Set(['GetItem', 'Query', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

interface Tap {
  what: string;
  reads: number;
  writes: number;
  /** Write units, as the engine reports them (table and indexes). */
  wcu: number;
}

describe.each(ENGINES)('the per-tap budget on %s', (engineName) => {
  let engine: Engine;
  let sys: System;
  let recorder: CallRecorder;
  const taps: Tap[] = [];
  let measuring = false;
  let inspector: ChatUser;

  beforeAll(async () => {
    engine = await startEngine(engineName, 'taps');
    sys = await startSystem({ engine });
    recorder = recordCalls(sys.client, { consumedCapacity: 'INDEXES' });
    await seedPerson(sys.store, { id: 9_900_001, roles: ['inspector'], groupId: 'g2', name: '阿明' });
    await seedSample(sys.store, 'jiaodong', [{ householdId: 'T1', name: '黄秀英', stratum: 'exited_2016' }]);
    const webhook = async (event: APIGatewayProxyEventV2) => {
      const before = recorder.calls.length;
      const out = await sys.webhook(event);
      if (measuring) {
        const calls = recorder.calls.slice(before);
        const writes = calls.filter((c) => WRITES.has(c.operation));
        taps.push({
          what: updateKindOf(event),
          reads: calls.filter((c) => READS.has(c.operation)).length,
          writes: writes.length,
          wcu: writes.reduce((n, c) => n + (c.capacity ?? Number.NaN), 0),
        });
      }
      return out;
    };
    inspector = new ChatUser(sys.api, webhook, sys.secret, 9_900_001, '阿明');
    await inspector.send('/start');
  }, 60_000);

  afterAll(async () => {
    recorder?.detach();
    await sys?.stop();
    await engine?.stop();
  });

  it('every update inside a household survey reads at most once and writes at most once, one write unit', async () => {
    measuring = true;
    await inspector.pressData('hs:jiaodong:0');
    const opening = taps.splice(0);
    expect(opening).toMatchObject([{ what: 'button hs', reads: 2, writes: 3 }]);
    await answerWhile(inspector, { h1_name: '黄秀英', h1_type: '2016年脱贫户', h1_pop_actual: '4' });
    await inspector.press('⬅️ 上一题');
    await answerUntilStop(
      inspector,
      {
        h1_name: '黄秀英',
        h1_type: '2016年脱贫户',
        ...typicalHousehold,
        h5_meets_standard: '否',
        h5_failure_kind: '错退',
      },
      undefined,
      'stop',
    );
    for (let i = 0; i < 8 && !inspector.lastText().includes('📋 回顾'); i++) {
      const text = inspector.lastText();
      if (text.includes('请用一句话写明理由')) await inspector.send('家庭收入测算不实');
      else if (text.includes('⚠️')) await inspector.press('✅ 确认无误');
      else await giveEvidence(inspector);
    }
    expect(inspector.lastText()).toContain('📋 回顾');
    await inspector.press('✏️ 修改');
    await inspector.press('三、帮扶联系');
    await inspector.press(/^帮扶干部姓名/);
    await inspector.send('李志强');
    expect(inspector.lastText()).toContain('帮扶干部姓名:李志强');
    // Paused and continued from the village screen: the survey is opened by its id.
    await inspector.press('⏸ 暂停');
    await inspector.pressData('h:jiaodong:0');
    const inside = taps.splice(0);
    await inspector.press('▶️ 继续填写');
    const reopening = taps.splice(0);
    expect(reopening).toMatchObject([{ what: 'button op', reads: 2, writes: 1 }]);
    await inspector.press('✅ 提交');
    const submitting = taps.splice(0);
    measuring = false;
    expect(inspector.messages().some((m) => m.text.startsWith('✅ 已提交'))).toBe(true);
    // 2 reads and 4 writes, plus the one problem this survey proposes (错退): storing the
    // proposal is a write, and whether that problem was reported by hand already a read.
    expect(submitting).toMatchObject([{ what: 'button sb', reads: 2 + 1, writes: 4 + 1 }]);
    taps.push(...inside.filter((t) => t.what !== 'button ps' && t.what !== 'button h'));

    const kinds = new Set(taps.map((t) => t.what.split(' ')[0]));
    // The walk met every kind of tap the budget covers.
    expect([...kinds].sort()).toEqual(['button', 'location', 'photo', 'typed']);
    expect(taps.some((t) => t.what === 'button bk')).toBe(true);
    expect(taps.some((t) => t.what === 'button nil')).toBe(true);
    expect(taps.length).toBeGreaterThan(40);
    const over = taps.filter((t) => t.reads > 1 || t.writes > 1);
    expect(over).toEqual([]);
    // One write unit each (NaN if the engine reported none: that fails too).
    const costly = taps.filter((t) => !(t.wcu <= 1));
    expect(costly).toEqual([]);
  });

  /** A typed or pressed answer a village inspector would give to `id`, by its kind. */
  const villageAnswer = (id: string): string => {
    const fixed: Record<string, string> = { v1_type: '未退出贫困村', ...typicalVillageFigures };
    if (fixed[id]) return fixed[id];
    const q = villageForm.questions.find((x) => x.id === id);
    if (!q) throw new Error(`no question ${id}`);
    if (q.type === 'pct') return '96';
    if (q.type === 'decimal') return '4.5';
    if (q.type === 'int') return '2';
    if (q.type === 'text') return '经现场核实,情况属实';
    return choicesOf(q)[0]?.label ?? '';
  };

  it('every update inside a 贫困村 village survey, multi-choice toggles included, reads at most once and writes at most once', async () => {
    taps.splice(0);
    measuring = true;
    await inspector.pressData('vs:banai');
    const opening = taps.splice(0);
    expect(opening).toMatchObject([{ what: 'button vs', reads: 2 }]);
    expect(opening[0]!.writes).toBeLessThanOrEqual(3);
    let toggled = 0;
    let backed = false;
    for (let step = 0; step < 150 && !inspector.lastText().includes('📋 回顾'); step++) {
      const m = inspector.lastMessage();
      if (isEvidenceStep(m)) {
        await giveEvidence(inspector);
        continue;
      }
      if (m.text.includes('请用一句话写明理由')) {
        await inspector.send('按村台账核实');
        continue;
      }
      if (m.text.includes('⚠️')) {
        await inspector.press('✅ 确认无误');
        continue;
      }
      const id = currentQuestion(inspector, villageForm);
      if (id === 'v1_poor_population' && !backed) {
        // Back to the population just given, and it is given again.
        backed = true;
        await inspector.press('⬅️ 上一题');
        continue;
      }
      const q = villageForm.questions.find((x) => x.id === id)!;
      if (q.type === 'multi') {
        // Three toggles (one taken back) and 选好了: each toggle carries the selection in its button.
        for (const label of ['办公场所', '卫生室', '办公场所', '宣传栏']) {
          await inspector.press(new RegExp(`^[☐☑] ${label}$`));
          toggled++;
        }
        await inspector.press('✅ 选好了');
        continue;
      }
      await give(inspector, villageAnswer(id));
    }
    expect(inspector.lastText()).toContain('📋 回顾');
    const inside = taps.splice(0);
    await inspector.press('✅ 提交');
    const submitting = taps.splice(0);
    measuring = false;
    expect(inspector.messages().some((m) => m.text.startsWith('✅ 已提交'))).toBe(true);
    expect(submitting[0]?.what).toBe('button sb');
    const stored = await sys.store.getSurvey(
      surveyIdFor(sys.campaign.id, { kind: 'village', villageId: 'banai' }),
    );
    expect(stored?.answers.v2_public_services).toEqual(['board', 'clinic']);

    expect(toggled).toBe(4);
    expect(inside.filter((t) => t.what === 'button mt')).toHaveLength(4);
    expect(inside.some((t) => t.what === 'button md')).toBe(true);
    expect(inside.some((t) => t.what === 'button bk')).toBe(true);
    expect(inside.length).toBeGreaterThan(50);
    const over = inside.filter((t) => t.reads > 1 || t.writes > 1);
    expect(over).toEqual([]);
    // A toggle writes nothing (its button carries the selection); its one read is the person's.
    expect(inside.filter((t) => t.what === 'button mt' && t.writes > 0)).toEqual([]);
    // Issue 18's bound for the seed forms: at most two write units a tap. A village draft of 53
    // answers, ten of them typed sentences, passes 1 KB towards its end (the household's does not).
    const costly = inside.filter((t) => t.writes > 0 && !(t.wcu <= 2));
    expect(costly).toEqual([]);
  });
});
