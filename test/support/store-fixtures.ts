// Builders of stored aggregates for the store contract. Every id carries a fresh suffix so the
// tests of one engine can share a table without seeing each other's items.

import { randomUUID } from 'node:crypto';
import type {
  AuditEvent,
  Draft,
  HouseholdList,
  Invite,
  Person,
  Problem,
  Proposal,
  Sample,
  SummarySnapshot,
  Survey,
} from '../../domain/model';

export const uid = (prefix = 'x') => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`;

export const T0 = '2017-10-23T01:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** A campaign-level scope for one test: its own campaign, town, village and group ids. */
export function scope() {
  return { campaignId: uid('c'), townId: uid('t'), villageId: uid('v'), groupId: uid('g') };
}

export function person(overrides: Partial<Person> = {}): Person {
  return {
    id: String(100_000 + Math.floor(Math.random() * 900_000_000)),
    grants: [{ role: 'inspector', groupId: 'g1' }],
    chatId: 4242,
    displayName: '小黄',
    lastUpdateId: 0,
    session: {},
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function draft(overrides: Partial<Draft> = {}): Draft {
  return {
    surveyId: uid('s'),
    kind: 'household',
    formId: 'household',
    formVersion: 1,
    version: 1,
    baseRev: 0,
    answers: {},
    confirmations: {},
    cursor: 'h1_name',
    history: [],
    context: {
      townId: 'dongxing',
      villageId: 'datian',
      householdId: '4506810001',
      stratum: 'exited_2016',
      prefill: { h1_name: '黄志明', h1_stratum: 'exited_2016' },
    },
    ...overrides,
  };
}

export function invite(overrides: Partial<Invite> = {}): Invite {
  const code = overrides.code ?? uid('inv');
  return {
    code,
    id: `id-${code}`,
    role: 'inspector',
    groupId: 'g1',
    createdBy: '1001',
    createdAt: T0,
    expiresAt: at(60 * 24 * 7),
    ...overrides,
  };
}

export function householdList(where: { campaignId: string; villageId: string }): HouseholdList {
  return {
    ...where,
    households: [
      { id: '4506810001', name: '黄志明', stratum: 'exited_2014_2015', population: 4, team: '大田组' },
      { id: '4506810002', name: '李秀英', stratum: 'exited_2016' },
      { id: '4506810003', name: '陈国强', stratum: 'planned_2017', note: '户主外出务工' },
    ],
    count: 3,
    byStratum: { exited_2014_2015: 1, exited_2016: 1, planned_2017: 1 },
    fingerprint: `sha256:${uid('fp')}`,
    uploadedBy: '2001',
    uploadedAt: T0,
    fileName: '大田村.xlsx',
  };
}

/** A drawn sample; `fingerprint` must be the village's list in force for putSample to take it. */
export function sample(where: { campaignId: string; villageId: string }, fingerprint = 'sha256:abc'): Sample {
  return {
    ...where,
    seed: 'seed-1',
    fingerprint,
    drawnBy: '1001',
    drawnAt: T0,
    picks: [
      { householdId: '4506810001', name: '黄志明', stratum: 'exited_2014_2015', status: 'selected' },
      { householdId: '4506810003', name: '陈国强', stratum: 'planned_2017', status: 'selected' },
    ],
    shortfalls: [{ stratum: 'non_poor', quota: 1, available: 0 }],
    version: 1,
  };
}

export function survey(overrides: Partial<Survey> & Pick<Survey, 'campaignId' | 'townId'>): Survey {
  return {
    id: uid('s'),
    kind: 'household',
    formId: 'household',
    formVersion: 1,
    villageId: 'v1',
    householdId: '4506810001',
    groupId: 'g1',
    inspectorId: '1001',
    status: 'draft',
    answers: { h1_name: '黄志明', h2_income: 4200.5, h3_measures: ['industry', 'education'] },
    confirmations: { h2_income: { check: 'income_low', value: 4200.5, reason: '外出务工收入未计入' } },
    flags: [],
    history: [{ at: T0, by: '1001', questionId: 'h2_income', new: 4200.5 }],
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function problem(overrides: Partial<Problem> & Pick<Problem, 'campaignId' | 'townId'>): Problem {
  return {
    id: uid('p'),
    category: 'exit_wrongful',
    description: '脱贫户人均纯收入低于标准',
    reporterId: '1001',
    createdAt: T0,
    deadline: '2017-11-10T10:00:00.000Z',
    status: 'open',
    version: 1,
    ...overrides,
  };
}

export function proposal(overrides: Partial<Proposal> & Pick<Proposal, 'campaignId' | 'townId'>): Proposal {
  const sourceSurveyId = overrides.sourceSurveyId ?? uid('s');
  return {
    id: uid('pr-'),
    key: `${sourceSurveyId}|wrongful_exit|household`,
    kind: 'wrongful_exit',
    category: 'exit_wrongful',
    suspect: 'wrongful_exit',
    villageId: 'v1',
    householdId: '4506810001',
    description: '大田村黄志明户经入户核查未达到脱贫标准,疑似错退。',
    sourceSurveyId,
    origin: 'paper',
    proposedBy: 'cli-office',
    proposedAt: T0,
    status: 'pending',
    version: 1,
    ...overrides,
  };
}

export function snapshot(
  overrides: Partial<SummarySnapshot> & Pick<SummarySnapshot, 'campaignId'>,
): SummarySnapshot {
  return {
    scope: 'city',
    builtAt: T0,
    builtBy: 'scheduler',
    data: { rows: [{ town: '东兴镇', surveyed: 10, problems: 2 }], note: null },
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: T0,
    actorId: '1001',
    action: 'survey.submit',
    subject: `survey:${uid('s')}`,
    details: { version: 3, flagged: true, villageId: 'v1' },
    ...overrides,
  };
}
