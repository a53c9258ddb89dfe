package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The arena of key bytes, and an index comparing a caller's strings against it. */
class ByteArenaTest {
  private final ByteArena arena = new ByteArena();

  @Test
  @DisplayName("strings read back and compare equal across many chunks")
  void manyStrings() {
    List<Integer> addresses = new ArrayList<>();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      addresses.add(arena.add(text(i)));
    }
    for (int i = 0; i < n; i++) {
      int address = addresses.get(i);
      assertThat(arena.string(address, text(i).length())).isEqualTo(text(i));
      assertThat(arena.equals(address, text(i).length(), text(i))).isTrue();
      assertThat(arena.equals(address, text(i).length(), text(i + 1))).isFalse();
    }
  }

  private static String text(int i) {
    return "key-" + i + "-" + "x".repeat(i % 40);
  }

  @Test
  @DisplayName("truncating forgets what was appended after the mark, also across a chunk boundary")
  void truncate() {
    List<Integer> addresses = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      int mark = arena.mark();
      arena.add("refused-" + "y".repeat(i % 200));
      arena.truncate(mark);
      addresses.add(arena.add(text(i)));
    }
    for (int i = 0; i < 5_000; i++) {
      assertThat(arena.string(addresses.get(i), text(i).length())).isEqualTo(text(i));
    }
    // Addresses follow each other as if nothing had been refused.
    assertThat(addresses.get(1)).isEqualTo(addresses.get(0) + text(0).length());
  }

  @Test
  @DisplayName("a string it cannot keep is refused and leaves nothing")
  void refused() {
    int mark = arena.mark();
    assertThatThrownBy(() -> arena.add("ok\u0100")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> arena.add("z".repeat(ByteArena.MAX_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(arena.mark()).isEqualTo(mark);
    assertThat(arena.string(arena.add("caf\u00e9"), 4)).isEqualTo("caf\u00e9");
  }

  @Test
  @DisplayName("an index over arena bytes finds a caller's string, refuses a taken one and undoes the last")
  void indexOverBytes() {
    int[] address = new int[10_000];
    int[] length = new int[10_000];
    HashIndex<String> index = new HashIndex<>((key, position) -> arena.equals(address[position], length[position], key));
    for (int i = 0; i < 10_000; i++) {
      String key = text(i);
      int position = index.add(key, key.hashCode());
      assertThat(position).isEqualTo(i);
      address[i] = arena.add(key);
      length[i] = key.length();
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(index.positionOf(new String(text(i)), text(i).hashCode())).isEqualTo(i);
    }
    assertThat(index.add(text(7), text(7).hashCode())).isEqualTo(-8);
    assertThat(index.positionOf("absent", "absent".hashCode())).isEqualTo(-1);
    index.removeLast(text(9_999).hashCode());
    assertThat(index.size()).isEqualTo(9_999);
    assertThat(index.positionOf(text(9_999), text(9_999).hashCode())).isEqualTo(-1);
    assertThat(index.positionOf(text(9_998), text(9_998).hashCode())).isEqualTo(9_998);
    assertThatThrownBy(() -> index.removeLast("wrong".hashCode())).isInstanceOf(IllegalArgumentException.class);
  }
}
