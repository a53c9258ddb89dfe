package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.KeyedTableTest.Item;
import io.preprompt.credits.testkit.KeyedTableTest.Key;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The index against a {@code HashMap}, through random runs of inserts, refused re-inserts, undone
 * inserts and look-ups, long enough to cross the sizes where the index starts holding back slot
 * writes and grows several times. Hash codes come from a small pool as often as not, so keys share
 * whole hashes and tags (the paths where held-back writes must be made before a slot is read).
 */
class HashIndexProperties {

  @Property(tries = 40)
  @Label("every key is found at its position, and only added keys are, after any mix of inserts and undos")
  void agreesWithAMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int sharedHashes) {
    Random random = new Random(seed);
    KeyedTable<Key, Item> table = new KeyedTable<>(Item::key);
    Map<Key, Integer> model = new HashMap<>();
    List<Key> order = new ArrayList<>();
    int[] pool = new int[sharedHashes];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = random.nextInt();
    }
    int steps = 6_000 + random.nextInt(6_000);
    for (int step = 0; step < steps; step++) {
      int action = random.nextInt(10);
      if (action < 6 || order.isEmpty()) {
        String name = "k" + step;
        Key k = new Key(name, random.nextBoolean() ? pool[random.nextInt(pool.length)] : random.nextInt());
        assertThat(table.add(new Item(k, order.size()))).isTrue();
        model.put(k, order.size());
        order.add(k);
      } else if (action == 6) {
        // A key already there (under its own hash) is refused and changes nothing.
        Key taken = order.get(random.nextInt(order.size()));
        assertThat(table.add(new Item(new Key(taken.name(), taken.hash()), -1))).isFalse();
      } else if (action == 7) {
        Key last = order.remove(order.size() - 1);
        table.removeLast();
        model.remove(last);
      } else {
        Key probe = random.nextBoolean()
            ? order.get(random.nextInt(order.size()))
            : new Key("absent" + step, random.nextBoolean() ? pool[random.nextInt(pool.length)] : random.nextInt());
        Integer expected = model.get(probe);
        assertThat(table.positionOf(probe)).as("position of %s", probe).isEqualTo(expected == null ? -1 : expected);
      }
    }
    assertThat(table.size()).isEqualTo(order.size());
    for (int i = 0; i < order.size(); i++) {
      assertThat(table.positionOf(order.get(i))).isEqualTo(i);
      assertThat(table.at(i).key()).isEqualTo(order.get(i));
    }
  }
}
