package io.preprompt.credits.core;

import java.security.SecureRandom;

/**
 * Identifies a hold. Ids the library creates are 128 bits from the JDK's {@code SecureRandom}, so
 * they cannot be guessed; ids are also always looked up within their account.
 *
 * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
 */
public record HoldId(String value) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int ID_BYTES = 16;

  /**
   * Checks the id.
   *
   * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_HOLD_ID} when malformed
   */
  public HoldId {
    if (value == null || value.length() < 3 || value.length() > 66 || !value.startsWith("h_")
        || !Ids.alphanumeric(value, 2)) {
      throw new InvalidRequestException(ErrorCode.INVALID_HOLD_ID,
          "hold id must be 'h_' and 1..64 chars of [A-Za-z0-9], was " + (value == null ? "null" : Ids.quote(value)));
    }
  }

  /**
   * Parses a hold id, as received back from a client.
   *
   * @param value the id
   * @return the hold id
   * @throws InvalidRequestException when malformed
   */
  public static HoldId of(String value) {
    return new HoldId(value);
  }

  /**
   * Creates a new unguessable id: {@code h_} and 32 hex digits.
   *
   * @return a random hold id
   */
  public static HoldId random() {
    byte[] bytes = new byte[ID_BYTES];
    RANDOM.nextBytes(bytes);
    char[] text = new char[2 + 2 * ID_BYTES];
    text[0] = 'h';
    text[1] = '_';
    for (int i = 0; i < ID_BYTES; i++) {
      text[2 + 2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      text[3 + 2 * i] = HEX[bytes[i] & 0xf];
    }
    return new HoldId(new String(text));
  }

  @Override
  public String toString() {
    return value;
  }
}
