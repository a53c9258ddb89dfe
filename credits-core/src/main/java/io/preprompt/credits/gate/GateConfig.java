package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
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

  /** The deadline of a kind without its own: 5 minutes. */
  public static final Duration DEFAULT_HOLD_DEADLINE = Duration.ofMinutes(5);

  private final Duration defaultHoldDeadline;
  private final Map<GenerationKind, Duration> holdDeadlines;
  private final long lowBalanceThreshold;

  private GateConfig(@Nullable Duration defaultHoldDeadline, Map<GenerationKind, @Nullable Duration> holdDeadlines,
      long lowBalanceThreshold) {
    check("a kind without its own", defaultHoldDeadline);
    Map<GenerationKind, Duration> copy = new LinkedHashMap<>();
    for (Map.Entry<GenerationKind, @Nullable Duration> e : holdDeadlines.entrySet()) {
      copy.put(e.getKey(), check(e.getKey().name(), e.getValue()));
    }
    if (lowBalanceThreshold < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "lowBalanceThreshold must not be negative");
    }
    this.defaultHoldDeadline = defaultHoldDeadline;
    this.holdDeadlines = Collections.unmodifiableMap(copy);
    this.lowBalanceThreshold = lowBalanceThreshold;
  }

  private static Duration check(String kind, @Nullable Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "hold deadline for " + kind + " must be positive");
    }
    if (d.compareTo(LONGEST_DEADLINE) > 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "hold deadline for " + kind + " must be at most "
          + LONGEST_DEADLINE + ", was " + d);
    }
    return d;
  }

  /**
   * Returns the defaults: images and voice 2 minutes, music 5, video 15, any other kind
   * {@link #DEFAULT_HOLD_DEADLINE}; warn below 50 credits.
   *
   * @return the defaults
   */
  public static GateConfig defaults() {
    Map<GenerationKind, @Nullable Duration> deadlines = new LinkedHashMap<>();
    deadlines.put(GenerationKind.IMAGE, Duration.ofMinutes(2));
    deadlines.put(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(15));
    deadlines.put(GenerationKind.VOICE_LINE, Duration.ofMinutes(2));
    deadlines.put(GenerationKind.MUSIC_CUE, Duration.ofMinutes(5));
    return new GateConfig(DEFAULT_HOLD_DEADLINE, deadlines, 50);
  }

  /**
   * Returns a copy with another hold deadline for one kind, any kind (a host's {@code CHAT} too).
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
    Map<GenerationKind, @Nullable Duration> copy = new LinkedHashMap<>(holdDeadlines);
    copy.put(kind, deadline);
    return new GateConfig(defaultHoldDeadline, copy, lowBalanceThreshold);
  }

  /**
   * Returns a copy with another deadline for the kinds without their own.
   *
   * @param deadline how long such a hold may stay unanswered, positive, at most {@link #LONGEST_DEADLINE}
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a deadline missing or
   *     out of range
   */
  public GateConfig withDefaultHoldDeadline(Duration deadline) {
    return new GateConfig(deadline, holdDeadlines, lowBalanceThreshold);
  }

  /**
   * Returns a copy that signals a low balance below another threshold.
   *
   * @param credits the threshold, not negative (0 never signals)
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when negative
   */
  public GateConfig withLowBalanceThreshold(long credits) {
    return new GateConfig(defaultHoldDeadline, holdDeadlines, credits);
  }

  /**
   * Returns the kinds with their own hold deadline (long video jobs get longer).
   *
   * @return a positive deadline per kind that has its own, immutable; other kinds get
   *     {@link #defaultHoldDeadline()}
   */
  public Map<GenerationKind, Duration> holdDeadlines() {
    return holdDeadlines;
  }

  /**
   * Returns the deadline of the kinds without their own.
   *
   * @return the deadline, positive
   */
  public Duration defaultHoldDeadline() {
    return defaultHoldDeadline;
  }

  /**
   * Returns how long a hold of this kind may stay unanswered.
   *
   * @param kind the kind
   * @return its own deadline, or {@link #defaultHoldDeadline()}
   */
  public Duration holdDeadline(GenerationKind kind) {
    return holdDeadlines.getOrDefault(kind, defaultHoldDeadline);
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
    return o instanceof GateConfig g && defaultHoldDeadline.equals(g.defaultHoldDeadline)
        && holdDeadlines.equals(g.holdDeadlines) && lowBalanceThreshold == g.lowBalanceThreshold;
  }

  @Override
  public int hashCode() {
    return Objects.hash(defaultHoldDeadline, holdDeadlines, lowBalanceThreshold);
  }

  @Override
  public String toString() {
    return "GateConfig[defaultHoldDeadline=" + defaultHoldDeadline + ", holdDeadlines=" + holdDeadlines + ", lowBalanceThreshold=" + lowBalanceThreshold + "]";
  }
}
