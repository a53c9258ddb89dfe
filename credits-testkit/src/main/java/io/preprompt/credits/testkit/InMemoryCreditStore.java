package io.preprompt.credits.testkit;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference {@link CreditStore}: the simplest correct store, for host tests and as a model for
 * adapter authors. Each account is a handful of standard collections guarded by the account's own
 * lock; the queries across accounts look at each account in turn. It passes the whole contract
 * suite ({@link CreditStoreContract}) and the simulation. Nothing here is tuned for speed: the
 * library's speed work lives in the engine and the JDBC store.
 *
 * <p>A commit is all or nothing: every check runs before anything is written.
 */
public final class InMemoryCreditStore implements CreditStore {

  /** Active holds, soonest deadline first (then by id): overdue ones are a prefix. */
  private static final Comparator<Hold> BY_DEADLINE =
      Comparator.comparing(Hold::deadline).thenComparing(h -> h.id().value());

  /** One account: its row, its live lots, every hold it ever had, its ledger and its keys. */
  private static final class Account {
    AccountRecord record;
    final Map<LotId, Lot> lots = new LinkedHashMap<>();
    final Map<HoldId, Hold> holds = new HashMap<>();
    final NavigableSet<Hold> active = new TreeSet<>(BY_DEADLINE);
    final List<LedgerEntry> ledger = new ArrayList<>();
    final Map<IdempotencyKey, IdempotencyRecord> keys = new HashMap<>();

    Account(AccountRecord record) {
      this.record = record;
    }

    /** The row, the live lots, the holds the selection asks for and the earliest active deadline. */
    AccountSnapshot snapshot(HoldSelection selection) {
      List<Hold> selected = new ArrayList<>();
      for (HoldId id : selection.named()) {
        Hold h = holds.get(id);
        if (h != null) {
          selected.add(h);
        }
      }
      for (Hold h : active) {
        if (!h.deadline().isBefore(selection.overdueAt())) {
          break;
        }
        if (!selection.named().contains(h.id())) {
          selected.add(h);
        }
      }
      return new AccountSnapshot(record, List.copyOf(lots.values()), selected,
          active.isEmpty() ? null : active.first().deadline());
    }
  }

  private final ConcurrentHashMap<AccountId, Account> accounts = new ConcurrentHashMap<>();

