package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executable contract of {@link CreditStore}: every storage adapter, ours and integrators',
 * must pass it. It drives the store directly with hand-built {@link AccountChange}s (see
 * {@link AccountChangeBuilder}) and checks what comes back verbatim, then runs a few scenarios
 * end to end through {@link CreditService}.
 *
 * <p>An adapter's test extends this class and supplies a fresh, empty store per test:
 *
 * <pre>{@code
 * class JdbcCreditStoreContractTest extends CreditStoreContract {
 *   @Override
 *   protected CreditStore createStore() {
 *     return JdbcCreditStore.create(freshH2DataSource(), JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2));
 *   }
 * }
 * }</pre>
 *
 * <p>What the suite requires beyond the SPI's javadoc, so an adapter author is not surprised:
 * instants round-trip with at least microsecond precision; texts (the plan's, metadata,
 * idempotency strings) round-trip verbatim including the empty string, newlines and characters
 * outside the BMP, and a plan may carry hundreds of open orders; amounts need the full
 * {@code long} range; ids are scoped to their account (two accounts may use the same hold id);
 * a changed lot is stored whole, its expiry included; ending a hold that is not {@code ACTIVE} on
 * the change's own account is a {@code CONFLICT}; and a change is all or nothing even when only its
 * last part is refused. Orders the SPI leaves open (ties between equal deadlines, the order of
 * {@code findAccountsWithExpiredLots}) are not checked.
 *
 * <p>The concurrency tests start {@link #concurrentWriters()} threads; lower it, or
 * {@link #commitsPerWriter()}, for a slow database.
 */
public abstract class CreditStoreContract {

  /** A fixed origin; every instant in the suite is derived from it. */
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  /** Beyond every deadline and expiry the suite writes. */
  static final Instant FAR_FUTURE = T0.plus(Duration.ofDays(3650));
  static final AccountId ALICE = AccountId.of("user:alice@example.com/ws+1=a_b-c.d");
  static final AccountId BOB = AccountId.of("user:bob");
  static final AccountId CAROL = AccountId.of("user:carol");
  static final AccountId DAVE = AccountId.of("user:dave");
  static final AccountId NOBODY = AccountId.of("user:nobody");

  /** Created with microseconds, which every supported database keeps. */
  static final Instant CREATED_AT = Instant.parse("2026-03-01T09:59:58.123456Z");
  /** Every field of a plan set, texts with characters a text format would have to escape. */
  static final PlanRecord PLAN = new PlanRecord("studio-pro", "PAST_DUE", true,
      Instant.parse("2026-01-31T00:00:00Z"), 2, 17, 3_000, "studio_plus", Instant.parse("2026-04-30T00:00:00.000001Z"),
      Instant.parse("2026-05-31T00:00:00Z"), 3, 5,
      List.of(new PlanRecord.Charge(3, 3, "studio-pro", Instant.parse("2026-04-30T00:00:00Z"),
          Instant.parse("2026-05-31T00:00:00Z"), "sub:user:alice:3:3 Café ☕ «Ünïcödé» 日本語 🎬 \"quoted\" 'single'"
              + " back\\slash\ttab\r\n%0A%3D%25=", 2, true, Instant.parse("2026-04-30T00:15:00.123456Z"))),
      List.of(new PlanRecord.Order("pack:user:alice:4", "boost_1000", 900, "EUR", Instant.parse("2026-03-02T10:00:00Z")),
          new PlanRecord.Order("pack:user:alice:5", "boost_5000", 3_900, "USD", Instant.parse("2026-03-03T10:00:00Z"))),
      1, Instant.parse("2026-04-30T06:00:00Z"));
  /**
   * A plan that differs from another by its tier id, for tests that only need to tell plans apart.
   *
   * @param tier the tier id
   * @return a plan on that tier with no subscription
   */
  static PlanRecord plan(String tier) {
    return new PlanRecord(tier, "NONE", false, null, -1, 0, 0, null, null, null, 0, 0, List.of(), List.of(), 0, null);
  }

  /** When ALICE's plan next needs attention, with microseconds. */
  static final Instant PLAN_DUE = Instant.parse("2026-03-31T00:00:00.654321Z");
  static final HoldId HOLD_1 = HoldId.of("h_0001aaaa");
  static final HoldId HOLD_2 = HoldId.of("h_0002bbbb");
  static final HoldId HOLD_3 = HoldId.of("h_0003cccc");
  static final IdempotencyKey KEY_OPEN = IdempotencyKey.of("open:2026-03-01T10:00:00Z/alice+1=x_y-z.");
  static final IdempotencyKey KEY_2 = IdempotencyKey.of("settle-7f3a");
  static final IdempotencyKey KEY_3 = IdempotencyKey.of("grant-9c1e");
  static final Map<String, String> GENERATION = Map.of("kind", "video_clip", "model", "veo-3", "estimate", "250",
      "prompt", "a=b&c=d%20\nzweite Zeile – ünïcödé 🎥", "empty", "");

  private static final int MAX_ATTEMPTS_PER_COMMIT = 10_000;
  private static final long CONCURRENCY_TIMEOUT_SECONDS = 60;

  private @Nullable CreditStore store;

  /** For subclasses. */
  protected CreditStoreContract() {}

  /**
   * Creates the store under test: a new, empty store (no accounts, no holds, no ledger) each time,
   * since the deadline queries look across all accounts. Called before every test.
   *
   * @return the store
   */
  protected abstract CreditStore createStore();

  /**
   * Disposes of a store after its test (close a pool, drop a schema). Does nothing by default.
   *
   * @param used the store {@link #createStore} returned
   * @throws Exception when disposal fails, which fails the test
   */
  protected void disposeStore(CreditStore used) throws Exception {}

  /**
   * Returns how many threads write at once in the concurrency tests. Lower it for a database with
   * a small connection pool.
   *
   * @return the number of writer threads, 8 by default
   */
  protected int concurrentWriters() {
    return 8;
  }

  /**
   * Returns how many read-modify-write commits each writer makes in the lost-update test.
   *
   * @return commits per writer, 200 by default
   */
  protected int commitsPerWriter() {
    return 200;
  }

  /**
   * Returns the store of the running test, for adapter-specific tests in a subclass.
   *
   * @return the store
   * @throws IllegalStateException outside a test
   */
  protected final CreditStore store() {
    CreditStore s = store;
    if (s == null) {
      throw new IllegalStateException("no store outside a test");
    }
    return s;
  }

  /** Creates the test's store with {@link #createStore}. */
  @BeforeEach
  protected final void createStoreForTest() {
    store = createStore();
    assertThat(store).as("createStore()").isNotNull();
  }

  /**
   * Hands the test's store to {@link #disposeStore}.
   *
   * @throws Exception when disposal fails
   */
  @AfterEach
  protected final void disposeStoreAfterTest() throws Exception {
    CreditStore s = store;
    store = null;
    if (s != null) {
      disposeStore(s);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commit and read back

  @Nested
  @DisplayName("Committing a new account")
  class CreatingAccounts {

    @Test
    @DisplayName("load returns exactly the row, lots and active holds that were written")
    void loadReturnsWhatWasWritten() {
      AccountChange open = commitOpenAlice();

      AccountSnapshot loaded = load(ALICE);

      assertThat(loaded.account()).isEqualTo(open.account());
      assertThat(loaded.account().createdAt()).isEqualTo(CREATED_AT);
      assertThat(loaded.account().plan()).isEqualTo(PLAN);
      assertThat(loaded.account().planDueAt()).isEqualTo(PLAN_DUE);
      assertThat(loaded.lots()).containsExactlyInAnyOrderElementsOf(open.newLots());
      assertThat(loaded.holds()).containsExactlyInAnyOrderElementsOf(open.newHolds());
    }

    @Test
    @DisplayName("lots keep source, amounts beyond the int range, microsecond instants and a null expiry")
    void lotsRoundTrip() {
      commitOpenAlice();

      Map<LotId, Lot> lots = byId(load(ALICE).lots());

      assertThat(lots.get(new LotId(1))).isEqualTo(
          new Lot(new LotId(1), LotSource.SIGNUP_GRANT, 200, 0, 200, CREATED_AT, null));
      assertThat(lots.get(new LotId(2))).isEqualTo(new Lot(new LotId(2), LotSource.MONTHLY_ALLOWANCE,
          5_000_000_000L, 5_000_000_000L - 57, 57, CREATED_AT, CREATED_AT.plus(Duration.ofDays(30))));
      assertThat(lots.get(new LotId(3))).isEqualTo(
          new Lot(new LotId(3), LotSource.PACK, 1_000, 1_000, 0, CREATED_AT, null));
      assertThat(lots.get(new LotId(2)).expiresAt()).isEqualTo(Instant.parse("2026-03-31T09:59:58.123456Z"));
    }

    @Test
    @DisplayName("holds keep metadata (unicode, newlines, '=', '%', empty values), allocations in order and a null end")
    void holdsRoundTrip() {
      AccountChange open = commitOpenAlice();

      Hold first = findHold(ALICE, HOLD_1).orElseThrow();
      Hold second = findHold(ALICE, HOLD_2).orElseThrow();

      assertThat(first).isEqualTo(open.newHolds().get(0));
      assertThat(first.metadata()).isEqualTo(GENERATION);
      assertThat(first.allocations()).containsExactly(new Allocation(new LotId(1), 200), new Allocation(new LotId(2), 50));
      assertThat(first.endedAt()).isNull();
      assertThat(first.state()).isEqualTo(HoldState.ACTIVE);
      assertThat(second).isEqualTo(open.newHolds().get(1));
      assertThat(second.metadata()).isEmpty();
    }

    @Test
    @DisplayName("the ledger and the idempotency record read back verbatim, including an empty fingerprint")
    void ledgerAndKeyRoundTrip() {
      AccountChange open = commitOpenAlice();

      assertThat(ledger(ALICE)).containsExactlyElementsOf(open.entries());
      assertThat(ledger(ALICE)).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(store().findIdempotencyRecord(ALICE, KEY_OPEN)).contains(open.idempotency());
      assertThat(store().findIdempotencyRecord(ALICE, KEY_OPEN).orElseThrow().fingerprint()).isEmpty();
    }

    @Test
    @DisplayName("an account with no lots, no entries, no key and no plan round-trips")
    void emptyAccountRoundTrips() {
      AccountChange open = AccountChangeBuilder.create(BOB, T0).build();

      assertThat(store().commit(open)).isEqualTo(CommitOutcome.COMMITTED);

      AccountSnapshot loaded = load(BOB);
      assertThat(loaded.account()).isEqualTo(open.account());
      assertThat(loaded.account().plan()).isNull();
      assertThat(loaded.account().planDueAt()).isNull();
      assertThat(loaded.account().version()).isEqualTo(1);
      assertThat(loaded.account().lastSequence()).isZero();
      assertThat(loaded.lots()).isEmpty();
      assertThat(loaded.holds()).isEmpty();
      assertThat(ledger(BOB)).isEmpty();
    }
  }

  @Nested
  @DisplayName("Committing a change to an account")
  class UpdatingAccounts {

    @Test
    @DisplayName("writes the new row, new and changed lots, new and ended holds, entries and the key, all together")
    void writesEveryPartOfTheChange() {
      AccountChange open = commitOpenAlice();
      Instant t1 = T0.plus(Duration.ofMinutes(5));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), t1).plan(null);
      Hold settled = b.end(HOLD_1, HoldState.SETTLED, 220, KEY_2);
      Lot promo = b.grant(LotSource.PROMOTION, 42, t1.plus(Duration.ofDays(7)), Map.of("campaign", "spring"), KEY_2);
      Hold third = b.hold(HOLD_3, 5, t1.plus(Duration.ofHours(1)), Map.of("kind", "image"), KEY_2);
      b.idempotency(KEY_2, "settle", "hold=h_0001aaaa\namount=220\n", "settled=220\nreturned=30\n");
      AccountChange update = b.build();

      assertThat(store().commit(update)).isEqualTo(CommitOutcome.COMMITTED);

      AccountSnapshot loaded = load(ALICE);
      assertThat(loaded.account()).isEqualTo(update.account());
      assertThat(loaded.account().version()).isEqualTo(2);
      assertThat(loaded.account().plan()).as("plan replaced by null").isNull();
      assertThat(loaded.lots()).containsExactlyInAnyOrderElementsOf(b.liveLots());
      assertThat(loaded.lots()).extracting(Lot::id).contains(promo.id()).doesNotContain(new LotId(1));
      assertThat(loaded.holds()).containsExactlyInAnyOrder(open.newHolds().get(1), third);
      assertThat(findHold(ALICE, HOLD_1)).contains(settled);
      assertThat(ledger(ALICE)).containsExactlyElementsOf(concat(open.entries(), update.entries()));
      assertThat(store().findIdempotencyRecord(ALICE, KEY_OPEN)).contains(open.idempotency());
      assertThat(store().findIdempotencyRecord(ALICE, KEY_2)).contains(update.idempotency());
    }

    @Test
    @DisplayName("the plan is stored field for field, with 200 open orders and an automatic top-up as well, and can be cleared")
    void planIsStoredFieldForField() {
      commitOpenAlice();
      List<PlanRecord.Order> orders = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        orders.add(new PlanRecord.Order("pack:user:alice:" + i + " 🎞 ü", "boost_" + i, i, "EUR",
            CREATED_AT.plusSeconds(i)));
      }
      PlanRecord big = new PlanRecord("studio", "ACTIVE", false, CREATED_AT, 0, 0, 1_000, null, null, null, 1, 200,
          List.of(), orders, 0, null);
      PlanRecord fresh = new PlanRecord("free", "NONE", false, null, -1, 0, 0, null, null, null, 0, 0, List.of(),
          List.of(), 0, null);
      List<@Nullable PlanRecord> plans = new ArrayList<>();
      plans.add(big);
      plans.add(fresh);
      plans.add(null);
      plans.add(PLAN);
      // An automatic top-up with every field set, then one turned off with nothing waiting.
      plans.add(new PlanRecord(PLAN.tier(), PLAN.status(), PLAN.signupGranted(), PLAN.anchor(), PLAN.paidCycle(),
          PLAN.cycleStartSequence(), PLAN.allowanceTotal(), PLAN.pendingTier(), PLAN.pendingAt(), PLAN.cancelAt(),
          PLAN.subscription(), PLAN.requests(), PLAN.charges(), PLAN.orders(), PLAN.renewalFailures(),
          PLAN.renewalRetryAt(), new PlanRecord.TopUp("boost_1000 ü", 250, 9_000, true,
              Instant.parse("2026-03-01T00:00:00Z"), 1_800, "topup:user:alice:6 🎞", CREATED_AT.plusSeconds(900), 3,
              Instant.parse("2026-03-02T10:00:00.000001Z"))));
      plans.add(new PlanRecord("studio", "ACTIVE", false, CREATED_AT, 0, 0, 1_000, null, null, null, 1, 0, List.of(),
          List.of(), 0, null, new PlanRecord.TopUp(null, 1, 1, false, null, 0, null, null, 0, null)));
      for (PlanRecord plan : plans) {
        AccountChange change = AccountChangeBuilder.update(load(ALICE), T0).plan(plan).build();

        assertThat(store().commit(change)).isEqualTo(CommitOutcome.COMMITTED);

        assertThat(load(ALICE).account().plan()).isEqualTo(plan);
      }
      assertThat(load(ALICE).account().version()).isEqualTo(1 + plans.size());
    }

    @Test
    @DisplayName("a change that keeps the plan (planChanged false) writes the rest of the row and leaves the plan")
    void planKeptAsStored() {
      commitOpenAlice();
      commit(AccountChangeBuilder.update(load(ALICE), T0).plan(PLAN).build());
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0).planDueAt(T0.plusSeconds(90));
      b.grant(LotSource.ADJUSTMENT, 7, null);
      AccountChange keep = b.build();
      assertThat(keep.planChanged()).isFalse();

      assertThat(store().commit(keep)).isEqualTo(CommitOutcome.COMMITTED);

      assertThat(load(ALICE).account()).isEqualTo(keep.account());
      assertThat(load(ALICE).account().plan()).isEqualTo(PLAN);
    }

    @Test
    @DisplayName("changes without an idempotency record (automatic expiry) commit one after another")
    void changesWithoutKeys() {
      commitOpenAlice();
      for (int i = 0; i < 3; i++) {
        AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(i));
        b.grant(LotSource.ADJUSTMENT, 1, null);

        assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.COMMITTED);
      }
      assertThat(load(ALICE).account().version()).isEqualTo(4);
      assertThat(ledger(ALICE)).hasSize(9).last().extracting(LedgerEntry::key).isNull();
    }
  }

  @Nested
  @DisplayName("Changing a lot")
  class ChangingLots {

    @Test
    @DisplayName("updates its expiry along with its amounts (an allowance cut short at a refill)")
    void expiryChanges() {
      commitOpenAlice();
      Lot allowance = byId(load(ALICE).lots()).get(new LotId(2));
      Instant cut = T0.plusSeconds(60);
      Lot shortened = new Lot(allowance.id(), allowance.source(), allowance.granted(), allowance.remaining() - 1,
          allowance.reserved() + 1, allowance.grantedAt(), cut);
      commit(AccountChangeBuilder.update(load(ALICE), T0).changedLot(shortened).build());

      assertThat(byId(load(ALICE).lots()).get(new LotId(2))).isEqualTo(shortened);
      assertThat(store().findAccountsWithExpiredLots(cut.minusNanos(1_000), 10)).isEmpty();
      assertThat(store().findAccountsWithExpiredLots(cut, 10)).containsExactly(ALICE);
    }

    @Test
    @DisplayName("updates only the lot it names, on the account it names")
    void onlyTheNamedLot() {
      AccountChange alice = commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 70, null);
      bob.grant(LotSource.PACK, 80, null);
      AccountChange bobOpen = bob.build();
      commit(bobOpen);
      Lot pack = byId(load(ALICE).lots()).get(new LotId(3));
      Lot spent = new Lot(pack.id(), pack.source(), pack.granted(), 1, 0, pack.grantedAt(), null);

      commit(AccountChangeBuilder.update(load(ALICE), T0).changedLot(spent).build());

      Map<LotId, Lot> aliceLots = byId(load(ALICE).lots());
      assertThat(aliceLots.get(new LotId(3))).isEqualTo(spent);
      assertThat(aliceLots.get(new LotId(1))).isEqualTo(byId(alice.newLots()).get(new LotId(1)));
      assertThat(aliceLots.get(new LotId(2))).isEqualTo(byId(alice.newLots()).get(new LotId(2)));
      assertThat(load(BOB).lots()).containsExactlyInAnyOrderElementsOf(bobOpen.newLots());
    }
  }

  @Nested
  @DisplayName("Loading an account")
  class Loading {

    @Test
    @DisplayName("an unknown account loads as empty")
    void unknownAccount() {
      commitOpenAlice();

      assertThat(store().load(NOBODY, HoldSelection.allActive())).isEmpty();
    }

    @Test
    @DisplayName("brings the named holds in any state and the active ones past the given time, nothing else")
    void selectedHoldsOnly() {
      AccountChange open = commitOpenAlice();
      Hold hold1 = open.newHolds().get(0);
      Hold hold2 = open.newHolds().get(1);
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      Hold far = b.hold(HOLD_3, 5, FAR_FUTURE);
      commit(b.build());
      AccountChangeBuilder settle = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1));
      Hold settled = settle.end(HOLD_2, HoldState.SETTLED, 7, KEY_2);
      commit(settle.build());
      Instant afterHold1 = hold1.deadline().plusNanos(1);

      AccountSnapshot none = store().load(ALICE, HoldSelection.overdueAt(hold1.deadline())).orElseThrow();
      assertThat(none.holds()).as("a deadline equal to the time is not past it").isEmpty();
      assertThat(none.earliestHoldDeadline()).isEqualTo(hold1.deadline());
      assertThat(none.account().activeHolds()).isEqualTo(2);

      assertThat(store().load(ALICE, HoldSelection.overdueAt(afterHold1)).orElseThrow().holds())
          .containsExactly(hold1);
      assertThat(store().load(ALICE, HoldSelection.of(HOLD_2, hold1.deadline())).orElseThrow().holds())
          .as("a named hold comes in its ended state").containsExactly(settled);
      assertThat(store().load(ALICE, new HoldSelection(Set.of(HOLD_3, HOLD_1), afterHold1)).orElseThrow().holds())
          .as("named and overdue at once, each once").containsExactlyInAnyOrder(hold1, far);
      assertThat(store().load(ALICE, HoldSelection.of(HoldId.of("h_unknown"), T0)).orElseThrow().holds())
          .as("an unknown id brings nothing").isEmpty();
      assertThat(store().load(ALICE, HoldSelection.allActive()).orElseThrow().holds())
          .containsExactlyInAnyOrder(hold1, far);
    }

    @Test
    @DisplayName("never brings another account's hold, named or overdue")
    void otherAccountsHoldsStayOut() {
      commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 100, null);
      bob.hold(HOLD_3, 10, T0.plusSeconds(1));
      commit(bob.build());
      AccountSnapshot alice = store().load(ALICE, new HoldSelection(Set.of(HOLD_3), FAR_FUTURE)).orElseThrow();
      assertThat(alice.holds()).extracting(Hold::id).containsExactlyInAnyOrder(HOLD_1, HOLD_2);
      assertThat(store().load(BOB, HoldSelection.of(HOLD_1, T0)).orElseThrow().holds()).isEmpty();
      assertThat(store().load(BOB, HoldSelection.of(HOLD_1, T0)).orElseThrow().earliestHoldDeadline())
          .isEqualTo(T0.plusSeconds(1));
    }

    @Test
    @DisplayName("the earliest deadline follows the active holds: the next one once the earliest ends, none when all did")
    void earliestDeadlineFollowsActiveHolds() {
      AccountChange open = commitOpenAlice();
      Hold hold1 = open.newHolds().get(0);
      Hold hold2 = open.newHolds().get(1);
      assertThat(load(ALICE).earliestHoldDeadline()).isEqualTo(hold1.deadline());
      AccountChangeBuilder end1 = AccountChangeBuilder.update(load(ALICE), T0);
      end1.end(HOLD_1, HoldState.RELEASED, 0, KEY_2);
      commit(end1.build());
      assertThat(load(ALICE).earliestHoldDeadline()).isEqualTo(hold2.deadline());
      assertThat(load(ALICE).account().activeHolds()).isEqualTo(1);
      AccountChangeBuilder end2 = AccountChangeBuilder.update(load(ALICE), T0);
      end2.end(HOLD_2, HoldState.EXPIRED, 0, null);
      commit(end2.build());
      assertThat(load(ALICE).earliestHoldDeadline()).isNull();
      assertThat(load(ALICE).holds()).isEmpty();
      assertThat(load(ALICE).account().activeHolds()).isZero();
    }

    @Test
    @DisplayName("many active holds stay where they are: a read for a call brings only its own")
    void manyActiveHoldsStayUnread() {
      commitOpenAlice();
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      for (int i = 0; i < 300; i++) {
        b.hold(HoldId.of("h_many" + i), 1, FAR_FUTURE.minusSeconds(i));
      }
      commit(b.build());
      AccountSnapshot read = store().load(ALICE, HoldSelection.of(HoldId.of("h_many7"), T0)).orElseThrow();
      assertThat(read.holds()).extracting(Hold::id).containsExactly(HoldId.of("h_many7"));
      assertThat(read.account().activeHolds()).isEqualTo(302);
      assertThat(read.earliestHoldDeadline()).isEqualTo(CREATED_AT.plus(Duration.ofMinutes(15)));
      assertThat(store().load(ALICE, HoldSelection.allActive()).orElseThrow().holds()).hasSize(302);
    }

    @Test
    @DisplayName("returns only live lots: one with credits reserved but none remaining stays, an emptied one goes")
    void onlyLiveLots() {
      commitOpenAlice();
      assertThat(load(ALICE).lots()).extracting(Lot::id).contains(new LotId(1));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      b.end(HOLD_1, HoldState.SETTLED, 250, KEY_2);
      b.expireLot(new LotId(3));
      AccountChange change = b.build();

      assertThat(store().commit(change)).isEqualTo(CommitOutcome.COMMITTED);

      assertThat(change.changedLots()).extracting(Lot::id)
          .containsExactlyInAnyOrder(new LotId(1), new LotId(2), new LotId(3));
      assertThat(load(ALICE).lots()).extracting(Lot::id).containsExactly(new LotId(2));
      assertThat(load(ALICE).lots()).containsExactlyElementsOf(b.liveLots());
    }

    @Test
    @DisplayName("returns only ACTIVE holds; ended ones are still found with their state, settled amount and end")
    void onlyActiveHolds() {
      AccountChangeBuilder open = AccountChangeBuilder.create(BOB, T0);
      open.grant(LotSource.PACK, 100, null);
      Hold a = open.hold(HoldId.of("h_a"), 10, T0.plusSeconds(600), Map.of("kind", "image"), null);
      Hold bHold = open.hold(HoldId.of("h_b"), 20, T0.plusSeconds(600));
      Hold c = open.hold(HoldId.of("h_c"), 30, T0.plusSeconds(600));
      Hold d = open.hold(HoldId.of("h_d"), 40, T0.plusSeconds(600));
      commit(open.build());
      Instant t1 = T0.plusSeconds(700);
      AccountChangeBuilder b = AccountChangeBuilder.update(load(BOB), t1);
      Hold settled = b.end(a.id(), HoldState.SETTLED, 4, KEY_2);
      Hold released = b.end(bHold.id(), HoldState.RELEASED, 0, KEY_2);
      Hold expired = b.end(c.id(), HoldState.EXPIRED, 0, null);

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.COMMITTED);

      assertThat(load(BOB).holds()).containsExactly(d);
      assertThat(findHold(BOB, a.id())).contains(settled);
      assertThat(findHold(BOB, a.id()).orElseThrow())
          .returns(HoldState.SETTLED, Hold::state).returns(4L, Hold::settled).returns(t1, Hold::endedAt)
          .returns(Map.of("kind", "image"), Hold::metadata).returns(a.allocations(), Hold::allocations);
      assertThat(findHold(BOB, bHold.id())).contains(released);
      assertThat(findHold(BOB, bHold.id()).orElseThrow().state()).isEqualTo(HoldState.RELEASED);
      assertThat(findHold(BOB, c.id())).contains(expired);
      assertThat(findHold(BOB, c.id()).orElseThrow().endedAt()).isEqualTo(t1);
      assertThat(findHold(BOB, d.id())).contains(d);
    }

    @Test
    @DisplayName("reading for a keyed call gives the earlier call's record when the key was used, else the account as load gives it")
    void readForCall() {
      AccountChange open = commitOpenAlice();

      KeyedRead used = store().readForCall(ALICE, KEY_OPEN, HoldSelection.allActive());
      assertThat(used.earlierCall()).contains(open.idempotency());

      KeyedRead fresh = store().readForCall(ALICE, KEY_3, HoldSelection.allActive());
      assertThat(fresh.earlierCall()).isEmpty();
      AccountSnapshot loaded = load(ALICE);
      assertThat(fresh.account()).hasValueSatisfying(s -> {
        assertThat(s.account()).isEqualTo(loaded.account());
        assertThat(s.lots()).containsExactlyInAnyOrderElementsOf(loaded.lots());
        assertThat(s.holds()).containsExactlyInAnyOrderElementsOf(loaded.holds());
      });

      KeyedRead unknown = store().readForCall(NOBODY, KEY_OPEN, HoldSelection.allActive());
      assertThat(unknown.earlierCall()).isEmpty();
      assertThat(unknown.account()).isEmpty();
      assertThat(store().readForCall(BOB, KEY_OPEN, HoldSelection.allActive()).earlierCall()).as("another account's key").isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Refusals

  @Nested
  @DisplayName("Optimistic concurrency")
  class StaleWrites {

    @Test
    @DisplayName("a change computed from an older version is a CONFLICT and writes nothing")
    void olderVersion() {
      commitOpenAlice();
      AccountSnapshot v1 = load(ALICE);
      commit(AccountChangeBuilder.update(v1, T0).plan(plan("moved on")).build());
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3));

      AccountChange stale = everythingChange(AccountChangeBuilder.update(v1, T0.plusSeconds(60)));

      assertThat(store().commit(stale)).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3))).isEqualTo(before);
      assertThat(load(ALICE).account().plan()).isEqualTo(plan("moved on"));
    }

    @Test
    @DisplayName("a change claiming a version the account has not reached is a CONFLICT and writes nothing")
    void newerVersion() {
      commitOpenAlice();
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3));

      AccountChange ahead = everythingChange(AccountChangeBuilder.update(load(ALICE), T0).expectedVersion(2));

      assertThat(store().commit(ahead)).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3))).isEqualTo(before);
    }

    @Test
    @DisplayName("creating an account that exists is a CONFLICT and writes nothing")
    void createExisting() {
      commitOpenAlice();
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3));
      AccountChangeBuilder again = AccountChangeBuilder.create(ALICE, T0.plusSeconds(5)).plan(plan("second"));
      again.grant(LotSource.PACK, 77, T0.plus(Duration.ofHours(1)), Map.of(), KEY_3);
      again.hold(HOLD_3, 7, T0.plusSeconds(30));
      again.idempotency(KEY_3, "open", "", "created=true\n");

      assertThat(store().commit(again.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3))).isEqualTo(before);
    }

    @Test
    @DisplayName("a change to an account that does not exist is a CONFLICT and creates nothing")
    void updateMissing() {
      AccountChangeBuilder b = AccountChangeBuilder.create(NOBODY, T0).expectedVersion(1);
      b.grant(LotSource.PACK, 5, null);

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(store().load(NOBODY, HoldSelection.allActive())).isEmpty();
      assertThat(store().readLedger(NOBODY, LedgerQuery.firstPage(10))).isEmpty();
    }

    @Test
    @DisplayName("a change whose idempotency key is already recorded is a CONFLICT and writes nothing, even on the right version")
    void keyTaken() {
      AccountChange open = commitOpenAlice();
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1)).plan(plan("other"));
      b.grant(LotSource.PROMOTION, 3, null, Map.of(), KEY_OPEN);
      b.hold(HOLD_3, 1, T0.plusSeconds(100));
      b.idempotency(KEY_OPEN, "grant", "amount=3\n", "lot=7\n");

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_3))).isEqualTo(before);
      assertThat(store().findIdempotencyRecord(ALICE, KEY_OPEN)).contains(open.idempotency());
    }

    @Test
    @DisplayName("the same idempotency key commits on another account: keys are scoped to their account")
    void keysPerAccount() {
      AccountChange alice = commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 9, null, Map.of(), KEY_OPEN);
      bob.idempotency(KEY_OPEN, "open", "bob", "created=true\n");
      AccountChange bobOpen = bob.build();

      assertThat(store().commit(bobOpen)).isEqualTo(CommitOutcome.COMMITTED);

      assertThat(store().findIdempotencyRecord(BOB, KEY_OPEN)).contains(bobOpen.idempotency());
      assertThat(store().findIdempotencyRecord(ALICE, KEY_OPEN)).contains(alice.idempotency());
    }

    @Test
    @DisplayName("after a CONFLICT, the same operation recomputed on the current version commits")
    void retryAfterConflict() {
      commitOpenAlice();
      AccountSnapshot v1 = load(ALICE);
      commit(AccountChangeBuilder.update(v1, T0).plan(plan("moved on")).build());
      AccountChangeBuilder stale = AccountChangeBuilder.update(v1, T0);
      stale.grant(LotSource.PACK, 10, null, Map.of(), KEY_3);
      stale.idempotency(KEY_3, "grant", "amount=10\n", "lot=7\n");
      assertThat(store().commit(stale.build())).isEqualTo(CommitOutcome.CONFLICT);
      AccountChangeBuilder fresh = AccountChangeBuilder.update(load(ALICE), T0);
      fresh.grant(LotSource.PACK, 10, null, Map.of(), KEY_3);
      fresh.idempotency(KEY_3, "grant", "amount=10\n", "lot=7\n");

      assertThat(store().commit(fresh.build())).isEqualTo(CommitOutcome.COMMITTED);
      assertThat(load(ALICE).account().version()).isEqualTo(3);
      assertThat(store().findIdempotencyRecord(ALICE, KEY_3)).isPresent();
    }
  }

  @Nested
  @DisplayName("Ending holds")
  class EndingHolds {

    @Test
    @DisplayName("ending a hold that already ended is a CONFLICT and writes nothing, even on the right version")
    void alreadyEnded() {
      commitOpenAlice();
      AccountChangeBuilder settle = AccountChangeBuilder.update(load(ALICE), T0);
      Hold settled = settle.end(HOLD_2, HoldState.SETTLED, 7, KEY_2);
      commit(settle.build());
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_2, KEY_3));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(9)).plan(plan("released twice"));
      b.endedHold(new Hold(HOLD_2, ALICE, 7, HoldState.RELEASED, settled.createdAt(), settled.deadline(), 0,
          T0.plusSeconds(9), settled.metadata(), settled.allocations()));
      b.entry(EntryType.RELEASE, 7, new LotId(2), LotSource.MONTHLY_ALLOWANCE, HOLD_2, KEY_3, Map.of());
      b.grant(LotSource.PACK, 1, null);
      b.idempotency(KEY_3, "release", "hold=h_0002bbbb\n", "returned=7\n");

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_OPEN, KEY_2, KEY_3))).isEqualTo(before);
      assertThat(findHold(ALICE, HOLD_2)).contains(settled);
    }

    @Test
    @DisplayName("a change ending two holds, one of which already ended, writes neither end")
    void allOrNothingAcrossHolds() {
      commitOpenAlice();
      AccountChangeBuilder settle = AccountChangeBuilder.update(load(ALICE), T0);
      Hold settled = settle.end(HOLD_2, HoldState.SETTLED, 7, KEY_2);
      commit(settle.build());
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2), List.of(KEY_3));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(9));
      b.end(HOLD_1, HoldState.RELEASED, 0, KEY_3);
      b.endedHold(new Hold(HOLD_2, ALICE, 7, HoldState.RELEASED, settled.createdAt(), settled.deadline(), 0,
          T0.plusSeconds(9), settled.metadata(), settled.allocations()));
      b.idempotency(KEY_3, "release", "", "");

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2), List.of(KEY_3))).isEqualTo(before);
      assertThat(findHold(ALICE, HOLD_1).orElseThrow().state()).isEqualTo(HoldState.ACTIVE);
    }

    @Test
    @DisplayName("ending a hold the account never had is a CONFLICT and writes nothing")
    void unknownHold() {
      AccountChange open = commitOpenAlice();
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_3));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      Hold template = open.newHolds().get(1);
      b.endedHold(new Hold(HOLD_3, ALICE, 7, HoldState.RELEASED, T0, T0, 0, T0, Map.of(), template.allocations()));
      b.plan(plan("changed"));

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of(KEY_3))).isEqualTo(before);
      assertThat(findHold(ALICE, HOLD_3)).isEmpty();
    }

    @Test
    @DisplayName("ending another account's hold is a CONFLICT and leaves that hold active")
    void otherAccountsHold() {
      commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 50, null);
      Hold bobs = bob.hold(HOLD_3, 20, T0.plusSeconds(600));
      commit(bob.build());
      Observed bobBefore = observe(BOB, List.of(HOLD_3), List.of());
      Observed aliceBefore = observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of());
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      b.endedHold(new Hold(HOLD_3, ALICE, 20, HoldState.SETTLED, T0, bobs.deadline(), 20, T0, Map.of(),
          bobs.allocations()));

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(BOB, List.of(HOLD_3), List.of())).isEqualTo(bobBefore);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2, HOLD_3), List.of())).isEqualTo(aliceBefore);
      assertThat(findHold(BOB, HOLD_3)).contains(bobs);
    }
  }

  @Nested
  @DisplayName("Growing holds and owing debt")
  class GrowingHoldsAndDebt {

    @Test
    @DisplayName("a grown hold is written with its new amount, allocations and deadline, and stays active")
    void growsHold() {
      commitOpenAlice();
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      Instant later = CREATED_AT.plus(Duration.ofHours(2)).plusNanos(3_000);
      Hold grown = b.extend(HOLD_2, 4_999_999_950L, later, KEY_2);
      b.idempotency(KEY_2, "extend", "hold=h_0002bbbb\n", "x");
      AccountChange change = b.build();
      assertThat(change.changedHolds()).containsExactly(grown);
      assertThat(grown.allocations()).hasSizeGreaterThan(1);
      commit(change);

      assertThat(findHold(ALICE, HOLD_2)).contains(grown);
      AccountSnapshot snapshot = load(ALICE);
      assertThat(snapshot.holds()).contains(grown).hasSize(2);
      assertThat(snapshot.lots()).containsExactlyInAnyOrderElementsOf(b.liveLots());
      assertThat(snapshot.account()).isEqualTo(change.account());
      AccountSnapshot named = store().load(ALICE, HoldSelection.of(HOLD_2, T0)).orElseThrow();
      assertThat(named.holds()).containsExactly(grown);
      assertThat(ledger(ALICE)).endsWith(change.entries().toArray(new LedgerEntry[0]));
    }

    @Test
    @DisplayName("the earliest deadline follows a grown hold's later deadline")
    void deadlineMoves() {
      commitOpenAlice();
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      Instant later = CREATED_AT.plus(Duration.ofHours(1));
      b.extend(HOLD_1, 1, later, null);
      commit(b.build());
      // HOLD_2's deadline is now the earliest; past it, only HOLD_2 is overdue.
      AccountSnapshot overdue = store().load(ALICE, HoldSelection.overdueAt(CREATED_AT.plus(Duration.ofMinutes(30))))
          .orElseThrow();
      assertThat(overdue.earliestHoldDeadline()).isEqualTo(CREATED_AT.plus(Duration.ofMinutes(20)).plusNanos(1_000));
      assertThat(overdue.holds()).extracting(Hold::id).containsExactly(HOLD_2);
    }

    @Test
    @DisplayName("growing a hold that already ended is a CONFLICT and writes nothing")
    void growingEndedHold() {
      commitOpenAlice();
      AccountChangeBuilder settle = AccountChangeBuilder.update(load(ALICE), T0);
      Hold settled = settle.end(HOLD_2, HoldState.SETTLED, 7, KEY_2);
      commit(settle.build());
      Observed before = observe(ALICE, List.of(HOLD_1, HOLD_2), List.of(KEY_3));
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(9));
      b.changedHold(new Hold(HOLD_2, ALICE, 17, HoldState.ACTIVE, settled.createdAt(), settled.deadline(), 0, null,
          settled.metadata(), settled.allocations()));
      b.grant(LotSource.PACK, 1, null);
      b.idempotency(KEY_3, "extend", "", "");

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(ALICE, List.of(HOLD_1, HOLD_2), List.of(KEY_3))).isEqualTo(before);
      assertThat(findHold(ALICE, HOLD_2)).contains(settled);
    }

    @Test
    @DisplayName("growing another account's hold is a CONFLICT and leaves that hold as it was")
    void growingOtherAccountsHold() {
      commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 50, null);
      Hold bobs = bob.hold(HOLD_3, 20, T0.plusSeconds(600));
      commit(bob.build());
      Observed bobBefore = observe(BOB, List.of(HOLD_3), List.of());
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
      b.changedHold(new Hold(HOLD_3, ALICE, 40, HoldState.ACTIVE, T0, bobs.deadline(), 0, null, Map.of(),
          bobs.allocations()));

      assertThat(store().commit(b.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(observe(BOB, List.of(HOLD_3), List.of())).isEqualTo(bobBefore);
      assertThat(findHold(BOB, HOLD_3)).contains(bobs);
    }

    @Test
    @DisplayName("the debt and the account's overage policy are stored with the row, with and without a plan change")
    void debtAndPolicy() {
      commitOpenAlice();
      AccountChangeBuilder owe = AccountChangeBuilder.update(load(ALICE), T0)
          .debt(4_000_000_000_123L).overage(OveragePolicy.allowDebt(OveragePolicy.MAX_DEBT));
      AccountChange first = owe.build();
      assertThat(first.planChanged()).isFalse();
      commit(first);
      assertThat(load(ALICE).account()).isEqualTo(first.account());
      assertThat(load(ALICE).account().debt()).isEqualTo(4_000_000_000_123L);

      AccountChange second = AccountChangeBuilder.update(load(ALICE), T0).debt(0)
          .overage(OveragePolicy.takeAvailable()).plan(plan("another")).build();
      commit(second);
      assertThat(load(ALICE).account()).isEqualTo(second.account());

      AccountChange third = AccountChangeBuilder.update(load(ALICE), T0).overage(OveragePolicy.refuse()).build();
      commit(third);
      assertThat(load(ALICE).account().overage()).isEqualTo(OveragePolicy.refuse());

      AccountChange cleared = AccountChangeBuilder.update(load(ALICE), T0).overage(null).build();
      commit(cleared);
      assertThat(load(ALICE).account()).isEqualTo(cleared.account());
      assertThat(load(ALICE).account().overage()).isNull();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ledger

  @Nested
  @DisplayName("Reading the ledger")
  class ReadingTheLedger {

    /** 25 entries on ALICE from 5 changes, entry n at T0 + n s; BOB's entries interleaved at the same times. */
    private List<LedgerEntry> write25() {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0).at(T0.plusSeconds(1));
      open.grant(LotSource.SIGNUP_GRANT, 200, null, Map.of("reason", "verified"), KEY_OPEN);
      open.idempotency(KEY_OPEN, "open", "", "created=true\n");
      commit(open.build());
      AccountChangeBuilder bobOpen = AccountChangeBuilder.create(BOB, T0).at(T0.plusSeconds(1));
      bobOpen.grant(LotSource.PACK, 5, null);
      commit(bobOpen.build());
      long seq = 1;
      for (int change = 0; change < 4; change++) {
        AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0);
        AccountChangeBuilder other = AccountChangeBuilder.update(load(BOB), T0);
        for (int i = 0; i < 6; i++) {
          seq++;
          Instant at = T0.plusSeconds(seq);
          IdempotencyKey key = IdempotencyKey.of("k" + change);
          b.at(at).grant(i % 2 == 0 ? LotSource.PACK : LotSource.PROMOTION, seq, null, Map.of("n", "" + seq),
              i % 3 == 0 ? null : key);
          other.at(at).grant(LotSource.ADJUSTMENT, 1000 + seq, null);
        }
        commit(b.build());
        commit(other.build());
      }
      List<LedgerEntry> all = ledger(ALICE);
      assertThat(all).hasSize(25);
      return all;
    }

    @Test
    @DisplayName("returns entries in ascending sequence 1..n, each as written")
    void ascendingOrder() {
      List<LedgerEntry> all = write25();

      assertThat(all).extracting(LedgerEntry::sequence)
          .containsExactlyElementsOf(Stream.iterate(1L, s -> s + 1).limit(25).toList());
      assertThat(all).allSatisfy(e -> assertThat(e.account()).isEqualTo(ALICE));
      assertThat(all.get(5)).isEqualTo(new LedgerEntry(ALICE, 6, EntryType.GRANT, 6, new LotId(6), LotSource.PACK,
          null, IdempotencyKey.of("k0"), T0.plusSeconds(6), Map.of("n", "6")));
      assertThat(all.get(0)).isEqualTo(new LedgerEntry(ALICE, 1, EntryType.GRANT, 200, new LotId(1),
          LotSource.SIGNUP_GRANT, null, KEY_OPEN, T0.plusSeconds(1), Map.of("reason", "verified")));
      assertThat(all.get(1).key()).isNull();
    }

    @Test
    @DisplayName("pages chained by afterSequence cover every entry once, without gaps, whatever the page size")
    void paging() {
      List<LedgerEntry> all = write25();
      for (int limit : new int[] {1, 7, 24, 25, 26}) {
        List<LedgerEntry> read = new ArrayList<>();
        long after = 0;
        int pages = 0;
        while (true) {
          List<LedgerEntry> page = store().readLedger(ALICE, LedgerQuery.after(after, limit));
          assertThat(page).as("page size with limit %d", limit).hasSizeLessThanOrEqualTo(limit);
          if (page.isEmpty()) {
            break;
          }
          read.addAll(page);
          after = page.get(page.size() - 1).sequence();
          assertThat(++pages).as("pages").isLessThanOrEqualTo(26);
        }
        assertThat(read).as("all pages with limit %d", limit).containsExactlyElementsOf(all);
      }
    }

    @Test
    @DisplayName("afterSequence is exclusive and limit caps the page")
    void cursorAndLimit() {
      write25();

      assertThat(store().readLedger(ALICE, LedgerQuery.after(0, 7))).extracting(LedgerEntry::sequence)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(store().readLedger(ALICE, LedgerQuery.after(7, 3))).extracting(LedgerEntry::sequence)
          .containsExactly(8L, 9L, 10L);
      assertThat(store().readLedger(ALICE, LedgerQuery.after(22, 10))).extracting(LedgerEntry::sequence)
          .containsExactly(23L, 24L, 25L);
      assertThat(store().readLedger(ALICE, LedgerQuery.after(25, 10))).isEmpty();
      assertThat(store().readLedger(ALICE, LedgerQuery.after(1_000, 10))).isEmpty();
    }

    @Test
    @DisplayName("a time range includes its start and excludes its end")
    void timeRangeEdges() {
      write25();

      assertThat(store().readLedger(ALICE, LedgerQuery.between(T0.plusSeconds(5), T0.plusSeconds(10), 100)))
          .extracting(LedgerEntry::sequence).containsExactly(5L, 6L, 7L, 8L, 9L);
      assertThat(store().readLedger(ALICE,
          LedgerQuery.between(T0.plusSeconds(5).minusNanos(1_000), T0.plusSeconds(5).plusNanos(1_000), 100)))
          .extracting(LedgerEntry::sequence).containsExactly(5L);
      assertThat(store().readLedger(ALICE, LedgerQuery.between(T0.plusSeconds(5), T0.plusSeconds(5), 100))).isEmpty();
      assertThat(store().readLedger(ALICE, new LedgerQuery(0, T0.plusSeconds(23), null, 100)))
          .extracting(LedgerEntry::sequence).containsExactly(23L, 24L, 25L);
      assertThat(store().readLedger(ALICE, new LedgerQuery(0, null, T0.plusSeconds(3), 100)))
          .extracting(LedgerEntry::sequence).containsExactly(1L, 2L);
      assertThat(store().readLedger(ALICE, LedgerQuery.between(T0.plusSeconds(26), FAR_FUTURE, 100))).isEmpty();
    }

    @Test
    @DisplayName("a time range combines with the cursor, and the limit counts matching entries only")
    void timeRangeWithCursor() {
      write25();
      LedgerQuery query = LedgerQuery.between(T0.plusSeconds(10), T0.plusSeconds(20), 4);

      List<LedgerEntry> first = store().readLedger(ALICE, query);
      List<LedgerEntry> second = store().readLedger(ALICE, query.continueAfter(13));
      List<LedgerEntry> third = store().readLedger(ALICE, query.continueAfter(17));
      List<LedgerEntry> last = store().readLedger(ALICE, query.continueAfter(19));

      assertThat(first).extracting(LedgerEntry::sequence).containsExactly(10L, 11L, 12L, 13L);
      assertThat(second).extracting(LedgerEntry::sequence).containsExactly(14L, 15L, 16L, 17L);
      assertThat(third).extracting(LedgerEntry::sequence).containsExactly(18L, 19L);
      assertThat(last).isEmpty();
    }

    @Test
    @DisplayName("entries sharing one instant keep their sequence order")
    void sameInstant() {
      AccountChangeBuilder b = AccountChangeBuilder.create(ALICE, T0);
      for (int i = 0; i < 12; i++) {
        b.grant(LotSource.PACK, 12 - i, null);
      }
      commit(b.build());

      assertThat(store().readLedger(ALICE, LedgerQuery.between(T0, T0.plusSeconds(1), 5)))
          .extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(ledger(ALICE)).extracting(LedgerEntry::amount)
          .containsExactly(12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
    }

    @Test
    @DisplayName("never returns another account's entries")
    void otherAccounts() {
      write25();

      List<LedgerEntry> bobs = ledger(BOB);

      assertThat(bobs).hasSize(25).allSatisfy(e -> assertThat(e.account()).isEqualTo(BOB));
      assertThat(bobs).extracting(LedgerEntry::amount).allSatisfy(a -> assertThat(a).isGreaterThanOrEqualTo(5));
      assertThat(store().readLedger(ALICE, LedgerQuery.between(T0.plusSeconds(2), T0.plusSeconds(3), 100)))
          .singleElement().returns(ALICE, LedgerEntry::account).returns(2L, LedgerEntry::amount);
    }

    @Test
    @DisplayName("an unknown account reads as an empty list")
    void unknownAccount() {
      write25();

      assertThat(store().readLedger(NOBODY, LedgerQuery.firstPage(100))).isEmpty();
      assertThat(store().readLedger(NOBODY, LedgerQuery.between(T0, FAR_FUTURE, 100))).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Isolation

  @Nested
  @DisplayName("Isolation between accounts")
  class Isolation {

    @Test
    @DisplayName("findHold with another account's hold id is empty")
    void holdsAreScoped() {
      commitOpenAlice();
      commit(AccountChangeBuilder.create(BOB, T0).build());

      assertThat(store().findHold(BOB, HOLD_1)).isEmpty();
      assertThat(store().findHold(NOBODY, HOLD_1)).isEmpty();
      assertThat(store().findHold(ALICE, HoldId.of("h_unknown"))).isEmpty();
      assertThat(store().findHold(ALICE, HOLD_1)).isPresent();
    }

    @Test
    @DisplayName("findIdempotencyRecord with another account's key is empty")
    void keysAreScoped() {
      commitOpenAlice();
      commit(AccountChangeBuilder.create(BOB, T0).build());

      assertThat(store().findIdempotencyRecord(BOB, KEY_OPEN)).isEmpty();
      assertThat(store().findIdempotencyRecord(NOBODY, KEY_OPEN)).isEmpty();
      assertThat(store().findIdempotencyRecord(ALICE, KEY_3)).isEmpty();
    }

    @Test
    @DisplayName("the same hold id on two accounts names two independent holds")
    void sameHoldIdOnTwoAccounts() {
      AccountChange alice = commitOpenAlice();
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 50, null);
      Hold bobs = bob.hold(HOLD_1, 20, T0.plusSeconds(30), Map.of("owner", "bob"), null);
      assertThat(store().commit(bob.build())).isEqualTo(CommitOutcome.COMMITTED);
      AccountChangeBuilder end = AccountChangeBuilder.update(load(BOB), T0.plusSeconds(10));
      Hold bobsEnded = end.end(HOLD_1, HoldState.RELEASED, 0, null);

      assertThat(store().commit(end.build())).isEqualTo(CommitOutcome.COMMITTED);

      assertThat(findHold(BOB, HOLD_1)).contains(bobsEnded);
      assertThat(findHold(ALICE, HOLD_1)).contains(alice.newHolds().get(0));
      assertThat(load(ALICE).holds()).contains(alice.newHolds().get(0));
      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 100)).extracting(HoldRef::account)
          .containsOnly(ALICE);
      assertThat(bobs.account()).isEqualTo(BOB);
    }

    @Test
    @DisplayName("ids that differ only in case name different accounts, holds and keys (compared exactly, never folded)")
    void idsDifferingOnlyInCase() {
      AccountId lower = AccountId.of("casey");
      AccountId upper = AccountId.of("Casey");
      HoldId holdLower = HoldId.of("h_case");
      HoldId holdUpper = HoldId.of("h_CASE");
      IdempotencyKey keyLower = IdempotencyKey.of("req-case");
      IdempotencyKey keyUpper = IdempotencyKey.of("REQ-case");
      AccountChangeBuilder a = AccountChangeBuilder.create(lower, T0);
      a.grant(LotSource.PACK, 100, null);
      Hold lowersHold = a.hold(holdLower, 10, T0.plusSeconds(30), Map.of("owner", "casey"), null);
      a.idempotency(keyLower, "grant", "lower", "lower");
      commit(a.build());
      AccountChangeBuilder b = AccountChangeBuilder.create(upper, T0);
      b.grant(LotSource.PACK, 7, null);
      b.hold(holdLower, 3, T0.plusSeconds(40), Map.of("owner", "Casey"), null);
      b.idempotency(keyLower, "grant", "upper", "upper");
      commit(b.build());
      AccountChangeBuilder c = AccountChangeBuilder.update(load(lower), T0.plusSeconds(1));
      Hold secondHold = c.hold(holdUpper, 5, T0.plusSeconds(50), Map.of(), null);
      c.idempotency(keyUpper, "hold", "upper key", "upper key");
      commit(c.build());

      assertThat(load(lower).account().id()).isEqualTo(lower);
      assertThat(load(upper).account().id()).isEqualTo(upper);
      assertThat(load(lower).lots()).extracting(Lot::granted).containsExactly(100L);
      assertThat(load(upper).lots()).extracting(Lot::granted).containsExactly(7L);
      assertThat(load(lower).holds()).containsExactlyInAnyOrder(lowersHold, secondHold);
      assertThat(load(upper).holds()).extracting(Hold::amount).containsExactly(3L);
      assertThat(findHold(lower, holdLower)).contains(lowersHold);
      assertThat(findHold(lower, holdUpper)).contains(secondHold);
      assertThat(findHold(upper, holdLower)).get().returns(3L, Hold::amount);
      assertThat(findHold(upper, holdUpper)).isEmpty();
      assertThat(findHold(lower, HoldId.of("h_Case"))).isEmpty();
      assertThat(store().findIdempotencyRecord(lower, keyLower)).get().returns("lower", IdempotencyRecord::result);
      assertThat(store().findIdempotencyRecord(lower, keyUpper)).get()
          .returns("upper key", IdempotencyRecord::result);
      assertThat(store().findIdempotencyRecord(upper, keyLower)).get().returns("upper", IdempotencyRecord::result);
      assertThat(store().findIdempotencyRecord(upper, keyUpper)).isEmpty();
      assertThat(store().readForCall(lower, keyUpper, HoldSelection.allActive()).earlierCall()).get()
          .returns("upper key", IdempotencyRecord::result);
      assertThat(store().readForCall(upper, keyUpper, HoldSelection.allActive()).earlierCall()).isEmpty();
      assertThat(store().load(AccountId.of("CASEY"), HoldSelection.allActive())).isEmpty();
      assertThat(ledger(lower)).extracting(LedgerEntry::account).containsOnly(lower);
      assertThat(ledger(upper)).extracting(LedgerEntry::account).containsOnly(upper).hasSize(2);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sweeper queries

  @Nested
  @DisplayName("Finding holds past their deadline")
  class HoldsPastDeadline {

    private final HoldId a10 = HoldId.of("h_a10");
    private final HoldId a20 = HoldId.of("h_a20");
    private final HoldId a30 = HoldId.of("h_a30");
    private final HoldId b15 = HoldId.of("h_b15");
    private final HoldId b40 = HoldId.of("h_b40");

    /** ALICE holds due at T0+10s, +20s, +30s; BOB at +15s and +40s. */
    private void placeHolds() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 1000, null);
      alice.hold(a30, 30, T0.plusSeconds(30));
      alice.hold(a10, 10, T0.plusSeconds(10));
      alice.hold(a20, 20, T0.plusSeconds(20));
      commit(alice.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 1000, null);
      bob.hold(b40, 40, T0.plusSeconds(40));
      bob.hold(b15, 15, T0.plusSeconds(15));
      commit(bob.build());
    }

    @Test
    @DisplayName("returns active holds with a deadline strictly before now, oldest first, across accounts")
    void oldestFirst() {
      placeHolds();

      assertThat(store().findHoldsPastDeadline(T0.plusSeconds(40), 100)).containsExactly(
          new HoldRef(ALICE, a10, T0.plusSeconds(10)), new HoldRef(BOB, b15, T0.plusSeconds(15)),
          new HoldRef(ALICE, a20, T0.plusSeconds(20)), new HoldRef(ALICE, a30, T0.plusSeconds(30)));
    }

    @Test
    @DisplayName("a deadline equal to now is not past; a microsecond later it is")
    void deadlineEqualToNow() {
      placeHolds();

      assertThat(store().findHoldsPastDeadline(T0.plusSeconds(10), 100)).isEmpty();
      assertThat(store().findHoldsPastDeadline(T0.plusSeconds(10).plusNanos(1_000), 100))
          .containsExactly(new HoldRef(ALICE, a10, T0.plusSeconds(10)));
      assertThat(store().findHoldsPastDeadline(T0, 100)).isEmpty();
    }

    @Test
    @DisplayName("returns at most limit holds, the oldest")
    void limit() {
      placeHolds();

      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 2)).containsExactly(
          new HoldRef(ALICE, a10, T0.plusSeconds(10)), new HoldRef(BOB, b15, T0.plusSeconds(15)));
      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 1)).extracting(HoldRef::hold).containsExactly(a10);
    }

    @Test
    @DisplayName("a hold that ended is no longer returned, whatever its deadline")
    void endedHoldsExcluded() {
      placeHolds();
      AccountChangeBuilder b = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(25));
      b.end(a10, HoldState.EXPIRED, 0, null);
      b.end(a20, HoldState.SETTLED, 20, KEY_2);
      commit(b.build());

      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 100)).extracting(HoldRef::hold)
          .containsExactly(b15, a30, b40);
      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 1)).extracting(HoldRef::hold).containsExactly(b15);
    }

    @Test
    @DisplayName("an empty store has no holds past their deadline")
    void emptyStore() {
      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 100)).isEmpty();
    }
  }

  @Nested
  @DisplayName("Finding accounts with expired lots")
  class AccountsWithExpiredLots {

    private final Instant hour = T0.plus(Duration.ofHours(1));

    @Test
    @DisplayName("returns accounts with a lot expiring at or before now and credits remaining")
    void atOrBeforeNow() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.MONTHLY_ALLOWANCE, 100, hour);
      alice.grant(LotSource.PACK, 100, null);
      commit(alice.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PROMOTION, 5, hour.plusSeconds(1));
      commit(bob.build());

      assertThat(store().findAccountsWithExpiredLots(hour.minusNanos(1_000), 100)).isEmpty();
      assertThat(store().findAccountsWithExpiredLots(hour, 100)).containsExactly(ALICE);
      assertThat(store().findAccountsWithExpiredLots(hour.plusSeconds(1), 100)).containsExactlyInAnyOrder(ALICE, BOB);
    }

    @Test
    @DisplayName("lists an account once however many of its lots expired, and limit counts accounts")
    void eachAccountOnce() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.MONTHLY_ALLOWANCE, 100, hour);
      alice.grant(LotSource.PRORATION, 10, hour);
      alice.grant(LotSource.PROMOTION, 10, T0.plusSeconds(60));
      commit(alice.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PROMOTION, 5, T0.plusSeconds(90));
      bob.grant(LotSource.PROMOTION, 5, hour);
      commit(bob.build());
      AccountChangeBuilder carol = AccountChangeBuilder.create(CAROL, T0);
      carol.grant(LotSource.PROMOTION, 5, T0.plusSeconds(30));
      commit(carol.build());

      assertThat(store().findAccountsWithExpiredLots(hour, 100)).containsExactlyInAnyOrder(ALICE, BOB, CAROL);
      assertThat(store().findAccountsWithExpiredLots(hour, 2)).hasSize(2).doesNotHaveDuplicates()
          .isSubsetOf(ALICE, BOB, CAROL);
      assertThat(store().findAccountsWithExpiredLots(hour, 1)).hasSize(1);
    }

    @Test
    @DisplayName("a lot stops counting once nothing remains in it: expired, or all of it reserved by a hold")
    void notWhenNothingRemains() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      Lot lot = alice.grant(LotSource.MONTHLY_ALLOWANCE, 100, hour);
      commit(alice.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PROMOTION, 50, hour);
      bob.hold(HOLD_1, 50, hour.plus(Duration.ofHours(1)));
      commit(bob.build());
      AccountChangeBuilder dave = AccountChangeBuilder.create(DAVE, T0);
      dave.grant(LotSource.PACK, 50, null);
      commit(dave.build());
      assertThat(store().findAccountsWithExpiredLots(FAR_FUTURE, 100)).containsExactly(ALICE);

      AccountChangeBuilder expire = AccountChangeBuilder.update(load(ALICE), hour);
      expire.expireLot(lot.id());
      commit(expire.build());

      assertThat(store().findAccountsWithExpiredLots(FAR_FUTURE, 100)).isEmpty();
    }

    @Test
    @DisplayName("a lot counts again when a released hold returns credits to it")
    void countsAgainAfterRelease() {
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PROMOTION, 50, hour);
      bob.hold(HOLD_1, 50, hour.plus(Duration.ofHours(1)));
      commit(bob.build());
      assertThat(store().findAccountsWithExpiredLots(FAR_FUTURE, 100)).isEmpty();

      AccountChangeBuilder release = AccountChangeBuilder.update(load(BOB), T0.plusSeconds(60));
      release.end(HOLD_1, HoldState.RELEASED, 0, KEY_2);
      commit(release.build());

      assertThat(store().findAccountsWithExpiredLots(hour, 100)).containsExactly(BOB);
      assertThat(store().findAccountsWithExpiredLots(hour.minusSeconds(1), 100)).isEmpty();
    }

    @Test
    @DisplayName("an empty store, or lots that never expire, report no account")
    void nothingToReport() {
      assertThat(store().findAccountsWithExpiredLots(FAR_FUTURE, 100)).isEmpty();
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 100, null);
      alice.grant(LotSource.SIGNUP_GRANT, 200, null);
      commit(alice.build());

      assertThat(store().findAccountsWithExpiredLots(FAR_FUTURE, 100)).isEmpty();
    }
  }

  @Nested
  @DisplayName("Finding accounts with a plan due")
  class AccountsWithPlanDue {

    /** ALICE due at T0+30s, BOB at +10s, CAROL at +20s, DAVE never. */
    private void openAccounts() {
      commit(AccountChangeBuilder.create(ALICE, T0).plan(plan("a")).planDueAt(T0.plusSeconds(30)).build());
      commit(AccountChangeBuilder.create(BOB, T0).plan(plan("b")).planDueAt(T0.plusSeconds(10)).build());
      commit(AccountChangeBuilder.create(CAROL, T0).plan(plan("c")).planDueAt(T0.plusSeconds(20)).build());
      commit(AccountChangeBuilder.create(DAVE, T0).plan(plan("d")).build());
    }

    @Test
    @DisplayName("returns accounts due at or before now, soonest first")
    void soonestFirst() {
      openAccounts();

      assertThat(store().findAccountsWithPlanDue(T0.plusSeconds(10).minusNanos(1_000), 100)).isEmpty();
      assertThat(store().findAccountsWithPlanDue(T0.plusSeconds(10), 100)).containsExactly(BOB);
      assertThat(store().findAccountsWithPlanDue(T0.plusSeconds(25), 100)).containsExactly(BOB, CAROL);
      assertThat(store().findAccountsWithPlanDue(FAR_FUTURE, 100)).containsExactly(BOB, CAROL, ALICE);
    }

    @Test
    @DisplayName("returns at most limit accounts, the soonest")
    void limit() {
      openAccounts();

      assertThat(store().findAccountsWithPlanDue(FAR_FUTURE, 2)).containsExactly(BOB, CAROL);
      assertThat(store().findAccountsWithPlanDue(FAR_FUTURE, 1)).containsExactly(BOB);
    }

    @Test
    @DisplayName("follows the account row: a moved due time moves the account, a cleared one removes it")
    void followsTheRow() {
      openAccounts();
      commit(AccountChangeBuilder.update(load(BOB), T0).planDueAt(T0.plusSeconds(40)).build());
      commit(AccountChangeBuilder.update(load(CAROL), T0).planDueAt(null).build());
      commit(AccountChangeBuilder.update(load(DAVE), T0).planDueAt(T0.plusSeconds(35)).build());
      commit(AccountChangeBuilder.update(load(ALICE), T0).plan(plan("a2")).build());

      assertThat(store().findAccountsWithPlanDue(FAR_FUTURE, 100)).containsExactly(ALICE, DAVE, BOB);
      assertThat(store().findAccountsWithPlanDue(T0.plusSeconds(30), 100)).containsExactly(ALICE);
      assertThat(load(ALICE).account().planDueAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    @DisplayName("an empty store has no account due")
    void emptyStore() {
      assertThat(store().findAccountsWithPlanDue(FAR_FUTURE, 100)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency

  @Nested
  @DisplayName("Concurrent writers")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  class ConcurrentWriters {

    @Test
    @DisplayName("read-modify-write commits from many threads on one account lose no update and leave a gapless ledger")
    void noLostUpdate() throws InterruptedException {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      Lot lot = open.grant(LotSource.PACK, 1, null);
      commit(open.build());
      int writers = concurrentWriters();
      int perWriter = commitsPerWriter();
      AtomicInteger conflicts = new AtomicInteger();

      runConcurrently(writers, w -> {
        for (int n = 0; n < perWriter; n++) {
          for (int attempt = 1; ; attempt++) {
            if (attempt > MAX_ATTEMPTS_PER_COMMIT) {
              fail("writer %d could not commit #%d in %d attempts", w, n, MAX_ATTEMPTS_PER_COMMIT);
            }
            AccountSnapshot s = load(ALICE);
            Lot current = s.lots().get(0);
            AccountChangeBuilder b = AccountChangeBuilder.update(s, T0.plusSeconds(1))
                .changedLot(new Lot(current.id(), current.source(), current.granted() + 1, current.remaining() + 1,
                    current.reserved(), current.grantedAt(), current.expiresAt()))
                .granted(s.account().granted() + 1);
            b.entry(EntryType.GRANT, 1, current.id(), current.source(), null, null,
                Map.of("writer", Integer.toString(w), "n", Integer.toString(n)));
            if (store().commit(b.build()) == CommitOutcome.COMMITTED) {
              break;
            }
            conflicts.incrementAndGet();
          }
        }
      });

      long total = 1L + (long) writers * perWriter;
      AccountSnapshot after = load(ALICE);
      assertThat(after.account().version()).as("version").isEqualTo(total);
      assertThat(after.account().lastSequence()).as("lastSequence").isEqualTo(total);
      assertThat(after.account().granted()).as("granted").isEqualTo(total);
      assertThat(after.lots()).singleElement().returns(lot.id(), Lot::id).returns(total, Lot::remaining);
      List<LedgerEntry> entries = readAllInPages(ALICE, 97);
      assertThat(entries).extracting(LedgerEntry::sequence)
          .containsExactlyElementsOf(Stream.iterate(1L, s -> s + 1).limit(total).toList());
      Map<String, Integer> lastN = new LinkedHashMap<>();
      Set<String> seen = new HashSet<>();
      for (LedgerEntry e : entries.subList(1, entries.size())) {
        String writer = e.metadata().get("writer");
        int n = Integer.parseInt(e.metadata().get("n"));
        assertThat(seen.add(writer + "/" + n)).as("commit %s/%d recorded once", writer, n).isTrue();
        assertThat(n).as("writer %s commits in its own order", writer).isEqualTo(lastN.getOrDefault(writer, -1) + 1);
        lastN.put(writer, n);
      }
      assertThat(seen).hasSize(writers * perWriter);
    }

    @Test
    @DisplayName("when many threads commit changes computed from the same version at once, exactly one commits each round")
    void sameVersionRace() throws InterruptedException {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1, null);
      commit(open.build());
      int writers = Math.max(2, concurrentWriters());
      int rounds = 25;
      AtomicReference<AccountSnapshot> current = new AtomicReference<>();
      CyclicBarrier barrier = new CyclicBarrier(writers, () -> current.set(load(ALICE)));
      AtomicIntegerArray committed = new AtomicIntegerArray(rounds);

      runConcurrently(writers, w -> {
        for (int round = 0; round < rounds; round++) {
          barrier.await(CONCURRENCY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          AccountChangeBuilder b = AccountChangeBuilder.update(current.get(), T0.plusSeconds(round));
          b.grant(LotSource.PROMOTION, 1L + w, null, Map.of("writer", Integer.toString(w)), null);
          if (store().commit(b.build()) == CommitOutcome.COMMITTED) {
            committed.incrementAndGet(round);
          }
        }
      });

      for (int round = 0; round < rounds; round++) {
        assertThat(committed.get(round)).as("commits in round %d", round).isEqualTo(1);
      }
      assertThat(load(ALICE).account().version()).isEqualTo(1 + rounds);
      assertThat(readAllInPages(ALICE, 10)).extracting(LedgerEntry::sequence)
          .containsExactlyElementsOf(Stream.iterate(1L, s -> s + 1).limit(1 + rounds).toList());
    }

    @Test
    @DisplayName("when many threads create the same account at once, exactly one creation commits")
    void concurrentCreation() throws InterruptedException {
      int writers = Math.max(2, concurrentWriters());
      AtomicReferenceArray<CommitOutcome> outcomes = new AtomicReferenceArray<>(writers);
      List<AccountChange> changes = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        AccountChangeBuilder b = AccountChangeBuilder.create(ALICE, T0.plusSeconds(w)).plan(plan("writer=" + w));
        IdempotencyKey key = IdempotencyKey.of("open-" + w);
        b.grant(LotSource.PACK, w + 1L, null, Map.of("writer", Integer.toString(w)), key);
        b.hold(HoldId.of("h_w" + w), 1, T0.plusSeconds(600 + w));
        b.idempotency(key, "open", "", "writer=" + w);
        changes.add(b.build());
      }

      runConcurrently(writers, w -> outcomes.set(w, store().commit(changes.get(w))));

      List<Integer> winners = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        if (outcomes.get(w) == CommitOutcome.COMMITTED) {
          winners.add(w);
        } else {
          assertThat(outcomes.get(w)).isEqualTo(CommitOutcome.CONFLICT);
        }
      }
      assertThat(winners).as("committed creations").hasSize(1);
      int winner = winners.get(0);
      AccountChange won = changes.get(winner);
      AccountSnapshot loaded = load(ALICE);
      assertThat(loaded.account()).isEqualTo(won.account());
      assertThat(loaded.lots()).containsExactlyElementsOf(won.newLots());
      assertThat(loaded.holds()).containsExactlyElementsOf(won.newHolds());
      assertThat(ledger(ALICE)).containsExactlyElementsOf(won.entries());
      assertThat(store().findHoldsPastDeadline(FAR_FUTURE, 100)).extracting(HoldRef::hold)
          .containsExactly(HoldId.of("h_w" + winner));
      for (int w = 0; w < writers; w++) {
        assertThat(store().findIdempotencyRecord(ALICE, IdempotencyKey.of("open-" + w)).isPresent())
            .as("key of writer %d recorded", w).isEqualTo(w == winner);
      }
    }

    @Test
    @DisplayName("when many threads commit the same idempotency key, each on the current version, exactly one commits")
    void sameKeyRace() throws InterruptedException {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1000, null);
      commit(open.build());
      int writers = Math.max(2, concurrentWriters());
      List<Integer> winners = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger refusedOnKey = new AtomicInteger();

      runConcurrently(writers, w -> {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS_PER_COMMIT; attempt++) {
          AccountSnapshot s = load(ALICE);
          AccountChangeBuilder b = AccountChangeBuilder.update(s, T0.plusSeconds(1));
          b.grant(LotSource.PROMOTION, 1L + w, null, Map.of("writer", Integer.toString(w)), KEY_3);
          b.idempotency(KEY_3, "grant", "amount=1\n", "writer=" + w);
          if (store().commit(b.build()) == CommitOutcome.COMMITTED) {
            winners.add(w);
            return;
          }
          if (load(ALICE).account().version() == s.account().version()) {
            refusedOnKey.incrementAndGet();
            return;
          }
        }
        fail("writer %d neither committed nor was refused on the key", w);
      });

      assertThat(winners).as("writers whose commit with the shared key succeeded").hasSize(1);
      assertThat(refusedOnKey).as("writers refused on the key with a current version").hasValue(writers - 1);
      int winner = winners.get(0);
      assertThat(store().findIdempotencyRecord(ALICE, KEY_3)).get()
          .returns("writer=" + winner, IdempotencyRecord::result);
      assertThat(load(ALICE).account().version()).isEqualTo(2);
      assertThat(ledger(ALICE)).hasSize(2).last().returns(1L + winner, LedgerEntry::amount);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // End to end

  @Nested
  @DisplayName("Through CreditService")
  class ThroughTheService {

    private final MutableClock clock = new MutableClock(T0);

    private CreditService service() {
      return CreditService.builder().store(new Checked(store())).clock(clock)
          .config(CreditsConfig.builder().maxCommitAttempts(500).build()).build();
    }

    @Test
    @DisplayName("grant, hold, settle and release leave a balance that reconciles with the stored ledger")
    void lifecycleReconciles() {
      CreditService credits = service();
      assertThat(credits.openAccount(ALICE, KEY_OPEN)).isTrue();
      credits.grant(ALICE, LotSource.SIGNUP_GRANT, CreditAmount.of(200), null, IdempotencyKey.of("g1"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1000), null, IdempotencyKey.of("g2"));
      clock.advance(Duration.ofSeconds(1));
      Hold first = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(300), IdempotencyKey.of("h1"))
          .withMetadata("kind", "video_clip").withMetadata("prompt", "a=b %20 ünï 🎬\nline"));
      Settlement settled = credits.settle(ALICE, first.id(), CreditAmount.of(120), IdempotencyKey.of("s1"));
      Hold second = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(50), IdempotencyKey.of("h2")));
      credits.release(ALICE, second.id(), "generation failed", IdempotencyKey.of("r1"));

      BalanceView balance = credits.balance(ALICE);

      assertThat(settled.settled()).isEqualTo(120);
      assertThat(balance.available()).isEqualTo(1080);
      assertThat(balance.held()).isZero();
      assertThat(credits.reconcile(ALICE).differences()).isEmpty();
      assertThat(store().findHold(ALICE, first.id())).get().returns(HoldState.SETTLED, Hold::state)
          .returns(120L, Hold::settled).returns(first.metadata(), Hold::metadata);
      assertThat(store().findHold(ALICE, second.id())).get().returns(HoldState.RELEASED, Hold::state);
      assertThat(credits.history(ALICE, LedgerQuery.firstPage(100)).entries())
          .containsExactlyElementsOf(ledger(ALICE));
    }

    @Test
    @DisplayName("an extension, a settle above the hold into debt and its repayment read back and reconcile")
    void extensionAndDebtRoundTrip() {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      credits.setOveragePolicy(ALICE, OveragePolicy.allowDebt(500), IdempotencyKey.of("p1"));
      credits.grant(ALICE, LotSource.SIGNUP_GRANT, CreditAmount.of(100), null, IdempotencyKey.of("g1"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("g2"));
      Hold hold = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(80), IdempotencyKey.of("h1")));
      Hold grown = credits.extend(ALICE, hold.id(), CreditAmount.of(70), Duration.ofHours(1), IdempotencyKey.of("x1"));
      assertThat(store().findHold(ALICE, hold.id())).contains(grown);
      assertThat(grown.allocations()).hasSize(2);

      Settlement s = credits.settle(ALICE, hold.id(), CreditAmount.of(400), IdempotencyKey.of("s1"));
      assertThat(s.charged()).isEqualTo(400);
      assertThat(s.debtIncurred()).isEqualTo(200);
      assertThat(load(ALICE).account().debt()).isEqualTo(200);
      assertThat(load(ALICE).account().overage()).isEqualTo(OveragePolicy.allowDebt(500));
      assertThat(credits.balance(ALICE).available()).isEqualTo(-200);
      assertThat(credits.settle(ALICE, hold.id(), CreditAmount.of(400), IdempotencyKey.of("s1"))).isEqualTo(s);

      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(250), null, IdempotencyKey.of("g3"));
      assertThat(load(ALICE).account().debt()).isZero();
      assertThat(credits.balance(ALICE).available()).isEqualTo(50);
      assertThat(credits.reconcile(ALICE).differences()).isEmpty();
      assertThat(credits.history(ALICE, LedgerQuery.firstPage(100)).entries())
          .containsExactlyElementsOf(ledger(ALICE));
    }

    @Test
    @DisplayName("a future start, a void and an expiry change read back as written and reconcile")
    void grantLifecycleRoundTrips() {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      Instant start = T0.plus(Duration.ofDays(2));
      GrantReceipt upcoming = credits.grantStarting(ALICE, LotSource.PROMOTION, CreditAmount.of(40), start,
          start.plus(Duration.ofDays(30)), Map.of(), IdempotencyKey.of("g1"));
      GrantReceipt pack = credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), T0.plus(Duration.ofDays(1)),
          IdempotencyKey.of("g2"));
      GrantReceipt promo = credits.grant(ALICE, LotSource.PROMOTION, CreditAmount.of(10), null,
          IdempotencyKey.of("g3"));
      credits.changeExpiry(ALICE, pack.lot(), null, "made permanent", IdempotencyKey.of("e1"));
      credits.voidGrant(ALICE, promo.lot(), "mistake", IdempotencyKey.of("v1"));

      Map<LotId, Lot> lots = byId(load(ALICE).lots());
      assertThat(lots.get(upcoming.lot()).grantedAt()).isEqualTo(start);
      assertThat(lots.get(pack.lot()).expiresAt()).isNull();
      assertThat(lots).doesNotContainKey(promo.lot());
      BalanceView before = credits.balance(ALICE);
      assertThat(before.available()).isEqualTo(100);
      assertThat(before.upcoming()).isEqualTo(40);

      clock.advance(Duration.ofDays(3));
      assertThat(credits.balance(ALICE).available()).isEqualTo(140);
      assertThat(credits.reconcile(ALICE).differences()).isEmpty();
      assertThat(credits.history(ALICE, LedgerQuery.firstPage(100)).entries())
          .containsExactlyElementsOf(ledger(ALICE));
    }

    @Test
    @DisplayName("a repeated call with the same key returns the first result and writes once")
    void idempotentReplay() {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      GrantReceipt first = credits.grant(ALICE, LotSource.PACK, CreditAmount.of(500), null, KEY_3);
      long version = load(ALICE).account().version();

      GrantReceipt again = credits.grant(ALICE, LotSource.PACK, CreditAmount.of(500), null, KEY_3);

      assertThat(again).isEqualTo(first);
      assertThat(load(ALICE).account().version()).isEqualTo(version);
      assertThat(load(ALICE).lots()).hasSize(1);
      assertThat(credits.balance(ALICE).available()).isEqualTo(500);
    }

    @Test
    @DisplayName("metadata names with '=' and line breaks replay exactly; moving an '=' or a line break makes another request")
    void metadataReplaysExactly() {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      // Maps that read alike when names are not escaped: "a=b=c" and "a=\nb=c" lines.
      Map<String, String> nameWithEquals = Map.of("a=b", "c");
      Map<String, String> valueWithEquals = Map.of("a", "b=c");
      Map<String, String> nameWithLine = Map.of("a=\nb", "c");
      Map<String, String> twoEntries = Map.of("a", "", "b", "c");
      IdempotencyKey grantKey = IdempotencyKey.of("g-meta");
      IdempotencyKey holdKey = IdempotencyKey.of("h-meta");
      IdempotencyKey secondHoldKey = IdempotencyKey.of("h-meta-2");
      IdempotencyKey settleKey = IdempotencyKey.of("s-meta");
      GrantReceipt granted = credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1000), null, nameWithLine, grantKey);
      Hold hold = credits.hold(new HoldRequest(ALICE, CreditAmount.of(30), holdKey, null, nameWithEquals));
      Hold second = credits.hold(new HoldRequest(ALICE, CreditAmount.of(20), secondHoldKey, null, nameWithLine));
      Settlement settled = credits.settle(ALICE, hold.id(), CreditAmount.of(10), nameWithLine, settleKey);
      long version = load(ALICE).account().version();
      List<LedgerEntry> entries = ledger(ALICE);

      assertThat(hold.metadata()).containsExactlyEntriesOf(nameWithEquals);
      assertThat(credits.hold(new HoldRequest(ALICE, CreditAmount.of(30), holdKey, null, nameWithEquals)))
          .isEqualTo(hold).returns(nameWithEquals, Hold::metadata);
      assertThat(credits.hold(new HoldRequest(ALICE, CreditAmount.of(20), secondHoldKey, null, nameWithLine)))
          .isEqualTo(second).returns(nameWithLine, Hold::metadata);
      assertThat(credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1000), null, nameWithLine, grantKey))
          .isEqualTo(granted);
      assertThat(credits.settle(ALICE, hold.id(), CreditAmount.of(10), nameWithLine, settleKey)).isEqualTo(settled);
      assertConflict(() -> credits.hold(new HoldRequest(ALICE, CreditAmount.of(30), holdKey, null, valueWithEquals)),
          holdKey);
      assertConflict(() -> credits.hold(new HoldRequest(ALICE, CreditAmount.of(20), secondHoldKey, null, twoEntries)),
          secondHoldKey);
      assertConflict(() -> credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1000), null, twoEntries, grantKey),
          grantKey);
      assertConflict(() -> credits.settle(ALICE, hold.id(), CreditAmount.of(10), twoEntries, settleKey), settleKey);

      assertThat(load(ALICE).account().version()).isEqualTo(version);
      assertThat(ledger(ALICE)).isEqualTo(entries);
      assertThat(store().findHold(ALICE, hold.id())).get().returns(nameWithEquals, Hold::metadata);
      assertThat(store().findHold(ALICE, second.id())).get().returns(nameWithLine, Hold::metadata);
      assertThat(entries).filteredOn(e -> e.type() == EntryType.GRANT).extracting(LedgerEntry::metadata)
          .containsExactly(nameWithLine);
      assertThat(entries).filteredOn(e -> second.id().equals(e.hold())).extracting(LedgerEntry::metadata)
          .containsOnly(nameWithLine);
    }

    @Test
    @DisplayName("accounts whose ids differ only in case ('alice', 'Alice') are separate, with separate balances and keys")
    void accountIdsDifferingOnlyInCase() {
      CreditService credits = service();
      AccountId lower = AccountId.of("alice");
      AccountId upper = AccountId.of("Alice");
      IdempotencyKey key = IdempotencyKey.of("req-1");
      assertThat(credits.openAccount(lower, IdempotencyKey.of("open"))).isTrue();
      assertThat(credits.openAccount(upper, IdempotencyKey.of("open"))).isTrue();
      credits.grant(lower, LotSource.PACK, CreditAmount.of(100), null, key);
      credits.grant(upper, LotSource.PACK, CreditAmount.of(7), null, key);
      // Keys differing only in case are two keys: a second grant, not a replay.
      credits.grant(lower, LotSource.PACK, CreditAmount.of(1), null, IdempotencyKey.of("REQ-1"));
      Hold uppers = credits.hold(HoldRequest.of(upper, CreditAmount.of(5), IdempotencyKey.of("h")));

      assertThatThrownBy(() -> credits.hold(HoldRequest.of(upper, CreditAmount.of(5), IdempotencyKey.of("H"))))
          .isInstanceOf(InsufficientCreditsException.class);
      assertThatThrownBy(() -> credits.settle(lower, uppers.id(), IdempotencyKey.of("s")))
          .isInstanceOf(UnknownHoldException.class);
      assertThat(credits.balance(lower)).returns(101L, BalanceView::available).returns(0L, BalanceView::held);
      assertThat(credits.balance(upper)).returns(2L, BalanceView::available).returns(5L, BalanceView::held);
      assertThatThrownBy(() -> credits.balance(AccountId.of("ALICE"))).isInstanceOf(UnknownAccountException.class);
      assertThat(ledger(lower)).extracting(LedgerEntry::amount).containsExactly(100L, 1L);
      assertThat(ledger(upper)).extracting(LedgerEntry::amount).containsExactly(7L, 5L);
      assertThat(credits.reconcile(lower).differences()).isEmpty();
      assertThat(credits.reconcile(upper).differences()).isEmpty();
    }

    @Test
    @DisplayName("the sweep finds overdue holds and lapsed lots through the store's queries and expires them")
    void sweep() {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      credits.grant(ALICE, LotSource.MONTHLY_ALLOWANCE, CreditAmount.of(100), T0.plus(Duration.ofHours(1)),
          IdempotencyKey.of("g1"));
      Hold hold = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("h1"))
          .withTtl(Duration.ofMinutes(10)));

      clock.advance(Duration.ofMinutes(11));
      assertThat(store().findHoldsPastDeadline(clock.instant(), 10)).extracting(HoldRef::hold)
          .containsExactly(hold.id());
      assertThat(credits.sweep().holdsExpired()).isEqualTo(1);
      assertThat(store().findHoldsPastDeadline(clock.instant(), 10)).isEmpty();
      assertThat(store().findHold(ALICE, hold.id())).get().returns(HoldState.EXPIRED, Hold::state);

      clock.set(T0.plus(Duration.ofHours(1)));
      assertThat(store().findAccountsWithExpiredLots(clock.instant(), 10)).containsExactly(ALICE);
      assertThat(credits.sweep().lotsExpired()).isEqualTo(1);
      assertThat(store().findAccountsWithExpiredLots(clock.instant(), 10)).isEmpty();
      assertThat(credits.balance(ALICE).available()).isZero();
      assertThat(credits.reconcile(ALICE).differences()).isEmpty();
    }

    @Test
    @DisplayName("concurrent holds never overdraw the balance")
    void concurrentHoldsNeverOverdraw() throws InterruptedException {
      CreditService credits = service();
      credits.openAccount(ALICE, KEY_OPEN);
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("g1"));
      int writers = Math.max(2, concurrentWriters());
      AtomicInteger granted = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger gaveUp = new AtomicInteger();

      runConcurrently(writers, w -> {
        for (int n = 0; n < 5; n++) {
          try {
            credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("hold-" + w + "-" + n)));
            granted.incrementAndGet();
          } catch (InsufficientCreditsException e) {
            refused.incrementAndGet();
          } catch (ConcurrentUpdateException e) {
            gaveUp.incrementAndGet();
          }
        }
      });

      BalanceView balance = credits.balance(ALICE);
      assertThat(balance.held()).isEqualTo(3L * granted.get());
      assertThat(balance.available()).isEqualTo(100 - balance.held()).isNotNegative();
      assertThat(load(ALICE).holds()).hasSize(granted.get());
      if (gaveUp.get() == 0) {
        assertThat(granted.get()).isEqualTo(Math.min(33, writers * 5));
      }
      assertThat(credits.reconcile(ALICE).differences()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fixtures and helpers

  /**
   * Opens ALICE with three lots (signup 200 never expiring, allowance 5e9 expiring in 30 days, pack
   * 1000), two active holds (HOLD_1: 250 = 200 from lot 1 + 50 from lot 2, with metadata; HOLD_2: 7
   * from lot 2, none), six entries and the KEY_OPEN record with an empty fingerprint.
   */
  private AccountChange commitOpenAlice() {
    AccountChangeBuilder b = AccountChangeBuilder.create(ALICE, CREATED_AT).plan(PLAN).planDueAt(PLAN_DUE);
    b.grant(LotSource.SIGNUP_GRANT, 200, null, Map.of("reason", "email verified"), KEY_OPEN);
    b.grant(LotSource.MONTHLY_ALLOWANCE, 5_000_000_000L, CREATED_AT.plus(Duration.ofDays(30)), Map.of(), KEY_OPEN);
    b.grant(LotSource.PACK, 1_000, null, Map.of("payment", "pi_3Nx=%20 ✓"), KEY_OPEN);
    b.hold(HOLD_1, 250, CREATED_AT.plus(Duration.ofMinutes(15)), GENERATION, KEY_OPEN);
    b.hold(HOLD_2, 7, CREATED_AT.plus(Duration.ofMinutes(20)).plusNanos(1_000), Map.of(), null);
    b.idempotency(KEY_OPEN, "open", "", "created=true\n");
    AccountChange change = b.build();
    assertThat(change.entries()).hasSize(6);
    commit(change);
    return change;
  }

  /** Fills a change with one of everything (plan, lot, hold, hold end, key KEY_3), for "nothing written" checks. */
  private static AccountChange everythingChange(AccountChangeBuilder b) {
    b.plan(plan("stale plan")).planDueAt(T0.plusSeconds(1));
    b.grant(LotSource.PACK, 11, T0.plus(Duration.ofDays(1)), Map.of(), KEY_3);
    b.hold(HOLD_3, 3, T0.plusSeconds(5), Map.of("k", "v"), KEY_3);
    b.end(HOLD_2, HoldState.RELEASED, 0, KEY_3);
    b.idempotency(KEY_3, "grant", "x", "y");
    return b.build();
  }

  /** Asserts that the call is refused as reusing {@code key} with other parameters. */
  private static void assertConflict(ThrowingCallable call, IdempotencyKey key) {
    assertThatThrownBy(call).isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
      assertThat(e.key()).isEqualTo(key);
    });
  }

  private void commit(AccountChange change) {
    assertThat(store().commit(change)).as("commit of version %d", change.account().version())
        .isEqualTo(CommitOutcome.COMMITTED);
  }

  private AccountSnapshot load(AccountId account) {
    Optional<AccountSnapshot> snapshot = store().load(account, HoldSelection.allActive());
    assertThat(snapshot).as("load(%s)", account).isPresent();
    return snapshot.orElseThrow();
  }

  private Optional<Hold> findHold(AccountId account, HoldId hold) {
    return store().findHold(account, hold);
  }

  private List<LedgerEntry> ledger(AccountId account) {
    return store().readLedger(account, LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT));
  }

  private List<LedgerEntry> readAllInPages(AccountId account, int pageSize) {
    List<LedgerEntry> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<LedgerEntry> page = store().readLedger(account, LedgerQuery.after(after, pageSize));
      if (page.isEmpty()) {
        return all;
      }
      assertThat(page.get(0).sequence()).as("first sequence of the page after %d", after).isGreaterThan(after);
      assertThat(page).as("page after %d", after).hasSizeLessThanOrEqualTo(pageSize);
      all.addAll(page);
      after = page.get(page.size() - 1).sequence();
    }
  }

  private static Map<LotId, Lot> byId(Collection<Lot> lots) {
    Map<LotId, Lot> map = new LinkedHashMap<>();
    for (Lot lot : lots) {
      assertThat(map.put(lot.id(), lot)).as("lot %s loaded once", lot.id()).isNull();
    }
    return map;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Everything the SPI lets one observe about an account, in comparable form. */
  private record Observed(@Nullable AccountSnapshot snapshot, List<LedgerEntry> ledger,
      Map<HoldId, Optional<Hold>> holds, Map<IdempotencyKey, Optional<IdempotencyRecord>> keys,
      Set<HoldRef> overdue, Set<AccountId> withExpiredLots, List<AccountId> withPlanDue) {}

  private Observed observe(AccountId account, List<HoldId> holds, List<IdempotencyKey> keys) {
    AccountSnapshot snapshot = store().load(account, HoldSelection.allActive()).map(s -> {
      List<Lot> lots = new ArrayList<>(s.lots());
      lots.sort(Comparator.comparing(Lot::id));
      List<Hold> active = new ArrayList<>(s.holds());
      active.sort(Comparator.comparing(h -> h.id().value()));
      return new AccountSnapshot(s.account(), lots, active, s.earliestHoldDeadline());
    }).orElse(null);
    Map<HoldId, Optional<Hold>> foundHolds = new LinkedHashMap<>();
    for (HoldId hold : holds) {
      foundHolds.put(hold, store().findHold(account, hold));
    }
    Map<IdempotencyKey, Optional<IdempotencyRecord>> foundKeys = new LinkedHashMap<>();
    for (IdempotencyKey key : keys) {
      foundKeys.put(key, store().findIdempotencyRecord(account, key));
    }
    return new Observed(snapshot, ledger(account), foundHolds, foundKeys,
        Set.copyOf(store().findHoldsPastDeadline(FAR_FUTURE, 10_000)),
        Set.copyOf(store().findAccountsWithExpiredLots(FAR_FUTURE, 10_000)),
        store().findAccountsWithPlanDue(FAR_FUTURE, 10_000));
  }

  /**
   * Checks the store's answers against the SPI's promises as the engine reads them, so that a
   * broken adapter fails an end-to-end test with a clear message instead of sending the engine
   * into an endless paging loop.
   */
  private static final class Checked implements CreditStore {
    private final CreditStore delegate;

    Checked(CreditStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
      Optional<AccountSnapshot> s = delegate.load(account, holds);
      s.ifPresent(snapshot -> {
        assertThat(snapshot.account().id()).as("loaded account").isEqualTo(account);
        assertThat(snapshot.lots()).as("live lots of %s", account)
            .allMatch(Lot::isLive, "live");
        assertThat(snapshot.holds()).as("holds loaded for %s with %s", account, holds)
            .allMatch(h -> h.account().equals(account), "of the account")
            .allMatch(h -> holds.selects(h.id(), h.state() == HoldState.ACTIVE, h.deadline()), "selected")
            .extracting(Hold::id).doesNotHaveDuplicates();
        for (Hold h : snapshot.holds()) {
          if (h.state() == HoldState.ACTIVE) {
            assertThat(snapshot.earliestHoldDeadline()).as("earliest deadline of %s", account).isNotNull()
                .isBeforeOrEqualTo(h.deadline());
          }
        }
      });
      return s;
    }

    @Override
    public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
      Optional<IdempotencyRecord> r = delegate.findIdempotencyRecord(account, key);
      r.ifPresent(record -> assertThat(record.key()).as("found key").isEqualTo(key));
      return r;
    }

    @Override
    public Optional<Hold> findHold(AccountId account, HoldId hold) {
      Optional<Hold> h = delegate.findHold(account, hold);
      h.ifPresent(found -> assertThat(found).as("found hold").returns(hold, Hold::id).returns(account, Hold::account));
      return h;
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      return delegate.commit(change);
    }

    @Override
    public void whenDurable(Runnable action) {
      delegate.whenDurable(action);
    }

    @Override
    public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
      List<LedgerEntry> page = delegate.readLedger(account, query);
      assertThat(page).as("readLedger(%s, %s)", account, query).hasSizeLessThanOrEqualTo(query.limit())
          .allSatisfy(e -> assertThat(e).returns(account, LedgerEntry::account)
              .matches(x -> x.sequence() > query.afterSequence(), "sequence after the cursor")
              .matches(x -> query.matchesTime(x.at()), "time within the range"))
          .isSortedAccordingTo(Comparator.comparingLong(LedgerEntry::sequence));
      return page;
    }

    @Override
    public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
      List<HoldRef> refs = delegate.findHoldsPastDeadline(now, limit);
      assertThat(refs).as("findHoldsPastDeadline(%s, %d)", now, limit).hasSizeLessThanOrEqualTo(limit)
          .allSatisfy(r -> assertThat(r.deadline()).isBefore(now));
      return refs;
    }

    @Override
    public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
      List<AccountId> ids = delegate.findAccountsWithExpiredLots(now, limit);
      assertThat(ids).as("findAccountsWithExpiredLots(%s, %d)", now, limit).hasSizeLessThanOrEqualTo(limit)
          .doesNotHaveDuplicates();
      return ids;
    }

    @Override
    public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
      List<AccountId> ids = delegate.findAccountsWithPlanDue(now, limit);
      assertThat(ids).as("findAccountsWithPlanDue(%s, %d)", now, limit).hasSizeLessThanOrEqualTo(limit);
      return ids;
    }
  }

  /** One concurrent worker's body. */
  @FunctionalInterface
  private interface Worker {
    void run(int index) throws Exception;
  }

  /** Starts {@code threads} workers at once, waits for all, and fails with the first failure. */
  private static void runConcurrently(int threads, Worker worker) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int index = i;
      Thread t = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          worker.run(index);
        } catch (Throwable e) {
          failures.put(index, e);
        }
      }, "credit-store-contract-" + i);
      t.setDaemon(true);
      t.start();
      started.add(t);
    }
    ready.await();
    go.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONCURRENCY_TIMEOUT_SECONDS);
    for (Thread t : started) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (t.isAlive()) {
        fail("%s did not finish within %d s", t.getName(), CONCURRENCY_TIMEOUT_SECONDS);
      }
    }
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError(failures.size() + " of " + threads + " workers failed; first: "
          + failures.values().iterator().next(), failures.values().iterator().next());
      failures.values().stream().skip(1).forEach(error::addSuppressed);
      throw error;
    }
  }
}
