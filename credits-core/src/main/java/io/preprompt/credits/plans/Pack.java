package io.preprompt.credits.plans;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;

/**
 * A one-time credit pack. Pack credits never expire.
 *
 * @param id stable id
 * @param credits credits granted, positive
 * @param priceMinor price in the currency's minor unit (cents), positive
 * @param currency ISO 4217 code
 */
public record Pack(String id, long credits, long priceMinor, String currency) {
  /**
   * Checks the pack.
   *
   * @param id stable id
   * @param credits credits granted, positive
   * @param priceMinor price in the currency's minor unit (cents), positive
   * @param currency ISO 4217 code
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when malformed
   */
  public Pack {
    if (id == null || !id.matches("[a-z][a-z0-9_-]{0,31}")) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack id must match [a-z][a-z0-9_-]{0,31}, was " + id);
    }
    if (credits <= 0 || priceMinor <= 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "pack " + id + " needs positive credits and price, was " + credits + " / " + priceMinor);
    }
    if (currency == null || !currency.matches("[A-Z]{3}")) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + id + " currency must be ISO 4217, was " + currency);
    }
  }

  /**
   * Returns a pack of credits at a price: {@code Pack.of("pack_500", 500, Pack.Price.of(500, "USD"))}.
   *
   * @param id stable id
   * @param credits credits granted when paid
   * @param price what it costs
   * @return the pack
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public static Pack of(String id, long credits, Price price) {
    if (price == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + id + " needs a price");
    }
    return new Pack(id, credits, price.minorUnits(), price.currency());
  }

  /**
   * A price, named so that a pack's credits and its price cannot be swapped.
   *
   * @param minorUnits the amount in the currency's minor unit (cents)
   * @param currency ISO 4217 code
   */
  public record Price(long minorUnits, String currency) {
    /**
     * Returns a price.
     *
     * @param minorUnits the amount in the currency's minor unit (cents)
     * @param currency ISO 4217 code
     * @return the price
     */
    public static Price of(long minorUnits, String currency) {
      return new Price(minorUnits, currency);
    }
  }
}
