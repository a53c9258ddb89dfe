package io.preprompt.credits.jdbc;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.spi.PlanRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  /**
   * Encodes a plan as {@code name=value} lines in the map format above, nested for the lists, the
   * V1 layout's plan column (issue 17's V2 layout gives each field a column).
   */
  static @Nullable String encodePlan(@Nullable PlanRecord plan) {
    if (plan == null) {
      return null;
    }
    Map<String, String> charges = new LinkedHashMap<>();
    for (PlanRecord.Charge c : plan.charges()) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("sub", Long.toString(c.subscription()));
      f.put("cycle", Long.toString(c.cycle()));
      f.put("tier", c.tier());
      f.put("start", c.start().toString());
      f.put("end", c.end().toString());
      f.put("ref", c.reference());
      f.put("attempts", Integer.toString(c.attempts()));
      f.put("claimed", Boolean.toString(c.claimed()));
      f.put("notBefore", c.notBefore().toString());
      charges.put(Integer.toString(charges.size()), encodeFields(f));
    }
    Map<String, String> orders = new LinkedHashMap<>();
    for (PlanRecord.Order o : plan.orders()) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("ref", o.reference());
      f.put("pack", o.packId());
      f.put("price", Long.toString(o.priceMinor()));
      f.put("currency", o.currency());
      f.put("at", o.orderedAt().toString());
      orders.put(Integer.toString(orders.size()), encodeFields(f));
    }
    Map<String, String> f = new LinkedHashMap<>();
    f.put("tier", plan.tier());
    f.put("status", plan.status());
    f.put("signup", Boolean.toString(plan.signupGranted()));
    f.put("anchor", optional(plan.anchor()));
    f.put("paidCycle", Long.toString(plan.paidCycle()));
    f.put("cycleStartSeq", Long.toString(plan.cycleStartSequence()));
    f.put("allowanceTotal", Long.toString(plan.allowanceTotal()));
    f.put("pendingTier", optional(plan.pendingTier()));
    f.put("pendingAt", optional(plan.pendingAt()));
    f.put("cancelAt", optional(plan.cancelAt()));
    f.put("subscription", Long.toString(plan.subscription()));
    f.put("requests", Long.toString(plan.requests()));
    f.put("charges", encodeFields(charges));
    f.put("orders", encodeFields(orders));
    f.put("renewalFailures", Integer.toString(plan.renewalFailures()));
    f.put("renewalRetryAt", optional(plan.renewalRetryAt()));
    return encodeFields(f);
  }

  /** Decodes {@link #encodePlan}. */
  static @Nullable PlanRecord decodePlan(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Map<String, String> f = decodeMap(text);
    List<PlanRecord.Charge> charges = new ArrayList<>();
    for (String encoded : list(f.get("charges"))) {
      Map<String, String> c = decodeMap(encoded);
      charges.add(new PlanRecord.Charge(Long.parseLong(c.get("sub")), Long.parseLong(c.get("cycle")), c.get("tier"),
          Instant.parse(c.get("start")), Instant.parse(c.get("end")), c.get("ref"), Integer.parseInt(c.get("attempts")),
          Boolean.parseBoolean(c.get("claimed")), Instant.parse(c.get("notBefore"))));
    }
    List<PlanRecord.Order> orders = new ArrayList<>();
    for (String encoded : list(f.get("orders"))) {
      Map<String, String> o = decodeMap(encoded);
      orders.add(new PlanRecord.Order(o.get("ref"), o.get("pack"), Long.parseLong(o.get("price")), o.get("currency"),
          Instant.parse(o.get("at"))));
    }
    String pendingTier = optionalText(f.get("pendingTier"));
    return new PlanRecord(f.get("tier"), f.get("status"), Boolean.parseBoolean(f.get("signup")),
        optionalInstant(f.get("anchor")), Long.parseLong(f.get("paidCycle")), Long.parseLong(f.get("cycleStartSeq")),
        Long.parseLong(f.get("allowanceTotal")), pendingTier, optionalInstant(f.get("pendingAt")),
        optionalInstant(f.get("cancelAt")), Long.parseLong(f.getOrDefault("subscription", "0")),
        Long.parseLong(f.getOrDefault("requests", "0")), charges, orders,
        Integer.parseInt(f.getOrDefault("renewalFailures", "0")), optionalInstant(f.getOrDefault("renewalRetryAt", "-")));
  }

  /** Fields in the order given (unlike {@link #encodeMap}, which sorts by name). */
  private static String encodeFields(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder(32 * fields.size());
    for (Map.Entry<String, String> e : fields.entrySet()) {
      escape(e.getKey(), sb);
      sb.append('=');
      escape(e.getValue(), sb);
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The items of a list encoded as fields named 0, 1, 2, ... */
  private static List<String> list(@Nullable String encoded) {
    List<String> out = new ArrayList<>();
    if (encoded == null || encoded.isEmpty()) {
      return out;
    }
    Map<String, String> items = decodeMap(encoded);
    for (int i = 0; items.containsKey(Integer.toString(i)); i++) {
      out.add(items.get(Integer.toString(i)));
    }
    if (out.size() != items.size()) {
      throw new IllegalStateException("corrupt encoded list in the credits store: " + encoded);
    }
    return out;
  }

  private static String optional(@Nullable Object value) {
    return value == null ? "-" : "+" + value;
  }

  private static @Nullable String optionalText(@Nullable String encoded) {
    return encoded == null || encoded.equals("-") ? null : encoded.substring(1);
  }

  private static @Nullable Instant optionalInstant(@Nullable String encoded) {
    String text = optionalText(encoded);
    return text == null ? null : Instant.parse(text);
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
