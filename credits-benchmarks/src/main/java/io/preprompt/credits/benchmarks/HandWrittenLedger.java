package io.preprompt.credits.benchmarks;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory baseline: the simplest ledger a developer would write instead of the library — a
 * synchronized map of balances, a map of open holds and a list of entries, one lock for all of it.
 * No lots, expiry, idempotency or drawdown order; holds are numbered, not unguessable.
 */
final class HandWrittenLedger {
  /** One line of the baseline's ledger. */
  record Entry(String account, String type, long amount, long hold, Instant at) {}

  /** One account's numbers. */
  private static final class Balance {
    long available;
    long held;
  }

  /** An open hold. */
  private record OpenHold(String account, long amount) {}

  private final InstantSource clock;
  private final Map<String, Balance> balances = new HashMap<>();
  private final Map<Long, OpenHold> holds = new HashMap<>();
  private final List<Entry> entries = new ArrayList<>();
  private long nextHold;

  HandWrittenLedger(InstantSource clock) {
    this.clock = clock;
  }

  synchronized void grant(String account, long amount) {
    Balance b = balances.computeIfAbsent(account, a -> new Balance());
    b.available = Math.addExact(b.available, amount);
    entries.add(new Entry(account, "GRANT", amount, 0, clock.instant()));
  }

  /** Holds credits; returns the hold's number, or -1 when the balance does not cover it. */
  synchronized long hold(String account, long amount) {
    Balance b = balances.get(account);
    if (b == null) {
      throw new IllegalArgumentException("no account " + account);
    }
    if (b.available < amount) {
      return -1;
    }
    b.available -= amount;
    b.held += amount;
    long id = ++nextHold;
    holds.put(id, new OpenHold(account, amount));
    entries.add(new Entry(account, "HOLD", amount, id, clock.instant()));
    return id;
  }

  /** Settles a hold in full; returns the credits spent. */
  synchronized long settle(long hold) {
    OpenHold h = holds.remove(hold);
    if (h == null) {
      throw new IllegalStateException("hold " + hold + " is not open");
    }
    balances.get(h.account()).held -= h.amount();
    entries.add(new Entry(h.account(), "SETTLE", h.amount(), hold, clock.instant()));
    return h.amount();
  }

  /** Returns {available, held}. */
  synchronized long[] balance(String account) {
    Balance b = balances.get(account);
    if (b == null) {
      throw new IllegalArgumentException("no account " + account);
    }
    return new long[] {b.available, b.held};
  }

  synchronized int entryCount() {
    return entries.size();
  }
}
