package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a tier lets an account generate. Built with {@link #builder()}.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class Entitlements {
  private final Set<String> resolutions;
  private final int maxClipSeconds;
  private final int maxVariants;
  private final Set<String> models;
  private final Set<String> features;
  private final Map<String, Set<String>> modelsByKind;

  private Entitlements(Set<String> resolutions, int maxClipSeconds, int maxVariants, Set<String> models,
      Set<String> features, Map<String, Set<String>> modelsByKind) {
    if (maxClipSeconds < 0 || maxVariants < 1) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "maxClipSeconds must be >= 0 and maxVariants >= 1, were " + maxClipSeconds + " and " + maxVariants);
    }
    this.resolutions = Set.copyOf(resolutions);
    this.maxClipSeconds = maxClipSeconds;
    this.maxVariants = maxVariants;
    this.models = Set.copyOf(models);
    this.features = Set.copyOf(features);
    this.modelsByKind = Collections.unmodifiableMap(new LinkedHashMap<>(modelsByKind));
  }

  /**
   * Starts entitlements: nothing allowed, clips of 0 seconds and 1 variant until set.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the allowed output resolutions.
   *
   * @return the resolutions (for example {@code 720p}), immutable
   */
  public Set<String> resolutions() {
    return resolutions;
  }

  /**
   * Returns the longest clip duration.
   *
   * @return the duration, in seconds
   */
  public int maxClipSeconds() {
    return maxClipSeconds;
  }

  /**
   * Returns the most variants per generation.
   *
   * @return the count, at least 1
   */
  public int maxVariants() {
    return maxVariants;
  }

  /**
   * Returns the allowed model ids.
   *
   * @return the ids, immutable
   */
  public Set<String> models() {
    return models;
  }

  /**
   * Returns the named advanced features.
   *
   * @return the names, immutable
   */
  public Set<String> features() {
    return features;
  }

  /**
   * Returns the model ids allowed for one kind of generation: the kind's own list when the tier has
   * one ({@link Builder#modelsFor}), else {@link #models()}.
   *
   * @param kind the kind's name, for example {@code CHAT}
   * @return the ids, immutable
   */
  public Set<String> models(String kind) {
    return modelsByKind.getOrDefault(kind, models);
  }

  /**
   * Returns the kinds with their own list of allowed models.
   *
   * @return the lists by kind name, immutable; empty when every kind uses {@link #models()}
   */
  public Map<String, Set<String>> modelsByKind() {
    return modelsByKind;
  }

  /**
   * Compares by value: every setting.
   *
   * @param o the other object
   * @return true when it is entitlements with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Entitlements e && resolutions.equals(e.resolutions) && maxClipSeconds == e.maxClipSeconds
        && maxVariants == e.maxVariants && models.equals(e.models) && features.equals(e.features)
        && modelsByKind.equals(e.modelsByKind);
  }

  @Override
  public int hashCode() {
    return Objects.hash(resolutions, maxClipSeconds, maxVariants, models, features, modelsByKind);
  }

  @Override
  public String toString() {
    return "Entitlements[resolutions=" + resolutions + ", maxClipSeconds=" + maxClipSeconds + ", maxVariants="
        + maxVariants + ", models=" + models + ", features=" + features
        + (modelsByKind.isEmpty() ? "" : ", modelsByKind=" + modelsByKind) + "]";
  }

  /** Builds {@link Entitlements}; each setter checks its values at once, {@link #build()} the whole. */
  public static final class Builder {
    private Set<String> resolutions = Set.of();
    private int maxClipSeconds;
    private int maxVariants = 1;
    private Set<String> models = Set.of();
    private Set<String> features = Set.of();
    private final Map<String, Set<String>> modelsByKind = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the allowed output resolutions.
     *
     * @param resolutions for example {@code 720p}
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a null
     */
    public Builder resolutions(String... resolutions) {
      this.resolutions = names("resolutions", resolutions);
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
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a null
     */
    public Builder models(String... models) {
      this.models = names("models", models);
      return this;
    }

    /**
     * Sets the model ids allowed for one kind of generation, instead of {@link #models} (so that a
     * tier can allow a language model's {@code CHAT} calls without allowing every kind of that model).
     *
     * @param kind the kind's name, for example {@code CHAT}
     * @param models the ids; none forbids the kind
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a blank kind or a
     *     null
     */
    public Builder modelsFor(String kind, String... models) {
      if (kind == null || kind.isBlank()) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "entitlement models need their kind");
      }
      this.modelsByKind.put(kind, names("models for " + kind, models));
      return this;
    }

    /**
     * Sets the named advanced features.
     *
     * @param features the names
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a null
     */
    public Builder features(String... features) {
      this.features = names("features", features);
      return this;
    }

    /** Copies a set of names; repeats collapse, a null is refused with the configuration error. */
    private static Set<String> names(String what, String @Nullable [] names) {
      if (names == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "entitlement " + what + " must be a set (empty, not null)");
      }
      for (String name : names) {
        if (name == null) {
          throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
              "entitlement " + what + " must not hold null, was " + Arrays.toString(names));
        }
      }
      return Set.copyOf(Arrays.asList(names));
    }

    /**
     * Builds the entitlements.
     *
     * @return the entitlements
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a negative clip
     *     duration or fewer than 1 variant
     */
    public Entitlements build() {
      return new Entitlements(resolutions, maxClipSeconds, maxVariants, models, features, modelsByKind);
    }
  }
}
