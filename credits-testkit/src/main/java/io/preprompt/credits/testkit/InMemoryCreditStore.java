package io.preprompt.credits.testkit;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe in-memory {@link CreditStore} for tests and single-process use. Each account is
 * guarded by its own monitor; commits check the expected version and the idempotency key before
 * writing anything, so a refused commit leaves no trace. Overdue holds and expiring lots are kept
 * in sorted indexes, so the sweep queries do not scan every account.
 */
public final class InMemoryCreditStore implements CreditStore {

  private record Due(Instant at, String account, String id) {}

  private static final Comparator<Due> DUE_ORDER =
      Comparator.comparing(Due::at).thenComparing(Due::account).thenComparing(Due::id);

  /**
   * An account's live lots: a handful, so an array searched in place. The array follows the changes'
   * deltas (new and changed lots), so it checks the complete list each change also carries; reads
   * return that list as it is.
   */
  private static final class LiveLots {
    private Lot[] lots = new Lot[4];
    private int count;
    /** The live lots as the last change listed them ({@link AccountChange#lots()}): what a read returns. */
    private List<Lot> listed = List.of();

    int size() {
      return count;
    }

    private int indexOf(LotId id) {
      for (int i = 0; i < count; i++) {
        if (lots[i].id().equals(id)) {
          return i;
        }
      }
      return -1;
    }

    boolean containsKey(LotId id) {
      return indexOf(id) >= 0;
    }

    @Nullable Lot get(LotId id) {
      int i = indexOf(id);
      return i < 0 ? null : lots[i];
    }

    void put(LotId id, Lot lot) {
      int i = indexOf(id);
      if (i >= 0) {
        lots[i] = lot;
        return;
      }
      if (count == lots.length) {
        lots = Arrays.copyOf(lots, count * 2);
      }
      lots[count++] = lot;
    }

    void remove(LotId id) {
      int i = indexOf(id);
      if (i >= 0) {
        lots[i] = lots[--count];
        lots[count] = null;
      }
    }

    List<Lot> list() {
      return listed;
    }

    void listed(List<Lot> list) {
      this.listed = list;
    }

    Map<LotId, Lot> asMap() {
      Map<LotId, Lot> out = new HashMap<>();
      for (int i = 0; i < count; i++) {
        out.put(lots[i].id(), lots[i]);
      }
      return out;
    }
  }

  private static final class AccountData {
    AccountRecord record;
    final LiveLots liveLots = new LiveLots();
    /**
     * Every hold ever placed, as placed. How a hold ended (state, settled, end time) is kept in
     * columns by position, and the ended hold rebuilt when read: the placed hold object is shared
     * with the idempotency record of the call that placed it, so ending it costs no second object
     * kept for good.
     */
    final KeyedTable<HoldId, Hold> holds = new KeyedTable<>(Hold::id);
    private static final HoldState[] STATES = HoldState.values();
    private static final int END_SHIFT = 12;
    private static final int END_CHUNK = 1 << END_SHIFT;
    /** The end columns in chunks by position, made when a hold in their range first ends. */
    HoldEnds[] ends = new HoldEnds[1];
    /** Positions in {@link #holds} of the active holds: few, so searched in place. */
    int[] active = new int[4];
    /** The active holds themselves, in the order of {@link #active}: found without table look-ups. */
    Hold[] activeHold = new Hold[4];
    int activeCount;
    /** The active holds as the last change listed them ({@link AccountChange#activeHolds()}): what a read returns. */
    List<Hold> activeList = List.of();
    /**
     * The time this account is filed under in {@link #holdsDue}, or null when it is not: never
     * after the deadline of any of its active holds (see {@link #findHoldsPastDeadline}).
     */
    @Nullable Instant holdsDueMark;
    final Ledger ledger = new Ledger();
    final KeyedTable<IdempotencyKey, IdempotencyRecord> keys = new KeyedTable<>(IdempotencyRecord::key);

