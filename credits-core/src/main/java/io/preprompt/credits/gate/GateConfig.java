package io.preprompt.credits.gate;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Gate settings.
 *
 * @param holdDeadlines how long each kind's hold may stay unanswered (long video jobs get longer)
 * @param lowBalanceThreshold below this many available credits a low-balance signal is raised
 */
public record GateConfig(Map<GenerationKind, Duration> holdDeadlines, long lowBalanceThreshold) {
  /** The longest hold deadline: a year, so that a deadline added to any instant never overflows. */
  public static final Duration LONGEST_DEADLINE = Duration.ofDays(366);

  /**
   * Checks the settings.
   *
   * @param holdDeadlines how long each kind's hold may stay unanswered (long video jobs get longer)
   * @param lowBalanceThreshold below this many available credits a low-balance signal is raised
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when a kind has no
   *     positive deadline, a deadline is longer than {@link #LONGEST_DEADLINE}, or the threshold is
   *     negative
   */
  public GateConfig {
    if (holdDeadlines == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a gate config needs hold deadlines");
    }
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
    holdDeadlines = Map.copyOf(copy);
    if (lowBalanceThreshold < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "lowBalanceThreshold must not be negative");
    }
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
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public GateConfig withHoldDeadline(GenerationKind kind, Duration deadline) {
    if (kind == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a hold deadline needs its kind");
    }
    java.util.EnumMap<GenerationKind, Duration> copy = new java.util.EnumMap<>(holdDeadlines);
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
}
