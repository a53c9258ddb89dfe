package io.preprompt.credits;

/** Shared checks for the textual identifiers; package-private so the rule lives in one place. */
final class Ids {
  private Ids() {}

  /** Returns true when every char is in {@code [A-Za-z0-9._:@/+=-]}. */
  static boolean safeChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '@' || c == '-' || c == '/' || c == '+' || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String quote(String s) {
    return s.length() > 40 ? "'" + s.substring(0, 40) + "...' (" + s.length() + " chars)" : "'" + s + "'";
  }
}
