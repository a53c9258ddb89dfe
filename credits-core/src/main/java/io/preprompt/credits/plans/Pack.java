package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
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
  private final Set<String> tiers;

  private Pack(@Nullable String id, long credits, long priceMinor, @Nullable String currency, Set<String> tiers) {
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
    this.tiers = tiers;
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
    return new Pack(id, credits, price.minorUnits(), price.currency(), Set.of());
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
   * Returns this pack sold only to subscribers of the given tiers (still only to active paid
   * subscribers whose tier allows packs). {@code Credits.builder().build()} refuses a pack that names
   * a tier its catalog does not have.
   *
   * @param tierIds the tiers, at least one
   * @return the restricted pack
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no tiers or a
   *     null or blank one
   */
  public Pack onlyFor(Collection<String> tierIds) {
    if (tierIds == null || tierIds.isEmpty()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + id + " needs at least one tier");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String tier : tierIds) {
      if (tier == null || tier.isBlank()) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + id + " names a blank tier");
      }
      ids.add(tier);
    }
    return new Pack(id, credits, priceMinor, currency, Collections.unmodifiableSet(ids));
  }

  /**
   * Returns the tiers whose subscribers may buy this pack.
   *
   * @return the tier ids; empty when every tier that allows packs may
   */
  public Set<String> tiers() {
    return tiers;
  }

  /**
   * Tells whether a tier's subscribers may buy this pack, as far as the pack decides (the tier must
   * also allow packs).
   *
   * @param tierId the tier
   * @return true when the pack names no tiers or names this one
   */
  public boolean availableTo(String tierId) {
    return tiers.isEmpty() || tiers.contains(tierId);
  }

  /**
   * Compares by value: id, credits, price, currency and tiers.
   *
   * @param o the other object
   * @return true when it is a pack with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Pack p && id.equals(p.id) && credits == p.credits && priceMinor == p.priceMinor
        && currency.equals(p.currency) && tiers.equals(p.tiers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, credits, priceMinor, currency, tiers);
  }

  @Override
  public String toString() {
    return "Pack[id=" + id + ", credits=" + credits + ", priceMinor=" + priceMinor + ", currency=" + currency
        + (tiers.isEmpty() ? "" : ", tiers=" + tiers) + "]";
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
