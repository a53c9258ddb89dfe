package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of a grant: the lot it created.
 *
 * @param account the account
 * @param lot the new lot's id
 * @param source the lot's source
 * @param amount credits granted
 * @param grantedAt when the lot's credits start to count: the call's time, or the later start it named
 * @param expiresAt when the lot expires, or {@code null} for never
 */
public record GrantReceipt(AccountId account, LotId lot, LotSource source, long amount, Instant grantedAt,
    @Nullable Instant expiresAt) {
  /**
   * Checks non-null fields.
   *
   * @param account the account
   * @param lot the new lot's id
   * @param source the lot's source
   * @param amount credits granted
   * @param grantedAt when the lot's credits start to count: the call's time, or the later start it named
   * @param expiresAt when the lot expires, or {@code null} for never
   */
  public GrantReceipt {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(lot, "lot");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(grantedAt, "grantedAt");
  }
}
