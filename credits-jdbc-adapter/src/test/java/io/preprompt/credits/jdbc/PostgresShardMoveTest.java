package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.ShardedCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The move of one logical shard from server A to server B with PostgreSQL logical replication, as
 * the README describes it: the shard has its own schema; a publication of that schema on A, a
 * subscription on B that copies and then streams while writes continue; then the cut-over (writes
 * stopped, B caught up with A's WAL position, the map switched) and writes resume on B.
 */
@DisplayName("A logical shard moves to another PostgreSQL server by logical replication")
class PostgresShardMoveTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final int SHARDS = 4;
  private static final int MOVING = 1;

  private final List<PostgresServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(PostgresServer::stop);
  }

  @Test
  @Timeout(120)
  @DisplayName("balances, holds and ledgers arrive whole, and the shard's writes continue on the new server")
  void moveOneShard() throws Exception {
    CompletableFuture<PostgresServer> startingB = CompletableFuture.supplyAsync(PostgresServer::dedicated);
    PostgresServer a = PostgresServer.dedicated();
    servers.add(a);
    PostgresServer b = startingB.join();
    servers.add(b);
    sql(a, "ALTER SYSTEM SET wal_level = 'logical'");
    a.crash();
    a.restart();
    assertThat(query(a, "SHOW wal_level")).isEqualTo("logical");

    DataSource poolA = TestDataSource.pooled(a.url());
    DataSource poolB = TestDataSource.pooled(b.url());
    JdbcStoreConfig rest = config("credits_rest");
    JdbcStoreConfig moving = config("credits_s" + MOVING);
    JdbcCreditStore.install(poolA, rest);
    JdbcCreditStore.install(poolA, moving);
    JdbcCreditStore.install(poolB, moving);
    JdbcCreditStore restOnA = JdbcCreditStore.create(poolA, rest);
    JdbcCreditStore movingOnA = JdbcCreditStore.create(poolA, moving);
    JdbcCreditStore movingOnB = JdbcCreditStore.create(poolB, moving);
    ShardedCreditStore before = ShardedCreditStore.builder(SHARDS).shards(0, MOVING, restOnA).shard(MOVING, movingOnA)
        .shards(MOVING + 1, SHARDS, restOnA).build();
    MutableClock clock = new MutableClock(T0);
    CreditService onA = CreditService.builder().store(before).clock(clock).build();

    List<AccountId> movers = new ArrayList<>();
    List<AccountId> stayers = new ArrayList<>();
    for (int i = 0; movers.size() < 3 || stayers.size() < 2; i++) {
      AccountId id = AccountId.of("user-" + i);
      (before.logicalShardOf(id) == MOVING ? movers : stayers).add(id);
    }
    Map<AccountId, Hold> holds = new HashMap<>();
    for (AccountId id : concat(movers, stayers)) {
      onA.openAccount(id, IdempotencyKey.of("open"));
      onA.grant(id, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
      holds.put(id, onA.hold(HoldRequest.of(id, CreditAmount.of(30), IdempotencyKey.of("hold"))));
    }

    // Publish the shard's schema on A; B copies it and then streams, while writes go on.
    // The five tables, not the schema: each server keeps its own record of the installed migrations.
    String t = "credits_s1." + moving.tablePrefix();
    sql(a, "CREATE PUBLICATION move_s1 FOR TABLE " + t + "accounts, " + t + "lots, " + t + "holds, " + t + "ledger, "
        + t + "idempotency");
    sql(b, "CREATE SUBSCRIPTION move_s1 CONNECTION 'host=127.0.0.1 port=" + a.port()
        + " dbname=credits user=postgres' PUBLICATION move_s1");
    for (AccountId id : movers) {
      onA.settle(id, holds.get(id).id(), CreditAmount.of(20), IdempotencyKey.of("settle"));
      onA.grant(id, LotSource.PACK, CreditAmount.of(7), null, IdempotencyKey.of("grant-2"));
    }
    waitUntil(b, "SELECT count(*) = 5 AND bool_and(r.srsubstate = 'r') FROM pg_subscription_rel r"
        + " JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = 'move_s1'");

    // Cut-over: writes to the shard are stopped (no call runs), B catches up with A's WAL position.
    String position = query(a, "SELECT pg_current_wal_lsn()::text");
    waitUntil(b, "SELECT latest_end_lsn >= '" + position + "'::pg_lsn FROM pg_stat_subscription"
        + " WHERE subname = 'move_s1'");
    ShardedCreditStore after = ShardedCreditStore.builder(SHARDS).shards(0, MOVING, restOnA).shard(MOVING, movingOnB)
        .shards(MOVING + 1, SHARDS, restOnA).build();
    CreditService onB = CreditService.builder().store(after).clock(clock).build();
    for (AccountId id : concat(movers, stayers)) {
      assertThat(onB.balance(id)).as("balance of %s after the move", id).isEqualTo(onA.balance(id));
      assertThat(onB.history(id, io.preprompt.credits.ledger.LedgerQuery.firstPage(100)))
          .isEqualTo(onA.history(id, io.preprompt.credits.ledger.LedgerQuery.firstPage(100)));
    }
    sql(b, "DROP SUBSCRIPTION move_s1");
    sql(a, "DROP PUBLICATION move_s1");

    // Writes resume: the shard's accounts now change on B only; a replayed key answers as before.
    for (AccountId id : movers) {
      assertThat(onB.settle(id, holds.get(id).id(), CreditAmount.of(20), IdempotencyKey.of("settle")))
          .isEqualTo(onA.settle(id, holds.get(id).id(), CreditAmount.of(20), IdempotencyKey.of("settle")));
      onB.hold(HoldRequest.of(id, CreditAmount.of(5), IdempotencyKey.of("after-move")));
      Reconciliation rec = onB.reconcile(id);
      assertThat(rec.consistent()).as("%s: %s", id, rec.differences()).isTrue();
      assertThat(rec.granted()).isEqualTo(107);
      assertThat(rec.held()).isEqualTo(5);
      assertThat(movingOnB.load(id, HoldSelection.allActive()).orElseThrow().account().version())
          .isGreaterThan(movingOnA.load(id, HoldSelection.allActive()).orElseThrow().account().version());
    }
    for (AccountId id : stayers) {
      assertThat(onB.reconcile(id).consistent()).isTrue();
      assertThat(movingOnB.load(id, HoldSelection.allActive())).isEmpty();
    }
  }

  private static JdbcStoreConfig config(String schema) {
    return JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema(schema).build();
  }

  private static List<AccountId> concat(List<AccountId> x, List<AccountId> y) {
    List<AccountId> all = new ArrayList<>(x);
    all.addAll(y);
    return all;
  }

  private static void sql(PostgresServer server, String statement) throws SQLException {
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  private static String query(PostgresServer server, String select) throws SQLException {
    try (Connection c = server.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select)) {
      rs.next();
      return String.valueOf(rs.getObject(1));
    }
  }

  /** Polls a yes/no query until it answers true; the test's timeout bounds the wait. */
  private static void waitUntil(PostgresServer server, String select) throws Exception {
    for (int i = 0; !"true".equals(query(server, select)); i++) {
      if (i == 400) {
        throw new AssertionError("waited 20 s for: " + select + "; subscription: "
            + query(server, "SELECT string_agg(s::text, ' | ') FROM pg_stat_subscription s") + "; tables: "
            + query(server, "SELECT string_agg(r::text, ' | ') FROM pg_subscription_rel r"));
      }
      Thread.sleep(50);
    }
  }
}
