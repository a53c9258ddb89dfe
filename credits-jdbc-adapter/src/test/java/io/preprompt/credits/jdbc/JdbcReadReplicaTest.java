package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Routing of {@link JdbcCreditStore#readReplica} on two H2 databases standing in for a primary and
 * a replica that trails it: only history is read from the second.
 */
@DisplayName("JdbcCreditStore.readReplica routes history only")
class JdbcReadReplicaTest {
  private static final AccountId ALICE = AccountId.of("alice");

  @Test
  @DisplayName("history reads the replica; balance, reconcile and the store's readLedger read the primary")
  void routesHistoryOnly() {
    Databases.Target primary = Databases.H2.fresh();
    Databases.Target replica = Databases.H2.fresh();
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    // The replica has seen the opening and the first grant only, as a replica behind would.
    openAndGrant(clock, primary, replica);
    JdbcCreditStore store = primary.store().readReplica(replica.dataSource());
    CreditService credits = CreditService.builder().store(store).clock(clock).build();
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(5), null, IdempotencyKey.of("grant-2"));

    assertThat(credits.balance(ALICE).available()).isEqualTo(105);
    assertThat(credits.reconcile(ALICE).consistent()).isTrue();
    assertThat(keys(store.readLedger(ALICE, LedgerQuery.firstPage(100)))).containsExactly("grant-1", "grant-2");
    assertThat(keys(store.readHistory(ALICE, LedgerQuery.firstPage(100)))).containsExactly("grant-1");
    List<LedgerEntry> history = new ArrayList<>();
    credits.forEachEntry(ALICE, LedgerQuery.firstPage(100), history::add);
    assertThat(keys(history)).as("history, from the replica").containsExactly("grant-1");
  }

  @Test
  @DisplayName("while the replica cannot be reached, history reads the primary; then the replica again")
  void replicaDown_readsThePrimary() {
    Databases.Target primary = Databases.H2.fresh();
    Databases.Target replica = Databases.H2.fresh();
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    openAndGrant(clock, primary, replica);
    AtomicBoolean down = new AtomicBoolean();
    DataSource flaky = new DataSourceBase() {
      @Override
      public Connection getConnection() throws SQLException {
        if (down.get()) {
          throw new SQLException("Connection to replica:5432 refused", "08001");
        }
        return replica.dataSource().getConnection();
      }
    };
    JdbcCreditStore store = primary.store().readReplica(flaky);
    CreditService credits = CreditService.builder().store(store).clock(clock).build();
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(5), null, IdempotencyKey.of("grant-2"));

    assertThat(keys(store.readHistory(ALICE, LedgerQuery.firstPage(100)))).as("the replica, behind")
        .containsExactly("grant-1");
    down.set(true);
    assertThat(keys(store.readHistory(ALICE, LedgerQuery.firstPage(100)))).as("the primary, while it is down")
        .containsExactly("grant-1", "grant-2");
    List<LedgerEntry> history = new ArrayList<>();
    credits.forEachEntry(ALICE, LedgerQuery.firstPage(100), history::add);
    assertThat(keys(history)).containsExactly("grant-1", "grant-2");
    down.set(false);
    assertThat(keys(store.readHistory(ALICE, LedgerQuery.firstPage(100)))).as("the replica, back")
        .containsExactly("grant-1");
  }

  @Test
  @DisplayName("a replica without the credits schema is an error, not a fallback")
  void replicaWithoutSchema_isAnError() {
    Databases.Target primary = Databases.H2.fresh();
    JdbcCreditStore store = primary.store()
        .readReplica(TestDataSource.pooled("jdbc:h2:mem:empty-replica;DB_CLOSE_DELAY=-1"));
    assertThatThrownBy(() -> store.readHistory(ALICE, LedgerQuery.firstPage(100)))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_NOT_INSTALLED));
  }

  @Test
  @DisplayName("without a replica, history reads the primary")
  void noReplica() {
    Databases.Target primary = Databases.H2.fresh();
    JdbcCreditStore store = primary.store();
    CreditService credits = CreditService.builder().store(store)
        .clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z"))).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant-1"));
    assertThat(keys(store.readHistory(ALICE, LedgerQuery.firstPage(100)))).containsExactly("grant-1");
  }

  @Test
  @DisplayName("a null replica, or one of another dialect, is refused as invalid configuration")
  void refused() {
    JdbcCreditStore store = Databases.H2.fresh().store();
    assertThatThrownBy(() -> store.readReplica(null))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
    assertThatThrownBy(() -> store.readReplica(TestDataSource.unpooled(PostgresServer.get().url())))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
  }

  /** Opens alice and grants her 100 credits (key {@code grant-1}) on each database. */
  private static void openAndGrant(MutableClock clock, Databases.Target... targets) {
    for (Databases.Target t : targets) {
      CreditService s = CreditService.builder().store(t.store()).clock(clock).build();
      s.openAccount(ALICE, IdempotencyKey.of("open"));
      s.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant-1"));
    }
  }

  private static List<String> keys(List<LedgerEntry> entries) {
    return entries.stream().filter(e -> e.key() != null && e.key().value().startsWith("grant"))
        .map(e -> e.key().value()).toList();
  }
}
