package io.preprompt.credits.stripe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which Stripe price is which tier or pack: {@code StripePrices.builder().tier("price_1Q...",
 * "studio").pack("price_1R...", "pack_500").build()}. A price not listed is refused.
 */
public final class StripePrices {
  private final Map<String, String> tiers;
  private final Map<String, String> packs;

  private StripePrices(Map<String, String> tiers, Map<String, String> packs) {
    this.tiers = Map.copyOf(tiers);
    this.packs = Map.copyOf(packs);
  }

  /**
   * Starts a builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the tier a subscription price stands for.
   *
   * @param priceId the Stripe price id
   * @return the tier id
   * @throws StripeWebhookException with {@link StripeWebhookException.Reason#UNKNOWN_PRICE}
   */
  public String tier(@Nullable String priceId) {
    String tier = priceId == null ? null : tiers.get(priceId);
    if (tier == null) {
      throw new StripeWebhookException(StripeWebhookException.Reason.UNKNOWN_PRICE,
          "price " + priceId + " is not a configured tier price", null);
    }
    return tier;
  }

  /**
   * Returns the Stripe price of a tier, for checkout.
   *
   * @param tierId the tier
   * @return the price id, if configured
   */
  public Optional<String> priceOfTier(String tierId) {
    return tiers.entrySet().stream().filter(e -> e.getValue().equals(tierId)).map(Map.Entry::getKey).findFirst();
  }

  /**
   * Returns the Stripe price of a pack, for checkout.
   *
   * @param packId the pack
   * @return the price id, if configured
   */
  public Optional<String> priceOfPack(String packId) {
    return packs.entrySet().stream().filter(e -> e.getValue().equals(packId)).map(Map.Entry::getKey).findFirst();
  }

  /** Builds {@link StripePrices}. */
  public static final class Builder {
    private final Map<String, String> tiers = new LinkedHashMap<>();
    private final Map<String, String> packs = new LinkedHashMap<>();

    private Builder() {}

    private static void check(@Nullable String priceId, @Nullable String target, Map<String, String> a,
        Map<String, String> b) {
      if (priceId == null || !priceId.matches("[A-Za-z0-9_]{1,255}")) {
        throw new IllegalArgumentException("a Stripe price id is letters, digits and _, was " + priceId);
      }
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("price " + priceId + " needs a tier or pack id");
      }
      if (a.containsKey(priceId) || b.containsKey(priceId)) {
        throw new IllegalArgumentException("price " + priceId + " is listed twice");
      }
    }

    /**
     * Maps a recurring price to a tier.
     *
     * @param priceId the Stripe price id
     * @param tierId the tier
     * @return this builder
     * @throws IllegalArgumentException for a malformed or repeated price id, or a blank tier
     */
    public Builder tier(String priceId, String tierId) {
      check(priceId, tierId, tiers, packs);
      tiers.put(priceId, tierId);
      return this;
    }

    /**
     * Maps a one-time price to a pack.
     *
     * @param priceId the Stripe price id
     * @param packId the pack
     * @return this builder
     * @throws IllegalArgumentException for a malformed or repeated price id, or a blank pack
     */
    public Builder pack(String priceId, String packId) {
      check(priceId, packId, tiers, packs);
      packs.put(priceId, packId);
      return this;
    }

    /**
     * Builds the mapping.
     *
     * @return the prices
     */
    public StripePrices build() {
      return new StripePrices(tiers, packs);
    }
  }
}
