package io.preprompt.credits.core;

/** Overflow-checked arithmetic on raw credit counts, throwing the library's typed error. */
public final class AmountOverflow {
  private AmountOverflow() {}

  /**
   * Adds.
   *
   * @param a a count
   * @param b another
   * @return the sum
   * @throws InvalidRequestException with {@link ErrorCode#AMOUNT_OVERFLOW} on overflow
   */
  public static long add(long a, long b) {
    return CreditAmount.addExact(a, b);
  }

  /**
   * Multiplies.
   *
   * @param a a count
   * @param b another
   * @return the product
   * @throws InvalidRequestException with {@link ErrorCode#AMOUNT_OVERFLOW} on overflow
   */
  public static long multiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(ErrorCode.AMOUNT_OVERFLOW, a + " * " + b + " overflows");
    }
  }
}
