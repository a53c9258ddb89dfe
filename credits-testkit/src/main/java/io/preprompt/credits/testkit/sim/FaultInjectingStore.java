package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CreditStore} decorator that injects one armed fault into the calls of the current thread.
 *
 * <p>A caller {@linkplain #arm arms} a {@link FaultKind} before an operation and {@linkplain #disarm
 * disarms} it after; the fault fires at the first call it applies to: a commit for
 * {@link FaultKind#FAIL_BEFORE_COMMIT}, {@link FaultKind#FAIL_AFTER_COMMIT} and
 * {@link FaultKind#SLOW_COMMIT}, a load for {@link FaultKind#STALE_READ} (only when an older snapshot
 * of the account was seen before, else it does not fire). A commit that conflicts leaves a failure
 * armed, so it fires on the retry. Calls of other threads, and calls while nothing is armed, pass
 * straight through. Thread-safe; counts what it injected.
 */
public final class FaultInjectingStore extends ForwardingCreditStore {
  private static final int REMEMBERED_SNAPSHOTS = 4;

  private static final class Armed {
    @Nullable FaultKind kind;
    @Nullable FaultKind fired;
  }

  private final Duration slowCommit;
  private final ThreadLocal<Armed> armed = ThreadLocal.withInitial(Armed::new);
  private final Map<FaultKind, AtomicLong> injected = new EnumMap<>(FaultKind.class);
  private final ConcurrentHashMap<AccountId, Deque<AccountSnapshot>> seen = new ConcurrentHashMap<>();

  /**
   * Wraps a store.
   *
   * @param delegate the store under test
   * @param slowCommit how long a slow commit is delayed
   */
  public FaultInjectingStore(CreditStore delegate, Duration slowCommit) {
    super(delegate);
    this.slowCommit = Objects.requireNonNull(slowCommit, "slowCommit");
    for (FaultKind kind : FaultKind.values()) {
      injected.put(kind, new AtomicLong());
    }
  }

  /**
   * Arms a fault for the current thread's next applicable call, replacing one still armed.
   *
   * @param kind the fault
   */
  public void arm(FaultKind kind) {
    Armed a = armed.get();
    a.kind = Objects.requireNonNull(kind, "kind");
    a.fired = null;
  }

  /**
   * Disarms the current thread and tells what fired since it was armed.
   *
   * @return the fault that fired, or {@code null} when none did
   */
  public @Nullable FaultKind disarm() {
    Armed a = armed.get();
    FaultKind fired = a.fired;
    a.kind = null;
    a.fired = null;
    return fired;
  }

  /**
   * Returns how many faults of each kind fired so far.
   *
   * @return counts by kind, every kind present
   */
  public Map<FaultKind, Long> injected() {
    Map<FaultKind, Long> out = new EnumMap<>(FaultKind.class);
    injected.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private void fire(Armed a, FaultKind kind) {
    a.kind = null;
    a.fired = kind;
    injected.get(kind).incrementAndGet();
  }

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    Armed a = armed.get();
    Optional<AccountSnapshot> fresh = delegate().load(account, holds);
    if (fresh.isEmpty()) {
      return fresh;
    }
    Deque<AccountSnapshot> history = seen.computeIfAbsent(account, k -> new ArrayDeque<>());
    AccountSnapshot stale = null;
    synchronized (history) {
      if (a.kind == FaultKind.STALE_READ) {
        for (AccountSnapshot old : history) {
          if (old.account().version() < fresh.get().account().version()) {
            stale = old;
            break;
          }
        }
      }
      AccountSnapshot last = history.peekLast();
      if (last == null || last.account().version() != fresh.get().account().version()) {
        history.addLast(fresh.get());
        if (history.size() > REMEMBERED_SNAPSHOTS) {
          history.removeFirst();
        }
      }
    }
    if (stale != null) {
      fire(a, FaultKind.STALE_READ);
      return Optional.of(stale);
    }
    return fresh;
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    Armed a = armed.get();
    FaultKind kind = a.kind;
    if (kind == FaultKind.FAIL_BEFORE_COMMIT) {
      fire(a, kind);
      throw new StoreException("injected fault: commit of " + change.account().id() + " failed before reaching the store",
          null, StoreException.Outcome.NOT_APPLIED, null);
    }
    if (kind == FaultKind.SLOW_COMMIT) {
      fire(a, kind);
      LockSupport.parkNanos(slowCommit.toNanos());
    }
    CommitOutcome outcome = delegate().commit(change);
    if (kind == FaultKind.FAIL_AFTER_COMMIT && outcome == CommitOutcome.COMMITTED) {
      fire(a, kind);
      throw new StoreException("injected fault: commit of " + change.account().id() + " was written but its result was lost",
          null, StoreException.Outcome.UNKNOWN, null);
    }
    return outcome;
  }
}
