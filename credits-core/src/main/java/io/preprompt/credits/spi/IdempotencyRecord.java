package io.preprompt.credits.spi;

import io.preprompt.credits.IdempotencyKey;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored memory of one call: which operation, with which parameters, and what it returned.
 * Core encodes the three strings; adapters store them verbatim, unique per (account, key).
 *
 * @param key the key, unique within the account
 * @param operation the operation name
 * @param fingerprint core's encoding of the call's parameters
 * @param result core's encoding of the call's result
 * @param at when the call took effect
 */
public record IdempotencyRecord(IdempotencyKey key, String operation, String fingerprint, String result, Instant at) {
  /**
   * Checks non-null fields.
   *
   * @param key the key, unique within the account
   * @param operation the operation name
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
