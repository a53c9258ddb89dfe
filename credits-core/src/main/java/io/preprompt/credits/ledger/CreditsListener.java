package io.preprompt.credits.ledger;

/**
 * Told after each committed change, for live balance updates. Called on the thread that made the
 * change, after the commit; an exception thrown here is logged and does not undo anything.
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
