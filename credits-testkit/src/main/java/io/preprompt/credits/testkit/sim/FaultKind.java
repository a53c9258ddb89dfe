package io.preprompt.credits.testkit.sim;

/** The faults a {@link FaultInjectingStore} can inject into the store calls of one operation. */
public enum FaultKind {
  /**
   * The commit throws a {@code StoreException} before anything reaches the store: nothing is written,
   * and the exception says so ({@code NOT_APPLIED}).
   */
  FAIL_BEFORE_COMMIT,
  /**
   * The commit reaches the store and is written, then the caller gets a {@code StoreException}: the
   * result is lost and the outcome is unknown to the caller ({@code UNKNOWN}) until it retries with the
   * same key.
   */
  FAIL_AFTER_COMMIT,
  /** The commit is delayed before it reaches the store, widening every race window. */
  SLOW_COMMIT,
  /**
   * A load returns an older snapshot of the account than the store holds, as a lagging replica or
   * cache would: the version check must reject the commit computed from it.
   */
  STALE_READ,
  /**
   * Not a store fault: the billing gateway's next request throws (the billing system is down), as a
   * host's gateway does when its payment provider cannot be reached.
   */
  GATEWAY_REFUSES,
  /**
   * Not a store fault: the billing gateway's next request takes twenty minutes of the simulation's
   * clock (longer than a charge claim lasts), so other instances may take the request meanwhile.
   */
  GATEWAY_SLOW
}
