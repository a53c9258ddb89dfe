package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tiers, lowest first: the free tier, then paid tiers in ascending order. Immutable; built with
 * {@link #builder()} or {@link #defaults()}, checked as a whole by {@link Builder#build()}.
 */
public final class TierCatalog {
  private final List<Tier> tiers;
  private final Map<String, Tier> byId;

  private TierCatalog(List<Tier> tiers) {
    this.tiers = List.copyOf(tiers);
    Map<String, Tier> m = new LinkedHashMap<>();
    for (Tier t : tiers) {
      m.put(t.id(), t);
    }
    this.byId = Map.copyOf(m);
  }

  /**
   * Returns the default catalog: Free, Studio (1,000 credits a month), Studio Pro (3,000, rolls over
   * up to 1,000) and Studio+ (8,000, rolls over up to 4,000). The numbers are plausible examples.
   *
   * @return the default catalog
   */
  public static TierCatalog defaults() {
    return builder()
        .tier(Tier.free("free", "Free", Entitlements.builder()
            .resolutions("720p").maxClipSeconds(5).maxVariants(2).models("standard").build()))
        .tier(Tier.paid("studio", "Studio", 1_000, Entitlements.builder()
            .resolutions("720p", "1080p").maxClipSeconds(10).maxVariants(4).models("standard", "pro")
            .features("batch-reshoot").build()))
        .tier(Tier.paid("studio_pro", "Studio Pro", 3_000, Entitlements.builder()
            .resolutions("720p", "1080p", "1440p").maxClipSeconds(20).maxVariants(6)
            .models("standard", "pro", "cinematic").features("batch-reshoot", "camera-control").build())
            .withRolloverCap(1_000))
        .tier(Tier.paid("studio_plus", "Studio+", 8_000, Entitlements.builder()
            .resolutions("720p", "1080p", "1440p", "4k").maxClipSeconds(60).maxVariants(8)
            .models("standard", "pro", "cinematic", "ultra")
            .features("batch-reshoot", "camera-control", "voice-clone", "stems").build())
            .withRolloverCap(4_000))
        .build();
  }

  /**
   * Starts an empty catalog.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the tiers, lowest first.
   *
   * @return the tiers
   */
  public List<Tier> tiers() {
    return tiers;
  }

  /**
   * Returns the free tier.
   *
   * @return the first tier
   */
  public Tier free() {
    return tiers.get(0);
  }

  /**
   * Returns the paid tiers, lowest first.
   *
   * @return paid tiers
   */
  public List<Tier> paidTiers() {
    return tiers.subList(1, tiers.size());
  }

  /**
   * Finds a tier.
   *
   * @param id the tier id
   * @return the tier, if any
   */
  public Optional<Tier> find(String id) {
    return Optional.ofNullable(id == null ? null : byId.get(id));
  }

  /**
   * Returns a tier or fails.
   *
   * @param id the tier id
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER} when there is none
   */
  public Tier require(String id) {
    return find(id).orElseThrow(() -> new InvalidRequestException(ErrorCode.UNKNOWN_TIER, "no tier '" + id + "'"));
  }

  /**
   * Returns a tier's position: 0 for free, higher for richer tiers.
   *
   * @param tier the tier
   * @return its rank
   */
  public int rank(Tier tier) {
    return tiers.indexOf(tier);
  }

  /** Builds a {@link TierCatalog}. */
  public static final class Builder {
    private final List<Tier> tiers = new ArrayList<>();

    private Builder() {}

    /**
     * Adds the next tier, lowest first.
     *
     * @param tier the tier
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder tier(Tier tier) {
      if (tier == null) {
        throw bad("a catalog cannot list a null tier");
      }
      tiers.add(tier);
      return this;
    }

    /**
     * Checks the catalog as a whole and builds it.
     *
     * @return the catalog
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when there are
     *     duplicate ids, the first tier is not the only free tier, no paid tier exists, or a paid
     *     tier's allowance is below a lower tier's
     */
    public TierCatalog build() {
      if (tiers.size() < 2) {
        throw bad("a catalog needs the free tier and at least one paid tier");
      }
      if (tiers.get(0).paid()) {
        throw bad("the first tier must be the free tier, was paid tier " + tiers.get(0).id());
      }
      Map<String, Tier> seen = new LinkedHashMap<>();
      long previousAllowance = -1;
      for (int i = 0; i < tiers.size(); i++) {
        Tier t = tiers.get(i);
        if (seen.put(t.id(), t) != null) {
          throw bad("duplicate tier id '" + t.id() + "'");
        }
        if (i > 0 && !t.paid()) {
          throw bad("only the first tier may be free; '" + t.id() + "' is free too");
        }
        if (t.monthlyAllowance() < previousAllowance) {
          throw bad("tier '" + t.id() + "' has a smaller allowance (" + t.monthlyAllowance()
              + ") than the tier below it (" + previousAllowance + ")");
        }
        previousAllowance = t.monthlyAllowance();
      }
      return new TierCatalog(tiers);
    }

    private static InvalidRequestException bad(String message) {
      return new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, message);
    }
  }
}
