package io.preprompt.credits.internal;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one rounding rule for time: every instant core keeps (read from the clock, given by a caller,
 * or computed from them) is truncated to whole microseconds, toward the past. SQL timestamps hold
 * microseconds, so an account reads back from any store exactly as core wrote it.
 */
final class Instants {
  /**
   * The latest instant the library keeps: the end of year 9999, the last the SQL standard's
   * timestamps (and so every supported database) hold. Later expiries and effective times are refused.
   */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Instants() {}

  /**
   * Refuses an instant after {@link #LATEST}.
   *
   * @param what what the instant is, for the message
   * @param instant the instant, or null for none
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when it is later
   */
  static void requireKeepable(String what, @Nullable Instant instant) {
    if (instant != null && instant.isAfter(LATEST)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          what + " " + instant + " is after " + LATEST + ", the latest instant the library keeps");
    }
  }

  /**
   * Returns a clock whose instants are truncated to microseconds.
   *
   * @param clock the host's clock
   * @return the clock core reads
   */
  static InstantSource micros(InstantSource clock) {
    return new InstantSource() {
      @Override
      public Instant instant() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
      }

      @Override
      public String toString() {
        return clock + " (microseconds)";
      }
    };
  }

  /**
   * Truncates an instant to microseconds.
   *
   * @param instant the instant
   * @return the truncated instant
   */
  static Instant micros(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * Truncates an instant to microseconds, keeping absence.
   *
   * @param instant the instant, or null
   * @return the truncated instant, null for null
   */
  static @Nullable Instant nullableMicros(@Nullable Instant instant) {
    return instant == null ? null : micros(instant);
  }
}
