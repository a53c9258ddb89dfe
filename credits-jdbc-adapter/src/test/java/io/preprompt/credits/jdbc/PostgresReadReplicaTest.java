package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * History read from a streaming replica, decisions on the primary: a store given a
 * {@linkplain JdbcCreditStore#readReplica read replica} reads {@code CreditService.history} there
 * (its connections report {@code pg_is_in_recovery()}), and grants, holds, settles, balances and
 * reconciliation never touch it. The replica's data source records every statement and fails the
 * test on any but the ledger's page read, and on any attempt to open a transaction. With the
 * replica's replay paused, history trails the primary while balances do not.
 */
@DisplayName("Read replica on PostgreSQL: history reads there, decisions stay on the primary")
class PostgresReadReplicaTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final List<PostgresServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(PostgresServer::stop);
  }

  @Test
  @Timeout(120)
  @DisplayName("history comes from the replica, every decision from the primary, and trails it by the lag")
  void historyFromTheReplica() throws Exception {
    PostgresServer primary = PostgresServer.dedicated();
    servers.add(primary);
    PostgresServer standby = primary.startStandby(false);
    servers.add(standby);
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("replica")
        .build();
    JdbcCreditStore.install(TestDataSource.unpooled(primary.url()), config);

    Recording onPrimary = new Recording(TestDataSource.pooled(primary.url()), false);
    Recording onReplica = new Recording(TestDataSource.pooled(standby.url()), true);
    JdbcCreditStore store = JdbcCreditStore.create(onPrimary.dataSource(), config)
        .readReplica(onReplica.dataSource());
    CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();

    // Decisions: every write and every read that decides runs on the primary.
    AccountId alice = AccountId.of("alice");
    credits.openAccount(alice, IdempotencyKey.of("open"));
    credits.grant(alice, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant-1"));
    Hold hold = credits.hold(HoldRequest.of(alice, CreditAmount.of(30), IdempotencyKey.of("hold-1")));
    credits.settle(alice, hold.id(), CreditAmount.of(20), IdempotencyKey.of("settle-1"));
    credits.hold(HoldRequest.of(alice, CreditAmount.of(15), IdempotencyKey.of("hold-2")));
    assertThat(credits.balance(alice).available()).isEqualTo(100 - 20 - 15);
    assertThat(credits.reconcile(alice).consistent()).isTrue();
    assertThat(onReplica.statements()).as("statements the decisions ran on the replica").isEmpty();
    assertThat(onPrimary.statements()).as("statements on the primary").isNotEmpty();

    // History: read on the replica, once it has replayed the primary's writes.
    standby.catchUpWith(primary);
    List<LedgerEntry> onThePrimary = store.readLedger(alice, LedgerQuery.firstPage(100));
    onPrimary.clear();
    List<LedgerEntry> history = history(credits, alice);
    assertThat(history).as("history read from the replica").isEqualTo(onThePrimary).hasSizeGreaterThan(3);
    assertThat(onReplica.statements()).as("statements on the replica").isNotEmpty()
        .allSatisfy(sql -> assertThat(sql).startsWith("SELECT sequence, type").contains("replica.credits_ledger"));
    assertThat(onReplica.inRecovery()).as("pg_is_in_recovery() of each replica connection handed out")
        .isNotEmpty().containsOnly(true);
    assertThat(onPrimary.statements()).as("history read on the primary").isEmpty();

    // The lag: with the replica's replay paused, a grant is at once in the balance (the primary)
    // and missing from history (the replica) until the replica catches up.
    try (Connection c = standby.connect(); Statement st = c.createStatement()) {
      st.execute("SELECT pg_wal_replay_pause()");
    }
    credits.grant(alice, LotSource.PACK, CreditAmount.of(7), null, IdempotencyKey.of("grant-2"));
    BalanceView balance = credits.balance(alice);
    assertThat(balance.available()).as("available on the primary, at once").isEqualTo(100 - 20 - 15 + 7);
    assertThat(credits.reconcile(alice).consistent()).as("reconcile reads the primary's ledger").isTrue();
    assertThat(history(credits, alice)).as("history while the replica is paused").hasSameSizeAs(onThePrimary)
        .noneMatch(e -> e.key() != null && e.key().value().equals("grant-2"));
    try (Connection c = standby.connect(); Statement st = c.createStatement()) {
      st.execute("SELECT pg_wal_replay_resume()");
    }
    standby.catchUpWith(primary);
    assertThat(history(credits, alice)).as("history once the replica caught up")
        .anyMatch(e -> e.key() != null && e.key().value().equals("grant-2"));

    assertThat(onReplica.violations()).as("what the replica was asked to do beyond reading history").isEmpty();
  }

  private static List<LedgerEntry> history(CreditService credits, AccountId account) {
    List<LedgerEntry> out = new ArrayList<>();
    credits.forEachEntry(account, LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT), out::add);
    return out;
  }

  /**
   * A data source that records the SQL its connections prepare; as the replica's, it also records
   * whether each connection it hands out is a standby's, and as violations every statement other
   * than the ledger's page read and every attempt to open a transaction or write.
   */
  static final class Recording {
    private final DataSource delegate;
    private final boolean replica;
    private final List<String> statements = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<Boolean> inRecovery = Collections.synchronizedList(new ArrayList<>());

    Recording(DataSource delegate, boolean replica) {
      this.delegate = delegate;
      this.replica = replica;
    }

    List<String> statements() {
      return new ArrayList<>(statements);
    }

    List<String> violations() {
      return new ArrayList<>(violations);
    }

    List<Boolean> inRecovery() {
      return new ArrayList<>(inRecovery);
    }

    void clear() {
      statements.clear();
    }

    DataSource dataSource() {
      return new DataSourceBase() {
        @Override
        public Connection getConnection() throws SQLException {
          Connection target = delegate.getConnection();
          if (replica) {
            try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
              rs.next();
              inRecovery.add(rs.getBoolean(1));
            }
          }
          return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                note(method, args);
                try {
                  return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
        }
      };
    }

    private void note(Method method, Object[] args) {
      String name = method.getName();
      if (name.equals("prepareStatement") || name.equals("prepareCall")) {
        String sql = (String) args[0];
        statements.add(sql);
        if (replica && !(name.equals("prepareStatement") && sql.startsWith("SELECT sequence, type")
            && sql.endsWith("ORDER BY sequence LIMIT ?"))) {
          violations.add(name + ": " + sql);
        }
      } else if (replica && (name.equals("createStatement") || name.equals("setSavepoint")
          || (name.equals("setAutoCommit") && Boolean.FALSE.equals(args[0])) || name.equals("commit"))) {
        violations.add(name);
      }
    }
  }
}
