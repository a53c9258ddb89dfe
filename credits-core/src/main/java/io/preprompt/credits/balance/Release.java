package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of releasing a hold (or of its expiry).
 *
 * @param account the account
 * @param hold the hold
 * @param returned credits returned to the balance
 * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
 * @param at when it was released
 */
public record Release(AccountId account, HoldId hold, long returned, long expiredOnReturn, Instant at) {
  /**
   * Checks non-null fields.
   *
   * @param account the account
   * @param hold the hold
   * @param returned credits returned to the balance
   * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
   * @param at when it was released
   */
  public Release {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(at, "at");
  }
}
