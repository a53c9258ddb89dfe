package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KeyedTableTest {

  /** A value carrying its key, whose hash is chosen freely to force collisions (HashIndexProperties too). */
  record Item(Key key, int payload) {}

  /** A key equal by name, with whatever hash code it is given. */
  record Key(String name, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.name.equals(name);
    }
  }

  private static Key key(String name) {
    return new Key(name, name.hashCode());
  }

  private final KeyedTable<Key, Item> table = new KeyedTable<>(Item::key);

  @Nested
  @DisplayName("adding and finding")
  class Adding {
    @Test
    @DisplayName("an empty table finds nothing")
    void emptyFindsNothing() {
      assertThat(table.get(key("a"))).isNull();
      assertThat(table.positionOf(key("a"))).isEqualTo(-1);
      assertThat(table.size()).isZero();
    }

    @Test
    @DisplayName("values are found by key and kept in insertion order")
    void findsByKeyInOrder() {
      assertThat(table.add(new Item(key("a"), 1))).isTrue();
      assertThat(table.add(new Item(key("b"), 2))).isTrue();
      assertThat(table.get(key("b"))).isEqualTo(new Item(key("b"), 2));
      assertThat(table.positionOf(key("a"))).isZero();
      assertThat(table.at(1).payload()).isEqualTo(2);
      assertThat(table.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("a taken key is refused and changes nothing")
    void takenKeyRefused() {
      table.add(new Item(key("a"), 1));
      assertThat(table.add(new Item(key("a"), 2))).isFalse();
      assertThat(table.size()).isEqualTo(1);
      assertThat(table.get(key("a")).payload()).isEqualTo(1);
    }

    @Test
    @DisplayName("keys with one hash code are told apart by equals")
    void collisions() {
      for (int i = 0; i < 100; i++) {
        assertThat(table.add(new Item(new Key("k" + i, 42), i))).isTrue();
      }
      for (int i = 0; i < 100; i++) {
        assertThat(table.get(new Key("k" + i, 42)).payload()).isEqualTo(i);
      }
      assertThat(table.get(new Key("k100", 42))).isNull();
      assertThat(table.add(new Item(new Key("k7", 42), -1))).isFalse();
    }

    @Test
    @DisplayName("a million keys survive every growth")
    void manyKeys() {
      int n = 1_000_000;
      for (int i = 0; i < n; i++) {
        assertThat(table.add(new Item(key("key-" + i), i))).isTrue();
      }
      assertThat(table.size()).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        if (table.positionOf(key("key-" + i)) != i) {
          throw new AssertionError("key-" + i + " lost");
        }
      }
      assertThat(table.get(key("key-" + n))).isNull();
    }
  }

  @Nested
  @DisplayName("growing")
  class Growing {
    @Test
    @DisplayName("every growth keeps every key reachable, colliding or not, and removal still works after it")
    void growthKeepsKeys() {
      for (int i = 0; i < 5000; i++) {
        Key k = i % 3 == 0 ? new Key("c" + i, 99) : key("k" + i);
        assertThat(table.add(new Item(k, i))).isTrue();
      }
      for (int i = 0; i < 5000; i++) {
        Key k = i % 3 == 0 ? new Key("c" + i, 99) : key("k" + i);
        assertThat(table.positionOf(k)).isEqualTo(i);
        assertThat(table.add(new Item(k, -1))).isFalse();
      }
      assertThat(table.get(key("k5000"))).isNull();
      table.removeLast();
      assertThat(table.get(key("k4999"))).isNull();
      assertThat(table.get(key("k4997")).payload()).isEqualTo(4997);
      assertThat(table.get(new Key("c4998", 99)).payload()).isEqualTo(4998);
    }

    @Test
    @DisplayName("runs that wrap past the table's end survive growth")
    void wrappingRuns() {
      // Hash codes whose kept hashes start with nine ones and end in four: their home is the last slot
      // of every table up to 8192 slots, so their run wraps to slot 0.
      int found = 0;
      for (int code = 0; found < 400; code++) {
        if (KeyedTable.mix(code) >>> 23 == 0x1FF && (KeyedTable.mix(code) & 15) == 15) {
          assertThat(table.add(new Item(new Key("w" + found, code), found))).isTrue();
          found++;
        }
      }
      for (int i = 0; i < 400; i++) {
        assertThat(table.add(new Item(key("n" + i), 400 + i))).isTrue();
      }
      for (int i = 0; i < 400; i++) {
        assertThat(table.positionOf(key("n" + i))).isEqualTo(400 + i);
      }
      found = 0;
      for (int code = 0; found < 400; code++) {
        if (KeyedTable.mix(code) >>> 23 == 0x1FF && (KeyedTable.mix(code) & 15) == 15) {
          assertThat(table.positionOf(new Key("w" + found, code))).isEqualTo(found);
          found++;
        }
      }
    }
  }

  @Nested
  @DisplayName("look-up length")
  class Probes {
    @Test
    @DisplayName("keys made in sequence and random keys both keep look-ups short")
    void shortRuns() {
      KeyedTable<String, String> sequential = new KeyedTable<>(k -> k);
      KeyedTable<String, String> random = new KeyedTable<>(k -> k);
      Random r = new Random(11);
      for (int i = 0; i < 1_000_000; i++) {
        sequential.add("h" + i);
        sequential.add("s" + i);
        sequential.add("gen-" + i + "-hold");
        random.add(Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()));
      }
      assertThat(sequential.size()).isEqualTo(3_000_000);
      // Sequential keys fill their groups and spill a little into the next (about 2.6 slots on average at
      // the time of writing; 4.4 with HashMap's plain low bits); random keys stay near linear probing's
      // textbook figure (1.5).
      assertThat(sequential.meanProbes()).isLessThan(4.0);
      assertThat(random.meanProbes()).isLessThan(2.0);
    }
  }

  @Nested
  @DisplayName("replacing and undoing")
  class Changing {
    @Test
    @DisplayName("a value is replaced in place by one with its key")
    void replace() {
      table.add(new Item(key("a"), 1));
      table.add(new Item(key("b"), 2));
      table.set(0, new Item(key("a"), 10));
      assertThat(table.get(key("a")).payload()).isEqualTo(10);
      assertThat(table.positionOf(key("a"))).isZero();
    }

    @Test
    @DisplayName("a replacement with another key is refused")
    void replaceOtherKey() {
      table.add(new Item(key("a"), 1));
      assertThatThrownBy(() -> table.set(0, new Item(key("b"), 1))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> table.set(1, new Item(key("a"), 1))).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    @DisplayName("removing the last value forgets its key and nothing else")
    void removeLast() {
      table.add(new Item(key("a"), 1));
      table.add(new Item(key("b"), 2));
      table.removeLast();
      assertThat(table.size()).isEqualTo(1);
      assertThat(table.get(key("b"))).isNull();
      assertThat(table.get(key("a")).payload()).isEqualTo(1);
      assertThat(table.add(new Item(key("b"), 3))).isTrue();
      assertThat(table.get(key("b")).payload()).isEqualTo(3);
    }

    @Test
    @DisplayName("an empty table has nothing to remove")
    void removeFromEmpty() {
      assertThatThrownBy(table::removeLast).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("removal inside colliding runs keeps every other key reachable")
    void removalKeepsRunsIntact() {
      // Few distinct hashes, so runs of occupied slots overlap and wrap around the table end.
      Random random = new Random(7);
      Map<Key, Integer> expected = new HashMap<>();
      int next = 0;
      for (int step = 0; step < 20_000; step++) {
        if (table.size() > 0 && random.nextInt(3) == 0) {
          Item last = table.at(table.size() - 1);
          table.removeLast();
          expected.remove(last.key());
        } else {
          Key k = new Key("k" + next, random.nextInt(8) * 0x10000 + random.nextInt(4));
          assertThat(table.add(new Item(k, next))).isTrue();
          expected.put(k, next);
          next++;
        }
        if (step % 997 == 0) {
          expected.forEach((k, v) -> assertThat(table.get(k).payload()).isEqualTo(v));
        }
      }
      assertThat(table.size()).isEqualTo(expected.size());
      expected.forEach((k, v) -> assertThat(table.get(k).payload()).isEqualTo(v));
    }
  }
}
