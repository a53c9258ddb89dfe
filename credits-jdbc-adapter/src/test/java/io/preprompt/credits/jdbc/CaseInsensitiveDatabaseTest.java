package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A database whose id columns fold case would make {@code alice} read and spend {@code Alice}'s
 * credits. The store refuses such a database at its first commit (a probe), and refuses any read
 * whose row holds another id than the one asked for (tables altered after the probe ran). Tested on
 * H2 with {@code IGNORECASE=TRUE} in the URL (or {@code VARCHAR_IGNORECASE} columns) and on
 * PostgreSQL with a nondeterministic ICU collation on the id columns.
 */
@DisplayName("JdbcCreditStore refuses a database whose id columns compare case-insensitively")
class CaseInsensitiveDatabaseTest {
  private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  private static final AccountId LOWER = AccountId.of("alice");
  private static final AccountId UPPER = AccountId.of("Alice");
  private static final AtomicInteger COUNTER = new AtomicInteger();
  /** Every column the store looks rows up by, with its declared length. */
  private static final List<String[]> ID_COLUMNS = List.of(new String[] {"accounts", "id", "128"},
      new String[] {"lots", "account", "128"}, new String[] {"holds", "account", "128"},
      new String[] {"holds", "hold_id", "66"}, new String[] {"ledger", "account", "128"},
      new String[] {"idempotency", "account", "128"}, new String[] {"idempotency", "idem_key", "200"});

