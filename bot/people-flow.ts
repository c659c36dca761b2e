// /people for the office: who holds which grants, by group, town or role (or everyone, a page at a
// time); revoke one grant, deactivate or reactivate a person, and cancel invites nobody used.
// Every change asks first, and buttons carry the person's version so an old button never revokes
// a grant that has moved to another position in the list.

import {
  cancelInvite,
  deactivatePerson,
  getPersonFor,
  grantsWithKeys,
  listPeople,
  openInvites,
  type PeopleScope,
  reactivatePerson,
  revokeGrant,
} from '../app/people';
import { ChatError } from '../app/surveys';
import { formatInstant } from '../domain/dates';
import { rolesOf } from '../domain/grants';
import { type Person, standingOf } from '../domain/model';
import { commandsFor, grantLabel, grantsLabel, personName } from './labels';
import { t } from './messages';
import { btn, chunk } from './render';
import { sendScreen } from './send';
import type { Handlers, Turn } from './turn';

const pdeps = (turn: Turn) => ({ store: turn.deps.store, clock: turn.deps.clock });
const when = (turn: Turn, iso: string) => formatInstant(new Date(iso), turn.deps.campaign.timeZone);

async function menu(turn: Turn) {
  const c = turn.deps.campaign;
  await turn.show({
    text: t.peopleMenu,
    buttons: [
      ...chunk(
        c.groups.map((g) => btn(g.name, 'ul', 'g', g.id)),
        3,
      ),
      ...chunk(
        c.towns.map((tw) => btn(`${tw.name}联络人`, 'ul', 't', tw.id)),
        3,
      ),
      [btn(c.office.shortName, 'ul', 'r', 'office'), btn(t.buttons.everyone, 'ul', 'a')],
      [btn(t.buttons.invites, 'ui')],
    ],
  });
}

function scopeOf(kind: string | undefined, id: string | undefined): PeopleScope {
  if (kind === 'g' && id) return { kind: 'group', groupId: id };
  if (kind === 't' && id) return { kind: 'town', townId: id };
  if (kind === 'r' && id === 'office') return { kind: 'role', role: 'office' };
  return { kind: 'all', ...(id ? { after: id } : {}) };
}

function scopeTitle(turn: Turn, scope: PeopleScope): string {
  const c = turn.deps.campaign;
  if (scope.kind === 'group') return c.groups.find((g) => g.id === scope.groupId)?.name ?? scope.groupId;
  if (scope.kind === 'town') return `${c.towns.find((tw) => tw.id === scope.townId)?.name ?? ''}联络人`;
  if (scope.kind === 'role') return c.office.shortName;
  return '';
}

async function list(turn: Turn, kind?: string, id?: string) {
  const scope = scopeOf(kind, id);
  const page = await listPeople(pdeps(turn), turn.person, scope);
  if (page.people.length === 0) {
    await turn.show({ text: t.peopleNone, buttons: [[btn(t.buttons.backToPeople, 'um')]] });
    return;
  }
  const text =
    scope.kind === 'all'
      ? t.peopleAll(page.people.length)
      : t.peopleOf(scopeTitle(turn, scope), page.people.length);
  await turn.show({
    text,
    buttons: [
      ...page.people.map((p) => [btn(`${p.deactivated ? '⛔ ' : ''}${personName(p)}`, 'uc', p.id)]),
      ...(page.next ? [[btn(t.buttons.nextPage, 'ul', 'a', page.next)]] : []),
      [btn(t.buttons.backToPeople, 'um')],
    ],
  });
}

async function card(turn: Turn, personId: string, before?: string) {
  const p = await getPersonFor(pdeps(turn), turn.person, personId);
  const grants = grantsWithKeys(p);
  const lines = grants.map(
    ({ grant }) =>
      `• ${grantLabel(turn.deps.campaign, grant)}${grant.at ? `(${when(turn, grant.at)} 起)` : ''}`,
  );
  const status = p.deactivated ? t.personDeactivated(when(turn, p.deactivated.at)) : t.personActive;
  await turn.show({
    text: `${before ? `${before}\n` : ''}${t.personCard(personName(p), p.id, lines.length > 0 ? lines.join('\n') : t.noGrants, status)}`,
    buttons: [
      ...(p.deactivated
        ? []
        : grants.map(({ grant }, i) => [
            btn(`${t.buttons.revoke}:${grantLabel(turn.deps.campaign, grant)}`, 'ur', p.id, i, p.version),
          ])),
      p.deactivated
        ? [btn(t.buttons.reactivate, 'ua', p.id, standingOf(p))]
        : p.id === turn.person.id
          ? []
          : [btn(t.buttons.deactivate, 'ud', p.id, standingOf(p))],
      [btn(t.buttons.backToPeople, 'um')],
    ].filter((row) => row.length > 0),
  });
}

/** Someone else deactivated or reactivated the person after the button was shown. */
async function changedSinceShown(turn: Turn, personId: string) {
  await card(turn, personId, t.personChangedSinceShown);
}

/** The grant a revoke button points at, if the person has not changed since it was shown. */
async function grantAt(turn: Turn, personId: string, index: string | undefined, version: string | undefined) {
  const p = await getPersonFor(pdeps(turn), turn.person, personId);
  const entry = grantsWithKeys(p)[Number(index)];
  if (!entry || String(p.version) !== version) throw new ChatError('stale_button');
  return { p, entry };
}

