package io.preprompt.credits.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes an ordered map of fields as {@code name=value} lines, percent-escaping {@code %}, {@code =},
 * newlines and carriage returns in names and values alike, so any name and value round-trip exactly
 * and values may themselves be encoded maps. Used for idempotency fingerprints and results, which
 * adapters store verbatim.
 *
 * <p>The encoding is injective: {@link #decode} gives back exactly the fields written, in order, so
 * two field lists with different names or values never encode to the same text. Idempotency relies
 * on it: a fingerprint that two different calls share would replay one call's result for the other.
 */
final class FieldCodec {
  private FieldCodec() {}

  /** An ordered field list under construction; {@link #encode} ends it. */
  public static final class Fields {
    // Null once encoded.
    private @org.jspecify.annotations.Nullable StringBuilder sb;

    Fields(int capacity) {
      this.sb = new StringBuilder(Math.max(capacity, 64));
    }

    /**
     * Appends a field.
     *
     * @param name the field name, escaped here (a map's names may hold any character)
     * @param value the value, escaped here
     * @return this
     */
    public Fields add(String name, Object value) {
      StringBuilder sb = builder();
      escape(name, sb);
      sb.append('=');
      if (value instanceof Instant instant) {
        appendInstant(instant, sb);
      } else if (value instanceof Long number) {
        sb.append(number.longValue());
      } else {
        escape(String.valueOf(value), sb);
      }
      sb.append('\n');
      return this;
    }

    /**
     * Appends a number field; the same text as {@link #add(String, Object)} with a boxed long.
     *
     * @param name the field name
     * @param value the value
     * @return this
     */
    public Fields add(String name, long value) {
      StringBuilder sb = builder();
      escape(name, sb);
      sb.append('=').append(value).append('\n');
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
     * Appends a map as one nested field: its entries, in the map's iteration order, encoded as a
     * field list of their own (names and values escaped), which becomes this field's value. Equal
     * maps encode alike when they iterate alike: callers pass sorted maps (as
     * {@link io.preprompt.credits.balance.HoldRequest#checkMetadata} returns them).
     *
     * @param name the field name
     * @param map the map
     * @return this
     */
    public Fields addMap(String name, Map<String, String> map) {
      if (map.isEmpty()) {
        StringBuilder sb = builder();
        escape(name, sb);
        sb.append("=\n");
        return this;
      }
      Fields inner = new Fields(64);
      map.forEach(inner::add);
      return add(name, inner.encode());
    }

    /**
     * Starts a field whose value the caller appends to the returned builder unescaped (only for
     * values that cannot contain {@code %}, {@code =} or line breaks, such as numbers), then ends
     * with {@link #endRaw}.
     */
    StringBuilder startRaw(String name) {
      StringBuilder sb = builder();
      escape(name, sb);
      return sb.append('=');
    }

    /** Ends a field started with {@link #startRaw}. */
    Fields endRaw() {
      builder().append('\n');
      return this;
    }

    private StringBuilder builder() {
      StringBuilder b = sb;
      if (b == null) {
        throw new IllegalStateException("field list already encoded");
      }
      return b;
    }

    /**
     * Returns the encoding and ends the list: it must not be used afterwards.
     *
     * @return the text
     */
    public String encode() {
      StringBuilder b = builder();
      String text = b.toString();
      sb = null;
      return text;
    }
  }

  /**
   * Starts a field list.
   *
   * @return an empty list
   */
  public static Fields fields() {
    return new Fields(64);
  }

  /**
   * Starts a field list expected to grow to about {@code capacity} characters, so the buffer is
   * not copied while it grows.
   *
   * @param capacity the expected length
   * @return an empty list
   */
  public static Fields fields(int capacity) {
    return new Fields(capacity);
  }

  /**
   * Decodes an encoding into an ordered map, unescaping names and values: the inverse of
   * {@link Fields#encode}. Names hold no unescaped {@code =}, so a line splits at its first one.
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
      out.put(unescape(text.substring(i, eq)), unescape(text.substring(eq + 1, nl)));
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

  /**
   * Appends exactly what {@link Instant#toString()} returns, without the formatter's allocations
   * (ids, fingerprints and results carry instants on every call). Years outside 0..9999 use
   * {@code toString} itself.
   */
  static void appendInstant(Instant instant, StringBuilder sb) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_FAST_SECOND || seconds > MAX_FAST_SECOND) {
      sb.append(instant);
      return;
    }
    long days = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
    long z = days + 719_468L;
    long era = Math.floorDiv(z, 146_097L);
    long doe = z - era * 146_097L;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    pad(sb, year, 4).append('-');
    pad(sb, month, 2).append('-');
    pad(sb, day, 2).append('T');
    pad(sb, secondOfDay / 3600, 2).append(':');
    pad(sb, secondOfDay / 60 % 60, 2).append(':');
    pad(sb, secondOfDay % 60, 2);
    int nanos = instant.getNano();
    if (nanos != 0) {
      sb.append('.');
      if (nanos % 1_000_000 == 0) {
        pad(sb, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        pad(sb, nanos / 1000, 6);
      } else {
        pad(sb, nanos, 9);
      }
    }
    sb.append('Z');
  }

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
  private static final long MIN_FAST_SECOND = -62_167_219_200L;
  private static final long MAX_FAST_SECOND = 253_402_300_799L;

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    for (int limit = 10, w = 1; w < width; w++, limit *= 10) {
      if (value < limit) {
        sb.append('0');
      }
    }
    return sb.append(value);
  }

  private static void escape(String s, StringBuilder sb) {
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%' || c == '=' || c == '\n' || c == '\r') {
        break;
      }
      i++;
    }
    if (i == s.length()) {
      sb.append(s);
      return;
    }
    sb.append(s, 0, i);
    for (; i < s.length(); i++) {
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