  /** Creates an empty store. */
  public InMemoryCreditStore() {}

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    Account a = accounts.get(account);
    if (a == null) {
      return Optional.empty();
    }
    synchronized (a) {
      return Optional.of(a.snapshot(holds));
    }
  }

  /** Both reads under one lock, so the record and the account are seen at one moment. */
  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
    Account a = accounts.get(account);
    if (a == null) {
      return new KeyedRead(null, null);
    }
    synchronized (a) {
      IdempotencyRecord record = a.keys.get(key);
      return record != null ? new KeyedRead(record, null) : new KeyedRead(null, a.snapshot(holds));
    }
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    Account a = accounts.get(account);
    if (a == null) {
      return Optional.empty();
    }
    synchronized (a) {
      return Optional.ofNullable(a.keys.get(key));
    }
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    Account a = accounts.get(account);
    if (a == null) {
      return Optional.empty();
    }
    synchronized (a) {
      return Optional.ofNullable(a.holds.get(hold));
    }
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    AccountId id = change.account().id();
    if (change.expectedVersion() == 0) {
      Account fresh = new Account(change.account());
      synchronized (fresh) {
        if (!check(fresh, change, true)) {
          return CommitOutcome.CONFLICT;
        }
        if (accounts.putIfAbsent(id, fresh) != null) {
          return CommitOutcome.CONFLICT;
        }
        apply(fresh, change);
      }
      return CommitOutcome.COMMITTED;
    }
    Account a = accounts.get(id);
    if (a == null) {
      return CommitOutcome.CONFLICT;
    }
    synchronized (a) {
      if (a.record.version() != change.expectedVersion() || !check(a, change, false)) {
        return CommitOutcome.CONFLICT;
      }
      apply(a, change);
    }
    return CommitOutcome.COMMITTED;
  }

  /**
   * Checks everything that could refuse the change, before anything is written.
   *
   * @return false when it conflicts (a key taken, a hold no longer active)
   * @throws IllegalArgumentException when the change is malformed
   */
  private static boolean check(Account a, AccountChange change, boolean creating) {
    long sequence = creating ? 1 : a.record.lastSequence() + 1;
    for (LedgerEntry e : change.entries()) {
      if (e.sequence() != sequence++ || !e.account().equals(change.account().id())) {
        throw new IllegalArgumentException("ledger entries must continue the account's sequence; got " + e.sequence());
      }
    }
    for (Lot lot : change.newLots()) {
      if (!creating && (a.lots.containsKey(lot.id()) || lot.id().value() <= a.record.lastSequence())) {
        throw new IllegalArgumentException("lot " + lot.id() + " already exists");
      }
    }
    for (Lot lot : change.changedLots()) {
      if (!a.lots.containsKey(lot.id())) {
        throw new IllegalArgumentException("lot " + lot.id() + " is not a live lot of the account");
      }
    }
    for (Hold h : change.newHolds()) {
      if (a.holds.containsKey(h.id())) {
        throw new IllegalArgumentException("hold " + h.id() + " already exists");
      }
    }
    for (Hold h : change.endedHolds()) {
      Hold stored = a.holds.get(h.id());
      if (stored == null || stored.state() != HoldState.ACTIVE) {
        return false;
      }
    }
    for (Hold h : change.changedHolds()) {
      Hold stored = a.holds.get(h.id());
      if (stored == null || stored.state() != HoldState.ACTIVE) {
        return false;
      }
    }
    IdempotencyRecord record = change.idempotency();
    return record == null || !a.keys.containsKey(record.key());
  }

  private static void apply(Account a, AccountChange change) {
    a.record = change.account();
    for (Lot lot : change.newLots()) {
      a.lots.put(lot.id(), lot);
    }
    for (Lot lot : change.changedLots()) {
      a.lots.put(lot.id(), lot);
    }
    a.lots.values().removeIf(lot -> !lot.isLive());
    for (Hold h : change.newHolds()) {
      a.holds.put(h.id(), h);
      a.active.add(h);
    }
    for (Hold h : change.endedHolds()) {
      a.active.remove(a.holds.put(h.id(), h));
    }
    for (Hold h : change.changedHolds()) {
      a.active.remove(a.holds.put(h.id(), h));
      a.active.add(h);
    }
    a.ledger.addAll(change.entries());
    IdempotencyRecord record = change.idempotency();
    if (record != null) {
      a.keys.put(record.key(), record);
    }
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    Account a = accounts.get(account);
    if (a == null) {
      return List.of();
    }
    synchronized (a) {
      List<LedgerEntry> out = new ArrayList<>();
      for (int i = (int) Math.min(query.afterSequence(), a.ledger.size()); i < a.ledger.size(); i++) {
        LedgerEntry e = a.ledger.get(i);
        if (query.matchesTime(e.at())) {
          out.add(e);
          if (out.size() == query.limit()) {
            break;
          }
        }
      }
      return out;
    }
  }

  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    List<HoldRef> out = new ArrayList<>();
    for (Map.Entry<AccountId, Account> e : accounts.entrySet()) {
      synchronized (e.getValue()) {
        for (Hold h : e.getValue().active) {
          if (!h.deadline().isBefore(now)) {
            break;
          }
          out.add(new HoldRef(e.getKey(), h.id(), h.deadline()));
        }
      }
    }
    out.sort(Comparator.comparing(HoldRef::deadline).thenComparing(r -> r.account().value())
        .thenComparing(r -> r.hold().value()));
    return List.copyOf(out.subList(0, Math.min(Math.max(limit, 0), out.size())));
  }

  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    return earliestFirst(now, limit, a -> {
      Instant earliest = null;
      for (Lot lot : a.lots.values()) {
        if (lot.expiresAt() != null && lot.remaining() > 0 && (earliest == null || lot.expiresAt().isBefore(earliest))) {
          earliest = lot.expiresAt();
        }
      }
      return earliest;
    });
  }

  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    return earliestFirst(now, limit, a -> a.record.planDueAt());
  }

  /** The accounts whose time (when they have one) is at or before {@code now}, earliest first. */
  private List<AccountId> earliestFirst(Instant now, int limit,
      java.util.function.Function<Account, Instant> time) {
    List<Map.Entry<Instant, AccountId>> due = new ArrayList<>();
    for (Map.Entry<AccountId, Account> e : accounts.entrySet()) {
      Instant at;
      synchronized (e.getValue()) {
        at = time.apply(e.getValue());
      }
      if (at != null && !at.isAfter(now)) {
        due.add(Map.entry(at, e.getKey()));
      }
    }
    due.sort(Map.Entry.<Instant, AccountId>comparingByKey().thenComparing(e -> e.getValue().value()));
    List<AccountId> out = new ArrayList<>();
    for (int i = 0; i < due.size() && out.size() < limit; i++) {
      out.add(due.get(i).getValue());
    }
    return out;
  }

  /**
   * Returns every account id in the store, for test assertions.
   *
   * @return the ids
   */
  public Set<AccountId> accountIds() {
    return Set.copyOf(accounts.keySet());
  }

  /**
   * Returns a comparable copy of one account's stored state (row, live lots, all holds, ledger,
   * idempotency records), for "nothing changed" assertions.
   *
   * @param account the account
   * @return the state, or an empty map when the account does not exist
   */
  public Map<String, Object> dump(AccountId account) {
    Account a = accounts.get(account);
    if (a == null) {
      return Map.of();
    }
    synchronized (a) {
      return Map.of("record", a.record, "lots", Map.copyOf(a.lots), "holds", Map.copyOf(a.holds),
          "ledger", List.copyOf(a.ledger), "keys", Map.copyOf(a.keys));
    }
  }
}