/** Tell the person what changed (best effort) and give them the commands they still have. */
async function tellPerson(turn: Turn, p: Person, text: string) {
  if (p.chatId === undefined) return;
  await sendScreen(turn.ctx.telegram, p.chatId, text).catch(() => undefined);
  await turn.ctx.telegram
    .setMyCommands(commandsFor(rolesOf(p)), { scope: { type: 'chat', chat_id: p.chatId } })
    .catch(() => undefined);
}

export const peopleHandlers: Handlers = {
  callbacks: {
    um: (turn) => menu(turn),
    ul: (turn, [kind, id]) => list(turn, kind, id),
    uc: (turn, [personId]) => card(turn, personId ?? ''),
    ur: async (turn, [personId, index, version]) => {
      const { p, entry } = await grantAt(turn, personId ?? '', index, version);
      await turn.show({
        text: t.confirmRevoke(personName(p), grantLabel(turn.deps.campaign, entry.grant)),
        buttons: [
          [
            btn(t.buttons.confirmYes, 'uy', p.id, index ?? '', version ?? ''),
            btn(t.buttons.confirmNo, 'uc', p.id),
          ],
        ],
      });
    },
    uy: async (turn, [personId, index, version]) => {
      const { p, entry } = await grantAt(turn, personId ?? '', index, version);
      const out = await revokeGrant(pdeps(turn), turn.person, turn.deps.campaign, {
        personId: p.id,
        grant: entry.key,
      });
      const label = grantLabel(turn.deps.campaign, entry.grant);
      if (!out.changed) {
        await turn.show(t.nothingChanged);
        return;
      }
      await turn.show(t.revoked(personName(p), label, out.released));
      await tellPerson(
        turn,
        out.person,
        t.grantRevokedNotice(label, grantsLabel(turn.deps.campaign, out.person)),
      );
    },
    // 停用, its 确定停用 and 恢复 carry the person's standing they were shown with: deactivated or
    // reactivated by someone else since, nothing is changed and the card is shown as it is now.
    ud: async (turn, [personId, seen]) => {
      const p = await getPersonFor(pdeps(turn), turn.person, personId ?? '');
      if (standingOf(p) !== seen) return changedSinceShown(turn, p.id);
      await turn.show({
        text: t.confirmDeactivate(personName(p)),
        buttons: [
          [btn(t.buttons.confirmYes, 'ux', p.id, standingOf(p)), btn(t.buttons.confirmNo, 'uc', p.id)],
        ],
      });
    },
    ux: async (turn, [personId, seen]) => {
      const out = await deactivatePerson(pdeps(turn), turn.person, turn.deps.campaign, {
        personId: personId ?? '',
        seen: seen ?? '',
      });
      if (out.changedSinceShown) return changedSinceShown(turn, out.person.id);
      if (!out.changed) {
        await turn.show(t.nothingChanged);
        return;
      }
      await turn.show(t.deactivatedPerson(personName(out.person), out.released));
      await tellPerson(turn, out.person, t.deactivated);
    },
    ua: async (turn, [personId, seen]) => {
      const out = await reactivatePerson(pdeps(turn), turn.person, turn.deps.campaign, {
        personId: personId ?? '',
        seen: seen ?? '',
      });
      if (out.changedSinceShown) return changedSinceShown(turn, out.person.id);
      await turn.show(out.changed ? t.reactivated(personName(out.person)) : t.nothingChanged);
      if (out.changed)
        await tellPerson(turn, out.person, t.reactivatedNotice(grantsLabel(turn.deps.campaign, out.person)));
    },
    ui: async (turn) => {
      const invites = await openInvites(pdeps(turn), turn.person);
      if (invites.length === 0) {
        await turn.show({ text: t.invitesNone, buttons: [[btn(t.buttons.backToPeople, 'um')]] });
        return;
      }
      // A keyboard holds 100 buttons; the newest invites are the ones worth cancelling.
      const shown = invites.slice(0, 40);
      const lines = shown.map(
        (i, n) =>
          `${n + 1}. ${t.inviteLine(grantLabel(turn.deps.campaign, i), when(turn, i.createdAt), when(turn, i.expiresAt))}`,
      );
      await turn.show({
        text: [t.invitesTitle(invites.length), ...lines].join('\n'),
        buttons: [
          ...chunk(
            shown.map((i, n) => btn(`${t.buttons.cancelInvite} ${n + 1}`, 'uk', i.id)),
            4,
          ),
          [btn(t.buttons.backToPeople, 'um')],
        ],
      });
    },
    uk: async (turn, [inviteId]) => {
      const invites = await openInvites(pdeps(turn), turn.person);
      const invite = invites.find((i) => i.id === inviteId);
      const out = await cancelInvite(pdeps(turn), turn.person, { inviteId: inviteId ?? '' });
      if (out.used) {
        await turn.send(t.inviteAlreadyUsed);
        return;
      }
      await turn.send(
        out.cancelled && invite
          ? t.inviteCancelledOk(grantLabel(turn.deps.campaign, invite))
          : t.nothingChanged,
      );
    },
  },
  texts: {},
  commands: {
    people: (turn) => menu(turn),
  },
};
