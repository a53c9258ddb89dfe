package io.preprompt.credits.testkit;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.PlanRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds {@link AccountChange}s by hand, for tests that drive a
 * {@link io.preprompt.credits.spi.CreditStore} directly (the storage contract suite, an adapter's own
 * failure tests). It keeps the bookkeeping core would keep: ledger sequences continue the stored
 * one, a granted lot's id is the sequence of its grant entry, holds move credits between a lot's
 * {@code remaining} and {@code reserved}, and the account's counters follow. It checks nothing
 * else: a test that wants a malformed or stale change can build one.
 *
 * <p>Not thread-safe; one builder makes one change.
 */
public final class AccountChangeBuilder {
  private final AccountId account;
  private final Instant createdAt;
  private long expectedVersion;
  private long lastSequence;
  private long granted;
  private long settled;
  private long expired;
  private long debited;
  private long activeHoldCount;
  private long debt;
  private @Nullable OveragePolicy overage;
  private @Nullable PlanRecord plan;
  /** The account row loaded ({@code null} for a new account). */
  private @Nullable AccountRecord stored;
  private @Nullable Instant planDueAt;
  private Instant at;
  private final Map<LotId, Lot> lots = new LinkedHashMap<>();
  private final Set<LotId> newLotIds = new LinkedHashSet<>();
  private final Set<LotId> changedLotIds = new LinkedHashSet<>();
  private final Map<HoldId, Hold> activeHolds = new LinkedHashMap<>();
  private final List<Hold> newHolds = new ArrayList<>();
  private final List<Hold> endedHolds = new ArrayList<>();
  private final Map<HoldId, Hold> changedHolds = new LinkedHashMap<>();
  private final List<LedgerEntry> entries = new ArrayList<>();
  private @Nullable IdempotencyRecord idempotency;

  private AccountChangeBuilder(AccountId account, Instant createdAt, Instant at) {
    this.account = Objects.requireNonNull(account, "account");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.at = Objects.requireNonNull(at, "at");
  }

  /**
   * Starts the change that creates an account (expected version 0, no lots, no entries).
   *
   * @param account the new account
   * @param createdAt when it is opened; also the time of the change's entries until {@link #at} moves it
   * @return the builder
   */
  public static AccountChangeBuilder create(AccountId account, Instant createdAt) {
    return new AccountChangeBuilder(account, createdAt, createdAt);
  }

  /**
   * Starts a change to a stored account, from what {@code load} returned.
   *
   * @param snapshot the loaded account
   * @param at the time of the change's entries and of holds placed or ended
   * @return the builder, expecting the snapshot's version
   */
  public static AccountChangeBuilder update(AccountSnapshot snapshot, Instant at) {
    AccountRecord a = snapshot.account();
    AccountChangeBuilder b = new AccountChangeBuilder(a.id(), a.createdAt(), at);
    b.expectedVersion = a.version();
    b.lastSequence = a.lastSequence();
    b.granted = a.granted();
    b.settled = a.settled();
    b.expired = a.expired();
    b.debited = a.debited();
    b.activeHoldCount = a.activeHolds();
    b.debt = a.debt();
    b.overage = a.overage();
    b.plan = a.plan();
    b.stored = a;
    b.planDueAt = a.planDueAt();
    for (Lot lot : snapshot.lots()) {
      b.lots.put(lot.id(), lot);
    }
    for (Hold hold : snapshot.holds()) {
      if (hold.state() == HoldState.ACTIVE) {
        b.activeHolds.put(hold.id(), hold);
      }
    }
    return b;
  }

  /**
   * Overrides the expected version (the new row's version follows it), to build a stale change.
   *
   * @param version the version the change claims to be based on
   * @return this builder
   */
  public AccountChangeBuilder expectedVersion(long version) {
    this.expectedVersion = version;
    return this;
  }

  /**
   * Sets the time of the entries, holds and hold ends added from now on.
   *
   * @param time the time
   * @return this builder
   */
  public AccountChangeBuilder at(Instant time) {
    this.at = Objects.requireNonNull(time, "time");
    return this;
  }

  /**
   * Replaces the plan.
   *
   * @param newPlan the new plan, or {@code null} for none
   * @return this builder
   */
  public AccountChangeBuilder plan(@Nullable PlanRecord newPlan) {
    this.plan = newPlan;
    return this;
  }

  /**
   * Replaces when the plan next needs attention.
   *
   * @param dueAt the new due time, or {@code null} for none
   * @return this builder
   */
  public AccountChangeBuilder planDueAt(@Nullable Instant dueAt) {
    this.planDueAt = dueAt;
    return this;
  }

