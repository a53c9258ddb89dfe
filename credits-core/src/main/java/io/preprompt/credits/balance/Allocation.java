package io.preprompt.credits.balance;

import java.util.Objects;

/**
 * The part of a hold drawn from one lot.
 *
 * @param lot the lot
 * @param amount credits reserved from it, positive
 */
public record Allocation(LotId lot, long amount) {
  /**
   * Checks the fields.
   *
   * @param lot the lot
   * @param amount credits reserved from it, positive
   */
  public Allocation {
    Objects.requireNonNull(lot, "lot");
    if (amount <= 0) {
      throw new IllegalArgumentException("allocation amount must be positive, was " + amount);
    }
  }
}
