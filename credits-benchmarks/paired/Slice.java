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
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One build's hold+settle loop for {@code PairedSlices}: compiled against that build's benchmark
 * jar and loaded in a class loader of its own, so several builds run in one JVM. Each thread owns
 * an account; the loop runs only between {@link #resume} and {@link #pause}.
 *
 * <p>For a build older than the {@code core} package (before issue 16), take the value types from
 * {@code io.preprompt.credits} instead.
 */
public final class Slice {
  private static final AtomicLong PAIRS = new AtomicLong();
  private static final AtomicInteger PARKED = new AtomicInteger();
  private static final Object LOCK = new Object();
  private static volatile boolean paused = true;
  private static int threads;

  private Slice() {}

  /** Installs the schema in the database at {@code url}, opens one account per thread, starts paused. */
  public static void setup(String url, int threadCount) throws Exception {
    threads = threadCount;
    // DriverManager hands a connection only to callers whose class loader sees the driver.
    Class.forName("org.postgresql.Driver", true, Slice.class.getClassLoader());
    FixedPool pool = new FixedPool(url, Math.max(2, threadCount + 1));
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("b").build();
    JdbcCreditStore.install(pool, config);
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(pool, config))
        .clock(InstantSource.system()).build();
    AccountId[] accounts = new AccountId[threadCount];
    for (int i = 0; i < threadCount; i++) {
      accounts[i] = AccountId.of("u" + i);
      credits.openAccount(accounts[i], IdempotencyKey.of("open"));
      credits.grant(accounts[i], LotSource.PACK, CreditAmount.of(Long.MAX_VALUE / 4), null, IdempotencyKey.of("pack"));
    }
    for (int i = 0; i < threadCount; i++) {
      AccountId mine = accounts[i];
      Thread t = new Thread(() -> {
        long n = 0;
        while (waitWhilePaused()) {
          n++;
          Hold h = credits.hold(HoldRequest.of(mine, CreditAmount.of(5), IdempotencyKey.of("h" + n)));
          credits.settle(mine, h.id(), IdempotencyKey.of("s" + n));
          PAIRS.incrementAndGet();
        }
      });
      t.setDaemon(true);
      t.start();
    }
    pause();
  }

  private static boolean waitWhilePaused() {
    if (!paused) {
      return true;
    }
    synchronized (LOCK) {
      PARKED.incrementAndGet();
      LOCK.notifyAll();
      try {
        while (paused) {
          LOCK.wait();
        }
      } catch (InterruptedException e) {
        return false;
      } finally {
        PARKED.decrementAndGet();
      }
    }
    return true;
  }

  /** Lets the threads run. */
  public static void resume() {
    synchronized (LOCK) {
      paused = false;
      LOCK.notifyAll();
    }
  }

  /** Stops the threads after their current pair and waits until all of them have stopped. */
  public static void pause() throws InterruptedException {
    synchronized (LOCK) {
      paused = true;
      while (PARKED.get() < threads) {
        LOCK.wait();
      }
    }
  }

  /** Pairs completed so far. */
  public static long pairs() {
    return PAIRS.get();
  }
}
