package io.preprompt.credits.testkit;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An append-only table of values, found by a key each value carries. The in-memory store keeps
 * every idempotency record and every hold for good, and looks one up on nearly every call: a
 * {@code HashMap} spends a node object per entry and chases a pointer per probe through millions of
 * them. Here the index is open addressing over one {@code long[]}: each slot holds the key's mixed
 * hash in its high half and the value's position plus one (0 for an empty slot) in its low half, so
 * a probe compares whole hashes in adjacent memory and reads a value only when they match.
 *
 * <p>A hash's home slot is its low bits, after folding the high half into them as
 * {@code java.util.HashMap} does: keys a caller makes in sequence ({@code gen-1041},
 * {@code gen-1042}, ...) have nearby hash codes, so their slots share cache lines and a busy
 * account's next key is usually checked and inserted without a miss in a table of many megabytes;
 * random keys (UUIDs, hold ids) spread evenly as before. Growing to twice the slots sends old slot
 * {@code i}'s entry to {@code i} or {@code i} plus the old length, so walking the old slots once,
 * front to back, writes the new ones in two nearly ordered streams. Linear probing, at most two
 * thirds full; removal (only ever of the last value, to undo an insert) shifts later slots back
 * instead of leaving tombstones.
 *
 * <p>The values are kept in chunks of {@value #CHUNK}, so a long table grows without copying them
 * (the first chunk starts small, so a short table stays small).
 *
 * <p>Not thread-safe: the store guards each table with its account's lock.
 *
 * @param <K> the key type (its {@code hashCode} and {@code equals} find values)
 * @param <V> the value type
 */
final class KeyedTable<K, V> {
  private static final int MIN_BITS = 4;
  private static final int MAX_BITS = 30;
  private static final int SHIFT = 12;
  private static final int CHUNK = 1 << SHIFT;
  private static final long POSITIONS = 0xFFFF_FFFFL;

  private final Function<? super V, ? extends K> keyOf;
  private Object[][] chunks = {new Object[8]};
  private int size;
  private long[] slots = new long[1 << MIN_BITS];
  private int threshold = (1 << MIN_BITS) * 2 / 3;

  /**
   * Creates an empty table.
   *
   * @param keyOf the key of a value; the same for a value and any value that replaces it
   */
  KeyedTable(Function<? super V, ? extends K> keyOf) {
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
  }

  /** Folds a hash code's high half into its low bits, which choose the home slot. */
  static int mix(int hashCode) {
    return hashCode ^ (hashCode >>> 16);
  }

  int size() {
    return size;
  }

  /**
   * Returns the value at a position.
   *
   * @param position from 0 to {@code size() - 1}, in insertion order
   */
  V at(int position) {
    Objects.checkIndex(position, size);
    return value(position);
  }

  @SuppressWarnings("unchecked")
  private V value(int position) {
    return (V) chunks[position >>> SHIFT][position & (CHUNK - 1)];
  }

  /**
   * Returns the value with this key.
   *
   * @param key the key
   * @return the value, or null when there is none
   */
  @Nullable V get(K key) {
    int position = positionOf(key);
    return position < 0 ? null : value(position);
  }

  /**
   * Returns the position of the value with this key.
   *
   * @param key the key
   * @return the position, or -1 when there is none
   */
  int positionOf(K key) {
    int slot = slotOf(key, mix(key.hashCode()));
    return slot < 0 ? -1 : (int) (slots[slot] & POSITIONS) - 1;
  }

  /** Returns the slot holding this key, or {@code -(free slot + 1)} where it would go. */
  private int slotOf(K key, int hash) {
    long[] s = slots;
    int mask = s.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      long slot = s[i];
      if (slot == 0) {
        return -(i + 1);
      }
      if ((int) (slot >>> 32) == hash && key.equals(keyOf.apply(value((int) (slot & POSITIONS) - 1)))) {
        return i;
      }
    }
  }

  /**
   * Appends a value unless one with its key is already there: one probe both checks and inserts.
   *
   * @param value the value
   * @return true when appended, false (and nothing changed) when its key was taken
   */
  boolean add(V value) {
    K key = Objects.requireNonNull(keyOf.apply(value), "key");
    int hash = mix(key.hashCode());
    int slot = slotOf(key, hash);
    if (slot >= 0) {
      return false;
    }
    if (size == Integer.MAX_VALUE - 1 || (size >= threshold && slots.length == 1 << MAX_BITS)) {
      throw new IllegalStateException("table full");
    }
    int c = size >>> SHIFT;
    int i = size & (CHUNK - 1);
    if (c == chunks.length) {
      chunks = Arrays.copyOf(chunks, c * 2);
    }
    if (chunks[c] == null) {
      chunks[c] = new Object[CHUNK];
    } else if (i == chunks[c].length) {
      chunks[c] = Arrays.copyOf(chunks[c], Math.min(CHUNK, i * 2));
    }
    chunks[c][i] = value;
    size++;
    slots[-slot - 1] = ((long) hash << 32) | size;
    if (size >= threshold) {
      grow();
    }
    return true;
  }

  /**
   * Replaces the value at a position with one of the same key.
   *
   * @param position the position
   * @param value the new value
   */
  void set(int position, V value) {
    Objects.checkIndex(position, size);
    if (!Objects.equals(keyOf.apply(value), keyOf.apply(at(position)))) {
      throw new IllegalArgumentException("a replacement must have the same key");
    }
    chunks[position >>> SHIFT][position & (CHUNK - 1)] = value;
  }

  /** Removes the last value appended (to undo an insert). */
  void removeLast() {
    if (size == 0) {
      throw new IllegalStateException("empty table");
    }
    K key = keyOf.apply(value(size - 1));
    int hole = slotOf(key, mix(key.hashCode()));
    size--;
    chunks[size >>> SHIFT][size & (CHUNK - 1)] = null;
    long[] s = slots;
    int mask = s.length - 1;
    s[hole] = 0;
    // Backward shift: move up every later slot of the run whose home is not between the hole and it.
    for (int i = (hole + 1) & mask; s[i] != 0; i = (i + 1) & mask) {
      int home = (int) (s[i] >>> 32) & mask;
      boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
      if (!stays) {
        s[hole] = s[i];
        s[i] = 0;
        hole = i;
      }
    }
  }

  /**
   * Doubles the slots. Walking the old slots in order, each entry's new home is its old home or
   * that plus the old length, so the new slots are written in two nearly ordered streams.
   */
  private void grow() {
    long[] old = slots;
    long[] s = new long[old.length * 2];
    int mask = s.length - 1;
    for (long slot : old) {
      if (slot != 0) {
        int i = (int) (slot >>> 32) & mask;
        while (s[i] != 0) {
          i = (i + 1) & mask;
        }
        s[i] = slot;
      }
    }
    slots = s;
    threshold = (int) Math.min(s.length * 2L / 3, Integer.MAX_VALUE - 1);
  }

  /** Returns the mean number of slots a look-up of a present key reads (for tests). */
  double meanProbes() {
    long[] s = slots;
    int mask = s.length - 1;
    long total = 0;
    for (int i = 0; i < s.length; i++) {
      if (s[i] != 0) {
        total += ((i - ((int) (s[i] >>> 32) & mask)) & mask) + 1;
      }
    }
    return size == 0 ? 0 : (double) total / size;
  }
}
