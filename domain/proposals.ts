// The problems a submitted survey proposes (DOMAIN.md §9), as pure rules: which answers propose
// which problem, in what words, under which stable key; and the ids derived from that key. No I/O.
//
// The key is what makes a problem exist once whatever path it comes by (a chat submit, a resubmit
// after the leader's return, a retried update, a paper import run twice): the stored proposal and
// the problem confirmed from it take ids derived from (campaign, key), and both are written
// create-once. A key is (survey, kind, subject), with one exception: a person suspected of 漏评 is
// keyed by village + name alone, because the same family named by several neighbours, or judged in
// its own survey and named by a neighbour, is one suspect — exactly as 表4 counts 疑似漏评户数
// (missedSubjects below is the one definition both use).

import { createHash } from 'node:crypto';
import { type Campaign, villageById } from './campaign';
import type { AnswerValue } from './forms/types';
import type { ProblemProposal, Survey } from './model';

// ---------------------------------------------------------------------------------------------
// Names

/** Invisible characters people paste along with a name (zero-width space, joiners, BOM). */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/gu;

/**
 * A name as it is shown once cleaned: full-width forms folded (NFKC), every space removed, ASCII
 * and full-width ("陈　海军" is 陈海军, one person), and invisible characters dropped.
 */
export function cleanName(name: string): string {
  return name.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/gu, '');
}

/** Names compared as people write them: cleaned, and Latin letters in one case. */
export function normalizeName(name: string): string {
  return cleanName(name).toLowerCase();
}

