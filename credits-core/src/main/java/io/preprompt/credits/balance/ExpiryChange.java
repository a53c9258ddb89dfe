package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of changing a lot's expiry (an {@code EXPIRY_CHANGED} ledger entry).
 *
 * @param account the account
 * @param lot the lot
 * @param source the lot's source
 * @param previousExpiry the expiry before the change, or {@code null} for never
 * @param newExpiry the expiry now, or {@code null} for never
 * @param at when
 */
public record ExpiryChange(AccountId account, LotId lot, LotSource source, @Nullable Instant previousExpiry,
    @Nullable Instant newExpiry, Instant at) {
  /**
   * Checks non-null fields.
   *
   * @param account the account
   * @param lot the lot
   * @param source the lot's source
   * @param previousExpiry the expiry before the change, or {@code null} for never
   * @param newExpiry the expiry now, or {@code null} for never
   * @param at when
   */
  public ExpiryChange {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(lot, "lot");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(at, "at");
  }
}
