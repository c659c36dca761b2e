// The home menu and /help, by what the person holds.

import type { Button } from '../app/messaging';
import { hasRole, isGroupRole, rolesOf } from '../domain/grants';
import type { Person } from '../domain/model';
import { commandsFor } from './labels';
import { t } from './messages';
import type { Screen } from './render';

export function homeScreen(person: Person): Screen {
  const rows: Button[][] = [];
  const group = rolesOf(person).some(isGroupRole);
  if (group)
    rows.push([
      { text: '🏘 选择村', data: 'm:villages' },
      { text: '▶️ 继续问卷', data: 'm:resume' },
    ]);
  if (hasRole(person, 'town_contact') && !group) rows.push([{ text: '📤 上传名单', data: 'm:villages' }]);
  if (hasRole(person, 'leader')) {
    rows.push([
      { text: '📋 组内问卷', data: 'm:surveys' },
      { text: '✍️ 报告签发', data: 'm:report' },
    ]);
  }
  if (hasRole(person, 'leader', 'liaison')) rows.push([{ text: '📅 明日检查村', data: 'm:tomorrow' }]);
  if (group || hasRole(person, 'office')) rows.push([{ text: '📝 记录问题', data: 'm:problem' }]);
  if (hasRole(person, 'office')) {
    rows.push([
      { text: '📊 汇总表', data: 'm:summary' },
      { text: '🔗 邀请', data: 'm:invite' },
    ]);
    rows.push([
      { text: '🧾 县级数据', data: 'm:figures' },
      { text: '✅ 签发情况', data: 'm:signoffs' },
    ]);
    rows.push([{ text: '👥 人员与权限', data: 'm:people' }]);
  }
  return { text: t.home, buttons: rows };
}

export function helpText(person: Person): string {
  const roles = rolesOf(person);
  const lines = commandsFor(roles)
    .map((c) => (c.command === 'villages' && !roles.some((r) => r !== 'town_contact') ? 'upload' : c.command))
    .filter((c): c is keyof typeof t.helpLine => c in t.helpLine)
    .map((c) => t.helpLine[c]);
  // How to answer a survey is for those who fill surveys (a group's members, or the office's figures).
  return t.help(lines, roles.some(isGroupRole));
}
