package io.preprompt.credits.gate;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the app is about to generate.
 *
 * @param kind image, video clip, voice line or music cue
 * @param model the model id
 * @param resolution the output resolution, or null for audio
 * @param durationSeconds duration in seconds (0 for images), 0..3600
 * @param variants how many variants, 1..64
 * @param reshot whether it redoes an earlier generation (priced with the card's reshot factor)
 * @param feature an advanced feature it uses, or null
 */
public record GenerationRequest(GenerationKind kind, String model, @Nullable String resolution, int durationSeconds,
    int variants, boolean reshot, @Nullable String feature) {
  /**
   * Checks the request.
   *
   * @param kind image, video clip, voice line or music cue
   * @param model the model id
   * @param resolution the output resolution, or null for audio
   * @param durationSeconds duration in seconds (0 for images), 0..3600
   * @param variants how many variants, 1..64
   * @param reshot whether it redoes an earlier generation (priced with the card's reshot factor)
   * @param feature an advanced feature it uses, or null
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when out of range
   */
  public GenerationRequest {
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
  }

  /**
   * An image request.
   *
   * @param model the model
   * @param resolution the resolution
   * @return the request, one variant, not a reshot
   */
  public static GenerationRequest image(String model, String resolution) {
    return new GenerationRequest(GenerationKind.IMAGE, model, resolution, 0, 1, false, null);
  }

  /**
   * A video clip request.
   *
   * @param model the model
   * @param resolution the resolution
   * @param seconds duration
   * @return the request
   */
  public static GenerationRequest clip(String model, String resolution, int seconds) {
    return new GenerationRequest(GenerationKind.VIDEO_CLIP, model, resolution, seconds, 1, false, null);
  }

  /**
   * A voice line request.
   *
   * @param model the model
   * @param seconds duration
   * @return the request
   */
  public static GenerationRequest voice(String model, int seconds) {
    return new GenerationRequest(GenerationKind.VOICE_LINE, model, null, seconds, 1, false, null);
  }

  /**
   * A music cue request.
   *
   * @param model the model
   * @param seconds duration
   * @return the request
   */
  public static GenerationRequest music(String model, int seconds) {
    return new GenerationRequest(GenerationKind.MUSIC_CUE, model, null, seconds, 1, false, null);
  }

  /**
   * Returns a copy with another variant count.
   *
   * @param count variants
   * @return the new request
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
   */
  public GenerationRequest withFeature(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a feature needs a name");
    }
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, reshot, name);
  }

  /**
   * Returns the resolution.
   *
   * @return the resolution, empty for audio
   */
  public Optional<String> resolutionOption() {
    return Optional.ofNullable(resolution);
  }
}
