package io.preprompt.credits.core;

import org.jspecify.annotations.Nullable;

/**
 * The request was well formed but the account's state does not allow it: unknown account or hold,
 * a hold that already ended, settling more than held, an idempotency key reused with other
 * parameters. Specific subclasses carry the details a caller needs.
 */
public class StateException extends CreditsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param code the stable code
   * @param message the explanation
   */
  public StateException(ErrorCode code, String message) {
    super(code, message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param code the stable code
   * @param message the explanation
   * @param cause the cause
   */
  protected StateException(ErrorCode code, String message, @Nullable Throwable cause) {
    super(code, message, cause);
  }
}
