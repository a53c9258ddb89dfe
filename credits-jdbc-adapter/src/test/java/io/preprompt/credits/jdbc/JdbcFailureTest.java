package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.AccountChangeBuilder;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a new user meets when the store's database fails, on both databases: each failure is typed
 * and says what to do.
 */
@DisplayName("JdbcCreditStore's failures are typed and say what to do")
class JdbcFailureTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final AccountId ALICE = AccountId.of("alice");

  static CreditService service(JdbcCreditStore store) {
    return CreditService.builder().store(store).clock(new MutableClock(T0)).build();
  }

  /** Opens an account with 100 credits: one lot, version 1. */
  static AccountChange open(AccountId account) {
    AccountChangeBuilder b = AccountChangeBuilder.create(account, T0);
    b.grant(LotSource.PACK, 100, null);
    return b.build();
  }

  @Nested
  @DisplayName("a pool that times out")
  class PoolTimeout {
    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("after a database error surfaces with the pool's own SQL state or none, not applied, and nothing changes")
    void timeoutAfterDatabaseError(Databases database) {
      Databases.Target target = database.fresh();
      FaultyPool pool = new FaultyPool(target.dataSource());
      JdbcCreditStore store = JdbcCreditStore.create(pool, target.config());
      CreditService credits = service(store);
      credits.openAccount(ALICE, IdempotencyKey.of("open"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));

      // A database error first: a lot inserted under an id the account already used.
      AccountSnapshot now = store.load(ALICE, HoldSelection.allActive()).orElseThrow();
      Lot used = now.lots().get(0);
      AccountChange twice = AccountChangeBuilder.update(now, T0).newLot(used).build();
      assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> store.commit(twice))).isNotNull();
      SQLException seen = Objects.requireNonNull(pool.lastFailure(), "the database error the pool saw");
      assertThat(seen.getSQLState()).isEqualTo("23505");

      HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
      pool.exhausted(null);
      StoreException none = catchThrowableOfType(StoreException.class, () -> credits.hold(request));
      assertThat(none.sqlState()).as("the timeout has no state of its own").isEmpty();
      assertThat(none.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(none.code()).isEqualTo(ErrorCode.STORE_FAILURE);
      assertThat(catchThrowableOfType(StoreException.class, () -> store.commit(open(AccountId.of("bob")))))
          .returns(Optional.empty(), StoreException::sqlState)
          .returns(StoreException.Outcome.NOT_APPLIED, StoreException::outcome);

      pool.exhausted("08001");
      StoreException own = catchThrowableOfType(StoreException.class, () -> credits.hold(request));
      assertThat(own.sqlState()).contains("08001");
      assertThat(own.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(catchThrowableOfType(StoreException.class, () -> credits.balance(ALICE)).sqlState()).contains("08001");

      CreditService healthy = service(target.store());
      assertThat(healthy.balance(ALICE).available()).as("nothing changed").isEqualTo(100);
      assertThat(target.store().findIdempotencyRecord(ALICE, request.key())).isEmpty();
    }
  }

  @Nested
  @DisplayName("a connection that breaks around the commit")
  class BrokenConnection {
    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("after the COMMIT was sent: outcome unknown, the change is there, and resending the key replays it")
    void answerToCommitLost(Databases database) {
      Databases.Target target = database.fresh();
      CreditService setup = service(target.store());
      setup.openAccount(ALICE, IdempotencyKey.of("open"));
      setup.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
      // A new store's first commit is a transaction of its own, ended by a COMMIT on both databases.
      FaultyPool pool = new FaultyPool(target.dataSource());
      CreditService credits = service(JdbcCreditStore.create(pool, target.config()));
      HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
      pool.arm(FaultyPool.Fault.LOSE_COMMIT_ANSWER);

      StoreException e = catchThrowableOfType(StoreException.class, () -> credits.hold(request));
      assertThat(pool.armed()).as("the fault fired").isNull();
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.UNKNOWN);
      assertThat(e.sqlState()).contains("08006");
      assertThat(e.getMessage()).contains("resend with the same idempotency key");
      assertThat(target.store().findIdempotencyRecord(ALICE, request.key())).as("it had committed").isPresent();

      assertResendConverges(credits, request, target);
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("before the COMMIT was sent: not applied, nothing is there, and resending the key applies it once")
    void brokenMidTransaction(Databases database) {
      Databases.Target target = database.fresh();
      CreditService setup = service(target.store());
      setup.openAccount(ALICE, IdempotencyKey.of("open"));
      setup.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
      FaultyPool pool = new FaultyPool(target.dataSource());
      CreditService credits = service(JdbcCreditStore.create(pool, target.config()));
      HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
      pool.arm(FaultyPool.Fault.BREAK_BEFORE_COMMIT);

      StoreException e = catchThrowableOfType(StoreException.class, () -> credits.hold(request));
      assertThat(pool.armed()).as("the fault fired").isNull();
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(e.sqlState()).contains("08006");
      assertThat(target.store().findIdempotencyRecord(ALICE, request.key())).as("rolled back").isEmpty();
      assertThat(setup.balance(ALICE).held()).isZero();

      assertResendConverges(credits, request, target);
    }
  }

  /** Resending the request with its key gives one hold, replayed on the next resend. */
  static void assertResendConverges(CreditService credits, HoldRequest request, Databases.Target target) {
    Hold hold = credits.hold(request);
    assertThat(credits.hold(request)).isEqualTo(hold);
    List<LedgerEntry> entries = service(target.store()).history(ALICE, LedgerQuery.firstPage(100)).entries();
    assertThat(entries).filteredOn(entry -> request.key().equals(entry.key())).extracting(LedgerEntry::type)
        .containsExactly(EntryType.HOLD);
    assertThat(credits.balance(ALICE).held()).isEqualTo(30);
    assertThat(credits.balance(ALICE).available()).isEqualTo(70);
    assertThat(credits.reconcile(ALICE).consistent()).isTrue();
  }
}
