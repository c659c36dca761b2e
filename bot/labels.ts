// How people, grants and scopes read in the chat (zh-CN), shared by every flow module.

import type { Campaign, Role } from '../domain/campaign';
import { effectiveGrants, type Grant } from '../domain/grants';
import type { Person } from '../domain/model';
import { commandsByRole, roleLabels, t } from './messages';

/** 第二组 · 江平镇 (a group and the town it checks), or a town. */
export function scopeLabel(campaign: Campaign, groupId?: string, townId?: string): string {
  const group = campaign.groups.find((g) => g.id === groupId);
  const town = campaign.towns.find((tw) => tw.id === (townId ?? group?.townId));
  return [group?.name, town?.name].filter(Boolean).join(' · ');
}

/** One grant as people read it: 检查员(第二组 · 江平镇). */
export function grantLabel(campaign: Campaign, g: Pick<Grant, 'role' | 'groupId' | 'townId'>): string {
  const scope = scopeLabel(campaign, g.groupId, g.townId);
  return `${roleLabels[g.role]}${scope ? `(${scope})` : ''}`;
}

/** Everything a person holds, e.g. 组长(第一组 · 东兴镇)、检查员(第二组 · 江平镇). */
export function grantsLabel(campaign: Campaign, p: Pick<Person, 'grants' | 'deactivated'>): string {
  const labels = effectiveGrants(p).map((g) => grantLabel(campaign, g));
  return labels.length > 0 ? labels.join('、') : t.noGrants;
}

/** The union of the roles' commands, first role first. */
export function commandsFor(roles: readonly Role[]) {
  const byName = new Map(roles.flatMap((r) => commandsByRole[r]).map((c) => [c.command, c] as const));
  return [...byName.values()];
}

/** A person's name for the office's lists: their Telegram first name, or their id. */
export function personName(p: Pick<Person, 'id' | 'displayName'>): string {
  const name = p.displayName?.trim();
  if (!name) return `用户${p.id}`;
  const chars = [...name];
  return chars.length > 20 ? `${chars.slice(0, 19).join('')}…` : name;
}
