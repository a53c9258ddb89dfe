package io.preprompt.credits.internal;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.ExpiryChange;
import io.preprompt.credits.balance.GrantVoid;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.LedgerReader;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import io.preprompt.credits.spi.PlanRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link io.preprompt.credits.CreditService}: validates, checks idempotency, loads the account, applies
 * the operation to a working copy, commits with an expected version and retries a conflict a bounded
 * number of times. Not supported API: use {@link io.preprompt.credits.CreditService}.
 */
public final class Engine implements LedgerReader {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final int RECONCILE_PAGE = 1000;

  private final CreditStore store;
  private final InstantSource clock;
  private final CreditsConfig config;
  private final List<CreditsListener> listeners;
  private final Supplier<HoldId> holdIds;
  /** Accounts as this process last committed them, when calls may run on them without a read; else null. */
  private final @Nullable SnapshotCache snapshots;
  /** The plan rules every change passes before it commits (see {@link ChangeHook}), or null without plans. */
  private volatile @Nullable ChangeHook changeHook;
  /** How many accounts the snapshot cache keeps at most. */
  static final int SNAPSHOT_CACHE_CAPACITY = 16_384;
  /** How many active holds the snapshot cache keeps per account at most (the newest). */
  static final int SNAPSHOT_CACHE_HOLDS = 32;
  /** The overage policy of an account's tier (from its plan, at a time), or null when the tier names none. */
  private volatile BiFunction<@Nullable PlanRecord, Instant, @Nullable OveragePolicy> tierOverage = (plan, at) -> null;

  /**
   * Creates the engine.
   *
   * @param store the store
   * @param clock the clock
   * @param config the settings
   * @param listeners listeners told after commits
   */
  public Engine(CreditStore store, InstantSource clock, CreditsConfig config, List<CreditsListener> listeners) {
    this(store, clock, config, listeners, HoldId::random, true);
  }

