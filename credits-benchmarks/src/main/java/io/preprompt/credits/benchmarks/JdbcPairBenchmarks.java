package io.preprompt.credits.benchmarks;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.BenchmarkDatabases;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Hold+settle pairs through {@link JdbcCreditStore} (default configuration) and through the
 * competent hand-written SQL ({@link CompetentSql}: one statement per call), taking turns inside
 * one JMH run on one PostgreSQL server: every thread runs library pairs or baseline pairs
 * according to a phase that flips every {@code blockMillis}, computed from {@link System#nanoTime()}
 * so that all threads switch together. The machine's drift hits both sides alike, and each
 * measured iteration yields both sides' pair counts ({@code @AuxCounters} {@code libraryPairs} and
 * {@code baselinePairs}) and so one ratio; the suite reports the median ratio over the iterations
 * with its spread. An iteration lasts a whole number of phase periods, so each side runs half of it.
 *
 * <p>Each thread has its own account on both sides; both sides borrow from one {@link FixedPool}.
 * The server is the suite's durable one ({@code fsync}, {@code synchronous_commit},
 * {@code full_page_writes} on) or its no-durability one, each started here when the suite did not
 * pass it ({@link BenchmarkDatabases}).
 *
 * <p>Each hold's latency (the call alone, not the settle) goes into a per-thread
 * {@link LatencyHistogram} per side during measured iterations; at the trial's end the merged
 * p50 and p99 per side are printed and, when the system property {@value #LATENCY_FILE} names a
 * file, written to it as {@code side.count}, {@code side.p50Micros}, {@code side.p99Micros} lines
 * ({@code side} being {@code library} or {@code baseline}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JdbcPairBenchmarks {
  /** The system property naming the file the trial's hold latencies are written to. */
  static final String LATENCY_FILE = "benchmarks.latencyFile";
  static final long HOLD = 5;
  private static final AtomicInteger TRIALS = new AtomicInteger();

  /** Which of the suite's servers. */
  public enum Server {
    /** Production durability: every commit flushed to disk before it returns. */
    DURABLE,
    /** {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off: the second, labelled row. */
    NO_DURABILITY
  }

  /** The database, the library's service and the baseline's tables, fresh for each trial. */
  @State(Scope.Benchmark)
  public static class Database {
    @Param({"DURABLE", "NO_DURABILITY"})
    public Server server;

    /** How long each side runs before the other takes its turn. */
    @Param({"250"})
    public long blockMillis;

    final InstantSource clock = InstantSource.system();
    final AtomicInteger threads = new AtomicInteger();
    final LatencyHistogram libraryLatency = new LatencyHistogram();
    final LatencyHistogram baselineLatency = new LatencyHistogram();
    String schema;
    FixedPool pool;
    CreditService credits;
    CompetentSql baseline;
    long origin;
    long blockNanos;

    @Setup(Level.Trial)
    public void start() throws SQLException {
      // Unique per fork as well: the suite's server outlives the forks.
      schema = "pairs_" + ProcessHandle.current().pid() + "_" + TRIALS.incrementAndGet();
      pool = new FixedPool(server == Server.DURABLE ? BenchmarkDatabases.durableUrl()
          : BenchmarkDatabases.postgresUrl(), 20);
      JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema(schema)
          .build();
      JdbcCreditStore.install(pool, config);
      credits = CreditService.builder().store(JdbcCreditStore.create(pool, config)).clock(clock).build();
      CompetentSql.createTables(pool, schema + ".");
      baseline = new CompetentSql(pool, schema + ".", clock);
      blockNanos = TimeUnit.MILLISECONDS.toNanos(blockMillis);
      origin = System.nanoTime();
    }

    /** Whether the library's side runs at {@code now} (else the baseline's). */
    boolean libraryTurn(long now) {
      return ((now - origin) / blockNanos & 1) == 0;
    }

    /**
     * Refreshes the planner's statistics of this trial's tables before each iteration, as
     * autovacuum does in production: the tables start empty, and plans made for empty tables
     * would otherwise stay in use while the run grows them. Both sides' tables, not measured.
     */
    @Setup(Level.Iteration)
    public void analyze() throws SQLException {
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("ANALYZE " + schema + ".credits_accounts, " + schema + ".credits_lots, " + schema
            + ".credits_holds, " + schema + ".credits_ledger, " + schema + ".credits_idempotency, " + schema
            + ".base_accounts, " + schema + ".base_holds, " + schema + ".base_ledger, " + schema + ".base_idempotency");
      }
    }

    synchronized void merge(LatencyHistogram library, LatencyHistogram base) {
      libraryLatency.add(library);
      baselineLatency.add(base);
    }

    @TearDown(Level.Trial)
    public void stop() throws SQLException {
      String text;
      synchronized (this) {
        text = side("library", libraryLatency) + side("baseline", baselineLatency);
      }
      System.out.print("hold latency, " + server + ", " + threads.get() + " threads:\n" + text);
      String file = System.getProperty(LATENCY_FILE);
      if (file != null && !file.isBlank()) {
        try {
          Files.writeString(Path.of(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
      pool.close();
    }

    private static String side(String name, LatencyHistogram h) {
      return String.format(Locale.ROOT, "%s.count=%d%n%s.p50Micros=%.1f%n%s.p99Micros=%.1f%n", name, h.count(),
          name, h.percentile(0.50) / 1_000, name, h.percentile(0.99) / 1_000);
    }
  }

  /** A thread's own account on both sides, and its hold latencies. */
  @State(Scope.Thread)
  public static class User {
    final LatencyHistogram libraryLatency = new LatencyHistogram();
    final LatencyHistogram baselineLatency = new LatencyHistogram();
    Database database;
    AccountId account;
    String name;
    long n;
    boolean measuring;

    @Setup(Level.Trial)
    public void open(Database db) throws SQLException {
      database = db;
      name = "user-" + db.threads.incrementAndGet();
      account = AccountId.of(name);
      db.credits.openAccount(account, IdempotencyKey.of("open"));
      db.credits.grant(account, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
      db.baseline.open(name, Long.MAX_VALUE / 4);
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams iteration) {
      measuring = iteration.getType() == IterationType.MEASUREMENT;
      libraryLatency.clear();
      baselineLatency.clear();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
      if (measuring) {
        database.merge(libraryLatency, baselineLatency);
      }
    }
  }

  /** Each side's pairs in the iteration, summed over the threads by JMH. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Pairs {
    public long libraryPairs;
    public long baselinePairs;

    @Setup(Level.Iteration)
    public void reset() {
      libraryPairs = 0;
      baselinePairs = 0;
    }
  }

  /**
   * One hold of 5 credits and its settle in full, by the side whose turn it is. The keys are built
   * alike on both sides (one concatenation each).
   */
  @Benchmark
  public long alternatingPair(Database database, User user, Pairs pairs) throws SQLException {
    user.n++;
    long start = System.nanoTime();
    if (database.libraryTurn(start)) {
      Hold hold = database.credits.hold(HoldRequest.of(user.account, CreditAmount.of(HOLD),
          IdempotencyKey.of("h" + user.n)));
      user.libraryLatency.record(System.nanoTime() - start);
      database.credits.settle(user.account, hold.id(), IdempotencyKey.of("s" + user.n));
      return ++pairs.libraryPairs;
    }
    String hold = database.baseline.hold(user.name, HOLD, "h" + user.n);
    user.baselineLatency.record(System.nanoTime() - start);
    database.baseline.settle(user.name, hold, "s" + user.n);
    return ++pairs.baselinePairs;
  }
}
