package io.preprompt.credits.gate;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.util.Map;

/**
 * The price of one model for one kind of generation, in millicredits (1/1000 of a credit).
 *
 * @param kind the kind
 * @param model the model id
 * @param baseMillis fixed price per variant, in millicredits
 * @param perSecondMillis price per second of duration per variant, in millicredits (0 for images)
 * @param resolutionFactors allowed resolutions and their price factors; empty for audio
 */
public record ModelRate(GenerationKind kind, String model, long baseMillis, long perSecondMillis,
    Map<String, Ratio> resolutionFactors) {
  /**
   * Checks the rate.
   *
   * @param kind the kind
   * @param model the model id
   * @param baseMillis fixed price per variant, in millicredits
   * @param perSecondMillis price per second of duration per variant, in millicredits (0 for images)
   * @param resolutionFactors allowed resolutions and their price factors; empty for audio
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when malformed
   */
  public ModelRate {
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
    resolutionFactors = Map.copyOf(resolutionFactors);
  }

  /**
   * Returns a per-call price (images): {@code millicredits} per variant, at the given resolutions.
   *
   * @param kind the kind
   * @param model the model id
   * @param millicredits price per variant, in millicredits
   * @param resolutionFactors allowed resolutions and their price factors
   * @return the rate
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when malformed
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
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when malformed
   */
  public static ModelRate perSecond(GenerationKind kind, String model, long baseMillicredits,
      long perSecondMillicredits, Map<String, Ratio> resolutionFactors) {
    return new ModelRate(kind, model, baseMillicredits, perSecondMillicredits, resolutionFactors);
  }
}
