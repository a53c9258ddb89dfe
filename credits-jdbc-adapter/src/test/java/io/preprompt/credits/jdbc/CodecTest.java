package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.spi.PlanRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Codec")
class CodecTest {
  private static final Map<String, String> AWKWARD = Map.of("=", "%", "a=b", "50% off\r\nnext", "", "",
      "emoji", "🎬 zoë 日本", "%3D", "%25", "quote\"back\\slash", "tab\tcontrol\u0001", "/", "</script>");

  @Test
  @DisplayName("metadata round-trips through JSON exactly: quotes, backslashes, control and non-BMP characters")
  void metadataRoundTrips() {
    assertThat(Codec.metadata(Codec.metadataJson(AWKWARD))).isEqualTo(AWKWARD);
    assertThat(Codec.metadataJson(Map.of())).isEqualTo("{}");
    assertThat(Codec.metadataJson(Map.of("b", "2", "a", "1"))).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
    // PostgreSQL's jsonb text: spaces, its own key order, escapes of its own.
    assertThat(Codec.metadata("{\"b\": \"x\\u00e9\\/\", \"a\": \"\"}")).isEqualTo(Map.of("a", "", "b", "xé/"));
  }

  @Test
  @DisplayName("allocations, charges and orders round-trip in order")
  void listsRoundTrip() {
    List<Allocation> allocations = List.of(new Allocation(new LotId(7), 3), new Allocation(new LotId(2), Long.MAX_VALUE));
    assertThat(Codec.allocations(Codec.allocationsJson(allocations))).isEqualTo(allocations);
    assertThat(Codec.allocationsJson(List.of())).isEqualTo("[]");
    assertThat(Codec.allocations("[ {\"amount\": 40, \"lot\": 1} ]")).containsExactly(new Allocation(new LotId(1), 40));
    Instant t = Instant.parse("2026-03-01T10:00:00.123456Z");
    List<PlanRecord.Charge> charges = List.of(new PlanRecord.Charge(1, 2, "studio", t, t.plusSeconds(60),
        "sub:\"a\" ü", 3, true, t), new PlanRecord.Charge(1, 3, "pro", t, t, "r", 0, false, t));
    assertThat(Codec.charges(Codec.chargesJson(charges))).isEqualTo(charges);
    List<PlanRecord.Order> orders = List.of(new PlanRecord.Order("pack:1", "boost", -1, "EUR", t));
    assertThat(Codec.orders(Codec.ordersJson(orders))).isEqualTo(orders);
  }

  @Test
  @DisplayName("corrupt JSON is refused with a message naming the store, never read as something else")
  void corruptJsonIsRefused() {
    // Each reader on its own: every text below is corrupt for both.
    for (String bad : List.of("", "{", "{\"a\":1}", "[1.5]", "{\"a\":\"b\"} x", "[{\"lot\":1}]", "nul", "\"\\q\"")) {
      assertThatThrownBy(() -> Codec.metadata(bad)).as("metadata %s", bad).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("credits store");
      assertThatThrownBy(() -> Codec.allocations(bad)).as("allocations %s", bad)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("credits store");
    }
  }

  @Test
  @DisplayName("instants are written as UTC timestamps")
  void instantsAsTimestamps() {
    Instant t = Instant.parse("2026-03-01T10:00:00.123456Z");
    assertThat(Codec.timestamp(t)).isEqualTo(OffsetDateTime.of(2026, 3, 1, 10, 0, 0, 123_456_000, ZoneOffset.UTC));
  }

  @Test
  @DisplayName("V1's formats convert: epoch seconds truncated to microseconds, escaped maps, lists, allocations")
  void v1Conversions() {
    assertThat(V1Conversions.instant(new BigDecimal("1768471380.123456789")).toInstant())
        .isEqualTo(Instant.parse("2026-01-15T10:03:00.123456Z"));
    assertThat(V1Conversions.instant(new BigDecimal("-0.000000500")).toInstant())
        .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999Z"));
    assertThat(V1Conversions.instant(null)).isNull();
    assertThat(Codec.metadata(V1Conversions.map("note=a%3Db%25c%0Aline two%0D%0A✓\nkind=image\n")))
        .isEqualTo(Map.of("note", "a=b%c\nline two\r\n✓", "kind", "image"));
    assertThat(V1Conversions.map("")).isEqualTo("{}");
    assertThat(Codec.allocations(V1Conversions.allocations("1:50,2:10")))
        .containsExactly(new Allocation(new LotId(1), 50), new Allocation(new LotId(2), 10));
    String plan = "tier=studio\nanchor=+2026-01-15T10:03:50Z\npendingTier=-\norders=0%3Dref%253Dpack:bob:1%250A"
        + "pack%253Dpack_500%250Aprice%253D500%250Acurrency%253DUSD%250Aat%253D2026-01-15T10:03:50Z%250A%0A\n";
    assertThat(V1Conversions.field(plan, "anchor", true)).isEqualTo("2026-01-15T10:03:50Z");
    assertThat(V1Conversions.field(plan, "pendingTier", true)).isNull();
    assertThat(V1Conversions.field(plan, "tier", false)).isEqualTo("studio");
    assertThat(Codec.orders(V1Conversions.orders(plan))).containsExactly(
        new PlanRecord.Order("pack:bob:1", "pack_500", 500, "USD", Instant.parse("2026-01-15T10:03:50Z")));
    assertThat(V1Conversions.charges(plan)).isEqualTo("[]");
    assertThat(V1Conversions.orders(null)).isNull();
  }
}