const asStrings = (v: AnswerValue | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : typeof v === 'string' ? [v] : [String(v)];

// ---------------------------------------------------------------------------------------------
// Keys and ids

/** The subject key of one person suspected of 漏评 in a village. */
const missedKey = (villageId: string, normalized: string) => `missed|${villageId}|${normalized}`;

export interface MissedSubject {
  /** The proposal key, and 表4's dedup key. */
  key: string;
  /** The name as shown (cleaned); absent for a judged household whose survey names nobody. */
  name?: string;
  /** 'household': the surveyed household itself was judged 漏评; 'named': reported by it. */
  kind: 'household' | 'named';
}

/**
 * The people a household survey makes 漏评 suspects of (DOMAIN.md §8 疑似漏评户数, §9): the
 * non-poor household itself when judged 漏评, and each name it reported that the inspector verified
 * on site. Deduplicated within the survey; across surveys the keys do it (village + name).
 */
export function missedSubjects(
  survey: Pick<Survey, 'id' | 'kind' | 'villageId' | 'answers'>,
): MissedSubject[] {
  if (survey.kind !== 'household') return [];
  const a = survey.answers;
  const village = survey.villageId ?? '';
  const out = new Map<string, MissedSubject>();
  if (a.h1_type === 'non_poor' && a.h5_missed === 'yes') {
    const name = cleanName(asStrings(a.h1_name)[0] ?? '');
    // A judged household without a name still counts once: keyed by its survey.
    const key = name ? missedKey(village, name.toLowerCase()) : `${survey.id}|missed_household|household`;
    out.set(key, { key, ...(name ? { name } : {}), kind: 'household' });
  }
  if (a.h4_unlisted_verified === 'yes') {
    for (const raw of asStrings(a.h4_unlisted_names)) {
      const name = cleanName(raw);
      if (name === '') continue;
      const key = missedKey(village, name.toLowerCase());
      if (!out.has(key)) out.set(key, { key, name, kind: 'named' });
    }
  }
  return [...out.values()];
}

function hashOf(campaignId: string, key: string): string {
  return createHash('sha256').update(`${campaignId}\u0000${key}`).digest('base64url').slice(0, 20);
}

/**
 * A short tag of a proposal's wording, carried by its 确认记录 / 不记录 buttons: a re-import or a
 * resubmit may reword a pending proposal after its message was shown, and a tap records only the
 * wording it was shown with (base64url: no ':').
 */
export function wordingTag(description: string): string {
  return createHash('sha256').update(description).digest('base64url').slice(0, 8);
}

/** A tag of a queue of proposals (ids and wordings, in any order): what 全部确认 counted. */
export function queueTag(proposals: readonly { id: string; description: string }[]): string {
  const lines = proposals.map((p) => `${p.id}\u0000${p.description}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('base64url').slice(0, 12);
}

/** The stored proposal's id: short, and safe in a key and a 64-byte button (no '#', no ':'). */
export function proposalIdFor(campaignId: string, key: string): string {
  return `pr-${hashOf(campaignId, key)}`;
}

/** The id of the problem confirmed from a proposal: the same for every confirmation of it. */
export function problemIdFor(campaignId: string, key: string): string {
  return `pb-${hashOf(campaignId, key)}`;
}

// ---------------------------------------------------------------------------------------------
// The rules

/** Free text as the end of a sentence: trimmed, one 。 at the end. */
function sentence(text: AnswerValue | undefined): string {
  const t = asStrings(text)
    .join('、')
    .trim()
    .replace(/[。.;；,，、\s]+$/u, '');
  return t === '' ? '' : `${t}。`;
}

/** "<head><lead>:<details>。" when there are details, else "<head>。". */
const withDetails = (head: string, details: AnswerValue | undefined, lead = '') => {
  const d = sentence(details);
  return d ? `${head}${lead}:${d}` : `${head}。`;
};

/**
 * What a submitted survey proposes, in a stable order (household: 错退, then 漏评 of the household,
 * then each reported name; village: 漏评, 返贫, 政策, 资料). Pure: the same survey always proposes
 * the same keys, so proposing again finds what is already stored.
 */
export function proposalsFor(campaign: Campaign, survey: Survey): ProblemProposal[] {
  const village = survey.villageId ? (villageById(campaign, survey.villageId)?.name ?? '') : '';
  const base = {
    townId: survey.townId,
    ...(survey.villageId ? { villageId: survey.villageId } : {}),
    sourceSurveyId: survey.id,
  };
  const a = survey.answers;
  const out: ProblemProposal[] = [];
  if (survey.kind === 'household') {
    const household = survey.householdId ? { householdId: survey.householdId } : {};
    const name = cleanName(asStrings(a.h1_name)[0] ?? '');
    if (a.h5_failure_kind === 'wrongful') {
      out.push({
        ...base,
        ...household,
        key: `${survey.id}|wrongful_exit|household`,
        kind: 'wrongful_exit',
        category: 'exit_wrongful',
        suspect: 'wrongful_exit',
        description: `${village}${name}户经入户核查未达到脱贫标准,疑似错退。`,
      });
    }
    for (const s of missedSubjects(survey)) {
      out.push(
        s.kind === 'household'
          ? {
              ...base,
              ...household,
              key: s.key,
              kind: 'missed_household',
              category: 'identification_missed',
              suspect: 'missed',
              description: `${village}${name}户经入户核查疑似漏评。`,
            }
          : {
              ...base,
              key: s.key,
              kind: 'missed_named',
              category: 'identification_missed',
              suspect: 'missed',
              description: `${village}群众反映${s.name}户生活困难但未纳入贫困户,经现场核查疑似漏评。`,
            },
      );
    }
    return out;
  }
  if (survey.kind !== 'village') return out;
  const keyOf = (kind: string) => `${survey.id}|${kind}|village`;
  if (a.v5_unlisted === 'has') {
    out.push({
      ...base,
      key: keyOf('village_unlisted'),
      kind: 'village_unlisted',
      category: 'identification_missed',
      description: withDetails(`${village}有符合条件但未纳入贫困户的群众`, a.v5_unlisted_findings, ',经核查'),
    });
  }
  if (a.v3_relapse === 'has') {
    // Filed under 错退 in 表3 (the seed has no 返贫 section), marked 返贫 and counted beside 错退.
    out.push({
      ...base,
      key: keyOf('village_relapse'),
      kind: 'village_relapse',
      category: 'exit_wrongful',
      suspect: 'relapse',
      description: withDetails(`【返贫】${village}贫困户脱贫后有返贫现象`, a.v3_relapse_details),
    });
  }
  if (a.v3_policy_continued === 'not_enjoy') {
    out.push({
      ...base,
      key: keyOf('village_policy'),
      kind: 'village_policy',
      category: 'assistance_policy',
      description: withDetails(`${village}贫困户脱贫后未继续享受扶贫政策`, a.v3_policy_details),
    });
  }
  const mismatch = sentence(a.v5_data_inconsistency).replace(/。$/u, '');
  const records = [
    ...(a.v5_data_consistent === 'no'
      ? [
          `贫困户实际信息数据与帮扶手册、全国扶贫开发信息系统不一致${mismatch ? `,主要表现在${mismatch}` : ''}`,
        ]
      : []),
    ...(a.v5_ledger === 'no' ? ['未建立问题整改台账'] : []),
    ...(a.v5_responsible === 'no' ? ['未落实整改责任人'] : []),
    ...(a.v5_measures === 'no' ? ['未对照问题制定整改措施'] : []),
  ];
  if (records.length > 0) {
    out.push({
      ...base,
      key: keyOf('village_records'),
      kind: 'village_records',
      category: 'other',
      description: `${village}资料、档案方面:${records.join(';')}。`,
    });
  }
  return out;
}

/**
 * `next` (being submitted or corrected) with the proposal keys its answers raise, and those
 * `previous` (the survey as stored before) raised and `next` no longer does. A survey never
 * submitted raised nothing; one stored before the keys were kept raised what its answers do.
 */
export function withProposalKeys(campaign: Campaign, next: Survey, previous?: Survey): Survey {
  const keys = proposalsFor(campaign, next).map((p) => p.key);
  const was =
    previous === undefined || previous.status === 'draft'
      ? []
      : (previous.proposalKeys ?? proposalsFor(campaign, previous).map((p) => p.key));
  const dropped = was.filter((k) => !keys.includes(k));
  const { droppedProposalKeys: _dropped, ...rest } = next;
  return { ...rest, proposalKeys: keys, ...(dropped.length > 0 ? { droppedProposalKeys: dropped } : {}) };
}
