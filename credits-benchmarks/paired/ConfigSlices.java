package io.preprompt.credits.benchmarks;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Group commit off against on, in one JVM and one build: two stores (each its own pool and schema)
 * on one running PostgreSQL, every thread with an account in each, and all threads switching between
 * them in 500 ms blocks. Prints each side's pairs/s, the median and quartiles of on/off block pair by
 * block pair, and each side's PostgreSQL backend CPU per pair (read from {@code /proc}, the backends
 * told apart by their {@code ApplicationName}). Arguments: JDBC URL (with {@code ?user=...}),
 * threads, measured seconds. Compiled against {@code benchmarks.jar}; see the README.
 */
public final class ConfigSlices {
  private static final long BLOCK_NANOS = 500_000_000L;
  private static final int WARM_BLOCKS = 12;

  private ConfigSlices() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int threads = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    String run = "cs" + System.nanoTime() % 100_000;
    String[] names = {"off", "on"};
    CreditService[] side = new CreditService[2];
    for (int k = 0; k < 2; k++) {
      JdbcStoreConfig config = JdbcStoreConfig.builder().schema(run + names[k]).groupCommit(k == 1).build();
      FixedPool pool = new FixedPool(url + "&ApplicationName=" + run + names[k], threads + 4);
      JdbcCreditStore.install(pool, config);
      side[k] = CreditService.builder().store(JdbcCreditStore.create(pool, config)).clock(InstantSource.system())
          .build();
    }
    int blocks = WARM_BLOCKS + 2 * seconds;
    AtomicLongArray pairs = new AtomicLongArray(blocks);
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      AccountId[] account = new AccountId[2];
      for (int k = 0; k < 2; k++) {
        account[k] = AccountId.of("u" + i);
        side[k].openAccount(account[k], IdempotencyKey.of("open"));
        side[k].grant(account[k], LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
      }
      workers.add(new Thread(() -> {
        for (long n = 1; ; n++) {
          int block = (int) ((System.nanoTime() - start) / BLOCK_NANOS);
          if (block >= blocks) {
            return;
          }
          int k = block % 2;
          Hold h = side[k].hold(HoldRequest.of(account[k], CreditAmount.of(5), IdempotencyKey.of("h" + n)));
          side[k].settle(account[k], h.id(), IdempotencyKey.of("s" + n));
          pairs.incrementAndGet(block);
        }
      }));
    }
    workers.forEach(Thread::start);
    // Fresh statistics once the tables have rows, as autovacuum would give them.
    Thread.sleep(WARM_BLOCKS * BLOCK_NANOS / 2_000_000);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String name : names) {
        for (String table : new String[] {"accounts", "lots", "holds", "ledger", "idempotency"}) {
          st.execute("ANALYZE " + run + name + ".credits_" + table);
        }
      }
    }
    Thread.sleep(Math.max(0, WARM_BLOCKS * BLOCK_NANOS / 1_000_000 - (System.nanoTime() - start) / 1_000_000));
    long[] cpu0 = {backendTicks(url, run + names[0]), backendTicks(url, run + names[1])};
    for (Thread t : workers) {
      t.join();
    }
    long[] cpu1 = {backendTicks(url, run + names[0]), backendTicks(url, run + names[1])};
    long[] total = new long[2];
    List<Double> ratios = new ArrayList<>();
    for (int b = WARM_BLOCKS; b + 1 < blocks; b += 2) {
      total[0] += pairs.get(b);
      total[1] += pairs.get(b + 1);
      ratios.add((double) pairs.get(b + 1) / pairs.get(b));
    }
    Collections.sort(ratios);
    int n = ratios.size();
    double tickMicros = 1e6 / 100;   // CLK_TCK
    System.out.printf("threads=%d blocks=%d: off %.0f pairs/s, on %.0f pairs/s; on/off median %.2f (quartiles %.2f-%.2f);"
        + " backend CPU us/pair off %.0f, on %.0f%n", threads, n, total[0] * 2.0 / n, total[1] * 2.0 / n,
        ratios.get(n / 2), ratios.get(n / 4), ratios.get(3 * n / 4), (cpu1[0] - cpu0[0]) * tickMicros / total[0],
        (cpu1[1] - cpu0[1]) * tickMicros / total[1]);
    System.exit(0);
  }

  /** CPU ticks (user + system) of the backends of one application name. */
  private static long backendTicks(String url, String application) throws Exception {
    long ticks = 0;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = '" + application
            + "'")) {
      while (rs.next()) {

        String stat = Files.readString(Path.of("/proc/" + rs.getInt(1) + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);

      }
    }
    return ticks;
  }
}
