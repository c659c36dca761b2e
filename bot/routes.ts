// The route table: every command, button kind (the part of callback data before the first ':'),
// chat screen, photo screen, document and location handler of the bot, and the flow answering it.
// Each flow declares its own part (its Handlers); this is the one place they are put together,
// and a key declared by two flows is an error when the bot is built, not a silent override. The
// flows an answer never needs are imported when first used (LAZY_FLOWS), their keys declared here.
//
// Flows import bot/turn.ts for their types and never bot.ts, so bot.ts → routes.ts → flows has
// no circle.

import { helpText, homeScreen } from './home';
import { t } from './messages';
import { surveyHandlers } from './survey-flow';
import type { Handlers, Turn } from './turn';

/** Enrolment (an invite link, its answer): a lazy chunk, as the flows in LAZY_FLOWS are. */
const joinFlow = () => import('./join-flow');

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
    ja: async (turn, [inviteId]) => (await joinFlow()).acceptGrant(turn, inviteId),
    jn: async (turn) => {
      await turn.setScreen('home');
      await turn.show(t.grantDeclined);
    },
  },
  texts: {},
  commands: {
    // `/start <code>` from someone enrolled is an invite for them (asked first); bare, the menu.
    start: async (turn, payload) =>
      payload
        ? (await joinFlow()).join(turn.ctx, turn.deps, payload, turn.uid())
        : turn.send(homeScreen(turn.person)),
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

/**
 * What a flow loaded on first use answers: its keys, declared here so that the route table (and
 * its check that no two flows claim a key) is built without importing the flow.
 * test/unit/routes.test.ts checks that each list is exactly what the flow declares.
 */
export interface FlowKeys {
  callbacks: readonly string[];
  texts: readonly string[];
  commands: readonly string[];
  photos: readonly string[];
  document?: true;
}

/**
 * The flows an answer inside a survey never needs: the village screens (and opening a survey
 * from them), the office's and leader's menus, people, problems and rectification. Each is a
 * lazy chunk of the bundle (infra/bundle.ts), imported by the first update that names one of its
 * keys, so an answer's cold start does not evaluate them (~90 KB of the webhook's ~683).
 */
export const LAZY_FLOWS = {
  village: {
    load: async () => (await import('./village-flow')).villageHandlers,
    keys: {
      callbacks: ['vl', 'vt', 'v', 'up', 'dr', 'dc', 'h', 'hs', 'vs', 'rp', 'rr', 'lr', 'lk', 'os', 'upload'],
      texts: ['onsite_name', 'onsite_reason', 'replace_note'],
      commands: ['villages'],
      photos: [],
      document: true,
    },
  },
  admin: {
    load: async (botUsername: string) => (await import('./admin-flow')).adminHandlers(botUsername),
    keys: {
      callbacks: ['ir', 'ig', 'it', 'sm', 'ack', 'fo', 'rg', 'tg', 'so', 'sk', 'tm'],
      texts: ['signoff_reason'],
      commands: ['invite', 'summary', 'figures', 'report', 'signoffs', 'tomorrow'],
      photos: [],
    },
  },
  people: {
    load: async () => (await import('./people-flow')).peopleHandlers,
    keys: {
      callbacks: ['um', 'ul', 'uc', 'ur', 'uy', 'ud', 'ux', 'ua', 'ui', 'uk'],
      texts: [],
      commands: ['people'],
      photos: [],
    },
  },
  problem: {
    load: async () => (await import('./problem-flow')).problemHandlers,
    keys: {
      callbacks: [
        'pc',
        'pt',
        'pv',
        'ph',
        'pp',
        'pe',
        'pn',
        'pa',
        'py',
        'pl',
        'po',
        'px',
        'pw',
        'pq',
        'pg',
        'pz',
      ],
      texts: ['problem_desc', 'problem_edit'],
      commands: ['problem', 'problems', 'proposals'],
      photos: ['problem_photo', 'problem_desc'],
    },
  },
  rectification: {
    load: async () => (await import('./rectification-flow')).rectificationHandlers,
    keys: {
      callbacks: ['zm', 'zr', 'zd', 'zv', 'zj', 'zk'],
      texts: [
        'rect_measures',
        'rect_responsible',
        'rect_done',
        'rect_date',
        'rect_delay_reason',
        'rect_reject',
      ],
      commands: [],
      photos: [],
    },
  },
} as const satisfies Record<string, { load: (botUsername: string) => Promise<Handlers>; keys: FlowKeys }>;

/** A flow's table whose handlers import the flow on their first call and hand the update to it. */
export function lazyFlow(load: () => Promise<Handlers>, keys: FlowKeys): Handlers {
  let loading: Promise<Handlers> | undefined;
  const flow = () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined; // a failed import is tried again by the next update
      throw err;
    }));
  const forwards = <K extends 'callbacks' | 'texts' | 'commands' | 'photos'>(
    table: K,
    names: readonly string[],
  ) =>
    Object.fromEntries(
      names.map((name) => {
        const forward = async (turn: Turn, arg: unknown) => {
          // Each table's handlers take the turn and one argument (args, text, payload or photo).
          const handler = (await flow())[table]?.[name] as
            | ((turn: Turn, arg: unknown) => Promise<void>)
            | undefined;
          if (!handler) throw new Error(`${table} "${name}" is declared for a flow that does not answer it`);
          await handler(turn, arg);
        };
        return [name, forward];
      }),
    ) as NonNullable<Handlers[K]>;
  const document = async (turn: Turn) => {
    const handler = (await flow()).document;
    if (!handler) throw new Error('a document is declared for a flow that does not answer it');
    await handler(turn);
  };
  return {
    callbacks: forwards('callbacks', keys.callbacks),
    texts: forwards('texts', keys.texts),
    commands: forwards('commands', keys.commands),
    photos: forwards('photos', keys.photos),
    ...(keys.document ? { document } : {}),
  };
}

/** The bot's whole route table. */
export function routeTable(botUsername: string): Handlers {
  const lazily = (name: keyof typeof LAZY_FLOWS) => {
    const { load, keys } = LAZY_FLOWS[name];
    return [name, lazyFlow(() => load(botUsername), keys)] as const;
  };
  const table: Handlers = combine([
    ['core', core(() => table)],
    ['survey', surveyHandlers],
    lazily('village'),
    lazily('admin'),
    lazily('people'),
    lazily('problem'),
    lazily('rectification'),
  ]);
  return table;
}
