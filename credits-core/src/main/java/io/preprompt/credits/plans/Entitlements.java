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

  /**
   * Starts entitlements: nothing allowed, clips of 0 seconds and 1 variant until set.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link Entitlements}; {@link #build()} checks the whole. */
  public static final class Builder {
    private Set<String> resolutions = Set.of();
    private int maxClipSeconds;
    private int maxVariants = 1;
    private Set<String> models = Set.of();
    private Set<String> features = Set.of();

    private Builder() {}

    /**
     * Sets the allowed output resolutions.
     *
     * @param resolutions for example {@code 720p}
     * @return this builder
     */
    public Builder resolutions(String... resolutions) {
      this.resolutions = Set.of(resolutions);
      return this;
    }

    /**
     * Sets the longest clip duration.
     *
     * @param seconds in seconds
     * @return this builder
     */
    public Builder maxClipSeconds(int seconds) {
      this.maxClipSeconds = seconds;
      return this;
    }

    /**
     * Sets the most variants per generation.
     *
     * @param variants at least 1
     * @return this builder
     */
    public Builder maxVariants(int variants) {
      this.maxVariants = variants;
      return this;
    }

    /**
     * Sets the allowed model ids.
     *
     * @param models the ids
     * @return this builder
     */
    public Builder models(String... models) {
      this.models = Set.of(models);
      return this;
    }

    /**
     * Sets the named advanced features.
     *
     * @param features the names
     * @return this builder
     */
    public Builder features(String... features) {
      this.features = Set.of(features);
      return this;
    }

    /**
     * Builds the entitlements.
     *
     * @return the entitlements
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for negative limits
     */
    public Entitlements build() {
      return new Entitlements(resolutions, maxClipSeconds, maxVariants, models, features);
    }
  }
}
