package io.preprompt.credits.core;

/**
 * A whole, non-negative number of credits. Arithmetic is overflow-checked: a result that does not
 * fit in a {@code long} throws {@link InvalidRequestException} with {@link ErrorCode#AMOUNT_OVERFLOW}
 * instead of wrapping.
 *
 * <p>Where it is used: a caller names the credits it asks the library to move with a
 * {@code CreditAmount} (grants, holds, settles, a generation's actual cost, support adjustments), so
 * a call that takes an {@link IdempotencyKey} never takes credits as a bare number. Every other
 * count of credits is a plain {@code long}: what the library reports (balances, lots, holds,
 * receipts, ledger entries, estimates, exceptions, listener calls), catalog and config settings and
 * the store port. Nothing returns a {@code CreditAmount}; {@link #of(long)} wraps a reported count
 * to pass it back in.
 *
 * @param value the number of credits, {@code >= 0}
 */
public record CreditAmount(long value) implements Comparable<CreditAmount> {
  /** Zero credits. */
  public static final CreditAmount ZERO = new CreditAmount(0);

  /**
   * Checks the amount.
   *
   * @param value the number of credits, {@code >= 0}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} when negative
   */
  public CreditAmount {
    if (value < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "credit amount must not be negative, was " + value);
    }
  }

  /**
   * Returns an amount.
   *
   * @param value the number of credits
   * @return the amount
   * @throws InvalidRequestException when negative
   */
  public static CreditAmount of(long value) {
    return new CreditAmount(value);
  }

  /**
   * Returns a strictly positive amount, as holds and grants need.
   *
   * @param value the number of credits
   * @return the amount
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} when zero or negative
   */
  public static CreditAmount positive(long value) {
    if (value <= 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "credit amount must be positive, was " + value);
    }
    return new CreditAmount(value);
  }

  /**
   * Adds two amounts.
   *
   * @param other the amount to add
   * @return the sum
   * @throws InvalidRequestException with {@link ErrorCode#AMOUNT_OVERFLOW} on overflow
   */
  public CreditAmount plus(CreditAmount other) {
    return new CreditAmount(addExact(value, other.value));
  }

  /**
   * Subtracts an amount.
   *
   * @param other the amount to subtract
   * @return the difference
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} when the result would be negative
   */
  public CreditAmount minus(CreditAmount other) {
    return of(value - other.value);
  }

  /**
   * Multiplies by a count.
   *
   * @param factor a non-negative factor
   * @return the product
   * @throws InvalidRequestException on a negative factor or overflow
   */
  public CreditAmount times(long factor) {
    if (factor < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "factor must not be negative, was " + factor);
    }
    try {
      return new CreditAmount(Math.multiplyExact(value, factor));
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(ErrorCode.AMOUNT_OVERFLOW, value + " * " + factor + " overflows");
    }
  }

  /**
   * Tells whether this amount is zero.
   *
   * @return {@code true} for zero credits
   */
  public boolean isZero() {
    return value == 0;
  }

  /**
   * Overflow-checked addition of raw credit counts, shared by the engine.
   *
   * @param a a count
   * @param b another count
   * @return {@code a + b}
   * @throws InvalidRequestException with {@link ErrorCode#AMOUNT_OVERFLOW} on overflow
   */
  public static long addExact(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(ErrorCode.AMOUNT_OVERFLOW, a + " + " + b + " overflows");
    }
  }

  @Override
  public int compareTo(CreditAmount o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
