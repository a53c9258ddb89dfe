package io.preprompt.credits.spi;

/**
 * What {@link CreditStore#commit} reports. Failures other than a conflict are thrown as
 * {@code StoreException}.
 */
public enum CommitOutcome {
  /** Everything in the change was written and is durable: nothing can undo it any more. */
  COMMITTED,
  /**
   * Everything in the change was written into a transaction the store does not own (the host's):
   * it becomes durable when the host commits and disappears when the host rolls back. Core treats
   * the call as done, but never runs a later call on the state it wrote without reading it again,
   * and tells its listeners only when the store runs what core handed to
   * {@link CreditStore#whenDurable}.
   */
  WRITTEN_IN_HOST_TRANSACTION,
  /**
   * Nothing was written: the stored version was not the expected one, the account already existed
   * when creating, a hold to end was no longer active, or the idempotency key was taken meanwhile.
   * Core reads the account again and retries.
   */
  CONFLICT
}
