package io.preprompt.credits.core;

/**
 * Other writers kept changing the account and the bounded number of optimistic retries ran out.
 * Nothing changed; the call may be retried with the same key.
 */
public final class ConcurrentUpdateException extends CreditsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param account the contended account
   * @param attempts how many commits were tried
   */
  public ConcurrentUpdateException(AccountId account, int attempts) {
    super(ErrorCode.CONCURRENT_UPDATE,
        "account " + account.value() + " changed concurrently on each of " + attempts + " attempts", null);
  }
}
