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
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the one-round-trip commit relies on: on a connection in auto-commit mode, the driver sends a
 * multi-statement prepared statement with one {@code Sync}, so PostgreSQL runs its statements as one
 * implicit transaction; a failure in any statement leaves every earlier statement's write rolled
 * back, and a guard wrapped as {@code WITH u AS (UPDATE ... RETURNING 1) SELECT 1 / COUNT(*) FROM u}
 * fails when it matches no row. Checked past the driver's prepare threshold too (named server-side
 * statements).
 */
@DisplayName("A multi-statement execute on PostgreSQL in auto-commit mode")
class PostgresAtOnceCommitTest {

  @Test
  @DisplayName("is one transaction: a failure in the last statement rolls back the first one's write")
  void failureInLastStatementRollsBackTheFirst() throws SQLException {
    try (Connection c = PostgresServer.get().connect(); Connection other = PostgresServer.get().connect()) {
      c.setAutoCommit(true);
      String table = createTable(c, "at_once_a");
      for (int i = 0; i < 12; i++) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = 0;\n"
            + "INSERT INTO " + table + " (id, n) VALUES (?, 0);\nINSERT INTO " + table + " (id, n) VALUES (?, 0)")) {
          ps.setInt(1, 100 + i);
          ps.setInt(2, 100 + i);
          assertThatThrownBy(ps::execute).isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        }
        assertThat(c.getAutoCommit()).isTrue();
        assertThat(count(other, table, "id = 0 AND n = 0")).as("the update, attempt %d", i).isEqualTo(1);
        assertThat(count(other, table, "id >= 100")).as("the first insert, attempt %d", i).isZero();
      }
      // The same shape succeeding commits at once: another connection sees every write.
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = 0;\n"
          + "INSERT INTO " + table + " (id, n) VALUES (?, 0);\nINSERT INTO " + table + " (id, n) VALUES (?, 0)")) {
        ps.setInt(1, 1);
        ps.setInt(2, 2);
        ps.execute();
      }
      assertThat(count(other, table, "id = 0 AND n = 1")).isEqualTo(1);
      assertThat(count(other, table, "id IN (1, 2)")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("fails at a guard wrapped as 1 / COUNT(*) that matches no row, and writes nothing after or before it")
  void guardMatchingNoRowFails() throws SQLException {
    try (Connection c = PostgresServer.get().connect(); Connection other = PostgresServer.get().connect()) {
      c.setAutoCommit(true);
      String table = createTable(c, "at_once_b");
      for (int i = 0; i < 12; i++) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, n) VALUES (?, 0);\n"
            + "WITH u AS (UPDATE " + table + " SET n = n + 1 WHERE id = 0 AND n = ? RETURNING 1)"
            + " SELECT 1 / COUNT(*) FROM u;\nINSERT INTO " + table + " (id, n) VALUES (?, 0)")) {
          ps.setInt(1, 100 + i);
          ps.setInt(2, 7);
          ps.setInt(3, 200 + i);
          assertThatThrownBy(ps::execute).isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("22012"));
        }
        assertThat(count(other, table, "id <> 0")).as("attempt %d", i).isZero();
        assertThat(count(other, table, "id = 0 AND n = 0")).isEqualTo(1);
      }
    }
  }

  private static String createTable(Connection c, String name) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + name);
      st.execute("CREATE TABLE " + name + " (id INT PRIMARY KEY, n INT NOT NULL)");
      st.execute("INSERT INTO " + name + " (id, n) VALUES (0, 0)");
    }
    return name;
  }

  private static long count(Connection c, String table, String where) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @DisplayName("the store commits an existing account's change at once (no transaction of its own); a stale one is a CONFLICT that writes nothing")
  void storeCommitsAtOnce() throws SQLException {
    Databases.Target target = Databases.POSTGRESQL.fresh();
    AtomicInteger transactions = new AtomicInteger();
    JdbcCreditStore store = JdbcCreditStore.create(CountingDataSource.counting(target.dataSource(),
        (method, args) -> method.equals("setAutoCommit") && Boolean.FALSE.equals(args[0]), transactions),
        target.config());
    CreditService credits = CreditService.builder().store(store)
        .clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z"))).build();
    AccountId alice = AccountId.of("alice");
    credits.openAccount(alice, IdempotencyKey.of("open"));
    int afterOpen = transactions.get();
    credits.grant(alice, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
    Hold hold = credits.hold(HoldRequest.of(alice, CreditAmount.of(30), IdempotencyKey.of("gen-1")));
    credits.settle(alice, hold.id(), IdempotencyKey.of("settle-1"));
    assertThat(transactions.get()).as("transactions the store began after the account existed").isEqualTo(afterOpen);
    assertThat(credits.balance(alice).available()).isEqualTo(70);

    // A change computed from an older version: the at-once attempt fails, the transactional path
    // decides CONFLICT, and nothing of it is left.
    AccountSnapshot now = store.load(alice, HoldSelection.of(hold.id(), Instant.MAX)).orElseThrow();
    AccountRecord row = now.account();
    AccountChange stale = new AccountChange(row.version() - 1, new AccountRecord(alice, row.version(),
        row.lastSequence(), row.granted(), row.settled(), row.expired(), row.debited(), row.activeHolds(),
        row.createdAt(), null, null), List.of(), List.of(), List.of(), List.of(), List.of(), null);
    assertThat(store.commit(stale)).isEqualTo(CommitOutcome.CONFLICT);
    assertThat(store.load(alice, HoldSelection.of(hold.id(), Instant.MAX))).contains(now);
    assertThat(transactions.get()).isEqualTo(afterOpen + 1);
  }
}
