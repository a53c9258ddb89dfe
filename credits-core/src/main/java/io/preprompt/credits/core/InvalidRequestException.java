package io.preprompt.credits.core;

/**
 * Bad input: a malformed id, key, amount, duration, configuration or argument. Thrown before any
 * state is read or written.
 */
public final class InvalidRequestException extends CreditsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param code one of the input codes ({@link ErrorCode#INVALID_AMOUNT}, ...)
   * @param message what was wrong, naming the value
   */
  public InvalidRequestException(ErrorCode code, String message) {
    super(code, message, null);
  }
}
