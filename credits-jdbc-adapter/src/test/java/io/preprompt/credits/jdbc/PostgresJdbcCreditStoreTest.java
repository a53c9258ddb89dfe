package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.AccountChangeBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The adapter's own tests on the tests' PostgreSQL server. */
class PostgresJdbcCreditStoreTest extends JdbcCreditStoreTestBase {
  @Override
  Databases database() {
    return Databases.POSTGRESQL;
  }

  @Test
  @DisplayName("a hold or settle updates its lot in place: a heap-only update, no index entry written")
  void lotUpdatesAreHeapOnly() throws Exception {
    CreditService credits = CreditService.builder().store(store).build();
    AccountId account = AccountId.of("hot");
    credits.openAccount(account, IdempotencyKey.of("open"));
    credits.grant(account, LotSource.PACK, CreditAmount.of(1_000_000), null, IdempotencyKey.of("pack"));
    long[] before = lotUpdates();
    for (int i = 0; i < 50; i++) {
      Hold hold = credits.hold(HoldRequest.of(account, CreditAmount.of(3), IdempotencyKey.of("h" + i)));
      credits.settle(account, hold.id(), IdempotencyKey.of("s" + i));
    }
    // Other sessions report their table statistics within about a second.
    long[] after = lotUpdates();
    for (int wait = 0; wait < 50 && after[0] - before[0] < 100; wait++) {
      Thread.sleep(100);
      after = lotUpdates();
    }
    long updates = after[0] - before[0];
    long heapOnly = after[1] - before[1];
    assertThat(updates).as("lot updates of 50 holds and 50 settles").isEqualTo(100);
    assertThat(heapOnly).as("of which heap-only").isGreaterThanOrEqualTo(95);
  }

  @Test
  @DisplayName("with 1,000 active holds, reading an account keeps the server's generic plan instead of planning each read")
  void readKeepsItsGenericPlanWithManyActiveHolds() throws Exception {
    AccountId busy = AccountId.of("busy");
    AccountChangeBuilder b = AccountChangeBuilder.create(busy, T0);
    b.grant(LotSource.PACK, 10_000, null);
    for (int i = 0; i < 1_000; i++) {
      b.hold(HoldId.of(String.format("h_bg%04d", i)), 1, T0.plus(Duration.ofDays(1)));
    }
    assertThat(store.commit(b.build())).isEqualTo(CommitOutcome.COMMITTED);
    try (Connection c = target.dataSource().getConnection()) {
      try (Statement st = c.createStatement()) {
        // The statistics autovacuum would gather: 1,000 active holds, none due before tomorrow.
        st.execute("ANALYZE " + target.config().table("holds"));
      }
      JdbcCreditStore onOne = JdbcCreditStore.withConnection(c, target.config());
      for (int i = 0; i < 20; i++) {
        AccountSnapshot read = onOne.load(busy, HoldSelection.overdueAt(T0.plusSeconds(i))).orElseThrow();
        assertThat(read.holds()).isEmpty();
        assertThat(read.earliestHoldDeadline()).isEqualTo(T0.plus(Duration.ofDays(1)));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
          + " WHERE statement LIKE 'SELECT 0, id,%'"); ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the read, prepared on the server").isTrue();
        // The driver prepares on the server from the fifth execution; the server plans the first five
        // executions of a prepared statement for their parameters before it may settle on one plan.
        assertThat(rs.getLong(2)).as("reads planned for their parameters").isLessThanOrEqualTo(5);
        assertThat(rs.getLong(1)).as("reads run on the generic plan").isGreaterThanOrEqualTo(5);
      }
    }
  }

  /** The lots table's updates and heap-only updates so far, as the statistics collector has them. */
  private long[] lotUpdates() throws SQLException {
    try (Connection c = target.dataSource().getConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_stat_clear_snapshot()");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ?")) {
        ps.setString(1, target.config().schema().orElse("public"));
        ps.setString(2, target.config().tablePrefix() + "lots");
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
        }
      }
    }
  }
}
