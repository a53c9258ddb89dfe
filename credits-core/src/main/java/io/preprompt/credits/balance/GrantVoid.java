package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of voiding a grant: what remained of its lot left the balance; what was already used
 * or is held by active holds was not taken.
 *
 * @param account the account
 * @param lot the voided lot
 * @param source the lot's source
 * @param voided credits that remained and were removed (a {@code DEBIT} ledger entry with {@code void=true})
 * @param held credits active holds reserved from the lot, left to them: what they settle is spent,
 *     what they return expires at once
 * @param used credits of the lot already gone before the void (settled, expired, debited)
 * @param at when
 */
public record GrantVoid(AccountId account, LotId lot, LotSource source, long voided, long held, long used,
    Instant at) {
  /**
   * Checks non-null fields and non-negative amounts.
   *
   * @param account the account
   * @param lot the voided lot
   * @param source the lot's source
   * @param voided credits removed
   * @param held credits left to active holds
   * @param used credits already gone before the void
   * @param at when
   */
  public GrantVoid {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(lot, "lot");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(at, "at");
    if (voided < 0 || held < 0 || used < 0) {
      throw new IllegalArgumentException("amounts must not be negative");
    }
  }
}