    AccountData(AccountRecord record) {
      this.record = record;
    }

    /** Returns the index in {@link #active} of an active hold, or -1. */
    int activeIndex(HoldId id) {
      for (int i = 0; i < activeCount; i++) {
        if (activeHold[i].id().equals(id)) {
          return i;
        }
      }
      return -1;
    }

    List<Hold> activeHolds() {
      return activeList;
    }

    /** Returns the hold at a position in its current state. */
    Hold hold(int position) {
      Hold placed = holds.at(position);
      int c = position >>> END_SHIFT;
      HoldEnds e = c < ends.length ? ends[c] : null;
      int i = position & (END_CHUNK - 1);
      if (e == null || i >= e.states.length || e.states[i] == 0) {
        return placed;
      }
      return new Hold(placed.id(), placed.account(), placed.amount(), STATES[e.states[i] - 1], placed.createdAt(),
          placed.deadline(), e.settled[i], e.endedAt[i], placed.metadata(), placed.allocations());
    }

    /** Records how the active hold at a position ended. */
    void end(int position, Hold ended) {
      int c = position >>> END_SHIFT;
      if (c >= ends.length) {
        ends = Arrays.copyOf(ends, Math.max(c + 1, ends.length * 2));
      }
      int i = position & (END_CHUNK - 1);
      HoldEnds e = ends[c];
      if (e == null) {
        // The first chunk starts small, so an account with few holds keeps small columns.
        e = ends[c] = new HoldEnds(c == 0 ? Math.max(8, Integer.highestOneBit(i) * 2) : END_CHUNK);
      } else if (i >= e.states.length) {
        e.grow(Math.min(END_CHUNK, Math.max(i + 1, e.states.length * 2)));
      }
      e.states[i] = (byte) (ended.state().ordinal() + 1);
      e.settled[i] = ended.settled();
      e.endedAt[i] = ended.endedAt();
    }

    /** How the holds in one chunk of positions ended. */
    private static final class HoldEnds {
      /** 0 while active, else the terminal state's ordinal + 1. */
      byte[] states;
      long[] settled;
      @Nullable Instant[] endedAt;

      HoldEnds(int capacity) {
        states = new byte[capacity];
        settled = new long[capacity];
        endedAt = new Instant[capacity];
      }

      void grow(int capacity) {
        states = Arrays.copyOf(states, capacity);
        settled = Arrays.copyOf(settled, capacity);
        endedAt = Arrays.copyOf(endedAt, capacity);
      }
    }

    Map<HoldId, Hold> allHolds() {
      Map<HoldId, Hold> out = new HashMap<>();
      for (int i = 0; i < holds.size(); i++) {
        out.put(holds.at(i).id(), hold(i));
      }
      return out;
    }

