package io.preprompt.credits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The field codec over arbitrary maps of strings: every map decodes to exactly itself, names as
 * well as values, and two different maps never share an encoding (idempotency fingerprints depend
 * on it). Strings are drawn mostly from the characters the encoding escapes ({@code =}, {@code %},
 * line breaks) and from text that looks like an escape ({@code 3D}, {@code 25}), so near misses such
 * as {@code {"a=b": "c"}} and {@code {"a": "b=c"}} come up often; the rest is any Unicode.
 */
class FieldCodecProperties {

  @Property(tries = 2_000)
  @Label("a map written as a nested field decodes to the same entries, in the same order")
  void addMap_anyMap_roundTrips(@ForAll("maps") Map<String, String> map) {
    String encoded = FieldCodec.fields().add("before", "x").addMap("metadata", map).add("after", 1L).encode();

    Map<String, String> fields = FieldCodec.decode(encoded);

    assertThat(fields.keySet()).containsExactly("before", "metadata", "after");
    assertThat(FieldCodec.map(fields.get("metadata"))).containsExactlyEntriesOf(map);
  }

  @Property(tries = 2_000)
  @Label("fields with any names and values decode to the same fields, in the same order")
  void add_anyNamesAndValues_roundTrip(@ForAll("maps") Map<String, String> map) {
    FieldCodec.Fields fields = FieldCodec.fields();
    map.forEach(fields::add);

    assertThat(FieldCodec.decode(fields.encode())).containsExactlyEntriesOf(map);
  }

  @Property(tries = 5_000)
  @Label("two different maps, in the sorted order callers pass, never encode alike; equal ones always do")
  void addMap_differentMaps_differentEncodings(@ForAll("nearMisses") Map<String, String> first,
      @ForAll("nearMisses") Map<String, String> second) {
    String a = FieldCodec.fields().addMap("metadata", new TreeMap<>(first)).encode();
    String b = FieldCodec.fields().addMap("metadata", new TreeMap<>(second)).encode();

    assertThat(a.equals(b)).as("%s encoded as %s, %s as %s", first, a, second, b).isEqualTo(first.equals(second));
  }

  @Property(tries = 2_000)
  @Label("a map and the map its text would give if cut at other '=' and line breaks never encode alike")
  void addMap_mapAndItsRecut_differentEncodings(@ForAll("nearMisses") Map<String, String> map,
      @ForAll boolean atLastEquals) {
    Map<String, String> sorted = new TreeMap<>(map);
    Map<String, String> recut = recut(sorted, atLastEquals);
    String a = FieldCodec.fields().addMap("metadata", sorted).encode();
    String b = FieldCodec.fields().addMap("metadata", recut).encode();

    assertThat(a.equals(b)).as("%s encoded as %s, %s as %s", sorted, a, recut, b).isEqualTo(sorted.equals(recut));
  }

  @Property(tries = 2_000)
  @Label("a map nested twice (a hold's metadata inside a batch's result) still decodes to itself")
  void addMap_nestedTwice_roundTrips(@ForAll("maps") Map<String, String> map) {
    String inner = FieldCodec.fields().addMap("metadata", map).encode();
    String outer = FieldCodec.fields().add("hold0", inner).encode();

    String decodedInner = FieldCodec.decode(outer).get("hold0");

    assertThat(decodedInner).isEqualTo(inner);
    assertThat(FieldCodec.map(FieldCodec.decode(decodedInner).get("metadata"))).containsExactlyEntriesOf(map);
  }

  /**
   * The entries written as unescaped {@code name=value} lines, read back by cutting each line at its
   * first (or last) {@code =}: the map an encoding that does not escape names or values mistakes
   * for this one, such as {@code {"a": "", "b": "c"}} for {@code {"a=\nb": "c"}}.
   */
  private static Map<String, String> recut(Map<String, String> map, boolean atLastEquals) {
    StringBuilder naive = new StringBuilder();
    map.forEach((name, value) -> naive.append(name).append('=').append(value).append('\n'));
    Map<String, String> out = new TreeMap<>();
    for (String line : naive.toString().split("\n", -1)) {
      int eq = atLastEquals ? line.lastIndexOf('=') : line.indexOf('=');
      if (eq >= 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (!line.isEmpty()) {
        out.put(line, "");
      }
    }
    return out;
  }

  @Provide
  Arbitrary<Map<String, String>> maps() {
    Arbitrary<String> strings = Arbitraries.oneOf(
        Arbitraries.strings().withChars("ab=%&\n\r3D25 ").ofMaxLength(8),
        Arbitraries.strings().all().ofMaxLength(12));
    return Arbitraries.maps(strings, strings).ofMaxSize(6).map(LinkedHashMap::new);
  }

  /** Tiny alphabet and sizes: different maps whose texts differ only by where an '=', '%' or line break sits. */
  @Provide
  Arbitrary<Map<String, String>> nearMisses() {
    Arbitrary<String> strings = Arbitraries.strings().withChars("ab=%3D\n").ofMaxLength(4);
    return Arbitraries.maps(strings, strings).ofMaxSize(3);
  }
}
