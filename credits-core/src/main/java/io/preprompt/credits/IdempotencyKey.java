package io.preprompt.credits;

import org.jspecify.annotations.Nullable;

/**
 * The caller's name for one intended change, scoped to an account. Sending the same key with the
 * same parameters again returns the first result; with different parameters it fails with
 * {@link IdempotencyConflictException}.
 *
 * <p>1 to 200 characters from {@code [A-Za-z0-9._:@/+=-]}: a UUID, a request id or a provider's
 * event id all fit.
 *
 * @param value the key
 */
public record IdempotencyKey(String value) {
  /** Longest accepted key. */
  public static final int MAX_LENGTH = 200;

  /**
   * Checks the key.
   *
   * @param value the key
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_IDEMPOTENCY_KEY} when null, blank, too long or malformed
   */
  public IdempotencyKey {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !Ids.safeChars(value)) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY,
          "idempotency key must be 1.." + MAX_LENGTH + " chars of [A-Za-z0-9._:@/+=-], was "
              + (value == null ? "null" : Ids.quote(value)));
    }
  }

  /**
   * Returns a key.
   *
   * @param value the key
   * @return the key
   * @throws InvalidRequestException when malformed
   */
  public static IdempotencyKey of(String value) {
    return new IdempotencyKey(value);
  }

  @Override
  public String toString() {
    return value;
  }

  /**
   * Compares by value, as the record's own {@code equals} does; spelled out because the generated
   * one goes through a method-handle chain on the hottest paths.
   *
   * @param o the other object
   * @return true when it is a IdempotencyKey with the same value
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IdempotencyKey other && value.equals(other.value);
  }

  /**
   * Returns the value's hash, as the record's own {@code hashCode} does.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
