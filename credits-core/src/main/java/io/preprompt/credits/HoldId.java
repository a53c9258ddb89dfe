package io.preprompt.credits;

import java.security.SecureRandom;
import org.jspecify.annotations.Nullable;

/**
 * Identifies a hold. Ids the library creates are 128 random bits, so they cannot be guessed; ids
 * are also always looked up within their account.
 *
 * <p>The bits come in bulk into a buffer per thread that is used once and never shared, so creating
 * an id takes no lock. Each buffer of 1,024 ids is AES-256 in counter mode (successive counter
 * blocks, each encrypted) under a fresh key and counter drawn from the JDK's {@code DRBG} (NIST SP
 * 800-90A, seeded from the system's entropy source): the output construction of NIST's
 * {@code CTR_DRBG}, with AES-NI much cheaper per id than drawing every byte through the DRBG's
 * SHA-256. The seed is wiped once the buffer is made and each id's bytes once used (the
 * cipher keeps its key schedule until the next refill), so a later dump reveals no id handed out
 * from an earlier buffer. Where AES is not available, the buffer is drawn from the
 * {@code SecureRandom} directly.
 *
 * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
 */
public record HoldId(String value) {
  private static final SecureRandom RANDOM = generator();
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  private static final int ID_BYTES = 16;
  /** 1,024 ids per refill: a refill (a DRBG draw and a fresh AES key schedule) costs a few kilobytes. */
  private static final int BUFFER_BYTES = 16_384;
  private static final ThreadLocal<RandomBuffer> BUFFERS = ThreadLocal.withInitial(RandomBuffer::new);
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  private static SecureRandom generator() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  /** One thread's unused random bytes. */
  private static final class RandomBuffer {
    private static final int KEY_BYTES = 32;
    private static final int COUNTER_BYTES = 16;

    byte @Nullable [] bytes;
    /** Where an id's text is written before the String copies it. */
    final byte[] text = new byte[2 + 2 * ID_BYTES];
    int next = BUFFER_BYTES;
    /** The keystream maker, or null when the platform has none (then the DRBG fills the buffer). */
    private javax.crypto.@Nullable Cipher cipher;
    private boolean cipherTried;
    /** The text of the id this thread is making: its constructor need not check what it was just given. */
    @Nullable String issuing;

    /** Returns the offset of 16 fresh bytes, refilling when used up. */
    int take() {
      if (next == BUFFER_BYTES) {
        refill();
        next = 0;
      }
      int at = next;
      next += ID_BYTES;
      return at;
    }

    private void refill() {
      byte[] out = bytes;
      if (out == null) {
        out = bytes = new byte[BUFFER_BYTES];
      }
      javax.crypto.Cipher c = cipher();
      if (c == null) {
        RANDOM.nextBytes(out);
        return;
      }
      byte[] seed = new byte[KEY_BYTES + COUNTER_BYTES];
      RANDOM.nextBytes(seed);
      try {
        // Counter mode by hand: the buffer's 16-byte blocks are the seed's counter plus 0, 1, 2, ...
        // (big-endian, in its low 64 bits), then each block is encrypted in place. The JDK's own
        // AES/CTR runs one block per call here, far slower than ECB over the whole buffer.
        long high = (long) LONGS.get(seed, KEY_BYTES);
        long low = (long) LONGS.get(seed, KEY_BYTES + 8);
        for (int at = 0; at < BUFFER_BYTES; at += COUNTER_BYTES) {
          LONGS.set(out, at, high);
          LONGS.set(out, at + 8, low++);
        }
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(seed, 0, KEY_BYTES, "AES"));
        c.doFinal(out, 0, BUFFER_BYTES, out, 0);
      } catch (java.security.GeneralSecurityException e) {
        cipher = null;
        RANDOM.nextBytes(out);
      } finally {
        java.util.Arrays.fill(seed, (byte) 0);
      }
    }

    private javax.crypto.@Nullable Cipher cipher() {
      if (!cipherTried) {
        cipherTried = true;
        try {
          cipher = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        } catch (java.security.GeneralSecurityException e) {
          cipher = null;
        }
      }
      return cipher;
    }
  }

  /**
   * Checks the id.
   *
   * @param value {@code h_} followed by 1 to 64 characters of {@code [A-Za-z0-9]}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_HOLD_ID} when malformed
   */
  public HoldId {
    if (!issuedHere(value) && !valid(value)) {
      throw new InvalidRequestException(ErrorCode.INVALID_HOLD_ID,
          "hold id must be 'h_' and 1..64 chars of [A-Za-z0-9], was " + (value == null ? "null" : Ids.quote(value)));
    }
  }

  /** Tells whether {@link #random} on this thread is making an id of exactly this text (well formed by making). */
  private static boolean issuedHere(@Nullable String value) {
    RandomBuffer buffer = BUFFERS.get();
    if (value != null && buffer.issuing == value) {
      buffer.issuing = null;
      return true;
    }
    return false;
  }

  private static boolean valid(@Nullable String v) {
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
    String text = new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    buffer.issuing = text;
    try {
      return new HoldId(text);
    } finally {
      buffer.issuing = null;
    }
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
   * @return true when it is a HoldId with the same value
   */
  @Override
  public boolean equals(@Nullable Object o) {
    // Hashes first: scans of an account's active holds compare many ids that differ, and a String
    // keeps its hash once computed (every store and table asks for it anyway).
    return o instanceof HoldId other
        && (value == other.value || (value.hashCode() == other.value.hashCode() && value.equals(other.value)));
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
