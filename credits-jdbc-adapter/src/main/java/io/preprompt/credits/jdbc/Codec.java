package io.preprompt.credits.jdbc;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>An account's live lots and active holds are stored on its row as two texts, one line per lot
 * or hold, fields separated by a space, every field exact:
 * <pre>
 * lots:  lot_id source granted remaining reserved granted_at expires_at
 * holds: hold_id state amount settled created_at deadline ended_at allocations metadata
 * </pre>
 * Instants are written as the decimal seconds above ({@code -} for none), allocations as above, and
 * a hold's metadata, the last field, as {@code name=value} pairs joined by {@code &} with {@code %},
 * {@code =}, {@code &}, line feed and carriage return percent-escaped. A hold's line starts with its
 * id and a space, which nothing else in the text can contain after a line feed: {@link #holdMarker}
 * finds it.
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

  /**
   * Encodes live lots, in the order given, as the text of an account row's {@code lots} column.
   *
   * @param lots the lots
   * @return one line per lot
   */
  static String encodeLots(List<Lot> lots) {
    if (lots.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(96 * lots.size());
    for (int i = 0; i < lots.size(); i++) {
      Lot lot = lots.get(i);
      sb.append(lot.id().value()).append(' ').append(lot.source().name()).append(' ').append(lot.granted())
          .append(' ').append(lot.remaining()).append(' ').append(lot.reserved()).append(' ');
      appendInstant(sb, lot.grantedAt()).append(' ');
      appendInstant(sb, lot.expiresAt()).append('\n');
    }
    return sb.toString();
  }

  /**
   * Decodes what {@link #encodeLots} wrote.
   *
   * @param text the column's text
   * @return the lots, in the order written
   * @throws IllegalStateException when the text is corrupt
   */
  static List<Lot> decodeLots(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    List<Lot> out = new ArrayList<>(4);
    Fields f = new Fields(text);
    while (f.more()) {
      LotId id = new LotId(f.longField());
      LotSource source = LotSource.valueOf(f.field());
      long granted = f.longField();
      long remaining = f.longField();
      long reserved = f.longField();
      Instant grantedAt = f.instant();
      Instant expiresAt = f.nullableInstantLast();
      out.add(new Lot(id, source, granted, remaining, reserved, Objects.requireNonNull(grantedAt, "granted_at"),
          expiresAt));
    }
    return out;
  }

  /**
   * Encodes holds, in the order given, as the text of an account row's {@code active_holds} column.
   *
   * @param holds the holds
   * @return one line per hold
   */
  static String encodeHolds(List<Hold> holds) {
    if (holds.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(160 * holds.size());
    for (int i = 0; i < holds.size(); i++) {
      Hold h = holds.get(i);
      sb.append(h.id().value()).append(' ').append(h.state().name()).append(' ').append(h.amount()).append(' ')
          .append(h.settled()).append(' ');
      appendInstant(sb, h.createdAt()).append(' ');
      appendInstant(sb, h.deadline()).append(' ');
      appendInstant(sb, h.endedAt()).append(' ');
      List<Allocation> allocations = h.allocations();
      for (int a = 0; a < allocations.size(); a++) {
        if (a > 0) {
          sb.append(',');
        }
        sb.append(allocations.get(a).lot().value()).append(':').append(allocations.get(a).amount());
      }
      sb.append(' ');
      boolean first = true;
      for (Map.Entry<String, String> e : new TreeMap<>(h.metadata()).entrySet()) {
        if (!first) {
          sb.append('&');
        }
        first = false;
        escapeField(e.getKey(), sb);
        sb.append('=');
        escapeField(e.getValue(), sb);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Decodes what {@link #encodeHolds} wrote.
   *
   * @param text the column's text
   * @param account the account the holds belong to
   * @return the holds, in the order written
   * @throws IllegalStateException when the text is corrupt
   */
  static List<Hold> decodeHolds(String text, AccountId account) {
    if (text.isEmpty()) {
      return List.of();
    }
    List<Hold> out = new ArrayList<>(2);
    Fields f = new Fields(text);
    while (f.more()) {
      HoldId id = HoldId.of(f.field());
      HoldState state = HoldState.valueOf(f.field());
      long amount = f.longField();
      long settled = f.longField();
      Instant createdAt = Objects.requireNonNull(f.instant(), "created_at");
      Instant deadline = Objects.requireNonNull(f.instant(), "deadline");
      Instant endedAt = f.instant();
      List<Allocation> allocations = decodeAllocations(f.field());
      out.add(new Hold(id, account, amount, state, createdAt, deadline, settled, endedAt, decodePairs(f.rest()),
          allocations));
    }
    return out;
  }

  /**
   * Returns what marks a hold in {@link #encodeHolds}' text when searched for in the text with a line
   * feed put in front: a line feed, the id and a space.
   *
   * @param hold the hold id
   * @return the marker
   */
  static String holdMarker(HoldId hold) {
    return "\n" + hold.value() + " ";
  }

  private static Map<String, String> decodePairs(String text) {
    if (text.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    int i = 0;
    while (i <= text.length()) {
      int amp = text.indexOf('&', i);
      int end = amp < 0 ? text.length() : amp;
      int eq = text.indexOf('=', i);
      if (eq < 0 || eq > end) {
        throw new IllegalStateException("corrupt encoded metadata in the credits store: " + text);
      }
      out.put(unescape(text, i, eq), unescape(text, eq + 1, end));
      i = end + 1;
    }
    return out;
  }

  private static StringBuilder appendInstant(StringBuilder sb, @Nullable Instant instant) {
    return instant == null ? sb.append('-') : sb.append(encodeInstant(instant).toPlainString());
  }

  /** Reads a document's space-separated fields, line by line. */
  private static final class Fields {
    private final String text;
    private int at;

    Fields(String text) {
      this.text = text;
    }

    boolean more() {
      return at < text.length();
    }

    String field() {
      int space = text.indexOf(' ', at);
      int nl = text.indexOf('\n', at);
      if (space < 0 || (nl >= 0 && nl < space)) {
        throw new IllegalStateException("corrupt account document in the credits store: " + text);
      }
      String out = text.substring(at, space);
      at = space + 1;
      return out;
    }

    long longField() {
      try {
        return Long.parseLong(field());
      } catch (NumberFormatException e) {
        throw new IllegalStateException("corrupt number in the credits store: " + text, e);
      }
    }

    @Nullable Instant instant() {
      return parseInstant(field());
    }

    @Nullable Instant nullableInstantLast() {
      return parseInstant(rest());
    }

    /** The rest of the line, which ends it. */
    String rest() {
      int nl = text.indexOf('\n', at);
      if (nl < 0) {
        throw new IllegalStateException("corrupt account document in the credits store: " + text);
      }
      String out = text.substring(at, nl);
      at = nl + 1;
      return out;
    }

    private @Nullable Instant parseInstant(String field) {
      if (field.equals("-")) {
        return null;
      }
      try {
        return decodeInstant(new BigDecimal(field));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalStateException("corrupt instant in the credits store: " + text, e);
      }
    }
  }

  private static void escapeField(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%' -> sb.append("%25");
        case '=' -> sb.append("%3D");
        case '&' -> sb.append("%26");
        case '\n' -> sb.append("%0A");
        case '\r' -> sb.append("%0D");
        default -> sb.append(c);
      }
    }
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
