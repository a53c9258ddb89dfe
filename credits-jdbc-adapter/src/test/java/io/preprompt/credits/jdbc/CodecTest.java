package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
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

  @Test
  @DisplayName("an account's live lots round-trip exactly, in order, whatever their amounts and instants")
  void lotsRoundTrip() {
    List<Lot> lots = List.of(
        new Lot(new LotId(1), LotSource.SIGNUP_GRANT, 200, 0, 200, Instant.parse("2026-03-01T10:00:00.123456789Z"), null),
        new Lot(new LotId(Long.MAX_VALUE), LotSource.PACK, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1, Instant.MIN,
            Instant.MAX),
        new Lot(new LotId(7), LotSource.MONTHLY_ALLOWANCE, 5, 5, 0, Instant.ofEpochSecond(-1, 1), Instant.EPOCH));
    assertThat(Codec.decodeLots(Codec.encodeLots(lots))).isEqualTo(lots);
    assertThat(Codec.encodeLots(List.of())).isEmpty();
    assertThat(Codec.decodeLots("")).isEmpty();
  }

  @Test
  @DisplayName("holds round-trip exactly, metadata with spaces, '&', '=', '%', newlines and empty strings included")
  void holdsRoundTrip() {
    AccountId account = AccountId.of("alice");
    Map<String, String> tricky = Map.of("", "", "a b&c=d", "50% off\r\nnext & more=", "emoji", "🎬 zoë 日本",
        "h_1 ", "\nh_2 x");
    List<Hold> holds = List.of(
        new Hold(HoldId.of("h_1"), account, 30, HoldState.ACTIVE, Instant.parse("2026-03-01T10:00:00.000000001Z"),
            Instant.MAX, 0, null, tricky, List.of(new Allocation(new LotId(2), 10), new Allocation(new LotId(1), 20))),
        new Hold(HoldId.of("h_2"), account, 0, HoldState.ACTIVE, Instant.MIN, Instant.EPOCH, 0, null, Map.of(),
            List.of()),
        new Hold(HoldId.of("h_3"), account, 9, HoldState.SETTLED, Instant.EPOCH, Instant.EPOCH, 9, Instant.EPOCH,
            Map.of("k", ""), List.of(new Allocation(new LotId(3), 9))));
    String text = Codec.encodeHolds(holds);
    assertThat(Codec.decodeHolds(text, account)).isEqualTo(holds);
    assertThat(Codec.encodeHolds(List.of())).isEmpty();
    assertThat(Codec.decodeHolds("", account)).isEmpty();
    // A hold's marker is found only at the start of its own line, never inside another's metadata.
    assertThat(("\n" + text).split(Codec.holdMarker(HoldId.of("h_2")), -1)).hasSize(2);
    assertThat(("\n" + text).contains(Codec.holdMarker(HoldId.of("h_4")))).isFalse();
    assertThat(("\n" + Codec.encodeHolds(holds.subList(0, 1))).contains(Codec.holdMarker(HoldId.of("h_2"))))
        .isFalse();
  }
}
