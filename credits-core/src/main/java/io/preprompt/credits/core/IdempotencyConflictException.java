package io.preprompt.credits.core;

/**
 * An idempotency key was reused with different parameters. The exception names the first field
 * that differs ({@code operation} when the key was used for another kind of call).
 */
public final class IdempotencyConflictException extends StateException {
  private static final long serialVersionUID = 1L;

  /** The key that was reused. */
  private final IdempotencyKey key;
  /** The first parameter that differs from the earlier call. */
  private final String field;

  /**
   * Creates the exception.
   *
   * @param key the reused key
   * @param field the first parameter whose value differs from the first call
   * @param first the first call's value of that field
   * @param now this call's value of that field
   */
  public IdempotencyConflictException(IdempotencyKey key, String field, String first, String now) {
    super(ErrorCode.IDEMPOTENCY_CONFLICT,
        "key '" + key.value() + "' was first used with " + field + "=" + first + ", now " + field + "=" + now);
    this.key = key;
    this.field = field;
  }

  /**
   * Returns the reused key.
   *
   * @return the key
   */
  public IdempotencyKey key() {
    return key;
  }

  /**
   * Returns the name of the first differing parameter.
   *
   * @return the field name
   */
  public String field() {
    return field;
  }
}
