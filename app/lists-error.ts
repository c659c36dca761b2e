// The household lists' refusals (app/lists.ts), in a module of their own: the bot answers them
// wherever they come from (bot/bot.ts), and importing them must not pull the list use cases (and
// the list checks behind them) into what every cold start evaluates; the village screens that
// use those are loaded on first use (bot/routes.ts LAZY_FLOWS).

export type ListsErrorCode =
  | 'unknown_village'
  | 'sample_locked'
  | 'no_list'
  | 'no_sample'
  | 'list_changed'
  | 'empty_seed'
  | 'not_in_sample'
  | 'not_selected'
  | 'unknown_reason'
  | 'note_required'
  | 'name_required'
  | 'reason_required'
  | 'on_site_duplicate'
  | 'busy'
  | 'already_started'
  | 'list_changed_meanwhile'
  | 'staged_missing'
  | 'wrong_village';

/** A refusal the user can act on; `message` is Chinese and shown as is. */
export class ListsError extends Error {
  override readonly name = 'ListsError';
  constructor(
    readonly code: ListsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
