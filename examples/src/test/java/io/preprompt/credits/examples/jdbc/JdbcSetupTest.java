package io.preprompt.credits.examples.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.jdbc.SchemaInstaller;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The JDBC setups the READMEs show, run on H2. */
class JdbcSetupTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final AccountId MAYA = AccountId.of("maya");

  private final MutableClock clock = MutableClock.at("2026-03-10T09:00:00Z");
  private final DataSource dataSource = fresh();

  private static DataSource fresh() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:jdbc_setup_" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    return h2;
  }

  @Test
  @DisplayName("standalone: the installer creates the schema and tables, and the service works over them")
  void standalone_installsAndWorks() {
    CreditService credits = JdbcSetup.standalone(dataSource, JdbcStoreConfig.Dialect.H2);
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.SIGNUP_GRANT, CreditAmount.of(200), null, IdempotencyKey.of("verify"));
    assertThat(credits.balance(MAYA).available()).isEqualTo(200);
    assertThat(JdbcSetup.standalone(dataSource, JdbcStoreConfig.Dialect.H2).balance(MAYA).available())
        .as("installing again changes nothing").isEqualTo(200);
  }

  @Test
  @DisplayName("Flyway runs the shipped migrations as their own history, and the store works over them")
  void flyway_migratesAndStoreWorks() {
    // tag::flyway[]
    Flyway.configure().dataSource(dataSource)
        .locations("classpath:" + JdbcStoreConfig.Dialect.H2.migrationLocation())   // or POSTGRESQL
        .table("credits_schema_history")             // its own history, apart from the host's
        .placeholders(Map.of("credits_schema", "public", "credits_prefix", "credits_"))
        .load().migrate();
    // end::flyway[]
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).clock(clock)
        .build();
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(500), null, IdempotencyKey.of("pack"));
    assertThat(credits.balance(MAYA).available()).isEqualTo(500);
    assertThat(SchemaInstaller.install(dataSource, config)).as("the installer accepts Flyway's schema").isEqualTo(4);
  }

  @Test
  @DisplayName("a database the installer set up is handed to Flyway by a baseline at the installer's version")
  void installerThenFlyway_baseline() {
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    assertThat(SchemaInstaller.install(dataSource, config)).isEqualTo(4);
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).clock(clock)
        .build();
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(300), null, IdempotencyKey.of("pack"));
    // tag::flyway-baseline[]
    Flyway.configure().dataSource(dataSource)
        .locations("classpath:" + JdbcStoreConfig.Dialect.H2.migrationLocation())   // or POSTGRESQL
        .table("credits_schema_history")
        .placeholders(Map.of("credits_schema", "public", "credits_prefix", "credits_"))
        .baselineOnMigrate(true).baselineVersion("4")   // SELECT MAX(version) FROM credits_schema_version
        .load().migrate();
    // end::flyway-baseline[]
    Flyway flyway = Flyway.configure().dataSource(dataSource)
        .locations("classpath:" + JdbcStoreConfig.Dialect.H2.migrationLocation()).table("credits_schema_history")
        .placeholders(Map.of("credits_schema", "public", "credits_prefix", "credits_")).load();
    assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("4");
    assertThat(flyway.info().pending()).as("nothing left for Flyway to apply").isEmpty();
    assertThat(credits.balance(MAYA).available()).as("the data is untouched").isEqualTo(300);
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(1), null, IdempotencyKey.of("pack-2"));
    assertThat(credits.balance(MAYA).available()).isEqualTo(301);
  }

  @Test
  @DisplayName("inside the host's transaction: a commit keeps the order and the settle and then tells the listener,"
      + " a rollback drops both and tells nobody")
  void hostTransaction_bothOrNeither() throws SQLException {
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    JdbcCreditStore.install(dataSource, config);
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY, account VARCHAR(128) NOT NULL)");
    }
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).clock(clock)
        .build();
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("pack"));
    Hold first = credits.hold(HoldRequest.of(MAYA, CreditAmount.of(30), IdempotencyKey.of("gen-1")));
    Hold second = credits.hold(HoldRequest.of(MAYA, CreditAmount.of(20), IdempotencyKey.of("gen-2")));

    List<CommittedChange> told = new ArrayList<>();
    JdbcSetup.settleWithOrder(dataSource, config, clock, told::add, MAYA, first.id(), IdempotencyKey.of("gen-1-done"),
        "o-1", true);
    assertThat(told).singleElement().satisfies(change -> {
      assertThat(change.entries()).extracting(LedgerEntry::type).contains(EntryType.SETTLE);
      assertThat(change.balance().available()).isEqualTo(50);
    });
    JdbcSetup.settleWithOrder(dataSource, config, clock, told::add, MAYA, second.id(), IdempotencyKey.of("gen-2-done"),
        "o-2", false);
    assertThat(told).as("a rolled-back settle is told to nobody").hasSize(1);

    assertThat(orders()).isEqualTo(1);
    assertThat(credits.findHold(MAYA, first.id())).map(Hold::state).contains(HoldState.SETTLED);
    assertThat(credits.findHold(MAYA, second.id())).map(Hold::state).contains(HoldState.ACTIVE);
    assertThat(credits.balance(MAYA).available()).isEqualTo(50);
    assertThat(credits.balance(MAYA).held()).isEqualTo(20);
  }

  private long orders() throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @DisplayName("the group commit settings turn it off, or let four batches be written at once")
  void groupCommitSettings() {
    List<JdbcStoreConfig> settings = JdbcSetup.groupCommitSettings();
    assertThat(settings.get(0).groupCommit()).isFalse();
    assertThat(settings.get(1).groupCommit()).isTrue();
    assertThat(settings.get(1).groupCommitWriters()).isEqualTo(4);
  }
}