    Map<IdempotencyKey, IdempotencyRecord> allKeys() {
      Map<IdempotencyKey, IdempotencyRecord> out = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        out.put(keys.at(i).key(), keys.at(i));
      }
      return out;
    }
  }

  /**
   * An account's ledger in columns: the store keeps every entry for good, and one object per entry
   * (plus its account and sequence, both implied here) is most of what a long-lived store holds and
   * what the collector keeps copying. Entries are rebuilt, equal to the committed ones, when read.
   * The lot, hold, key, time and metadata objects are shared with the hold and the change.
   *
   * <p>The columns are cut in chunks of {@value #CHUNK} entries, so a long ledger grows by adding a
   * chunk instead of copying itself; the first chunk starts small and grows by copying, so a short
   * ledger stays small.
   */
  private static final class Ledger {
    private static final EntryType[] TYPES = EntryType.values();
    private static final LotSource[] SOURCES = LotSource.values();
    private static final int REFS = 5;
    private static final int SHIFT = 12;
    private static final int CHUNK = 1 << SHIFT;

    /** One chunk's columns. */
    private static final class Chunk {
      long[] amounts;
      byte[] types;
      byte[] sources;
      Object[] refs;

      Chunk(int capacity) {
        amounts = new long[capacity];
        types = new byte[capacity];
        sources = new byte[capacity];
        refs = new Object[capacity * REFS];
      }

      void grow(int capacity) {
        amounts = Arrays.copyOf(amounts, capacity);
        types = Arrays.copyOf(types, capacity);
        sources = Arrays.copyOf(sources, capacity);
        refs = Arrays.copyOf(refs, capacity * REFS);
      }
    }

    private int size;
    private Chunk[] chunks = {new Chunk(8)};

    int size() {
      return size;
    }

    /** Appends an entry whose sequence is {@code size() + 1} (checked before the change is applied). */
    void add(LedgerEntry e) {
      int c = size >>> SHIFT;
      int i = size & (CHUNK - 1);
      if (c == chunks.length) {
        chunks = Arrays.copyOf(chunks, c * 2);
      }
      Chunk chunk = chunks[c];
      if (chunk == null) {
        chunk = chunks[c] = new Chunk(CHUNK);
      } else if (i == chunk.amounts.length) {
        chunk.grow(Math.min(CHUNK, i * 2));
      }
      chunk.amounts[i] = e.amount();
      chunk.types[i] = (byte) e.type().ordinal();
      chunk.sources[i] = (byte) e.source().ordinal();
      int r = i * REFS;
      Object[] refs = chunk.refs;
      refs[r] = e.lot();
      refs[r + 1] = e.hold();
      refs[r + 2] = e.key();
      refs[r + 3] = e.at();
      refs[r + 4] = e.metadata();
      size++;
    }

    Instant at(int index) {
      return (Instant) chunks[index >>> SHIFT].refs[(index & (CHUNK - 1)) * REFS + 3];
    }

    @SuppressWarnings("unchecked")
    LedgerEntry get(AccountId account, int index) {
      Chunk chunk = chunks[index >>> SHIFT];
      int i = index & (CHUNK - 1);
      int r = i * REFS;
      Object[] refs = chunk.refs;
      return new LedgerEntry(account, index + 1L, TYPES[chunk.types[i]], chunk.amounts[i], (LotId) refs[r],
          SOURCES[chunk.sources[i]], (HoldId) refs[r + 1], (IdempotencyKey) refs[r + 2], (Instant) refs[r + 3],
          (Map<String, String>) refs[r + 4]);
    }

    List<LedgerEntry> all(AccountId account) {
      List<LedgerEntry> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(get(account, i));
      }
      return List.copyOf(out);
    }
  }

  private final ConcurrentHashMap<AccountId, AccountData> accounts = new ConcurrentHashMap<>();
  /**
   * Accounts that may have holds past their deadline, each filed once under a time no later than
   * its earliest active hold's deadline. Placing an earlier hold files the account earlier; ending
   * holds changes nothing here (the common place-then-settle pair costs no index work), and the
   * query moves an account it finds too early up to its real earliest deadline.
   */
  private final ConcurrentSkipListSet<Due> holdsDue = new ConcurrentSkipListSet<>(DUE_ORDER);
  private final ConcurrentSkipListSet<Due> lotExpiries = new ConcurrentSkipListSet<>(DUE_ORDER);
  private final ConcurrentSkipListSet<Due> planDue = new ConcurrentSkipListSet<>(DUE_ORDER);

  /** Creates an empty store. */
  public InMemoryCreditStore() {}

  @Override
  public Optional<AccountSnapshot> load(AccountId account) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return Optional.empty();
    }
    synchronized (data) {
      return Optional.of(snapshot(data));
    }
  }

  private static AccountSnapshot snapshot(AccountData data) {
    // Immutable copies: AccountSnapshot keeps them as they are instead of copying again.
    return new AccountSnapshot(data.record, data.liveLots.list(), data.activeHolds());
  }

  /** Both reads under one lock, so the record and the account are seen at one moment. */
  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return new KeyedRead(null, null);
    }
    synchronized (data) {
      IdempotencyRecord record = data.keys.get(key);
      return record != null ? new KeyedRead(record, null) : new KeyedRead(null, snapshot(data));
    }
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return Optional.empty();
    }
    synchronized (data) {
      return Optional.ofNullable(data.keys.get(key));
    }
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return Optional.empty();
    }
    synchronized (data) {
      int position = data.holds.positionOf(hold);
      return position < 0 ? Optional.empty() : Optional.of(data.hold(position));
    }
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    AccountId id = change.account().id();
    if (change.expectedVersion() == 0) {
      AccountData fresh = new AccountData(change.account());
      synchronized (fresh) {
        if (!insert(fresh, change, true)) {
          return CommitOutcome.CONFLICT;
        }
        if (accounts.putIfAbsent(id, fresh) != null) {
          return CommitOutcome.CONFLICT;
        }
        apply(fresh, change);
      }
      return CommitOutcome.COMMITTED;
    }
    AccountData data = accounts.get(id);
    if (data == null) {
      return CommitOutcome.CONFLICT;
    }
    synchronized (data) {
      if (data.record.version() != change.expectedVersion() || !insert(data, change, false)) {
        return CommitOutcome.CONFLICT;
      }
      apply(data, change);
    }
    return CommitOutcome.COMMITTED;
  }

  /**
   * Inserts the change's idempotency record and new holds after checking everything that could
   * make the change partially fail; {@link #apply} then writes the rest and cannot fail. The key
   * and hold id checks are the inserts themselves (one probe each in tables that grow with every
   * call), undone when a later check refuses the change, so a refused change leaves no trace.
   *
   * @return false (nothing written) when the key is taken or an ended hold is no longer active
   * @throws IllegalArgumentException (nothing written) when the change is malformed
   */
  private static boolean insert(AccountData data, AccountChange change, boolean creating) {
    IdempotencyRecord record = change.idempotency();
    if (record != null && !data.keys.add(record)) {
      return false;
    }
    int holdsAdded = 0;
    boolean done = false;
    try {
      if (!valid(data, change, creating)) {
        return false;
      }
      List<Hold> newHolds = change.newHolds();
      for (int i = 0; i < newHolds.size(); i++) {
        Hold h = newHolds.get(i);
        if (!data.holds.add(h)) {
          throw new IllegalArgumentException("hold " + h.id() + " already exists");
        }
        holdsAdded++;
      }
      done = true;
      return true;
    } finally {
      if (!done) {
        for (; holdsAdded > 0; holdsAdded--) {
          data.holds.removeLast();
        }
        if (record != null) {
          data.keys.removeLast();
        }
      }
    }
  }

  /** Checks what needs no look-up in the growing tables. */
  private static boolean valid(AccountData data, AccountChange change, boolean creating) {
    long expectedSeq = creating ? 1 : data.record.lastSequence() + 1;
    List<LedgerEntry> entries = change.entries();
    for (int i = 0; i < entries.size(); i++) {
      LedgerEntry e = entries.get(i);
      if (e.sequence() != expectedSeq++ || !e.account().equals(change.account().id())) {
        throw new IllegalArgumentException("ledger entries must continue the account's sequence; got " + e.sequence());
      }
    }
    List<Lot> newLots = change.newLots();
    for (int i = 0; i < newLots.size(); i++) {
      Lot lot = newLots.get(i);
      if (!creating && (data.liveLots.containsKey(lot.id()) || lot.id().value() <= data.record.lastSequence())) {
        throw new IllegalArgumentException("lot " + lot.id() + " already exists");
      }
    }
    List<Hold> newHolds = change.newHolds();
    for (int i = 0; i < newHolds.size(); i++) {
      Hold h = newHolds.get(i);
      if (h.state() != HoldState.ACTIVE) {
        throw new IllegalArgumentException("hold " + h.id() + " is not active");
      }
    }
    List<Hold> endedHolds = change.endedHolds();
    for (int i = 0; i < endedHolds.size(); i++) {
      Hold h = endedHolds.get(i);
      if (data.activeIndex(h.id()) < 0 || !h.state().isTerminal()) {
        return false;
      }
    }
    int live = data.liveLots.size();
    for (int i = 0; i < newLots.size(); i++) {
      live += isLive(newLots.get(i)) ? 1 : 0;
    }
    List<Lot> changedLots = change.changedLots();
    for (int i = 0; i < changedLots.size(); i++) {
      Lot lot = changedLots.get(i);
      live += (isLive(lot) ? 1 : 0) - (data.liveLots.containsKey(lot.id()) ? 1 : 0);
    }
    if (live != change.lots().size()) {
      throw new IllegalArgumentException("the change lists " + change.lots().size()
          + " live lots, but the stored ones with the change's lots make " + live);
    }
    if (data.activeCount + newHolds.size() - endedHolds.size() != change.activeHolds().size()) {
      throw new IllegalArgumentException("the change lists " + change.activeHolds().size()
          + " active holds, but the stored ones plus placed minus ended make "
          + (data.activeCount + newHolds.size() - endedHolds.size()));
    }
    return true;
  }

  private void apply(AccountData data, AccountChange change) {
    String account = change.account().id().value();
    Instant oldDue = data.record.planDueAt();
    if (oldDue != null && data.record != change.account()) {
      planDue.remove(new Due(oldDue, account, ""));
    }
    data.record = change.account();
    if (change.account().planDueAt() != null) {
      planDue.add(new Due(change.account().planDueAt(), account, ""));
    }
    List<Lot> newLots = change.newLots();
    for (int i = 0; i < newLots.size(); i++) {
      Lot lot = newLots.get(i);
      putLot(data, account, lot);
    }
    List<Lot> changedLots = change.changedLots();
    for (int i = 0; i < changedLots.size(); i++) {
      Lot lot = changedLots.get(i);
      Lot old = data.liveLots.get(lot.id());
      if (old != null && old.expiresAt() != null) {
        lotExpiries.remove(new Due(old.expiresAt(), account, Long.toString(old.id().value())));
      }
      putLot(data, account, lot);
    }
    List<Hold> newHolds = change.newHolds();
    // New holds are in the table already (insert), at the end in their order.
    for (int i = 0; i < newHolds.size(); i++) {
      Hold h = newHolds.get(i);
      if (data.activeCount == data.active.length) {
        data.active = Arrays.copyOf(data.active, data.activeCount * 2);
        data.activeHold = Arrays.copyOf(data.activeHold, data.activeCount * 2);
      }
      data.activeHold[data.activeCount] = h;
      data.active[data.activeCount++] = data.holds.size() - newHolds.size() + i;
      Instant mark = data.holdsDueMark;
      if (mark == null || h.deadline().isBefore(mark)) {
        fileHoldsDue(data, account, h.deadline());
      }
    }
    List<Hold> endedHolds = change.endedHolds();
    for (int i = 0; i < endedHolds.size(); i++) {
      Hold h = endedHolds.get(i);
      int a = data.activeIndex(h.id());
      if (a >= 0) {
        data.end(data.active[a], h);
        data.active[a] = data.active[--data.activeCount];
        data.activeHold[a] = data.activeHold[data.activeCount];
        data.activeHold[data.activeCount] = null;
      }
    }
    data.activeList = change.activeHolds();
    data.liveLots.listed(change.lots());
    List<LedgerEntry> entries = change.entries();
    for (int i = 0; i < entries.size(); i++) {
      data.ledger.add(entries.get(i));
    }
    // The idempotency record is in the table already (insert).
  }

  private static boolean isLive(Lot lot) {
    return lot.remaining() > 0 || lot.reserved() > 0;
  }

  private void putLot(AccountData data, String account, Lot lot) {
    if (lot.remaining() > 0 || lot.reserved() > 0) {
      data.liveLots.put(lot.id(), lot);
    } else {
      data.liveLots.remove(lot.id());
    }
    if (lot.expiresAt() != null && lot.remaining() > 0) {
      lotExpiries.add(new Due(lot.expiresAt(), account, Long.toString(lot.id().value())));
    }
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return List.of();
    }
    synchronized (data) {
      List<LedgerEntry> out = new ArrayList<>(Math.min(query.limit(), 64));
      long start = Math.min(query.afterSequence(), data.ledger.size());
      for (int i = (int) start; i < data.ledger.size() && out.size() < query.limit(); i++) {
        if (query.matchesTime(data.ledger.at(i))) {
          out.add(data.ledger.get(data.record.id(), i));
        }
      }
      return out;
    }
  }

  /** Files the account in {@link #holdsDue} under {@code at} (or nowhere when null); under its lock. */
  private void fileHoldsDue(AccountData data, String account, @Nullable Instant at) {
    Instant mark = data.holdsDueMark;
    if (mark != null) {
      holdsDue.remove(new Due(mark, account, ""));
    }
    if (at != null) {
      holdsDue.add(new Due(at, account, ""));
    }
    data.holdsDueMark = at;
  }

  private static final Comparator<HoldRef> HOLD_REF_ORDER = Comparator.comparing(HoldRef::deadline)
      .thenComparing(r -> r.account().value()).thenComparing(r -> r.hold().value());

  /**
   * Walks the accounts filed before {@code now}, earliest first, and collects their overdue holds.
   * A filing time is never after an account's earliest deadline, so once {@code limit} holds due
   * no later than the next filing time are found, no account further on has an earlier one. An
   * account found filed too early (its holds ended) is filed again under its earliest deadline.
   */
  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    List<HoldRef> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (Due due : holdsDue) {
      if (!due.at().isBefore(now)) {
        break;
      }
      if (out.size() >= limit && !out.get(limit - 1).deadline().isAfter(due.at())) {
        break;
      }
      if (!seen.add(due.account())) {
        continue;
      }
      AccountId id = AccountId.of(due.account());
      AccountData data = accounts.get(id);
      if (data == null) {
        continue;
      }
      synchronized (data) {
        Instant earliest = null;
        for (int i = 0; i < data.activeCount; i++) {
          Hold h = data.activeHold[i];
          if (h.deadline().isBefore(now)) {
            out.add(new HoldRef(id, h.id(), h.deadline()));
          }
          if (earliest == null || h.deadline().isBefore(earliest)) {
            earliest = h.deadline();
          }
        }
        if (!Objects.equals(earliest, data.holdsDueMark)) {
          fileHoldsDue(data, due.account(), earliest);
        }
      }
      if (out.size() >= limit) {
        out.sort(HOLD_REF_ORDER);
        out.subList(limit, out.size()).clear();
      }
    }
    out.sort(HOLD_REF_ORDER);
    return out;
  }

  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    Set<AccountId> out = new LinkedHashSet<>();
    for (Due due : lotExpiries) {
      if (due.at().isAfter(now) || out.size() >= limit) {
        break;
      }
      out.add(AccountId.of(due.account()));
    }
    return new ArrayList<>(out);
  }

  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    List<AccountId> out = new ArrayList<>();
    for (Due due : planDue) {
      if (due.at().isAfter(now) || out.size() >= limit) {
        break;
      }
      out.add(AccountId.of(due.account()));
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
   * Returns a deep, comparable copy of one account's stored state (row, live lots, all holds,
   * ledger, idempotency records), for "nothing changed" assertions.
   *
   * @param account the account
   * @return the state, or an empty map when the account does not exist
   */
  public Map<String, Object> dump(AccountId account) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return Map.of();
    }
    synchronized (data) {
      return Map.of("record", data.record, "lots", Map.copyOf(data.liveLots.asMap()), "holds", Map.copyOf(data.allHolds()),
          "ledger", data.ledger.all(data.record.id()), "keys", Map.copyOf(data.allKeys()));
    }
  }
}
