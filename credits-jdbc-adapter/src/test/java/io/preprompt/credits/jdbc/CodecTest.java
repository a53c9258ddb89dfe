package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.LotId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Codec")
class CodecTest {
  @Test
  @DisplayName("maps round-trip exactly, including '=', '%', newlines, empty strings and non-BMP characters")
  void mapsRoundTrip() {
    Map<String, String> map = Map.of("=", "%", "a=b", "50% off\r\nnext", "", "", "emoji", "🎬 zoë 日本", "%3D", "%25");
    assertThat(Codec.decodeMap(Codec.encodeMap(map))).isEqualTo(map);
    assertThat(Codec.encodeMap(Map.of())).isEmpty();
    assertThat(Codec.decodeMap("")).isEmpty();
  }

  @Test
  @DisplayName("allocations round-trip in order")
  void allocationsRoundTrip() {
    List<Allocation> allocations = List.of(new Allocation(new LotId(7), 3), new Allocation(new LotId(2), Long.MAX_VALUE));
    assertThat(Codec.decodeAllocations(Codec.encodeAllocations(allocations))).isEqualTo(allocations);
    assertThat(Codec.decodeAllocations(Codec.encodeAllocations(List.of()))).isEmpty();
  }

  @Test
  @DisplayName("instants round-trip to the nanosecond over the whole Instant range, and sort like time")
  void instantsRoundTrip() {
    for (Instant i : List.of(Instant.EPOCH, Instant.parse("2026-03-01T10:00:00.123456789Z"),
        Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.MIN, Instant.MAX)) {
      assertThat(Codec.decodeInstant(Codec.encodeInstant(i))).isEqualTo(i);
    }
    assertThat(Codec.encodeInstant(Instant.ofEpochSecond(-1, 1)))
        .isLessThan(Codec.encodeInstant(Instant.ofEpochSecond(0, 0)));
  }
}
