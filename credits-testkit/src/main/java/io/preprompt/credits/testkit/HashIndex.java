package io.preprompt.credits.testkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An index from keys to the positions 0, 1, 2, ... of values its owner keeps elsewhere (in
 * objects, or in columns of primitives). The in-memory store keeps every idempotency record and
 * every hold for good, and looks one up on nearly every call: a {@code HashMap} spends a node object
 * per entry and chases a pointer per probe through millions of them. Here the index is open
 * addressing over one {@code long[]}: each slot holds the key's mixed hash in its high half and the
 * position plus one (0 for an empty slot) in its low half, and the owner is asked to compare the
 * key only when the whole hash matches. The owner compares however it keeps its keys
 * ({@link KeyMatch}), so the key a caller looks up may be of another form than the stored one (a
 * {@code String} against bytes in an arena) and nothing is made per look-up.
 *
 * <p><b>Where a key goes.</b> A hash code's low four bits choose its slot within a group of
 * sixteen (two 64-byte cache lines, which the hardware fetches as a pair), and the rest, spread by
 * Fibonacci hashing, choose the group from its top bits. Keys a caller makes in sequence
 * ({@code gen-1041}, {@code gen-1042}, ...) have consecutive hash codes (a decimal counter's ten
 * last digits fit a group), so they share a group and a busy account's next key is usually
 * checked and inserted without a miss in a table of many megabytes; and groups still land far
 * apart, so such keys do not pile up into the long runs of occupied slots that plain low bits
 * (as in {@code java.util.HashMap}) make under linear probing. Random keys (UUIDs, hold ids) spread
 * evenly. Doubling the slots sends group {@code g} to {@code 2g} or {@code 2g + 1}, so growing
 * walks the old slots once, front to back, and writes the new ones in order. Linear probing, at
 * most two thirds full; removal (only ever of the last position, to undo an insert) shifts later
 * slots back instead of leaving tombstones.
 *
 * <p><b>Tags first.</b> A random key (a hold id) lands on a random slot of a table of many
 * megabytes, and reading that slot was a cache miss on every insert: the dearest step of a hold in
 * the in-memory store. So a probe first reads a parallel {@code byte[]} of tags, an eighth of the
 * slots' size, which stays far more in cache: 0 for an empty slot, else seven bits mixed from the
 * whole kept hash (so keys sharing a group differ in them) with the top bit set. Only a slot whose
 * tag equals the key's (its key, or one other key in 128) has its {@code long} read. Tags are read
 * eight at a time as one {@code long}, the empty and the equal ones found by a few bit operations,
 * so the runs that keys made in sequence leave cost a read or two, not a loop per slot.
 *
 * <p><b>Slot writes held back.</b> Once a table has 4,096 slots, an insert writes its tag at once
 * but holds back the slot's write, and 64 held-back writes are then made in one loop, where their
 * cache misses overlap instead of each stalling its own insert (in-memory pair, JDK 25, three forks
 * each: about 14% more pairs per second than writing each slot at once). They are made before any
 * slot is read, so no look-up, removal or growth sees a slot missing.
 *
 * <p>Not thread-safe: the store guards each index with its account's lock.
 *
 * @param <K> the type of the keys looked up
 */
final class HashIndex<K> {
  /**
   * Compares a key with the key stored at a position.
   *
   * @param <K> the type of the keys looked up
   */
  @FunctionalInterface
  interface KeyMatch<K> {
    /**
     * Tells whether the key stored at a position is this key.
     *
     * @param key the key looked up
     * @param position a position in the index
     * @return true when they are the same key
     */
    boolean matches(K key, int position);
  }

  private static final int MIN_BITS = 5;
  private static final int MAX_BITS = 30;
  private static final long POSITIONS = 0xFFFF_FFFFL;
  /** Eight tags read as one {@code long}, the first in the low byte. */
  private static final VarHandle TAGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW_BITS = 0x0101_0101_0101_0101L;
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  /** How many slot writes are held back and then made together (see the class doc). */
  private static final int DEFERRED = 64;
  /** The table size from which slot writes are held back: smaller tables stay in cache. */
  private static final int DEFER_FROM = 1 << 12;

