package io.preprompt.credits.spi;

/** What {@link CreditStore#commit} reports. Failures other than a conflict are thrown as {@code StoreException}. */
public enum CommitOutcome {
  /** Everything in the change was written. */
  COMMITTED,
  /**
   * Nothing was written: the stored version was not the expected one, the account already existed
   * when creating, or the idempotency key was taken meanwhile. Core reloads and retries.
   */
  CONFLICT
}
