// Problems (/problem and proposals after a submit), invites, summaries, the office figures form and
// reminder acknowledgements.

import { can, ForbiddenError, isOffice } from '../app/authz';
import { reportTownOf, signOffGroupReport, signOffStatus } from '../app/group-report';
import type { Button } from '../app/messaging';
import { createInvite, INVITE_DAYS } from '../app/people';
import { judgeDescription, logProblem } from '../app/problems';
import { ChatError, ledGroups, type ProblemProposal } from '../app/surveys';
import { villageDetail } from '../app/villages';
import { ROLES, type Role } from '../domain/campaign';
import { groupsOf } from '../domain/grants';
import { PROBLEM_CATEGORIES, type ProblemCategory } from '../domain/model';
import { formatInstant } from '../domain/reminder-messages';
import { type Handlers, scopeLabel, type Turn } from './bot';
import { categoryLabels, roleLabels, t } from './messages';
import { btn, chunk, prompt } from './render';
import { openAndShow } from './survey-flow';

const pdeps = (turn: Turn) => ({
  store: turn.deps.store,
  clock: turn.deps.clock,
  // One problem per update: a retried update finds its problem already stored.
  newId: () => `pb-${turn.person.id}-${turn.updateId}`,
});

async function chooseCategory(turn: Turn) {
  await turn.show({
    text: t.chooseCategory,
    buttons: PROBLEM_CATEGORIES.map((c, i) => [btn(categoryLabels[c], 'pc', i)]),
  });
}

async function chooseVillage(turn: Turn, category: number, townId: string) {
  const town = turn.deps.campaign.towns.find((tw) => tw.id === townId);
  await turn.show({
    text: t.chooseProblemVillage,
    buttons: [
      ...chunk(
        (town?.villages ?? []).map((v) => btn(v.name, 'pv', category, v.id)),
        3,
      ),
      [btn(t.buttons.skip, 'pv', category, `-${townId}`)],
    ],
  });
}

async function askDescription(turn: Turn, data: Record<string, string | number>) {
  await turn.setScreen('problem_desc', data);
  await turn.show(prompt(t.describeProblem));
}

function proposalsOf(turn: Turn): (ProblemProposal | null)[] {
  const raw = turn.person.session.data?.proposals;
  return typeof raw === 'string' ? (JSON.parse(raw) as (ProblemProposal | null)[]) : [];
}

/**
 * The proposals still on offer after a submit, kept across screens until each is answered; the
 * one answered now (`done`) is struck off, so a second press on its button changes nothing.
 */
function keepProposals(turn: Turn, done?: string): Record<string, string> {
  const list = proposalsOf(turn);
  if (list.length === 0) return {};
  if (done !== undefined) list[Number(done)] = null;
  return { proposals: JSON.stringify(list) };
}

async function saveProblem(
  turn: Turn,
  data: Record<string, string | number>,
  description: string,
  proposal?: string,
) {
  const verdict = judgeDescription(description);
  if (verdict !== 'ok') {
    // Asked again: the screen stays, so the next text is the new description.
    await turn.send(verdict === 'vague' ? t.problemVague : t.problemTooShort);
    return;
  }
  const category = String(data.category) as ProblemCategory;
  const problem = await logProblem(pdeps(turn), turn.person, turn.deps.campaign, {
    category,
    townId: String(data.townId),
    ...(data.villageId ? { villageId: String(data.villageId) } : {}),
    ...(data.householdId ? { householdId: String(data.householdId) } : {}),
    ...(data.sourceSurveyId ? { sourceSurveyId: String(data.sourceSurveyId) } : {}),
    description,
  }).catch(async (err) => {
    if (err instanceof Error && err.name === 'AlreadyExistsError') return undefined; // a retried update
    throw err;
  });
  await turn.setScreen('home', keepProposals(turn, proposal));
  if (problem) await turn.send(t.problemLogged(categoryLabels[problem.category]));
}

