// The route table (issue 19, "a front end that is easy to change"): every command, button kind
// and screen is routed once, from one table. A key two flows declare is refused when the bot is
// built; every button a flow puts on a screen, every command a role is offered and every menu
// button has a route. The buttons are found by reading bot/'s source with the TypeScript parser
// (each `btn(text, '<kind>', …)` call), so a new button without a handler fails here, not in a
// village.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { homeScreen } from '../../bot/home';
import { commandsFor } from '../../bot/labels';
import { parseCallback } from '../../bot/render';
import { combine, LAZY_FLOWS, lazyFlow, routeTable } from '../../bot/routes';
import type { Handlers } from '../../bot/turn';
import { ROLES } from '../../domain/campaign';
import type { Person } from '../../domain/model';

const nothing = async () => {};
const table = routeTable('inspection_test_bot');

/** The kinds of every `btn(text, '<kind>', …)` written in bot/, with the file that writes it. */
function buttonKindsInSource(): Map<string, string> {
  const dir = join(import.meta.dirname, '../../bot');
  const kinds = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'btn') {
        const kind = node.arguments[1];
        if (kind && ts.isStringLiteral(kind)) kinds.set(kind.text, file);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return kinds;
}

const everyone: Person = {
  id: '1',
  grants: [
    { role: 'office' },
    { role: 'leader', groupId: 'g1' },
    { role: 'liaison', groupId: 'g1' },
    { role: 'inspector', groupId: 'g1' },
    { role: 'town_contact', townId: 'dongxing' },
  ],
  lastUpdateId: 0,
  session: {},
  version: 1,
  createdAt: '2017-10-30T00:00:00Z',
  updatedAt: '2017-10-30T00:00:00Z',
};

describe('the route table', () => {
  it('refuses a button kind two flows declare, naming both, when the bot is built', () => {
    const a: Handlers = { callbacks: { zz: nothing }, texts: {}, commands: {} };
    const b: Handlers = { callbacks: { zz: nothing }, texts: {}, commands: {} };
    expect(() =>
      combine([
        ['survey', a],
        ['village', b],
      ]),
    ).toThrow('route callbacks "zz" declared by both survey and village');
  });

  it('refuses a screen or command two flows declare just the same', () => {
    const a: Handlers = { callbacks: {}, texts: { upload: nothing }, commands: { surveys: nothing } };
    expect(() =>
      combine([
        ['one', a],
        ['two', { callbacks: {}, texts: {}, commands: { surveys: nothing } }],
      ]),
    ).toThrow('route commands "surveys" declared by both one and two');
    expect(() =>
      combine([
        ['one', a],
        ['two', { callbacks: {}, texts: { upload: nothing }, commands: {} }],
      ]),
    ).toThrow('route texts "upload" declared by both one and two');
  });

  it('routes every button kind a flow puts on a screen', () => {
    const kinds = buttonKindsInSource();
    // The parser found the buttons (a broken scan would pass everything).
    expect(kinds.size).toBeGreaterThan(40);
    const unrouted = [...kinds].filter(([kind]) => !Object.hasOwn(table.callbacks, kind));
    expect(unrouted).toEqual([]);
  });

  it('routes every command a role is offered, and every button of the home menu', () => {
    for (const role of ROLES) {
      for (const { command } of commandsFor([role])) {
        expect(Object.hasOwn(table.commands, command), `/${command} (${role})`).toBe(true);
      }
    }
    const menu = homeScreen(everyone).buttons.flat();
    expect(menu.length).toBeGreaterThan(8);
    for (const button of menu) {
      const { kind, args } = parseCallback(button.data ?? '');
      expect(kind).toBe('m');
      expect(Object.hasOwn(table.commands, args[0] ?? ''), button.text).toBe(true);
    }
  });

  it('has one handler for documents and one for a location, and /start, /help, 取消 for everyone', () => {
    expect(table.document).toBeTypeOf('function');
    expect(table.location).toBeTypeOf('function');
    for (const command of ['start', 'help', 'menu', 'cancel']) expect(table.commands).toHaveProperty(command);
    for (const kind of ['m', 'cn', 'ja', 'jn']) expect(table.callbacks).toHaveProperty(kind);
  });

  it('declares for each flow loaded on first use exactly the keys the flow answers', async () => {
    for (const [name, { load, keys }] of Object.entries(LAZY_FLOWS)) {
      const flow = await load('inspection_test_bot');
      const own = (h: Record<string, unknown> | undefined) => Object.keys(h ?? {}).sort();
      expect(
        {
          callbacks: own(flow.callbacks),
          texts: own(flow.texts),
          commands: own(flow.commands),
          photos: own(flow.photos),
          document: Boolean(flow.document),
          location: Boolean(flow.location),
        },
        name,
      ).toEqual({
        callbacks: [...keys.callbacks].sort(),
        texts: [...keys.texts].sort(),
        commands: [...keys.commands].sort(),
        photos: [...keys.photos].sort(),
        document: 'document' in keys && keys.document === true,
        location: false,
      });
    }
  });

  it('hands an update to the flow when it is first needed, imports the flow once, and tries again after a failed import', async () => {
    const seen: string[] = [];
    let imports = 0;
    let failNext = true;
    const flow = lazyFlow(
      async () => {
        imports++;
        if (failNext) {
          failNext = false;
          throw new Error('chunk not found');
        }
        return {
          callbacks: { zz: async (_turn, args) => void seen.push(`zz ${args.join(',')}`) },
          texts: { zz_screen: async (_turn, text) => void seen.push(`text ${text}`) },
          commands: {},
        };
      },
      { callbacks: ['zz'], texts: ['zz_screen'], commands: [], photos: [] },
    );
    expect(imports).toBe(0); // building the table imports nothing
    const turn = {} as Parameters<NonNullable<Handlers['document']>>[0];
    await expect(flow.callbacks.zz?.(turn, ['a'])).rejects.toThrow('chunk not found');
    await flow.callbacks.zz?.(turn, ['a', 'b']);
    await flow.texts.zz_screen?.(turn, '你好');
    expect(seen).toEqual(['zz a,b', 'text 你好']);
    expect(imports).toBe(2);
    expect(flow.document).toBeUndefined();
  });
});
