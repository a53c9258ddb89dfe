package io.preprompt.credits.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Identifies a credit account (usually one per user or workspace of the host app).
 *
 * <p>1 to 128 characters from {@code [A-Za-z0-9._:@/+=-]}. The restriction keeps ids safe in logs,
 * URLs and storage keys.
 *
 * @param value the id
 */
public record AccountId(String value) {
  /** Longest accepted id. */
  public static final int MAX_LENGTH = 128;

  /**
   * Checks the id.
   *
   * @param value the id
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ACCOUNT_ID} when null, blank, too long or malformed
   */
  public AccountId {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !Ids.safeChars(value)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ACCOUNT_ID,
          "account id must be 1.." + MAX_LENGTH + " chars of [A-Za-z0-9._:@/+=-], was "
              + (value == null ? "null" : Ids.quote(value)));
    }
  }

  /**
   * Returns an account id.
   *
   * @param value the id
   * @return the account id
   * @throws InvalidRequestException when malformed
   */
  public static AccountId of(String value) {
    return new AccountId(value);
  }

  @Override
  public String toString() {
    return Objects.requireNonNull(value);
  }

  /**
   * Compares by value, as the record's own {@code equals} does; spelled out because the generated
   * one goes through a method-handle chain on the hottest paths.
   *
   * @param o the other object
   * @return true when it is a AccountId with the same value
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AccountId other && value.equals(other.value);
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
