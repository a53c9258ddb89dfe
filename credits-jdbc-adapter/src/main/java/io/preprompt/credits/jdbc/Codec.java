package io.preprompt.credits.jdbc;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.spi.PlanRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Converts values without a column of their own to and from what the store writes: instants as
 * {@code TIMESTAMP WITH TIME ZONE} values (UTC), metadata as a JSON object of texts in name order,
 * allocations as {@code [{"lot": 1, "amount": 40}]}, a plan's charges and open orders as arrays of
 * objects with the fields of {@link PlanRecord.Charge} and {@link PlanRecord.Order} (instants as
 * ISO-8601 texts).
 */
final class Codec {
  private Codec() {}

  /** The latest instant both databases store (PostgreSQL's {@code timestamptz} ends in 294276). */
  static final Instant LATEST = Instant.parse("+294276-12-31T23:59:59.999999Z");
  /** The earliest instant both databases store (PostgreSQL's {@code timestamptz} starts in 4713 BC). */
  static final Instant EARLIEST = Instant.parse("-4713-11-24T00:00:00Z");

  /**
   * Returns an instant to store.
   *
   * @throws IllegalArgumentException when the databases cannot store it
   */
  static OffsetDateTime timestamp(Instant instant) {
    if (instant.isAfter(LATEST) || instant.isBefore(EARLIEST)) {
      throw new IllegalArgumentException("instant " + instant + " is outside what the credits store keeps ("
          + EARLIEST + " to " + LATEST + ")");
    }
    return utc(instant);
  }

  /**
   * An instant as PostgreSQL's {@code timestamptz} input reads it exactly: UTC, rounded half up to
   * the microsecond as the driver rounds an instant it binds ({@code 2026-12-02 07:30:22.123456+00},
   * {@code 4714-11-24 00:00:00+00 BC}).
   *
   * @throws IllegalArgumentException when the store cannot keep it
   */
  static @Nullable String timestampText(@Nullable Instant instant) {
    return instant == null ? null : timestampText(new StringBuilder(40), instant).toString();
  }

  /** Appends {@link #timestampText(Instant)}'s text. */
  static StringBuilder timestampText(StringBuilder sb, Instant instant) {
    timestamp(instant);
    long seconds = instant.getEpochSecond();
    int micros = (instant.getNano() + 500) / 1000;
    if (micros == 1_000_000) {
      seconds++;
      micros = 0;
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int year = t.getYear();
    boolean bc = year <= 0;
    pad(sb, bc ? 1 - year : year, 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append(' ');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2).append('.');
    pad(sb, micros, 6).append("+00");
    return bc ? sb.append(" BC") : sb;
  }

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    for (int limit = 10, digits = 1; digits < width; limit *= 10, digits++) {
      if (value < limit) {
        sb.append('0');
      }
    }
    return sb.append(value);
  }

  /** The instant in UTC, without looking up a zone's rules for every value. */
  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC),
        ZoneOffset.UTC);
  }

  /**
   * Returns a time a query compares stored instants with as {@code stored < t} or
   * {@code stored >= t}: rounded up to the microsecond (stored instants are whole microseconds, so
   * the answer is the same) and brought into the stored range.
   */
  static OffsetDateTime boundAbove(Instant t) {
    if (t.isAfter(LATEST)) {
      return bound(LATEST);
    }
    Instant down = t.truncatedTo(ChronoUnit.MICROS);
    return bound(down.equals(t) ? t : down.plus(1, ChronoUnit.MICROS));
  }

  /**
   * Returns a time a query compares stored instants with as {@code stored <= t}: rounded down to
   * the microsecond and brought into the stored range.
   */
  static OffsetDateTime boundBelow(Instant t) {
    return bound(t.truncatedTo(ChronoUnit.MICROS));
  }

  private static OffsetDateTime bound(Instant instant) {
    Instant within = instant.isAfter(LATEST) ? LATEST : instant.isBefore(EARLIEST) ? EARLIEST : instant;
    return utc(within);
  }

  static String metadataJson(Map<String, String> metadata) {
    return Json.write(metadata.isEmpty() ? metadata : new TreeMap<>(metadata));
  }

  static Map<String, String> metadata(String json) {
    return Json.parseStringMap(json);
  }

  static String allocationsJson(List<Allocation> allocations) {
    List<Object> out = new ArrayList<>(allocations.size());
    for (Allocation a : allocations) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("lot", a.lot().value());
      o.put("amount", a.amount());
      out.add(o);
    }
    return Json.write(out);
  }

  static List<Allocation> allocations(String json) {
    List<Allocation> out = new ArrayList<>();
    for (Map<String, Object> o : objects(json)) {
      out.add(new Allocation(new LotId(number(o, "lot")), number(o, "amount")));
    }
    return out;
  }

  static String chargesJson(List<PlanRecord.Charge> charges) {
    List<Object> out = new ArrayList<>(charges.size());
    for (PlanRecord.Charge c : charges) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("subscription", c.subscription());
      o.put("cycle", c.cycle());
      o.put("tier", c.tier());
      o.put("start", c.start().toString());
      o.put("end", c.end().toString());
      o.put("reference", c.reference());
      o.put("attempts", c.attempts());
      o.put("claimed", c.claimed());
      o.put("notBefore", c.notBefore().toString());
      out.add(o);
    }
    return Json.write(out);
  }

  static List<PlanRecord.Charge> charges(String json) {
    List<PlanRecord.Charge> out = new ArrayList<>();
    for (Map<String, Object> o : objects(json)) {
      out.add(new PlanRecord.Charge(number(o, "subscription"), number(o, "cycle"), text(o, "tier"),
          Instant.parse(text(o, "start")), Instant.parse(text(o, "end")), text(o, "reference"),
          Math.toIntExact(number(o, "attempts")), Boolean.TRUE.equals(o.get("claimed")),
          Instant.parse(text(o, "notBefore"))));
    }
    return out;
  }

  static String ordersJson(List<PlanRecord.Order> orders) {
    List<Object> out = new ArrayList<>(orders.size());
    for (PlanRecord.Order order : orders) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("reference", order.reference());
      o.put("pack", order.packId());
      o.put("priceMinor", order.priceMinor());
      o.put("currency", order.currency());
      o.put("orderedAt", order.orderedAt().toString());
      out.add(o);
    }
    return Json.write(out);
  }

  static List<PlanRecord.Order> orders(String json) {
    List<PlanRecord.Order> out = new ArrayList<>();
    for (Map<String, Object> o : objects(json)) {
      out.add(new PlanRecord.Order(text(o, "reference"), text(o, "pack"), number(o, "priceMinor"),
          text(o, "currency"), Instant.parse(text(o, "orderedAt"))));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(String json) {
    Object value = Json.parse(json);
    if (!(value instanceof List<?> list)) {
      throw new IllegalStateException("not a JSON array in the credits store: " + json);
    }
    for (Object item : list) {
      if (!(item instanceof Map)) {
        throw new IllegalStateException("not an array of JSON objects in the credits store: " + json);
      }
    }
    return (List<Map<String, Object>>) list;
  }

  private static long number(Map<String, Object> o, String name) {
    if (!(o.get(name) instanceof Long value)) {
      throw new IllegalStateException("no whole number '" + name + "' in " + o + " in the credits store");
    }
    return value;
  }

  private static String text(Map<String, Object> o, String name) {
    if (!(o.get(name) instanceof String value)) {
      throw new IllegalStateException("no text '" + name + "' in " + o + " in the credits store");
    }
    return value;
  }
}
