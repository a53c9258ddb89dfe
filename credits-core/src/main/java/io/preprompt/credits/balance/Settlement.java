package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of settling a hold.
 *
 * <p>A settle above the hold ({@link io.preprompt.credits.core.OveragePolicy}) spends the whole hold,
 * then draws the difference from the available credits and, when the policy allows, as debt:
 * {@code settled} is then more than the hold, and {@code requested - settled} is what could not be
 * collected.
 *
 * @param account the account
 * @param hold the hold
 * @param settled credits spent (charged), the hold's part and any overage
 * @param returned credits returned to the balance (held minus settled, less what expired)
 * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
 * @param at when it was settled
 * @param requested credits the settle asked for
 * @param uncollected credits asked for but not charged ({@code requested - settled}), 0 unless a
 *     settle above its hold found too few credits under its overage policy
 * @param debtIncurred credits of {@code settled} charged as debt, 0 unless the overage policy
 *     allows debt
 */
public record Settlement(AccountId account, HoldId hold, long settled, long returned, long expiredOnReturn,
    Instant at, long requested, long uncollected, long debtIncurred) {
  /**
   * Checks non-null fields and that the amounts add up.
   *
   * @param account the account
   * @param hold the hold
   * @param settled credits spent (charged), the hold's part and any overage
   * @param returned credits returned to the balance (held minus settled, less what expired)
   * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
   * @param at when it was settled
   * @param requested credits the settle asked for
   * @param uncollected credits asked for but not charged
   * @param debtIncurred credits of {@code settled} charged as debt
   * @throws IllegalArgumentException when {@code settled + uncollected != requested}, or the debt
   *     exceeds what was settled
   */
  public Settlement {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(at, "at");
    if (uncollected < 0 || debtIncurred < 0 || debtIncurred > settled || settled + uncollected != requested) {
      throw new IllegalArgumentException("settlement of " + hold + " charges " + settled + " of " + requested
          + " with " + uncollected + " uncollected and " + debtIncurred + " as debt");
    }
  }

  /**
   * A settlement within the hold: everything asked for was charged from it.
   *
   * @param account the account
   * @param hold the hold
   * @param settled credits spent
   * @param returned credits returned to the balance (held minus settled, less what expired)
   * @param expiredOnReturn credits that returned to a lot which had expired meanwhile, and so expired
   * @param at when it was settled
   */
  public Settlement(AccountId account, HoldId hold, long settled, long returned, long expiredOnReturn, Instant at) {
    this(account, hold, settled, returned, expiredOnReturn, at, settled, 0, 0);
  }

  /**
   * Returns the credits charged: the same as {@link #settled()}.
   *
   * @return credits charged
   */
  public long charged() {
    return settled;
  }
}
