// The refusals of the app's use cases: what a person asked cannot be done, for a reason they can
// be told (bot/bot.ts turns each into its Chinese answer; the CLIs print them). In one small module
// of their own so that answering them does not import the use cases that raise them: the bot's
// flows beyond the survey are loaded on first use (bot/routes.ts LAZY_FLOWS), and importing an
// error class from app/people.ts would put all of app/people.ts in every cold start. A use-case
// module re-exports those its callers (CLIs, tests) already import from it.

// ---------------------------------------------------------------------------------------------
// Household lists and samples (app/lists.ts)

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

// ---------------------------------------------------------------------------------------------
// People and invites (app/people.ts)

export class InviteInputError extends Error {
  override readonly name = 'InviteInputError';
  constructor(readonly reason: 'group_required' | 'town_required' | 'unknown_group' | 'unknown_town') {
    super(reason);
  }
}

/** The person was deactivated by the office: nothing they send is acted on. */
export class PersonDeactivatedError extends Error {
  override readonly name = 'PersonDeactivatedError';
  constructor(readonly personId: string) {
    super(`person ${personId} is deactivated`);
  }
}

/** Deactivating oneself would lock the office out of its own campaign. */
export class SelfDeactivationError extends Error {
  override readonly name = 'SelfDeactivationError';
  constructor(readonly personId: string) {
    super(`person ${personId} may not deactivate themselves`);
  }
}

// ---------------------------------------------------------------------------------------------
// Problems and proposals (app/problems.ts)

/** How a problem's description reads: long and concrete enough, or not. */
export type DescriptionVerdict = 'ok' | 'too_short' | 'vague';

export type ProblemRefusal =
  | Exclude<DescriptionVerdict, 'ok'>
  | 'unknown_category'
  | 'unknown_village'
  | 'unknown_problem'
  | 'unknown_proposal'
  /** The town (or anyone but the reporter) has acted on it: the reporter can no longer change it. */
  | 'town_acted'
  | 'withdrawn'
  /** A proposal already recorded as a problem cannot be declined (withdraw the problem instead). */
  | 'proposal_confirmed'
  /** Its survey's answers changed since and no longer raise it. */
  | 'proposal_stale'
  /** Its survey was returned for correction: its answers are being changed. */
  | 'proposal_survey_returned'
  /** Reworded (a re-import, a resubmit) since the message whose button was tapped was shown. */
  | 'proposal_reworded'
  /** 全部确认: the queue is not the one its prompt counted (proposals came, went or were reworded). */
  | 'queue_changed';

export class ProblemInputError extends Error {
  override readonly name = 'ProblemInputError';
  constructor(readonly reason: ProblemRefusal) {
    super(reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Summaries (app/summaries.ts)

export class UnknownTownError extends Error {
  override readonly name = 'UnknownTownError';
  readonly code = 'unknown_town';
  constructor(readonly townId: string) {
    super(`本次检查没有编号为 ${townId} 的镇`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reminders and tomorrow's village (app/reminders.ts)

export class ReminderInputError extends Error {
  override readonly name = 'ReminderInputError';
  constructor(readonly reason: 'unknown_reminder' | 'unknown_village' | 'bad_date' | 'past_date') {
    super(reason);
  }
}
