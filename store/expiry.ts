// Retention in the table: every item the store writes carries the TTL attribute (store/table.ts,
// epoch seconds), so DynamoDB deletes the campaign's personal data — people, lists, samples,
// surveys, problems, audit trail, everything — `retention.daysAfterEnd` after the campaign ends
// (domain/campaign.ts retentionExpiry). The stamp is put on in one place, the client every module
// of the store sends through (DynamoStore wraps it), so no write path can forget it, including
// ones added later.
//
// - The store learns the campaign when it reads or writes it (the functions, the CLIs and npm start
//   all read their campaign before anything else). With several campaigns in one table the latest
//   expiry wins: a person or an audit event is not tied to one campaign, and nothing may vanish
//   before any campaign it may belong to is past its retention. Before a campaign is known
//   nothing is stamped (kept, never deleted early).
// - A put carries the stamp, or keeps its own TTL when that is earlier (an invite vanishes some
//   days after it expires, a replaced list's chunks sooner). An update sets the stamp only where
//   the item has none (`if_not_exists`): it never lengthens the short life of an invite, and an
//   item first written before the campaign was known gets it on its next update. So a changed
//   retention reaches an item with its next put; `npm run archive` reports the items' expiry.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Campaign, retentionExpiry } from '../domain/campaign';
import { TABLE } from './table';

type Retained = Pick<Campaign, 'id' | 'timeZone' | 'campaignEnd' | 'deadlines' | 'retention'>;

const TTL = TABLE.ttlAttribute;
/** Placeholders of our own, unlikely to collide with a module's (#a0, :one, #version…). */
const NAME = '#retentionTtl';
const VALUE = ':retentionTtl';

export class ItemExpiry {
  readonly #campaigns = new Map<string, Retained>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** The campaign whose data the store writes (again: a reloaded file replaces the old one). */
  learn(campaign: Retained): void {
    this.#campaigns.set(campaign.id, campaign);
  }

  /** Epoch seconds for an item written now; undefined while no campaign with an end is known. */
  current(): number | undefined {
    const now = this.#now();
    let latest: number | undefined;
    for (const c of this.#campaigns.values()) {
      const at = retentionExpiry(c, now);
      if (at !== undefined && (latest === undefined || at > latest)) latest = at;
    }
    return latest;
  }

  /** The command with the TTL attribute added (Put and Update; anything else as it is). */
  stamp<C>(command: C): C {
    const at = this.current();
    if (at === undefined) return command;
    if (command instanceof PutCommand) {
      const item = command.input.Item ?? {};
      const own = item[TTL];
      return new PutCommand({
        ...command.input,
        Item: { ...item, [TTL]: typeof own === 'number' ? Math.min(own, at) : at },
      }) as C;
    }
    if (command instanceof UpdateCommand) {
      const input = command.input;
      const names = input.ExpressionAttributeNames ?? {};
      const expression = input.UpdateExpression ?? '';
      // A module that sets the TTL itself decides it.
      if (Object.values(names).includes(TTL) || new RegExp(`\\b${TTL}\\b`).test(expression)) return command;
      return new UpdateCommand({
        ...input,
        UpdateExpression: withSet(expression, `${NAME} = if_not_exists(${NAME}, ${VALUE})`),
        ExpressionAttributeNames: { ...names, [NAME]: TTL },
        ExpressionAttributeValues: { ...input.ExpressionAttributeValues, [VALUE]: at },
      }) as C;
    }
    return command;
  }
}

/** Adds one assignment to the SET clause of an update expression (or a SET clause to it). */
export function withSet(expression: string, assignment: string): string {
  const set = /(^|\s)SET\s/i.exec(expression);
  if (!set) return `SET ${assignment}${expression.trim() ? ` ${expression.trim()}` : ''}`;
  const at = set.index + set[0].length;
  return `${expression.slice(0, at)}${assignment}, ${expression.slice(at)}`;
}

/** The client the store's modules send through: every write stamped by `expiry`. */
export function expiringClient(client: DynamoDBDocumentClient, expiry: ItemExpiry): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'send') {
        return (command: unknown, ...rest: unknown[]) =>
          (target.send as (...args: unknown[]) => unknown)(expiry.stamp(command), ...rest);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
