package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import io.preprompt.credits.spi.PlanRecord;
import io.preprompt.credits.testkit.AccountChangeBuilder;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The adapter's own tests, run on each database by a subclass. */
abstract class JdbcCreditStoreTestBase {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456Z");
  /** A plan for rows that only need one. */
  static final PlanRecord PLAN = new PlanRecord("studio", "ACTIVE", false, null, -1, 0, 0, null, null, null, 0, 0,
      List.of(), List.of(), 0, null);
  static final AccountId ALICE = AccountId.of("alice");
  static final AccountId BOB = AccountId.of("bob");
  static final Map<String, String> TRICKY = Map.of("kind", "image", "prompt", "a=b %41 50%\nline two\r\n",
      "unicode", "zoë 🎬 日本", "=", "%", "empty", "");

  Databases.Target target;
  JdbcCreditStore store;

  abstract Databases database();

  @BeforeEach
  void freshStore() {
    target = database().fresh();
    store = target.store();
  }

  // --- change builders -------------------------------------------------------------------------

  static AccountRecord record(AccountId id, long version, long lastSequence, long granted, long activeHolds) {
    return new AccountRecord(id, version, lastSequence, granted, 0, 0, 0, activeHolds, T0, null, null);
  }

  static Lot lot(long id, long granted, long remaining, long reserved, @Nullable Instant expiresAt) {
    return new Lot(new LotId(id), LotSource.PACK, granted, remaining, reserved, T0, expiresAt);
  }

  static LedgerEntry entry(AccountId account, long sequence, EntryType type, long amount, long lot,
      @Nullable HoldId hold, @Nullable String key) {
    return new LedgerEntry(account, sequence, type, amount, new LotId(lot), LotSource.PACK, hold,
        key == null ? null : IdempotencyKey.of(key), T0.plusSeconds(sequence), Map.of("n", Long.toString(sequence)));
  }

  static IdempotencyRecord idem(String key) {
    return new IdempotencyRecord(IdempotencyKey.of(key), "grant", "amount=100\n", "lot=1\n", T0);
  }

  static Hold activeHold(AccountId account, String id, long amount, Instant deadline) {
    return new Hold(HoldId.of(id), account, amount, HoldState.ACTIVE, T0, deadline, 0, null, TRICKY,
        List.of(new Allocation(new LotId(1), amount)));
  }

  static Hold ended(Hold h, HoldState state, long settled) {
    return new Hold(h.id(), h.account(), h.amount(), state, h.createdAt(), h.deadline(), settled,
        T0.plusSeconds(60), h.metadata(), h.allocations());
  }

  /** Creates an account with one lot of 100 via a grant (version 1, sequence 1). */
  AccountChange create(AccountId id) {
    return new AccountChange(0, record(id, 1, 1, 100, 0), List.of(lot(1, 100, 100, 0, null)), List.of(), List.of(),
        List.of(), List.of(entry(id, 1, EntryType.GRANT, 100, 1, null, "grant-1")), idem("grant-1"));
  }

  /** Holds {@code amount} from lot 1 (version 1 → 2, sequence 1 → 2). */
  AccountChange hold(AccountId id, Hold hold, String key) {
    return new AccountChange(1, record(id, 2, 2, 100, 1), List.of(), List.of(lot(1, 100, 100 - hold.amount(),
        hold.amount(), null)), List.of(hold), List.of(),
        List.of(entry(id, 2, EntryType.HOLD, hold.amount(), 1, hold.id(), key)),
        new IdempotencyRecord(IdempotencyKey.of(key), "hold", "f", "r", T0));
  }

  /** Settles the hold fully (version 2 → 3, sequence 2 → 3), the account's only active hold. */
  AccountChange settle(AccountId id, Hold hold, long expectedVersion, String key) {
    AccountRecord r = new AccountRecord(id, expectedVersion + 1, expectedVersion + 1, 100, hold.amount(), 0, 0, 0,
        T0, null, null);
    return new AccountChange(expectedVersion, r, List.of(), List.of(lot(1, 100, 100 - hold.amount(), 0, null)),
        List.of(), List.of(ended(hold, HoldState.SETTLED, hold.amount())),
        List.of(entry(id, expectedVersion + 1, EntryType.SETTLE, hold.amount(), 1, hold.id(), key)),
        new IdempotencyRecord(IdempotencyKey.of(key), "settle", "f", "r", T0));
  }

  AccountSnapshot load(AccountId id) {
    return store.load(id, HoldSelection.allActive()).orElseThrow();
  }

  long storedVersion(AccountId id) {
    return load(id).account().version();
  }

