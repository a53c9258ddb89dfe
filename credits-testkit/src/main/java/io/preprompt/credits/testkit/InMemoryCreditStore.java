package io.preprompt.credits.testkit;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
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
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe in-memory {@link CreditStore} for tests and single-process use. Each account is
 * guarded by its own monitor; commits check the expected version and the idempotency key before
 * writing anything, so a refused commit leaves no trace. Overdue holds and expiring lots are kept
 * in sorted indexes, so the sweep queries do not scan every account.
 *
 * <p>What it keeps for good per call (idempotency records, holds, ledger entries) it keeps in
 * columns of primitives, not as objects, so a long-lived store gives the collector nothing per call
 * to copy; the objects are rebuilt, equal to the committed ones, when read.
 *
 * <p>Core may run a keyed call on the state its own last commit left, without reading first
 * ({@link #reusesCommittedSnapshots}); {@link #readingEveryCall()} makes a store before which core
 * reads on every call, for tests about reads.
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

  /**
   * One account's state. Everything the store keeps for good per call (idempotency records, holds,
   * ledger entries) is kept in columns of primitives, chunked by position, plus references to
   * objects many calls share (the account's id, lot ids, allocation lists, a few template records):
   * the collector then has nothing per call to copy. The objects are rebuilt, equal to the committed
   * ones, when read (replays, ended holds, the ledger, dumps: rare next to the writes).
   *
   * <p>What does not fit the columns (a record whose result is not a hold, settlement or release of
   * the same change, or whose encoding no template shares; a hold of another account...) is kept
   * as the object itself, in a column made only when first needed.
   */
  private static final class AccountData {
    private static final HoldState[] STATES = HoldState.values();
    private static final int SHIFT = 12;
    private static final int CHUNK = 1 << SHIFT;
    /** At most this many template records per account; records no template fits are kept whole. */
    private static final int MAX_TEMPLATES = 16;
    private static final byte WHOLE = 0;
    private static final byte HOLD_RESULT = 1;
    private static final byte SETTLEMENT_RESULT = 2;
    private static final byte RELEASE_RESULT = 3;
    /** A ledger entry's hold or key column: none, or kept whole. */
    private static final int NONE = -1;
    private static final int KEPT = -2;

    final AccountId id;
    AccountRecord record;
    final LiveLots liveLots = new LiveLots();
    /** Keys and hold ids, as bytes. */
    final ByteArena arena = new ByteArena();

    /** The idempotency records by key ({@link IdempotencyKey#value()}). */
    final HashIndex<String> keys = new HashIndex<>(this::keyMatches);
    RecordChunk[] records = {new RecordChunk(8)};
    /** Private records nobody else can encode, remade into each stored record when read. */
    IdempotencyRecord[] templates = new IdempotencyRecord[2];
    int templateCount;

    /** Every hold ever placed, by id ({@link HoldId#value()}), with how it ended. */
    final HashIndex<String> holds = new HashIndex<>(this::holdMatches);
    HoldChunk[] holdChunks = {new HoldChunk(8)};
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

    int ledgerSize;
    LedgerChunk[] ledger = {new LedgerChunk(8)};
    /** The positions of the holds a change ends, while it is applied (reused: a change ends few). */
    private int[] ended = new int[2];

    AccountData(AccountRecord record) {
      this.record = record;
      this.id = record.id();
    }

    /** One chunk of columns, by position within the chunk. */
    private interface Chunk {
      /** Returns how many positions the columns hold. */
      int capacity();

      /** Grows every column to hold this many positions. */
      void grow(int capacity);
    }

    /** One chunk of the records' columns. */
    private static final class RecordChunk implements Chunk {
      int[] keyAt;
      byte[] keyLength;
      long[] atSecond;
      int[] atNano;
      /** {@link #WHOLE}, or how the result is kept. */
      byte[] kind;
      byte[] template;
      /** The position of the result's hold. */
      int[] hold;
      /** Records kept whole, made when first needed. */
      IdempotencyRecord @Nullable [] whole;

      RecordChunk(int capacity) {
        keyAt = new int[capacity];
        keyLength = new byte[capacity];
        atSecond = new long[capacity];
        atNano = new int[capacity];
        kind = new byte[capacity];
        template = new byte[capacity];
        hold = new int[capacity];
      }

      @Override
      public int capacity() {
        return keyAt.length;
      }

      @Override
      public void grow(int capacity) {
        keyAt = Arrays.copyOf(keyAt, capacity);
        keyLength = Arrays.copyOf(keyLength, capacity);
        atSecond = Arrays.copyOf(atSecond, capacity);
        atNano = Arrays.copyOf(atNano, capacity);
        kind = Arrays.copyOf(kind, capacity);
        template = Arrays.copyOf(template, capacity);
        hold = Arrays.copyOf(hold, capacity);
        if (whole != null) {
          whole = Arrays.copyOf(whole, capacity);
        }
      }
    }

    /** One chunk of the holds' columns. */
    private static final class HoldChunk implements Chunk {
      int[] idAt;
      byte[] idLength;
      long[] amount;
      long[] createdSecond;
      int[] createdNano;
      long[] deadlineSecond;
      int[] deadlineNano;
      /** Per hold: its metadata (null when empty) and its allocations (lists core shares). */
      Object[] refs;
      /** 0 while active, else the terminal state's ordinal + 1. */
      byte[] state;
      long[] settled;
      long[] endedSecond;
      /** -1 when the end time is null. */
      int[] endedNano;
      /**
       * What the settlement or release that ended the hold returned, and expired on return: made
       * when first not zero (a hold settled in full returns nothing).
       */
      long @Nullable [] returned;
      long @Nullable [] expiredOnReturn;
      /** Holds kept whole (as placed), made when first needed. */
      Hold @Nullable [] whole;

      HoldChunk(int capacity) {
        idAt = new int[capacity];
        idLength = new byte[capacity];
        amount = new long[capacity];
        createdSecond = new long[capacity];
        createdNano = new int[capacity];
        deadlineSecond = new long[capacity];
        deadlineNano = new int[capacity];
        refs = new Object[capacity * 2];
        state = new byte[capacity];
        settled = new long[capacity];
        endedSecond = new long[capacity];
        endedNano = new int[capacity];
      }

      @Override
      public int capacity() {
        return idAt.length;
      }

      @Override
      public void grow(int capacity) {
        idAt = Arrays.copyOf(idAt, capacity);
        idLength = Arrays.copyOf(idLength, capacity);
        amount = Arrays.copyOf(amount, capacity);
        createdSecond = Arrays.copyOf(createdSecond, capacity);
        createdNano = Arrays.copyOf(createdNano, capacity);
        deadlineSecond = Arrays.copyOf(deadlineSecond, capacity);
        deadlineNano = Arrays.copyOf(deadlineNano, capacity);
        refs = Arrays.copyOf(refs, capacity * 2);
        state = Arrays.copyOf(state, capacity);
        settled = Arrays.copyOf(settled, capacity);
        endedSecond = Arrays.copyOf(endedSecond, capacity);
        endedNano = Arrays.copyOf(endedNano, capacity);
        if (returned != null) {
          returned = Arrays.copyOf(returned, capacity);
        }
        if (expiredOnReturn != null) {
          expiredOnReturn = Arrays.copyOf(expiredOnReturn, capacity);
        }
        if (whole != null) {
          whole = Arrays.copyOf(whole, capacity);
        }
      }

      /** Records what ending the hold at {@code i} returned and expired on return. */
      void returns(int i, long returnedCredits, long expiredCredits) {
        if (returnedCredits != 0 && returned == null) {
          returned = new long[capacity()];
        }
        if (returned != null) {
          returned[i] = returnedCredits;
        }
        if (expiredCredits != 0 && expiredOnReturn == null) {
          expiredOnReturn = new long[capacity()];
        }
        if (expiredOnReturn != null) {
          expiredOnReturn[i] = expiredCredits;
        }
      }

      long returned(int i) {
        return returned == null ? 0 : returned[i];
      }

      long expiredOnReturn(int i) {
        return expiredOnReturn == null ? 0 : expiredOnReturn[i];
      }
    }

    /** One chunk of the ledger's columns (the account and sequence are implied). */
    private static final class LedgerChunk implements Chunk {
      private static final EntryType[] TYPES = EntryType.values();
      private static final LotSource[] SOURCES = LotSource.values();
      /** Set in an entry's type byte when its time is its record's (the key column's position). */
      static final int RECORD_TIME = 0x80;
      long[] amounts;
      byte[] types;
      byte[] sources;
      /** Per entry: its lot id (shared with the lot) and its metadata (null when empty). */
      Object[] refs;
      /** The position of the entry's hold, or {@link #NONE} or {@link #KEPT}. */
      int[] hold;
      /** The position of the record whose key the entry has, or {@link #NONE} or {@link #KEPT}. */
      int[] key;
      /**
       * The entry's time, for entries not at their record's time ({@link #RECORD_TIME}): made when
       * first needed (entries a call makes carry its key and time, so usually never).
       */
      long @Nullable [] atSecond;
      int @Nullable [] atNano;
      /** Per entry: the hold id and key kept whole, made when first needed. */
      Object @Nullable [] whole;

      LedgerChunk(int capacity) {
        amounts = new long[capacity];
        types = new byte[capacity];
        sources = new byte[capacity];
        refs = new Object[capacity * 2];
        hold = new int[capacity];
        key = new int[capacity];
      }

      @Override
      public int capacity() {
        return amounts.length;
      }

      @Override
      public void grow(int capacity) {
        amounts = Arrays.copyOf(amounts, capacity);
        types = Arrays.copyOf(types, capacity);
        sources = Arrays.copyOf(sources, capacity);
        refs = Arrays.copyOf(refs, capacity * 2);
        hold = Arrays.copyOf(hold, capacity);
        key = Arrays.copyOf(key, capacity);
        if (atSecond != null) {
          atSecond = Arrays.copyOf(atSecond, capacity);
          atNano = Arrays.copyOf(Objects.requireNonNull(atNano), capacity);
        }
        if (whole != null) {
          whole = Arrays.copyOf(whole, capacity * 2);
        }
      }
    }

    /** The capacity a chunk needs for position {@code i} within it: small chunks double, up to {@link #CHUNK}. */
    private static int grown(int capacity, int i) {
      return Math.min(CHUNK, Math.max(i + 1, capacity * 2));
    }

    private RecordChunk recordChunkFor(int position) {
      records = room(records, position, RecordChunk::new);
      return records[position >>> SHIFT];
    }

    private HoldChunk holdChunkFor(int position) {
      holdChunks = room(holdChunks, position, HoldChunk::new);
      return holdChunks[position >>> SHIFT];
    }

    private LedgerChunk ledgerChunkFor(int position) {
      ledger = room(ledger, position, LedgerChunk::new);
      return ledger[position >>> SHIFT];
    }

    /**
     * Makes room for a position in chunked columns: the array of chunks doubles when full, a missing
     * chunk is made whole, and the first (small) chunk doubles up to whole.
     *
     * @return the array of chunks, new when it grew
     */
    private static <C extends Chunk> C[] room(C[] chunks, int position, IntFunction<C> make) {
      int c = position >>> SHIFT;
      int i = position & (CHUNK - 1);
      C[] out = c == chunks.length ? Arrays.copyOf(chunks, c * 2) : chunks;
      C chunk = out[c];
      if (chunk == null) {
        out[c] = make.apply(CHUNK);
      } else if (i >= chunk.capacity()) {
        chunk.grow(grown(chunk.capacity(), i));
      }
      return out;
    }

    /** Returns room for the positions of the holds a change ends, valid until the next change. */
    int[] endedScratch(int count) {
      if (count > ended.length) {
        ended = new int[Math.max(count, ended.length * 2)];
      }
      return ended;
    }

    private static Instant instant(long second, int nano) {
      return Instant.ofEpochSecond(second, nano);
    }

    // ---- idempotency records

    private boolean keyMatches(String key, int position) {
      RecordChunk c = records[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      return arena.equals(c.keyAt[i], c.keyLength[i] & 0xFF, key);
    }

    private IdempotencyKey key(int position) {
      RecordChunk c = records[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      return new IdempotencyKey(arena.string(c.keyAt[i], c.keyLength[i] & 0xFF));
    }

    /**
     * Claims a key: indexes it and keeps its bytes (undone by {@link #unclaimKey} and truncating
     * the arena).
     *
     * @return its position, or -1 when the key is taken
     */
    int claimKey(IdempotencyKey key) {
      String value = key.value();
      // The bytes first: a key the arena cannot take leaves the index as it was.
      int mark = arena.mark();
      int address = arena.add(value);
      int position = keys.add(value, value.hashCode());
      if (position < 0) {
        arena.truncate(mark);
        return -1;
      }
      RecordChunk c = recordChunkFor(position);
      int i = position & (CHUNK - 1);
      c.keyAt[i] = address;
      c.keyLength[i] = (byte) value.length();
      return position;
    }

    void unclaimKey(IdempotencyKey key) {
      keys.removeLast(key.value().hashCode());
    }

    /**
     * Writes a claimed record's columns: the last step of a change that cannot be refused any more
     * (the holds it places are in their columns, those it ends still active).
     */
    void writeRecord(int position, IdempotencyRecord r, AccountChange change) {
      RecordChunk c = records[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      Object result = r.unencodedResult();
      byte kind = WHOLE;
      int hold = 0;
      if (result instanceof Hold h) {
        List<Hold> newHolds = change.newHolds();
        for (int n = 0; n < newHolds.size(); n++) {
          if (newHolds.get(n) == h) {
            kind = HOLD_RESULT;
            hold = holds.size() - newHolds.size() + n;
            break;
          }
        }
      } else if (result instanceof Settlement s) {
        Hold ended = ended(change, s.hold());
        if (ended != null && s.account().equals(id) && s.at().equals(r.at()) && s.settled() == ended.settled()) {
          kind = SETTLEMENT_RESULT;
          hold = active[activeIndex(s.hold())];
          holdChunks[hold >>> SHIFT].returns(hold & (CHUNK - 1), s.returned(), s.expiredOnReturn());
        }
      } else if (result instanceof Release rel) {
        Hold ended = ended(change, rel.hold());
        if (ended != null && rel.account().equals(id) && rel.at().equals(r.at())) {
          kind = RELEASE_RESULT;
          hold = active[activeIndex(rel.hold())];
          holdChunks[hold >>> SHIFT].returns(hold & (CHUNK - 1), rel.returned(), rel.expiredOnReturn());
        }
      }
      int template = kind == WHOLE ? -1 : template(r, result);
      if (template < 0) {
        kind = WHOLE;
      }
      c.kind[i] = kind;
      c.template[i] = (byte) template;
      c.hold[i] = hold;
      c.atSecond[i] = r.at().getEpochSecond();
      c.atNano[i] = r.at().getNano();
      if (kind == WHOLE) {
        if (c.whole == null) {
          c.whole = new IdempotencyRecord[c.capacity()];
        }
        c.whole[i] = r;
      } else if (c.whole != null) {
        c.whole[i] = null;
      }
    }

    private static @Nullable Hold ended(AccountChange change, HoldId id) {
      List<Hold> endedHolds = change.endedHolds();
      for (int n = 0; n < endedHolds.size(); n++) {
        if (endedHolds.get(n).id().equals(id)) {
          return endedHolds.get(n);
        }
      }
      return null;
    }

    /** Returns the index of a template the record can be remade from, making one if there is room; or -1. */
    private int template(IdempotencyRecord r, Object result) {
      for (int t = 0; t < templateCount; t++) {
        if (templates[t].madeLike(r)) {
          return t;
        }
      }
      if (templateCount == MAX_TEMPLATES || !r.madeLike(r)) {
        return -1;
      }
      if (templateCount == templates.length) {
        templates = Arrays.copyOf(templates, Math.min(MAX_TEMPLATES, templateCount * 2));
      }
      // A copy nobody else holds, so its fingerprint is never encoded and it stays a template.
      templates[templateCount] = r.remake(r.key(), result, r.at());
      return templateCount++;
    }

    @Nullable IdempotencyRecord record(IdempotencyKey key) {
      int position = keys.positionOf(key.value(), key.value().hashCode());
      return position < 0 ? null : record(position);
    }

    /** Returns the record at a position, rebuilt equal to the committed one. */
    IdempotencyRecord record(int position) {
      RecordChunk c = records[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      byte kind = c.kind[i];
      if (kind == WHOLE) {
        return Objects.requireNonNull(c.whole)[i];
      }
      Instant at = instant(c.atSecond[i], c.atNano[i]);
      int hold = c.hold[i];
      Object result;
      if (kind == HOLD_RESULT) {
        result = placedHold(hold);
      } else {
        HoldChunk hc = holdChunks[hold >>> SHIFT];
        int h = hold & (CHUNK - 1);
        result = kind == SETTLEMENT_RESULT
            ? new Settlement(id, holdId(hold), hc.settled[h], hc.returned(h), hc.expiredOnReturn(h), at)
            : new Release(id, holdId(hold), hc.returned(h), hc.expiredOnReturn(h), at);
      }
      return templates[c.template[i]].remake(key(position), result, at);
    }

    // ---- holds

    private boolean holdMatches(String holdId, int position) {
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      return arena.equals(c.idAt[i], c.idLength[i] & 0xFF, holdId);
    }

    HoldId holdId(int position) {
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      return new HoldId(arena.string(c.idAt[i], c.idLength[i] & 0xFF));
    }

    /**
     * A hold id's hash in the index: its last eight characters, as {@code String.hashCode} would
     * hash them. The library's ids end in 32 random hex digits, so that is 32 random bits, got
     * without hashing all 34 characters of an id whose {@code String} hash a hold and its settle
     * otherwise never need.
     */
    static int holdHash(String holdId) {
      int h = 0;
      for (int i = Math.max(0, holdId.length() - 8); i < holdId.length(); i++) {
        h = 31 * h + holdId.charAt(i);
      }
      return h;
    }

    int holdPosition(HoldId hold) {
      return holds.positionOf(hold.value(), holdHash(hold.value()));
    }

    /**
     * Adds a new (active) hold: indexes it and writes its columns (undone by {@link #unaddHold}
     * and truncating the arena).
     *
     * @return false when its id is taken
     */
    boolean addHold(Hold h) {
      String value = h.id().value();
      int mark = arena.mark();
      int address = arena.add(value);
      int position = holds.add(value, holdHash(value));
      if (position < 0) {
        arena.truncate(mark);
        return false;
      }
      HoldChunk c = holdChunkFor(position);
      int i = position & (CHUNK - 1);
      c.idAt[i] = address;
      c.idLength[i] = (byte) value.length();
      c.amount[i] = h.amount();
      c.createdSecond[i] = h.createdAt().getEpochSecond();
      c.createdNano[i] = h.createdAt().getNano();
      c.deadlineSecond[i] = h.deadline().getEpochSecond();
      c.deadlineNano[i] = h.deadline().getNano();
      c.refs[2 * i] = h.metadata().isEmpty() ? null : h.metadata();
      c.refs[2 * i + 1] = h.allocations();
      c.state[i] = 0;
      boolean whole = !h.account().equals(id) || h.settled() != 0 || h.endedAt() != null;
      if (whole) {
        if (c.whole == null) {
          c.whole = new Hold[c.capacity()];
        }
        c.whole[i] = h;
      } else if (c.whole != null) {
        c.whole[i] = null;
      }
      return true;
    }

    void unaddHold(Hold h) {
      int position = holds.size() - 1;
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      c.refs[2 * i] = null;
      c.refs[2 * i + 1] = null;
      if (c.whole != null) {
        c.whole[i] = null;
      }
      holds.removeLast(holdHash(h.id().value()));
    }

    /** Returns the hold at a position as it was placed. */
    @SuppressWarnings("unchecked")
    Hold placedHold(int position) {
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      if (c.whole != null && c.whole[i] != null) {
        return c.whole[i];
      }
      Map<String, String> metadata = (Map<String, String>) c.refs[2 * i];
      return new Hold(holdId(position), id, c.amount[i], HoldState.ACTIVE,
          instant(c.createdSecond[i], c.createdNano[i]), instant(c.deadlineSecond[i], c.deadlineNano[i]), 0, null,
          metadata == null ? Map.of() : metadata, (List<Allocation>) c.refs[2 * i + 1]);
    }

    /** Returns the hold at a position in its current state. */
    Hold hold(int position) {
      Hold placed = placedHold(position);
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      if (c.state[i] == 0) {
        return placed;
      }
      Instant endedAt = c.endedNano[i] < 0 ? null : instant(c.endedSecond[i], c.endedNano[i]);
      return new Hold(placed.id(), placed.account(), placed.amount(), STATES[c.state[i] - 1], placed.createdAt(),
          placed.deadline(), c.settled[i], endedAt, placed.metadata(), placed.allocations());
    }

    /** Records how the active hold at a position ended. */
    void end(int position, Hold ended) {
      HoldChunk c = holdChunks[position >>> SHIFT];
      int i = position & (CHUNK - 1);
      c.state[i] = (byte) (ended.state().ordinal() + 1);
      c.settled[i] = ended.settled();
      Instant endedAt = ended.endedAt();
      c.endedSecond[i] = endedAt == null ? 0 : endedAt.getEpochSecond();
      c.endedNano[i] = endedAt == null ? -1 : endedAt.getNano();
    }

    /** Returns the index in {@link #active} of an active hold, or -1. */
    int activeIndex(HoldId hold) {
      // A change ends the very hold objects the last read gave out: a pass by identity finds them
      // without comparing texts, which matters with many active holds.
      for (int i = 0; i < activeCount; i++) {
        if (activeHold[i].id() == hold) {
          return i;
        }
      }
      for (int i = 0; i < activeCount; i++) {
        if (activeHold[i].id().equals(hold)) {
          return i;
        }
      }
      return -1;
    }

    List<Hold> activeHolds() {
      return activeList;
    }

    // ---- ledger

    /**
     * Appends an entry whose sequence is {@code ledgerSize + 1} (checked before the change is
     * applied), after the change's holds and record are in their columns.
     *
     * @param ended positions of the holds the change ended, in the order of its ended holds
     */
    void addEntry(LedgerEntry e, AccountChange change, int[] ended) {
      int position = ledgerSize;
      LedgerChunk c = ledgerChunkFor(position);
      int i = position & (CHUNK - 1);
      c.amounts[i] = e.amount();
      c.sources[i] = (byte) e.source().ordinal();
      c.refs[2 * i] = e.lot();
      c.refs[2 * i + 1] = e.metadata().isEmpty() ? null : e.metadata();
      HoldId hold = e.hold();
      int holdAt = hold == null ? NONE : entryHold(hold, change, ended);
      IdempotencyKey key = e.key();
      IdempotencyRecord r = change.idempotency();
      int keyAt = key == null ? NONE : r != null && (key == r.key() || key.equals(r.key())) ? keys.size() - 1 : KEPT;
      boolean recordTime = keyAt >= 0 && e.at().equals(Objects.requireNonNull(r).at());
      c.types[i] = (byte) (e.type().ordinal() | (recordTime ? LedgerChunk.RECORD_TIME : 0));
      if (!recordTime) {
        if (c.atSecond == null) {
          c.atSecond = new long[c.capacity()];
          c.atNano = new int[c.capacity()];
        }
        c.atSecond[i] = e.at().getEpochSecond();
        Objects.requireNonNull(c.atNano)[i] = e.at().getNano();
      }
      c.hold[i] = holdAt;
      c.key[i] = keyAt;
      if (holdAt == KEPT || keyAt == KEPT) {
        if (c.whole == null) {
          c.whole = new Object[c.capacity() * 2];
        }
        c.whole[2 * i] = hold;
        c.whole[2 * i + 1] = key;
      } else if (c.whole != null) {
        c.whole[2 * i] = null;
        c.whole[2 * i + 1] = null;
      }
      ledgerSize++;
    }

    private int entryHold(HoldId hold, AccountChange change, int[] ended) {
      List<Hold> newHolds = change.newHolds();
      for (int n = 0; n < newHolds.size(); n++) {
        if (newHolds.get(n).id().equals(hold)) {
          return holds.size() - newHolds.size() + n;
        }
      }
      List<Hold> endedHolds = change.endedHolds();
      for (int n = 0; n < endedHolds.size(); n++) {
        if (ended[n] >= 0 && endedHolds.get(n).id().equals(hold)) {
          return ended[n];
        }
      }
      int position = holdPosition(hold);
      return position < 0 ? KEPT : position;
    }

    Instant entryAt(int index) {
      LedgerChunk c = ledger[index >>> SHIFT];
      int i = index & (CHUNK - 1);
      if ((c.types[i] & LedgerChunk.RECORD_TIME) != 0) {
        int record = c.key[i];
        RecordChunk rc = records[record >>> SHIFT];
        return instant(rc.atSecond[record & (CHUNK - 1)], rc.atNano[record & (CHUNK - 1)]);
      }
      return instant(Objects.requireNonNull(c.atSecond)[i], Objects.requireNonNull(c.atNano)[i]);
    }

    @SuppressWarnings("unchecked")
    LedgerEntry entry(int index) {
      LedgerChunk c = ledger[index >>> SHIFT];
      int i = index & (CHUNK - 1);
      int holdAt = c.hold[i];
      int keyAt = c.key[i];
      HoldId hold = holdAt == NONE ? null : holdAt == KEPT ? (HoldId) Objects.requireNonNull(c.whole)[2 * i]
          : holdId(holdAt);
      IdempotencyKey key = keyAt == NONE ? null
          : keyAt == KEPT ? (IdempotencyKey) Objects.requireNonNull(c.whole)[2 * i + 1] : key(keyAt);
      Map<String, String> metadata = (Map<String, String>) c.refs[2 * i + 1];
      return new LedgerEntry(id, index + 1L, LedgerChunk.TYPES[c.types[i] & (LedgerChunk.RECORD_TIME - 1)], c.amounts[i], (LotId) c.refs[2 * i],
          LedgerChunk.SOURCES[c.sources[i]], hold, key, entryAt(index), metadata == null ? Map.of() : metadata);
    }

    List<LedgerEntry> allEntries() {
      List<LedgerEntry> out = new ArrayList<>(ledgerSize);
      for (int i = 0; i < ledgerSize; i++) {
        out.add(entry(i));
      }
      return List.copyOf(out);
    }

    int[] keptWhole() {
      int[] out = new int[2];
      for (int p = 0; p < keys.size(); p++) {
        out[0] += records[p >>> SHIFT].kind[p & (CHUNK - 1)] == WHOLE ? 1 : 0;
      }
      for (int p = 0; p < holds.size(); p++) {
        Hold[] whole = holdChunks[p >>> SHIFT].whole;
        out[1] += whole != null && whole[p & (CHUNK - 1)] != null ? 1 : 0;
      }
      return out;
    }

    Map<HoldId, Hold> allHolds() {
      Map<HoldId, Hold> out = new HashMap<>();
      for (int i = 0; i < holds.size(); i++) {
        Hold h = hold(i);
        out.put(h.id(), h);
      }
      return out;
    }

    Map<IdempotencyKey, IdempotencyRecord> allKeys() {
      Map<IdempotencyKey, IdempotencyRecord> out = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        IdempotencyRecord r = record(i);
        out.put(r.key(), r);
      }
      return out;
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

  private final boolean reuseSnapshots;

  /** Creates an empty store that lets core reuse its committed snapshots (see {@link #reusesCommittedSnapshots}). */
  public InMemoryCreditStore() {
    this(true);
  }

  private InMemoryCreditStore(boolean reuseSnapshots) {
    this.reuseSnapshots = reuseSnapshots;
  }

  /**
   * Creates an empty store before which core reads every keyed call: for tests about reads (a
   * failing, slow or stale read), which the default store skips on the happy path.
   *
   * @return the store
   */
  public static InMemoryCreditStore readingEveryCall() {
    return new InMemoryCreditStore(false);
  }

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

  /**
   * Yes, unless made by {@link #readingEveryCall}: a commit here is final and a version is never
   * committed twice, so core may run a keyed call on the state its own last commit left, without a
   * read (a lock, two look-ups and a snapshot per call). Another service over the same store is
   * caught by the version guard as usual.
   *
   * @return whether core may reuse committed snapshots
   */
  @Override
  public boolean reusesCommittedSnapshots() {
    return reuseSnapshots;
  }

  /** Both reads under one lock, so the record and the account are seen at one moment. */
  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return new KeyedRead(null, null);
    }
    synchronized (data) {
      IdempotencyRecord record = data.record(key);
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
      return Optional.ofNullable(data.record(key));
    }
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return Optional.empty();
    }
    synchronized (data) {
      int position = data.holdPosition(hold);
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
    int arenaMark = data.arena.mark();
    int recordAt = -1;
    if (record != null && (recordAt = data.claimKey(record.key())) < 0) {
      return false;
    }
    List<Hold> newHolds = change.newHolds();
    int holdsAdded = 0;
    boolean done = false;
    try {
      if (!valid(data, change, creating)) {
        return false;
      }
      for (int i = 0; i < newHolds.size(); i++) {
        Hold h = newHolds.get(i);
        if (!data.addHold(h)) {
          throw new IllegalArgumentException("hold " + h.id() + " already exists");
        }
        holdsAdded++;
      }
      if (record != null) {
        data.writeRecord(recordAt, record, change);
      }
      done = true;
      return true;
    } finally {
      if (!done) {
        for (; holdsAdded > 0; holdsAdded--) {
          data.unaddHold(newHolds.get(holdsAdded - 1));
        }
        if (record != null) {
          data.unclaimKey(record.key());
        }
        data.arena.truncate(arenaMark);
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
    int[] ended = data.endedScratch(endedHolds.size());
    for (int i = 0; i < endedHolds.size(); i++) {
      Hold h = endedHolds.get(i);
      int a = data.activeIndex(h.id());
      ended[i] = a < 0 ? -1 : data.active[a];
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
      data.addEntry(entries.get(i), change, ended);
    }
    // The idempotency record is in its columns already (insert).
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
      long start = Math.min(query.afterSequence(), data.ledgerSize);
      for (int i = (int) start; i < data.ledgerSize && out.size() < query.limit(); i++) {
        if (query.matchesTime(data.entryAt(i))) {
          out.add(data.entry(i));
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
   * Counts one account's idempotency records and placed holds kept as whole objects instead of in
   * columns (for tests: the common calls keep none).
   *
   * @param account the account
   * @return the records kept whole, and the holds
   */
  int[] keptWhole(AccountId account) {
    AccountData data = accounts.get(account);
    if (data == null) {
      return new int[2];
    }
    synchronized (data) {
      return data.keptWhole();
    }
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
          "ledger", data.allEntries(), "keys", Map.copyOf(data.allKeys()));
    }
  }
}
