package io.preprompt.credits.testkit;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An append-only table of values, found by a key each value carries. The in-memory store keeps
 * every idempotency record and every hold for good, and looks one up on nearly every call: a
 * {@code HashMap} spends a node object per entry and chases a pointer per probe through millions of
 * them. Here the index is open addressing over one {@code int[]}: each slot holds the value's
 * position plus one (0 for an empty slot) in its low 24 bits and the top 8 bits of the key's mixed
 * hash above them, so a probe compares tags in adjacent memory and reads a value only when a tag
 * matches (one in 256 for another key). Linear probing, at most two thirds full, doubled when it
 * gets there; removal (only ever of the last value, to undo an insert) shifts later slots back
 * instead of leaving tombstones. Each value's full hash is kept by position, so growing rehashes
 * without reading a single key. Past 2<sup>24</sup> - 2 values the slots hold whole positions
 * and no tag (every probe then reads its value): correct at any size, fast below that.
 *
 * <p>The values and their hashes are kept in chunks of {@value #CHUNK}, so a long table grows
 * without copying them (the first chunk starts small, so a short table stays small).
 *
 * <p>Not thread-safe: the store guards each table with its account's lock.
 *
 * @param <K> the key type (its {@code hashCode} and {@code equals} find values)
 * @param <V> the value type
 */
final class KeyedTable<K, V> {
  private static final int MIN_SLOTS = 16;
  private static final int SHIFT = 12;
  private static final int CHUNK = 1 << SHIFT;
  private static final int NARROW_POSITIONS = 0x00FF_FFFF;
  private static final int NARROW_TAGS = 0xFF00_0000;

  private final Function<? super V, ? extends K> keyOf;
  /** Positions a slot can hold with a tag; past it the slots hold whole positions. */
  private final int narrowLimit;
  private Object[][] chunks = {new Object[8]};
  private int[][] hashChunks = {new int[8]};
  private int size;
  private int[] slots = new int[MIN_SLOTS];
  private int threshold = MIN_SLOTS * 2 / 3;
  private int tagMask = NARROW_TAGS;
  private int positionMask = NARROW_POSITIONS;

  /**
   * Creates an empty table.
   *
   * @param keyOf the key of a value; the same for a value and any value that replaces it
   */
  KeyedTable(Function<? super V, ? extends K> keyOf) {
    this(keyOf, NARROW_POSITIONS - 1);
  }

  /** Creates an empty table that stops tagging slots past {@code narrowLimit} values (for tests). */
  KeyedTable(Function<? super V, ? extends K> keyOf, int narrowLimit) {
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.narrowLimit = Math.min(narrowLimit, NARROW_POSITIONS - 1);
  }

  /** Spreads a hash code so that nearby codes land on distant slots. */
  static int mix(int hashCode) {
    int h = hashCode * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  int size() {
    return size;
  }

  /** Tells whether slots still carry tags (for tests). */
  boolean tagged() {
    return tagMask != 0;
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

  private int hashAt(int position) {
    return hashChunks[position >>> SHIFT][position & (CHUNK - 1)];
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
    return slot < 0 ? -1 : (slots[slot] & positionMask) - 1;
  }

  /** Returns the slot holding this key, or {@code -(free slot + 1)} where it would go. */
  private int slotOf(K key, int hash) {
    int[] s = slots;
    int mask = s.length - 1;
    int tags = tagMask;
    int tag = hash & tags;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      int slot = s[i];
      if (slot == 0) {
        return -(i + 1);
      }
      if ((slot & tags) == tag) {
        int position = (slot & positionMask) - 1;
        // Untagged slots say nothing of their key: the kept hash spares reading most values.
        if ((tags != 0 || hashAt(position) == hash) && key.equals(keyOf.apply(value(position)))) {
          return i;
        }
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
    if (size == Integer.MAX_VALUE - 1) {
      throw new IllegalStateException("table full");
    }
    int c = size >>> SHIFT;
    int i = size & (CHUNK - 1);
    if (c == chunks.length) {
      chunks = Arrays.copyOf(chunks, c * 2);
      hashChunks = Arrays.copyOf(hashChunks, c * 2);
    }
    if (chunks[c] == null) {
      chunks[c] = new Object[CHUNK];
      hashChunks[c] = new int[CHUNK];
    } else if (i == chunks[c].length) {
      chunks[c] = Arrays.copyOf(chunks[c], Math.min(CHUNK, i * 2));
      hashChunks[c] = Arrays.copyOf(hashChunks[c], Math.min(CHUNK, i * 2));
    }
    chunks[c][i] = value;
    hashChunks[c][i] = hash;
    size++;
    if (size >= threshold || (tagMask != 0 && size > narrowLimit)) {
      if (size > narrowLimit) {
        tagMask = 0;
        positionMask = -1;
      }
      rebuild(size >= threshold ? slots.length * 2 : slots.length);
    } else {
      slots[-slot - 1] = (hash & tagMask) | size;
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
    int hole = slotOf(key, hashAt(size - 1));
    size--;
    chunks[size >>> SHIFT][size & (CHUNK - 1)] = null;
    int[] s = slots;
    int mask = s.length - 1;
    s[hole] = 0;
    // Backward shift: move up every later slot of the run whose home is not between the hole and it.
    for (int i = (hole + 1) & mask; s[i] != 0; i = (i + 1) & mask) {
      int home = hashAt((s[i] & positionMask) - 1) & mask;
      boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
      if (!stays) {
        s[hole] = s[i];
        s[i] = 0;
        hole = i;
      }
    }
  }

  /** Refills slots of this length from the kept hashes, in position order. */
  private void rebuild(int length) {
    int[] s = new int[length];
    int mask = length - 1;
    int tags = tagMask;
    for (int position = 0; position < size; position++) {
      int hash = hashAt(position);
      int i = hash & mask;
      while (s[i] != 0) {
        i = (i + 1) & mask;
      }
      s[i] = (hash & tags) | (position + 1);
    }
    slots = s;
    threshold = (int) Math.min(length * 2L / 3, Integer.MAX_VALUE - 8);
  }
}
