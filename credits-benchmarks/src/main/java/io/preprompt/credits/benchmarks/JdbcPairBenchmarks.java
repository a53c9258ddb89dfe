package io.preprompt.credits.benchmarks;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hold+settle pairs through {@link JdbcCreditStore} against the minimal hand-written SQL for the
 * same work, on the same database in the same run: PostgreSQL (the adapter tests' throw-away server)
 * or embedded H2. Each thread works on its own account; the thread count is set by the run
 * ({@code -t}). Both sides borrow connections from one {@link FixedPool} and use prepared
 * statements.
 *
 * <p>The baseline's hold is one transaction: a conditional {@code UPDATE} of the balance, an
 * {@code INSERT} of the hold and of a ledger row; its settle: {@code UPDATE} of the hold (only while
 * open), of the balance, and an {@code INSERT} of a ledger row.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JdbcPairBenchmarks {
  static final long HOLD = 5;
  private static final AtomicInteger TRIALS = new AtomicInteger();

  /** Which database. */
  public enum Db {
    POSTGRESQL, H2
  }

  /** The database, the adapter's service and the baseline's tables, fresh for each trial. */
  @State(Scope.Benchmark)
  public static class Database {
    @Param({"POSTGRESQL", "H2"})
    public Db db;

    final InstantSource clock = InstantSource.system();
    final AtomicInteger threads = new AtomicInteger();
    FixedPool pool;
    CreditService credits;
    HandWrittenSql baseline;

    @Setup(Level.Trial)
    public void start() throws SQLException {
      int trial = TRIALS.incrementAndGet();
      String url = db == Db.POSTGRESQL ? io.preprompt.credits.jdbc.BenchmarkDatabases.postgresUrl()
          : "jdbc:h2:mem:bench" + trial + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
      pool = new FixedPool(url, 20);
      JdbcStoreConfig config = db == Db.POSTGRESQL
          ? JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("pairs" + trial).build()
          : JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
      JdbcCreditStore.install(pool, config);
      credits = CreditService.builder().store(JdbcCreditStore.create(pool, config)).clock(clock).build();
      String prefix = config.schema().map(s -> s + ".").orElse("");
      HandWrittenSql.createTables(pool, prefix);
      baseline = new HandWrittenSql(pool, prefix, clock);
    }

    /**
     * Refreshes the planner's statistics before each iteration, as autovacuum does in production:
     * the tables start empty, and plans made for empty tables (sequential scans) would otherwise
     * stay in use while the run grows them. Both sides' tables, not measured.
     */
    @Setup(Level.Iteration)
    public void analyze() throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("ANALYZE");
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      pool.close();
    }
  }

  /** A thread's own account on both sides. */
  @State(Scope.Thread)
  public static class User {
    AccountId account;
    String name;
    long n;

    @Setup(Level.Trial)
    public void open(Database database) throws SQLException {
      name = "user-" + database.threads.incrementAndGet();
      account = AccountId.of(name);
      database.credits.openAccount(account, IdempotencyKey.of("open"));
      database.credits.grant(account, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null,
          IdempotencyKey.of("pack"));
      database.baseline.open(name, Long.MAX_VALUE / 4);
    }

    IdempotencyKey key(String kind) {
      // One concatenation, one String: what a caller building keys would write.
      return IdempotencyKey.of(kind + n);
    }
  }

  /** The adapter: hold 5 credits, settle the hold in full. */
  @Benchmark
  public Settlement adapterPair(Database database, User user) {
    user.n++;
    Hold hold = database.credits.hold(HoldRequest.of(user.account, CreditAmount.of(HOLD), user.key("h")));
    return database.credits.settle(user.account, hold.id(), user.key("s"));
  }

  /** The baseline: the same pair as two hand-written transactions. */
  @Benchmark
  public long sqlPair(Database database, User user) throws SQLException {
    String hold = database.baseline.hold(user.name, HOLD);
    return database.baseline.settle(user.name, hold, HOLD);
  }

  /** The minimal SQL a developer would write for holds, settles and a ledger. */
  static final class HandWrittenSql {
    private final FixedPool pool;
    private final InstantSource clock;
    private final String holdBalance;
    private final String insertHold;
    private final String insertLedger;
    private final String settleHold;
    private final String settleBalance;
    private final String openAccount;

    HandWrittenSql(FixedPool pool, String prefix, InstantSource clock) {
      this.pool = pool;
      this.clock = clock;
      openAccount = "INSERT INTO " + prefix + "base_balances (account, available, held) VALUES (?, ?, 0)";
      holdBalance = "UPDATE " + prefix + "base_balances SET available = available - ?, held = held + ?"
          + " WHERE account = ? AND available >= ?";
      insertHold = "INSERT INTO " + prefix + "base_holds (hold_id, account, amount, state, settled, created_at)"
          + " VALUES (?, ?, ?, 'ACTIVE', 0, ?)";
      insertLedger = "INSERT INTO " + prefix + "base_ledger (account, type, amount, hold_id, at) VALUES (?, ?, ?, ?, ?)";
      settleHold = "UPDATE " + prefix + "base_holds SET state = 'SETTLED', settled = amount"
          + " WHERE hold_id = ? AND account = ? AND state = 'ACTIVE'";
      settleBalance = "UPDATE " + prefix + "base_balances SET held = held - ? WHERE account = ?";
    }

    static void createTables(FixedPool pool, String prefix) throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE " + prefix + "base_balances (account VARCHAR(128) PRIMARY KEY,"
            + " available BIGINT NOT NULL CHECK (available >= 0), held BIGINT NOT NULL CHECK (held >= 0))");
        st.execute("CREATE TABLE " + prefix + "base_holds (hold_id VARCHAR(66) PRIMARY KEY,"
            + " account VARCHAR(128) NOT NULL REFERENCES " + prefix + "base_balances (account),"
            + " amount BIGINT NOT NULL, state VARCHAR(16) NOT NULL, settled BIGINT NOT NULL,"
            + " created_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        st.execute("CREATE TABLE " + prefix + "base_ledger (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " account VARCHAR(128) NOT NULL REFERENCES " + prefix + "base_balances (account),"
            + " type VARCHAR(16) NOT NULL, amount BIGINT NOT NULL, hold_id VARCHAR(66),"
            + " at TIMESTAMP WITH TIME ZONE NOT NULL)");
        st.execute("CREATE INDEX base_ledger_account ON " + prefix + "base_ledger (account)");
      }
    }

    void open(String account, long credits) throws SQLException {
      try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(openAccount)) {
        ps.setString(1, account);
        ps.setLong(2, credits);
        ps.executeUpdate();
      }
    }

    String hold(String account, long amount) throws SQLException {
      String id = UUID.randomUUID().toString();
      OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
      inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(holdBalance)) {
          ps.setLong(1, amount);
          ps.setLong(2, amount);
          ps.setString(3, account);
          ps.setLong(4, amount);
          if (ps.executeUpdate() != 1) {
            throw new IllegalStateException("insufficient credits on " + account);
          }
        }
        try (PreparedStatement ps = c.prepareStatement(insertHold)) {
          ps.setString(1, id);
          ps.setString(2, account);
          ps.setLong(3, amount);
          ps.setObject(4, now);
          ps.executeUpdate();
        }
        ledger(c, account, "HOLD", amount, id, now);
      });
      return id;
    }

    long settle(String account, String hold, long amount) throws SQLException {
      OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
      inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(settleHold)) {
          ps.setString(1, hold);
          ps.setString(2, account);
          if (ps.executeUpdate() != 1) {
            throw new IllegalStateException("hold " + hold + " is not open");
          }
        }
        try (PreparedStatement ps = c.prepareStatement(settleBalance)) {
          ps.setLong(1, amount);
          ps.setString(2, account);
          ps.executeUpdate();
        }
        ledger(c, account, "SETTLE", amount, hold, now);
      });
      return amount;
    }

    /** One transaction on a pooled connection: commit if the work returns, roll back if it throws. */
    private void inTransaction(SqlWork work) throws SQLException {
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        try {
          work.run(c);
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    }

    /** Statements of one transaction. */
    @FunctionalInterface
    interface SqlWork {
      void run(Connection c) throws SQLException;
    }

    private void ledger(Connection c, String account, String type, long amount, String hold, OffsetDateTime at)
        throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(insertLedger)) {
        ps.setString(1, account);
        ps.setString(2, type);
        ps.setLong(3, amount);
        ps.setString(4, hold);
        ps.setObject(5, at);
        ps.executeUpdate();
      }
    }
  }
}
