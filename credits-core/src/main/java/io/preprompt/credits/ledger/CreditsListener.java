package io.preprompt.credits.ledger;

/**
 * Told after each committed change, for live balance updates. Called once per change, on the thread
 * that made it, once the change is durable: right after the store's commit, or, for a store working
 * inside the host's transaction, after the host commits (never when it rolls back; see
 * {@link io.preprompt.credits.spi.CreditStore#whenDurable}). An exception thrown here is logged and
 * does not undo anything.
 */
@FunctionalInterface
public interface CreditsListener {
  /**
   * Receives a committed change.
   *
   * @param change the entries appended and the balance after them
   */
  void onCommitted(CommittedChange change);
}
