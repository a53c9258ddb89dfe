package io.preprompt.credits.jdbc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
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
 * Reads the V1 layout's text formats, for H2's V2 migration ({@code db/credits/h2/V2__sql_native_layout.sql}),
 * which calls these methods as SQL functions ({@code CREATE ALIAS}). PostgreSQL's V2 migration does
 * the same in SQL. Not for application code.
 *
 * <p>V1 stored instants as exact epoch seconds, maps and a plan's fields as {@code name=value}
 * lines with {@code %25 %3D %0A %0D} standing for {@code % =} line feed and carriage return, lists as
 * fields named {@code 0, 1, 2, ...}, and allocations as {@code lot:amount,lot:amount}.
 */
public final class V1Conversions {
  private V1Conversions() {}

  /**
   * Converts V1 epoch seconds to a timestamp, truncated to the microsecond.
   *
   * @param seconds epoch seconds with up to nine fractional digits, or null
   * @return the instant in UTC, or null
   */
  public static @Nullable OffsetDateTime instant(@Nullable BigDecimal seconds) {
    if (seconds == null) {
      return null;
    }
    long micros = seconds.movePointRight(6).setScale(0, RoundingMode.FLOOR).longValueExact();
    return OffsetDateTime.ofInstant(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /**
   * Converts a V1 map to a JSON object of texts, in name order.
   *
   * @param text the V1 map
   * @return the JSON text
   */
  public static String map(String text) {
    return Json.write(new TreeMap<>(fields(text)));
  }

  /**
   * Converts V1 allocations to {@code [{"lot": 1, "amount": 40}, ...]}.
   *
   * @param text the V1 allocations
   * @return the JSON text
   */
  public static String allocations(String text) {
    List<Object> out = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String part : text.split(",", -1)) {
        int colon = part.indexOf(':');
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("lot", Long.parseLong(part.substring(0, colon)));
        o.put("amount", Long.parseLong(part.substring(colon + 1)));
        out.add(o);
      }
    }
    return Json.write(out);
  }

  /**
   * Returns one field of a V1 map or plan, decoded; a plan field V1 wrote as {@code -} (absent) or
   * {@code +value} gives null or the value.
   *
   * @param text the V1 map or plan, or null
   * @param name the field's name
   * @param optional whether the field is written as {@code -} or {@code +value}
   * @return the value, or null when the text or the value is absent
   */
  public static @Nullable String field(@Nullable String text, String name, boolean optional) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String value = fields(text).get(name);
    if (value == null || !optional) {
      return value;
    }
    return value.equals("-") ? null : value.substring(1);
  }

  /**
   * Converts a V1 plan's charges to the V2 JSON array.
   *
   * @param plan the V1 plan, or null
   * @return the JSON text, or null without a plan
   */
  public static @Nullable String charges(@Nullable String plan) {
    if (plan == null || plan.isEmpty()) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (Map<String, String> c : list(fields(plan).get("charges"))) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("subscription", Long.parseLong(c.get("sub")));
      o.put("cycle", Long.parseLong(c.get("cycle")));
      o.put("tier", c.get("tier"));
      o.put("start", c.get("start"));
      o.put("end", c.get("end"));
      o.put("reference", c.get("ref"));
      o.put("attempts", Integer.parseInt(c.get("attempts")));
      o.put("claimed", Boolean.parseBoolean(c.get("claimed")));
      o.put("notBefore", c.get("notBefore"));
      out.add(o);
    }
    return Json.write(out);
  }

  /**
   * Converts a V1 plan's open pack orders to the V2 JSON array.
   *
   * @param plan the V1 plan, or null
   * @return the JSON text, or null without a plan
   */
  public static @Nullable String orders(@Nullable String plan) {
    if (plan == null || plan.isEmpty()) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (Map<String, String> f : list(fields(plan).get("orders"))) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("reference", f.get("ref"));
      o.put("pack", f.get("pack"));
      o.put("priceMinor", Long.parseLong(f.get("price")));
      o.put("currency", f.get("currency"));
      o.put("orderedAt", f.get("at"));
      out.add(o);
    }
    return Json.write(out);
  }

  private static List<Map<String, String>> list(@Nullable String text) {
    List<Map<String, String>> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    Map<String, String> items = fields(text);
    for (int i = 0; items.containsKey(Integer.toString(i)); i++) {
      out.add(fields(items.get(Integer.toString(i))));
    }
    return out;
  }

  private static Map<String, String> fields(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      int nl = eq < 0 ? -1 : text.indexOf('\n', eq);
      if (nl < 0) {
        throw new IllegalStateException("corrupt V1 text in the credits store: " + text);
      }
      out.put(unescape(text.substring(i, eq)), unescape(text.substring(eq + 1, nl)));
      i = nl + 1;
    }
    return out;
  }

  private static String unescape(String s) {
    return s.replace("%3D", "=").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
  }
}
