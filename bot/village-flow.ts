// Villages and samples in the chat: pick a village (with progress), upload the town's list, draw,
// see the sampled households, ask for a replacement, open a household or the village survey.

import { ForbiddenError, isOffice } from '../app/authz';
import {
  addOnSiteHousehold,
  confirmListReplacement,
  drawVillageSample,
  ON_SITE_NAME_MAX,
  REPLACEMENT_REASONS,
  replaceHousehold,
  stratumLabel,
  uploadHouseholdList,
} from '../app/lists';
import type { Button } from '../app/messaging';
import { ChatError, surveyIdFor } from '../app/surveys';
import { homeTownsOf, townProgress, villageDetail } from '../app/villages';
import { formatInstant } from '../domain/dates';
import { STRATA } from '../domain/forms/types';
import type { ReplacementReason } from '../domain/model';
import { pickStatusIcon, replacementLabels, t } from './messages';
import { btn, chunk, prompt } from './render';
import { openAndShow, openPickAndShow } from './survey-flow';
import { downloadFile } from './telegram-files';
import type { Handlers, Turn } from './turn';

const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Names in lists and buttons: a list allows 20 characters, older data may hold more. */
const NAME_SHOWN = 20;

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

const vdeps = (turn: Turn) => ({ store: turn.deps.store, clock: turn.deps.clock });

async function showTowns(turn: Turn) {
  await turn.show({
    text: t.chooseProblemTown,
    buttons: chunk(
      turn.deps.campaign.towns.map((tw) => btn(tw.name, 'vt', tw.id)),
      3,
    ),
  });
}

async function showVillages(turn: Turn, townId?: string) {
  const towns = homeTownsOf(turn.person, turn.deps.campaign);
  const town = townId ?? (towns.length === 1 ? towns[0] : undefined);
  if (!town) {
    if (isOffice(turn.person)) return showTowns(turn);
    if (towns.length > 1) {
      // Someone working in two towns (a leader of one group, an inspector of another) picks one.
      const named = turn.deps.campaign.towns.filter((tw) => towns.includes(tw.id));
      await turn.show({
        text: t.chooseTown,
        buttons: chunk(
          named.map((tw) => btn(tw.name, 'vt', tw.id)),
          3,
        ),
      });
      return;
    }
    await turn.send(t.noGroup);
    return;
  }
  const progress = await townProgress(vdeps(turn), turn.person, turn.deps.campaign, town);
  const townName = turn.deps.campaign.towns.find((tw) => tw.id === town)?.name ?? '';
  await turn.show({
    text: t.chooseVillage(townName),
    buttons: chunk(
      progress.map((p) => btn(t.villageButton(p.name, p.submitted, p.sampled), 'v', p.villageId)),
      2,
    ),
  });
}

function stratumSummary(turn: Turn, byStratum: Partial<Record<string, number>>): string {
  return STRATA.filter((s) => byStratum[s])
    .map((s) => `${stratumLabel(turn.deps.campaign, s)} ${byStratum[s]}户`)
    .join(',');
}

async function showVillage(turn: Turn, villageId: string, mode: 'show' | 'send' = 'show') {
  const d = await villageDetail(vdeps(turn), turn.person, turn.deps.campaign, villageId);
  const lines = [t.villageHeader(d.name)];
  const rows: Button[][] = [];
  if (d.sample) {
    const shortfall = d.sample.shortfalls.length
      ? t.shortfall(
          d.sample.shortfalls
            .map(
              (s) => `${stratumLabel(turn.deps.campaign, s.stratum)}应抽${s.quota}户、仅有${s.available}户`,
            )
            .join(';'),
        )
      : '';
    lines.push(t.sampleHeader(d.sample.seed, shortfall), '');
    d.sample.picks.forEach((p, i) => {
      const status = p.status === 'selected' ? (d.statuses[p.householdId] ?? 'selected') : p.status;
      const icon = d.released.includes(p.householdId)
        ? '🔓'
        : pickStatusIcon[status === 'submitted' ? 'surveyed' : status];
      // Names are clipped: one long on-site name must not break the village screen for the group.
      const name = clip(p.name, NAME_SHOWN);
      lines.push(t.sampleLine(icon, stratumLabel(turn.deps.campaign, p.stratum), name));
      if (p.status !== 'replaced' && d.may.survey) rows.push([btn(`${icon} ${name}`, 'h', villageId, i)]);
    });
    if (d.may.survey) {
      rows.push([btn(t.buttons.villageSurvey, 'vs', villageId), btn(t.buttons.addOnSite, 'os', villageId)]);
    }
  } else if (d.list) {
    lines.push(t.listReady(d.list.count, stratumSummary(turn, d.list.byStratum)));
    const row: Button[] = [];
    if (d.may.draw) row.push(btn(t.buttons.draw, 'dr', villageId, d.list.fingerprint.slice(0, 12)));
    if (d.may.upload) row.push(btn(t.buttons.upload, 'up', villageId));
    rows.push(row);
  } else {
    lines.push(t.noListYet);
    if (d.may.upload) rows.push([btn(t.buttons.upload, 'up', villageId)]);
  }
  rows.push([btn(t.buttons.backToVillages, 'vl', d.townId)]);
  await turn[mode]({ text: lines.join('\n'), buttons: rows });
}

