// What a group or a town sees of its villages: list uploaded?, sample drawn?, how far the surveys are.

import { type Campaign, townById, villageById } from '../domain/campaign';
import type { StratumId } from '../domain/forms/types';
import { contactTownsOf, groupsOf } from '../domain/grants';
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

/**
 * The towns a person works in, first grant first: the towns their groups check, then the towns
 * they are the contact of. The office has none of its own (it picks a town).
 */
export function homeTownsOf(person: Person, campaign: Campaign): string[] {
  const fromGroups = groupsOf(person).flatMap((id) => {
    const town = campaign.groups.find((g) => g.id === id)?.townId;
    return town ? [town] : [];
  });
  return [...new Set([...fromGroups, ...contactTownsOf(person)])];
}

/** The one town a person works in, when there is exactly one. */
export function homeTownOf(person: Person, campaign: Campaign): string | undefined {
  const towns = homeTownsOf(person, campaign);
  return towns.length === 1 ? towns[0] : undefined;
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
  // The samples (one item per village) and the town's village aggregates (one query of small
  // items): the same reads whether the town has 100 or 10,000 submitted surveys.
  const [samples, aggregates] = await Promise.all([
    Promise.all((town?.villages ?? []).map((v) => deps.store.getSample(campaign.id, v.id))),
    deps.store.villageCountsOfTown(campaign.id, townId),
  ]);
  const households = new Map(aggregates.map((a) => [a.villageId, a.households]));
  return (town?.villages ?? []).map((v, i) => {
    const sample = samples[i];
    return {
      villageId: v.id,
      name: v.name,
      sampled: sample ? sample.picks.filter((p) => p.status !== 'replaced').length : 0,
      submitted: households.get(v.id) ?? 0,
      drawn: Boolean(sample),
    };
  });
}

export interface VillageDetail {
  villageId: string;
  name: string;
  townId: string;
  list?: {
    count: number;
    byStratum: Partial<Record<StratumId, number>>;
    fileName: string;
    fingerprint: string;
  };
  sample?: Sample;
  /** Survey status per sampled household id (absent = not started). */
  statuses: Record<string, SurveyStatus>;
  /** Households whose unfinished survey went back to the group (its inspector lost the grant). */
  released: string[];
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
  // The list's info and the sample are one item: one read, and never the households themselves.
  const [{ list, sample }, indexed] = await Promise.all([
    deps.store.getVillageState(campaign.id, villageId),
    may.draw ? deps.store.surveysOfVillage(campaign.id, town?.id ?? '', villageId) : Promise.resolve([]),
  ]);
  // The index of a village's surveys can trail a submit by a moment: a survey it still shows in
  // progress or returned is read from the table itself (a few at most), so the screen never offers
  // 继续填写 on a survey just submitted.
  const surveys = await Promise.all(
    indexed.map(async (s) => (s.status === 'submitted' ? s : ((await deps.store.getSurvey(s.id)) ?? s))),
  );
  const statuses: Record<string, SurveyStatus> = {};
  const released: string[] = [];
  for (const s of surveys) {
    if (!s.householdId) continue;
    statuses[s.householdId] = s.status;
    if (s.released) released.push(s.householdId);
  }
  const villageSurveyId = surveyIdFor(campaign.id, { kind: 'village', villageId });
  const villageSurvey = surveys.find((s) => s.id === villageSurveyId)?.status;
  return {
    villageId,
    name: village?.name ?? villageId,
    townId: town?.id ?? '',
    ...(list
      ? {
          list: {
            count: list.count,
            byStratum: list.byStratum,
            fileName: list.fileName,
            fingerprint: list.fingerprint,
          },
        }
      : {}),
    ...(sample && may.draw ? { sample } : {}),
    statuses,
    released,
    ...(villageSurvey ? { villageSurvey } : {}),
    may,
  };
}
