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
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.AccountChangeBuilder;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a new user meets when the store is set up wrong or its database fails, on each database:
 * each failure is typed and says what to do.
 */
@DisplayName("JdbcCreditStore's failures are typed and say what to do")
class JdbcFailureTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final AccountId ALICE = AccountId.of("alice");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile @Nullable DataSource postgres;

  /** Where nothing is installed: a new H2 database, or a PostgreSQL schema that does not exist. */
  static Databases.Target empty(Databases database) {
    int n = COUNTER.incrementAndGet();
    return switch (database) {
      case H2 -> new Databases.Target(TestDataSource.pooled("jdbc:h2:mem:credits_empty_" + n + ";DB_CLOSE_DELAY=-1"),
          JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2));
      case POSTGRESQL -> new Databases.Target(postgres(),
          JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("absent_" + n).build());
      case PGBOUNCER -> new Databases.Target(TestDataSource.pooled(PgBouncer.get().url()),
          JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("absent_" + n).build());
    };
  }

  private static synchronized DataSource postgres() {
    DataSource ds = postgres;
    if (ds == null) {
      ds = TestDataSource.pooled(PostgresServer.get().url());
      postgres = ds;
    }
    return ds;
  }

  /** The same schema and prefix in the other database's dialect. */
  static JdbcStoreConfig otherDialect(JdbcStoreConfig config) {
    JdbcStoreConfig.Dialect other = config.dialect() == JdbcStoreConfig.Dialect.H2
        ? JdbcStoreConfig.Dialect.POSTGRESQL : JdbcStoreConfig.Dialect.H2;
    return JdbcStoreConfig.builder().dialect(other).schema(config.schema().orElse(null))
        .tablePrefix(config.tablePrefix()).build();
  }

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
  @DisplayName("a schema that is not installed")
  class SchemaNotInstalled {
    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is refused when the store is created from a data source, naming the installer and the migrations")
    void refusedAtCreation(Databases database) {
      Databases.Target empty = empty(database);
      assertNotInstalled(() -> JdbcCreditStore.create(empty.dataSource(), empty.config()), database);

      // The check only read: installing now installs everything, and no account is there.
      assertThat(JdbcCreditStore.install(empty.dataSource(), empty.config())).isPositive();
      assertThat(empty.store().load(ALICE, HoldSelection.allActive())).isEmpty();
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is reported by the first reads and commits of a store created before the database was up, and nothing is written")
    void reportedAtFirstUse(Databases database) {
      Databases.Target empty = empty(database);
      FaultyPool pool = new FaultyPool(empty.dataSource());
      pool.unreachable(true);
      JdbcCreditStore store = JdbcCreditStore.create(pool, empty.config());
      pool.unreachable(false);
      CreditService credits = service(store);

      assertNotInstalled(() -> store.load(ALICE, HoldSelection.allActive()), database);
      assertNotInstalled(() -> store.commit(open(ALICE)), database);
      assertNotInstalled(() -> credits.openAccount(ALICE, IdempotencyKey.of("open")), database);
      assertNotInstalled(() -> credits.balance(ALICE), database);

      JdbcCreditStore.install(empty.dataSource(), empty.config());
      assertThat(store.load(ALICE, HoldSelection.allActive())).as("nothing of the failed calls").isEmpty();
      assertThat(credits.openAccount(ALICE, IdempotencyKey.of("open"))).isTrue();
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is reported at first use inside the host's transaction")
    void reportedInHostTransaction(Databases database) throws SQLException {
      Databases.Target empty = empty(database);
      try (Connection c = empty.dataSource().getConnection()) {
        JdbcCreditStore store = JdbcCreditStore.withConnection(c, empty.config());
        assertNotInstalled(() -> store.commit(open(ALICE)), database);
        assertNotInstalled(() -> store.findIdempotencyRecord(ALICE, IdempotencyKey.of("open")), database);
      }
    }

    private void assertNotInstalled(ThrowingCallable call, Databases database) {
      StoreException e = catchThrowableOfType(StoreException.class, call);
      assertThat(e).as("a typed failure").isNotNull();
      assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_NOT_INSTALLED);
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(e.sqlState()).isPresent();
      assertThat(e.getCause()).isInstanceOf(SQLException.class);
      assertThat(e.getMessage()).contains("not installed").contains("JdbcCreditStore.install(dataSource, config)")
          .contains(database == Databases.H2 ? "db/credits/h2" : "db/credits/postgresql");
    }
  }

  @Nested
  @DisplayName("a dialect that is not the database's")
  class DialectMismatch {
    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is refused by create and withConnection, naming both")
    void refusedAtCreation(Databases database) throws SQLException {
      Databases.Target target = database.fresh();
      JdbcStoreConfig wrong = otherDialect(target.config());
      assertMismatch(() -> JdbcCreditStore.create(target.dataSource(), wrong), database);
      try (Connection c = target.dataSource().getConnection()) {
        assertMismatch(() -> JdbcCreditStore.withConnection(c, wrong), database);
      }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is refused by the installer, which installs nothing")
    void refusedByInstaller(Databases database) throws SQLException {
      Databases.Target empty = empty(database);
      JdbcStoreConfig wrong = otherDialect(empty.config());
      assertMismatch(() -> JdbcCreditStore.install(empty.dataSource(), wrong), database);
      try (Connection c = empty.dataSource().getConnection()) {
        assertMismatch(() -> SchemaInstaller.install(c, wrong), database);
      }
      assertThat(catchThrowableOfType(StoreException.class,
          () -> JdbcCreditStore.create(empty.dataSource(), empty.config())))
          .as("nothing was installed").extracting(StoreException::code).isEqualTo(ErrorCode.SCHEMA_NOT_INSTALLED);
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("is refused at the first call of a store created without a connection, before anything is written")
    void refusedAtFirstUse(Databases database) throws SQLException {
      Databases.Target target = database.fresh();
      JdbcStoreConfig wrong = otherDialect(target.config());
      try (Connection c = target.dataSource().getConnection()) {
        JdbcCreditStore hosted = JdbcCreditStore.inHostTransaction(() -> c, wrong);
        assertMismatch(() -> hosted.commit(open(ALICE)), database);
        assertMismatch(() -> hosted.load(ALICE, HoldSelection.allActive()), database);
      }
      FaultyPool pool = new FaultyPool(target.dataSource());
      pool.unreachable(true);
      JdbcCreditStore pooled = JdbcCreditStore.create(pool, wrong);
      pool.unreachable(false);
      assertMismatch(() -> pooled.commit(open(ALICE)), database);
      assertMismatch(() -> service(pooled).openAccount(ALICE, IdempotencyKey.of("open")), database);
      assertThat(target.store().load(ALICE, HoldSelection.allActive())).as("nothing written").isEmpty();
    }

    private void assertMismatch(ThrowingCallable call, Databases database) {
      InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, call);
      assertThat(e).as("a typed refusal").isNotNull();
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(e.getMessage()).contains(database == Databases.H2 ? "POSTGRESQL dialect" : "H2 dialect")
          .contains(database == Databases.H2 ? "database is H2" : "database is PostgreSQL")
          .contains(database == Databases.H2 ? "Dialect.H2" : "Dialect.POSTGRESQL");
    }
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
      // A new store's first commit is a transaction of its own, ended by a COMMIT on both databases.
      Broken b = holdThrough(database, FaultyPool.Fault.LOSE_COMMIT_ANSWER);
      assertThat(b.failure().outcome()).isEqualTo(StoreException.Outcome.UNKNOWN);
      assertThat(b.failure().getMessage()).contains("resend with the same idempotency key");
      assertThat(b.target().store().findIdempotencyRecord(ALICE, b.request().key())).as("it had committed").isPresent();

      assertResendConverges(b.credits(), b.request(), b.target());
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(Databases.class)
    @DisplayName("before the COMMIT was sent: not applied, nothing is there, and resending the key applies it once")
    void brokenMidTransaction(Databases database) {
      Broken b = holdThrough(database, FaultyPool.Fault.BREAK_BEFORE_COMMIT);
      assertThat(b.failure().outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(b.target().store().findIdempotencyRecord(ALICE, b.request().key())).as("rolled back").isEmpty();
      assertThat(service(b.target().store()).balance(ALICE).held()).isZero();

      assertResendConverges(b.credits(), b.request(), b.target());
    }

    /** A hold through a store whose connection breaks as {@code fault} says, with what it threw. */
    private Broken holdThrough(Databases database, FaultyPool.Fault fault) {
      Databases.Target target = database.fresh();
      CreditService setup = service(target.store());
      setup.openAccount(ALICE, IdempotencyKey.of("open"));
      setup.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
      FaultyPool pool = new FaultyPool(target.dataSource());
      CreditService credits = service(JdbcCreditStore.create(pool, target.config()));
      HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
      pool.arm(fault);
      StoreException e = catchThrowableOfType(StoreException.class, () -> credits.hold(request));
      assertThat(pool.armed()).as("the fault fired").isNull();
      assertThat(e.sqlState()).contains("08006");
      return new Broken(target, credits, request, e);
    }
  }

  /** A hold that failed on a broken connection: where, through what, the request and the failure. */
  private record Broken(Databases.Target target, CreditService credits, HoldRequest request, StoreException failure) {}

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
