package io.preprompt.credits.internal;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.SettleExceedsHeldException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.PlanRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A working copy of one account during one operation. Every balance rule is applied here: the
 * drawdown order, the hold state machine, lazy expiry of holds and lots. Nothing is written until
 * {@link #toChange} hands the result to the store; an exception thrown by any method leaves the
 * stored account untouched because the copy is simply dropped.
 */
final class AccountTx {

  /**
   * The drawdown order: soonest expiry first (never-expiring last); among equal expiry, by
   * {@link LotSource#drawdownRank()} (free, then allowance, then packs); then oldest first; then
   * lowest lot id.
   */
  public static final Comparator<MutableLot> DRAWDOWN_ORDER = (a, b) -> {
    int c = compareExpiry(a.expiresAt, b.expiresAt);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.source().drawdownRank(), b.source().drawdownRank());
    if (c != 0) {
      return c;
    }
    c = a.base.grantedAt().compareTo(b.base.grantedAt());
    return c != 0 ? c : Long.compare(a.id().value(), b.id().value());
  };

  private static int compareExpiry(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b == null ? 0 : 1;
    }
    return b == null ? -1 : a.compareTo(b);
  }

  /**
   * A lot being changed: what can change, over the stored lot it started from (which supplies the
   * id, source, amount granted and grant time, so they are not copied for every operation).
   */
  public static final class MutableLot {
    final Lot base;
    long remaining;
    long reserved;
    @Nullable Instant expiresAt;
    final boolean isNew;
    /** The state {@link #toChange} hands the store, set there. */
    @Nullable Lot committed;
    boolean changed;

    MutableLot(Lot lot) {
      this(lot, false);
    }

    MutableLot(Lot base, boolean isNew) {
      this.base = base;
      this.remaining = base.remaining();
      this.reserved = base.reserved();
      this.expiresAt = base.expiresAt();
      this.isNew = isNew;
    }

    /**
     * Returns the lot's id.
     *
     * @return the id
     */
    public LotId id() {
      return base.id();
    }

    /**
     * Returns the credits reserved by active holds.
     *
     * @return reserved credits
     */
    public long reserved() {
      return reserved;
    }

    /**
     * Returns the lot's source.
     *
     * @return the source
     */
    public LotSource source() {
      return base.source();
    }

    /**
     * Returns the credits still available in the lot.
     *
     * @return remaining credits
     */
    public long remaining() {
      return remaining;
    }

    /**
     * Returns the lot's expiry.
     *
     * @return the expiry or null
     */
    public @Nullable Instant expiresAt() {
      return expiresAt;
    }

    boolean expiredAt(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Tells whether the lot's credits count at {@code now}: a grant with a later start does not yet. */
    boolean startedAt(Instant now) {
      return !base.grantedAt().isAfter(now);
    }

    Lot toLot() {
      if (!changed) {
        // Unchanged: the stored (or just granted) lot itself, not a copy.
        return base;
      }
      return new Lot(base.id(), base.source(), base.granted(), remaining, reserved, base.grantedAt(), expiresAt);
    }

  }

  private final AccountId account;
  private final Instant now;
  /** The stored row this copy started from (its version and creation time), null for a new account. */
  private final @Nullable AccountRecord base;
  private long lastSequence;
  private long granted;
  private long settled;
  private long expired;
  private long debited;
  /** Credits owed; while positive, no started lot has credits remaining (they paid it). */
  private long debt;
  private @Nullable OveragePolicy overage;
  private @Nullable PlanRecord plan;
  private @Nullable Instant planDueAt;
  // Accounts have a handful of lots and few active holds: arrays searched in place cost less than
  // maps built for every operation. Active holds stay the snapshot's list until one is placed or ended.
  // One lot (the usual case once small lots are spent) lives in lot0 without an array.
  private @Nullable MutableLot lot0;
  private MutableLot @Nullable [] lots;
  private int lotCount;
  /**
   * The holds the read brought (the call's own and the overdue ones, in any state), then those this
   * copy placed; an ended one is replaced by its ended state. Other active holds are not loaded: the
   * row counts them, and the lots' reserved credits sum them.
   */
  private List<Hold> holds;
  private boolean holdsCopied;
  private long activeHoldCount;
  /** No active hold has a deadline before this (exact when read, a lower bound after an end); null when none is active. */
  private @Nullable Instant earliestHoldDeadline;
  // These lists start as List.of(), stay List.of(x) with one element (what most operations make)
  // and become ArrayLists from the second: see added().
  private List<Hold> newHolds = List.of();
  private List<Hold> endedHolds = List.of();
  private List<Hold> changedHolds = List.of();
  private List<LedgerEntry> entries = List.of();
  private int holdsExpired;
  private int lotsExpired;
  private boolean planChanged;

  /**
   * Starts a working copy of a stored account.
   *
   * @param snapshot the stored account, with the holds the call needs (its own and the overdue ones)
   * @param now the operation's time
   */
  public AccountTx(AccountSnapshot snapshot, Instant now) {
    AccountRecord a = snapshot.account();
    List<Lot> stored = snapshot.lots();
    this.account = a.id();
    this.now = now;
    this.base = a;
    this.lastSequence = a.lastSequence();
    this.granted = a.granted();
    this.settled = a.settled();
    this.expired = a.expired();
    this.debited = a.debited();
    this.debt = a.debt();
    this.overage = a.overage();
    this.plan = a.plan();
    this.planDueAt = a.planDueAt();
    if (stored.size() == 1) {
      this.lot0 = new MutableLot(stored.get(0));
    } else if (!stored.isEmpty()) {
      MutableLot[] all = new MutableLot[stored.size() + 1];
      for (int i = 0; i < stored.size(); i++) {
        all[i] = new MutableLot(stored.get(i));
      }
      this.lots = all;
    }
    this.lotCount = stored.size();
    this.holds = snapshot.holds();
    this.activeHoldCount = a.activeHolds();
    this.earliestHoldDeadline = snapshot.earliestHoldDeadline();
  }

  /**
   * Starts a working copy of a new, empty account.
   *
   * @param account the account
   * @param now the operation's time
   */
  public AccountTx(AccountId account, Instant now) {
    this.account = account;
    this.now = now;
    this.base = null;
    this.holds = List.of();
    this.planChanged = true;
  }

  /**
   * Returns the account.
   *
   * @return the account id
   */
  public AccountId account() {
    return account;
  }

  /**
   * Returns the sequence number of the newest ledger entry, including entries made in this copy.
   *
   * @return the last sequence
   */
  public long lastSequence() {
    return lastSequence;
  }

  /**
   * Returns the operation's time.
   *
   * @return now
   */
  public Instant now() {
    return now;
  }

  /**
   * Returns the plan.
   *
   * @return the plan or null
   */
  public @Nullable PlanRecord plan() {
    return plan;
  }

  /**
   * Replaces the plan.
   *
   * @param newPlan the new plan
   * @param dueAt when the plan next needs attention, or null
   */
  public void setPlan(@Nullable PlanRecord newPlan, @Nullable Instant dueAt) {
    this.plan = newPlan;
    this.planDueAt = dueAt;
    this.planChanged = true;
  }

  /**
   * Marks the copy as changed so that it is committed (with its idempotency record) even without
   * ledger entries, e.g. for an order that only records its key.
   */
  public void markChanged() {
    this.planChanged = true;
  }

  /**
   * Expires a lot now: its remaining credits expire and its expiry is set to now, so credits a live
   * hold later returns to it expire too. Reserved credits stay settleable.
   *
   * @param lot the lot
   * @param keep credits to leave available (a rollover), at most the lot's remaining
   * @param key the call's key
   * @param metadata description for the ledger
   * @return credits expired
   */
  public long expireLot(MutableLot lot, long keep, @Nullable IdempotencyKey key, Map<String, String> metadata) {
    long amount = lot.remaining - Math.min(keep, lot.remaining);
    if (keep == 0) {
      lot.expiresAt = now;
    }
    lot.changed = true;
    if (amount > 0) {
      lot.remaining -= amount;
      expired = CreditAmount.addExact(expired, amount);
      append(EntryType.LOT_EXPIRED, amount, lot, null, key, metadata);
    }
    return amount;
  }

  /**
   * Returns the holds this copy expired.
   *
   * @return count
   */
  public int holdsExpired() {
    return holdsExpired;
  }

  /**
   * Returns the lots whose remaining credits this copy expired.
   *
   * @return count
   */
  public int lotsExpired() {
    return lotsExpired;
  }

  /**
   * Tells whether anything changed.
   *
   * @return true when there is something to commit
   */
  public boolean hasChanges() {
    return !entries.isEmpty() || !newHolds.isEmpty() || !endedHolds.isEmpty() || !changedHolds.isEmpty()
        || planChanged;
  }

  /**
   * Returns the ledger entries made so far.
   *
   * @return the entries
   */
  public List<LedgerEntry> entries() {
    return entries;
  }

  /** Applies lazy expiry: overdue holds return their credits, then expired lots lose what remains. */
  public void applyDueExpiry() {
    if (earliestHoldDeadline != null && now.isAfter(earliestHoldDeadline)) {
      List<Hold> overdue = null;
      for (int i = 0; i < holds.size(); i++) {
        Hold h = holds.get(i);
        if (h.state() == HoldState.ACTIVE && now.isAfter(h.deadline())) {
          if (overdue == null) {
            overdue = new ArrayList<>();
          }
          overdue.add(h);
        }
      }
      if (overdue != null) {
        overdue.sort(Comparator.comparing(Hold::deadline));
        for (Hold h : overdue) {
          endHold(h, HoldState.EXPIRED, 0, null, Map.of());
          holdsExpired++;
        }
      }
    }
    for (int i = 0; i < lotCount; i++) {
      MutableLot lot = lotAt(i);
      if (lot.remaining > 0 && lot.expiredAt(now)) {
        long amount = lot.remaining;
        lot.remaining = 0;
        lot.changed = true;
        expired = CreditAmount.addExact(expired, amount);
        append(EntryType.LOT_EXPIRED, amount, lot, null, null, Map.of());
        lotsExpired++;
      }
    }
    // A lot whose start has come pays what the account owes before anything else can draw on it.
    repayDebt(null);
  }

  /**
   * Returns the credits available now.
   *
   * @return the sum of remaining credits over live lots that have started, less the debt (negative
   *     while the account owes more than it has)
   */
  public long available() {
    return spendable() - debt;
  }

  /** The sum of remaining credits over live lots that have started. */
  private long spendable() {
    long sum = 0;
    for (int i = 0; i < lotCount; i++) {
      MutableLot lot = lotAt(i);
      if (lot.startedAt(now)) {
        sum += lot.remaining;
      }
    }
    return sum;
  }

  /**
   * Returns the credits the account owes.
   *
   * @return the debt, {@code >= 0}
   */
  public long debt() {
    return debt;
  }

  /**
   * Returns the account's own overage policy.
   *
   * @return the policy, or null when it has none
   */
  public @Nullable OveragePolicy overage() {
    return overage;
  }

  /**
   * Sets the account's own overage policy.
   *
   * @param policy the policy
   */
  public void setOverage(OveragePolicy policy) {
    this.overage = policy;
    this.planChanged = true;
  }

  /**
   * Pays the debt from the started lots' remaining credits, in drawdown order, with a
   * {@code DEBT_REPAID} entry per lot. Called whenever credits may have reached a lot (a grant, a
   * return, a start), so that a positive debt and spendable credits never stand side by side.
   *
   * @param key the call's key, or null for an automatic change
   * @return credits repaid
   */
  public long repayDebt(@Nullable IdempotencyKey key) {
    if (debt == 0) {
      return 0;
    }
    long repaid = 0;
    for (MutableLot lot : lotsInDrawdownOrder()) {
      if (debt == 0) {
        break;
      }
      long take = lot.startedAt(now) ? Math.min(debt, lot.remaining) : 0;
      if (take > 0) {
        lot.remaining -= take;
        lot.changed = true;
        debt -= take;
        repaid += take;
        append(EntryType.DEBT_REPAID, take, lot, null, key, Map.of());
      }
    }
    return repaid;
  }

  /**
   * Returns the credits held now.
   *
   * @return the sum of the lots' reserved credits, which is the sum of the active holds
   */
  public long held() {
    long sum = 0;
    for (int i = 0; i < lotCount; i++) {
      sum += lotAt(i).reserved;
    }
    return sum;
  }

  /**
   * Returns the live lots, in drawdown order.
   *
   * @return the lots
   */
  public List<MutableLot> lotsInDrawdownOrder() {
    List<MutableLot> list = new ArrayList<>(lotCount);
    for (int i = 0; i < lotCount; i++) {
      list.add(lotAt(i));
    }
    list.sort(DRAWDOWN_ORDER);
    return list;
  }

  /**
   * Finds a hold the copy knows of (read with it or placed by it), in its current state.
   *
   * @param id the hold
   * @return the hold or null when the copy does not know it
   */
  public @Nullable Hold knownHold(HoldId id) {
    int i = holdIndex(id);
    return i < 0 ? null : holds.get(i);
  }

  private int holdIndex(HoldId id) {
    List<Hold> holds = this.holds;
    int n = holds.size();
    // The caller usually passes the id object of the hold it was given, which is the one here: a
    // pass by identity touches nothing past each hold, and only a miss pays for comparing texts.
    for (int i = 0; i < n; i++) {
      if (holds.get(i).id() == id) {
        return i;
      }
    }
    for (int i = 0; i < n; i++) {
      if (holds.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private List<Hold> mutableHolds() {
    if (!holdsCopied) {
      holds = new ArrayList<>(holds);
      holdsCopied = true;
    }
    return holds;
  }

  /** The i-th live lot, {@code 0 <= i < lotCount}. */
  private MutableLot lotAt(int i) {
    MutableLot[] all = lots;
    return all == null ? java.util.Objects.requireNonNull(lot0) : all[i];
  }

  private @Nullable MutableLot lot(LotId id) {
    for (int i = 0; i < lotCount; i++) {
      MutableLot lot = lotAt(i);
      if (lot.id().equals(id)) {
        return lot;
      }
    }
    return null;
  }

  /**
   * Grants a new lot.
   *
   * @param source the source
   * @param amount credits, positive
   * @param expiresAt expiry or null
   * @param key the call's key
   * @param metadata description for the ledger
   * @return the new lot's id
   */
  public LotId grant(LotSource source, long amount, @Nullable Instant expiresAt, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    return grant(source, amount, now, expiresAt, key, metadata);
  }

  /**
   * Grants a new lot whose credits count from {@code startsAt} (now or later): until then it is
   * upcoming, neither available nor drawn. The ledger entry has the call's time.
   *
   * @param source the source
   * @param amount credits, positive
   * @param startsAt when the credits start to count, not before now
   * @param expiresAt expiry or null, after the start
   * @param key the call's key
   * @param metadata description for the ledger
   * @return the new lot's id
   */
  public LotId grant(LotSource source, long amount, Instant startsAt, @Nullable Instant expiresAt,
      @Nullable IdempotencyKey key, Map<String, String> metadata) {
    granted = CreditAmount.addExact(granted, amount);
    expiresAt = Instants.nullableMicros(expiresAt);
    startsAt = Instants.micros(startsAt);
    LotId id = new LotId(lastSequence + 1);
    MutableLot lot = new MutableLot(new Lot(id, source, amount, amount, 0, startsAt.isAfter(now) ? startsAt : now,
        expiresAt), true);
    if (lotCount == 0) {
      lot0 = lot;
    } else {
      MutableLot[] all = lots;
      if (all == null) {
        all = new MutableLot[4];
        all[0] = lot0;
        lot0 = null;
      } else if (lotCount == all.length) {
        all = Arrays.copyOf(all, lotCount + 2);
      }
      all[lotCount] = lot;
      lots = all;
    }
    lotCount++;
    append(EntryType.GRANT, amount, lot, null, key, metadata);
    return id;
  }

  /**
   * Removes available credits (a support adjustment), drawing in drawdown order.
   *
   * @param amount credits, positive
   * @param key the call's key
   * @param metadata description for the ledger
   * @throws InsufficientCreditsException when fewer credits are available
   */
  public void debit(long amount, @Nullable IdempotencyKey key, Map<String, String> metadata) {
    metadata = Map.copyOf(metadata);
    long available = available();
    if (available < amount) {
      throw new InsufficientCreditsException(account, available, amount);
    }
    long left = amount;
    for (MutableLot lot : lotsInDrawdownOrder()) {
      if (left == 0) {
        break;
      }
      long take = lot.startedAt(now) ? Math.min(left, lot.remaining) : 0;
      if (take > 0) {
        lot.remaining -= take;
        lot.changed = true;
        left -= take;
        append(EntryType.DEBIT, take, lot, null, key, metadata);
      }
    }
    debited = CreditAmount.addExact(debited, amount);
  }

  /**
   * Returns the credits still available in one lot.
   *
   * @param id the lot
   * @return its available credits, 0 when it has none left (or is not the account's)
   */
  public long remainingIn(LotId id) {
    MutableLot lot = lot(id);
    return lot == null ? 0 : lot.remaining;
  }

  /**
   * Removes available credits from one lot (a refund takes back what its payment granted).
   *
   * @param id the lot
   * @param amount credits, positive, at most {@link #remainingIn(LotId)}
   * @param key the call's key
   * @param metadata description for the ledger
   * @throws IllegalArgumentException when the lot has fewer credits available (a bug in the caller)
   */
  public void debitLot(LotId id, long amount, @Nullable IdempotencyKey key, Map<String, String> metadata) {
    MutableLot lot = lot(id);
    if (lot == null || amount <= 0 || lot.remaining < amount) {
      throw new IllegalArgumentException("cannot debit " + amount + " from lot " + id + " of account " + account);
    }
    lot.remaining -= amount;
    lot.changed = true;
    append(EntryType.DEBIT, amount, lot, null, key, Map.copyOf(metadata));
    debited = CreditAmount.addExact(debited, amount);
  }

  /**
   * Finds a live lot of the account (one with credits remaining or reserved).
   *
   * @param id the lot
   * @return the lot, or null when the account has no live lot with that id
   */
  public @Nullable MutableLot liveLot(LotId id) {
    return lot(id);
  }

  /**
   * Voids what remains of a lot (a {@code DEBIT} entry with the metadata given) and sets its expiry
   * to now, so credits an active hold later returns to it expire at once instead of becoming
   * available again. Reserved credits stay with their holds.
   *
   * @param lot the lot, with credits remaining
   * @param key the call's key
   * @param metadata description for the ledger
   * @return credits removed
   */
  public long voidLot(MutableLot lot, @Nullable IdempotencyKey key, Map<String, String> metadata) {
    long amount = lot.remaining;
    if (amount <= 0) {
      throw new IllegalArgumentException("lot " + lot.id() + " of account " + account + " has nothing to void");
    }
    lot.remaining = 0;
    lot.expiresAt = now;
    lot.changed = true;
    debited = CreditAmount.addExact(debited, amount);
    append(EntryType.DEBIT, amount, lot, null, key, Map.copyOf(metadata));
    return amount;
  }

  /**
   * Changes a live lot's expiry, recorded as an {@code EXPIRY_CHANGED} entry for what the lot still
   * carries (remaining plus reserved); no credits move.
   *
   * @param lot the live lot
   * @param expiresAt the new expiry, or null for never
   * @param key the call's key
   * @param metadata description for the ledger
   */
  public void changeExpiry(MutableLot lot, @Nullable Instant expiresAt, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    lot.expiresAt = Instants.nullableMicros(expiresAt);
    lot.changed = true;
    append(EntryType.EXPIRY_CHANGED, CreditAmount.addExact(lot.remaining, lot.reserved), lot, null, key,
        Map.copyOf(metadata));
  }

  /**
   * Places a hold, drawing from lots in drawdown order.
   *
   * @param id the new hold's id
   * @param amount credits, positive
   * @param deadline when it expires unanswered
   * @param key the call's key
   * @param metadata the generation's description
   * @return the active hold
   * @throws InsufficientCreditsException when fewer credits are available
   */
  public Hold hold(HoldId id, long amount, Instant deadline, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    // One immutable copy shared by the hold and its entries (their own copies are then no-ops).
    metadata = Map.copyOf(metadata);
    deadline = Instants.micros(deadline);
    long available = available();
    if (available < amount) {
      throw new InsufficientCreditsException(account, available, amount);
    }
    List<Allocation> allocations;
    if (lotCount == 1) {
      // The common case once small lots are used up: one lot, one allocation, no sorting.
      MutableLot lot = lotAt(0);
      lot.remaining -= amount;
      lot.reserved += amount;
      lot.changed = true;
      allocations = List.of(new Allocation(lot.id(), amount));
      append(EntryType.HOLD, amount, lot, id, key, metadata);
    } else {
      allocations = new ArrayList<>(2);
      reserve(amount, allocations, id, key, metadata);
    }
    Hold hold = new Hold(id, account, amount, HoldState.ACTIVE, now, deadline, 0, null, metadata, allocations);
    newHolds = added(newHolds, hold);
    if (holds.isEmpty() && !holdsCopied) {
      // Both lists are List.of(hold) when it is the only one: one immutable list serves both.
      holds = newHolds.size() == 1 ? newHolds : List.of(hold);
    } else {
      mutableHolds().add(hold);
    }
    activeHoldCount++;
    if (earliestHoldDeadline == null || deadline.isBefore(earliestHoldDeadline)) {
      earliestHoldDeadline = deadline;
    }
    return hold;
  }

  /**
   * Reserves {@code amount} credits for a hold from the started lots in drawdown order, one
   * {@code HOLD} entry per lot drawn; each part is added to {@code allocations}, merged into the
   * allocation of the same lot when there is one (a grown hold keeps one allocation per lot).
   * The caller has checked that enough is available.
   */
  private void reserve(long amount, List<Allocation> allocations, HoldId id, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    long left = amount;
    List<MutableLot> ordered = lotsInDrawdownOrder();
    for (int i = 0; i < ordered.size() && left > 0; i++) {
      MutableLot lot = ordered.get(i);
      long take = lot.startedAt(now) ? Math.min(left, lot.remaining) : 0;
      if (take > 0) {
        lot.remaining -= take;
        lot.reserved += take;
        lot.changed = true;
        left -= take;
        int j = 0;
        while (j < allocations.size() && !allocations.get(j).lot().equals(lot.id())) {
          j++;
        }
        if (j < allocations.size()) {
          allocations.set(j, new Allocation(lot.id(), allocations.get(j).amount() + take));
        } else {
          allocations.add(new Allocation(lot.id(), take));
        }
        append(EntryType.HOLD, take, lot, id, key, metadata);
      }
    }
  }

  /**
   * Grows an active hold by {@code more} credits, drawn from the lots in drawdown order as a new
   * hold's are ({@code HOLD} entries naming the hold); the allocations add up per lot, new lots
   * following in drawdown order. The deadline stays unless {@code deadline} is later.
   *
   * @param hold the active hold, not placed by this copy
   * @param more credits to add, positive
   * @param deadline a new deadline, or null to keep the hold's; an earlier one is ignored
   * @param key the call's key
   * @param metadata description for the ledger
   * @return the grown hold
   * @throws InsufficientCreditsException when fewer credits are available
   */
  public Hold extendHold(Hold hold, long more, @Nullable Instant deadline, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    if (hold.state() != HoldState.ACTIVE) {
      throw new IllegalStateException("hold " + hold.id() + " is not active");
    }
    long amount = CreditAmount.addExact(hold.amount(), more);
    long available = available();
    if (available < more) {
      throw new InsufficientCreditsException(account, available, more);
    }
    metadata = Map.copyOf(describeEnd(hold.metadata(), metadata));
    List<Allocation> allocations = new ArrayList<>(hold.allocations());
    reserve(more, allocations, hold.id(), key, metadata);
    Instant newDeadline = hold.deadline();
    if (deadline != null && Instants.micros(deadline).isAfter(newDeadline)) {
      newDeadline = Instants.micros(deadline);
    }
    Hold grown = new Hold(hold.id(), account, amount, HoldState.ACTIVE, hold.createdAt(), newDeadline, 0, null,
        hold.metadata(), allocations);
    for (Hold placed : newHolds) {
      if (placed.id().equals(hold.id())) {
        throw new IllegalStateException("a hold cannot grow in the operation that placed it");
      }
    }
    List<Hold> changed = new ArrayList<>(changedHolds);
    changed.removeIf(h -> h.id().equals(hold.id()));
    changed.add(grown);
    changedHolds = changed;
    int known = holdIndex(hold.id());
    if (known >= 0) {
      mutableHolds().set(known, grown);
    } else {
      mutableHolds().add(grown);
    }
    // A later deadline never lowers the earliest one; the known bound stays a lower bound.
    return grown;
  }

  /**
   * Settles an active hold for more than it holds under an overage policy: the whole hold is
   * settled, then the difference is drawn from the started lots in drawdown order ({@code OVERAGE}
   * entries), then, when the policy allows debt, charged as debt down to the policy's floor (one
   * {@code DEBT_INCURRED} entry on the hold's first lot). What is left is uncollected, and the
   * entries say how much ({@link LedgerEntry#UNCOLLECTED}).
   *
   * @param hold the active hold
   * @param requested credits asked for, more than the hold
   * @param policy the account's overage policy ({@link OveragePolicy.Mode#REFUSE} only when the
   *     available credits cover the difference)
   * @param key the call's key
   * @param metadata description for the ledger
   * @return {@code {charged beyond the hold from available credits, charged as debt}}
   */
  public long[] settleOver(Hold hold, long requested, OveragePolicy policy, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    if (requested <= hold.amount()) {
      throw new IllegalArgumentException("not an overage: " + requested + " of " + hold.amount() + " under " + policy);
    }
    long extra = requested - hold.amount();
    // Settling the whole hold returns nothing to the lots, so what is available now is what the
    // difference can draw: the started lots first, then, under allow-debt, down to the floor.
    long take = Math.min(extra, Math.max(0, available()));
    long owed = take < extra && policy.mode() == OveragePolicy.Mode.ALLOW_DEBT
        // The floor bounds the available balance, which may already be below zero: it ends at -maxDebt at most.
        ? Math.min(extra - take, Math.max(0, available() - take + policy.maxDebt()))
        : 0;
    long uncollected = extra - take - owed;
    Map<String, String> described = new java.util.TreeMap<>(metadata);
    described.put("requested", Long.toString(requested));
    described.put("overage", policy.toString());
    if (uncollected > 0) {
      described.put(LedgerEntry.UNCOLLECTED, Long.toString(uncollected));
    }
    Map<String, String> meta = Map.copyOf(describeEnd(hold.metadata(), described));
    endHold(hold, HoldState.SETTLED, hold.amount(), key, meta);
    long left = take;
    for (MutableLot lot : lotsInDrawdownOrder()) {
      if (left == 0) {
        break;
      }
      long t = lot.startedAt(now) ? Math.min(left, lot.remaining) : 0;
      if (t > 0) {
        lot.remaining -= t;
        lot.changed = true;
        left -= t;
        settled = CreditAmount.addExact(settled, t);
        append(EntryType.OVERAGE, t, lot, hold.id(), key, meta);
      }
    }
    if (left != 0) {
      throw new IllegalStateException("an overage drew " + (take - left) + " of the " + take + " available credits");
    }
    if (owed > 0) {
      MutableLot first = lot(hold.allocations().get(0).lot());
      if (first == null) {
        throw new IllegalStateException("hold " + hold.id() + " reserves a lot which is not loaded");
      }
      debt = CreditAmount.addExact(debt, owed);
      settled = CreditAmount.addExact(settled, owed);
      append(EntryType.DEBT_INCURRED, owed, first, hold.id(), key, meta);
    }
    return new long[] {take, owed};
  }

  /**
   * Ends an active hold: settles {@code settleAmount} (in allocation order) and returns the rest.
   * What returns to a lot that has expired expires at once, with its own ledger entry.
   *
   * @param hold the active hold
   * @param state the terminal state
   * @param settleAmount credits to spend (0 unless settling)
   * @param key the call's key
   * @param metadata description for the ledger
   * @return credits returned to lots; what returned to lots that had expired, and so expired,
   *     is added to {@link #expiredTotal()}
   * @throws SettleExceedsHeldException when settleAmount exceeds the hold
   */
  public long endHold(Hold hold, HoldState state, long settleAmount, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    if (settleAmount > hold.amount()) {
      throw new SettleExceedsHeldException(hold.id(), hold.amount(), settleAmount);
    }
    EntryType returnType = state == HoldState.EXPIRED ? EntryType.HOLD_EXPIRED : EntryType.RELEASE;
    metadata = Map.copyOf(describeEnd(hold.metadata(), metadata));
    long toSettle = settleAmount;
    long returned = 0;
    List<Allocation> allocations = hold.allocations();
    for (int i = 0; i < allocations.size(); i++) {
      Allocation a = allocations.get(i);
      MutableLot lot = lot(a.lot());
      if (lot == null) {
        throw new IllegalStateException("hold " + hold.id() + " reserves lot " + a.lot() + " which is not loaded");
      }
      long s = Math.min(toSettle, a.amount());
      long r = a.amount() - s;
      toSettle -= s;
      lot.reserved -= a.amount();
      lot.changed = true;
      if (s > 0) {
        settled = CreditAmount.addExact(settled, s);
        append(EntryType.SETTLE, s, lot, hold.id(), key, metadata);
      }
      if (r > 0) {
        lot.remaining += r;
        append(returnType, r, lot, hold.id(), key, metadata);
        if (lot.expiredAt(now)) {
          lot.remaining -= r;
          expired = CreditAmount.addExact(expired, r);
          append(EntryType.LOT_EXPIRED, r, lot, hold.id(), key, metadata);
        } else {
          returned += r;
        }
      }
    }
    if (hold.state() != HoldState.ACTIVE) {
      throw new IllegalStateException("hold " + hold.id() + " is not active");
    }
    Hold ended = new Hold(hold.id(), account, hold.amount(), state, hold.createdAt(), hold.deadline(), settleAmount,
        now, hold.metadata(), hold.allocations());
    if (!changedHolds.isEmpty()) {
      List<Hold> rest = new ArrayList<>(changedHolds);
      if (rest.removeIf(h -> h.id().equals(hold.id()))) {
        changedHolds = rest;
      }
    }
    for (int i = 0; i < newHolds.size(); i++) {
      if (newHolds.get(i).id().equals(hold.id())) {
        List<Hold> rest = new ArrayList<>(newHolds);
        rest.remove(i);
        newHolds = rest;
        throw new IllegalStateException("a hold cannot end in the operation that placed it");
      }
    }
    endedHolds = added(endedHolds, ended);
    int known = holdIndex(hold.id());
    if (known >= 0) {
      mutableHolds().set(known, ended);
    }
    activeHoldCount--;
    if (activeHoldCount == 0) {
      earliestHoldDeadline = null;
    }
    return returned;
  }

  /**
   * Returns the account's total of expired credits, including what this copy expired.
   *
   * @return credits ever expired
   */
  public long expiredTotal() {
    return expired;
  }

  /**
   * An ending entry carries the generation's description (given when holding) plus what the end
   * adds (actual cost, reason), so every entry explains itself without a join: usage by kind over
   * a period reads only the entries in that period.
   */
  private static Map<String, String> describeEnd(Map<String, String> held, Map<String, String> end) {
    if (held.isEmpty()) {
      return end;
    }
    if (end.isEmpty()) {
      return held;
    }
    Map<String, String> merged = new java.util.TreeMap<>(held);
    merged.putAll(end);
    return merged;
  }

  private void append(EntryType type, long amount, MutableLot lot, @Nullable HoldId hold, @Nullable IdempotencyKey key,
      Map<String, String> metadata) {
    lastSequence++;
    entries = added(entries, new LedgerEntry(account, lastSequence, type, amount, lot.id(), lot.source(), hold, key, now,
        metadata));
  }

  /**
   * Returns the version the copy was loaded at (0 for a new account).
   *
   * @return the stored version
   */
  public long storedVersion() {
    return base == null ? 0 : base.version();
  }

  /**
   * Computes the balance view of this copy.
   *
   * @param version the account version the view stands for
   * @return the view at {@link #now()}
   */
  public BalanceView view(long version) {
    long available = 0;
    long free = 0;
    long pack = 0;
    long allowance = 0;
    long held = 0;
    long upcoming = 0;
    List<MutableLot> ordered = lotsInDrawdownOrder();
    List<Lot> views = new ArrayList<>(ordered.size());
    for (MutableLot lot : ordered) {
      if (lot.remaining == 0 && lot.reserved == 0) {
        continue;
      }
      views.add(lot.toLot());
      if (!lot.startedAt(now)) {
        upcoming += lot.remaining;
        continue;
      }
      available += lot.remaining;
      held += lot.reserved;
      if (lot.source() == LotSource.PACK) {
        pack += lot.remaining;
      } else if (lot.source().isPaid()) {
        allowance += lot.remaining;
      } else {
        free += lot.remaining;
      }
    }
    return new BalanceView(account, available - debt, held, upcoming, free, pack, allowance,
        Math.toIntExact(activeHoldCount), views, now, version, debt);
  }

  /**
   * Builds the change to commit.
   *
   * @param idempotency the call's record, or null
   * @return the change
   */
  public AccountChange toChange(@Nullable IdempotencyRecord idempotency) {
    List<Lot> newLots = List.of();
    List<Lot> changedLots = List.of();
    for (int i = 0; i < lotCount; i++) {
      MutableLot lot = lotAt(i);
      Lot state = lot.toLot();
      lot.committed = state;
      if (lot.isNew) {
        newLots = added(newLots, state);
      } else if (lot.changed) {
        changedLots = added(changedLots, state);
      }
    }
    long expectedVersion = storedVersion();
    // Immutable lists here, so AccountChange's defensive copies are no-ops on the hot path.
    return new AccountChange(expectedVersion, row(expectedVersion + 1), immutable(newLots), immutable(changedLots),
        immutable(newHolds), immutable(endedHolds), immutable(changedHolds), immutable(entries), idempotency,
        AccountChange.planChanged(base, plan));
  }

  private AccountRecord row(long version) {
    return new AccountRecord(account, version, lastSequence, granted, settled, expired, debited, activeHoldCount,
        base == null ? now : base.createdAt(), plan, planDueAt, debt, overage);
  }

  /**
   * The account as the change {@link #toChange} made leaves it, as far as this copy knows it: the
   * row, the live lots, the active holds it read or placed (at most {@code maxHolds}, the newest),
   * and a lower bound of the earliest deadline among all its active holds. Only for running a later
   * call of this process without a read; never handed to a store.
   *
   * @param change the committed change made by {@link #toChange} (which fixed each lot's state)
   * @param maxHolds how many known active holds to keep at most
   * @return the known state after the change
   */
  public AccountSnapshot after(AccountChange change, int maxHolds) {
    List<Lot> live = new ArrayList<>(lotCount);
    for (int i = 0; i < lotCount; i++) {
      Lot lot = lotAt(i).committed;
      if (lot != null && lot.isLive()) {
        live.add(lot);
      }
    }
    List<Hold> active = new ArrayList<>(Math.min(holds.size(), maxHolds));
    for (int i = holds.size() - 1; i >= 0 && active.size() < maxHolds; i--) {
      Hold h = holds.get(i);
      if (h.state() == HoldState.ACTIVE) {
        active.add(h);
      }
    }
    // Oldest first, as read and placed: the next copy's newest are then at the end again.
    java.util.Collections.reverse(active);
    return new AccountSnapshot(change.account(), live, active, earliestHoldDeadline);
  }

  /** Appends to a list kept as {@code List.of()}, then {@code List.of(x)}, then an ArrayList. */
  private static <T> List<T> added(List<T> list, T item) {
    if (list.isEmpty()) {
      return List.of(item);
    }
    if (list instanceof ArrayList<T> growing) {
      growing.add(item);
      return growing;
    }
    List<T> out = new ArrayList<>(list.size() + 3);
    out.addAll(list);
    out.add(item);
    return out;
  }

  /** An immutable list of the elements: the list itself unless it grew into an ArrayList. */
  private static <T> List<T> immutable(List<T> list) {
    return list instanceof ArrayList<T> ? List.copyOf(list) : list;
  }
}