function surveyIdOf(turn: Turn, villageId: string | undefined, pick: { householdId: string }): string {
  return surveyIdFor(turn.deps.campaign.id, {
    kind: 'household',
    villageId: villageId ?? '',
    householdId: pick.householdId,
  });
}

async function pickAt(turn: Turn, villageId: string, index: string | undefined) {
  const d = await villageDetail(vdeps(turn), turn.person, turn.deps.campaign, villageId);
  const pick = d.sample?.picks[Number(index)];
  if (!pick) throw new ChatError('not_in_sample');
  return { d, pick };
}

async function upload(turn: Turn) {
  const message = turn.ctx.message;
  if (!message || !('document' in message)) return;
  const villageId =
    turn.person.session.screen === 'upload' ? String(turn.person.session.data?.villageId ?? '') : '';
  if (!villageId) {
    await turn.send(t.uploadNotExpected);
    return;
  }
  const doc = message.document;
  // A document without a declared size is checked as it downloads (read up to the limit only).
  if ((doc.file_size ?? 0) > MAX_FILE_BYTES) {
    await turn.send(t.uploadTooLarge);
    return;
  }
  const bytes = await downloadFile(turn, doc.file_id, MAX_FILE_BYTES).catch(() => undefined);
  if (!bytes) {
    // The file stays on Telegram's side; sending it again is all the person can do.
    await turn.send(t.uploadDownloadFailed);
    return;
  }
  if (bytes.length > MAX_FILE_BYTES) {
    await turn.send(t.uploadTooLarge);
    return;
  }
  const result = await uploadHouseholdList(turn.listsDeps(), turn.person, turn.deps.campaign, {
    villageId,
    fileName: doc.file_name ?? 'list.csv',
    bytes,
  });
  const villageName = villageNameOf(turn, villageId);
  if (!result.ok) {
    const wrong = result.errors.find((e) => e.code === 'wrong_village');
    if (wrong) {
      await turn.send(wrong.message);
      return;
    }
    const lines = result.errors.slice(0, 15).map((e) => `· ${e.message}`);
    if (result.errors.length > 15) lines.push(`……另有 ${result.errors.length - 15} 处`);
    await turn.send(t.uploadBadRows(result.errors.length, lines.join('\n')));
    return;
  }
  const dropped = result.info.droppedColumns?.length
    ? `\n${t.droppedColumns(result.info.droppedColumns.join('、'))}`
    : '';
  if (result.status === 'unchanged') {
    await turn.setScreen('home');
    await turn.send(t.listUnchanged(villageName, result.info.count));
    return;
  }
  if (result.status === 'confirm') {
    // The new list waits (staged) until the uploader has seen both counts and confirms.
    await turn.setScreen('list_replace', {
      villageId,
      fingerprint: result.info.fingerprint,
      replacing: result.current.fingerprint,
      oldCount: result.current.count,
    });
    await turn.send({
      text: `${t.listReplaceConfirm(villageName, result.current.count, localTime(turn, result.current.uploadedAt), result.info.count)}${dropped}`,
      // 确定替换 names the list it was asked about: another village's question asked since is not it.
      buttons: [
        [
          btn(t.buttons.confirmReplace, 'lr', villageId, result.info.fingerprint.slice(0, 12)),
          btn(t.buttons.keepList, 'lk'),
        ],
      ],
    });
    return;
  }
  await turn.setScreen('home');
  await turn.send(
    `${t.uploadOk(villageName, result.info.count, stratumSummary(turn, result.info.byStratum))}${dropped}`,
  );
  await showVillage(turn, villageId, 'send');
}

function villageNameOf(turn: Turn, villageId: string): string {
  return turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === villageId)?.name ?? '';
}

const localTime = (turn: Turn, iso: string) => formatInstant(new Date(iso), turn.deps.campaign.timeZone);

