package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a generation produces: a name the rate card prices, such as {@link #IMAGE} or a host's own
 * {@code CHAT}. Kinds are data: a rate card lists its kinds ({@link RateCard#kinds()}), and any
 * well-formed name is a kind.
 *
 * <p>Immutable; equal when the names are. {@link #toString()} is the name, which ledger metadata
 * and stored idempotency fingerprints contain ({@code kind=IMAGE}).
 */
public final class GenerationKind {
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,39}");

  /** A still image (a storyboard frame, an Actor, a Set). */
  public static final GenerationKind IMAGE = new GenerationKind("IMAGE");
  /** A video clip, priced per second. */
  public static final GenerationKind VIDEO_CLIP = new GenerationKind("VIDEO_CLIP");
  /** A voice line, priced per second. */
  public static final GenerationKind VOICE_LINE = new GenerationKind("VOICE_LINE");
  /** A music cue, priced per second. */
  public static final GenerationKind MUSIC_CUE = new GenerationKind("MUSIC_CUE");

  private final String name;

  private GenerationKind(String name) {
    this.name = name;
  }

  /**
   * Returns the kind with this name.
   *
   * @param name upper-case letters, digits and underscores, starting with a letter, 1..40 chars
   *     (for example {@code CHAT})
   * @return the kind
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a name of another form
   */
  public static GenerationKind of(@Nullable String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "a generation kind is named [A-Z][A-Z0-9_]{0,39} (for example CHAT), was '" + name + "'");
    }
    return switch (name) {
      case "IMAGE" -> IMAGE;
      case "VIDEO_CLIP" -> VIDEO_CLIP;
      case "VOICE_LINE" -> VOICE_LINE;
      case "MUSIC_CUE" -> MUSIC_CUE;
      default -> new GenerationKind(name);
    };
  }

  /**
   * Returns the kind named in ledger metadata, or empty when the text is no kind's name.
   *
   * @param name the recorded name, or null
   * @return the kind, empty for null or a malformed name
   */
  static java.util.Optional<GenerationKind> parse(@Nullable String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(of(name));
  }

  /**
   * Returns the name.
   *
   * @return the name, for example {@code IMAGE}
   */
  public String name() {
    return name;
  }

  /**
   * Compares by name.
   *
   * @param o the other object
   * @return true when it is a kind with the same name
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GenerationKind k && name.equals(k.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /**
   * Returns the name, as ledger metadata and fingerprints record it.
   *
   * @return the name
   */
  @Override
  public String toString() {
    return name;
  }
}