  /**
   * Replaces the debt the row carries (no entry is added: for changes built from raw entries).
   *
   * @param owed the new debt, {@code >= 0}
   * @return this builder
   */
  public AccountChangeBuilder debt(long owed) {
    this.debt = owed;
    return this;
  }

  /**
   * Replaces the account's own overage policy.
   *
   * @param policy the policy, or {@code null} for none
   * @return this builder
   */
  public AccountChangeBuilder overage(@Nullable OveragePolicy policy) {
    this.overage = policy;
    return this;
  }

  /**
   * Sets the account's total granted credits, for changes built from raw entries.
   *
   * @param total the new total
   * @return this builder
   */
  public AccountChangeBuilder granted(long total) {
    this.granted = total;
    return this;
  }

  /**
   * Records the call, so the change stores an idempotency record.
   *
   * @param record the record
   * @return this builder
   */
  public AccountChangeBuilder idempotency(IdempotencyRecord record) {
    this.idempotency = Objects.requireNonNull(record, "record");
    return this;
  }

  /**
   * Records the call with a key, operation, fingerprint and result, at the builder's time.
   *
   * @param key the key
   * @param operation the operation name
   * @param fingerprint the encoded parameters
   * @param result the encoded result
   * @return this builder
   */
  public AccountChangeBuilder idempotency(IdempotencyKey key, String operation, String fingerprint, String result) {
    return idempotency(new IdempotencyRecord(key, operation, fingerprint, result, at));
  }

  /**
   * Grants a new lot: inserts it and appends its {@code GRANT} entry, whose sequence is the lot's id.
   *
   * @param source the lot's source
   * @param amount credits, positive
   * @param expiresAt the lot's expiry, or {@code null} for never
   * @param metadata the entry's description
   * @param key the call's key for the entry, or {@code null}
   * @return the lot as inserted
   */
  public Lot grant(LotSource source, long amount, @Nullable Instant expiresAt, Map<String, String> metadata,
      @Nullable IdempotencyKey key) {
    Lot lot = new Lot(new LotId(lastSequence + 1), source, amount, amount, 0, at, expiresAt);
    newLot(lot);
    granted = Math.addExact(granted, amount);
    entry(EntryType.GRANT, amount, lot.id(), source, null, key, metadata);
    return lot;
  }

  /**
   * Grants a new lot without description or key.
   *
   * @param source the lot's source
   * @param amount credits, positive
   * @param expiresAt the lot's expiry, or {@code null} for never
   * @return the lot as inserted
   */
  public Lot grant(LotSource source, long amount, @Nullable Instant expiresAt) {
    return grant(source, amount, expiresAt, Map.of(), null);
  }

  /**
   * Places an active hold, reserving credits from the builder's lots in ascending lot id order
   * (not core's drawdown order, which a store never sees), with one {@code HOLD} entry per lot.
   *
   * @param id the hold id
   * @param amount credits, positive, at most what the lots have remaining
   * @param deadline the hold's deadline
   * @param metadata the hold's and its entries' description
   * @param key the call's key for the entries, or {@code null}
   * @return the hold as inserted
   * @throws IllegalStateException when the lots do not have enough remaining
   */
  public Hold hold(HoldId id, long amount, Instant deadline, Map<String, String> metadata, @Nullable IdempotencyKey key) {
    List<Allocation> allocations = new ArrayList<>();
    long left = amount;
    List<LotId> ids = new ArrayList<>(lots.keySet());
    ids.sort(null);
    for (LotId lotId : ids) {
      Lot lot = lots.get(lotId);
      long take = Math.min(left, lot.remaining());
      if (take > 0) {
        putLot(new Lot(lot.id(), lot.source(), lot.granted(), lot.remaining() - take, lot.reserved() + take,
            lot.grantedAt(), lot.expiresAt()));
        allocations.add(new Allocation(lot.id(), take));
        entry(EntryType.HOLD, take, lot.id(), lot.source(), id, key, metadata);
        left -= take;
      }
    }
    if (left > 0) {
      throw new IllegalStateException("lots lack " + left + " credits for hold " + id);
    }
    Hold hold = new Hold(id, account, amount, HoldState.ACTIVE, at, deadline, 0, null, metadata, allocations);
    activeHolds.put(id, hold);
    newHolds.add(hold);
    activeHoldCount++;
    return hold;
  }

