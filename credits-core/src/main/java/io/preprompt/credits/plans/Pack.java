package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A one-time credit pack. Pack credits never expire. Built with {@link #of}, whose named
 * {@link Price} keeps a pack's credits and its price from being swapped.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class Pack {
  private final String id;
  private final long credits;
  private final long priceMinor;
  private final String currency;

  private Pack(@Nullable String id, long credits, long priceMinor, @Nullable String currency) {
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
    this.id = id;
    this.credits = credits;
    this.priceMinor = priceMinor;
    this.currency = currency;
  }

  /**
   * Returns a pack of credits at a price: {@code Pack.of("pack_500", 500, Pack.Price.of(500, "USD"))}.
   *
   * @param id stable id
   * @param credits credits granted when paid
   * @param price what it costs
   * @return the pack
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a malformed id, no
   *     price, credits or price not positive, or a currency that is not an ISO 4217 code
   */
  public static Pack of(String id, long credits, Price price) {
    if (price == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + id + " needs a price");
    }
    return new Pack(id, credits, price.minorUnits(), price.currency());
  }

  /**
   * Returns the stable id.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns the credits granted.
   *
   * @return the credits, positive
   */
  public long credits() {
    return credits;
  }

  /**
   * Returns the price in the currency's minor unit (cents).
   *
   * @return the price, positive
   */
  public long priceMinor() {
    return priceMinor;
  }

  /**
   * Returns the currency of the price.
   *
   * @return the ISO 4217 code
   */
  public String currency() {
    return currency;
  }

  /**
   * Compares by value: id, credits, price and currency.
   *
   * @param o the other object
   * @return true when it is a pack with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Pack p && id.equals(p.id) && credits == p.credits && priceMinor == p.priceMinor
        && currency.equals(p.currency);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, credits, priceMinor, currency);
  }

  @Override
  public String toString() {
    return "Pack[id=" + id + ", credits=" + credits + ", priceMinor=" + priceMinor + ", currency=" + currency + "]";
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
