package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A PostgreSQL backend killed in the middle of a commit. */
@DisplayName("JdbcCreditStore on PostgreSQL when a backend is terminated mid-transaction")
class PostgresFaultTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final AccountId ALICE = AccountId.of("alice");

  @Test
  @Timeout(60)
  @DisplayName("leaves no partial state, surfaces a StoreException with the SQL state, not applied, and a retry with the same key takes effect once")
  void terminatedMidCommit() throws Exception {
    Databases.Target target = Databases.POSTGRESQL.fresh();
    CreditService credits = CreditService.builder().store(target.store()).clock(new MutableClock(T0)).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
    long versionBefore = version(target);
    HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));

    // The victim commits on its own, unpooled connection, so killing it harms nobody else.
    CreditService victim = CreditService.builder()
        .store(JdbcCreditStore.create(TestDataSource.unpooled(PostgresServer.get().url()), target.config()))
        .clock(new MutableClock(T0)).build();
    try (Connection locker = PostgresServer.get().connect(); Connection admin = PostgresServer.get().connect()) {
      // Another transaction has inserted, and not committed, an idempotency record with the victim's
      // key: the victim's commit updates the account row and appends its ledger entries, then waits
      // on that key, mid-transaction.
      locker.setAutoCommit(false);
      try (PreparedStatement ps = locker.prepareStatement("INSERT INTO " + target.config().table("idempotency")
          + " (account, idem_key, operation, fingerprint, result, at) VALUES (?, ?, 'hold', '', '', CURRENT_TIMESTAMP)")) {
        ps.setString(1, ALICE.value());
        ps.setString(2, request.key().value());
        ps.executeUpdate();
      }
      int lockerPid;
      try (PreparedStatement ps = locker.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
        rs.next();
        lockerPid = rs.getInt(1);
      }
      CompletableFuture<Hold> attempt = CompletableFuture.supplyAsync(() -> victim.hold(request));
      int pid = waitForBlockedCommit(admin, lockerPid);
      try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
        ps.setInt(1, pid);
        ps.executeQuery().close();
      }
      Throwable failure = null;
      try {
        attempt.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
      // Killed before its COMMIT was sent: the server rolled the transaction back.
      assertThat(failure).isInstanceOfSatisfying(StoreException.class, e -> {
        assertThat(e.sqlState()).hasValueSatisfying(s -> assertThat(s).matches("57P01|08.*"));
        assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      });
      locker.rollback();
    }

    // Nothing of the hold was kept: same version, no hold, no entry, no key, balance intact.
    assertThat(version(target)).isEqualTo(versionBefore);
    assertThat(target.store().load(ALICE, HoldSelection.allActive()).orElseThrow())
        .returns(List.of(), AccountSnapshot::holds).returns(null, AccountSnapshot::earliestHoldDeadline)
        .returns(0L, s -> s.account().activeHolds());
    assertThat(target.store().findIdempotencyRecord(ALICE, IdempotencyKey.of("gen-1"))).isEmpty();
    assertThat(credits.history(ALICE, LedgerQuery.firstPage(100)).entries()).extracting(LedgerEntry::type)
        .containsExactly(EntryType.GRANT);
    assertThat(credits.balance(ALICE).available()).isEqualTo(100);
    assertThat(credits.reconcile(ALICE).consistent()).isTrue();

    // Retrying with the same key is safe: one hold, and a second retry replays it.
    Hold hold = credits.hold(request);
    assertThat(credits.hold(request)).isEqualTo(hold);
    List<LedgerEntry> entries = credits.history(ALICE, LedgerQuery.firstPage(100)).entries();
    assertThat(entries).filteredOn(e -> e.key() != null && e.key().value().equals("gen-1"))
        .extracting(LedgerEntry::type).containsOnly(EntryType.HOLD);
    assertThat(entries).filteredOn(e -> e.type() == EntryType.HOLD).extracting(LedgerEntry::amount)
        .containsExactly(30L);
    assertThat(credits.balance(ALICE).available()).isEqualTo(70);
    assertThat(credits.balance(ALICE).held()).isEqualTo(30);
    assertThat(credits.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @Timeout(60)
  @DisplayName("a connection lost before the call surfaces as a StoreException with the SQL state, not applied")
  void connectionRefused() {
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.POSTGRESQL);
    JdbcCreditStore store = JdbcCreditStore.create(
        TestDataSource.unpooled("jdbc:postgresql://127.0.0.1:1/credits?user=postgres&connectTimeout=2"), config);
    CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();
    assertThatThrownBy(() -> credits.balance(ALICE))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.sqlState()).hasValueSatisfying(
            s -> assertThat(s).startsWith("08")));
    assertThatThrownBy(() -> credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1), null, IdempotencyKey.of("g")))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED));
  }

  @Test
  @Timeout(60)
  @DisplayName("a commit made at once in auto-commit mode whose answer was lost is unknown, and resending the key replays it")
  void answerToAtOnceCommitLost() {
    Databases.Target target = Databases.POSTGRESQL.fresh();
    FaultyPool pool = new FaultyPool(target.dataSource());
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(pool, target.config()))
        .clock(new MutableClock(T0)).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
    HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
    // The account exists and the store has committed before: the hold is one statement that commits itself.
    pool.arm(FaultyPool.Fault.LOSE_AUTO_COMMIT_ANSWER);

    assertThatThrownBy(() -> credits.hold(request)).isInstanceOfSatisfying(StoreException.class, e -> {
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.UNKNOWN);
      assertThat(e.sqlState()).contains("08006");
    });
    assertThat(pool.armed()).as("the fault fired").isNull();
    assertThat(target.store().findIdempotencyRecord(ALICE, request.key())).as("it had committed").isPresent();
    JdbcFailureTest.assertResendConverges(credits, request, target);
  }

  private static long version(Databases.Target target) {
    return target.store().load(ALICE, HoldSelection.allActive()).orElseThrow().account().version();
  }

  /**
   * Waits until a backend is waiting for a lock the locker holds (its uncommitted key), and returns its
   * pid. Found by who blocks it rather than by its query text: the store may send a commit's
   * statements pipelined, and then the activity view does not show the waiting statement's text.
   */
  private static int waitForBlockedCommit(Connection admin, int lockerPid) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (PreparedStatement ps = admin.prepareStatement("SELECT pid FROM pg_stat_activity"
          + " WHERE datname = current_database() AND wait_event_type = 'Lock' AND ? = ANY(pg_blocking_pids(pid))")) {
        ps.setInt(1, lockerPid);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getInt(1);
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the victim's commit never blocked on the locker's key");
  }
}