  /**
   * Creates the engine with a hold id source (deterministic simulations pass their own).
   *
   * @param store the store
   * @param clock the clock
   * @param config the settings
   * @param listeners listeners told after commits
   * @param holdIds source of new hold ids
   * @param reuseCommittedAccounts whether a keyed call may run on the account as this process's own
   *     last commit left it, without reading it (see {@link io.preprompt.credits.CreditServiceBuilder#reuseCommittedAccounts})
   */
  public Engine(CreditStore store, InstantSource clock, CreditsConfig config, List<CreditsListener> listeners,
      Supplier<HoldId> holdIds, boolean reuseCommittedAccounts) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Instants.micros(Objects.requireNonNull(clock, "clock"));
    this.config = Objects.requireNonNull(config, "config");
    this.listeners = List.copyOf(listeners);
    this.holdIds = Objects.requireNonNull(holdIds, "holdIds");
    this.snapshots = reuseCommittedAccounts ? new SnapshotCache(SNAPSHOT_CACHE_CAPACITY) : null;
  }

  /**
   * Tells the engine the overage policy of each account's tier; the plan service does, once built.
   *
   * @param byPlan the policy of the tier a plan grants at a time, or null when the tier names none
   */
  void useTierOverage(BiFunction<@Nullable PlanRecord, Instant, @Nullable OveragePolicy> byPlan) {
    this.tierOverage = Objects.requireNonNull(byPlan, "byPlan");
  }

  /**
   * The overage policy that applies to an account: its own, else its tier's, else the configured one.
   *
   * @param tx the account
   * @return the policy
   */
  OveragePolicy overageOf(AccountTx tx) {
    OveragePolicy own = tx.overage();
    if (own != null) {
      return own;
    }
    OveragePolicy tier = tierOverage.apply(tx.plan(), tx.now());
    return tier != null ? tier : config.overagePolicy();
  }

  /**
   * Returns the store.
   *
   * @return the store
   */
  CreditStore store() {
    return store;
  }

  /**
   * Returns the clock.
   *
   * @return the clock
   */
  InstantSource clock() {
    return clock;
  }

  /**
   * A rule that looks at every change before it commits, whatever operation made it (the plan
   * service's automatic top-up): it may change the working copy further, in the same commit, and
   * return what to do once the commit is durable.
   */
  interface ChangeHook {
    /**
     * Looks at a change about to commit; called again on a conflict retry, on the new copy.
     *
     * @param tx the working copy, with the operation's changes
     * @return what to run once the commit is durable, or null
     */
    @Nullable Runnable beforeCommit(AccountTx tx);
  }

  /**
   * Sets the rule every change passes before it commits (one: the plan service's).
   *
   * @param hook the rule
   */
  void changeHook(ChangeHook hook) {
    this.changeHook = Objects.requireNonNull(hook, "hook");
  }

  /**
   * Runs one mutating operation with idempotency, optimistic commit and bounded retries.
   *
   * @param account the account
   * @param key the call's key, or null for automatic changes
   * @param op the operation
   * @param <R> the result type
   * @return the result (replayed when the key was already used with the same parameters)
   */
  <R> R execute(AccountId account, @Nullable IdempotencyKey key, Operation<R> op) {
    if (key != null) {
      requireKey(key);
    }
    return run(account, key, op);
  }

  /**
   * Runs one of the library's own keyed changes (a billing event, a payment), under a key in the
   * namespace callers cannot take ({@link IdempotencyKey#reserved}).
   *
   * @param account the account
   * @param key the library's key
   * @param op the operation
   * @param <R> the result type
   * @return the result (replayed when the key was already used with the same parameters)
   * @throws IllegalArgumentException when the key is not reserved (a bug in the library)
   */
  <R> R executeOwn(AccountId account, IdempotencyKey key, Operation<R> op) {
    if (!key.isReserved()) {
      throw new IllegalArgumentException("not a reserved key: " + key);
    }
    return run(account, key, op);
  }

  private <R> R run(AccountId account, @Nullable IdempotencyKey key, Operation<R> op) {
    int attempts = config.maxCommitAttempts();
    HoldId named = op.hold();
    // A keyed call first runs on the account as this process last committed it, when allowed: no
    // read. Anything but a committed change on that copy (a refused commit, an error) is decided again
    // from a fresh read, and does not count as an attempt. A copy that may lack what the call needs
    // (its hold, or a hold past its deadline) is not used.
    SnapshotCache.Slot slot = key != null && snapshots != null ? snapshots.slot(account) : null;
    AccountSnapshot cached = SnapshotCache.kept(slot);
    boolean refusalRechecked = false;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      Instant now = clock.instant();
      AccountSnapshot snapshot;
      boolean fromCache = cached != null && covers(cached, named, now);
      if (fromCache) {
        snapshot = cached;
        cached = null;
      } else {
        cached = null;
        HoldSelection holds = named == null ? HoldSelection.overdueAt(now) : HoldSelection.of(named, now);
        // The store calls on this path are made directly, not through storeCall: its lambdas would be
        // allocated on every call.
        if (key != null) {
          KeyedRead read;
          try {
            read = store.readForCall(account, key, holds);
          } catch (RuntimeException e) {
            throw storeFailure(e, StoreException.Outcome.NOT_APPLIED);
          }
          IdempotencyRecord earlier = read.record();
          if (earlier != null) {
            op.beforeReplay();
            return replay(earlier, key, op);
          }
          snapshot = read.snapshot();
        } else {
          Optional<AccountSnapshot> loaded;
          try {
            loaded = store.load(account, holds);
          } catch (RuntimeException e) {
            throw storeFailure(e, StoreException.Outcome.NOT_APPLIED);
          }
          snapshot = loaded.orElse(null);
        }
        if (snapshot == null) {
          throw new UnknownAccountException(account);
        }
      }
      AccountTx tx = new AccountTx(snapshot, now);
      R result;
      Runnable whenCommitted;
      try {
        tx.applyDueExpiry();
        result = op.apply(tx);
        // Credits the operation brought (a grant, a return) pay what the account owes first.
        tx.repayDebt(key);
        ChangeHook hook = changeHook;
        whenCommitted = hook != null && tx.hasChanges() ? hook.beforeCommit(tx) : null;
      } catch (RuntimeException e) {
        if (fromCache) {
          // An error from a kept copy (a stale one included) may be the copy's age speaking: decide it
          // again from the store.
          snapshots.drop(account, snapshot);
          attempt--;
          continue;
        }
        if (!refusalRechecked && e instanceof CreditsException && !(e instanceof StoreException)
            && olderThanStored(snapshot, now)) {
          // A refusal read from a lagging copy (a replica, a cache) may be the copy's age speaking:
          // decide it once more on the account as the store holds it now.
          refusalRechecked = true;
          attempt--;
          continue;
        }
        throw e;
      }
      if (key == null && !tx.hasChanges()) {
        return result;
      }
      IdempotencyRecord record = key == null ? null
          : new IdempotencyRecord(key, op.name(), op.fingerprint(), op.encode(result), now);
      AccountChange change = tx.toChange(record);
      CommitOutcome outcome = commit(change);
      if (outcome != CommitOutcome.CONFLICT) {
        if (snapshots != null) {
          if (outcome == CommitOutcome.COMMITTED) {
            snapshots.committed(slot, tx.after(change, SNAPSHOT_CACHE_HOLDS));
          } else {
            snapshots.drop(account);
          }
        }
        afterCommit(op.name(), tx, change);
        if (whenCommitted != null) {
          whenDurable("the change's follow-up", account, whenCommitted);
        }
        return result;
      }
      if (fromCache) {
        snapshots.drop(account, snapshot);
        attempt--;
        continue;
      }
      backoff(attempt);
    }
    throw new ConcurrentUpdateException(account, attempts);
  }

  /**
   * Tells whether a kept copy has all a call needs: the hold it names, active, and every hold past
   * its deadline (none may be, as far as the copy knows).
   */
  private static boolean covers(AccountSnapshot kept, @Nullable HoldId named, Instant now) {
    Instant earliest = kept.earliestHoldDeadline();
    if (earliest != null && now.isAfter(earliest)) {
      return false;
    }
    if (named == null) {
      return true;
    }
    List<Hold> holds = kept.holds();
    for (int i = 0; i < holds.size(); i++) {
      if (holds.get(i).id().equals(named)) {
        return true;
      }
    }
    return false;
  }

  private CommitOutcome commit(AccountChange change) {
    CommitOutcome outcome;
    try {
      outcome = store.commit(change);
    } catch (RuntimeException e) {
      if (snapshots != null) {
        // The outcome is unknown: whatever is kept for the account may no longer be its state.
        snapshots.drop(change.account().id());
      }
      // A store that did not say whether it committed may have: the caller resends with the key.
      throw storeFailure(e, StoreException.Outcome.UNKNOWN);
    }
    return Objects.requireNonNull(outcome, "the store's commit outcome");
  }

  private void afterCommit(String opName, AccountTx tx, AccountChange change) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} on account {} committed as version {}: {}", opName, tx.account(), change.account().version(),
          summary(change.entries()));
    }
    if (listeners.isEmpty()) {
      return;
    }
    CommittedChange committed = new CommittedChange(tx.account(), change.entries(), tx.view(change.account().version()));
    whenDurable("the credits listeners", tx.account(), () -> {
      for (CreditsListener listener : listeners) {
        try {
          listener.onCommitted(committed);
        } catch (RuntimeException e) {
          LOG.warn("credits listener {} failed for account {}", listener, tx.account(), e);
        }
      }
    });
  }

  /**
   * Runs an action once this thread's writes are durable ({@link CreditStore#whenDurable}): at once
   * for a store that commits itself, after the host commits inside its transaction, never when the
   * host rolls back. The call that wrote has succeeded either way, so a store that cannot arrange it
   * is logged, not thrown, and the action does not run.
   *
   * @param what what the action tells, for the log
   * @param account the account the action is about, for the log
   * @param action the action; it catches its own failures
   */
  void whenDurable(String what, AccountId account, Runnable action) {
    try {
      store.whenDurable(action);
    } catch (RuntimeException e) {
      LOG.warn("{} were not told of a change to account {}: the store could not run them after its writes"
          + " became durable", what, account, e);
    }
  }

  /**
   * Sums a change's entries by type and lot source ({@code HOLD SIGNUP_GRANT 24 (3 entries)}), so
   * the one debug line per change also shows the expiry it applied; metadata is never logged.
   */
  private static String summary(List<LedgerEntry> entries) {
    Map<String, long[]> sums = new java.util.LinkedHashMap<>();
    for (LedgerEntry e : entries) {
      long[] sum = sums.computeIfAbsent(e.type() + " " + e.source(), k -> new long[2]);
      sum[0] += e.amount();
      sum[1]++;
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, long[]> e : sums.entrySet()) {
      out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()[0]);
      if (e.getValue()[1] > 1) {
        out.append(" (").append(e.getValue()[1]).append(" entries)");
      }
    }
    return out.length() == 0 ? "no ledger entries" : out.toString();
  }

  private <R> R replay(IdempotencyRecord record, IdempotencyKey key, Operation<R> op) {
    if (!record.operation().equals(op.name())) {
      throw new IdempotencyConflictException(key, "operation", record.operation(), op.name());
    }
    String now = op.fingerprint();
    if (!record.fingerprint().equals(now)) {
      Map<String, String> first = FieldCodec.decode(record.fingerprint());
      Map<String, String> second = FieldCodec.decode(now);
      for (Map.Entry<String, String> e : second.entrySet()) {
        String before = first.get(e.getKey());
        if (!e.getValue().equals(before)) {
          throw new IdempotencyConflictException(key, e.getKey(), String.valueOf(before), e.getValue());
        }
      }
      throw new IdempotencyConflictException(key, "parameters", record.fingerprint(), now);
    }
    return op.decode(record.result());
  }

  private static void backoff(int attempt) {
    if (attempt <= 1) {
      return;
    }
    long maxNanos = Math.min(attempt, 20) * 50_000L;
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1, maxNanos));
  }

  /** A store call that reads: whatever it throws, nothing was applied. */
  static <T> T storeCall(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw storeFailure(e, StoreException.Outcome.NOT_APPLIED);
    }
  }

  /**
   * What a store call's exception becomes: credits exceptions pass as they are (a StoreException
   * keeps the store's SQL state and outcome); anything else is a StoreException with the outcome the
   * call allows and no SQL state, since the engine cannot tell which failure a state would belong to.
   * Not logged here: the caller gets the exception and logs it once, where it knows what to do.
   */
  private static RuntimeException storeFailure(RuntimeException e, StoreException.Outcome outcome) {
    if (e instanceof CreditsException credits) {
      return credits;
    }
    return new StoreException("store failed: " + e, null, outcome, e);
  }

  private static void requireKey(@Nullable IdempotencyKey key) {
    if (key == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "idempotency key must not be null");
    }
    if (key.isReserved()) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "idempotency keys starting with "
          + IdempotencyKey.RESERVED_PREFIX + " are reserved for the library's own changes, was " + key.value());
    }
  }

  private static void requireAccount(@Nullable AccountId account) {
    if (account == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ACCOUNT_ID, "account id must not be null");
    }
  }

  private static void requireHold(@Nullable HoldId hold) {
    if (hold == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_HOLD_ID, "hold id must not be null");
    }
  }

  public boolean openAccount(AccountId account, IdempotencyKey key) {
    requireAccount(account);
    requireKey(key);
    for (int attempt = 1; attempt <= config.maxCommitAttempts(); attempt++) {
      Optional<IdempotencyRecord> record = storeCall(() -> store.findIdempotencyRecord(account, key));
      if (record.isPresent()) {
        if (!record.get().operation().equals("open")) {
          throw new IdempotencyConflictException(key, "operation", record.get().operation(), "open");
        }
        return true;
      }
      Instant now = clock.instant();
      if (storeCall(() -> store.load(account, HoldSelection.overdueAt(now))).isPresent()) {
        return false;
      }
      AccountTx tx = new AccountTx(account, now);
      AccountChange change = tx.toChange(new IdempotencyRecord(key, "open", "", "created=true\n", now));
      CommitOutcome outcome = commit(change);
      if (outcome != CommitOutcome.CONFLICT) {
        if (snapshots != null && outcome == CommitOutcome.COMMITTED) {
          snapshots.committed(null, tx.after(change, SNAPSHOT_CACHE_HOLDS));
        }
        LOG.debug("account {} opened", account);
        return true;
      }
      backoff(attempt);
    }
    throw new ConcurrentUpdateException(account, config.maxCommitAttempts());
  }

  public GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      Map<String, String> metadata, IdempotencyKey key) {
    return grant(account, source, amount, null, expiresAt, metadata, key);
  }

  /**
   * Grants a lot whose credits start to count at {@code startsAt} (null or not after now: at once).
   *
   * @param account the account
   * @param source the source
   * @param amount credits
   * @param startsAt the start, or null for now
   * @param expiresAt the expiry, or null for never
   * @param metadata description
   * @param key idempotency key
   * @return the receipt
   */
  public GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant startsAt,
      @Nullable Instant expiresAt, Map<String, String> metadata, IdempotencyKey key) {
    requireAccount(account);
    requireKey(key);
    if (source == null || amount == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "source and amount must not be null");
    }
    if (amount.isZero()) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "a grant must be for a positive amount, was 0");
    }
    Instants.requireKeepable("expiry", expiresAt);
    Instants.requireKeepable("start", startsAt);
    if (startsAt != null && expiresAt != null && !expiresAt.isAfter(startsAt)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "expiry " + expiresAt + " is not after the start " + startsAt);
    }
    Map<String, String> meta = HoldRequest.checkMetadata(metadata);
    FieldCodec.Fields fields = FieldCodec.fields().add("source", source).add("amount", amount.value())
        .addNullable("expiresAt", expiresAt).addMap("metadata", meta);
    if (startsAt != null) {
      // Only when named, so that the keys of grants made before starts existed replay as they did.
      fields.add("startsAt", startsAt);
    }
    return execute(account, key, Operation.of("grant", fields.encode(), tx -> {
      if (expiresAt != null && !expiresAt.isAfter(tx.now())) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
            "expiry " + expiresAt + " is not after now (" + tx.now() + ")");
      }
      // A start not after now is now: the lot counts at once, as a plain grant's does.
      Instant start = startsAt != null && Instants.micros(startsAt).isAfter(tx.now()) ? Instants.micros(startsAt)
          : tx.now();
      Map<String, String> described = meta;
      if (start.isAfter(tx.now())) {
        Map<String, String> m = new java.util.TreeMap<>(meta);
        m.put("startsAt", start.toString());
        described = Map.copyOf(m);
      }
      LotId lot = tx.grant(source, amount.value(), start, expiresAt, key, described);
      return new GrantReceipt(account, lot, source, amount.value(), start, Instants.nullableMicros(expiresAt));
    }, Results::encodeGrant, encoded -> Results.decodeGrant(account, encoded)));
  }

  /**
   * Voids what remains of a lot; see {@link io.preprompt.credits.CreditService#voidGrant}.
   *
   * @param account the account
   * @param lot the lot
   * @param reason why, recorded on the ledger
   * @param key idempotency key
   * @return what was voided and what was not
   */
  public GrantVoid voidGrant(AccountId account, LotId lot, String reason, IdempotencyKey key) {
    requireAccount(account);
    requireKey(key);
    requireLot(lot);
    requireReason(reason);
    String fingerprint = FieldCodec.fields().add("lot", lot.value()).add("reason", reason).encode();
    return execute(account, key, Operation.of("void", fingerprint, tx -> {
      AccountTx.MutableLot target = requireLiveLot(tx, lot);
      if (target.remaining() == 0) {
        throw new StateException(ErrorCode.LOT_ENDED, "lot " + lot + " of account " + account.value()
            + " has no credits left to void (voided already, spent, held or expired)");
      }
      long held = target.reserved();
      long used = target.base.granted() - target.remaining() - held;
      long voided = tx.voidLot(target, key, Map.of("void", "true", "reason", reason));
      return new GrantVoid(account, lot, target.source(), voided, held, used, tx.now());
    }, Results::encodeVoid, encoded -> Results.decodeVoid(account, encoded)));
  }

  /**
   * Changes a lot's expiry; see {@link io.preprompt.credits.CreditService#changeExpiry}.
   *
   * @param account the account
   * @param lot the lot
   * @param expiresAt the new expiry, or null for never
   * @param reason why, recorded on the ledger
   * @param key idempotency key
   * @return the previous and the new expiry
   */
  public ExpiryChange changeExpiry(AccountId account, LotId lot, @Nullable Instant expiresAt, String reason,
      IdempotencyKey key) {
    requireAccount(account);
    requireKey(key);
    requireLot(lot);
    requireReason(reason);
    Instants.requireKeepable("expiry", expiresAt);
    String fingerprint = FieldCodec.fields().add("lot", lot.value()).addNullable("expiresAt", expiresAt)
        .add("reason", reason).encode();
    return execute(account, key, Operation.of("changeExpiry", fingerprint, tx -> {
      AccountTx.MutableLot target = requireLiveLot(tx, lot);
      Instant previous = target.expiresAt();
      if (target.expiredAt(tx.now())) {
        throw new StateException(ErrorCode.LOT_ENDED, "lot " + lot + " of account " + account.value()
            + " expired at " + previous + " (or was voided); its expiry can no longer change");
      }
      Instant next = Instants.nullableMicros(expiresAt);
      if (next != null && !next.isAfter(tx.now())) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
            "expiry " + next + " is not after now (" + tx.now() + "); to end a lot now, void it");
      }
      if (next != null && !next.isAfter(target.base.grantedAt())) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
            "expiry " + next + " is not after the lot's start " + target.base.grantedAt());
      }
      if (Objects.equals(previous, next)) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
            "lot " + lot + " already expires at " + (next == null ? "never" : next));
      }
      Map<String, String> meta = Map.of("previousExpiry", previous == null ? "never" : previous.toString(),
          "newExpiry", next == null ? "never" : next.toString(), "reason", reason);
      tx.changeExpiry(target, next, key, meta);
      return new ExpiryChange(account, lot, target.source(), previous, next, tx.now());
    }, Results::encodeExpiryChange, encoded -> Results.decodeExpiryChange(account, encoded)));
  }

  /**
   * Finds a live lot, or explains why there is none: a lot the account was granted but that has
   * nothing left ({@link ErrorCode#LOT_ENDED}), or none at all ({@link ErrorCode#LOT_NOT_FOUND}).
   * A lot's id is the sequence of its grant's entry, so one ledger entry tells them apart.
   */
  private AccountTx.MutableLot requireLiveLot(AccountTx tx, LotId lot) {
    AccountTx.MutableLot live = tx.liveLot(lot);
    if (live != null) {
      return live;
    }
    if (lot.value() <= tx.lastSequence()) {
      List<LedgerEntry> at = storeCall(() -> store.readLedger(tx.account(), LedgerQuery.after(lot.value() - 1, 1)));
      if (!at.isEmpty() && at.get(0).sequence() == lot.value() && at.get(0).type() == EntryType.GRANT) {
        throw new StateException(ErrorCode.LOT_ENDED, "lot " + lot + " of account " + tx.account().value()
            + " has no credits left (voided, spent, expired or taken back)");
      }
    }
    throw new StateException(ErrorCode.LOT_NOT_FOUND, "account " + tx.account().value() + " has no lot " + lot);
  }

  private static void requireLot(@Nullable LotId lot) {
    if (lot == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "lot id must not be null");
    }
  }

  private static void requireReason(@Nullable String reason) {
    if (reason == null || reason.isBlank() || reason.length() > HoldRequest.MAX_METADATA_LENGTH) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "reason must be non-blank and at most " + HoldRequest.MAX_METADATA_LENGTH + " chars");
    }
  }

  public Hold hold(HoldRequest request) {
    if (request == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "hold request must not be null");
    }
    Duration ttl = request.ttl() == null ? config.defaultHoldTtl() : request.ttl();
    if (ttl.compareTo(config.maxHoldTtl()) > 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "hold ttl " + ttl + " exceeds the maximum " + config.maxHoldTtl());
    }
    String fingerprint = FieldCodec.fields().add("amount", request.amount().value())
        .add("ttl", request.ttl() == null ? "default" : request.ttl().toString())
        .addMap("metadata", request.metadata()).encode();
    return execute(request.account(), request.key(), Operation.of("hold", fingerprint,
        tx -> tx.hold(holdIds.get(), request.amount().value(), tx.now().plus(ttl), request.key(), request.metadata()),
        Results::encodeHold, encoded -> Results.decodeHold(request.account(), encoded)));
  }

  /** Tells whether the store now holds a newer version of the account than the copy was read at. */
  private boolean olderThanStored(AccountSnapshot snapshot, Instant now) {
    Optional<AccountSnapshot> stored = storeCall(() -> store.load(snapshot.account().id(), HoldSelection.overdueAt(now)));
    return stored.isPresent() && stored.get().account().version() != snapshot.account().version();
  }

  /**
   * Finds the active hold in the working copy, read with it because the operation names it
   * ({@link Operation#hold()}), or explains why it is not active.
   *
   * @param tx the working copy
   * @param id the hold
   * @return the active hold
   * @throws HoldStateException when it ended
   * @throws UnknownHoldException when the account has no such hold
   */
  static Hold requireActiveHold(AccountTx tx, HoldId id) {
    Hold hold = tx.knownHold(id);
    if (hold == null) {
      throw new UnknownHoldException(tx.account(), id);
    }
    if (hold.state() != HoldState.ACTIVE) {
      throw new HoldStateException(id, hold.state());
    }
    return hold;
  }

  public Settlement settle(AccountId account, HoldId hold, CreditAmount amount, Map<String, String> metadata,
      IdempotencyKey key) {
    if (amount == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT,
          "a settle needs the amount to spend; settleAll settles the whole hold");
    }
    return settleOrAll(account, hold, amount, metadata, key);
  }

  public Settlement settleAll(AccountId account, HoldId hold, Map<String, String> metadata, IdempotencyKey key) {
    return settleOrAll(account, hold, null, metadata, key);
  }

  private Settlement settleOrAll(AccountId account, HoldId hold, @Nullable CreditAmount amount,
      Map<String, String> metadata, IdempotencyKey key) {
    requireAccount(account);
    requireHold(hold);
    requireKey(key);
    if (amount != null && amount.isZero()) {
      // Settling nothing is a release: a zero here is far more often a missing cost than a choice.
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT,
          "a settle must be for a positive amount, was 0; release the hold to return everything");
    }
    Map<String, String> meta = HoldRequest.checkMetadata(metadata);
    String fingerprint = FieldCodec.fields().add("hold", hold).add("amount", amount == null ? "full" : amount.toString())
        .addMap("metadata", meta).encode();
    return execute(account, key, Operation.of("settle", fingerprint, hold, tx -> {
      Hold active = requireActiveHold(tx, hold);
      long settle = amount == null ? active.amount() : amount.value();
      if (settle > active.amount()) {
        OveragePolicy policy = overageOf(tx);
        long extra = settle - active.amount();
        if (policy.mode() == OveragePolicy.Mode.REFUSE && tx.available() < extra) {
          throw new InsufficientCreditsException(account, Math.max(0, tx.available()), extra);
        }
        long[] over = tx.settleOver(active, settle, policy, key, meta);
        long charged = active.amount() + over[0] + over[1];
        return new Settlement(account, hold, charged, 0, 0, tx.now(), settle, settle - charged, over[1]);
      }
      long expiredBefore = tx.expiredTotal();
      long returned = tx.endHold(active, HoldState.SETTLED, settle, key, meta);
      return new Settlement(account, hold, settle, returned, tx.expiredTotal() - expiredBefore, tx.now());
    }, Results::encodeSettlement, encoded -> Results.decodeSettlement(account, encoded)));
  }

  public Release release(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    return release(account, hold, reason, Map.of(), key);
  }

  /**
   * Grows an active hold; see {@link io.preprompt.credits.CreditService#extend}.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param more credits to add
   * @param ttl how long from now the hold may stay unanswered at least, or null to keep its deadline
   * @param metadata more description for the ledger (checked like hold metadata)
   * @param key idempotency key
   * @return the grown hold
   */
  public Hold extend(AccountId account, HoldId hold, CreditAmount more, @Nullable Duration ttl,
      Map<String, String> metadata, IdempotencyKey key) {
    requireAccount(account);
    requireHold(hold);
    requireKey(key);
    if (more == null || more.isZero()) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT,
          "an extension must add a positive amount, was " + (more == null ? "null" : "0"));
    }
    if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(config.maxHoldTtl()) > 0)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "an extension's ttl must be positive and at most " + config.maxHoldTtl() + ", was " + ttl);
    }
    Map<String, String> meta = HoldRequest.checkMetadata(metadata);
    FieldCodec.Fields fields = FieldCodec.fields().add("hold", hold).add("more", more.value())
        .add("ttl", ttl == null ? "keep" : ttl.toString());
    if (!meta.isEmpty()) {
      fields.addMap("metadata", meta);
    }
    Map<String, String> described;
    if (meta.isEmpty()) {
      described = Map.of("extendedBy", Long.toString(more.value()));
    } else {
      Map<String, String> m = new java.util.TreeMap<>(meta);
      m.put("extendedBy", Long.toString(more.value()));
      described = Map.copyOf(m);
    }
    return execute(account, key, Operation.of("extend", fields.encode(), hold, tx -> {
      Hold active = requireActiveHold(tx, hold);
      return tx.extendHold(active, more.value(), ttl == null ? null : tx.now().plus(ttl), key, described);
    }, Results::encodeHold, encoded -> Results.decodeHold(account, encoded)));
  }

  /**
   * Sets an account's own overage policy; see {@link io.preprompt.credits.CreditService#setOveragePolicy}.
   *
   * @param account the account
   * @param policy the policy
   * @param key idempotency key
   * @return the policy set
   */
  public OveragePolicy setOveragePolicy(AccountId account, OveragePolicy policy, IdempotencyKey key) {
    requireAccount(account);
    requireKey(key);
    if (policy == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "an overage policy is required");
    }
    String fingerprint = FieldCodec.fields().add("policy", policy.toString()).encode();
    return execute(account, key, Operation.of("setOveragePolicy", fingerprint, tx -> {
      tx.setOverage(policy);
      return policy;
    }, OveragePolicy::toString, OveragePolicy::parse));
  }

  /**
   * Returns the overage policy that applies to an account now.
   *
   * @param account the account
   * @return its own, else its tier's, else the configured one
   */
  public OveragePolicy overagePolicy(AccountId account) {
    return overageOf(readView(account));
  }

  /**
   * Releases a hold, recording extra description (for example the gate's outcome) on its entries.
   *
   * @param account the account
   * @param hold the hold
   * @param reason why, recorded on the ledger
   * @param extra more description for the ledger (checked like hold metadata)
   * @param key idempotency key
   * @return the release
   */
  Release release(AccountId account, HoldId hold, String reason, Map<String, String> extra,
      IdempotencyKey key) {
    requireAccount(account);
    requireHold(hold);
    requireKey(key);
    if (reason == null || reason.length() > HoldRequest.MAX_METADATA_LENGTH) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "release reason must be non-null and at most " + HoldRequest.MAX_METADATA_LENGTH + " chars");
    }
    Map<String, String> described = HoldRequest.checkMetadata(extra);
    Map<String, String> meta;
    if (described.isEmpty()) {
      meta = reason.isEmpty() ? Map.of() : Map.of("reason", reason);
    } else {
      Map<String, String> m = new java.util.TreeMap<>(described);
      if (!reason.isEmpty()) {
        m.put("reason", reason);
      }
      meta = Map.copyOf(m);
    }
    FieldCodec.Fields fields = FieldCodec.fields().add("hold", hold).add("reason", reason);
    if (!described.isEmpty()) {
      fields.addMap("extra", described);
    }
    return execute(account, key, Operation.of("release", fields.encode(), hold, tx -> {
      Hold active = requireActiveHold(tx, hold);
      long expiredBefore = tx.expiredTotal();
      long returned = tx.endHold(active, HoldState.RELEASED, 0, key, meta);
      return new Release(account, hold, returned, tx.expiredTotal() - expiredBefore, tx.now());
    }, Results::encodeRelease, encoded -> Results.decodeRelease(account, encoded)));
  }

  /**
   * Loads a working copy with lazy expiry applied, for reads (nothing is committed).
   *
   * @param account the account
   * @return the working copy
   * @throws UnknownAccountException when the account does not exist
   */
  AccountTx readView(AccountId account) {
    requireAccount(account);
    Instant now = clock.instant();
    AccountSnapshot snapshot = storeCall(() -> store.load(account, HoldSelection.overdueAt(now)))
        .orElseThrow(() -> new UnknownAccountException(account));
    AccountTx tx = new AccountTx(snapshot, now);
    tx.applyDueExpiry();
    return tx;
  }

  public BalanceView balance(AccountId account) {
    AccountTx tx = readView(account);
    return tx.view(tx.storedVersion());
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    requireAccount(account);
    requireHold(hold);
    Optional<Hold> stored = storeCall(() -> store.findHold(account, hold));
    Instant now = clock.instant();
    return stored.map(h -> h.state() == HoldState.ACTIVE && now.isAfter(h.deadline())
        ? new Hold(h.id(), h.account(), h.amount(), HoldState.EXPIRED, h.createdAt(), h.deadline(), 0, now,
            h.metadata(), h.allocations())
        : h);
  }

  @Override
  public LedgerPage history(AccountId account, LedgerQuery query) {
    requireAccount(account);
    if (query == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "query must not be null");
    }
    // History decides nothing: the store may read it from a replica (see CreditStore#readHistory).
    List<LedgerEntry> entries = storeCall(() -> store.readHistory(account, query));
    if (entries.isEmpty() && storeCall(() -> store.load(account, HoldSelection.overdueAt(clock.instant()))).isEmpty()) {
      throw new UnknownAccountException(account);
    }
    Optional<LedgerQuery> next = entries.size() < query.limit() ? Optional.empty()
        : Optional.of(query.continueAfter(entries.get(entries.size() - 1).sequence()));
    return new LedgerPage(entries, next);
  }

  public Reconciliation reconcile(AccountId account) {
    requireAccount(account);
    AccountSnapshot snapshot = storeCall(() -> store.load(account, HoldSelection.allActive()))
        .orElseThrow(() -> new UnknownAccountException(account));
    return Reconciler.reconcile(snapshot, after -> storeCall(() -> store.readLedger(account, LedgerQuery.after(after, RECONCILE_PAGE))));
  }

  public SweepReport sweep() {
    Instant now = clock.instant();
    Set<AccountId> accounts = new LinkedHashSet<>();
    for (HoldRef ref : storeCall(() -> store.findHoldsPastDeadline(now, config.sweepBatchSize()))) {
      accounts.add(ref.account());
    }
    accounts.addAll(storeCall(() -> store.findAccountsWithExpiredLots(now, config.sweepBatchSize())));
    int holds = 0;
    int lots = 0;
    int touched = 0;
    for (AccountId account : accounts) {
      try {
        int[] r = execute(account, null, new ExpireOperation());
        holds += r[0];
        lots += r[1];
        if (r[0] + r[1] > 0) {
          touched++;
        }
      } catch (CreditsException e) {
        LOG.warn("sweep could not expire account {}: {}", account, e.getMessage());
      }
    }
    return new SweepReport(holds, lots, touched);
  }

  /** The sweep's operation: lazy expiry has already done the work when {@code apply} runs. */
  private static final class ExpireOperation implements Operation<int[]> {
    @Override
    public String name() {
      return "expire";
    }

    @Override
    public String fingerprint() {
      return "";
    }

    @Override
    public int[] apply(AccountTx tx) {
      return new int[] {tx.holdsExpired(), tx.lotsExpired()};
    }

    @Override
    public String encode(int[] result) {
      throw new UnsupportedOperationException("expiry is never keyed");
    }

    @Override
    public int[] decode(String encoded) {
      throw new UnsupportedOperationException("expiry is never keyed");
    }
  }
}