function proposalAt(turn: Turn, index: string | undefined): ProblemProposal {
  const p = proposalsOf(turn)[Number(index)];
  if (!p) throw new ChatError('stale_button');
  return p;
}

function proposalData(p: ProblemProposal): Record<string, string> {
  return {
    category: p.category,
    townId: p.townId,
    ...(p.villageId ? { villageId: p.villageId } : {}),
    ...(p.householdId ? { householdId: p.householdId } : {}),
    sourceSurveyId: p.sourceSurveyId,
  };
}

async function inviteMenu(turn: Turn) {
  if (!isOffice(turn.person)) throw new ForbiddenError('invite', turn.person.id);
  await turn.show({
    text: t.chooseInviteRole,
    buttons: chunk(
      ROLES.map((r) => btn(roleLabels[r], 'ir', r)),
      2,
    ),
  });
}

async function issueInvite(turn: Turn, botUsername: string, role: Role, groupId?: string, townId?: string) {
  const invite = await createInvite(turn.deps, turn.person, turn.deps.campaign, {
    role,
    ...(groupId ? { groupId } : {}),
    ...(townId ? { townId } : {}),
  });
  const link = `https://t.me/${botUsername}?start=${invite.code}`;
  await turn.setScreen('home');
  await turn.show(
    t.inviteCreated(roleLabels[role], scopeLabel(turn.deps.campaign, groupId, townId), link, INVITE_DAYS),
  );
}

async function summaryMenu(turn: Turn) {
  const towns = turn.deps.campaign.towns.filter((tw) =>
    can.buildSummary(turn.person, turn.deps.campaign, tw.id),
  );
  const rows: Button[][] = [];
  if (isOffice(turn.person)) rows.push([btn(t.buttons.city, 'sm', 'city')]);
  rows.push(
    ...chunk(
      towns.map((tw) => btn(tw.name, 'sm', tw.id)),
      3,
    ),
  );
  await turn.show({ text: t.chooseSummaryScope, buttons: rows });
}

async function sendFiles(turn: Turn, files: { fileName: string; bytes: Uint8Array; caption?: string }[]) {
  for (const f of files) {
    await turn.ctx.replyWithDocument(
      { source: Buffer.from(f.bytes), filename: f.fileName },
      f.caption ? { caption: f.caption } : {},
    );
  }
}

const localTime = (turn: Turn, iso: string | Date) =>
  formatInstant(new Date(iso), turn.deps.campaign.timeZone);

/** A leader of several groups picks the group first. */
async function chooseLedGroup(turn: Turn, kind: string): Promise<boolean> {
  const led = ledGroups(turn.person, turn.deps.campaign);
  if (led.length <= 1) return false;
  await turn.show({
    text: t.chooseLedGroup,
    buttons: chunk(
      led.map((g) => btn(g.name, kind, g.id)),
      3,
    ),
  });
  return true;
}

async function groupReport(turn: Turn, groupId?: string) {
  if (groupId === undefined && (await chooseLedGroup(turn, 'rg'))) return;
  const townId = reportTownOf(turn.person, turn.deps.campaign, groupId);
  if (!turn.deps.groupReport) {
    await turn.send(t.summaryUnavailable);
    return;
  }
  await turn.send(t.reportBuilding);
  const pkg = await turn.deps.groupReport(turn.person, townId);
  const town = turn.deps.campaign.towns.find((tw) => tw.id === townId)?.name ?? '';
  await turn.send(`${t.reportIntro(town)}\n\n${pkg.text}`);
  await sendFiles(turn, pkg.files);
  const group = turn.deps.campaign.groups.find((g) => g.townId === townId)?.id ?? '';
  await turn.send({ text: t.reportSignPrompt, buttons: [[btn(t.buttons.signOff, 'so', group)]] });
}

