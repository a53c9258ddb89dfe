package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@DisplayName("JdbcCreditStore inside the host's transaction on PostgreSQL")
class PostgresHostTransactionTest {
  private static final AccountId MAYA = AccountId.of("maya");

  private final Databases.Target target = database().fresh();
  private final BoundedPool pool = new BoundedPool(url(), 3);
  private final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  private final List<String> events = new CopyOnWriteArrayList<>();
  /** Reads what is durable, on the tests' own pool. */
  private final CreditService committed = CreditService.builder().store(target.store()).clock(clock).build();

  /** Where the store's tables live; a subclass runs the same tests elsewhere. */
  Databases database() {
    return Databases.POSTGRESQL;
  }

  /** The JDBC URL of the host's pool, on the same database as {@link #database()}. */
  String url() {
    return PostgresServer.get().url();
  }

  @AfterEach
  void closePool() throws SQLException {
    pool.close();
  }

  private Credits library(JdbcCreditStore store) {
    return Credits.builder().store(store).clock(clock)
        .listener(change -> events.add("credits " + change.entries().get(0).type() + " " + change.balance().available()))
        .lowBalanceListener((account, available, typical, threshold) -> events.add("low " + available))
        .gate(GateConfig.defaults().withLowBalanceThreshold(50))
        .build();
  }

  /** A grant of 50, then a generation of 8 that leaves 42, under the threshold of 50. */
  private void grantAndGenerate(Credits credits, String run) {
    credits.credits().grant(MAYA, LotSource.PROMOTION, CreditAmount.of(50), null, IdempotencyKey.of(run + "-grant"));
    GenerationGate gate = credits.gate();
    Authorization.Authorized ok = (Authorization.Authorized) gate.authorize(MAYA,
        GenerationRequest.image("standard", "720p"), IdempotencyKey.of(run + "-gen"));
    gate.succeeded(MAYA, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of(run + "-done"));
  }

  @Nested
  @DisplayName("managed by Spring")
  class Spring {
    private final DataSourceTransactionManager manager = new DataSourceTransactionManager(pool);
    private final TransactionTemplate transactions = new TransactionTemplate(manager);
    private final Credits credits = library(JdbcCreditStore.inHostTransaction(new SpringConnectionProvider(pool),
        target.config()));

    @Test
    @DisplayName("a host rollback keeps nothing and tells no listener")
    void rollback_nothingStoredNoListener() {
      committed.openAccount(MAYA, IdempotencyKey.of("open"));
      transactions.executeWithoutResult(status -> {
        grantAndGenerate(credits, "r");
        status.setRollbackOnly();
      });
      assertThat(committed.balance(MAYA).available()).isZero();
      assertThat(committed.history(MAYA, LedgerQuery.firstPage(10)).entries()).isEmpty();
      assertThat(events).isEmpty();
      assertThat(pool.borrowed()).isZero();
    }

    @Test
    @DisplayName("a host commit tells each listener once, after the commit")
    void commit_listenersOnceAfterCommit() {
      committed.openAccount(MAYA, IdempotencyKey.of("open"));
      List<String> beforeCommit = transactions.execute(status -> {
        grantAndGenerate(credits, "c");
        return List.copyOf(events);
      });
      assertThat(beforeCommit).isEmpty();
      assertThat(events).containsExactly("credits GRANT 50", "credits HOLD 42", "low 42", "credits SETTLE 42");
      assertThat(committed.balance(MAYA).available()).isEqualTo(42);
      assertThat(pool.borrowed()).isZero();
    }

    @Test
    @DisplayName("outside any transaction, 1,000 calls on a pool of 3 give every connection back")
    void outsideTransaction_connectionsGoBack() {
      committed.openAccount(MAYA, IdempotencyKey.of("open"));
      committed.grant(MAYA, LotSource.PACK, CreditAmount.of(1_000), null, IdempotencyKey.of("pack"));
      CreditService service = credits.credits();
      assertThat(pool.borrowed()).isZero();
      int calls = 0;
      for (int i = 0; calls < 1_000; i++) {
        service.balance(MAYA);
        Hold hold = service.hold(HoldRequest.of(MAYA, CreditAmount.of(1), IdempotencyKey.of("h" + i)));
        service.settle(MAYA, hold.id(), IdempotencyKey.of("s" + i));
        calls += 3;
      }
      assertThat(pool.borrowed()).isZero();
      assertThat(committed.balance(MAYA).available()).isEqualTo(1_000 - 334);
    }
  }

  @Nested
  @DisplayName("on a plain connection per transaction")
  class PlainConnection {
    @Test
    @DisplayName("a host commit tells each listener once, after the commit; a rollback tells none")
    void commitTellsRollbackDoesNot() throws SQLException {
      committed.openAccount(MAYA, IdempotencyKey.of("open"));
      try (Connection c = pool.getConnection()) {
        HostTransaction tx = HostTransaction.begin(c);
        Credits credits = library(JdbcCreditStore.inHostTransaction(tx, target.config()));
        grantAndGenerate(credits, "r");
        assertThat(events).isEmpty();
        tx.rollback();
        assertThat(events).isEmpty();
        assertThat(committed.balance(MAYA).available()).isZero();

        grantAndGenerate(credits, "c");
        assertThat(events).isEmpty();
        tx.commit();
        assertThat(events).containsExactly("credits GRANT 50", "credits HOLD 42", "low 42", "credits SETTLE 42");
        tx.commit();
        assertThat(events).as("each is told once").hasSize(4);
      }
      assertThat(committed.balance(MAYA).available()).isEqualTo(42);
      assertThat(committed.history(MAYA, LedgerQuery.firstPage(10)).entries()).hasSize(3);
      assertThat(pool.borrowed()).isZero();
    }

    @Test
    @DisplayName("withConnection tells listeners at once in auto-commit mode, and never before a host commit")
    void withConnection_neverBeforeTheCommit() throws SQLException {
      committed.openAccount(MAYA, IdempotencyKey.of("open"));
      try (Connection c = pool.getConnection()) {
        Credits credits = library(JdbcCreditStore.withConnection(c, target.config()));
        credits.credits().grant(MAYA, LotSource.PROMOTION, CreditAmount.of(50), null, IdempotencyKey.of("auto"));
        assertThat(events).containsExactly("credits GRANT 50");

        c.setAutoCommit(false);
        credits.credits().grant(MAYA, LotSource.PROMOTION, CreditAmount.of(50), null, IdempotencyKey.of("in-tx"));
        c.commit();
        c.setAutoCommit(true);
        assertThat(events).as("it cannot see the host commit, so it never tells early").hasSize(1);
      }
      assertThat(committed.balance(MAYA).available()).isEqualTo(100);
    }
  }
}
