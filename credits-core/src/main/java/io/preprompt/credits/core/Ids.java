package io.preprompt.credits.core;

/** Shared checks for the textual identifiers; package-private so the rule lives in one place. */
final class Ids {
  private Ids() {}

  /** The characters of {@code [A-Za-z0-9]} as a bit set over ASCII (checked on every id made). */
  private static final long[] ALNUM = bits("");
  /** {@link #ALNUM} and {@code ._:@-/+=}. */
  private static final long[] SAFE = bits("._:@-/+=");

  private static long[] bits(String extra) {
    long[] set = new long[2];
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + extra;
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      set[c >>> 6] |= 1L << c;
    }
    return set;
  }

  private static boolean allIn(long[] set, String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 128 || (set[c >>> 6] & (1L << c)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Tells whether every character is one of {@code [A-Za-z0-9._:@/+=-]}. */
  static boolean safeChars(String s) {
    return allIn(SAFE, s, 0);
  }

  /** Tells whether every character from {@code from} on is one of {@code [A-Za-z0-9._:@/+=-]}. */
  static boolean safeChars(String s, int from) {
    return allIn(SAFE, s, from);
  }

  /**
   * Tells whether every character from {@code from} on is one of {@code [A-Za-z0-9]}.
   *
   * @param s the text
   * @param from the first index checked
   * @return true when all are
   */
  static boolean alphanumeric(String s, int from) {
    return allIn(ALNUM, s, from);
  }

  static String quote(String s) {
    return s.length() > 40 ? "'" + s.substring(0, 40) + "...' (" + s.length() + " chars)" : "'" + s + "'";
  }
}
