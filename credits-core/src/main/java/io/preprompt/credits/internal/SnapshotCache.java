package io.preprompt.credits.internal;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.spi.AccountChange;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The accounts as this process's own last commits left them, for stores that let core skip the read
 * before a keyed call ({@link io.preprompt.credits.spi.CreditStore#reusesCommittedSnapshots()}).
 * An entry is the last committed change itself, whose {@link AccountChange#account()},
 * {@link AccountChange#lots()} and {@link AccountChange#activeHolds()} are the account after it (no
 * snapshot object is made per commit). An entry is only ever a hint: a call run on it commits with its
 * version as the expected one, so a stale entry is refused by the store and dropped. Bounded: past
 * {@code capacity} accounts, an arbitrary quarter is forgotten.
 */
final class SnapshotCache {
  private final ConcurrentHashMap<AccountId, AccountChange> snapshots = new ConcurrentHashMap<>();
  private final int capacity;

  SnapshotCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Nullable AccountChange get(AccountId account) {
    return snapshots.get(account);
  }

  /** Keeps a committed state unless a newer version of the account is already kept. */
  void committed(AccountChange after) {
    AccountChange previous = snapshots.put(after.account().id(), after);
    if (previous != null && previous.account().version() > after.account().version()) {
      // Another thread committed a later version first: keep that one (a lost race only costs a read).
      snapshots.replace(after.account().id(), after, previous);
    } else if (previous == null && snapshots.size() > capacity) {
      shrink();
    }
  }

  /** Forgets the entry a call used, unless another thread already replaced it. */
  void drop(AccountId account, AccountChange used) {
    snapshots.remove(account, used);
  }

  /** Forgets whatever is kept for the account (its last commit's outcome is unknown). */
  void drop(AccountId account) {
    snapshots.remove(account);
  }

  /** Returns how many accounts are kept (for tests). */
  int size() {
    return snapshots.size();
  }

  private void shrink() {
    int target = capacity - capacity / 4;
    Iterator<AccountId> it = snapshots.keySet().iterator();
    while (snapshots.size() > target && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