  private final KeyMatch<? super K> match;
  private int size;
  /** A byte per slot: 0 when empty, else {@link #tag} of the kept hash. */
  private byte[] tags = new byte[1 << MIN_BITS];
  private long[] slots = new long[1 << MIN_BITS];
  /** Slot writes not made yet: slot numbers and what to write there (null while the table is small). */
  private int @Nullable [] deferredSlot;
  private long @Nullable [] deferredValue;
  private int deferredCount;
  private int threshold = (1 << MIN_BITS) * 2 / 3;
  /** {@code 32 - (log2(slots.length) - 4)}: a hash's group is its top bits above this shift. */
  private int groupShift = 32 - (MIN_BITS - 4);

  /**
   * Creates an empty index.
   *
   * @param match compares a key with the key stored at a position
   */
  HashIndex(KeyMatch<? super K> match) {
    this.match = Objects.requireNonNull(match, "match");
  }

  /**
   * The hash a slot keeps: the code's low four bits as they are (the slot within its group),
   * the rest spread by Fibonacci hashing (the group, read from the top bits).
   */
  static int mix(int hashCode) {
    return ((hashCode >>> 4) * 0x9E3779B9 & ~15) | (hashCode & 15);
  }

  /** The home slot of a kept hash, for a table whose groups sit above {@code shift}. */
  private static int home(int hash, int shift) {
    return ((hash >>> shift) << 4) | (hash & 15);
  }

  /** Returns the number of positions, so the next one added is this. */
  int size() {
    return size;
  }

  /**
   * Returns the position of this key.
   *
   * @param key the key
   * @param hashCode the key's hash code, the same for every form of the same key
   * @return the position, or -1 when there is none
   */
  int positionOf(K key, int hashCode) {
    int slot = slotOf(key, mix(hashCode));
    return slot < 0 ? -1 : (int) (slots[slot] & POSITIONS) - 1;
  }

  /** Returns the slot holding this key, or {@code -(free slot + 1)} where it would go. */
  private int slotOf(K key, int hash) {
    byte[] t = tags;
    byte tag = tag(hash);
    int n = t.length;
    long tags8 = (tag & 0xFFL) * LOW_BITS;
    int i = home(hash, groupShift);
    while (true) {
      if (i + 8 > n) {
        // The last few tags before the table wraps: one at a time.
        for (; i < n; i++) {
          byte b = t[i];
          if (b == 0) {
            return -(i + 1);
          }
          if (b == tag && holds(key, hash, i)) {
            return i;
          }
        }
        i = 0;
        continue;
      }
      // Eight tags at once: the empty ones (0, the only tags without the top bit) and those equal
      // to the key's (exact up to the first empty one, the only ones that count).
      long w = (long) TAGS.get(t, i);
      long empty = ~w & HIGH_BITS;
      long x = w ^ tags8;
      long equal = (x - LOW_BITS) & ~x & HIGH_BITS;
      if (empty != 0) {
        equal &= (empty & -empty) - 1;
      }
      while (equal != 0) {
        int at = i + (Long.numberOfTrailingZeros(equal) >>> 3);
        if (holds(key, hash, at)) {
          return at;
        }
        equal &= equal - 1;
      }
      if (empty != 0) {
        return -(i + (Long.numberOfTrailingZeros(empty) >>> 3) + 1);
      }
      i = (i + 8) & (n - 1);
    }
  }

  /** Tells whether an occupied slot whose tag matches holds this key. */
  private boolean holds(K key, int hash, int i) {
    if (deferredCount > 0) {
      writeDeferred();
    }
    long slot = slots[i];
    return (int) (slot >>> 32) == hash && match.matches(key, (int) (slot & POSITIONS) - 1);
  }

  /** A slot's tag: seven bits mixed from the whole kept hash, and a set top bit (0 is an empty slot). */
  static byte tag(int hash) {
    return (byte) ((hash * 0x85EBCA6B) >>> 25 | 0x80);
  }