  long count(String table) throws SQLException {
    try (Connection c = target.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + target.config().table(table))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // --- tests -----------------------------------------------------------------------------------

  @Nested
  @DisplayName("round trip")
  class RoundTrip {
    @Test
    @DisplayName("load returns exactly what was committed, to the nanosecond, with live lots and active holds")
    void commitThenLoad() {
      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      assertThat(store.commit(create(ALICE))).isEqualTo(CommitOutcome.COMMITTED);
      assertThat(store.commit(hold(ALICE, h, "hold-1"))).isEqualTo(CommitOutcome.COMMITTED);

      AccountSnapshot snapshot = load(ALICE);
      assertThat(snapshot.account()).isEqualTo(record(ALICE, 2, 2, 100, 1));
      assertThat(snapshot.lots()).containsExactly(lot(1, 100, 70, 30, null));
      assertThat(snapshot.holds()).containsExactly(h);
      assertThat(snapshot.earliestHoldDeadline()).isEqualTo(h.deadline());
      assertThat(store.findHold(ALICE, h.id())).contains(h);
      assertThat(store.findHold(BOB, h.id())).isEmpty();
      assertThat(store.load(BOB, HoldSelection.allActive())).isEmpty();
    }

    @Test
    @DisplayName("a plan and its due date round-trip, and accounts with a plan due are found soonest first")
    void planRoundTrip() {
      PlanRecord plan = new PlanRecord("studio", "ACTIVE", true, T0, 0, 1, 1_000, "studio=pro%3D\n", T0, null, 1, 2,
          List.of(new PlanRecord.Charge(1, 1, "studio", T0, T0.plusSeconds(60), "ref 50%25 off %3D\n=", 1, false, T0)),
          List.of(new PlanRecord.Order("pack:1 =%", "boost", 900, "EUR", T0)), 0, null);
      AccountRecord a = new AccountRecord(ALICE, 1, 0, 0, 0, 0, 0, 0, T0, plan, T0.plusSeconds(20));
      AccountRecord b = new AccountRecord(BOB, 1, 0, 0, 0, 0, 0, 0, T0, null, T0.plusSeconds(10));
      store.commit(new AccountChange(0, a, List.of(), List.of(), List.of(), List.of(), List.of(), null));
      store.commit(new AccountChange(0, b, List.of(), List.of(), List.of(), List.of(), List.of(), null));
      assertThat(load(ALICE).account()).isEqualTo(a);
      assertThat(load(ALICE).earliestHoldDeadline()).isNull();
      assertThat(store.findAccountsWithPlanDue(T0.plusSeconds(20), 10)).containsExactly(BOB, ALICE);
      assertThat(store.findAccountsWithPlanDue(T0.plusSeconds(15), 10)).containsExactly(BOB);
      assertThat(store.findAccountsWithPlanDue(T0.plusSeconds(20), 1)).containsExactly(BOB);
    }

    @Test
    @DisplayName("a change that keeps the plan writes the counters and leaves the stored plan as it was")
    void planKept() {
      PlanRecord plan = new PlanRecord("studio", "ACTIVE", true, T0, 0, 1, 1_000, null, null, null, 1, 2,
          List.of(new PlanRecord.Charge(1, 1, "studio", T0, T0.plusSeconds(60), "ref-1", 1, false, T0)),
          List.of(new PlanRecord.Order("pack:1", "boost", 900, "EUR", T0)), 0, null);
      AccountRecord v1 = new AccountRecord(ALICE, 1, 1, 100, 0, 0, 0, 0, T0, plan, T0.plusSeconds(20));
      store.commit(new AccountChange(0, v1, List.of(lot(1, 100, 100, 0, null)), List.of(), List.of(), List.of(),
          List.of(entry(ALICE, 1, EntryType.GRANT, 100, 1, null, "grant-1")), idem("grant-1")));
      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      AccountRecord v2 = new AccountRecord(ALICE, 2, 2, 100, 0, 0, 0, 1, T0, plan, T0.plusSeconds(30));
      AccountChange kept = new AccountChange(1, v2, List.of(), List.of(lot(1, 100, 70, 30, null)), List.of(h),
          List.of(), List.of(entry(ALICE, 2, EntryType.HOLD, 30, 1, h.id(), "hold-1")), idem("hold-1"), false);
      assertThat(store.commit(kept)).isEqualTo(CommitOutcome.COMMITTED);
      assertThat(load(ALICE).account()).isEqualTo(v2);
      assertThat(store.findAccountsWithPlanDue(T0.plusSeconds(25), 10)).as("plan_due_at is written").isEmpty();
      assertThat(store.findHold(ALICE, h.id())).contains(h);
    }

    @Test
    @DisplayName("ended holds are found, and loaded only when named; a spent lot is deleted, not loaded")
    void endedHoldsAndDeadLots() throws SQLException {
      Hold h = activeHold(ALICE, "h_1", 100, T0.plusSeconds(900));
      store.commit(create(ALICE));
      store.commit(hold(ALICE, h, "hold-1"));
      assertThat(store.commit(settle(ALICE, h, 2, "settle-1"))).isEqualTo(CommitOutcome.COMMITTED);

      AccountSnapshot snapshot = load(ALICE);
      assertThat(snapshot.holds()).isEmpty();
      assertThat(snapshot.earliestHoldDeadline()).isNull();
      assertThat(snapshot.lots()).isEmpty();
      assertThat(count("lots")).as("lot rows left once the only lot is spent").isZero();
      assertThat(store.findHold(ALICE, h.id())).contains(ended(h, HoldState.SETTLED, 100));
      assertThat(store.load(ALICE, HoldSelection.of(h.id(), T0)).orElseThrow().holds())
          .containsExactly(ended(h, HoldState.SETTLED, 100));
    }

    @Test
    @DisplayName("idempotency records and ledger entries round-trip, metadata exactly")
    void idempotencyAndLedger() {
      store.commit(create(ALICE));
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("grant-1"))).contains(idem("grant-1"));
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("other"))).isEmpty();
      assertThat(store.findIdempotencyRecord(BOB, IdempotencyKey.of("grant-1"))).isEmpty();

      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      LedgerEntry tricky = new LedgerEntry(ALICE, 2, EntryType.HOLD, 30, new LotId(1), LotSource.PACK, h.id(),
          IdempotencyKey.of("hold-1"), T0.plusNanos(1_000), TRICKY);
      AccountChange change = new AccountChange(1, record(ALICE, 2, 2, 100, 1), List.of(),
          List.of(lot(1, 100, 70, 30, null)), List.of(h), List.of(), List.of(tricky), null);
      store.commit(change);

      assertThat(store.readLedger(ALICE, LedgerQuery.firstPage(10)))
          .containsExactly(entry(ALICE, 1, EntryType.GRANT, 100, 1, null, "grant-1"), tricky);
      assertThat(store.readLedger(ALICE, LedgerQuery.after(1, 10))).containsExactly(tricky);
      assertThat(store.readLedger(ALICE, LedgerQuery.firstPage(1))).hasSize(1);
      assertThat(store.readLedger(ALICE, LedgerQuery.between(T0.plusNanos(1_000), T0.plusSeconds(1), 10)))
          .containsExactly(tricky);
      assertThat(store.readLedger(ALICE, new LedgerQuery(0, T0.plusSeconds(1), null, 10)))
          .containsExactly(entry(ALICE, 1, EntryType.GRANT, 100, 1, null, "grant-1"));
      assertThat(store.readLedger(BOB, LedgerQuery.firstPage(10))).isEmpty();
    }

    @Test
    @DisplayName("overdue holds come oldest deadline first, limited; a deadline equal to now is not overdue")
    void holdsPastDeadline() {
      store.commit(create(ALICE));
      store.commit(create(BOB));
      store.commit(hold(ALICE, activeHold(ALICE, "h_a", 10, T0.plusSeconds(20)), "k"));
      store.commit(hold(BOB, activeHold(BOB, "h_b", 10, T0.plusSeconds(10)), "k"));

      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(21), 10)).containsExactly(
          new HoldRef(BOB, HoldId.of("h_b"), T0.plusSeconds(10)), new HoldRef(ALICE, HoldId.of("h_a"), T0.plusSeconds(20)));
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(20), 10)).extracting(HoldRef::account).containsExactly(BOB);
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(21), 1)).extracting(HoldRef::account).containsExactly(BOB);
    }

    @Test
    @DisplayName("accounts with expired lots are listed once each, only while credits remain")
    void accountsWithExpiredLots() {
      AccountChange twoLots = new AccountChange(0, record(ALICE, 1, 2, 20, 0),
          List.of(lot(1, 10, 10, 0, T0.plusSeconds(5)), lot(2, 10, 10, 0, T0.plusSeconds(6))), List.of(), List.of(),
          List.of(), List.of(entry(ALICE, 1, EntryType.GRANT, 10, 1, null, null),
              entry(ALICE, 2, EntryType.GRANT, 10, 2, null, null)), null);
      store.commit(twoLots);
      store.commit(create(BOB));

      assertThat(store.findAccountsWithExpiredLots(T0.plusSeconds(4), 10)).isEmpty();
      assertThat(store.findAccountsWithExpiredLots(T0.plusSeconds(5), 10)).containsExactly(ALICE);
      assertThat(store.findAccountsWithExpiredLots(T0.plusSeconds(100), 10)).containsExactly(ALICE);

      AccountChange spent = new AccountChange(1, new AccountRecord(ALICE, 2, 4, 20, 0, 20, 0, 0, T0, null, null),
          List.of(), List.of(lot(1, 10, 0, 0, T0.plusSeconds(5)), lot(2, 10, 0, 0, T0.plusSeconds(6))), List.of(),
          List.of(), List.of(entry(ALICE, 3, EntryType.LOT_EXPIRED, 10, 1, null, null),
              entry(ALICE, 4, EntryType.LOT_EXPIRED, 10, 2, null, null)), null);
      assertThat(store.commit(spent)).isEqualTo(CommitOutcome.COMMITTED);
      assertThat(store.findAccountsWithExpiredLots(T0.plusSeconds(100), 10)).isEmpty();
      assertThat(load(ALICE).lots()).isEmpty();
    }

    @Test
    @DisplayName("accounts with many expired lots each still fill the limit with distinct accounts, in expiry order")
    void accountsWithManyExpiredLots() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      for (int i = 0; i < 7; i++) {
        alice.grant(LotSource.PROMOTION, 5, T0.plusSeconds(10 + i));
      }
      store.commit(alice.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PROMOTION, 5, T0.plusSeconds(30));
      store.commit(bob.build());
      AccountId carol = AccountId.of("carol");
      AccountChangeBuilder c = AccountChangeBuilder.create(carol, T0);
      c.grant(LotSource.PROMOTION, 5, T0.plusSeconds(40));
      c.grant(LotSource.PROMOTION, 5, T0.plusSeconds(5));
      store.commit(c.build());

      Instant later = T0.plusSeconds(60);
      assertThat(store.findAccountsWithExpiredLots(later, 2)).containsExactly(carol, ALICE);
      assertThat(store.findAccountsWithExpiredLots(later, 3)).containsExactly(carol, ALICE, BOB);
      assertThat(store.findAccountsWithExpiredLots(later, 1)).containsExactly(carol);
      assertThat(store.findAccountsWithExpiredLots(later, 100)).containsExactly(carol, ALICE, BOB);
      assertThat(store.findAccountsWithExpiredLots(T0.plusSeconds(30), 3)).containsExactly(carol, ALICE, BOB);
      assertThat(store.findAccountsWithExpiredLots(later, 0)).isEmpty();
    }
  }

  @Nested
  @DisplayName("selecting holds")
  class SelectingHolds {
    private final Hold h10 = activeHold(ALICE, "h_10", 10, T0.plusSeconds(10));
    private final Hold h20 = activeHold(ALICE, "h_20", 10, T0.plusSeconds(20));
    private final Hold h30 = activeHold(ALICE, "h_30", 10, T0.plusSeconds(30));
    private final Hold h05 = activeHold(ALICE, "h_05", 10, T0.plusSeconds(5));
    private Hold settled05;

    /** ALICE: holds due at +10s, +20s and +30s active, the one due at +5s settled; BOB: one due at +1s. */
    @BeforeEach
    void placeHolds() {
      AccountChange open = new AccountChange(0, record(ALICE, 1, 1, 100, 4), List.of(lot(1, 100, 60, 40, null)),
          List.of(), List.of(h10, h20, h30, h05), List.of(),
          List.of(entry(ALICE, 1, EntryType.GRANT, 100, 1, null, null)), null);
      assertThat(store.commit(open)).isEqualTo(CommitOutcome.COMMITTED);
      settled05 = ended(h05, HoldState.SETTLED, 10);
      AccountChange settle = new AccountChange(1, new AccountRecord(ALICE, 2, 2, 100, 10, 0, 0, 3, T0, null, null),
          List.of(), List.of(lot(1, 100, 60, 30, null)), List.of(), List.of(settled05),
          List.of(entry(ALICE, 2, EntryType.SETTLE, 10, 1, h05.id(), null)), null);
      assertThat(store.commit(settle)).isEqualTo(CommitOutcome.COMMITTED);
      AccountChange bob = new AccountChange(0, record(BOB, 1, 1, 100, 1), List.of(lot(1, 100, 90, 10, null)),
          List.of(), List.of(activeHold(BOB, "h_10", 10, T0.plusSeconds(1))), List.of(),
          List.of(entry(BOB, 1, EntryType.GRANT, 100, 1, null, null)), null);
      assertThat(store.commit(bob)).isEqualTo(CommitOutcome.COMMITTED);
    }

    private AccountSnapshot load(HoldSelection selection) {
      return store.load(ALICE, selection).orElseThrow();
    }

    @Test
    @DisplayName("a load brings only the active holds past their deadline, and the earliest active deadline")
    void overdueOnly() {
      assertThat(load(HoldSelection.overdueAt(T0)).holds()).isEmpty();
      assertThat(load(HoldSelection.overdueAt(T0.plusSeconds(10))).holds()).as("a deadline equal to now").isEmpty();
      AccountSnapshot snapshot = load(HoldSelection.overdueAt(T0.plusSeconds(25)));
      assertThat(snapshot.holds()).containsExactlyInAnyOrder(h10, h20);
      assertThat(snapshot.earliestHoldDeadline()).isEqualTo(h10.deadline());
      assertThat(snapshot.account().activeHolds()).isEqualTo(3);
      assertThat(snapshot.lots()).containsExactly(lot(1, 100, 60, 30, null));
      assertThat(load(HoldSelection.allActive()).holds()).containsExactlyInAnyOrder(h10, h20, h30);
    }

    @Test
    @DisplayName("named holds come in any state, each once even when also overdue; unknown and other accounts' do not")
    void namedHolds() {
      AccountSnapshot ended = load(HoldSelection.of(h05.id(), T0));
      assertThat(ended.holds()).containsExactly(settled05);
      assertThat(ended.earliestHoldDeadline()).as("the earliest among active holds only").isEqualTo(h10.deadline());
      assertThat(load(new HoldSelection(Set.of(h10.id(), h30.id()), T0.plusSeconds(25))).holds())
          .containsExactlyInAnyOrder(h10, h20, h30);
      assertThat(load(new HoldSelection(Set.of(h05.id(), h10.id(), h20.id(), h30.id(), HoldId.of("h_none")), T0))
          .holds()).containsExactlyInAnyOrder(settled05, h10, h20, h30);
      assertThat(load(HoldSelection.of(HoldId.of("h_none"), T0)).holds()).isEmpty();
      assertThat(store.load(BOB, HoldSelection.of(h30.id(), T0)).orElseThrow().holds()).isEmpty();
      assertThat(store.load(BOB, HoldSelection.of(h10.id(), T0)).orElseThrow().holds())
          .extracting(Hold::account).containsExactly(BOB);
    }

    @Test
    @DisplayName("a keyed read selects the same way, and brings the earlier call's record when the key was used")
    void keyedRead() {
      KeyedRead fresh = store.readForCall(ALICE, IdempotencyKey.of("k-new"),
          HoldSelection.of(h30.id(), T0.plusSeconds(15)));
      assertThat(fresh.record()).isNull();
      assertThat(fresh.snapshot()).isNotNull();
      assertThat(fresh.snapshot().holds()).containsExactlyInAnyOrder(h10, h30);
      assertThat(fresh.snapshot().earliestHoldDeadline()).isEqualTo(h10.deadline());

      store.commit(new AccountChange(2, new AccountRecord(ALICE, 3, 2, 100, 10, 0, 0, 3, T0, PLAN, null), List.of(),
          List.of(), List.of(), List.of(), List.of(), idem("k-used")));
      KeyedRead used = store.readForCall(ALICE, IdempotencyKey.of("k-used"), HoldSelection.overdueAt(T0));
      assertThat(used.record()).isEqualTo(idem("k-used"));
      assertThat(store.readForCall(BOB, IdempotencyKey.of("k-used"), HoldSelection.overdueAt(T0)).record()).isNull();
    }

    @Test
    @DisplayName("once no hold is active the earliest deadline is gone")
    void noActiveHold() {
      List<Hold> endings = List.of(ended(h10, HoldState.RELEASED, 0), ended(h20, HoldState.EXPIRED, 0),
          ended(h30, HoldState.RELEASED, 0));
      AccountChange endAll = new AccountChange(2, new AccountRecord(ALICE, 3, 2, 100, 10, 0, 0, 0, T0, null, null),
          List.of(), List.of(lot(1, 100, 90, 0, null)), List.of(), endings, List.of(), null);
      assertThat(store.commit(endAll)).isEqualTo(CommitOutcome.COMMITTED);

      AccountSnapshot snapshot = load(HoldSelection.allActive());
      assertThat(snapshot.holds()).isEmpty();
      assertThat(snapshot.earliestHoldDeadline()).isNull();
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(100), 10)).extracting(HoldRef::account)
          .containsExactly(BOB);
      assertThat(store.findHold(ALICE, h20.id())).contains(ended(h20, HoldState.EXPIRED, 0));
    }
  }

  @Nested
  @DisplayName("conflicts")
  class Conflicts {
    @Test
    @DisplayName("creating an existing account is a conflict and writes nothing")
    void createTwice() throws SQLException {
      store.commit(create(ALICE));
      AccountChange again = new AccountChange(0, record(ALICE, 1, 1, 100, 0), List.of(lot(1, 100, 100, 0, null)),
          List.of(), List.of(), List.of(), List.of(entry(ALICE, 1, EntryType.GRANT, 100, 1, null, "grant-2")),
          idem("grant-2"));
      assertThat(store.commit(again)).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(count("ledger")).isEqualTo(1);
      assertThat(count("lots")).isEqualTo(1);
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("grant-2"))).isEmpty();
    }

    @Test
    @DisplayName("a stale expected version is a conflict and writes nothing")
    void staleVersion() throws SQLException {
      store.commit(create(ALICE));
      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      assertThat(store.commit(hold(ALICE, h, "hold-1"))).isEqualTo(CommitOutcome.COMMITTED);
      Hold h2 = activeHold(ALICE, "h_2", 30, T0.plusSeconds(900));
      assertThat(store.commit(hold(ALICE, h2, "hold-2"))).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(store.findHold(ALICE, h2.id())).isEmpty();
      assertThat(load(ALICE).lots()).containsExactly(lot(1, 100, 70, 30, null));
      assertThat(count("ledger")).isEqualTo(2);
      assertThat(count("idempotency")).isEqualTo(2);
    }

    @Test
    @DisplayName("an update of an account that does not exist is a conflict")
    void missingAccount() throws SQLException {
      assertThat(store.commit(hold(ALICE, activeHold(ALICE, "h_1", 1, T0), "k"))).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(count("holds")).isZero();
    }

    @Test
    @DisplayName("ending a hold that is no longer active, on the current version, is a conflict that writes nothing")
    void holdNoLongerActive() throws SQLException {
      Hold h1 = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      Hold h2 = activeHold(ALICE, "h_2", 20, T0.plusSeconds(600));
      store.commit(create(ALICE));
      store.commit(hold(ALICE, h1, "hold-1"));
      store.commit(new AccountChange(2, record(ALICE, 3, 3, 100, 2), List.of(), List.of(lot(1, 100, 50, 50, null)),
          List.of(h2), List.of(), List.of(entry(ALICE, 3, EntryType.HOLD, 20, 1, h2.id(), "hold-2")), null));
      Hold settled = ended(h1, HoldState.SETTLED, 30);
      assertThat(store.commit(new AccountChange(3, new AccountRecord(ALICE, 4, 4, 100, 30, 0, 0, 1, T0, null, null),
          List.of(), List.of(lot(1, 100, 50, 20, null)), List.of(), List.of(settled),
          List.of(entry(ALICE, 4, EntryType.SETTLE, 30, 1, h1.id(), "settle-1")), null)))
          .isEqualTo(CommitOutcome.COMMITTED);
      AccountSnapshot before = store.load(ALICE, HoldSelection.of(h1.id(), Instant.MAX)).orElseThrow();

      // A change on the current version that ends h1 again along with h2, and writes every other kind
      // of row: the account row's guards hold (version, ledger position), ending h1 matches no row.
      Hold h3 = activeHold(ALICE, "h_3", 5, T0.plusSeconds(300));
      AccountChange releaseAgain = new AccountChange(4, new AccountRecord(ALICE, 5, 5, 105, 30, 0, 0, 0, T0, PLAN,
          null), List.of(lot(2, 5, 0, 5, null)), List.of(lot(1, 100, 80, 0, null)), List.of(h3),
          List.of(ended(h2, HoldState.RELEASED, 0), ended(h1, HoldState.RELEASED, 0)),
          List.of(entry(ALICE, 5, EntryType.RELEASE, 30, 1, h1.id(), "release-1")),
          new IdempotencyRecord(IdempotencyKey.of("release-1"), "release", "f", "r", T0));
      assertThat(store.commit(releaseAgain)).isEqualTo(CommitOutcome.CONFLICT);

      assertThat(store.load(ALICE, HoldSelection.of(h1.id(), Instant.MAX))).contains(before);
      assertThat(store.findHold(ALICE, h1.id())).contains(settled);
      assertThat(store.findHold(ALICE, h2.id())).contains(h2);
      assertThat(store.findHold(ALICE, h3.id())).isEmpty();
      assertThat(count("lots")).isEqualTo(1);
      assertThat(count("holds")).isEqualTo(2);
      assertThat(count("ledger")).isEqualTo(4);
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("release-1"))).isEmpty();
    }

    @Test
    @DisplayName("an idempotency key taken meanwhile rolls back and is a conflict")
    void keyTaken() throws SQLException {
      store.commit(create(ALICE));
      AccountChange sameKey = new AccountChange(1, record(ALICE, 2, 2, 200, 0), List.of(lot(2, 100, 100, 0, null)),
          List.of(), List.of(), List.of(), List.of(entry(ALICE, 2, EntryType.GRANT, 100, 2, null, "grant-1")),
          idem("grant-1"));
      assertThat(store.commit(sameKey)).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(storedVersion(ALICE)).isEqualTo(1);
      assertThat(load(ALICE).lots()).hasSize(1);
      assertThat(count("lots")).isEqualTo(1);
      assertThat(count("ledger")).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("failures")
  class Failures {
    @Test
    @DisplayName("a hold row written by hand against its rules (settled beyond its amount) fails the next call with STORE_FAILURE")
    void handWrittenHoldBreakingItsRules() throws SQLException {
      store.commit(create(ALICE));
      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      store.commit(hold(ALICE, h, "hold-1"));
      try (Connection c = target.dataSource().getConnection(); Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE " + target.config().table("holds") + " SET settled = 31"
            + " WHERE account = 'alice'")).as("no CHECK repeats core's rule").isEqualTo(1);
      }
      CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();

      assertThatThrownBy(() -> credits.settle(ALICE, h.id(), IdempotencyKey.of("settle-1")))
          .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILURE))
          .hasRootCauseMessage("hold h_1 settles 31 of 30");
      assertThat(count("ledger")).isEqualTo(2);
      assertThat(count("idempotency")).as("grant and hold only").isEqualTo(2);
    }

    @Test
    @DisplayName("a row written by hand against a rule core checks (a negative lot) fails the next call with STORE_FAILURE and writes nothing")
    void handWrittenRowBreakingCoreRule() throws SQLException {
      store.commit(create(ALICE));
      try (Connection c = target.dataSource().getConnection(); Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE " + target.config().table("lots") + " SET reserved = -5"
            + " WHERE account = 'alice'")).as("no CHECK repeats core's rule").isEqualTo(1);
      }
      CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();

      assertThatThrownBy(() -> credits.balance(ALICE)).isInstanceOfSatisfying(StoreException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILURE));
      assertThatThrownBy(() -> credits.hold(HoldRequest.of(ALICE, CreditAmount.of(5), IdempotencyKey.of("h-1"))))
          .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILURE))
          .hasRootCauseMessage("lot amounts must not be negative");
      assertThat(count("ledger")).isEqualTo(1);
      assertThat(count("holds")).isZero();
    }

    @Test
    @DisplayName("a hold placed under an id the account already used, active or ended, is malformed and writes nothing")
    void duplicateHold() throws SQLException {
      store.commit(create(ALICE));
      Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
      store.commit(hold(ALICE, h, "hold-1"));
      AccountChange again = new AccountChange(2, record(ALICE, 3, 3, 100, 2), List.of(), List.of(), List.of(h),
          List.of(), List.of(entry(ALICE, 3, EntryType.HOLD, 30, 1, h.id(), null)), null);
      assertThatThrownBy(() -> store.commit(again)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already used");
      assertThat(storedVersion(ALICE)).isEqualTo(2);

      store.commit(settle(ALICE, h, 2, "settle-1"));
      AccountChange afterEnd = new AccountChange(3, record(ALICE, 4, 4, 100, 1), List.of(), List.of(), List.of(h),
          List.of(), List.of(entry(ALICE, 4, EntryType.HOLD, 30, 1, h.id(), null)), null);
      assertThatThrownBy(() -> store.commit(afterEnd)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already used");
      assertThat(storedVersion(ALICE)).isEqualTo(3);
      assertThat(count("ledger")).isEqualTo(3);
      assertThat(store.findHold(ALICE, h.id())).contains(ended(h, HoldState.SETTLED, 30));
    }

    @Test
    @DisplayName("a new lot under a used id, or a changed lot that is not live, is malformed and writes nothing")
    void lotsThatCannotFollow() throws SQLException {
      store.commit(create(ALICE));
      AccountChange usedId = new AccountChange(1, record(ALICE, 2, 2, 200, 0), List.of(lot(1, 100, 100, 0, null)),
          List.of(), List.of(), List.of(), List.of(entry(ALICE, 2, EntryType.GRANT, 100, 1, null, null)), null);
      assertThatThrownBy(() -> store.commit(usedId)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lot");
      AccountChange unknownLot = new AccountChange(1, record(ALICE, 2, 1, 100, 0), List.of(),
          List.of(lot(9, 100, 50, 0, null)), List.of(), List.of(), List.of(), null);
      assertThatThrownBy(() -> store.commit(unknownLot)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a live lot");
      assertThat(storedVersion(ALICE)).isEqualTo(1);
      assertThat(load(ALICE).lots()).containsExactly(lot(1, 100, 100, 0, null));
      assertThat(count("ledger")).isEqualTo(1);
    }

    @Test
    @DisplayName("missing tables are a SCHEMA_NOT_INSTALLED StoreException with the SQL state, at creation or first use")
    void missingTables() throws SQLException {
      JdbcStoreConfig other = JdbcStoreConfig.builder().dialect(target.config().dialect())
          .tablePrefix("nothing_here_").build();
      assertThatThrownBy(() -> JdbcCreditStore.create(target.dataSource(), other))
          .isInstanceOfSatisfying(StoreException.class, JdbcCreditStoreTestBase::notInstalled);
      try (Connection c = target.dataSource().getConnection()) {
        JdbcCreditStore broken = JdbcCreditStore.withConnection(c, other);
        assertThatThrownBy(() -> broken.load(ALICE, HoldSelection.allActive()))
            .isInstanceOfSatisfying(StoreException.class, JdbcCreditStoreTestBase::notInstalled);
        assertThatThrownBy(() -> broken.commit(create(ALICE)))
            .isInstanceOfSatisfying(StoreException.class, JdbcCreditStoreTestBase::notInstalled);
      }
    }

    @Test
    @DisplayName("ledger entries that do not continue the stored sequence are rejected and nothing is written")
    void sequenceGap() {
      store.commit(create(ALICE));
      AccountChange gap = new AccountChange(1, record(ALICE, 2, 3, 200, 0), List.of(lot(3, 100, 100, 0, null)),
          List.of(), List.of(), List.of(), List.of(entry(ALICE, 3, EntryType.GRANT, 100, 3, null, null)), null);
      assertThatThrownBy(() -> store.commit(gap)).isInstanceOf(IllegalArgumentException.class);
      assertThat(storedVersion(ALICE)).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("an account with 1,000 active holds")
  class ThousandActiveHolds {
    private final AccountId busy = AccountId.of("busy");
    private final AccountId quiet = AccountId.of("quiet");
    private final AtomicInteger statements = new AtomicInteger();
    private CreditService credits;
    private MutableClock clock;

    /** {@code busy} has 1,000 active holds due in a day, {@code quiet} none; both have 10,000 credits. */
    @BeforeEach
    void openAccounts() {
      store = JdbcCreditStore.create(CountingDataSource.counting(target.dataSource(),
          (method, args) -> method.equals("prepareStatement"), statements), target.config());
      AccountChangeBuilder b = AccountChangeBuilder.create(busy, T0);
      b.grant(LotSource.PACK, 10_000, null);
      for (int i = 0; i < 1_000; i++) {
        b.hold(HoldId.of(String.format("h_bg%04d", i)), 1, T0.plus(Duration.ofDays(1)));
      }
      assertThat(store.commit(b.build())).isEqualTo(CommitOutcome.COMMITTED);
      AccountChangeBuilder q = AccountChangeBuilder.create(quiet, T0);
      q.grant(LotSource.PACK, 10_000, null);
      assertThat(store.commit(q.build())).isEqualTo(CommitOutcome.COMMITTED);
      // Every call reads the account, so both calls are measured whole.
      clock = new MutableClock(T0.plusSeconds(60));
      credits = CreditService.builder().store(store).clock(clock).reuseCommittedAccounts(false).build();
    }

    @Test
    @DisplayName("a call reads the few overdue holds among them, with the earliest deadline, and expires them")
    void overdueHoldsAmongManyAreExpired() {
      Hold first = credits.hold(HoldRequest.of(busy, CreditAmount.of(5), IdempotencyKey.of("short-1"))
          .withTtl(Duration.ofSeconds(30)));
      Hold second = credits.hold(HoldRequest.of(busy, CreditAmount.of(7), IdempotencyKey.of("short-2"))
          .withTtl(Duration.ofSeconds(40)));
      Instant past = clock.advance(Duration.ofMinutes(2));

      AccountSnapshot read = store.load(busy, HoldSelection.overdueAt(past)).orElseThrow();
      assertThat(read.holds()).containsExactlyInAnyOrder(first, second);
      assertThat(read.earliestHoldDeadline()).isEqualTo(first.deadline());
      assertThat(store.load(busy, HoldSelection.overdueAt(T0.plusSeconds(60))).orElseThrow().holds()).isEmpty();

      Hold next = credits.hold(HoldRequest.of(busy, CreditAmount.of(30), IdempotencyKey.of("after")));

      assertThat(credits.findHold(busy, first.id()).orElseThrow().state()).isEqualTo(HoldState.EXPIRED);
      assertThat(credits.findHold(busy, second.id()).orElseThrow().state()).isEqualTo(HoldState.EXPIRED);
      BalanceView view = credits.balance(busy);
      assertThat(view.activeHolds()).isEqualTo(1_001);
      assertThat(view.held()).isEqualTo(1_030);
      AccountSnapshot after = store.load(busy, HoldSelection.overdueAt(past)).orElseThrow();
      assertThat(after.holds()).isEmpty();
      assertThat(after.earliestHoldDeadline()).isEqualTo(next.deadline());
    }

    @Test
    @DisplayName("a hold and its settle read and write only their own hold's row, with the statements they need on an account without holds")
    void holdAndSettleTouchOnlyTheirHold() throws SQLException {
      Map<String, String> versionsBefore = rowVersions(busy);

      int[] quietCalls = holdAndSettle(quiet);
      int[] busyCalls = holdAndSettle(busy);

      assertThat(busyCalls).as("statements per hold and per settle, 1,000 active holds against none")
          .isEqualTo(quietCalls);
      // One read, then the commit: one pipelined execute on PostgreSQL, one statement per kind of row
      // written (the account, its lots, the hold, the ledger, the key) on H2.
      int expected = database().postgres() ? 2 : 6;
      assertThat(busyCalls).as("statements per hold and per settle").containsExactly(expected, expected);
      Map<String, String> versionsAfter = rowVersions(busy);
      assertThat(versionsAfter.keySet()).isEqualTo(versionsBefore.keySet());
      long rewritten = versionsBefore.keySet().stream()
          .filter(id -> !versionsBefore.get(id).equals(versionsAfter.get(id))).count();
      assertThat(rewritten).as("rows of the holds the calls did not name that were written").isZero();
      assertThat(load(busy).holds()).hasSize(1_000);
      assertThat(load(busy).account().activeHolds()).isEqualTo(1_000);
      assertThat(credits.balance(busy).held()).isEqualTo(1_000);
    }

    /** Places and settles one hold on the account; returns the statements each call prepared. */
    private int[] holdAndSettle(AccountId account) {
      statements.set(0);
      Hold hold = credits.hold(HoldRequest.of(account, CreditAmount.of(30), IdempotencyKey.of("gen-" + account)));
      int holdStatements = statements.getAndSet(0);
      AccountSnapshot read = store.load(account, HoldSelection.of(hold.id(), T0.plusSeconds(60))).orElseThrow();
      assertThat(read.holds()).containsExactly(hold);
      assertThat(read.earliestHoldDeadline()).isNotNull();
      statements.set(0);
      credits.settle(account, hold.id(), CreditAmount.of(20), IdempotencyKey.of("done-" + account));
      return new int[] {holdStatements, statements.get()};
    }

    /**
     * The version of each of the 1,000 hold rows on PostgreSQL ({@code xmin}, the transaction that
     * last wrote it, even with the same values); H2 has no such column, so there the map is empty.
     */
    private Map<String, String> rowVersions(AccountId account) throws SQLException {
      Map<String, String> out = new TreeMap<>();
      if (!database().postgres()) {
        return out;
      }
      try (Connection c = target.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT hold_id, CAST(xmin AS TEXT) FROM " + target.config().table("holds") + " WHERE account = ?")) {
        ps.setString(1, account.value());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(1).startsWith("h_bg")) {
              out.put(rs.getString(1), rs.getString(2));
            }
          }
        }
      }
      assertThat(out).hasSize(1_000);
      return out;
    }
  }

  @Nested
  @DisplayName("inside the host's transaction")
  class HostTransaction {
    @Test
    @DisplayName("a host rollback undoes the credits change; a host commit keeps it")
    void hostRollbackUndoes() throws SQLException {
      CreditService standalone = service(store);
      standalone.openAccount(ALICE, IdempotencyKey.of("open"));
      standalone.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("g1"));

      try (Connection c = target.dataSource().getConnection()) {
        c.setAutoCommit(false);
        CreditService inHost = service(JdbcCreditStore.withConnection(c, target.config()));
        Hold hold = inHost.hold(HoldRequest.of(ALICE, CreditAmount.of(40), IdempotencyKey.of("h1")));
        assertThat(inHost.balance(ALICE).available()).isEqualTo(60);
        assertThat(inHost.findHold(ALICE, hold.id())).isPresent();
        c.rollback();
        c.setAutoCommit(true);
      }
      assertThat(standalone.balance(ALICE).available()).isEqualTo(100);
      assertThat(standalone.history(ALICE, LedgerQuery.firstPage(10)).entries()).hasSize(1);

      try (Connection c = target.dataSource().getConnection()) {
        c.setAutoCommit(false);
        CreditService inHost = service(JdbcCreditStore.inHostTransaction(() -> c, target.config()));
        inHost.hold(HoldRequest.of(ALICE, CreditAmount.of(40), IdempotencyKey.of("h1")));
        c.commit();
        c.setAutoCommit(true);
      }
      assertThat(standalone.balance(ALICE).available()).isEqualTo(60);
    }

    @Test
    @DisplayName("a conflict rolls back to the store's savepoint and the host's work survives; a commit is left to the host")
    void conflictKeepsHostWork() throws SQLException {
      store.commit(create(ALICE));
      try (Connection c = target.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE " + target.config().table("host_orders") + " (id INT)");
          st.execute("INSERT INTO " + target.config().table("host_orders") + " VALUES (1)");
        }
        JdbcCreditStore inHost = JdbcCreditStore.withConnection(c, target.config());
        assertThat(inHost.commit(create(ALICE))).isEqualTo(CommitOutcome.CONFLICT);
        Hold h = activeHold(ALICE, "h_1", 30, T0.plusSeconds(900));
        assertThat(inHost.commit(hold(ALICE, h, "hold-1"))).isEqualTo(CommitOutcome.WRITTEN_IN_HOST_TRANSACTION);
        c.commit();
        c.setAutoCommit(true);
      }
      assertThat(count("host_orders")).isEqualTo(1);
      assertThat(storedVersion(ALICE)).isEqualTo(2);
    }

    @Test
    @DisplayName("a host connection in auto-commit mode gets one transaction per commit, committed at once")
    void autoCommitHostConnection() throws SQLException {
      try (Connection c = target.dataSource().getConnection()) {
        JdbcCreditStore inHost = JdbcCreditStore.withConnection(c, target.config());
        assertThat(inHost.commit(create(ALICE))).isEqualTo(CommitOutcome.COMMITTED);
        assertThat(c.getAutoCommit()).isTrue();
      }
      assertThat(storedVersion(ALICE)).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("end to end through CreditService")
  class EndToEnd {
    @Test
    @DisplayName("grant, hold, settle, release, expiry by the sweep, history and reconciliation")
    void journey() {
      MutableClock clock = new MutableClock(T0);
      CreditService credits = CreditService.builder().store(store).clock(clock).build();
      assertThat(credits.openAccount(ALICE, IdempotencyKey.of("open"))).isTrue();
      credits.grant(ALICE, LotSource.SIGNUP_GRANT, CreditAmount.of(200), null, IdempotencyKey.of("signup"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(500), null, TRICKY, IdempotencyKey.of("pack-1"));

      Hold image = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(120), IdempotencyKey.of("gen-1"))
          .withMetadata("kind", "image").withMetadata("prompt", "a=b\n%"));
      assertThat(credits.hold(HoldRequest.of(ALICE, CreditAmount.of(120), IdempotencyKey.of("gen-1"))
          .withMetadata("kind", "image").withMetadata("prompt", "a=b\n%"))).isEqualTo(image);
      Settlement settled = credits.settle(ALICE, image.id(), CreditAmount.of(100), IdempotencyKey.of("gen-1-done"));
      assertThat(settled.settled()).isEqualTo(100);
      assertThat(credits.settle(ALICE, image.id(), CreditAmount.of(100), IdempotencyKey.of("gen-1-done")))
          .isEqualTo(settled);

      Hold video = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(300), IdempotencyKey.of("gen-2")));
      credits.release(ALICE, video.id(), "blocked", IdempotencyKey.of("gen-2-release"));
      Hold lost = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(50), IdempotencyKey.of("gen-3"))
          .withTtl(Duration.ofMinutes(1)));

      clock.advance(Duration.ofMinutes(2));
      assertThat(credits.sweep().holdsExpired()).isEqualTo(1);
      assertThat(credits.findHold(ALICE, lost.id()).orElseThrow().state()).isEqualTo(HoldState.EXPIRED);

      BalanceView balance = credits.balance(ALICE);
      assertThat(balance.available()).isEqualTo(600);
      assertThat(balance.held()).isZero();
      assertThat(credits.reconcile(ALICE).consistent()).isTrue();
      assertThat(credits.history(ALICE, LedgerQuery.firstPage(100)).entries())
          .extracting(LedgerEntry::type).contains(EntryType.GRANT, EntryType.HOLD, EntryType.SETTLE,
              EntryType.RELEASE, EntryType.HOLD_EXPIRED);
    }
  }

  @Test
  @DisplayName("installing twice is harmless")
  void installTwice() {
    assertThat(JdbcCreditStore.install(target.dataSource(), target.config())).isEqualTo(SchemaInstaller.LATEST);
    assertThat(SchemaInstaller.statements(target.config())).isNotEmpty()
        .allSatisfy(s -> assertThat(s).doesNotContain("${"));
  }

  static void notInstalled(StoreException e) {
    assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_NOT_INSTALLED);
    assertThat(e.sqlState()).isPresent();
  }

  static CreditService service(JdbcCreditStore store) {
    return CreditService.builder().store(store).clock(new MutableClock(T0)).build();
  }

  static long scalar(DataSource ds, String sql, Object... args) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
