package io.preprompt.credits.gate;

import io.preprompt.credits.core.AccountId;

/**
 * Told when an authorization (or a support removal) leaves an account low, so the app can warn
 * before it blocks: available credits fell below the configured threshold, or below the cost of the
 * account's typical generation (the median of its recent estimates). Like a
 * {@link io.preprompt.credits.ledger.CreditsListener}, it is told only once the change is durable:
 * inside the host's transaction, after the host commits, never when it rolls back.
 */
@FunctionalInterface
public interface LowBalanceListener {
  /**
   * Receives the signal.
   *
   * @param account the account
   * @param available credits available after the change
   * @param typicalCost the account's typical generation cost: the median of its recent estimates
   * @param threshold the configured threshold
   */
  void onLowBalance(AccountId account, long available, long typicalCost, long threshold);
}
