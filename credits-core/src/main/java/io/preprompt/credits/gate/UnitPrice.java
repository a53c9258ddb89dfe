package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;

/**
 * The price of one {@link PriceDimension}: {@code millicredits} per {@code per} units (per 1 second
 * for media, per 1,000,000 tokens for tokens). Kept as the fraction, never divided: the estimate
 * rounds once per item ({@link RateCard}).
 *
 * @param millicredits the price of {@code per} units, in millicredits, 0..10^12
 * @param per how many units the price is for, 1..10^9
 */
public record UnitPrice(long millicredits, long per) {
  /** Tokens are priced per million. */
  public static final long PER_MILLION = 1_000_000L;

  /**
   * Checks the price.
   *
   * @param millicredits the price of {@code per} units, in millicredits, 0..10^12
   * @param per how many units the price is for, 1..10^9
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public UnitPrice {
    if (millicredits < 0 || millicredits > 1_000_000_000_000L || per < 1 || per > 1_000_000_000L) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "a unit price needs 0..10^12 millicredits per 1..10^9 units, was " + millicredits + " per " + per);
    }
  }

  /**
   * Returns a price per million units (tokens).
   *
   * @param millicredits the price of a million units, in millicredits, 0..10^12
   * @return the price
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public static UnitPrice perMillion(long millicredits) {
    return new UnitPrice(millicredits, PER_MILLION);
  }

  /**
   * Returns a price per single unit (seconds, pages).
   *
   * @param millicredits the price of one unit, in millicredits, 0..10^12
   * @return the price
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public static UnitPrice perUnit(long millicredits) {
    return new UnitPrice(millicredits, 1);
  }

  /**
   * Returns the form estimate lines use: {@code 2500 mc/1M}, {@code 300 mc}.
   *
   * @return the text
   */
  @Override
  public String toString() {
    if (per == 1) {
      return millicredits + " mc";
    }
    return millicredits + " mc/" + (per == PER_MILLION ? "1M" : per == 1_000 ? "1K" : Long.toString(per));
  }
}
