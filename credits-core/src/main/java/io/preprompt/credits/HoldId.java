package io.preprompt.credits;

import java.security.SecureRandom;

/**
 * Identifies a hold. Ids the library creates are 128 random bits from a {@link SecureRandom}, so
 * they cannot be guessed; ids are also always looked up within their account. The random bits are
 * drawn from the {@code SecureRandom} in bulk, into a buffer per thread that is used once and never
 * shared, so creating an id neither takes the generator's lock nor reads the OS source each time.
 * The generator is the JDK's {@code DRBG} (NIST SP 800-90A, seeded from the system's entropy
 * source) where available: as strong as the platform default, and on Linux, where the default
 * mixes every read of {@code /dev/urandom} through SHA-1 one 20-byte block at a time, several
 * times faster and nearly allocation-free.
 *
 * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
 */
public record HoldId(String value) {
  private static final SecureRandom RANDOM = generator();
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  private static final int ID_BYTES = 16;
  /** 256 ids per refill. */
  private static final int BUFFER_BYTES = 4096;
  private static final ThreadLocal<RandomBuffer> BUFFERS = ThreadLocal.withInitial(RandomBuffer::new);

  private static SecureRandom generator() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  /** One thread's unused random bytes. */
  private static final class RandomBuffer {
    final byte[] bytes = new byte[BUFFER_BYTES];
    /** Where an id's text is written before the String copies it. */
    final byte[] text = new byte[2 + 2 * ID_BYTES];
    int next = BUFFER_BYTES;

    /** Returns the offset of 16 fresh bytes, refilling from the SecureRandom when used up. */
    int take() {
      if (next == BUFFER_BYTES) {
        RANDOM.nextBytes(bytes);
        next = 0;
      }
      int at = next;
      next += ID_BYTES;
      return at;
    }
  }

  /**
   * Checks the id.
   *
   * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_HOLD_ID} when malformed
   */
  public HoldId {
    if (!valid(value)) {
      throw new InvalidRequestException(ErrorCode.INVALID_HOLD_ID,
          "hold id must be 'h_' and 1..64 chars of [A-Za-z0-9], was " + (value == null ? "null" : Ids.quote(value)));
    }
  }

  private static boolean valid(String v) {
    return v != null && v.length() >= 3 && v.length() <= 66 && v.startsWith("h_") && Ids.alphanumeric(v, 2);
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
   * Creates a new unguessable id.
   *
   * @return a random hold id
   */
  public static HoldId random() {
    RandomBuffer buffer = BUFFERS.get();
    int at = buffer.take();
    byte[] bytes = buffer.bytes;
    // Latin-1 bytes in the thread's scratch array, which the String copies.
    byte[] out = buffer.text;
    out[0] = 'h';
    out[1] = '_';
    for (int i = 0; i < ID_BYTES; i++) {
      byte b = bytes[at + i];
      out[2 + 2 * i] = HEX[(b >> 4) & 0xf];
      out[3 + 2 * i] = HEX[b & 0xf];
      // Used bits are wiped, so a later dump of the buffer does not reveal ids already handed out.
      bytes[at + i] = 0;
    }
    return new HoldId(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Override
  public String toString() {
    return value;
  }
}
