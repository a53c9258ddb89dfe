package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;

/**
 * An exact positive fraction used as a price factor (resolution factor, reshot discount).
 *
 * @param numerator positive
 * @param denominator positive
 */
public record Ratio(long numerator, long denominator) {
  /** One. */
  public static final Ratio ONE = new Ratio(1, 1);

  /**
   * Checks the fraction.
   *
   * @param numerator positive
   * @param denominator positive
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} unless both parts are positive
   */
  public Ratio {
    if (numerator <= 0 || denominator <= 0 || numerator > 1_000_000 || denominator > 1_000_000) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "a ratio needs parts in 1..1000000, was " + numerator + "/" + denominator);
    }
  }

  /**
   * Returns {@code numerator/denominator}.
   *
   * @param numerator positive
   * @param denominator positive
   * @return the ratio
   */
  public static Ratio of(long numerator, long denominator) {
    return new Ratio(numerator, denominator);
  }

  @Override
  public String toString() {
    return denominator == 1 ? Long.toString(numerator) : numerator + "/" + denominator;
  }
}