async function signOffs(turn: Turn) {
  const status = await signOffStatus(turn.deps, turn.person, turn.deps.campaign);
  const lines = status.map((s) => {
    const group = turn.deps.campaign.groups.find((g) => g.id === s.groupId)?.name ?? s.groupId;
    const town = turn.deps.campaign.towns.find((tw) => tw.id === s.townId)?.name ?? s.townId;
    return t.signOffLine(group, town, s.at ? localTime(turn, s.at) : undefined);
  });
  await turn.show([t.signOffTitle, ...lines].join('\n'));
}

async function tomorrowMenu(turn: Turn, groupId?: string) {
  const groups = groupsOf(turn.person, ['leader', 'liaison']);
  if (groupId === undefined && groups.length > 1) {
    const named = turn.deps.campaign.groups.filter((g) => groups.includes(g.id));
    await turn.show({
      text: t.chooseLedGroup,
      buttons: chunk(
        named.map((g) => btn(g.name, 'tg', g.id)),
        3,
      ),
    });
    return;
  }
  const group = turn.deps.campaign.groups.find(
    (g) => g.id === (groupId ?? groups[0]) && groups.includes(g.id),
  );
  const town = turn.deps.campaign.towns.find((tw) => tw.id === group?.townId);
  if (!town) throw new ForbiddenError('daily_list.set', turn.person.id);
  await turn.show({
    text: t.chooseTomorrow,
    buttons: chunk(
      town.villages.map((v) => btn(v.name, 'tm', v.id)),
      3,
    ),
  });
}

