package io.preprompt.credits.jdbc;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.LotId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Converts values that have no portable SQL type to and from column values.
 *
 * <p>Maps are stored as {@code name=value} lines in name order, with {@code %}, {@code =}, line feed
 * and carriage return percent-escaped in names and values, so any string (including {@code =},
 * {@code %}, newlines and any Unicode) round-trips exactly. Allocations are stored as
 * {@code lot:amount} pairs separated by commas. Instants are stored as exact decimal epoch seconds
 * with nine fractional digits, which keeps nanoseconds and sorts like time.
 */
final class Codec {
  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  private Codec() {}

  static String encodeMap(Map<String, String> map) {
    if (map.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(32 * map.size());
    for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
      escape(e.getKey(), sb);
      sb.append('=');
      escape(e.getValue(), sb);
      sb.append('\n');
    }
    return sb.toString();
  }

  static Map<String, String> decodeMap(String text) {
    if (text.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      int nl = eq < 0 ? -1 : text.indexOf('\n', eq);
      if (nl < 0) {
        throw new IllegalStateException("corrupt encoded map in the credits store: " + text);
      }
      out.put(unescape(text, i, eq), unescape(text, eq + 1, nl));
      i = nl + 1;
    }
    return out;
  }

  static String encodeAllocations(List<Allocation> allocations) {
    StringBuilder sb = new StringBuilder(16 * allocations.size());
    for (Allocation a : allocations) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(a.lot().value()).append(':').append(a.amount());
    }
    return sb.toString();
  }

  static List<Allocation> decodeAllocations(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    List<Allocation> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      int colon = part.indexOf(':');
      if (colon < 0) {
        throw new IllegalStateException("corrupt encoded allocations in the credits store: " + text);
      }
      out.add(new Allocation(new LotId(Long.parseLong(part.substring(0, colon))),
          Long.parseLong(part.substring(colon + 1))));
    }
    return out;
  }

  static BigDecimal encodeInstant(Instant instant) {
    BigInteger nanos = BigInteger.valueOf(instant.getEpochSecond()).multiply(NANOS_PER_SECOND)
        .add(BigInteger.valueOf(instant.getNano()));
    return new BigDecimal(nanos, 9);
  }

  static @Nullable BigDecimal encodeNullableInstant(@Nullable Instant instant) {
    return instant == null ? null : encodeInstant(instant);
  }

  static Instant decodeInstant(BigDecimal value) {
    BigInteger[] secondsAndNanos = value.setScale(9).unscaledValue().divideAndRemainder(NANOS_PER_SECOND);
    return Instant.ofEpochSecond(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
  }

  static @Nullable Instant decodeNullableInstant(@Nullable BigDecimal value) {
    return value == null ? null : decodeInstant(value);
  }

  private static void escape(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%' -> sb.append("%25");
        case '=' -> sb.append("%3D");
        case '\n' -> sb.append("%0A");
        case '\r' -> sb.append("%0D");
        default -> sb.append(c);
      }
    }
  }

  private static String unescape(String text, int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= to) {
          throw new IllegalStateException("corrupt escape in the credits store: " + text);
        }
        sb.append((char) Integer.parseInt(text, i + 1, i + 3, 16));
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
