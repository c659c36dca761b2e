// People as fixtures: grants from roles and one scope, as an invite would give them.

import type { Role } from '../../domain/campaign';
import { type Grant, normalGrant } from '../../domain/grants';

/** One grant per role, each over the given group (group roles) or town (town contact). */
export function grantsOf(roles: readonly Role[], scope: { groupId?: string; townId?: string } = {}): Grant[] {
  return roles.map((role) => normalGrant({ role, ...scope }));
}
