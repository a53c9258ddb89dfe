package io.preprompt.credits;

import java.util.Objects;

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
}
