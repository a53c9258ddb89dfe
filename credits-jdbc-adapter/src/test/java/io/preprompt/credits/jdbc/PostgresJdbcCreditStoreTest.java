package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
