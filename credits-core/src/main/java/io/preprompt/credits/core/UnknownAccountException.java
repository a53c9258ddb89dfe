package io.preprompt.credits.core;

/** The account does not exist (it was never opened). */
public final class UnknownAccountException extends StateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param account the account asked for
   */
  public UnknownAccountException(AccountId account) {
    super(ErrorCode.ACCOUNT_NOT_FOUND, "account " + account.value() + " does not exist");
  }
}
