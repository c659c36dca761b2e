// What a group or a town sees of its villages: list uploaded?, sample drawn?, how far the surveys are.

import { type Campaign, townById, villageById } from '../domain/campaign';
import type { StratumId } from '../domain/forms/types';
import type { Person, Sample, SurveyStatus } from '../domain/model';
import { assertCan, can, inGroupOfTown, isContactOfTown, isOffice } from './authz';
import type { Clock } from './messaging';
import type { Store } from './ports';
import { surveyIdFor } from './surveys';

export interface VillageDeps {
  store: Store;
  clock: Clock;
}

export interface VillageProgress {
  villageId: string;
  name: string;
  /** Households in the sample that are not replaced. */
  sampled: number;
  submitted: number;
  drawn: boolean;
}

/** The town a person works in: the group's town, or a contact's own town; the office picks one. */
export function homeTownOf(person: Person, campaign: Campaign): string | undefined {
  const group = campaign.groups.find((g) => g.id === person.groupId);
  return group?.townId ?? person.townId;
}

export async function townProgress(
  deps: VillageDeps,
  actor: Person,
  campaign: Campaign,
  townId: string,
): Promise<VillageProgress[]> {
  const town = townById(campaign, townId);
  const allowed =
    town && (isOffice(actor) || isContactOfTown(actor, townId) || inGroupOfTown(actor, campaign, townId));
  assertCan(Boolean(allowed), 'village.list', actor);
  const [samples, submitted] = await Promise.all([
    Promise.all((town?.villages ?? []).map((v) => deps.store.getSample(campaign.id, v.id))),
    deps.store.surveysOfTown(campaign.id, townId, 'submitted'),
  ]);
  return (town?.villages ?? []).map((v, i) => {
    const sample = samples[i];
    return {
      villageId: v.id,
      name: v.name,
      sampled: sample ? sample.picks.filter((p) => p.status !== 'replaced').length : 0,
      submitted: submitted.filter((s) => s.kind === 'household' && s.villageId === v.id).length,
      drawn: Boolean(sample),
    };
  });
}

export interface VillageDetail {
  villageId: string;
  name: string;
  townId: string;
  list?: { count: number; byStratum: Partial<Record<StratumId, number>>; fileName: string };
  sample?: Sample;
  /** Survey status per sampled household id (absent = not started). */
  statuses: Record<string, SurveyStatus>;
  villageSurvey?: SurveyStatus;
  /** What this person may do here. */
  may: { upload: boolean; draw: boolean; survey: boolean };
}

export async function villageDetail(
  deps: VillageDeps,
  actor: Person,
  campaign: Campaign,
  villageId: string,
): Promise<VillageDetail> {
  const village = villageById(campaign, villageId);
  const town = campaign.towns.find((tw) => tw.villages.some((v) => v.id === villageId));
  const may = {
    upload: can.uploadList(actor, campaign, villageId),
    draw: can.drawSample(actor, campaign, villageId),
    survey: can.survey(actor, campaign, villageId),
  };
  assertCan(Boolean(village && town) && (may.upload || may.draw), 'village.read', actor);
  const [list, sample, surveys] = await Promise.all([
    deps.store.getHouseholdList(campaign.id, villageId),
    deps.store.getSample(campaign.id, villageId),
    may.draw ? deps.store.surveysOfVillage(campaign.id, town?.id ?? '', villageId) : Promise.resolve([]),
  ]);
  const byStratum: Partial<Record<StratumId, number>> = {};
  for (const h of list?.households ?? []) byStratum[h.stratum] = (byStratum[h.stratum] ?? 0) + 1;
  const statuses: Record<string, SurveyStatus> = {};
  for (const s of surveys) if (s.householdId) statuses[s.householdId] = s.status;
  const villageSurveyId = surveyIdFor(campaign.id, { kind: 'village', villageId });
  const villageSurvey = surveys.find((s) => s.id === villageSurveyId)?.status;
  return {
    villageId,
    name: village?.name ?? villageId,
    townId: town?.id ?? '',
    ...(list ? { list: { count: list.households.length, byStratum, fileName: list.fileName } } : {}),
    ...(sample && may.draw ? { sample } : {}),
    statuses,
    ...(villageSurvey ? { villageSurvey } : {}),
    may,
  };
}
