// A submitted household survey as the store holds one, for tests and the bench that need many:
// the ids, the place and the times are given, the answers come from a scripted interview.

import type { Campaign } from '../../domain/campaign';
import { formById } from '../../domain/forms';
import type { Answers, SurveyState } from '../../domain/forms/types';
import type { Survey } from '../../domain/model';

export interface SubmittedHousehold {
  id: string;
  campaign: Pick<Campaign, 'id'>;
  place: { townId: string; villageId: string; groupId?: string };
  householdId: string;
  inspectorId: string;
  answers: Answers;
  confirmations?: SurveyState['confirmations'];
  submittedAt?: string;
  extra?: Partial<Survey>;
}

export function submittedHousehold(h: SubmittedHousehold): Survey {
  const form = formById('household');
  if (!form) throw new Error('household form missing');
  return {
    id: h.id,
    campaignId: h.campaign.id,
    kind: 'household',
    formId: form.id,
    formVersion: form.version,
    townId: h.place.townId,
    villageId: h.place.villageId,
    householdId: h.householdId,
    ...(h.place.groupId ? { groupId: h.place.groupId } : {}),
    inspectorId: h.inspectorId,
    status: 'submitted',
    answers: h.answers,
    confirmations: h.confirmations ?? {},
    flags: [],
    history: [],
    submittedAt: h.submittedAt ?? '2017-11-01T08:00:00.000Z',
    version: 1,
    createdAt: '2017-10-31T01:00:00.000Z',
    updatedAt: '2017-11-01T08:00:00.000Z',
    ...h.extra,
  };
}
