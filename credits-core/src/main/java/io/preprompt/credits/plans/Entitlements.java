package io.preprompt.credits.plans;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.util.List;
import java.util.Set;

/**
 * What a tier lets an account generate.
 *
 * @param resolutions allowed output resolutions (for example {@code 720p})
 * @param maxClipSeconds longest clip duration, in seconds
 * @param maxVariants most variants per generation
 * @param models allowed model ids
 * @param features named advanced features
 */
public record Entitlements(Set<String> resolutions, int maxClipSeconds, int maxVariants, Set<String> models,
    Set<String> features) {
  /**
   * Checks and copies.
   *
   * @param resolutions allowed output resolutions (for example {@code 720p})
   * @param maxClipSeconds longest clip duration, in seconds
   * @param maxVariants most variants per generation
   * @param models allowed model ids
   * @param features named advanced features
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for negative limits, or
   *     a missing set or a null in one
   */
  public Entitlements {
    if (resolutions == null || models == null || features == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "entitlements need sets of resolutions, models and features (empty, not null)");
    }
    for (Set<String> set : List.of(resolutions, models, features)) {
      for (String item : set) {
        if (item == null) {
          throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
              "entitlement sets must not hold null, was " + set);
        }
      }
    }
    resolutions = Set.copyOf(resolutions);
    models = Set.copyOf(models);
    features = Set.copyOf(features);
    if (maxClipSeconds < 0 || maxVariants < 1) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "maxClipSeconds must be >= 0 and maxVariants >= 1, were " + maxClipSeconds + " and " + maxVariants);
    }
  }
}
