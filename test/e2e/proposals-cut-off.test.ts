// What a submitted survey proposes is stored by the submit itself, before the draft closes: a
// submit whose proposals could not be stored (the table refusing after its retries) leaves the
// draft open, and 提交 again stores and shows them, each once. Before, the bot stored them after
// the draft had closed, and an offer that failed then was never made again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/messaging';
import { surveyIdFor } from '../../app/surveys';
import { t } from '../../bot/messages';
import { type Engine, startEngine } from '../support/engines';
import { answerUntilStop, typicalHousehold } from '../support/survey-driver';
import { campaign, type System, seedPerson, seedSample, startSystem } from '../support/system';

const INSPECTOR = 8_300_021;
const HOUSEHOLD = { kind: 'household' as const, villageId: 'jiaodong', householdId: '4506810101' };

describe('proposals of a submit cut off before they were stored', () => {
  let engine: Engine;
  let sys: System;

  beforeAll(async () => {
    engine = await startEngine('dynalite', 'proposals-cut-off');
    sys = await startSystem({ engine, clock: new ManualClock(new Date('2017-10-31T02:00:00.000Z')) });
    await seedSample(sys.store, 'jiaodong', [
      { householdId: '4506810101', name: '黄明', stratum: 'exited_2016' },
    ]);
    await seedPerson(sys.store, { id: INSPECTOR, roles: ['inspector'], groupId: 'g2' });
  }, 60_000);

  afterAll(async () => {
    await sys?.stop();
    await engine?.stop();
  });

  it('leave the draft open; 提交 again stores and shows them once', async () => {
    const inspector = sys.user(INSPECTOR, '阿明');
    await inspector.send('/start');
    await inspector.pressData('hs:jiaodong:0');
    await answerUntilStop(inspector, {
      ...typicalHousehold,
      h1_name: '黄明',
      h1_type: '2016年脱贫户',
      h5_meets_standard: '否',
      h5_failure_kind: '错退',
      h4_unlisted_hardship: '是',
      h4_unlisted_names: '覃二',
      h4_unlisted_verified: '是',
    });
    expect(inspector.lastText()).toContain('📋 回顾');

    // The table refuses the proposals' writes (after the SDK's own retries).
    const putProposal = sys.store.putProposal.bind(sys.store);
    sys.store.putProposal = async () => {
      throw Object.assign(new Error('Throughput exceeds the current capacity'), {
        name: 'ProvisionedThroughputExceededException',
      });
    };
    let since = inspector.messages().length;
    await inspector.press('✅ 提交');
    sys.store.putProposal = putProposal;
    expect(inspector.textsSince(since)).toContain(t.failed);
    // The survey is locked and counted; the draft is still open, so 提交 can finish the rest.
    expect((await sys.store.getSurvey(surveyIdFor(campaign.id, HOUSEHOLD)))?.status).toBe('submitted');
    expect((await sys.store.getPerson(String(INSPECTOR)))?.session.draft).toBeDefined();
    expect(await sys.store.proposalsOf(campaign.id, 'pending')).toEqual([]);

    since = inspector.messages().length;
    await inspector.press('✅ 提交');
    const proposals = inspector
      .messages()
      .slice(since)
      .filter((m) => m.buttons.flat().some((b) => b.text === '✅ 确认记录'));
    expect(proposals.map((m) => m.text.split('\n')[1])).toEqual([
      '【三、精准脱贫(错退方面)】交东村黄明户经入户核查未达到脱贫标准,疑似错退。',
      '【一、精准识别(漏评方面)】交东村群众反映覃二户生活困难但未纳入贫困户,经现场核查疑似漏评。',
    ]);
    expect((await sys.store.proposalsOf(campaign.id, 'pending')).length).toBe(2);
    expect((await sys.store.getPerson(String(INSPECTOR)))?.session.draft).toBeUndefined();
  });
});
