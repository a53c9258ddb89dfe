package io.preprompt.credits.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Short Latin-1 strings (idempotency keys, hold ids: both are ASCII by their own checks) kept as
 * bytes, one after another, in chunks of {@value #CHUNK} bytes: millions of them cost a few arrays
 * instead of a {@code String} and a {@code byte[]} each. A string is found by its address (chunk and
 * offset) and its length, which the owner keeps in its columns. The first chunk starts small and
 * grows by copying, so a short arena stays small; a string never spans chunks.
 *
 * <p>{@link #mark} and {@link #truncate} undo appends, so a refused change leaves no bytes behind.
 *
 * <p>Not thread-safe: the store guards each arena with its account's lock.
 */
final class ByteArena {
  private static final int SHIFT = 15;
  private static final int CHUNK = 1 << SHIFT;
  /** The longest string kept (its length must fit an unsigned byte in the owner's columns). */
  static final int MAX_LENGTH = 255;

  private byte[][] chunks = {new byte[64]};
  private int chunk;
  private int fill;

  /** Returns where the next string goes, for {@link #truncate}. */
  int mark() {
    return chunk << 16 | fill;
  }

  /** Forgets every string appended since {@code mark} was taken. */
  void truncate(int mark) {
    chunk = mark >>> 16;
    fill = mark & 0xFFFF;
  }

  /**
   * Appends a string.
   *
   * @param s at most {@value #MAX_LENGTH} chars, each at most {@code 0xFF}
   * @return its address
   * @throws IllegalArgumentException when the string does not fit those limits
   */
  int add(String s) {
    int n = s.length();
    if (n > MAX_LENGTH) {
      throw new IllegalArgumentException("too long for the arena: " + n + " chars");
    }
    int mark = mark();
    byte[] b = chunks[chunk];
    if (fill + n > b.length) {
      if (b.length < CHUNK && fill + n <= CHUNK) {
        b = chunks[chunk] = Arrays.copyOf(b, Math.min(CHUNK, Math.max(fill + n, b.length * 2)));
      } else {
        if (chunk + 1 >= 1 << 15) {
          throw new IllegalStateException("arena full");
        }
        chunk++;
        fill = 0;
        if (chunk == chunks.length) {
          chunks = Arrays.copyOf(chunks, chunk * 2);
        }
        if (chunks[chunk] == null) {
          chunks[chunk] = new byte[CHUNK];
        }
        b = chunks[chunk];
      }
    }
    int at = fill;
    // Checked while copied: a refused string leaves bytes past the fill, which count for nothing.
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch > 0xFF) {
        truncate(mark);
        throw new IllegalArgumentException("not a Latin-1 string");
      }
      b[at + i] = (byte) ch;
    }
    fill += n;
    return chunk << 16 | at;
  }

  /**
   * Tells whether the string at an address is this one.
   *
   * @param address the address {@link #add} gave
   * @param length the string's length
   * @param s the string compared
   * @return true when equal
   */
  boolean equals(int address, int length, String s) {
    if (s.length() != length) {
      return false;
    }
    byte[] b = chunks[address >>> 16];
    int at = address & 0xFFFF;
    for (int i = 0; i < length; i++) {
      if ((b[at + i] & 0xFF) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns the string at an address.
   *
   * @param address the address {@link #add} gave
   * @param length the string's length
   * @return a new string
   */
  String string(int address, int length) {
    return new String(chunks[address >>> 16], address & 0xFFFF, length, StandardCharsets.ISO_8859_1);
  }
}
