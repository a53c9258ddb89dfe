package io.preprompt.credits.core;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The storage adapter failed: connection lost, constraint violated, timeout, schema missing. The
 * write it interrupted left no partial state, and {@link #outcome()} says what the caller should do:
 *
 * <ul>
 *   <li>{@link Outcome#NOT_APPLIED}: the change surely was not applied (the failure came before the
 *       commit was sent, or while the transaction could still be rolled back, or in a read). It is
 *       safe to retry, with the same key or another, or to report the failure.
 *   <li>{@link Outcome#UNKNOWN}: the answer was lost after the commit was sent, so the change may or
 *       may not have been committed. Resend the same call with the same idempotency key: it replays
 *       the first result when the change was committed and applies it when not. Never retry it under
 *       a new key.
 * </ul>
 *
 * <p>The code is {@link ErrorCode#STORE_FAILURE}, or {@link ErrorCode#SCHEMA_NOT_INSTALLED} when the
 * store's tables are missing. Adapters throw it with the SQL state of the failure that happened,
 * where there is one, and with the SQL exception as cause.
 */
public final class StoreException extends CreditsException {
  private static final long serialVersionUID = 1L;

  /** Whether the change a failed call carried may have been committed. */
  public enum Outcome {
    /**
     * The change surely was not applied: nothing was written, or what was written was rolled back
     * before the commit was sent. Safe to retry or to report.
     */
    NOT_APPLIED,
    /**
     * The change may or may not have been committed: the commit was sent and its answer was lost
     * (the connection broke, an I/O error). Resend the same call with the same idempotency key.
     */
    UNKNOWN
  }

  /** The SQL state of the underlying failure, or {@code null} when there is none. */
  private final @Nullable String sqlState;

  /** Whether the change may have been committed. */
  private final Outcome outcome;

  /**
   * Creates a {@link ErrorCode#STORE_FAILURE}.
   *
   * @param message what failed
   * @param sqlState the SQL state of the failure, or {@code null} when the store is not SQL or the
   *     failure has none
   * @param outcome whether the change may have been committed; when an adapter cannot tell, that is
   *     {@link Outcome#UNKNOWN}
   * @param cause the underlying exception
   * @throws NullPointerException when the message or the outcome is null
   */
  public StoreException(String message, @Nullable String sqlState, Outcome outcome, @Nullable Throwable cause) {
    this(ErrorCode.STORE_FAILURE, message, sqlState, outcome, cause);
  }

  /**
   * Creates the exception with one of the store failure codes.
   *
   * @param code {@link ErrorCode#STORE_FAILURE} or {@link ErrorCode#SCHEMA_NOT_INSTALLED}
   * @param message what failed
   * @param sqlState the SQL state of the failure, or {@code null} when there is none
   * @param outcome whether the change may have been committed
   * @param cause the underlying exception
   * @throws IllegalArgumentException when the code is not a store failure code
   * @throws NullPointerException when the message or the outcome is null
   */
  public StoreException(ErrorCode code, String message, @Nullable String sqlState, Outcome outcome,
      @Nullable Throwable cause) {
    super(storeCode(code), describe(message, sqlState, outcome), cause);
    this.sqlState = sqlState;
    this.outcome = outcome;
  }

  private static ErrorCode storeCode(ErrorCode code) {
    if (code != ErrorCode.STORE_FAILURE && code != ErrorCode.SCHEMA_NOT_INSTALLED) {
      throw new IllegalArgumentException("not a store failure code: " + code);
    }
    return code;
  }

  private static String describe(String message, @Nullable String sqlState, Outcome outcome) {
    Objects.requireNonNull(message, "message");
    String what = switch (Objects.requireNonNull(outcome, "outcome")) {
      case NOT_APPLIED -> "not applied";
      case UNKNOWN -> "outcome unknown: resend with the same idempotency key";
    };
    return message + " (" + (sqlState == null ? "" : "SQL state " + sqlState + "; ") + what + ")";
  }

  /**
   * Returns the SQL state of the failure, when the store is SQL and the failure has one.
   *
   * @return the SQL state
   */
  public Optional<String> sqlState() {
    return Optional.ofNullable(sqlState);
  }

  /**
   * Returns whether the change may have been committed: {@link Outcome#UNKNOWN} means resend the
   * call with the same idempotency key; {@link Outcome#NOT_APPLIED} means nothing changed.
   *
   * @return the outcome, never null
   */
  public Outcome outcome() {
    return outcome;
  }
}
