package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What the app is about to generate (or, for {@link GenerationGate#succeeded(io.preprompt.credits.core.AccountId,
 * io.preprompt.credits.core.HoldId, GenerationRequest, io.preprompt.credits.core.IdempotencyKey)}, what it
 * did generate). Built with {@link #image}, {@link #clip}, {@link #voice} or {@link #music} for media,
 * {@link #tokens} for a language model, {@link #of} for any kind; then {@link #withVariants},
 * {@link #asReshot}, {@link #withFeature} and {@link #with} for the quantities a rate prices
 * ({@link PriceDimension}).
 *
 * <p>Immutable; equal when every part is (a quantity of 0 is the same as none). {@link #toString()}
 * keeps the form it had as a record, which stored idempotency fingerprints contain; quantities other
 * than seconds are appended only when there are some.
 */
public final class GenerationRequest {
  private final GenerationKind kind;
  private final String model;
  private final @Nullable String resolution;
  private final int durationSeconds;
  private final int variants;
  private final boolean reshot;
  private final @Nullable String feature;
  /** Quantities other than seconds, positive, sorted by dimension name. */
  private final Map<PriceDimension, Long> quantities;

  /** At most this many quantities besides seconds (each is recorded in the ledger's metadata). */
  public static final int MAX_QUANTITIES = ModelRate.MAX_DIMENSIONS;

  private GenerationRequest(@Nullable GenerationKind kind, @Nullable String model, @Nullable String resolution,
      int durationSeconds, int variants, boolean reshot, @Nullable String feature) {
    this(kind, model, resolution, durationSeconds, variants, reshot, feature, Map.of());
  }

  private GenerationRequest(@Nullable GenerationKind kind, @Nullable String model, @Nullable String resolution,
      int durationSeconds, int variants, boolean reshot, @Nullable String feature,
      Map<PriceDimension, Long> quantities) {
    if (kind == null || model == null || model.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "kind and model are required");
    }
    if (durationSeconds < 0 || durationSeconds > 3600) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "duration must be 0..3600 seconds, was " + durationSeconds);
    }
    if (variants < 1 || variants > 64) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "variants must be 1..64, was " + variants);
    }
    if (durationSeconds == 0 && (kind.equals(GenerationKind.VIDEO_CLIP) || kind.equals(GenerationKind.VOICE_LINE)
        || kind.equals(GenerationKind.MUSIC_CUE))) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, kind + " needs a positive duration");
    }
    if (quantities.size() > MAX_QUANTITIES) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "a request has at most " + MAX_QUANTITIES + " quantities besides seconds, was " + quantities.keySet());
    }
    this.kind = kind;
    this.model = model;
    this.resolution = resolution;
    this.durationSeconds = durationSeconds;
    this.variants = variants;
    this.reshot = reshot;
    this.feature = feature;
    this.quantities = quantities;
  }

  /**
   * A request of any kind, with no quantities yet: a flat-priced call as it is, or add them with
   * {@link #with}.
   *
   * @param kind the kind, for example {@code GenerationKind.of("CHAT")}
   * @param model the model
   * @return the request, one variant, not a reshot, no resolution
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for no kind or a blank model,
   *     or a per-second media kind (which needs its duration: use {@link #clip}, {@link #voice},
   *     {@link #music})
   */
  public static GenerationRequest of(GenerationKind kind, String model) {
    return new GenerationRequest(kind, model, null, 0, 1, false, null);
  }

  /**
   * A language-model call: its input (prompt) tokens and output tokens (the actual count, or the
   * most it may produce when estimating).
   *
   * @param kind the kind, for example {@code GenerationKind.of("CHAT")}
   * @param model the model
   * @param inputTokens input tokens, not negative
   * @param outputTokens output tokens, not negative
   * @return the request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for no kind, a blank model
   *     or a negative count
   */
  public static GenerationRequest tokens(GenerationKind kind, String model, long inputTokens, long outputTokens) {
    return of(kind, model).with(PriceDimension.INPUT_TOKENS, inputTokens).with(PriceDimension.OUTPUT_TOKENS,
        outputTokens);
  }

  /**
   * Returns a copy with the quantity of one dimension set (replacing any earlier one). Seconds set
   * the duration.
   *
   * @param dimension what is counted
   * @param quantity how many, not negative (0 removes it); seconds 0..3600
   * @return the new request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for no dimension, a negative
   *     quantity, seconds out of range, or more than {@link #MAX_QUANTITIES} dimensions
   */
  public GenerationRequest with(PriceDimension dimension, long quantity) {
    if (dimension == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a quantity needs its dimension");
    }
    if (quantity < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "a quantity must not be negative, was " + dimension + "=" + quantity);
    }
    if (dimension.equals(PriceDimension.SECONDS)) {
      if (quantity > 3600) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "duration must be 0..3600 seconds, was " + quantity);
      }
      return new GenerationRequest(kind, model, resolution, (int) quantity, variants, reshot, feature, quantities);
    }
    TreeMap<PriceDimension, Long> copy = new TreeMap<>(quantities);
    if (quantity == 0) {
      copy.remove(dimension);
    } else {
      copy.put(dimension, quantity);
    }
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, reshot, feature,
        Collections.unmodifiableMap(copy));
  }

  /**
   * Returns a copy with cached input tokens (input served from the provider's prompt cache).
   *
   * @param count the tokens, not negative
   * @return the new request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a negative count
   */
  public GenerationRequest withCachedInputTokens(long count) {
    return with(PriceDimension.CACHED_INPUT_TOKENS, count);
  }

  /**
   * Returns a copy with reasoning tokens.
   *
   * @param count the tokens, not negative
   * @return the new request
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a negative count
   */
  public GenerationRequest withReasoningTokens(long count) {
    return with(PriceDimension.REASONING_TOKENS, count);
  }

  /**
   * Returns the quantity of one dimension.
   *
   * @param dimension the dimension
   * @return how many, 0 when not given ({@link PriceDimension#SECONDS} is the duration)
   */
  public long quantity(PriceDimension dimension) {
    if (PriceDimension.SECONDS.equals(dimension)) {
      return durationSeconds;
    }
    Long q = quantities.get(dimension);
    return q == null ? 0 : q;
  }

  /**
   * Returns every positive quantity, the duration included as {@link PriceDimension#SECONDS}.
   *
   * @return the quantities, immutable, sorted by dimension name
   */
  public Map<PriceDimension, Long> quantities() {
    if (durationSeconds == 0) {
      return quantities;
    }
    TreeMap<PriceDimension, Long> all = new TreeMap<>(quantities);
    all.put(PriceDimension.SECONDS, (long) durationSeconds);
    return Collections.unmodifiableMap(all);
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
    return new GenerationRequest(kind, model, resolution, durationSeconds, count, reshot, feature, quantities);
  }

  /**
   * Returns a copy marked as a reshot.
   *
   * @return the new request
   */
  public GenerationRequest asReshot() {
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, true, feature, quantities);
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
    return new GenerationRequest(kind, model, resolution, durationSeconds, variants, reshot, name, quantities);
  }

  /**
   * Returns the kind.
   *
   * @return the kind, for example {@link GenerationKind#IMAGE}
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
    return o instanceof GenerationRequest r && kind.equals(r.kind) && model.equals(r.model)
        && Objects.equals(resolution, r.resolution) && durationSeconds == r.durationSeconds
        && variants == r.variants && reshot == r.reshot && Objects.equals(feature, r.feature)
        && quantities.equals(r.quantities);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, model, resolution, durationSeconds, variants, reshot, feature, quantities);
  }

  /**
   * Returns the record form {@code GenerationRequest[kind=IMAGE, model=..., ...]}, which stored
   * fingerprints contain; quantities other than seconds follow as {@code , quantities={input_tokens=1200}}
   * only when there are some, so a media request's form is unchanged.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return "GenerationRequest[kind=" + kind + ", model=" + model + ", resolution=" + resolution + ", durationSeconds="
        + durationSeconds + ", variants=" + variants + ", reshot=" + reshot + ", feature=" + feature
        + (quantities.isEmpty() ? "" : ", quantities=" + quantities) + "]";
  }
}
