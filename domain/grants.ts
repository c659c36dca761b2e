// Roles as grants (DOMAIN.md §10): a person holds a set of (role, scope) grants, each given by one
// invite (or by the office on the command line). Every permission question is "does a grant of
// this person cover this object?", so holding a role somewhere never lends it elsewhere: the
// leader of 第一组 who is also an inspector of 第二组 cannot return or sign off for 第二组.
// A deactivated person holds no effective grant at all.

import type { Role } from './campaign';

export const GROUP_ROLES = ['leader', 'liaison', 'inspector'] as const satisfies readonly Role[];
export type GroupRole = (typeof GROUP_ROLES)[number];

export interface Grant {
  role: Role;
  /** leader, liaison, inspector: the group. */
  groupId?: string;
  /** town_contact: the town. */
  townId?: string;
  /** When and by whom it was given (an invite's issuer, the CLI's operator). */
  at?: string;
  by?: string;
}

export interface Deactivation {
  at: string;
  by: string;
}

/** The part of a person that permissions read. */
export interface GrantHolder {
  id: string;
  grants: readonly Grant[];
  deactivated?: Deactivation;
}

export const isGroupRole = (role: Role): role is GroupRole => (GROUP_ROLES as readonly Role[]).includes(role);

/** The scope a role needs: a group, a town, or none (the office). */
export function scopeKindOf(role: Role): 'group' | 'town' | 'none' {
  if (isGroupRole(role)) return 'group';
  return role === 'town_contact' ? 'town' : 'none';
}

/** A grant's identity (role and scope), e.g. "inspector@g2", "town_contact@t:malu", "office". */
export function grantKey(g: Pick<Grant, 'role' | 'groupId' | 'townId'>): string {
  const kind = scopeKindOf(g.role);
  if (kind === 'group') return `${g.role}@g.${g.groupId ?? ''}`;
  if (kind === 'town') return `${g.role}@t.${g.townId ?? ''}`;
  return g.role;
}

export function sameGrant(a: Pick<Grant, 'role' | 'groupId' | 'townId'>, b: typeof a): boolean {
  return grantKey(a) === grantKey(b);
}

/** Only the fields that make the grant (a scope the role does not use is dropped). */
export function normalGrant(g: Grant): Grant {
  const kind = scopeKindOf(g.role);
  return {
    role: g.role,
    ...(kind === 'group' && g.groupId ? { groupId: g.groupId } : {}),
    ...(kind === 'town' && g.townId ? { townId: g.townId } : {}),
    ...(g.at ? { at: g.at } : {}),
    ...(g.by ? { by: g.by } : {}),
  };
}

/** The grants that count: none for a deactivated person. */
export function effectiveGrants(p: Pick<GrantHolder, 'grants' | 'deactivated'>): readonly Grant[] {
  return p.deactivated ? [] : p.grants;
}

export function isActive(p: Pick<GrantHolder, 'deactivated'>): boolean {
  return p.deactivated === undefined;
}

/** Distinct roles, in the order they were granted. */
export function rolesOf(p: Pick<GrantHolder, 'grants' | 'deactivated'>): Role[] {
  return [...new Set(effectiveGrants(p).map((g) => g.role))];
}

export function hasRole(p: Pick<GrantHolder, 'grants' | 'deactivated'>, ...roles: Role[]): boolean {
  return effectiveGrants(p).some((g) => roles.includes(g.role));
}

/** Whether the person holds `role` over exactly this scope. */
export function holds(
  p: Pick<GrantHolder, 'grants' | 'deactivated'>,
  grant: Pick<Grant, 'role' | 'groupId' | 'townId'>,
): boolean {
  return effectiveGrants(p).some((g) => sameGrant(g, grant));
}

/** Groups in which the person holds one of `roles` (default: any group role), in grant order. */
export function groupsOf(
  p: Pick<GrantHolder, 'grants' | 'deactivated'>,
  roles: readonly Role[] = GROUP_ROLES,
): string[] {
  return [
    ...new Set(effectiveGrants(p).flatMap((g) => (roles.includes(g.role) && g.groupId ? [g.groupId] : []))),
  ];
}

/** Towns the person is the contact of. */
export function contactTownsOf(p: Pick<GrantHolder, 'grants' | 'deactivated'>): string[] {
  return [
    ...new Set(effectiveGrants(p).flatMap((g) => (g.role === 'town_contact' && g.townId ? [g.townId] : []))),
  ];
}

/** Whether one of the person's grants in `groupId` has one of `roles`. */
export function holdsInGroup(
  p: Pick<GrantHolder, 'grants' | 'deactivated'>,
  groupId: string,
  roles: readonly Role[] = GROUP_ROLES,
): boolean {
  return effectiveGrants(p).some((g) => g.groupId === groupId && roles.includes(g.role));
}

/** Grants from the pre-grant layout (one role list with one group and one town). */
export function grantsFromLegacy(legacy: { roles?: unknown; groupId?: unknown; townId?: unknown }): Grant[] {
  const roles = Array.isArray(legacy.roles) ? (legacy.roles as Role[]) : [];
  const groupId = typeof legacy.groupId === 'string' ? legacy.groupId : undefined;
  const townId = typeof legacy.townId === 'string' ? legacy.townId : undefined;
  return roles.map((role) =>
    normalGrant({ role, ...(groupId ? { groupId } : {}), ...(townId ? { townId } : {}) }),
  );
}
