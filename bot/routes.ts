// The route table: every command, button kind (the part of callback data before the first ':'),
// chat screen, photo screen, document and location handler of the bot, and the flow answering it.
// Each flow declares its own part (its Handlers); this is the one place they are put together,
// and a key declared by two flows is an error when the bot is built, not a silent override.
//
// Flows import bot/turn.ts for their types and never bot.ts, so bot.ts → routes.ts → flows has
// no circle.

import { adminHandlers } from './admin-flow';
import { helpText, homeScreen } from './home';
import { acceptGrant, join } from './join-flow';
import { t } from './messages';
import { peopleHandlers } from './people-flow';
import { problemHandlers } from './problem-flow';
import { rectificationHandlers } from './rectification-flow';
import { surveyHandlers } from './survey-flow';
import type { Handlers } from './turn';
import { villageHandlers } from './village-flow';

/** What every person has whatever they hold: the menu, /start, /help, 取消, an invite's answer. */
const core = (table: () => Handlers): Handlers => ({
  callbacks: {
    // Menu buttons (m:<command>) do what the command does.
    m: async (turn, [name]) => {
      const commands = table().commands;
      const command = name && Object.hasOwn(commands, name) ? commands[name] : undefined;
      if (command) await command(turn, '');
      else await turn.send(t.unknownButton);
    },
    cn: async (turn) => table().commands.cancel?.(turn, ''),
    ja: (turn, [inviteId]) => acceptGrant(turn, inviteId),
    jn: async (turn) => {
      await turn.setScreen('home');
      await turn.show(t.grantDeclined);
    },
  },
  texts: {},
  commands: {
    // `/start <code>` from someone enrolled is an invite for them (asked first); bare, the menu.
    start: async (turn, payload) =>
      payload ? join(turn.ctx, turn.deps, payload, turn.uid()) : turn.send(homeScreen(turn.person)),
    menu: async (turn) => turn.send(homeScreen(turn.person)),
    help: async (turn) => turn.send(helpText(turn.person)),
  },
});

type Part = readonly [flow: string, handlers: Handlers];

/** Puts the flows' tables together; a key two flows declare is refused with both names. */
export function combine(parts: readonly Part[]): Handlers {
  const owner = new Map<string, string>();
  const claim = (table: string, key: string, flow: string) => {
    const id = `${table} "${key}"`;
    const first = owner.get(id);
    if (first) throw new Error(`route ${id} declared by both ${first} and ${flow}`);
    owner.set(id, flow);
  };
  const merged: Handlers = { callbacks: {}, texts: {}, commands: {}, photos: {} };
  for (const [flow, h] of parts) {
    for (const table of ['callbacks', 'texts', 'commands', 'photos'] as const) {
      for (const [key, handler] of Object.entries(h[table] ?? {})) {
        claim(table, key, flow);
        Object.assign(merged[table] ?? {}, { [key]: handler });
      }
    }
    if (h.document) {
      claim('document', '', flow);
      merged.document = h.document;
    }
    if (h.location) {
      claim('location', '', flow);
      merged.location = h.location;
    }
  }
  return merged;
}

/** The bot's whole route table. */
export function routeTable(botUsername: string): Handlers {
  const table: Handlers = combine([
    ['core', core(() => table)],
    ['survey', surveyHandlers],
    ['village', villageHandlers],
    ['admin', adminHandlers(botUsername)],
    ['people', peopleHandlers],
    ['problem', problemHandlers],
    ['rectification', rectificationHandlers],
  ]);
  return table;
}
