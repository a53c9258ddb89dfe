package io.preprompt.credits.core;

/**
 * The caller's name for one intended change, scoped to an account. Sending the same key with the
 * same parameters again returns the first result; with different parameters it fails with
 * {@link IdempotencyConflictException}.
 *
 * <p>1 to 200 characters from {@code [A-Za-z0-9._:@/+=-]}: a UUID, a request id or a provider's
 * event id all fit.
 *
 * <p>Keys that start with {@value #RESERVED_PREFIX} are the library's own (it keys billing events
 * and payments with them, so they can never collide with a caller's key). Such a key can be built,
 * so that a store can load any key it wrote, but every service refuses it from a caller with
 * {@link ErrorCode#INVALID_IDEMPOTENCY_KEY}.
 *
 * @param value the key
 */
public record IdempotencyKey(String value) {
  /** Longest accepted key. */
  public static final int MAX_LENGTH = 200;

  /** The first character of the library's own keys; never the first character of a caller's key. */
  public static final String RESERVED_PREFIX = "~";

  /**
   * Checks the key.
   *
   * @param value the key
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_IDEMPOTENCY_KEY} when null, blank, too long or malformed
   */
  public IdempotencyKey {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH
        || !(Ids.safeChars(value) || value.startsWith(RESERVED_PREFIX) && value.length() > 1 && Ids.safeChars(value, 1))) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY,
          "idempotency key must be 1.." + MAX_LENGTH + " chars of [A-Za-z0-9._:@/+=-], was "
              + (value == null ? "null" : Ids.quote(value)));
    }
  }

  /**
   * Builds one of the library's own keys: {@value #RESERVED_PREFIX}, the namespace, a dot and the id.
   *
   * @param namespace what the id names ({@code evt} for billing events, {@code pay} for payments)
   * @param id the id, from {@code [A-Za-z0-9._:@/+=-]}
   * @return the key
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_IDEMPOTENCY_KEY} when too long or malformed
   */
  public static IdempotencyKey reserved(String namespace, String id) {
    return new IdempotencyKey(RESERVED_PREFIX + namespace + "." + id);
  }

  /**
   * Tells whether this is one of the library's own keys, which callers may not use.
   *
   * @return true when the key starts with {@value #RESERVED_PREFIX}
   */
  public boolean isReserved() {
    return value.startsWith(RESERVED_PREFIX);
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
}
