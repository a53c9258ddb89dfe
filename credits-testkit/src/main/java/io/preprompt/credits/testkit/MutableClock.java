package io.preprompt.credits.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A controllable clock for tests: time stands still until a test moves it. Thread-safe.
 */
public final class MutableClock implements InstantSource {
  private final AtomicReference<Instant> now;

  /**
   * Creates a clock at the given instant.
   *
   * @param start the initial time
   */
  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /**
   * Creates a clock at an instant given as ISO-8601 text.
   *
   * @param isoInstant for example {@code 2026-01-31T10:00:00Z}
   * @return the clock
   */
  public static MutableClock at(String isoInstant) {
    return new MutableClock(Instant.parse(isoInstant));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far, not negative
   * @return the new time
   */
  public Instant advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward here; use set() to go back");
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the clock.
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }
}
