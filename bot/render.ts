// Turns use-case results into chat screens: text plus inline keyboard. Callback data stays within
// Telegram's 64 bytes by naming questions and choices by index, and every survey button carries
// the survey's tag and revision so a button from an earlier question or survey never writes.

import type { Button } from '../app/messaging';
import { pendingTag, revOf, type SurveyStep } from '../app/surveys';
import type { Campaign } from '../domain/campaign';
import { formatInstant } from '../domain/dates';
import { choicesOf, formatValue, hintFor, type Review, renderLabel } from '../domain/engine';
import {
  type Evidence,
  type EvidenceFlag,
  evidenceFlags,
  evidenceFlagText,
  needsEvidence,
} from '../domain/evidence';
import type { FormDef, Question } from '../domain/forms/types';
import type { Draft } from '../domain/model';
import { t } from './messages';

/** Cleared answers listed by name in an edit's confirmation; more are counted. */
const EDIT_COST_SHOWN = 12;
/** Characters of a current answer shown on its 保持 button. */
const KEEP_SHOWN = 24;

export interface Screen {
  text: string;
  buttons: Button[][];
  /** The text is HTML (dynamic parts escaped); plain otherwise. */
  html?: boolean;
  /**
   * A keyboard below the input instead of buttons in the message: Telegram's location button
   * (`requestLocation`) exists only there. Mutually exclusive with `buttons`.
   */
  reply?: { text: string; requestLocation?: boolean }[][];
  /** Take a reply keyboard away (after the location was sent or skipped). */
  removeKeyboard?: boolean;
}

/** The reply keyboard's 跳过 (the text it sends is matched by the survey's text handler). */
export const SKIP_LOCATION = t.buttons.skipLocation;

/** The evidence line of a review: "📷 3 张 · 📍 距村 0.8 公里". */
export function evidenceLine(evidence: Evidence | undefined, villageName: string): string {
  const photos = evidence?.photos.length ?? 0;
  const parts = [photos > 0 ? t.evidencePhotos(photos) : t.evidenceNoPhotos(evidence?.photoReason ?? '')];
  const loc = evidence?.location;
  if (loc)
    parts.push(
      loc.distanceKm !== undefined ? t.evidenceDistance(villageName, loc.distanceKm) : t.evidenceLocated,
    );
  else if (evidence?.locationSkipped) parts.push(t.evidenceNoLocation(evidence.locationSkipped.reason));
  return parts.join(' · ');
}

/** A short, stable tag of a survey id (FNV-1a, base 36). */
export function surveyTag(surveyId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < surveyId.length; i++) {
    h ^= surveyId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export const cb = (...parts: (string | number)[]): string => {
  const data = parts.join(':');
  if (Buffer.byteLength(data) > 64) throw new Error(`callback data too long: ${parts[0]}`);
  return data;
};

export const btn = (text: string, ...data: (string | number)[]): Button => ({ text, data: cb(...data) });

export function parseCallback(data: string): { kind: string; args: string[] } {
  const [kind = '', ...args] = data.split(':');
  return { kind, args };
}

/** Who or what a survey is about, for titles ("黄明户(交东村)"). */
export function subjectOf(campaign: Campaign, draft: Pick<Draft, 'kind' | 'context'>): string {
  const village =
    campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === draft.context.villageId)?.name ?? '';
  if (draft.kind === 'office') return t.officeSubject;
  if (draft.kind === 'village') return t.villageSubject(village);
  const name = draft.context.prefill.h1_name;
  return t.householdSubject(typeof name === 'string' ? name : (draft.context.householdId ?? ''), village);
}

function sectionTitle(form: FormDef, q: Question): string {
  return form.sections.find((s) => s.id === q.section)?.title ?? '';
}

function questionIndex(form: FormDef, id: string): number {
  return form.questions.findIndex((q) => q.id === id);
}

/** A prompt that waits for typed text, with a button to leave it (the text would go there). */
export function prompt(text: string): Screen {
  return { text, buttons: [[btn(t.buttons.cancel, 'cn')]] };
}

/** The navigation row every question has. */
export function navRow(tag: string, rev: number): Button[] {
  return [btn(t.buttons.back, 'bk', tag, rev), btn(t.buttons.pause, 'ps')];
}

