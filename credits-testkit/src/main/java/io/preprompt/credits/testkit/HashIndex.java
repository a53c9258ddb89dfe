package io.preprompt.credits.testkit;

import java.util.Objects;

/**
 * Positions {@code 0, 1, 2, ...} of an append-only column, found by a 32-bit hash of their key;
 * the owner decides whether a position holds a key ({@link Equality}), so keys need not be objects.
 *
 * <p>Open addressing over {@code long} slots: the hash in the high half, the position plus one in
 * the low half (0 is an empty slot), so a probe compares whole hashes in adjacent memory and asks
 * the owner only when they match. The home slot is the hash's low bits (callers fold the high half
 * in, as {@code java.util.HashMap} does), so keys made in sequence ({@code gen-1041},
 * {@code gen-1042}, ...) share cache lines, while random keys spread evenly. Linear probing, at
 * most two thirds full; growing to twice the slots sends old slot {@code i}'s entry to {@code i} or
 * {@code i} plus the old length, so walking the old slots once, front to back, writes the new ones
 * in two nearly ordered streams instead of scattering them over many megabytes. Removal (only ever
 * of the last position, to undo an insert) shifts later slots back instead of leaving tombstones.
 *
 * <p>Not thread-safe: the store guards each index with its account's lock.
 *
 * @param <K> the key type
 */
final class HashIndex<K> {

  /** Decides whether a position holds a key. */
  @FunctionalInterface
  interface Equality<K> {
    /**
     * Tells whether the value at a position has this key.
     *
     * @param key the key
     * @param position a position whose hash matched
     * @return true when its key is {@code key}
     */
    boolean at(K key, int position);
  }

  private static final int MIN_SLOTS = 16;
  private static final int MAX_SLOTS = 1 << 30;
  private static final long POSITIONS = 0xFFFF_FFFFL;

  private final Equality<? super K> equality;
  private long[] slots = new long[MIN_SLOTS];
  private int size;
  private int threshold = MIN_SLOTS * 2 / 3;

  /**
   * Creates an empty index.
   *
   * @param equality decides whether a position holds a key
   */
  HashIndex(Equality<? super K> equality) {
    this.equality = Objects.requireNonNull(equality, "equality");
  }

  /** Folds a hash code's high half into its low bits, which choose the home slot. */
  static int mix(int hashCode) {
    return hashCode ^ (hashCode >>> 16);
  }

  /** Returns how many positions are indexed. */
  int size() {
    return size;
  }

  /**
   * Finds the position holding a key.
   *
   * @param hash the key's mixed hash
   * @param key the key, passed to the equality
   * @return the position, or -1 when no position holds it
   */
  int find(int hash, K key) {
    long[] s = slots;
    int mask = s.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      long slot = s[i];
      if (slot == 0) {
        return -1;
      }
      if ((int) (slot >>> 32) == hash && equality.at(key, (int) (slot & POSITIONS) - 1)) {
        return (int) (slot & POSITIONS) - 1;
      }
    }
  }

  /**
   * Indexes a position; the caller has found that no position holds its key.
   *
   * @param hash the key's mixed hash
   * @param position the position, one more than the last indexed
   */
  void add(int hash, int position) {
    if (position != size || position == Integer.MAX_VALUE - 1) {
      throw new IllegalStateException("positions are indexed in order, expected " + size + ", got " + position);
    }
    if (size + 1 >= threshold) {
      grow();
    }
    put(slots, ((long) hash << 32) | (position + 1L));
    size++;
  }

  private static void put(long[] s, long entry) {
    int mask = s.length - 1;
    int i = (int) (entry >>> 32) & mask;
    while (s[i] != 0) {
      i = (i + 1) & mask;
    }
    s[i] = entry;
  }

  private void grow() {
    if (slots.length == MAX_SLOTS) {
      throw new IllegalStateException("index full");
    }
    long[] old = slots;
    long[] s = new long[old.length * 2];
    for (long slot : old) {
      if (slot != 0) {
        put(s, slot);
      }
    }
    slots = s;
    threshold = (int) Math.min(s.length * 2L / 3, Integer.MAX_VALUE - 1);
  }

  /**
   * Forgets the last position indexed (to undo an insert).
   *
   * @param hash the mixed hash it was indexed under
   */
  void removeLast(int hash) {
    if (size == 0) {
      throw new IllegalStateException("empty index");
    }
    long entry = ((long) hash << 32) | size;
    long[] s = slots;
    int mask = s.length - 1;
    int hole = hash & mask;
    while (s[hole] != entry) {
      if (s[hole] == 0) {
        throw new IllegalStateException("the last position is not indexed under hash " + hash);
      }
      hole = (hole + 1) & mask;
    }
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
    size--;
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

  @Override
  public String toString() {
    return "HashIndex[" + size + " positions, " + slots.length + " slots]";
  }
}
