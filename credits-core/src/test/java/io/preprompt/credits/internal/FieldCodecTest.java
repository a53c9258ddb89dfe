package io.preprompt.credits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FieldCodecTest {

  @Nested
  @DisplayName("Instants")
  class Instants {
    @Test
    @DisplayName("are written exactly as Instant.toString writes them, across the whole range")
    void sameAsToString() {
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 200_000; i++) {
        long seconds = random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
        if (i % 2 == 0) {
          seconds = random.nextLong(-62_167_219_200L - 86_400, 253_402_300_799L + 86_400);
        }
        int nanos = switch (i % 4) {
          case 0 -> 0;
          case 1 -> random.nextInt(1000) * 1_000_000;
          case 2 -> random.nextInt(1_000_000) * 1000;
          default -> random.nextInt(1_000_000_000);
        };
        assertWritten(Instant.ofEpochSecond(seconds, nanos));
      }
    }

    @Test
    @DisplayName("edge cases: epoch, leap days, the ends of the fast range and of Instant")
    void edges() {
      for (String s : new String[] {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999999999Z",
          "1900-03-01T00:00:00.001Z", "2024-02-29T12:00:00.000001Z", "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999Z", "1969-12-31T23:59:59.5Z", "2026-11-25T09:04:31.120Z"}) {
        assertWritten(Instant.parse(s));
      }
      assertWritten(Instant.MIN);
      assertWritten(Instant.MAX);
      assertWritten(Instant.ofEpochSecond(-62_167_219_201L));
      assertWritten(Instant.ofEpochSecond(253_402_300_800L));
    }

    private void assertWritten(Instant instant) {
      StringBuilder sb = new StringBuilder();
      FieldCodec.appendInstant(instant, sb);
      assertThat(sb.toString()).as("epoch second %d nano %d", instant.getEpochSecond(), instant.getNano())
          .isEqualTo(instant.toString());
    }
  }

  @Test
  @DisplayName("fields round-trip, with and without characters that need escaping, and empty maps")
  void roundTrip() {
    Instant at = Instant.parse("2026-11-25T09:04:31.120Z");
    String encoded = FieldCodec.fields().add("plain", "abc").add("escaped", "a=b%c\nd\re").add("number", 42L)
        .add("boxed", (Object) Long.valueOf(-7)).add("at", at).addMap("empty", Map.of())
        .addMap("map", Map.of("k", "v=1")).encode();
    Map<String, String> decoded = FieldCodec.decode(encoded);
    assertThat(decoded).containsEntry("plain", "abc").containsEntry("escaped", "a=b%c\nd\re")
        .containsEntry("number", "42").containsEntry("boxed", "-7").containsEntry("at", at.toString())
        .containsEntry("empty", "");
    assertThat(FieldCodec.map(decoded.get("map"))).containsExactly(Map.entry("k", "v=1"));
  }

  @Test
  @DisplayName("map names are escaped: {a=b: c} and {a: b=c} encode differently and each decodes to itself")
  void addMap_nameWithEquals_roundTripsAndDiffersFromValueWithEquals() {
    String nameWithEquals = FieldCodec.fields().addMap("metadata", Map.of("a=b", "c")).encode();
    String valueWithEquals = FieldCodec.fields().addMap("metadata", Map.of("a", "b=c")).encode();

    assertThat(nameWithEquals).isNotEqualTo(valueWithEquals);
    assertThat(FieldCodec.map(FieldCodec.decode(nameWithEquals).get("metadata"))).containsExactly(Map.entry("a=b", "c"));
    assertThat(FieldCodec.map(FieldCodec.decode(valueWithEquals).get("metadata")))
        .containsExactly(Map.entry("a", "b=c"));
  }

  @Test
  @DisplayName("names with '%', line breaks, '&', text that looks escaped and the empty name round-trip")
  void add_namesNeedingEscapes_roundTrip() {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("100%", "v");
    fields.put("two\nlines\r", "w");
    fields.put("a&b", "x&y");
    fields.put("%3D", "=");
    fields.put("", "empty name");
    FieldCodec.Fields list = FieldCodec.fields();
    fields.forEach(list::add);

    assertThat(FieldCodec.decode(list.encode())).containsExactlyEntriesOf(fields);
  }

  @Test
  @DisplayName("random hold ids are well formed, 128 bits, and do not repeat across threads")
  void holdIds() throws InterruptedException {
    Set<String> seen = java.util.Collections.synchronizedSet(new HashSet<>());
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 5_000; i++) {
          seen.add(HoldId.random().value());
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(seen).hasSize(20_000).allMatch(id -> id.matches("h_[0-9a-f]{32}"));
  }
}