  private void writeDeferred() {
    int[] heldSlots = deferredSlot;
    long[] heldValues = deferredValue;
    if (heldSlots == null || heldValues == null) {
      return;
    }
    long[] s = slots;
    for (int k = 0; k < deferredCount; k++) {
      s[heldSlots[k]] = heldValues[k];
    }
    deferredCount = 0;
  }

  /**
   * Adds the key at position {@link #size()} unless it is there already: one probe both checks and
   * inserts. The owner stores the key at that position before the next look-up.
   *
   * @param key the key
   * @param hashCode the key's hash code
   * @return the new position, or {@code -(position + 1)} of the key already there (nothing changed)
   */
  int add(K key, int hashCode) {
    int hash = mix(hashCode);
    int slot = slotOf(key, hash);
    if (slot >= 0) {
      return -(int) (slots[slot] & POSITIONS);
    }
    if (size == Integer.MAX_VALUE - 1 || (size >= threshold && slots.length == 1 << MAX_BITS)) {
      throw new IllegalStateException("table full");
    }
    int position = size++;
    int free = -slot - 1;
    tags[free] = tag(hash);
    long value = ((long) hash << 32) | size;
    int[] heldSlots = deferredSlot;
    long[] heldValues = deferredValue;
    if (heldSlots == null || heldValues == null) {
      slots[free] = value;
    } else {
      heldSlots[deferredCount] = free;
      heldValues[deferredCount] = value;
      if (++deferredCount == DEFERRED) {
        writeDeferred();
      }
    }
    if (size >= threshold) {
      grow();
    }
    return position;
  }

  /**
   * Removes the last position added (to undo an insert).
   *
   * @param hashCode the hash code of its key
   */
  void removeLast(int hashCode) {
    if (size == 0) {
      throw new IllegalStateException("empty index");
    }
    writeDeferred();
    long[] s = slots;
    byte[] t = tags;
    int mask = s.length - 1;
    long last = ((long) mix(hashCode) << 32) | size;
    int hole = home(mix(hashCode), groupShift);
    while (s[hole] != last) {
      if (s[hole] == 0) {
        throw new IllegalArgumentException("not the last key's hash code");
      }
      hole = (hole + 1) & mask;
    }
    size--;
    s[hole] = 0;
    t[hole] = 0;
    // Backward shift: move up every later slot of the run whose home is not between the hole and it.
    for (int i = (hole + 1) & mask; s[i] != 0; i = (i + 1) & mask) {
      int home = home((int) (s[i] >>> 32), groupShift);
      boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
      if (!stays) {
        s[hole] = s[i];
        t[hole] = t[i];
        s[i] = 0;
        t[i] = 0;
        hole = i;
      }
    }
  }

  /**
   * Doubles the slots. Group {@code g} becomes {@code 2g} or {@code 2g + 1} and keeps its slot
   * within the group, so walking the old slots in order writes the new ones in order too: only
   * the run that wrapped past the old table's end lands out of order.
   */
  private void grow() {
    writeDeferred();
    long[] old = slots;
    long[] s = new long[old.length * 2];
    byte[] t = new byte[s.length];
    int mask = s.length - 1;
    int shift = groupShift - 1;
    for (long slot : old) {
      if (slot != 0) {
        int hash = (int) (slot >>> 32);
        int i = home(hash, shift);
        while (s[i] != 0) {
          i = (i + 1) & mask;
        }
        s[i] = slot;
        t[i] = tag(hash);
      }
    }
    slots = s;
    tags = t;
    if (s.length >= DEFER_FROM && deferredSlot == null) {
      deferredSlot = new int[DEFERRED];
      deferredValue = new long[DEFERRED];
    }
    groupShift = shift;
    threshold = (int) Math.min(s.length * 2L / 3, Integer.MAX_VALUE - 1);
  }

  /** Returns the mean number of slots a look-up of a present key reads (for tests). */
  double meanProbes() {
    writeDeferred();
    long[] s = slots;
    int mask = s.length - 1;
    long total = 0;
    for (int i = 0; i < s.length; i++) {
      if (s[i] != 0) {
        total += ((i - home((int) (s[i] >>> 32), groupShift)) & mask) + 1;
      }
    }
    return size == 0 ? 0 : (double) total / size;
  }
}