  /**
   * Grows an active hold of the loaded account, reserving {@code more} credits from the builder's
   * lots in ascending lot id order with one {@code HOLD} entry per lot, and moves its deadline: the
   * change carries it in {@link AccountChange#changedHolds()}.
   *
   * @param id the hold, active in the snapshot the builder started from
   * @param more credits to add, positive, at most what the lots have remaining
   * @param deadline the hold's new deadline
   * @param key the call's key for the entries, or {@code null}
   * @return the grown hold as the change stores it
   * @throws IllegalStateException when the hold is not active in the snapshot, or the lots lack credits
   */
  public Hold extend(HoldId id, long more, Instant deadline, @Nullable IdempotencyKey key) {
    Hold hold = activeHolds.get(id);
    if (hold == null) {
      throw new IllegalStateException("hold " + id + " is not active here");
    }
    Map<LotId, Long> allocated = new LinkedHashMap<>();
    for (Allocation a : hold.allocations()) {
      allocated.put(a.lot(), a.amount());
    }
    long left = more;
    List<LotId> ids = new ArrayList<>(lots.keySet());
    ids.sort(null);
    for (LotId lotId : ids) {
      Lot lot = lots.get(lotId);
      long take = Math.min(left, lot.remaining());
      if (take > 0) {
        putLot(new Lot(lot.id(), lot.source(), lot.granted(), lot.remaining() - take, lot.reserved() + take,
            lot.grantedAt(), lot.expiresAt()));
        allocated.merge(lot.id(), take, Long::sum);
        entry(EntryType.HOLD, take, lot.id(), lot.source(), id, key, hold.metadata());
        left -= take;
      }
    }
    if (left > 0) {
      throw new IllegalStateException("lots lack " + left + " credits to extend hold " + id);
    }
    List<Allocation> allocations = new ArrayList<>();
    allocated.forEach((lot, amount) -> allocations.add(new Allocation(lot, amount)));
    Hold grown = new Hold(id, account, Math.addExact(hold.amount(), more), HoldState.ACTIVE, hold.createdAt(),
        deadline, 0, null, hold.metadata(), allocations);
    activeHolds.put(id, grown);
    changedHolds.put(id, grown);
    return grown;
  }

  /**
   * Adds a grown active hold as given, without touching lots or entries (for guard tests).
   *
   * @param hold the hold in its new, still active state
   * @return this builder
   */
  public AccountChangeBuilder changedHold(Hold hold) {
    activeHolds.put(hold.id(), hold);
    changedHolds.put(hold.id(), hold);
    return this;
  }

  /**
   * Places an active hold without description or key.
   *
   * @param id the hold id
   * @param amount credits, positive
   * @param deadline the hold's deadline
   * @return the hold as inserted
   */
  public Hold hold(HoldId id, long amount, Instant deadline) {
    return hold(id, amount, deadline, Map.of(), null);
  }

  /**
   * Ends an active hold of the loaded account: settles {@code settle} credits in allocation order
   * and returns the rest to the lots, with {@code SETTLE} and {@code RELEASE} (or {@code HOLD_EXPIRED})
   * entries.
   *
   * @param id the hold, active in the snapshot the builder started from
   * @param state the terminal state
   * @param settle credits to settle, 0 unless settling
   * @param key the call's key for the entries, or {@code null}
   * @return the ended hold as the change stores it
   * @throws IllegalStateException when the hold is not active in the snapshot
   */
  public Hold end(HoldId id, HoldState state, long settle, @Nullable IdempotencyKey key) {
    Hold hold = activeHolds.remove(id);
    changedHolds.remove(id);
    if (hold == null || !state.isTerminal()) {
      throw new IllegalStateException("hold " + id + " is not active here, or " + state + " is not terminal");
    }
    EntryType returnType = state == HoldState.EXPIRED ? EntryType.HOLD_EXPIRED : EntryType.RELEASE;
    long toSettle = settle;
    for (Allocation a : hold.allocations()) {
      Lot lot = Objects.requireNonNull(lots.get(a.lot()), "lot " + a.lot() + " not loaded");
      long s = Math.min(toSettle, a.amount());
      long r = a.amount() - s;
      toSettle -= s;
      putLot(new Lot(lot.id(), lot.source(), lot.granted(), lot.remaining() + r, lot.reserved() - a.amount(),
          lot.grantedAt(), lot.expiresAt()));
      if (s > 0) {
        settled = Math.addExact(settled, s);
        entry(EntryType.SETTLE, s, lot.id(), lot.source(), id, key, Map.of());
      }
      if (r > 0) {
        entry(returnType, r, lot.id(), lot.source(), id, key, Map.of());
      }
    }
    Hold ended = new Hold(id, account, hold.amount(), state, hold.createdAt(), hold.deadline(), settle, at,
        hold.metadata(), hold.allocations());
    endedHolds.add(ended);
    activeHoldCount--;
    return ended;
  }

