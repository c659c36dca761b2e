// Typed storage-outcome errors. Adapters (DynamoDB, in-memory) raise them by intent so use cases
// and the bot can react (re-read and retry, ignore a repeat, tell the user) without knowing which
// engine answered. Anything else a store throws is a real failure and must surface.

/** Which aggregate an error is about; also the `entity` attribute every stored item carries. */
export type EntityName =
  | 'campaign'
  | 'person'
  | 'invite'
  | 'householdList'
  | 'sample'
  | 'survey'
  | 'problem'
  | 'snapshot'
  | 'delivery'
  | 'audit'
  | 'grant'
  | 'villageAggregate';

/** The item changed since it was read (optimistic lock): re-read, re-apply, retry. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly code = 'conflict';
  constructor(
    readonly entity: EntityName,
    readonly id: string,
    readonly expectedVersion: number,
    /** The stored version when the engine told us (absent if it did not). */
    readonly actualVersion?: number,
  ) {
    super(
      `${entity} ${id}: expected version ${expectedVersion}` +
        (actualVersion === undefined ? '' : `, found ${actualVersion}`),
    );
  }
}

/** This Telegram update (or an older one) was already applied to the person: a repeat, a no-op. */
export class DuplicateUpdateError extends Error {
  override readonly name = 'DuplicateUpdateError';
  readonly code = 'duplicate_update';
  constructor(
    readonly personId: string,
    readonly updateId: number,
    readonly lastUpdateId: number,
  ) {
    super(`person ${personId}: update ${updateId} already processed (last ${lastUpdateId})`);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
  constructor(
    readonly entity: EntityName,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A create-once write found the item already there (a sample is locked once drawn, …). */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  readonly code = 'already_exists';
  constructor(
    readonly entity: EntityName,
    readonly id: string,
  ) {
    super(`${entity} ${id} already exists`);
  }
}

/** An invite that exists but cannot be used: taken by someone else, or past its expiry. */
export class InviteUnusableError extends Error {
  override readonly name = 'InviteUnusableError';
  readonly code = 'invite_unusable';
  constructor(
    readonly inviteCode: string,
    /** 'used_before': the person's own invite, whose grant was given and since taken away. */
    readonly reason: 'used' | 'used_before' | 'expired' | 'cancelled',
  ) {
    // The code is a bearer secret until used: keep it out of the message (messages end up in logs).
    super(`invite is ${reason}`);
  }
}

/**
 * The village's sample is drawn, so its household list is locked (an upload arriving after a
 * draw, even one that started before it, is refused rather than replacing the list the sample was
 * drawn from).
 */
export class SampleLockedError extends Error {
  override readonly name = 'SampleLockedError';
  readonly code = 'sample_locked';
  constructor(readonly villageId: string) {
    super(`village ${villageId}: the sample is drawn, the household list is locked`);
  }
}

/** A pick that was replaced cannot be started or marked surveyed. */
export class PickReplacedError extends Error {
  override readonly name = 'PickReplacedError';
  readonly code = 'pick_replaced';
  constructor(readonly villageId: string) {
    super(`village ${villageId}: the household was replaced in the sample`);
  }
}

export type StoreOutcomeError =
  | ConflictError
  | DuplicateUpdateError
  | NotFoundError
  | AlreadyExistsError
  | InviteUnusableError
  | SampleLockedError
  | PickReplacedError;
