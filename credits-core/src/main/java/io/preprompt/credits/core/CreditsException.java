package io.preprompt.credits.core;

/**
 * Base of every exception the library throws on purpose.
 *
 * <p>Each exception carries a stable {@link ErrorCode}. The library guarantees that when one of
 * these is thrown by a mutating call, nothing was changed: no ledger entry, no balance change, no
 * idempotency record.
 */
public abstract class CreditsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The stable error code. */
  private final ErrorCode code;

  /**
   * Creates an exception.
   *
   * @param code the stable error code
   * @param message a human-readable message naming the offending value
   * @param cause the underlying cause, or {@code null}
   */
  protected CreditsException(ErrorCode code, String message, @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * Returns the class, the code and the message, once each ({@link #getMessage()} leaves the code
   * out, so a host that logs both does not repeat it).
   *
   * @return {@code ClassName: CODE: message}
   */
  @Override
  public String toString() {
    return getClass().getName() + ": " + code + ": " + getMessage();
  }

  /**
   * Returns the stable error code.
   *
   * @return the code, never null
   */
  public ErrorCode code() {
    return code;
  }
}
