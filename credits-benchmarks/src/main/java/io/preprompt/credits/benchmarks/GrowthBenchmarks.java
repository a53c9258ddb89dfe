package io.preprompt.credits.benchmarks;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.BenchmarkDatabases;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost growth: the same hold+settle pair on an account that already has a short history (about 10
 * ledger entries, the baseline of this run), 10^4 or 10^6 entries, or 1,000 active holds; and on
 * one account among 10^3 (the baseline of the next) or 10^6 accounts in one database. The long
 * histories are real: settled holds with their HOLD and SETTLE entries and idempotency records, as
 * core writes them (on PostgreSQL seeded with set-based SQL, in memory through the engine); the
 * many accounts are copies of one the engine opened and granted, with all its rows
 * ({@link BenchmarkDatabases#copyAccount}; on PostgreSQL only, in memory the store is one map). A
 * flat cost means no operation reads the whole history, or the whole table. PostgreSQL is the
 * suite's durable server.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Threads(1)
public class GrowthBenchmarks {
  private static final AtomicInteger TRIALS = new AtomicInteger();
  private static final long HOLD = 5;

  /** Where the account lives. */
  public enum Store {
    MEMORY, POSTGRESQL
  }

  /** The account and its history, built once per trial. */
  @State(Scope.Thread)
  public static class Account {
    @Param({"MEMORY", "POSTGRESQL"})
    public Store store;

    /**
     * The account's shape before the run: ledger entries already there, active holds, or how many
     * accounts share its database (PostgreSQL only).
     */
    @Param({"10-entries", "10k-entries", "1M-entries", "1k-active-holds", "1k-accounts", "1M-accounts"})
    public String history;

    final InstantSource clock = InstantSource.system();
    AccountId account = AccountId.of("grown");
    CreditService credits;
    String schema;
    FixedPool pool;
    long n;
    long entriesBefore;

    @Setup(Level.Trial)
    public void build() throws SQLException {
      long entries = switch (history) {
        case "10-entries", "1k-active-holds" -> 10;
        case "1k-accounts", "1M-accounts" -> 1;
        case "10k-entries" -> 10_000;
        case "1M-entries" -> 1_000_000;
        default -> throw new IllegalArgumentException("unknown history " + history);
      };
      JdbcStoreConfig config = null;
      if (store == Store.MEMORY) {
        credits = CreditService.builder().store(new InMemoryCreditStore()).clock(clock).build();
      } else {
        pool = new FixedPool(BenchmarkDatabases.durableUrl(), 2);
        // Unique per fork as well: the suite's server outlives the forks.
        schema = "growth_" + ProcessHandle.current().pid() + "_" + TRIALS.incrementAndGet();
        config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema(schema).build();
        JdbcCreditStore.install(pool, config);
        credits = CreditService.builder().store(JdbcCreditStore.create(pool, config)).clock(clock).build();
      }
      if (history.endsWith("-accounts")) {
        if (config == null) {
          throw new IllegalArgumentException(history + " is measured on PostgreSQL only");
        }
        long count = history.equals("1M-accounts") ? 1_000_000 : 1_000;
        AccountId template = AccountId.of("seed-template-account");
        credits.openAccount(template, IdempotencyKey.of("open"));
        credits.grant(template, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
        try (Connection c = pool.getConnection()) {
          BenchmarkDatabases.copyAccount(c, config, template.value(), "acct-", count);
        }
        // One in the middle of the key range, so neither end of the index favours it.
        account = AccountId.of("acct-" + count / 2);
        Reconciliation check = credits.reconcile(account);
        if (!check.consistent()) {
          throw new IllegalStateException("the copied account does not reconcile: " + check);
        }
        entriesBefore = check.entriesReplayed();
        return;
      }
      credits.openAccount(account, IdempotencyKey.of("open"));
      credits.grant(account, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
      long pairs = (entries - 1) / 2;
      if (config != null) {
        try (Connection c = pool.getConnection()) {
          BenchmarkDatabases.seedPostgresHistory(c, config, account.value(), 1, pairs, HOLD, clock.instant());
        }
      } else {
        for (long i = 0; i < pairs; i++) {
          Hold h = credits.hold(HoldRequest.of(account, CreditAmount.of(HOLD), IdempotencyKey.of("seed-h" + i)));
          credits.settle(account, h.id(), IdempotencyKey.of("seed-s" + i));
        }
      }
      if (history.equals("1k-active-holds")) {
        for (int i = 0; i < 1_000; i++) {
          credits.hold(HoldRequest.of(account, CreditAmount.of(HOLD), IdempotencyKey.of("open-hold" + i))
              .withTtl(Duration.ofDays(6)));
        }
      }
      // The seeded history must be one core could have written: replay it and compare.
      Reconciliation check = credits.reconcile(account);
      if (!check.consistent()) {
        throw new IllegalStateException("the seeded history does not reconcile: " + check);
      }
      entriesBefore = check.entriesReplayed();
    }

    /**
     * Refreshes the planner's statistics before each iteration, as autovacuum does in production,
     * so the short history's plans are not those made for nearly empty tables. Not measured.
     */
    @Setup(Level.Iteration)
    public void analyze() throws SQLException {
      if (pool != null) {
        try (Connection c = pool.getConnection(); java.sql.Statement st = c.createStatement()) {
          st.execute("ANALYZE");
        }
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      System.out.println("growth " + store + " " + history + ": " + entriesBefore + " ledger entries before the run, "
          + n + " pairs added by it");
      if (pool != null) {
        try (Connection c = pool.getConnection(); java.sql.Statement st = c.createStatement()) {
          st.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
          throw new IllegalStateException("cannot drop " + schema + ": " + e, e);
        }
        pool.close();
      }
    }
  }

  /** The adapter's hold+settle pair on the grown account. */
  @Benchmark
  public Settlement pair(Account a) {
    a.n++;
    Hold hold = a.credits.hold(HoldRequest.of(a.account, CreditAmount.of(HOLD), IdempotencyKey.of("h" + a.n)));
    return a.credits.settle(a.account, hold.id(), IdempotencyKey.of("s" + a.n));
  }
}
