// The demo's people: the office, and for each group an inspector, its leader and a liaison, and a
// contact per town, with stable fake Telegram ids and Chinese names. They join the way real people
// do (an office invite, then `/start <code>` through the bot), so each chat opens with the bot's
// welcome. Enrolling again changes nothing: whoever is already stored is left alone.

import type { Clock } from '../app/messaging';
import { createInvite } from '../app/people';
import type { Store } from '../app/ports';
import { commandsFor, scopeLabel } from '../bot/bot';
import { roleLabels } from '../bot/messages';
import type { Campaign, Role } from '../domain/campaign';
import type { Person } from '../domain/model';
import type { TelegramEmulator } from './telegram-emulator';

export interface Persona {
  /** Telegram user id, which is also the private chat's id. */
  id: number;
  name: string;
  role: Role;
  groupId?: string;
  townId?: string;
  /** 检查员 / 组长 … */
  roleLabel: string;
  /** 第二组 · 江平镇 */
  scope: string;
}

export const OFFICE_ID = 10001;

// Invented names; the leaders and the office contact are the campaign's own.
const INSPECTOR_NAMES = ['黄志明', '陈丽娟', '刘建国', '梁永辉'];
const LIAISON_NAMES = ['梁晓燕', '莫振华', '苏文婷', '罗家豪'];
const CONTACT_NAMES = ['王春梅', '黎国强', '覃雪莲', '韦宝山'];

/** Ids by position: group i has 20001+100i (inspector), +1 (leader), +2 (liaison); town i 30001+100i. */
export function demoPersonas(campaign: Campaign): Persona[] {
  const persona = (id: number, name: string, role: Role, groupId?: string, townId?: string): Persona => ({
    id,
    name,
    role,
    ...(groupId ? { groupId } : {}),
    ...(townId ? { townId } : {}),
    roleLabel: roleLabels[role],
    scope: role === 'office' ? campaign.office.shortName : scopeLabel(campaign, groupId, townId),
  });
  const people = [persona(OFFICE_ID, campaign.office.contact, 'office')];
  campaign.groups.forEach((g, i) => {
    const base = 20001 + 100 * i;
    people.push(
      persona(base, INSPECTOR_NAMES[i] ?? `检查员${i + 1}`, 'inspector', g.id),
      persona(base + 1, g.leader.name, 'leader', g.id),
      persona(base + 2, LIAISON_NAMES[i] ?? `联络员${i + 1}`, 'liaison', g.id),
    );
  });
  campaign.towns.forEach((t, i) => {
    people.push(
      persona(30001 + 100 * i, CONTACT_NAMES[i] ?? `联络人${i + 1}`, 'town_contact', undefined, t.id),
    );
  });
  return people;
}

export interface EnrolDeps {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  emulator: TelegramEmulator;
  /** Sets the office's command menu, which no invite does for the first office member. */
  setCommands: (chatId: number, commands: { command: string; description: string }[]) => Promise<unknown>;
}

/** Enrol whoever of the personas is missing; returns the names of those enrolled now. */
export async function enrolDemoPeople(deps: EnrolDeps, personas: readonly Persona[]): Promise<string[]> {
  const { store, clock, campaign, emulator } = deps;
  const enrolled: string[] = [];
  const officePersona = personas.find((p) => p.role === 'office');
  if (!officePersona) throw new Error('the demo needs an office persona');
  let office = await store.getPerson(String(officePersona.id));
  if (!office) {
    // The first office member cannot be invited by anyone: stored directly, as a deployment does.
    const at = clock.now().toISOString();
    office = await store.putPerson({
      id: String(officePersona.id),
      grants: [{ role: 'office', at, by: 'setup' }],
      chatId: officePersona.id,
      displayName: officePersona.name,
      lastUpdateId: 0,
      session: {},
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
    await deps.setCommands(officePersona.id, commandsFor(['office']));
    await emulator.sendText(userOf(officePersona), '/start');
    enrolled.push(officePersona.name);
  }
  for (const persona of personas) {
    if (persona.role === 'office' || (await store.getPerson(String(persona.id)))) continue;
    const invite = await createInvite({ store, clock }, office as Person, campaign, {
      role: persona.role,
      ...(persona.groupId ? { groupId: persona.groupId } : {}),
      ...(persona.townId ? { townId: persona.townId } : {}),
    });
    await emulator.sendText(userOf(persona), `/start ${invite.code}`);
    if (!(await store.getPerson(String(persona.id))))
      throw new Error(`demo person ${persona.id} did not join (see the bot's reply in the chat)`);
    enrolled.push(persona.name);
  }
  return enrolled;
}

export const userOf = (p: Persona) => ({ id: p.id, firstName: p.name });

export interface DemoInvite {
  label: string;
  url: string;
}

/**
 * One-time invite links for each demo role, for real Telegram: the office's first, then each
 * group's inspector, leader and liaison, then each town's contact.
 */
export async function demoInvites(
  deps: { store: Store; clock: Clock },
  actor: Person,
  campaign: Campaign,
  botUsername: string,
): Promise<DemoInvite[]> {
  const out: DemoInvite[] = [];
  for (const p of demoPersonas(campaign)) {
    const invite = await createInvite(deps, actor, campaign, {
      role: p.role,
      ...(p.groupId ? { groupId: p.groupId } : {}),
      ...(p.townId ? { townId: p.townId } : {}),
    });
    out.push({
      label: p.role === 'office' ? p.roleLabel : `${p.roleLabel}(${p.scope})`,
      url: `https://t.me/${botUsername}?start=${invite.code}`,
    });
  }
  return out;
}
