package io.preprompt.credits.spi;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Objects;

/**
 * Points at an active hold, as returned by {@link CreditStore#findHoldsPastDeadline}.
 *
 * @param account the hold's account
 * @param hold the hold
 * @param deadline its deadline
 */
public record HoldRef(AccountId account, HoldId hold, Instant deadline) {
  /**
   * Checks non-null fields.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param deadline its deadline
   */
  public HoldRef {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(deadline, "deadline");
  }
}