async function replace(
  turn: Turn,
  villageId: string,
  index: string | undefined,
  reason: ReplacementReason,
  note?: string,
) {
  const { pick } = await pickAt(turn, villageId, index);
  const result = await replaceHousehold(turn.listsDeps(), turn.person, turn.deps.campaign, {
    villageId,
    householdId: pick.householdId,
    reason,
    ...(note ? { note } : {}),
  });
  await turn.setScreen('home');
  if (!result.ok) {
    await turn.send(result.message);
    return;
  }
  await turn.send(
    t.replaced(
      result.replaced.name,
      result.replacement.name,
      stratumLabel(turn.deps.campaign, result.replacement.stratum),
    ),
  );
  await showVillage(turn, villageId);
}

export const villageHandlers: Handlers = {
  callbacks: {
    vl: (turn, [townId]) => showVillages(turn, townId),
    vt: (turn, [townId]) => showVillages(turn, townId),
    v: (turn, [villageId]) => showVillage(turn, villageId ?? ''),
    up: async (turn, [villageId]) => {
      const name =
        turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === villageId)?.name ?? '';
      await turn.setScreen('upload', { villageId: villageId ?? '' });
      await turn.show(t.uploadPrompt(name));
    },
    // 抽取样本 asks first: the draw is irreversible and locks the list.
    dr: async (turn, [villageId, fp]) => {
      const d = await villageDetail(vdeps(turn), turn.person, turn.deps.campaign, villageId ?? '');
      if (!d.may.draw) throw new ForbiddenError('sample.draw', turn.person.id);
      if (d.sample) return showVillage(turn, villageId ?? '');
      if (!d.list) throw new ChatError('stale_button');
      await turn.show({
        text: t.drawConfirm(d.name, d.list.count),
        buttons: [
          [
            btn(t.buttons.confirmDraw, 'dc', villageId ?? '', fp ?? d.list.fingerprint.slice(0, 12)),
            btn(t.buttons.confirmNo, 'v', villageId ?? ''),
          ],
        ],
      });
    },
    dc: async (turn, [villageId, fp]) => {
      const { sample, alreadyDrawn } = await drawVillageSample(
        turn.listsDeps(),
        turn.person,
        turn.deps.campaign,
        { villageId: villageId ?? '', ...(fp ? { expectFingerprint: fp } : {}) },
      );
      await turn.setScreen('home');
      if (alreadyDrawn) return showVillage(turn, villageId ?? '');
      // The pressed message records the draw; the sample arrives as a new message below it.
      await turn.show(t.drawn(sample.picks.length));
      await showVillage(turn, villageId ?? '', 'send');
    },
    h: async (turn, [villageId, index]) => {
      const { d, pick } = await pickAt(turn, villageId ?? '', index);
      const status = d.statuses[pick.householdId] ?? (pick.status === 'surveyed' ? 'surveyed' : 'selected');
      const started = d.statuses[pick.householdId] !== undefined || pick.startedAt !== undefined;
      const rows: Button[][] = [];
      if (status !== 'submitted' && pick.status !== 'surveyed') {
        // Continuing one's own stored survey opens it by its id (no read of the sample); starting
        // one, or taking over a survey handed back to the group, goes by the pick (the sample is
        // read anyway, and the takeover is decided when it opens).
        const own =
          d.statuses[pick.householdId] !== undefined &&
          pick.startedBy === turn.person.id &&
          !d.released.includes(pick.householdId);
        const surveyId = own ? surveyIdOf(turn, villageId, pick) : '';
        rows.push([
          surveyId
            ? btn(t.buttons.resume, 'op', surveyId)
            : btn(started ? t.buttons.resume : t.buttons.start, 'hs', villageId ?? '', index ?? ''),
        ]);
      }
      if (!started && pick.status === 'selected')
        rows.push([btn(t.buttons.replace, 'rp', villageId ?? '', index ?? '')]);
      rows.push([btn(t.buttons.backToVillage, 'v', villageId ?? '')]);
      const statusLabel =
        t.householdStatus[status === 'submitted' ? 'surveyed' : (status as keyof typeof t.householdStatus)] ??
        '';
      const released = d.released.includes(pick.householdId) ? `(${t.releasedLabel})` : '';
      await turn.show({
        text: t.householdMenu(
          clip(pick.name, NAME_SHOWN),
          stratumLabel(turn.deps.campaign, pick.stratum),
          `${statusLabel}${released}`,
        ),
        buttons: rows,
      });
    },
    // The pick's index is all the button carries: the sample (read once when opening) says who.
    hs: async (turn, [villageId, index]) => {
      const at = Number(index);
      if (!Number.isSafeInteger(at) || at < 0) throw new ChatError('not_in_sample');
      await openPickAndShow(turn, villageId ?? '', at);
    },
    vs: (turn, [villageId]) => openAndShow(turn, { kind: 'village', villageId: villageId ?? '' }),
    rp: async (turn, [villageId, index]) => {
      const { pick } = await pickAt(turn, villageId ?? '', index);
      await turn.show({
        text: t.chooseReplaceReason(pick.name),
        buttons: [
          ...chunk(
            REPLACEMENT_REASONS.map((r) => btn(replacementLabels[r], 'rr', villageId ?? '', index ?? '', r)),
            2,
          ),
          [btn(t.buttons.backToVillage, 'h', villageId ?? '', index ?? '')],
        ],
      });
    },
    rr: async (turn, [villageId, index, reason]) => {
      if (!REPLACEMENT_REASONS.includes(reason as ReplacementReason)) throw new ChatError('stale_button');
      if (reason === 'other') {
        await turn.setScreen('replace_note', { villageId: villageId ?? '', index: Number(index) });
        await turn.show(prompt(t.replaceNotePrompt));
        return;
      }
      await replace(turn, villageId ?? '', index, reason as ReplacementReason);
    },
    // 确定替换 / 保留原名单 after a second list for the same village.
    lr: async (turn, [shownVillage, shownList]) => {
      const data = turn.person.session.screen === 'list_replace' ? (turn.person.session.data ?? {}) : {};
      const villageId = String(data.villageId ?? '');
      if (
        !villageId ||
        villageId !== shownVillage ||
        (shownList ?? '').length < 8 ||
        !String(data.fingerprint ?? '').startsWith(shownList ?? '')
      )
        throw new ChatError('stale_button');
      await turn.setScreen('home');
      const info = await confirmListReplacement(turn.listsDeps(), turn.person, turn.deps.campaign, {
        villageId,
        fingerprint: String(data.fingerprint ?? ''),
        replacing: String(data.replacing ?? ''),
      });
      await turn.show(t.listReplaced(villageNameOf(turn, villageId), Number(data.oldCount ?? 0), info.count));
      await showVillage(turn, villageId, 'send');
    },
    lk: async (turn) => {
      await turn.setScreen('home');
      await turn.show(t.listKept);
    },
    // A non-poor household missing from the town's list, chosen on site: name, then the reason.
    os: async (turn, [villageId]) => {
      await turn.setScreen('onsite_name', { villageId: villageId ?? '' });
      await turn.show(prompt(t.onSiteNamePrompt));
    },
    // The upload button of the town's daily-list reminder (upload:<villageId>).
    upload: async (turn, [villageId]) => {
      const name =
        turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === villageId)?.name ?? '';
      await turn.setScreen('upload', { villageId: villageId ?? '' });
      await turn.send(t.uploadPrompt(name));
    },
  },
  texts: {
    onsite_name: async (turn, text) => {
      const name = text.normalize('NFKC').trim().replace(/\s+/gu, ' ');
      if (name === '' || [...name].length > ON_SITE_NAME_MAX) {
        // Asked again: the prompt stays, so the next text is the name.
        await turn.send(prompt(t.onSiteNameTooLong(ON_SITE_NAME_MAX)));
        return;
      }
      await turn.setScreen('onsite_reason', {
        villageId: String(turn.person.session.data?.villageId ?? ''),
        name,
      });
      await turn.send(prompt(t.onSiteReasonPrompt(name)));
    },
    onsite_reason: async (turn, text) => {
      const data = turn.person.session.data ?? {};
      const villageId = String(data.villageId ?? '');
      // Leave the prompt first: a refusal must not trap the next texts.
      await turn.setScreen(turn.person.session.draft ? 'survey' : 'home');
      const { entry } = await addOnSiteHousehold(turn.listsDeps(), turn.person, turn.deps.campaign, {
        villageId,
        name: String(data.name ?? ''),
        reason: text,
      });
      await turn.setScreen('home');
      await turn.send(t.onSiteAdded(entry.name));
      await showVillage(turn, villageId, 'send');
    },
    replace_note: async (turn, text) => {
      const data = turn.person.session.data ?? {};
      await turn.setScreen(turn.person.session.draft ? 'survey' : 'home');
      await replace(turn, String(data.villageId), String(data.index), 'other', text);
    },
  },
  commands: {
    villages: (turn) => showVillages(turn),
  },
  document: (turn) => upload(turn),
};
