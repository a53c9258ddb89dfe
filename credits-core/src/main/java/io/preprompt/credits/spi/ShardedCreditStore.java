package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A store that spreads accounts over several stores (databases): each account belongs to one of a
 * fixed number of <em>logical shards</em>, and each logical shard is mapped to one store. Every
 * call about one account goes to its shard's store, so each account, with its lots, holds, ledger
 * and idempotency keys, lives whole in one database and every commit stays a single-database
 * transaction. The sweeps ({@link #findHoldsPastDeadline}, {@link #findAccountsWithExpiredLots},
 * {@link #findAccountsWithPlanDue}) ask every store and merge the answers within the limit. It
 * decides nothing: core applies every rule, as with any store.
 *
 * <p><b>The shard of an account</b> is {@link #logicalShardOf(AccountId, int)}: the 32-bit FNV-1a
 * hash (offset basis {@code 0x811C9DC5}, prime {@code 0x01000193}) of the UTF-8 bytes of the
 * account id's value, read as an unsigned number, modulo the number of logical shards. The hash and
 * the number of logical shards must never change once accounts exist (an account would be looked
 * for on another shard); choose the number generously (for example 256) and move logical shards
 * between databases instead, by changing the map. A shard's data is moved before its entry in the
 * map changes (see the JDBC adapter's README).
 *
 * <p>Many logical shards may map to one store; the sweeps ask each distinct store once, and drop
 * any account a store returns whose logical shard is mapped to another store (a copy left behind by
 * a move).
 *
 * <p>Thread-safe when the stores are.
 */
public final class ShardedCreditStore implements CreditStore {
  /** The most logical shards a router takes. */
  public static final int MAX_LOGICAL_SHARDS = 65_536;

  private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
  private static final int FNV_PRIME = 0x01000193;
  private static final HoldSelection NO_HOLDS = new HoldSelection(Set.of(), Instant.EPOCH);

  private final CreditStore[] byShard;
  private final List<CreditStore> distinct;
  private final AtomicInteger rotation = new AtomicInteger();
  private final ThreadLocal<@Nullable CreditStore> lastWritten = new ThreadLocal<>();

  private ShardedCreditStore(CreditStore[] byShard) {
    this.byShard = byShard;
    Map<CreditStore, Boolean> seen = new IdentityHashMap<>();
    List<CreditStore> stores = new ArrayList<>();
    for (CreditStore store : byShard) {
      if (seen.put(store, Boolean.TRUE) == null) {
        stores.add(store);
      }
    }
    this.distinct = List.copyOf(stores);
  }

  /**
   * Creates a router from a complete map of logical shards to stores.
   *
   * @param logicalShards the number of logical shards, 1 to {@link #MAX_LOGICAL_SHARDS}
   * @param stores the store of every logical shard {@code 0 .. logicalShards - 1}
   * @return the router
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the number is
   *     out of range, a logical shard has no store, or a key is not a logical shard
   */
  public static ShardedCreditStore of(int logicalShards, Map<Integer, ? extends CreditStore> stores) {
    Objects.requireNonNull(stores, "stores");
    Builder builder = builder(logicalShards);
    for (Map.Entry<Integer, ? extends CreditStore> e : stores.entrySet()) {
      builder.shard(Objects.requireNonNull(e.getKey(), "logical shard"), e.getValue());
    }
    return builder.build();
  }

  /**
   * Starts a router over a fixed number of logical shards, each of which must be given a store.
   *
   * @param logicalShards the number of logical shards, 1 to {@link #MAX_LOGICAL_SHARDS}; it must
   *     never change once accounts exist
   * @return the builder
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the number is
   *     out of range
   */
  public static Builder builder(int logicalShards) {
    if (logicalShards < 1 || logicalShards > MAX_LOGICAL_SHARDS) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "logical shards must be 1 to " + MAX_LOGICAL_SHARDS + ", was " + logicalShards);
    }
    return new Builder(logicalShards);
  }

  /**
   * The logical shard of an account: the unsigned 32-bit FNV-1a hash of the UTF-8 bytes of its id's
   * value, modulo {@code logicalShards}. Fixed forever: stored accounts are found by it.
   *
   * @param account the account
   * @param logicalShards the number of logical shards, 1 to {@link #MAX_LOGICAL_SHARDS}
   * @return the logical shard, {@code 0 .. logicalShards - 1}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the number is
   *     out of range
   */
  public static int logicalShardOf(AccountId account, int logicalShards) {
    if (logicalShards < 1 || logicalShards > MAX_LOGICAL_SHARDS) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "logical shards must be 1 to " + MAX_LOGICAL_SHARDS + ", was " + logicalShards);
    }
    int hash = FNV_OFFSET_BASIS;
    for (byte b : account.value().getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xFF;
      hash *= FNV_PRIME;
    }
    return Integer.remainderUnsigned(hash, logicalShards);
  }

  /**
   * The number of logical shards.
   *
   * @return the number, fixed at construction
   */
  public int logicalShards() {
    return byShard.length;
  }

  /**
   * The logical shard of an account under this router.
   *
   * @param account the account
   * @return its logical shard
   */
  public int logicalShardOf(AccountId account) {
    return logicalShardOf(account, byShard.length);
  }

  /**
   * The store an account lives in.
   *
   * @param account the account
   * @return its logical shard's store
   */
  public CreditStore storeOf(AccountId account) {
    return byShard[logicalShardOf(account)];
  }

  /**
   * The distinct stores, in the order of their first logical shard.
   *
   * @return the stores the sweeps ask
   */
  public List<CreditStore> stores() {
    return distinct;
  }

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    return storeOf(account).load(account, holds);
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    return storeOf(account).findIdempotencyRecord(account, key);
  }

  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
    return storeOf(account).readForCall(account, key, holds);
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return storeOf(account).findHold(account, hold);
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    CreditStore store = storeOf(change.account().id());
    lastWritten.set(store);
    return store.commit(change);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks the store the calling thread last committed to, which holds what it wrote; runs the
   * action at once when the thread has written nothing through this router.
   */
  @Override
  public void whenDurable(Runnable action) {
    CreditStore store = lastWritten.get();
    if (store == null) {
      action.run();
    } else {
      store.whenDurable(action);
    }
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    return storeOf(account).readLedger(account, query);
  }

  @Override
  public List<LedgerEntry> readHistory(AccountId account, LedgerQuery query) {
    return storeOf(account).readHistory(account, query);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks every store for {@code limit} holds and keeps the {@code limit} oldest deadlines of all.
   */
  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    List<HoldRef> all = new ArrayList<>();
    for (CreditStore store : distinct) {
      for (HoldRef ref : store.findHoldsPastDeadline(now, limit)) {
        if (storeOf(ref.account()) == store) {
          all.add(ref);
        }
      }
    }
    all.sort(Comparator.comparing(HoldRef::deadline));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks every store for {@code limit} accounts and takes them in turn, one store after the
   * other, starting at a store that moves on with every call: when every store has work, each gets
   * its share of the limit, and none is left out for long when the limit is below the number of
   * stores.
   */
  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    int n = distinct.size();
    int start = Math.floorMod(rotation.getAndIncrement(), n);
    List<List<AccountId>> answers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      CreditStore store = distinct.get((start + i) % n);
      List<AccountId> mine = new ArrayList<>();
      for (AccountId id : store.findAccountsWithExpiredLots(now, limit)) {
        if (storeOf(id) == store) {
          mine.add(id);
        }
      }
      answers.add(mine);
    }
    List<AccountId> merged = new ArrayList<>();
    for (int round = 0; merged.size() < limit; round++) {
      boolean any = false;
      for (List<AccountId> answer : answers) {
        if (round < answer.size() && merged.size() < limit) {
          merged.add(answer.get(round));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    return Collections.unmodifiableList(merged);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks every store for {@code limit} accounts, soonest first, and merges the lists by due time:
   * the stores return ids only, so the router reads the account row of the head of each list as the
   * merge reaches it (at most {@code limit} plus the number of stores reads). An account whose due
   * time was cleared meanwhile keeps its place at {@code now}.
   */
  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    if (distinct.size() == 1) {
      return distinct.get(0).findAccountsWithPlanDue(now, limit);
    }
    List<List<AccountId>> answers = new ArrayList<>();
    for (CreditStore store : distinct) {
      List<AccountId> mine = new ArrayList<>();
      for (AccountId id : store.findAccountsWithPlanDue(now, limit)) {
        if (storeOf(id) == store) {
          mine.add(id);
        }
      }
      answers.add(mine);
    }
    PriorityQueue<Head> heads = new PriorityQueue<>(
        Comparator.comparing(Head::due).thenComparingInt(Head::source));
    for (int s = 0; s < answers.size(); s++) {
      if (!answers.get(s).isEmpty()) {
        heads.add(head(answers, s, 0, now));
      }
    }
    Map<AccountId, Boolean> merged = new LinkedHashMap<>();
    while (merged.size() < limit && !heads.isEmpty()) {
      Head h = heads.poll();
      merged.put(h.id(), Boolean.TRUE);
      int next = h.index() + 1;
      if (next < answers.get(h.source()).size()) {
        heads.add(head(answers, h.source(), next, now));
      }
    }
    return List.copyOf(merged.keySet());
  }

  private Head head(List<List<AccountId>> answers, int source, int index, Instant now) {
    AccountId id = answers.get(source).get(index);
    Instant due = storeOf(id).load(id, NO_HOLDS).map(s -> s.account().planDueAt()).orElse(null);
    return new Head(due == null ? now : due, source, index, id);
  }

  /** The next account of one store's answer, with its due time. */
  private record Head(Instant due, int source, int index, AccountId id) {}

  /** Collects the map of logical shards to stores; {@link #build()} checks it is complete. */
  public static final class Builder {
    private final @Nullable CreditStore[] byShard;

    private Builder(int logicalShards) {
      this.byShard = new CreditStore[logicalShards];
    }

    /**
     * Maps one logical shard to a store.
     *
     * @param logicalShard the logical shard
     * @param store its store
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the shard is
     *     out of range or already mapped
     */
    public Builder shard(int logicalShard, CreditStore store) {
      return shards(logicalShard, logicalShard + 1, store);
    }

    /**
     * Maps a range of logical shards to a store.
     *
     * @param fromInclusive the first logical shard of the range
     * @param toExclusive the logical shard after the range's last
     * @param store their store
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the range is
     *     empty, out of range, or overlaps a shard already mapped
     */
    public Builder shards(int fromInclusive, int toExclusive, CreditStore store) {
      Objects.requireNonNull(store, "store");
      if (fromInclusive < 0 || toExclusive > byShard.length || fromInclusive >= toExclusive) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "logical shards [" + fromInclusive + ", "
            + toExclusive + ") are not a non-empty range within [0, " + byShard.length + ")");
      }
      for (int s = fromInclusive; s < toExclusive; s++) {
        if (byShard[s] != null) {
          throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "logical shard " + s
              + " is mapped twice (range [" + fromInclusive + ", " + toExclusive + ") overlaps an earlier one)");
        }
      }
      for (int s = fromInclusive; s < toExclusive; s++) {
        byShard[s] = store;
      }
      return this;
    }

    /**
     * Builds the router.
     *
     * @return the router
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when a logical
     *     shard has no store
     */
    public ShardedCreditStore build() {
      CreditStore[] stores = new CreditStore[byShard.length];
      for (int s = 0; s < byShard.length; s++) {
        CreditStore store = byShard[s];
        if (store == null) {
          throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "logical shard " + s + " has no store");
        }
        stores[s] = store;
      }
      return new ShardedCreditStore(stores);
    }
  }
}
