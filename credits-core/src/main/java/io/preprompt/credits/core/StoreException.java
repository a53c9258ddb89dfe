package io.preprompt.credits.core;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The storage adapter failed: connection lost, constraint violated, timeout. Adapters throw it with
 * the SQL state where there is one; the write it interrupted left no partial state. When the
 * connection was lost around the commit the caller cannot know whether the change was committed:
 * resend the call with the same idempotency key, which replays it if it was and applies it if not.
 */
public final class StoreException extends CreditsException {
  private static final long serialVersionUID = 1L;

  /** The SQL state of the underlying failure, or {@code null} when there is none. */
  private final @Nullable String sqlState;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param sqlState the SQL state, or {@code null} when the store is not SQL
   * @param cause the underlying exception
   */
  public StoreException(String message, @Nullable String sqlState, @Nullable Throwable cause) {
    super(ErrorCode.STORE_FAILURE, sqlState == null ? message : message + " (SQL state " + sqlState + ")", cause);
    this.sqlState = sqlState;
  }

  /**
   * Returns the SQL state of the failure, when the store is SQL.
   *
   * @return the SQL state
   */
  public Optional<String> sqlState() {
    return Optional.ofNullable(sqlState);
  }
}
