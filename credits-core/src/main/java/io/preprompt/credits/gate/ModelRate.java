package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The price of one model for one kind of generation, in millicredits (1/1000 of a credit). Built
 * with {@link #perCall} (images) or {@link #perSecond} (clips, voice, music), so that a fixed price
 * and a price per second cannot be swapped.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class ModelRate {
  private final GenerationKind kind;
  private final String model;
  private final long baseMillis;
  private final long perSecondMillis;
  private final Map<String, Ratio> resolutionFactors;

  private ModelRate(@Nullable GenerationKind kind, @Nullable String model, long baseMillis, long perSecondMillis,
      @Nullable Map<String, Ratio> resolutionFactors) {
    if (kind == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate needs a generation kind");
    }
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "model id must not be blank");
    }
    if (baseMillis < 0 || perSecondMillis < 0 || baseMillis + perSecondMillis == 0
        || baseMillis > 1_000_000_000L || perSecondMillis > 1_000_000_000L) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "rate for " + kind + "/" + model + " needs base and per-second prices in 0..10^9 millicredits, not both 0");
    }
    if (resolutionFactors == null
        || resolutionFactors.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "rate for " + kind + "/" + model + " needs a map of resolution factors (empty, not null) without nulls");
    }
    this.kind = kind;
    this.model = model;
    this.baseMillis = baseMillis;
    this.perSecondMillis = perSecondMillis;
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
    return new ModelRate(kind, model, millicredits, 0, resolutionFactors);
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
    return new ModelRate(kind, model, baseMillicredits, perSecondMillicredits, resolutionFactors);
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
   * Returns the fixed price per variant.
   *
   * @return the price, in millicredits
   */
  public long baseMillis() {
    return baseMillis;
  }

  /**
   * Returns the price per second of duration per variant.
   *
   * @return the price, in millicredits (0 for images)
   */
  public long perSecondMillis() {
    return perSecondMillis;
  }

  /**
   * Returns the allowed resolutions and their price factors.
   *
   * @return the factors, immutable; empty for audio
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
    return o instanceof ModelRate r && kind == r.kind && model.equals(r.model) && baseMillis == r.baseMillis
        && perSecondMillis == r.perSecondMillis && resolutionFactors.equals(r.resolutionFactors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, model, baseMillis, perSecondMillis, resolutionFactors);
  }

  @Override
  public String toString() {
    return "ModelRate[kind=" + kind + ", model=" + model + ", baseMillis=" + baseMillis + ", perSecondMillis="
        + perSecondMillis + ", resolutionFactors=" + resolutionFactors + "]";
  }
}