  /**
   * Expires what remains of a lot, with a {@code LOT_EXPIRED} entry.
   *
   * @param id the lot, known to the builder and with credits remaining
   * @return the lot as the change stores it
   */
  public Lot expireLot(LotId id) {
    Lot lot = Objects.requireNonNull(lots.get(id), "lot " + id + " not loaded");
    long amount = lot.remaining();
    Lot after = new Lot(lot.id(), lot.source(), lot.granted(), 0, lot.reserved(), lot.grantedAt(), lot.expiresAt());
    putLot(after);
    expired = Math.addExact(expired, amount);
    entry(EntryType.LOT_EXPIRED, amount, lot.id(), lot.source(), null, null, Map.of());
    return after;
  }

  /**
   * Inserts a lot as given.
   *
   * @param lot the lot
   * @return this builder
   */
  public AccountChangeBuilder newLot(Lot lot) {
    lots.put(lot.id(), lot);
    newLotIds.add(lot.id());
    return this;
  }

  /**
   * Updates a stored lot as given.
   *
   * @param lot the lot's new state
   * @return this builder
   */
  public AccountChangeBuilder changedLot(Lot lot) {
    putLot(lot);
    return this;
  }

  /**
   * Adds an ended hold as given, without touching lots or entries (for guard tests).
   *
   * @param hold the hold in its terminal state
   * @return this builder
   */
  public AccountChangeBuilder endedHold(Hold hold) {
    activeHolds.remove(hold.id());
    endedHolds.add(hold);
    activeHoldCount--;
    return this;
  }

  /**
   * Appends a ledger entry at the builder's time, with the next sequence.
   *
   * @param type what happened
   * @param amount credits, positive
   * @param lot the lot
   * @param source the lot's source
   * @param hold the hold involved, or {@code null}
   * @param key the call's key, or {@code null}
   * @param metadata the description
   * @return the entry
   */
  public LedgerEntry entry(EntryType type, long amount, LotId lot, LotSource source, @Nullable HoldId hold,
      @Nullable IdempotencyKey key, Map<String, String> metadata) {
    LedgerEntry e = new LedgerEntry(account, ++lastSequence, type, amount, lot, source, hold, key, at, metadata);
    entries.add(e);
    return e;
  }

  private void putLot(Lot lot) {
    lots.put(lot.id(), lot);
    if (!newLotIds.contains(lot.id())) {
      changedLotIds.add(lot.id());
    }
  }

  /**
   * Returns the lots as they stand after the change, live or not.
   *
   * @return the loaded, changed and new lots
   */
  public List<Lot> lots() {
    return List.copyOf(lots.values());
  }

  /**
   * Returns the live lots after the change: what {@code load} must return once it commits.
   *
   * @return lots with credits remaining or reserved
   */
  public List<Lot> liveLots() {
    return lots.values().stream().filter(Lot::isLive).toList();
  }

  /**
   * Returns the active holds the builder knows of after the change: those of the snapshot it
   * started from and those it placed, less those it ended.
   *
   * @return the active holds
   */
  public List<Hold> activeHolds() {
    return List.copyOf(activeHolds.values());
  }

  /**
   * Builds the change. It says the plan changed ({@link AccountChange#planChanged()}) unless it
   * starts from a stored account and carries the plan loaded with it, as core's changes do.
   *
   * @return the change
   */
  public AccountChange build() {
    List<Lot> inserted = new ArrayList<>();
    List<Lot> updated = new ArrayList<>();
    for (Lot lot : lots.values()) {
      if (newLotIds.contains(lot.id())) {
        inserted.add(lot);
      } else if (changedLotIds.contains(lot.id())) {
        updated.add(lot);
      }
    }
    AccountRecord row = new AccountRecord(account, expectedVersion + 1, lastSequence, granted, settled, expired,
        debited, Math.max(activeHoldCount, 0), createdAt, plan, planDueAt, debt, overage);
    return new AccountChange(expectedVersion, row, inserted, updated, newHolds, endedHolds,
        List.copyOf(changedHolds.values()), entries, idempotency,
        AccountChange.planChanged(expectedVersion == 0 ? null : stored, plan));
  }
}