export function renderStep(campaign: Campaign, step: SurveyStep): Screen {
  const draft = step.draft;
  const tag = surveyTag(draft.surveyId);
  const rev = revOf(draft);
  if (step.kind === 'review') return renderReview(campaign, draft, step.review, tag, rev);
  if (step.kind === 'location') {
    return {
      text: t.askLocation(subjectOf(campaign, draft)),
      buttons: [],
      reply: [[{ text: t.buttons.sendLocation, requestLocation: true }], [{ text: SKIP_LOCATION }]],
    };
  }
  if (step.kind === 'photos') {
    return {
      text: t.askPhotos(subjectOf(campaign, draft), step.have, step.need),
      buttons: [[btn(t.buttons.pause, 'ps')]],
    };
  }
  const q = step.question;
  const qi = questionIndex(step.form, q.id);
  const label = `${q.seedNo === '补' ? '' : `${q.seedNo} `}${renderLabel(q, step.ctx)}`;
  // Which confirmation the buttons are under (app/surveys.ts pendingTag).
  const asked = step.draft.pending ? pendingTag(step.draft.pending) : '-';
  if (step.kind === 'confirm' && step.drops) {
    // An edit that clears answers: how many and which, before anything is changed.
    const labels = step.drops.map((d) => {
      const dq = step.form.questions.find((x) => x.id === d.id);
      return dq ? `${dq.seedNo === '补' ? '' : `${dq.seedNo} `}${renderLabel(dq, step.ctx)}` : d.id;
    });
    const shown = labels.slice(0, EDIT_COST_SHOWN);
    const more = labels.length - shown.length;
    const text = t.editCost(
      formatValue(q, step.draft.pending?.value),
      labels.length,
      `${shown.join('、')}${more > 0 ? t.andMore(more) : ''}`,
    );
    return {
      text: `${subjectOf(campaign, draft)}\n${label}\n\n${text}`,
      buttons: [
        [btn(t.buttons.confirmEdit, 'cf', tag, rev, asked), btn(t.buttons.cancelEdit, 'cx', tag, rev, asked)],
      ],
    };
  }
  if (step.kind === 'confirm') {
    const text = step.needsReason ? t.reasonPrompt(step.message) : t.confirmPrompt(step.message);
    const buttons = step.needsReason
      ? [[btn(t.buttons.reenter, 'cx', tag, rev, asked)]]
      : [[btn(t.buttons.confirm, 'cf', tag, rev, asked), btn(t.buttons.reenter, 'cx', tag, rev, asked)]];
    const refused = step.rejected ? `${t.rejected(step.rejected)}\n\n` : '';
    return { text: `${refused}${subjectOf(campaign, draft)}\n${label}\n\n${text}`, buttons };
  }
  const current = draft.answers[q.id];
  const lines = [
    `${escapeHtml(subjectOf(campaign, draft))} · ${escapeHtml(sectionTitle(step.form, q))}`,
    `${t.questionNo(step.position, step.total)} ${t.progressBar(step.answered, step.total)}`,
    '',
    `<b>${escapeHtml(label)}</b>`,
  ];
  // No "current answer" line: a prompt stays in the chat after it is answered, and a stale one
  // must not show a value that an edit has since changed or cleared. The value is on the button.
  const reasked = draft.reasked?.[q.id];
  if (reasked) lines.push(t.reasked(escapeHtml(reasked)));
  lines.push(`👉 ${hintFor(q)}`);
  if (step.rejected) lines.unshift(t.rejected(escapeHtml(step.rejected)), '');
  if (draft.restored) lines.unshift(t.restored(draft.restored), '');
  const rows: Button[][] = [];
  const prefill = draft.context.prefill[q.id];
  const choices = choicesOf(q);
  if (q.type === 'multi') {
    const selected = Array.isArray(current) ? current : [];
    const mask = choices.reduce((m, c, i) => (selected.includes(c.id) ? m | (1 << i) : m), 0);
    rows.push(...multiRows(q, tag, rev, qi, mask));
  } else if (choices.length > 0) {
    const row: Button[] = [];
    choices.forEach((c, ci) => {
      const mark = c.id === current || (current === undefined && c.id === prefill) ? '✔ ' : '';
      row.push(btn(`${mark}${c.label}`, 'c', tag, rev, qi, ci));
    });
    rows.push(...chunk(row, choices.length <= 3 ? 3 : 2));
  } else if (prefill !== undefined && current === undefined) {
    rows.push([btn(`✔ ${formatValue(q, prefill)}`, 'pf', tag, rev, qi)]);
  }
  if (q.type === 'text' && q.optional) rows.push([btn(t.buttons.none, 'nil', tag, rev, qi)]);
  if (current !== undefined && choices.length === 0)
    rows.push([btn(t.buttons.keepValue(short(formatValue(q, current), KEEP_SHOWN)), 'kp', tag, rev, qi)]);
  rows.push(navRow(tag, rev));
  return { text: lines.join('\n'), buttons: rows, html: true };
}

export function multiRows(q: Question, tag: string, rev: number, qi: number, mask: number): Button[][] {
  const choices = choicesOf(q);
  const toggles = choices.map((c, i) =>
    btn(`${mask & (1 << i) ? '☑' : '☐'} ${c.label}`, 'mt', tag, rev, qi, (mask ^ (1 << i)).toString(36)),
  );
  return [...chunk(toggles, 2), [btn(t.buttons.done, 'md', tag, rev, qi, mask.toString(36))]];
}