export function adminHandlers(botUsername: string): Handlers {
  return {
    callbacks: {
      pc: async (turn, [i]) => {
        const category = PROBLEM_CATEGORIES[Number(i)];
        if (!category) throw new ChatError('not_found');
        // The towns whose problems this person may log: their groups' towns, or all for the office.
        const mine = isOffice(turn.person)
          ? turn.deps.campaign.towns
          : turn.deps.campaign.towns.filter((tw) => can.logProblem(turn.person, turn.deps.campaign, tw.id));
        const only = mine.length === 1 ? mine[0] : undefined;
        if (only && !isOffice(turn.person)) return chooseVillage(turn, Number(i), only.id);
        await turn.show({
          text: t.chooseProblemTown,
          buttons: chunk(
            mine.map((tw) => btn(tw.name, 'pt', Number(i), tw.id)),
            3,
          ),
        });
      },
      pt: (turn, [i, townId]) => chooseVillage(turn, Number(i), townId ?? ''),
      pv: async (turn, [i, village]) => {
        const category = PROBLEM_CATEGORIES[Number(i)] ?? 'other';
        if (village?.startsWith('-')) {
          return askDescription(turn, { category, townId: village.slice(1) });
        }
        const townId =
          turn.deps.campaign.towns.find((tw) => tw.villages.some((v) => v.id === village))?.id ?? '';
        const d = await villageDetail(turn.deps, turn.person, turn.deps.campaign, village ?? '').catch(
          () => undefined,
        );
        const picks = d?.sample?.picks.filter((p) => p.status !== 'replaced') ?? [];
        if (picks.length === 0) return askDescription(turn, { category, townId, villageId: village ?? '' });
        await turn.setScreen('problem', { category, townId, villageId: village ?? '' });
        await turn.show({
          text: t.chooseProblemHousehold,
          buttons: [
            ...chunk(
              picks.map((p) => btn(p.name, 'ph', d?.sample?.picks.indexOf(p) ?? 0)),
              3,
            ),
            [btn(t.buttons.skip, 'ph', '-')],
          ],
        });
      },
      ph: async (turn, [index]) => {
        const data = { ...(turn.person.session.data ?? {}) };
        if (index !== '-') {
          const d = await villageDetail(turn.deps, turn.person, turn.deps.campaign, String(data.villageId));
          const pick = d.sample?.picks[Number(index)];
          if (pick) data.householdId = pick.householdId;
        }
        await askDescription(turn, data);
      },
      pp: async (turn, [i]) => {
        const p = proposalAt(turn, i);
        await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
        await saveProblem(turn, proposalData(p), p.description, i);
      },
      pe: async (turn, [i]) =>
        askDescription(turn, { ...proposalData(proposalAt(turn, i)), ...keepProposals(turn) }),
      pn: async (turn) => {
        await turn.setScreen('home', keepProposals(turn));
        await turn.show(t.proposalSkipped);
      },
      ir: async (turn, [role]) => {
        const r = role as Role;
        if (!ROLES.includes(r)) throw new ChatError('not_found');
        if (r === 'leader' || r === 'liaison' || r === 'inspector') {
          await turn.show({
            text: t.chooseInviteGroup,
            buttons: chunk(
              turn.deps.campaign.groups.map((g) => btn(g.name, 'ig', r, g.id)),
              3,
            ),
          });
          return;
        }
        if (r === 'town_contact') {
          await turn.show({
            text: t.chooseInviteTown,
            buttons: chunk(
              turn.deps.campaign.towns.map((tw) => btn(tw.name, 'it', tw.id)),
              3,
            ),
          });
          return;
        }
        await issueInvite(turn, botUsername, r);
      },
      ig: (turn, [role, groupId]) => issueInvite(turn, botUsername, role as Role, groupId),
      it: (turn, [townId]) => issueInvite(turn, botUsername, 'town_contact', undefined, townId),
      sm: async (turn, [scope]) => {
        if (!turn.deps.summaries) {
          await turn.send(t.summaryUnavailable);
          return;
        }
        await turn.show(t.summaryBuilding);
        const files = await turn.deps.summaries(turn.person, scope ?? 'city');
        const name =
          scope === 'city'
            ? t.summaryCity
            : (turn.deps.campaign.towns.find((tw) => tw.id === scope)?.name ?? '');
        for (const f of files) {
          await turn.ctx.replyWithDocument(
            { source: Buffer.from(f.bytes), filename: f.fileName },
            f.caption ? { caption: f.caption } : {},
          );
        }
        await turn.send(t.summaryReady(name));
      },
      ack: async (turn, args) => {
        if (!turn.deps.acknowledge) throw new Error('acknowledgements not wired');
        const reply = await turn.deps.acknowledge(turn.person, args.join(':'));
        await turn.ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
        await turn.send(reply);
      },
      rg: (turn, [groupId]) => groupReport(turn, groupId),
      tg: (turn, [groupId]) => tomorrowMenu(turn, groupId),
      so: async (turn, [groupId]) => {
        const s = await signOffGroupReport(turn.deps, turn.person, turn.deps.campaign, groupId || undefined);
        await turn.show(t.signedOff(s.at ? localTime(turn, s.at) : ''));
      },
      tm: async (turn, [villageId]) => {
        if (!turn.deps.tomorrow) {
          await turn.send(t.tomorrowUnavailable);
          return;
        }
        const r = await turn.deps.tomorrow(turn.person, villageId ?? '');
        const name =
          turn.deps.campaign.towns.flatMap((tw) => tw.villages).find((v) => v.id === villageId)?.name ?? '';
        await turn.show(t.tomorrowSet(name, localTime(turn, r.requestAt), localTime(turn, r.dueAt)));
      },
    },
    texts: {
      problem_desc: async (turn, text) => saveProblem(turn, turn.person.session.data ?? {}, text),
    },
    commands: {
      problem: (turn) => chooseCategory(turn),
      invite: (turn) => inviteMenu(turn),
      summary: (turn) => summaryMenu(turn),
      figures: (turn) => openAndShow(turn, { kind: 'office' }),
      report: (turn) => groupReport(turn),
      signoffs: (turn) => signOffs(turn),
      tomorrow: (turn) => tomorrowMenu(turn),
    },
  };
}
