package io.preprompt.credits.testkit;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An append-only table of values, found by a key each value carries: a {@link HashIndex} over the
 * values' positions, for values kept as objects. The in-memory store keeps its records and holds in
 * columns, with their own indexes; this simplest owner of an index is what {@code KeyedTableTest}
 * checks the index through.
 *
 * <p>The values are kept in chunks of {@value #CHUNK}, so a long table grows without copying them
 * (the first chunk starts small, so a short table stays small).
 *
 * <p>Not thread-safe.
 *
 * @param <K> the key type (its {@code hashCode} and {@code equals} find values)
 * @param <V> the value type
 */
final class KeyedTable<K, V> {
  private static final int SHIFT = 12;
  private static final int CHUNK = 1 << SHIFT;

  private final Function<? super V, ? extends K> keyOf;
  private final HashIndex<K> index;
  private Object[][] chunks = {new Object[8]};

  /**
   * Creates an empty table.
   *
   * @param keyOf the key of a value; the same for a value and any value that replaces it
   */
  KeyedTable(Function<? super V, ? extends K> keyOf) {
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.index = new HashIndex<>((key, position) -> key.equals(keyOf.apply(value(position))));
  }

  /** Folds a hash code's high half into its low bits, which choose the home slot. */
  static int mix(int hashCode) {
    return HashIndex.mix(hashCode);
  }

  int size() {
    return index.size();
  }

  /**
   * Returns the value at a position.
   *
   * @param position from 0 to {@code size() - 1}, in insertion order
   */
  V at(int position) {
    Objects.checkIndex(position, size());
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
    return index.positionOf(key, key.hashCode());
  }

  /**
   * Appends a value unless one with its key is already there: one probe both checks and inserts.
   *
   * @param value the value
   * @return true when appended, false (and nothing changed) when its key was taken
   */
  boolean add(V value) {
    K key = Objects.requireNonNull(keyOf.apply(value), "key");
    int position = index.add(key, key.hashCode());
    if (position < 0) {
      return false;
    }
    int c = position >>> SHIFT;
    int i = position & (CHUNK - 1);
    if (c == chunks.length) {
      chunks = Arrays.copyOf(chunks, c * 2);
    }
    if (chunks[c] == null) {
      chunks[c] = new Object[CHUNK];
    } else if (i == chunks[c].length) {
      chunks[c] = Arrays.copyOf(chunks[c], Math.min(CHUNK, i * 2));
    }
    chunks[c][i] = value;
    return true;
  }

  /**
   * Replaces the value at a position with one of the same key.
   *
   * @param position the position
   * @param value the new value
   */
  void set(int position, V value) {
    Objects.checkIndex(position, size());
    if (!Objects.equals(keyOf.apply(value), keyOf.apply(at(position)))) {
      throw new IllegalArgumentException("a replacement must have the same key");
    }
    chunks[position >>> SHIFT][position & (CHUNK - 1)] = value;
  }

  /** Removes the last value appended (to undo an insert). */
  void removeLast() {
    int size = size();
    if (size == 0) {
      throw new IllegalStateException("empty table");
    }
    index.removeLast(keyOf.apply(value(size - 1)).hashCode());
    chunks[(size - 1) >>> SHIFT][(size - 1) & (CHUNK - 1)] = null;
  }

  /** Returns the mean number of slots a look-up of a present key reads (for tests). */
  double meanProbes() {
    return index.meanProbes();
  }
}
