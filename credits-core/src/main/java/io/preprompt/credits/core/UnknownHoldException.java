package io.preprompt.credits.core;

/**
 * The account has no such hold. A hold of another account is reported the same way, so one account
 * learns nothing about another's holds.
 */
public final class UnknownHoldException extends StateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param account the account asked
   * @param hold the hold asked for
   */
  public UnknownHoldException(AccountId account, HoldId hold) {
    super(ErrorCode.HOLD_NOT_FOUND, "account " + account.value() + " has no hold " + hold.value());
  }
}
