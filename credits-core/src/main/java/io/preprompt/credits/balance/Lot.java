package io.preprompt.credits.balance;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A view of one lot: credits granted together from one source.
 *
 * @param id the lot id
 * @param source where the credits came from
 * @param granted credits granted
 * @param remaining credits still available to spend
 * @param reserved credits reserved by active holds
 * @param grantedAt when its credits start to count: the grant's time, or the later start it named
 *     (before then the lot is upcoming: not available, not drawn by holds)
 * @param expiresAt when its remaining credits expire, or {@code null} for never
 */
public record Lot(LotId id, LotSource source, long granted, long remaining, long reserved, Instant grantedAt,
    @Nullable Instant expiresAt) {

  /**
   * Checks non-null fields and non-negative amounts.
   *
   * @param id the lot id
   * @param source where the credits came from
   * @param granted credits granted
   * @param remaining credits still available to spend
   * @param reserved credits reserved by active holds
   * @param grantedAt when its credits start to count: the grant's time, or the later start it named
   *     (before then the lot is upcoming: not available, not drawn by holds)
   * @param expiresAt when its remaining credits expire, or {@code null} for never
   */
  public Lot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(grantedAt, "grantedAt");
    if (granted < 0 || remaining < 0 || reserved < 0) {
      throw new IllegalArgumentException("lot amounts must not be negative");
    }
  }

  /**
   * Tells whether the lot is live: it still has credits remaining or reserved. Only live lots are
   * part of an account's state; a store loads live lots only, and may drop a lot once it is spent.
   *
   * @return true while credits remain or are reserved
   */
  public boolean isLive() {
    return remaining > 0 || reserved > 0;
  }

  /**
   * Returns the expiry.
   *
   * @return when the lot expires, empty for never
   */
  public Optional<Instant> expiry() {
    return Optional.ofNullable(expiresAt);
  }
}
