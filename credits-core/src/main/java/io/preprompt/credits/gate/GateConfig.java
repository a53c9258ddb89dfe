package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Gate settings. Start from {@link #defaults()} and change one named setting at a time; each
 * {@code with...} method checks its value at once.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class GateConfig {
  /** The longest hold deadline: a year, so that a deadline added to any instant never overflows. */
  public static final Duration LONGEST_DEADLINE = Duration.ofDays(366);

  private final Map<GenerationKind, Duration> holdDeadlines;
  private final long lowBalanceThreshold;

  private GateConfig(Map<GenerationKind, @Nullable Duration> holdDeadlines, long lowBalanceThreshold) {
    EnumMap<GenerationKind, Duration> copy = new EnumMap<>(GenerationKind.class);
    for (GenerationKind kind : GenerationKind.values()) {
      Duration d = holdDeadlines.get(kind);
      if (d == null || d.isZero() || d.isNegative()) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "hold deadline for " + kind + " must be positive");
      }
      if (d.compareTo(LONGEST_DEADLINE) > 0) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "hold deadline for " + kind + " must be at most "
            + LONGEST_DEADLINE + ", was " + d);
      }
      copy.put(kind, d);
    }
    if (lowBalanceThreshold < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "lowBalanceThreshold must not be negative");
    }
    this.holdDeadlines = Map.copyOf(copy);
    this.lowBalanceThreshold = lowBalanceThreshold;
  }

  /**
   * Returns the defaults: images and voice 2 minutes, music 5, video 15; warn below 50 credits.
   *
   * @return the defaults
   */
  public static GateConfig defaults() {
    return new GateConfig(Map.of(GenerationKind.IMAGE, Duration.ofMinutes(2), GenerationKind.VOICE_LINE,
        Duration.ofMinutes(2), GenerationKind.MUSIC_CUE, Duration.ofMinutes(5), GenerationKind.VIDEO_CLIP,
        Duration.ofMinutes(15)), 50);
  }

  /**
   * Returns a copy with another hold deadline for one kind.
   *
   * @param kind the kind
   * @param deadline how long its hold may stay unanswered, positive, at most {@link #LONGEST_DEADLINE}
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for no kind, or a deadline
   *     missing or out of range
   */
  public GateConfig withHoldDeadline(GenerationKind kind, Duration deadline) {
    if (kind == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a hold deadline needs its kind");
    }
    EnumMap<GenerationKind, @Nullable Duration> copy = new EnumMap<>(holdDeadlines);
    copy.put(kind, deadline);
    return new GateConfig(copy, lowBalanceThreshold);
  }

  /**
   * Returns a copy that signals a low balance below another threshold.
   *
   * @param credits the threshold, not negative (0 never signals)
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when negative
   */
  public GateConfig withLowBalanceThreshold(long credits) {
    return new GateConfig(holdDeadlines, credits);
  }

  /**
   * Returns how long each kind's hold may stay unanswered (long video jobs get longer).
   *
   * @return a positive deadline for every kind, immutable
   */
  public Map<GenerationKind, Duration> holdDeadlines() {
    return holdDeadlines;
  }

  /**
   * Returns the threshold below which a low-balance signal is raised.
   *
   * @return the threshold in available credits, not negative
   */
  public long lowBalanceThreshold() {
    return lowBalanceThreshold;
  }

  /**
   * Compares by value: deadlines and threshold.
   *
   * @param o the other object
   * @return true when it is a config with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GateConfig g && holdDeadlines.equals(g.holdDeadlines)
        && lowBalanceThreshold == g.lowBalanceThreshold;
  }

  @Override
  public int hashCode() {
    return Objects.hash(holdDeadlines, lowBalanceThreshold);
  }

  @Override
  public String toString() {
    return "GateConfig[holdDeadlines=" + holdDeadlines + ", lowBalanceThreshold=" + lowBalanceThreshold + "]";
  }
}
