package io.preprompt.credits.internal;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.AccountSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The accounts as this process's own last commits left them, so that a keyed call can skip the read
 * (see {@link io.preprompt.credits.CreditServiceBuilder#reuseCommittedAccounts}). An entry is the
 * account's row and live lots after the commit, the active holds this process knows of, and a lower
 * bound of their earliest deadline. It is only ever a hint: a call run on it commits with its version
 * as the expected one, so a stale entry is refused by the store and dropped. Bounded: past
 * {@code capacity} accounts, an arbitrary quarter is forgotten.
 */
final class SnapshotCache {
  /**
   * One account's entry, replaced by compare-and-set: a commit (one per call) then costs a map
   * look-up and a CAS instead of the bin lock {@code ConcurrentHashMap.put} takes.
   */
  static final class Slot {
    volatile @Nullable AccountSnapshot change;
  }

  private static final VarHandle CHANGE;

  static {
    try {
      CHANGE = MethodHandles.lookup().findVarHandle(Slot.class, "change", AccountSnapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentHashMap<AccountId, Slot> slots = new ConcurrentHashMap<>();
  private final int capacity;

  SnapshotCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Nullable AccountSnapshot get(AccountId account) {
    return kept(slot(account));
  }

  /**
   * Returns the account's slot, to read its entry ({@link #kept}) and later keep the call's commit
   * in it ({@link #committed(Slot, AccountSnapshot)}) with one map look-up for both.
   *
   * @param account the account
   * @return its slot, or null when it has none
   */
  @Nullable Slot slot(AccountId account) {
    return slots.get(account);
  }

  /** Returns what a slot keeps, or null. */
  static @Nullable AccountSnapshot kept(@Nullable Slot slot) {
    return slot == null ? null : slot.change;
  }

  /** Keeps a committed state unless a newer version of the account is already kept. */
  void committed(AccountSnapshot after) {
    committed(null, after);
  }

  /**
   * Keeps a committed state in the slot {@link #slot} gave for its account (looked up again when
   * null). A slot forgotten meanwhile (see {@link #shrink}) takes the state to no effect: a lost
   * hint, which only costs the next call a read.
   */
  void committed(@Nullable Slot known, AccountSnapshot after) {
    AccountId id = after.account().id();
    Slot slot = known != null ? known : slots.get(id);
    if (slot == null) {
      slot = slots.computeIfAbsent(id, k -> new Slot());
      if (slots.size() > capacity) {
        shrink();
      }
    }
    long version = after.account().version();
    while (true) {
      AccountSnapshot previous = slot.change;
      if (previous != null && previous.account().version() > version) {
        // Another thread committed a later version first: keep that one (a lost race only costs a read).
        return;
      }
      if (CHANGE.compareAndSet(slot, previous, after)) {
        return;
      }
    }
  }

  /** Forgets the entry a call used, unless another thread already replaced it. */
  void drop(AccountId account, AccountSnapshot used) {
    Slot slot = slots.get(account);
    if (slot != null) {
      CHANGE.compareAndSet(slot, used, null);
    }
  }

  /** Forgets whatever is kept for the account (its last commit's outcome is unknown). */
  void drop(AccountId account) {
    Slot slot = slots.get(account);
    if (slot != null) {
      slot.change = null;
    }
  }

  /** Returns how many accounts have a slot, kept or emptied (for tests). */
  int size() {
    return slots.size();
  }

  private void shrink() {
    int target = capacity - capacity / 4;
    Iterator<AccountId> it = slots.keySet().iterator();
    while (slots.size() > target && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
