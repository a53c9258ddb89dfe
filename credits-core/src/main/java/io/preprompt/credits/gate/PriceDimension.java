package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A quantity a model is priced by: seconds of media, or input, output, cached-input or reasoning
 * tokens, or a host's own unit ({@link #of}). A {@link ModelRate} gives a price per dimension; a
 * {@link GenerationRequest} gives the quantity.
 *
 * <p>Immutable; equal when the names are. The name is what ledger metadata records
 * ({@code q.input_tokens=1200}).
 */
public final class PriceDimension implements Comparable<PriceDimension> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  /** Seconds of duration (clips, voice, music); priced per second. */
  public static final PriceDimension SECONDS = new PriceDimension("seconds");
  /** Prompt (input) tokens; priced per million. */
  public static final PriceDimension INPUT_TOKENS = new PriceDimension("input_tokens");
  /** Completion (output) tokens; priced per million. */
  public static final PriceDimension OUTPUT_TOKENS = new PriceDimension("output_tokens");
  /** Input tokens served from the provider's prompt cache; priced per million. */
  public static final PriceDimension CACHED_INPUT_TOKENS = new PriceDimension("cached_input_tokens");
  /** Reasoning (thinking) tokens; priced per million. */
  public static final PriceDimension REASONING_TOKENS = new PriceDimension("reasoning_tokens");

  private final String name;

  private PriceDimension(String name) {
    this.name = name;
  }

  /**
   * Returns the dimension with this name.
   *
   * @param name lower-case letters, digits and underscores, starting with a letter, 1..40 chars
   *     (for example {@code input_tokens} or a host's own {@code pages})
   * @return the dimension
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a name of another form
   */
  public static PriceDimension of(@Nullable String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "a price dimension is named [a-z][a-z0-9_]{0,39} (for example input_tokens), was '" + name + "'");
    }
    return switch (name) {
      case "seconds" -> SECONDS;
      case "input_tokens" -> INPUT_TOKENS;
      case "output_tokens" -> OUTPUT_TOKENS;
      case "cached_input_tokens" -> CACHED_INPUT_TOKENS;
      case "reasoning_tokens" -> REASONING_TOKENS;
      default -> new PriceDimension(name);
    };
  }

  /** The dimension named in ledger metadata, or empty for a malformed name. */
  static java.util.Optional<PriceDimension> parse(@Nullable String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(of(name));
  }

  /**
   * Returns the name.
   *
   * @return the name, for example {@code input_tokens}
   */
  public String name() {
    return name;
  }

  /** The words estimate lines use: {@code input tokens}. */
  String label() {
    return name.replace('_', ' ');
  }

  /**
   * Orders by name, so that quantities list the same way everywhere.
   *
   * @param o the other dimension
   * @return the order of the names
   */
  @Override
  public int compareTo(PriceDimension o) {
    return name.compareTo(o.name);
  }

  /**
   * Compares by name.
   *
   * @param o the other object
   * @return true when it is a dimension with the same name
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PriceDimension d && name.equals(d.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /**
   * Returns the name.
   *
   * @return the name
   */
  @Override
  public String toString() {
    return name;
  }
}