  /** The two ways a database ends up folding case. */
  enum Folding {
    /** H2: {@code IGNORECASE=TRUE} in the URL makes the installed tables' text columns ignore case. */
    H2_IGNORECASE {
      @Override
      Databases.Target caseInsensitive() {
        DataSource ds = TestDataSource.pooled("jdbc:h2:mem:credits_ci_" + COUNTER.incrementAndGet()
            + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000;IGNORECASE=TRUE");
        JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
        JdbcCreditStore.install(ds, config);
        return new Databases.Target(ds, config);
      }

      @Override
      Databases.Target caseSensitive() {
        return Databases.H2.fresh();
      }

      @Override
      void fold(Databases.Target target) throws SQLException {
        for (String[] column : ID_COLUMNS) {
          execute(target, "ALTER TABLE " + target.config().table(column[0]) + " ALTER COLUMN " + column[1]
              + " SET DATA TYPE VARCHAR_IGNORECASE(" + column[2] + ")");
        }
      }
    },
    /** PostgreSQL: the id columns altered to an ICU collation that ignores case (level 2 strength). */
    POSTGRESQL_NONDETERMINISTIC_COLLATION {
      @Override
      Databases.Target caseInsensitive() throws SQLException {
        Databases.Target target = Databases.POSTGRESQL.fresh();
        fold(target);
        return target;
      }

      @Override
      Databases.Target caseSensitive() {
        return Databases.POSTGRESQL.fresh();
      }

      @Override
      void fold(Databases.Target target) throws SQLException {
        String collation = target.config().schema().orElseThrow() + ".credits_ci";
        execute(target, "CREATE COLLATION IF NOT EXISTS " + collation
            + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
        for (String[] column : ID_COLUMNS) {
          execute(target, "ALTER TABLE " + target.config().table(column[0]) + " ALTER COLUMN " + column[1]
              + " TYPE VARCHAR(" + column[2] + ") COLLATE " + collation);
        }
      }
    };

    /** Fresh, installed, empty tables whose id columns ignore case. */
    abstract Databases.Target caseInsensitive() throws SQLException;

    /** Fresh, installed, empty tables of the same database kind, comparing exactly. */
    abstract Databases.Target caseSensitive();

    /** Makes the id columns of existing tables ignore case, rows kept. */
    abstract void fold(Databases.Target target) throws SQLException;
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Folding.class)
  @DisplayName("the tables ignore case as the finding says: a lookup of 'alice' finds the row of 'Alice'")
  void folding_setUp_foldsCase(Folding folding) throws SQLException {
    Databases.Target target = folding.caseInsensitive();
    String accounts = target.config().table("accounts");
    execute(target, "INSERT INTO " + accounts + " (id, version, last_sequence, granted, settled, expired, debited,"
        + " active_holds, created_at) VALUES ('Alice', 1, 0, 0, 0, 0, 0, 0, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00')");

    assertThat(count(target, "SELECT COUNT(*) FROM " + accounts + " WHERE id = 'alice'")).isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Folding.class)
  @DisplayName("the first commit is refused with INVALID_CONFIGURATION saying how to fix it, and writes nothing")
  void commit_caseInsensitiveIds_refused(Folding folding) throws SQLException {
    Databases.Target target = folding.caseInsensitive();
    CreditService credits = service(target.store());

    refused(() -> credits.openAccount(UPPER, IdempotencyKey.of("open")));
    refused(() -> credits.openAccount(LOWER, IdempotencyKey.of("open")));

    for (String table : List.of("accounts", "lots", "holds", "ledger", "idempotency")) {
      assertThat(count(target, "SELECT COUNT(*) FROM " + target.config().table(table))).as(table).isZero();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Folding.class)
  @DisplayName("inside the host's transaction the first commit is refused too, and the host's transaction goes on")
  void commitInHostTransaction_caseInsensitiveIds_refused(Folding folding) throws SQLException {
    Databases.Target target = folding.caseInsensitive();
    try (Connection c = target.dataSource().getConnection()) {
      c.setAutoCommit(false);
      CreditService credits = service(JdbcCreditStore.withConnection(c, target.config()));

      refused(() -> credits.openAccount(LOWER, IdempotencyKey.of("open")));

      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + target.config().table("accounts"))) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isZero();
      }
      c.rollback();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Folding.class)
  @DisplayName("tables folded after the store checked them: every read of 'alice' that gets 'Alice''s row is refused")
  void reads_rowOfAnotherCase_refused(Folding folding) throws SQLException {
    Databases.Target target = folding.caseSensitive();
    JdbcCreditStore probed = target.store();
    CreditService before = service(probed);
    IdempotencyKey key = IdempotencyKey.of("Grant-1");
    before.openAccount(UPPER, IdempotencyKey.of("open"));
    before.grant(UPPER, LotSource.PACK, CreditAmount.of(100), null, key);
    Hold active = before.hold(HoldRequest.of(UPPER, CreditAmount.of(10), IdempotencyKey.of("h1")));
    Hold ended = before.hold(HoldRequest.of(UPPER, CreditAmount.of(5), IdempotencyKey.of("h2")));
    before.release(UPPER, ended.id(), "failed", IdempotencyKey.of("r2"));
    long version = probed.load(UPPER, HoldSelection.allActive()).orElseThrow().account().version();
    folding.fold(target);
    JdbcCreditStore fresh = target.store();

    for (JdbcCreditStore store : List.of(probed, fresh)) {
      refused(() -> store.load(LOWER, HoldSelection.allActive()));
      refused(() -> store.readForCall(LOWER, IdempotencyKey.of("other"), HoldSelection.allActive()));
      refused(() -> store.readForCall(LOWER, key, HoldSelection.allActive()));
      refused(() -> store.readForCall(UPPER, IdempotencyKey.of("grant-1"), HoldSelection.allActive()));
      refused(() -> store.findIdempotencyRecord(LOWER, key));
      refused(() -> store.findIdempotencyRecord(UPPER, IdempotencyKey.of("GRANT-1")));
      refused(() -> store.findHold(LOWER, active.id()));
      refused(() -> store.findHold(LOWER, ended.id()));
      refused(() -> store.readLedger(LOWER, LedgerQuery.firstPage(10)));
      CreditService credits = service(store);
      refused(() -> credits.balance(LOWER));
      refused(() -> credits.openAccount(LOWER, IdempotencyKey.of("open")));
      refused(() -> credits.grant(LOWER, LotSource.PACK, CreditAmount.of(1), null, IdempotencyKey.of("g2")));
      // Exact ids still read their own rows.
      assertThat(store.load(UPPER, HoldSelection.allActive())).get()
          .returns(version, s -> s.account().version());
      assertThat(store.findHold(UPPER, active.id())).contains(active);
    }
    assertThat(probed.load(UPPER, HoldSelection.allActive()).orElseThrow().account().version())
        .isEqualTo(version);
  }

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Databases.class)
  @DisplayName("on a database that compares ids exactly, the probe leaves no row behind and 'alice' is not 'Alice'")
  void commit_caseSensitiveIds_probeLeavesNothing(Databases database) throws SQLException {
    Databases.Target target = database.fresh();
    CreditService credits = service(target.store());

    credits.openAccount(UPPER, IdempotencyKey.of("open"));
    credits.openAccount(LOWER, IdempotencyKey.of("open"));
    credits.grant(UPPER, LotSource.PACK, CreditAmount.of(7), null, IdempotencyKey.of("g"));

    assertThat(count(target, "SELECT COUNT(*) FROM " + target.config().table("accounts"))).isEqualTo(2);
    for (String table : List.of("lots", "holds", "ledger", "idempotency")) {
      assertThat(count(target, "SELECT COUNT(*) FROM " + target.config().table(table)
          + " WHERE account NOT IN ('alice', 'Alice')")).as(table).isZero();
    }
    assertThat(credits.balance(UPPER).available()).isEqualTo(7);
    assertThat(credits.balance(LOWER).available()).isZero();
  }

  private static CreditService service(CreditStore store) {
    return CreditService.builder().store(store).clock(new MutableClock(T0)).build();
  }

  private static void refused(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(e.getMessage()).contains("do not compare ids exactly", "'alice' and 'Alice'", "IGNORECASE",
          "nondeterministic");
    });
  }

  private static void execute(Databases.Target target, String sql) throws SQLException {
    try (Connection c = target.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(Databases.Target target, String sql) throws SQLException {
    try (Connection c = target.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }
}
