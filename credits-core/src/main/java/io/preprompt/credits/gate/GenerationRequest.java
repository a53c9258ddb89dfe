package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the app is about to generate. Built with {@link #image}, {@link #clip}, {@link #voice} or
 * {@link #music}, then {@link #withVariants}, {@link #asReshot} and {@link #withFeature}.
 *
 * <p>Immutable; equal when every part is. {@link #toString()} keeps the form it had as a record,
 * which stored idempotency fingerprints contain.
 */
public final class GenerationRequest {
  private final GenerationKind kind;
  private final String model;
  private final @Nullable String resolution;
  private final int durationSeconds;
  private final int variants;
  private final boolean reshot;
  private final @Nullable String feature;

  private GenerationRequest(@Nullable GenerationKind kind, @Nullable String model, @Nullable String resolution,
      int durationSeconds, int variants, boolean reshot, @Nullable String feature) {
    if (kind == null || model == null || model.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "kind and model are required");
    }
    if (durationSeconds < 0 || durationSeconds > 3600) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "duration must be 0..3600 seconds, was " + durationSeconds);
    }
    if (variants < 1 || variants > 64) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "variants must be 1..64, was " + variants);
    }
    if (kind != GenerationKind.IMAGE && durationSeconds == 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, kind + " needs a positive duration");
    }
    this.kind = kind;
    this.model = model;
    this.resolution = resolution;
    this.durationSeconds = durationSeconds;
    this.variants = variants;
    this.reshot = reshot;
    this.feature = feature;
  }

  /**
   * An image request.
   *
   * @param model the model
   * @param resolution the resolution
   * @return the request, one variant, not a reshot
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a blank model
   */
  public static GenerationRequest image(String model, String resolution) {
    return new GenerationRequest(GenerationKind.IMAGE, model, resolution, 0, 1, false, null);
  }

  /**
   * A video clip request.
   *
   * @param model the model
   * @param resolution the resolution
   * @param seconds duration, 1..3600
   * @return the request, one variant, not a reshot
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a blank model or a duration
   *     out of range
   */
  public static GenerationRequest clip(String model, String resolution, int seconds) {
    return new GenerationRequest(GenerationKind.VIDEO_CLIP, model, resolution, seconds, 1, false, null);
  }

  /**
   * A voice line request.
   *
   * @param model the model
   * @param seconds duration, 1..3600
   * @return the request, one variant, not a reshot
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a blank model or a duration
   *     out of range
   */
  public static GenerationRequest voice(String model, int seconds) {
    return new GenerationRequest(GenerationKind.VOICE_LINE, model, null, seconds, 1, false, null);
  }

  /**
   * A music cue request.
   *
   * @param model the model
   * @param seconds duration, 1..3600
   * @return the request, one variant, not a reshot
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a blank model or a duration
   *     out of range
   */
  public static GenerationRequest music(String model, int seconds) {
    return new GenerationRequest(GenerationKind.MUSIC_CUE, model, null, seconds, 1, false, null);
  }

  /**
   * Returns a copy with another variant count.
   *
   * @param count variants, 1..64
   * @return the new request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when out of range
   */
  public GenerationRequest withVariants(int count) {
    return new GenerationRequest(kind, model, resolution, durationSeconds, count, reshot, feature);
  }

  /**
   * Returns a copy marked as a reshot.
   *
   * @return the new request
   */
  public GenerationRequest asReshot() {
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, true, feature);
  }

  /**
   * Returns a copy using an advanced feature.
   *
   * @param name the feature
   * @return the new request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a blank name
   */
  public GenerationRequest withFeature(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a feature needs a name");
    }
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, reshot, name);
  }

  /**
   * Returns the kind.
   *
   * @return image, video clip, voice line or music cue
   */
  public GenerationKind kind() {
    return kind;
  }

  /**
   * Returns the model id.
   *
   * @return the model
   */
  public String model() {
    return model;
  }

  /**
   * Returns the output resolution.
   *
   * @return the resolution, or null for audio (see {@link #resolutionOption()})
   */
  public @Nullable String resolution() {
    return resolution;
  }

  /**
   * Returns the duration.
   *
   * @return the duration in seconds (0 for images), 0..3600
   */
  public int durationSeconds() {
    return durationSeconds;
  }

  /**
   * Returns how many variants.
   *
   * @return the count, 1..64
   */
  public int variants() {
    return variants;
  }

  /**
   * Tells whether it redoes an earlier generation (priced with the card's reshot factor).
   *
   * @return {@code true} for a reshot
   */
  public boolean reshot() {
    return reshot;
  }

  /**
   * Returns the advanced feature it uses.
   *
   * @return the feature, or null
   */
  public @Nullable String feature() {
    return feature;
  }

  /**
   * Returns the resolution.
   *
   * @return the resolution, empty for audio
   */
  public Optional<String> resolutionOption() {
    return Optional.ofNullable(resolution);
  }

  /**
   * Compares by value: every part.
   *
   * @param o the other object
   * @return true when it is a request for the same generation
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GenerationRequest r && kind == r.kind && model.equals(r.model)
        && Objects.equals(resolution, r.resolution) && durationSeconds == r.durationSeconds
        && variants == r.variants && reshot == r.reshot && Objects.equals(feature, r.feature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, model, resolution, durationSeconds, variants, reshot, feature);
  }

  /**
   * Returns the record form {@code GenerationRequest[kind=IMAGE, model=..., ...]}, which stored
   * fingerprints contain.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return "GenerationRequest[kind=" + kind + ", model=" + model + ", resolution=" + resolution + ", durationSeconds="
        + durationSeconds + ", variants=" + variants + ", reshot=" + reshot + ", feature=" + feature + "]";
  }
}