export function maskToChoices(q: Question, mask: number): string[] {
  return choicesOf(q)
    .filter((_, i) => mask & (1 << i))
    .map((c) => c.id);
}

function renderReview(campaign: Campaign, draft: Draft, review: Review, tag: string, rev: number): Screen {
  const lines = [
    ...(draft.restored ? [t.restored(draft.restored), ''] : []),
    t.reviewTitle(escapeHtml(subjectOf(campaign, draft))),
    t.reviewProgress(review.progress.answered, review.progress.applicable),
  ];
  for (const s of review.sections) {
    lines.push('', `<b>${escapeHtml(s.title)}</b>`);
    for (const item of s.items) {
      const no = item.seedNo === '补' ? '' : `${item.seedNo} `;
      const warn = item.needsConfirmation ? ' ⚠️' : '';
      const reason = item.confirmation?.reason ? `(理由:${item.confirmation.reason})` : '';
      lines.push(`${no}${escapeHtml(item.label)}:${escapeHtml(item.display)}${escapeHtml(reason)}${warn}`);
    }
  }
  if (needsEvidence(draft.kind)) {
    const village = campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === draft.context.villageId);
    lines.push('', escapeHtml(evidenceLine(draft.evidence, village?.name ?? '')));
  }
  const flags = [
    ...review.flags.map((f) => f.label),
    ...evidenceFlags(campaign, draft.kind, draft.evidence).map((f) => evidenceFlagLabel(f, draft.evidence)),
  ];
  if (flags.length > 0) {
    lines.push('', t.reviewFlags, ...flags.map((f) => `· ${escapeHtml(f)}`));
  }
  const missing = review.progress.applicable - review.progress.answered;
  const rows: Button[][] = [];
  if (!review.submittable) {
    lines.push('', t.reviewMissing(Math.max(missing, 1)));
    rows.push([btn(t.buttons.continue, 'rv', tag)]);
  }
  rows.push([
    btn(t.buttons.edit, 'es', tag),
    ...(review.submittable ? [btn(t.buttons.submit, 'sb', tag, rev)] : []),
  ]);
  rows.push([btn(t.buttons.pause, 'ps')]);
  // A long review goes out as several messages (bot/split.ts), the buttons under the last.
  return { text: lines.join('\n'), buttons: rows, html: true };
}

/** 修改: first the sections, then the questions of one section. */
export function renderSectionPicker(review: Review, tag: string, kind: 'eq' | 'rq', ref: string): Screen {
  return {
    text: t.chooseSection,
    buttons: [
      ...review.sections.map((s, i) => [btn(s.title, kind === 'eq' ? 'ec' : 'rc', ref || tag, i)]),
      [btn(t.buttons.backToVillage, kind === 'eq' ? 'rv' : 'gs', ref || tag)],
    ],
  };
}

export function renderQuestionPicker(
  form: FormDef,
  review: Review,
  sectionIndex: number,
  action: 'eq' | 'rq',
  ref: string,
): Screen {
  const section = review.sections[sectionIndex];
  const items = section?.items ?? [];
  return {
    text: t.chooseQuestion,
    buttons: [
      ...items.map((item) => [
        btn(
          `${short(item.label, 16)}:${short(item.display, 10)}`,
          action,
          ref,
          form.questions.findIndex((q) => q.id === item.id),
        ),
      ]),
      [btn(t.buttons.backToVillage, action === 'eq' ? 'es' : 'rt', ref)],
    ],
  };
}

/** A submitted survey for those who check it: the flags first, then the evidence, then the answers. */
export function renderReadOnlyReview(
  subject: string,
  review: Review,
  flags: string[],
  evidence?: string,
): string {
  const lines = [t.reviewTitle(escapeHtml(subject))];
  if (flags.length > 0) lines.push('', t.reviewFlags, ...flags.map((f) => `· ${escapeHtml(f)}`));
  if (evidence) lines.push('', escapeHtml(evidence));
  for (const s of review.sections) {
    lines.push('', `<b>${escapeHtml(s.title)}</b>`);
    for (const item of s.items) lines.push(`${escapeHtml(item.label)}:${escapeHtml(item.display)}`);
  }
  return lines.join('\n');
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function short(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** How an evidence flag reads, with the distance for a far location. */
export function evidenceFlagLabel(flag: EvidenceFlag, evidence: Evidence | undefined): string {
  return evidenceFlagText(flag, evidence);
}

/** A file too large for Telegram: what it is, how big, until when the button's link works. */
export function fileLinkMessage(
  campaign: Campaign,
  fileName: string,
  link: { url: string; until: Date; size: number },
): { text: string; buttons: Button[][] } {
  return {
    text: t.fileLink(escapeHtml(fileName), link.size, formatInstant(link.until, campaign.timeZone)),
    buttons: [[{ text: t.buttons.download, url: link.url }]],
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
