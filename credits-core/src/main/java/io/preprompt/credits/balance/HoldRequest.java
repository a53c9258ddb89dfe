package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A request to hold credits for a generation.
 *
 * @param account the account to hold from
 * @param amount credits to hold, positive
 * @param key idempotency key
 * @param ttl how long the hold may stay unanswered, or {@code null} for the configured default
 * @param metadata the generation's description (kind, model, estimate...), at most 32 entries
 */
public record HoldRequest(AccountId account, CreditAmount amount, IdempotencyKey key, @Nullable Duration ttl,
    Map<String, String> metadata) {

  /** Longest metadata key or value. */
  public static final int MAX_METADATA_LENGTH = 256;
  /** Most metadata entries. */
  public static final int MAX_METADATA_ENTRIES = 32;

  /**
   * Checks the request.
   *
   * @param account the account to hold from
   * @param amount credits to hold, positive
   * @param key idempotency key
   * @param ttl how long the hold may stay unanswered, or {@code null} for the configured default
   * @param metadata the generation's description (kind, model, estimate...), at most 32 entries
   * @throws InvalidRequestException when a part is null, the amount is zero, the ttl not positive or the metadata
   *     too large
   */
  public HoldRequest {
    if (account == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ACCOUNT_ID, "account id must not be null");
    }
    if (amount == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "a hold needs an amount");
    }
    if (key == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "idempotency key must not be null");
    }
    if (amount.isZero()) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "a hold must be for a positive amount, was 0");
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "hold ttl must be positive, was " + ttl);
    }
    metadata = checkMetadata(metadata);
  }

  /**
   * Returns a request with the default ttl and no metadata.
   *
   * @param account the account
   * @param amount credits to hold
   * @param key idempotency key
   * @return the request
   */
  public static HoldRequest of(AccountId account, CreditAmount amount, IdempotencyKey key) {
    return new HoldRequest(account, amount, key, null, Map.of());
  }

  /**
   * Returns a copy with the given ttl.
   *
   * @param newTtl how long the hold may stay unanswered
   * @return the new request
   */
  public HoldRequest withTtl(Duration newTtl) {
    return new HoldRequest(account, amount, key, newTtl, metadata);
  }

  /**
   * Returns a copy with one more metadata entry.
   *
   * @param name entry name
   * @param value entry value
   * @return the new request
   */
  public HoldRequest withMetadata(String name, String value) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(name, value);
    return new HoldRequest(account, amount, key, ttl, m);
  }

  /**
   * Checks and copies metadata into a sorted, immutable map. Shared by every call that takes metadata.
   *
   * @param metadata the metadata
   * @return an immutable copy
   * @throws InvalidRequestException when null, too many entries, blank or too long keys or values
   */
  public static Map<String, String> checkMetadata(@Nullable Map<String, String> metadata) {
    if (metadata == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "metadata must not be null");
    }
    if (metadata.isEmpty()) {
      return Map.of();
    }
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "metadata has " + metadata.size() + " entries, at most " + MAX_METADATA_ENTRIES + " allowed");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (k == null || k.isBlank() || k.length() > MAX_METADATA_LENGTH || v == null || v.length() > MAX_METADATA_LENGTH) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
            "metadata keys must be 1.." + MAX_METADATA_LENGTH + " chars and values 0.." + MAX_METADATA_LENGTH
                + " chars, non-null; bad entry " + k);
      }
      sorted.put(k, v);
    }
    return java.util.Collections.unmodifiableMap(sorted);
  }
}
