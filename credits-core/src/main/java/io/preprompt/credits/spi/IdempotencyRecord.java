package io.preprompt.credits.spi;

import io.preprompt.credits.core.IdempotencyKey;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored memory of one keyed call: which operation, with which parameters, and what it
 * returned. Core encodes the two texts; a store keeps them verbatim, one record per (account, key),
 * and hands them back unchanged.
 *
 * @param key the key, unique within the account
 * @param operation the operation's name ({@code hold}, {@code settle}, ...)
 * @param fingerprint core's encoding of the call's parameters, compared when the key comes again
 * @param result core's encoding of the call's result, replayed when the key comes again
 * @param at when the call took effect
 */
public record IdempotencyRecord(IdempotencyKey key, String operation, String fingerprint, String result, Instant at) {
  /**
   * Checks that no part is missing.
   *
   * @param key the key, unique within the account
   * @param operation the operation's name
   * @param fingerprint core's encoding of the call's parameters
   * @param result core's encoding of the call's result
   * @param at when the call took effect
   */
  public IdempotencyRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(at, "at");
  }
}
