package io.preprompt.credits.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes an ordered map of fields as {@code name=value} lines, percent-escaping {@code %}, {@code =},
 * newlines and carriage returns, so values may themselves be encoded maps. Used for idempotency
 * fingerprints and results and for the plan document: one format, stored verbatim by adapters.
 */
public final class FieldCodec {
  private FieldCodec() {}

  /** An ordered field list under construction. */
  public static final class Fields {
    private final StringBuilder sb = new StringBuilder(64);

    /**
     * Appends a field.
     *
     * @param name the field name (no escaping needed: plain identifiers)
     * @param value the value, escaped here
     * @return this
     */
    public Fields add(String name, Object value) {
      sb.append(name).append('=');
      escape(String.valueOf(value), sb);
      sb.append('\n');
      return this;
    }

    /**
     * Appends a field whose value may be absent ({@code -} encodes absence).
     *
     * @param name the field name
     * @param value the value or null
     * @return this
     */
    public Fields addNullable(String name, @org.jspecify.annotations.Nullable Object value) {
      return value == null ? add(name, "-") : add(name, "+" + value);
    }

    /**
     * Appends a map as one nested field.
     *
     * @param name the field name
     * @param map the map
     * @return this
     */
    public Fields addMap(String name, Map<String, String> map) {
      Fields inner = new Fields();
      map.forEach(inner::add);
      return add(name, inner.encode());
    }

    /**
     * Returns the encoding.
     *
     * @return the text
     */
    public String encode() {
      return sb.toString();
    }
  }

  /**
   * Starts a field list.
   *
   * @return an empty list
   */
  public static Fields fields() {
    return new Fields();
  }

  /**
   * Decodes an encoding into an ordered map.
   *
   * @param text the encoding
   * @return name to value, in order
   */
  public static Map<String, String> decode(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      int nl = text.indexOf('\n', eq);
      if (eq < 0 || nl < 0) {
        throw new IllegalStateException("corrupt encoded fields: " + text);
      }
      out.put(text.substring(i, eq), unescape(text.substring(eq + 1, nl)));
      i = nl + 1;
    }
    return out;
  }

  /**
   * Decodes a nullable value written by {@link Fields#addNullable}.
   *
   * @param encoded the stored value
   * @return the value or null
   */
  public static @org.jspecify.annotations.Nullable String nullable(String encoded) {
    return encoded.equals("-") ? null : encoded.substring(1);
  }

  /**
   * Decodes a nested map written by {@link Fields#addMap}.
   *
   * @param encoded the stored value
   * @return the map
   */
  public static Map<String, String> map(String encoded) {
    return decode(encoded);
  }

  private static void escape(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%':
          sb.append("%25");
          break;
        case '=':
          sb.append("%3D");
          break;
        case '\n':
          sb.append("%0A");
          break;
        case '\r':
          sb.append("%0D");
          break;
        default:
          sb.append(c);
      }
    }
  }

  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
