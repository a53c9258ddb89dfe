package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of settling a hold.
 *
 * @param account the account
 * @param hold the hold
 * @param settled credits spent
 * @param returned credits returned to the balance (held minus settled, less what expired)
 * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
 * @param at when it was settled
 */
public record Settlement(AccountId account, HoldId hold, long settled, long returned, long expiredOnReturn,
    Instant at) {
  /**
   * Checks non-null fields.
   *
   * @param account the account
   * @param hold the hold
   * @param settled credits spent
   * @param returned credits returned to the balance (held minus settled, less what expired)
   * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
   * @param at when it was settled
   */
  public Settlement {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(at, "at");
  }
}
