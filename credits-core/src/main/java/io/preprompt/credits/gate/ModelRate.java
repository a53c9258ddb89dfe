package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The price of one model for one kind of generation, in millicredits (1/1000 of a credit): a
 * per-call base, a {@link UnitPrice} per {@link PriceDimension} (seconds, tokens, a host's own
 * unit), and the resolution factors. Built with {@link #perCall} (images), {@link #perSecond}
 * (clips, voice, music), {@link #flat} (a fixed price per call), {@link #perToken} (language
 * models) or {@link #of} (any dimensions), so that a fixed price and a unit price cannot be swapped.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class ModelRate {
  /** At most this many priced dimensions per rate (each is recorded in the ledger's metadata). */
  public static final int MAX_DIMENSIONS = 8;

  private final GenerationKind kind;
  private final String model;
  private final long baseMillis;
  private final Map<PriceDimension, UnitPrice> prices;
  private final Map<String, Ratio> resolutionFactors;

  private ModelRate(@Nullable GenerationKind kind, @Nullable String model, long baseMillis,
      @Nullable Map<PriceDimension, UnitPrice> prices, @Nullable Map<String, Ratio> resolutionFactors) {
    if (kind == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate needs a generation kind");
    }
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "model id must not be blank");
    }
    if (prices == null || prices.size() > MAX_DIMENSIONS
        || prices.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "rate for " + kind + "/" + model
          + " needs a map of at most " + MAX_DIMENSIONS + " unit prices (empty, not null) without nulls");
    }
    boolean anyUnitPrice = prices.values().stream().anyMatch(p -> p.millicredits() > 0);
    if (baseMillis < 0 || baseMillis > 1_000_000_000L || (baseMillis == 0 && !anyUnitPrice)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "rate for " + kind + "/" + model + " needs a base in 0..10^9 millicredits and a price that is not 0");
    }
    if (resolutionFactors == null
        || resolutionFactors.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "rate for " + kind + "/" + model + " needs a map of resolution factors (empty, not null) without nulls");
    }
    this.kind = kind;
    this.model = model;
    this.baseMillis = baseMillis;
    this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    this.resolutionFactors = Map.copyOf(resolutionFactors);
  }

  /**
   * Returns a per-call price (images): {@code millicredits} per variant, at the given resolutions.
   *
   * @param kind the kind
   * @param model the model id
   * @param millicredits price per variant, in millicredits
   * @param resolutionFactors allowed resolutions and their price factors
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, a blank
   *     model, a price outside 1..10^9 millicredits, or no map of factors (or a null in it)
   */
  public static ModelRate perCall(GenerationKind kind, String model, long millicredits,
      Map<String, Ratio> resolutionFactors) {
    return perSecond(kind, model, millicredits, 0, resolutionFactors);
  }

  /**
   * Returns a per-second price (clips, voice, music): a fixed part per variant plus a part per
   * second of duration per variant, at the given resolutions (none for audio).
   *
   * @param kind the kind
   * @param model the model id
   * @param baseMillicredits fixed price per variant, in millicredits
   * @param perSecondMillicredits price per second per variant, in millicredits
   * @param resolutionFactors allowed resolutions and their price factors; empty for audio
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, a blank
   *     model, a price outside 0..10^9 millicredits (or both 0), or no map of factors (or a null in it)
   */
  public static ModelRate perSecond(GenerationKind kind, String model, long baseMillicredits,
      long perSecondMillicredits, Map<String, Ratio> resolutionFactors) {
    if (perSecondMillicredits < 0 || perSecondMillicredits > 1_000_000_000L) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "rate for " + kind + "/" + model
          + " needs base and per-second prices in 0..10^9 millicredits, not both 0");
    }
    Map<PriceDimension, UnitPrice> prices = perSecondMillicredits == 0 ? Map.of()
        : Map.of(PriceDimension.SECONDS, UnitPrice.perUnit(perSecondMillicredits));
    return new ModelRate(kind, model, baseMillicredits, prices, resolutionFactors);
  }

  /**
   * Returns a flat price per call, whatever the call's size (a moderation check, an embedding, a tool
   * call): no dimensions, no resolutions.
   *
   * @param kind the kind
   * @param model the model id
   * @param millicredits the price of a call, in millicredits, 1..10^9
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, a blank
   *     model or a price out of range
   */
  public static ModelRate flat(GenerationKind kind, String model, long millicredits) {
    return new ModelRate(kind, model, millicredits, Map.of(), Map.of());
  }

  /**
   * Returns a token price (language models): an optional base per call plus input, output and,
   * when priced, cached-input and reasoning tokens, each in millicredits per million tokens.
   *
   * @param kind the kind, for example {@code GenerationKind.of("CHAT")}
   * @param model the model id
   * @param prices the token prices
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, a blank
   *     model, no prices, or prices that are all 0
   */
  public static ModelRate perToken(GenerationKind kind, String model, TokenPrices prices) {
    if (prices == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a token rate needs its token prices");
    }
    return new ModelRate(kind, model, prices.baseMillicredits(), prices.unitPrices(), Map.of());
  }

  /**
   * Returns a rate over any dimensions: a base per call plus a unit price per dimension, at the
   * given resolutions.
   *
   * @param kind the kind
   * @param model the model id
   * @param baseMillicredits fixed price per call, in millicredits, 0..10^9
   * @param prices the unit price of each dimension, at most {@link #MAX_DIMENSIONS}; listed in
   *     estimates in this map's order
   * @param resolutionFactors allowed resolutions and their price factors; empty when there are none
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, a blank
   *     model, a base out of range, every price 0, or a missing map (or a null in one)
   */
  public static ModelRate of(GenerationKind kind, String model, long baseMillicredits,
      Map<PriceDimension, UnitPrice> prices, Map<String, Ratio> resolutionFactors) {
    return new ModelRate(kind, model, baseMillicredits, prices, resolutionFactors);
  }

  /**
   * Returns the kind of generation priced.
   *
   * @return the kind
   */
  public GenerationKind kind() {
    return kind;
  }

  /**
   * Returns the model priced.
   *
   * @return the model id
   */
  public String model() {
    return model;
  }

  /**
   * Returns the fixed price per call (per variant).
   *
   * @return the price, in millicredits
   */
  public long baseMillis() {
    return baseMillis;
  }

  /**
   * Returns the price per second of duration per variant.
   *
   * @return the price, in millicredits (0 when seconds are not priced)
   */
  public long perSecondMillis() {
    UnitPrice p = prices.get(PriceDimension.SECONDS);
    return p == null ? 0 : p.millicredits();
  }

  /**
   * Returns the priced dimensions and their unit prices.
   *
   * @return the prices, immutable, in the order estimates list them; empty for a per-call or flat rate
   */
  public Map<PriceDimension, UnitPrice> prices() {
    return prices;
  }

  /**
   * Returns the unit price of one dimension.
   *
   * @param dimension the dimension
   * @return its price, empty when this rate does not price it
   */
  public Optional<UnitPrice> price(PriceDimension dimension) {
    return Optional.ofNullable(prices.get(dimension));
  }

  /**
   * Returns the allowed resolutions and their price factors.
   *
   * @return the factors, immutable; empty for audio and tokens
   */
  public Map<String, Ratio> resolutionFactors() {
    return resolutionFactors;
  }

  /**
   * Compares by value: kind, model, prices and factors.
   *
   * @param o the other object
   * @return true when it is a rate with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ModelRate r && kind.equals(r.kind) && model.equals(r.model) && baseMillis == r.baseMillis
        && prices.equals(r.prices) && resolutionFactors.equals(r.resolutionFactors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, model, baseMillis, prices, resolutionFactors);
  }

  @Override
  public String toString() {
    boolean secondsOnly = prices.isEmpty() || prices.keySet().equals(java.util.Set.of(PriceDimension.SECONDS));
    return "ModelRate[kind=" + kind + ", model=" + model + ", baseMillis=" + baseMillis + ", perSecondMillis="
        + perSecondMillis() + (secondsOnly ? "" : ", prices=" + prices) + ", resolutionFactors=" + resolutionFactors
        + "]";
  }
}
