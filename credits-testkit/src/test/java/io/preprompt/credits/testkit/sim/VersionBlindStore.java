package io.preprompt.credits.testkit.sim;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A deliberately broken store: it applies whatever the change carries without checking
 * the expected version, so two changes computed from the same version both land and the later one
 * overwrites the earlier (a lost update). Everything else behaves; every call is atomic.
 */
final class VersionBlindStore implements CreditStore {
  private static final class Account {
    AccountRecord record;
    final Map<LotId, Lot> lots = new LinkedHashMap<>();
    final Map<HoldId, Hold> holds = new LinkedHashMap<>();
    final List<LedgerEntry> ledger = new ArrayList<>();
    final Map<IdempotencyKey, IdempotencyRecord> keys = new HashMap<>();

    Account(AccountRecord record) {
      this.record = record;
    }
  }

  private final Map<AccountId, Account> accounts = new HashMap<>();

  @Override
  public synchronized Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    Account a = accounts.get(account);
    if (a == null) {
      return Optional.empty();
    }
    List<Lot> live = a.lots.values().stream().filter(Lot::isLive).toList();
    List<Hold> selected = a.holds.values().stream()
        .filter(h -> holds.selects(h.id(), h.state() == HoldState.ACTIVE, h.deadline())).toList();
    Instant earliest = a.holds.values().stream().filter(h -> h.state() == HoldState.ACTIVE).map(Hold::deadline)
        .min(Comparator.naturalOrder()).orElse(null);
    return Optional.of(new AccountSnapshot(a.record, live, selected, earliest));
  }

  @Override
  public synchronized Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    Account a = accounts.get(account);
    return a == null ? Optional.empty() : Optional.ofNullable(a.keys.get(key));
  }

  @Override
  public synchronized Optional<Hold> findHold(AccountId account, HoldId hold) {
    Account a = accounts.get(account);
    return a == null ? Optional.empty() : Optional.ofNullable(a.holds.get(hold));
  }

  @Override
  public synchronized CommitOutcome commit(AccountChange change) {
    Account a = accounts.get(change.account().id());
    if (change.expectedVersion() == 0) {
      if (a != null) {
        return CommitOutcome.CONFLICT;
      }
      a = new Account(change.account());
      accounts.put(change.account().id(), a);
    }
    if (a == null) {
      return CommitOutcome.CONFLICT;
    }
    IdempotencyRecord record = change.idempotency();
    if (record != null && a.keys.containsKey(record.key())) {
      return CommitOutcome.CONFLICT;
    }
    // The bug: no comparison of change.expectedVersion() with a.record.version().
    a.record = change.account();
    for (Lot lot : change.newLots()) {
      a.lots.put(lot.id(), lot);
    }
    for (Lot lot : change.changedLots()) {
      a.lots.put(lot.id(), lot);
    }
    for (Hold h : change.newHolds()) {
      a.holds.put(h.id(), h);
    }
    for (Hold h : change.endedHolds()) {
      a.holds.put(h.id(), h);
    }
    a.ledger.addAll(change.entries());
    if (record != null) {
      a.keys.put(record.key(), record);
    }
    return CommitOutcome.COMMITTED;
  }

  @Override
  public synchronized List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    Account a = accounts.get(account);
    if (a == null) {
      return List.of();
    }
    List<LedgerEntry> out = new ArrayList<>();
    for (LedgerEntry e : a.ledger) {
      if (e.sequence() > query.afterSequence() && query.matchesTime(e.at()) && out.size() < query.limit()) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public synchronized List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    List<HoldRef> out = new ArrayList<>();
    for (Account a : accounts.values()) {
      for (Hold h : a.holds.values()) {
        if (h.state() == HoldState.ACTIVE && h.deadline().isBefore(now)) {
          out.add(new HoldRef(h.account(), h.id(), h.deadline()));
        }
      }
    }
    out.sort(Comparator.comparing(HoldRef::deadline));
    return out.subList(0, Math.min(limit, out.size()));
  }

  @Override
  public synchronized List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    Set<AccountId> out = new LinkedHashSet<>();
    for (Account a : accounts.values()) {
      for (Lot lot : a.lots.values()) {
        if (lot.remaining() > 0 && lot.expiresAt() != null && !lot.expiresAt().isAfter(now) && out.size() < limit) {
          out.add(a.record.id());
        }
      }
    }
    return new ArrayList<>(out);
  }

  @Override
  public synchronized List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    List<AccountId> out = new ArrayList<>();
    for (Account a : accounts.values()) {
      Instant due = a.record.planDueAt();
      if (due != null && !due.isAfter(now) && out.size() < limit) {
        out.add(a.record.id());
      }
    }
    return out;
  }
}
