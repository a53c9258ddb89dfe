package io.preprompt.credits.gate;

import io.preprompt.credits.AccountId;

/** Told when an authorization leaves an account low, so the app can warn before it blocks. */
@FunctionalInterface
public interface LowBalanceListener {
  /**
   * Receives the signal.
   *
   * @param account the account
   * @param available credits available after the authorization
   * @param typicalCost the cost of the generation just authorized (the account's typical generation)
   * @param threshold the configured threshold
   */
  void onLowBalance(AccountId account, long available, long typicalCost, long threshold);
}
