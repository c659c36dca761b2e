// The village screen (app/villages.ts villageDetail) shows each household's survey as the table
// holds it: the index it lists the village's surveys from can trail a submit by a moment, and a
// survey just submitted must not be offered as still in progress (继续填写).

import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { systemClock } from '../../app/messaging';
import { villageDetail } from '../../app/villages';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import type { Person, Survey } from '../../domain/model';
import { submittedHousehold } from '../support/submitted-surveys';

const campaign = parseCampaign(seed);
const at = '2017-11-01T08:00:00.000Z';
const inspector: Person = {
  id: '6002',
  grants: [{ role: 'inspector', groupId: 'g2' }],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
};

/** The in-memory store, with an index that has not yet seen the submits of `behind`. */
class LaggingIndex extends MemoryStore {
  constructor(readonly behind: ReadonlySet<string>) {
    super();
  }
  override async surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: Survey['status'],
  ): Promise<Survey[]> {
    const listed = await super.surveysOfVillage(campaignId, townId, villageId, status);
    return listed.map((s) => (this.behind.has(s.id) ? { ...s, status: 'draft' } : s));
  }
}

const household = (id: string, householdId: string) =>
  submittedHousehold({
    id,
    campaign,
    place: { townId: 'jiangping', villageId: 'jiaodong', groupId: 'g2' },
    householdId,
    inspectorId: inspector.id,
    answers: {},
    submittedAt: at,
  });

describe('the village screen right after a submit', () => {
  it('shows the household surveyed although the index still lists its survey in progress', async () => {
    const store = new LaggingIndex(new Set(['hh-1']));
    await store.createSurvey(household('hh-1', '450681010'));
    await store.createSurvey(household('hh-2', '450681011'));
    await store.createSurvey({ ...household('hh-3', '450681012'), status: 'draft' });
    const detail = await villageDetail({ store, clock: systemClock }, inspector, campaign, 'jiaodong');
    expect(detail.statuses).toEqual({
      '450681010': 'submitted',
      '450681011': 'submitted',
      '450681012': 'draft',
    });
  });
});
