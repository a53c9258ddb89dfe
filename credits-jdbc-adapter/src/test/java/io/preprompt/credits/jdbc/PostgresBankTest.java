package io.preprompt.credits.jdbc;

import static io.preprompt.credits.jdbc.KeyedCall.REFUSED;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.jdbc.KeyedCall.Kind;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bank test: 16 writers move credits between grants, holds, settles and releases on a few shared
 * accounts of a dedicated PostgreSQL server for a bounded time while a chaos thread terminates a
 * random client backend every second, freezes the whole server once with {@code SIGSTOP} and later
 * kills it with {@code kill -9} and restarts it; and 1% of the answers to commits that did commit are
 * dropped on the way back. Some calls are resent with the same key (they must
 * return the first result) and a few with the same key and other parameters (they must be refused
 * with {@link ErrorCode#IDEMPOTENCY_CONFLICT}).
 *
 * <p>A call that fails with a store failure has an unknown outcome to the test: it may have committed
 * with its answer lost. Afterwards each one is resolved from the store: its idempotency record and
 * ledger entries say whether it took effect, and resending it with its key gives its result (a replay
 * when it did, a first execution when it did not). One the store reported
 * {@link StoreException.Outcome#NOT_APPLIED} must not have taken effect, and every dropped answer to
 * a commit must have been reported {@link StoreException.Outcome#UNKNOWN}. Then every acknowledged
 * call is checked to be durable (its ledger entries survived the {@code kill -9}), every key to have
 * taken effect once, and each account's balance, reconciliation and ledger to equal an independent
 * model built from the calls' results.
 */
@DisplayName("Bank test on PostgreSQL: 16 writers while backends are killed, the server frozen and kill -9'd")
class PostgresBankTest {
  private static final int WORKERS = 16;
  /** Instances of the host: each has its own pool and store, shared by its workers. */
  private static final int INSTANCES = 2;
  private static final int ACCOUNTS = 4;
  private static final long INITIAL = 300;
  /** How often a committed transaction's answer is dropped on the way back to the client. */
  private static final double LOST_ANSWER_RATE = 0.01;
  private static final long RUN_MILLIS = 24_000;
  private static final long PAUSE_AT_MILLIS = 6_000;
  private static final long PAUSE_FOR_MILLIS = 3_000;
  private static final long CRASH_AT_MILLIS = 14_000;
  private static final long BACKOFF_AFTER_FAILURE_MILLIS = 150;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  /** Timeouts keep a client from hanging on a dead server; they are longer than the freeze. */
  private static final String CLIENT_OPTIONS = "&connectTimeout=5&loginTimeout=15&socketTimeout=30";

  private @Nullable PostgresServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  /** Counters for the report. */
  static final class Counts {
    final AtomicLong attempted = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicLong reportedUnknown = new AtomicLong();
    final AtomicLong replays = new AtomicLong();
    final AtomicLong replaysFailed = new AtomicLong();
    final AtomicLong conflictsProbed = new AtomicLong();
    final AtomicLong conflictsRefused = new AtomicLong();
    final AtomicLong conflictsFailed = new AtomicLong();
    /** Answers dropped after a commit of one change: each hides a call that committed. */
    final AtomicLong answersDropped = new AtomicLong();
    /** Answers dropped after a group commit: each hides its batch, whose stale changes did not commit. */
    final AtomicLong groupAnswersDropped = new AtomicLong();
    final AtomicLong backendsKilled = new AtomicLong();
    final AtomicLong killAttemptsFailed = new AtomicLong();
    final AtomicLong pauses = new AtomicLong();
    final AtomicLong processesFrozen = new AtomicLong();
    final AtomicLong crashes = new AtomicLong();
    final AtomicLong processesKilled = new AtomicLong();
    volatile long restartMillis;
    volatile boolean crashed;
  }

  @Test
  @Timeout(240)
  @DisplayName("every acknowledged call is durable, every key takes effect once, credits are conserved")
  void bank() throws Exception {
    long started = System.nanoTime();
    PostgresServer pg = PostgresServer.dedicated();
    server = pg;
    String url = pg.url() + CLIENT_OPTIONS;
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL).schema("bank")
        .build();
    DataSource perCall = TestDataSource.unpooled(url);
    JdbcCreditStore.install(perCall, config);
    MutableClock clock = new MutableClock(T0);
    CreditsConfig settings = CreditsConfig.builder().maxCommitAttempts(1000).build();
    CreditService setup = CreditService.builder().store(JdbcCreditStore.create(perCall, config)).clock(clock)
        .config(settings).build();
    List<AccountId> accounts = KeyedCall.openAccounts(setup, "bank", ACCOUNTS, INITIAL);

    Counts counts = new Counts();
    List<KeyedCall> calls = Collections.synchronizedList(new ArrayList<>());
    List<KeyedCall> acknowledged = Collections.synchronizedList(new ArrayList<>());
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger numbers = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);

    // Two instances of the host, each with its own pool and store shared by half the workers, so
    // each store's group commit batches its workers' commits and the two stores' batches meet on
    // the same accounts. Each pool discards a connection once it reports a killed backend or a
    // lost server, so it survives the chaos the way a host's pool would. It also drops 1% of the
    // answers to a commit that did commit, as a network failure right after the commit would.
    List<JdbcCreditStore> stores = new ArrayList<>();
    List<CreditService> instances = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      DataSource lossy = new LostAnswers(TestDataSource.pooled(url), new Random(9_000 + i), counts);
      JdbcCreditStore store = JdbcCreditStore.create(lossy, config);
      // Eight workers are few enough to commit alone; here every commit goes through group commit.
      store.batchEveryCommit();
      stores.add(store);
      instances.add(CreditService.builder().store(store).clock(clock).config(settings).build());
    }
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      int worker = w;
      CreditService credits = instances.get(worker % INSTANCES);
      threads.add(new Thread(() -> {
        Random random = new Random(8_000 + worker);
        List<Hold> mine = new ArrayList<>();
        try {
          go.await();
          while (System.nanoTime() < end) {
            double r = random.nextDouble();
            KeyedCall done = acknowledged.isEmpty() ? null : acknowledged.get(random.nextInt(acknowledged.size()));
            if (r < 0.08 && done != null) {
              resend(credits, done, counts, failures);
              continue;
            }
            if (r < 0.10 && done != null && (done.kind == Kind.GRANT || done.kind == Kind.HOLD)) {
              probeConflict(credits, done, counts, failures);
              continue;
            }
            int n = numbers.incrementAndGet();
            IdempotencyKey key = IdempotencyKey.of("w" + worker + "-" + n);
            KeyedCall call;
            if (r < 0.25) {
              AccountId a = accounts.get(random.nextInt(ACCOUNTS));
              long amount = 1 + random.nextInt(50);
              call = new KeyedCall(n, Kind.GRANT, a, key, amount, null,
                  c -> c.grant(a, LotSource.PACK, CreditAmount.of(amount), null, key));
            } else if (r < 0.60 || mine.isEmpty()) {
              AccountId a = accounts.get(random.nextInt(ACCOUNTS));
              long amount = 1 + random.nextInt(60);
              HoldRequest request = HoldRequest.of(a, CreditAmount.of(amount), key)
                  .withMetadata("worker", Integer.toString(worker));
              call = new KeyedCall(n, Kind.HOLD, a, key, amount, null, c -> c.hold(request));
            } else {
              Hold hold = mine.remove(random.nextInt(mine.size()));
              if (random.nextBoolean()) {
                // Either the full hold or part of it (at least one credit: settling zero is a release).
                CreditAmount amount = random.nextInt(4) == 0 ? null
                    : CreditAmount.of(1 + random.nextInt((int) hold.amount()));
                call = new KeyedCall(n, Kind.SETTLE, hold.account(), key, hold.amount(), hold.id(),
                    c -> amount == null ? c.settle(hold.account(), hold.id(), key)
                        : c.settle(hold.account(), hold.id(), amount, key));
              } else {
                call = new KeyedCall(n, Kind.RELEASE, hold.account(), key, hold.amount(), hold.id(),
                    c -> c.release(hold.account(), hold.id(), "failed", key));
              }
            }
            calls.add(call);
            counts.attempted.incrementAndGet();
            try {
              Object result = call.send.apply(credits);
              call.result = result;
              call.acknowledged = !counts.crashed;
              counts.acknowledged.incrementAndGet();
              acknowledged.add(call);
              if (result instanceof Hold hold) {
                mine.add(hold);
              }
            } catch (InsufficientCreditsException e) {
              call.result = REFUSED;
              counts.refused.incrementAndGet();
            } catch (CreditsException e) {
              if (e.code() != ErrorCode.STORE_FAILURE && e.code() != ErrorCode.CONCURRENT_UPDATE) {
                failures.add(call.kind + " " + call.key + " failed unexpectedly: " + e);
              }
              // Committed with its answer lost, or not committed: found out afterwards.
              call.unknown = true;
              if (e instanceof StoreException failure) {
                call.notApplied = failure.outcome() == StoreException.Outcome.NOT_APPLIED;
                if (!call.notApplied) {
                  counts.reportedUnknown.incrementAndGet();
                }
              }
              counts.unknown.incrementAndGet();
              Thread.sleep(BACKOFF_AFTER_FAILURE_MILLIS);
            }
          }
        } catch (Throwable e) {
          failures.add("worker " + worker + " died: " + e);
        }
      }, "bank-worker-" + w));
    }

    Thread chaos = new Thread(() -> {
      Random random = new Random(42);
      long chaosStart = System.nanoTime();
      boolean paused = false;
      try {
        go.await();
        while (System.nanoTime() < end) {
          Thread.sleep(1_000);
          long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - chaosStart);
          if (!paused && elapsed >= PAUSE_AT_MILLIS) {
            paused = true;
            counts.processesFrozen.addAndGet(pg.pause());
            counts.pauses.incrementAndGet();
            Thread.sleep(PAUSE_FOR_MILLIS);
            pg.resume();
          } else if (!counts.crashed && elapsed >= CRASH_AT_MILLIS) {
            counts.crashed = true;
            counts.processesKilled.addAndGet(pg.crash());
            counts.crashes.incrementAndGet();
            long before = System.nanoTime();
            pg.restart();
            counts.restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
          } else if (terminateRandomBackend(url, random)) {
            counts.backendsKilled.incrementAndGet();
          } else {
            counts.killAttemptsFailed.incrementAndGet();
          }
        }
      } catch (Throwable e) {
        failures.add("chaos thread died: " + e);
      }
    }, "bank-chaos");

    threads.forEach(Thread::start);
    chaos.start();
    long runStart = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    chaos.join();
    long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runStart);
    assertThat(failures).as("unexpected failures during the run").isEmpty();
    assertThat(counts.pauses.get()).as("the server was frozen once").isEqualTo(1);
    assertThat(counts.crashes.get()).as("the server was kill -9'd once").isEqualTo(1);
    assertThat(counts.backendsKilled.get()).as("backends terminated").isGreaterThanOrEqualTo(5);
    assertThat(acknowledged).filteredOn(c -> c.acknowledged).as("calls acknowledged before kill -9")
        .isNotEmpty();
    assertThat(acknowledged).filteredOn(c -> !c.acknowledged).as("calls acknowledged after restart")
        .isNotEmpty();

    // No transaction of the run may still be in flight while the unknowns are resolved.
    terminateAllClientBackends(url);

    // From here on the server is left alone: a pool makes the checks fast.
    DataSource pool = TestDataSource.pooled(url);
    JdbcCreditStore store = JdbcCreditStore.create(pool, config);
    CreditService check = CreditService.builder().store(store).clock(clock).config(settings).build();

    // Resolve every unknown outcome from the store, oldest first.
    long unknownCommitted = 0;
    long unknownNotCommitted = 0;
    List<KeyedCall> unknowns = new ArrayList<>();
    synchronized (calls) {
      calls.stream().filter(c -> c.unknown).forEach(unknowns::add);
    }
    unknowns.sort((x, y) -> Integer.compare(x.number, y.number));
    for (KeyedCall call : unknowns) {
      boolean recorded = store.findIdempotencyRecord(call.account, call.key).isPresent();
      List<LedgerEntry> before = ledger(check, call.account);
      boolean inLedger = before.stream().anyMatch(e -> call.key.equals(e.key()));
      assertThat(inLedger).as("ledger and idempotency record agree on %s", call.key).isEqualTo(recorded);
      if (call.notApplied) {
        assertThat(recorded).as("%s was reported NOT_APPLIED, but had committed", call.key).isFalse();
      }
      try {
        call.result = call.send.apply(check);
      } catch (InsufficientCreditsException e) {
        assertThat(recorded).as("a refused resend of %s was not committed before", call.key).isFalse();
        call.result = REFUSED;
      }
      List<LedgerEntry> after = ledger(check, call.account);
      if (recorded) {
        unknownCommitted++;
        assertThat(after).as("resending %s, which had committed, replays and writes nothing", call.key)
            .hasSameSizeAs(before);
      } else {
        unknownNotCommitted++;
      }
    }

    // Every acknowledged call replays its first result after the restart, and writes nothing.
    Map<AccountId, Integer> ledgerSizes = new HashMap<>();
    for (AccountId a : accounts) {
      ledgerSizes.put(a, ledger(check, a).size());
    }
    List<KeyedCall> all;
    synchronized (calls) {
      all = new ArrayList<>(calls);
    }
    int replayedAfterRestart = 0;
    for (KeyedCall call : all) {
      if (call.tookEffect()) {
        assertThat(call.send.apply(check)).as("replay of %s after the restart", call.key).isEqualTo(call.result);
        replayedAfterRestart++;
      }
    }

    // The independent model: what the calls' results say each account must hold.
    int entriesChecked = 0;
    for (AccountId a : accounts) {
      List<LedgerEntry> entries = ledger(check, a);
      assertThat(entries).as("replays wrote nothing on %s", a).hasSize(ledgerSizes.get(a));
      // Each key took effect once: one contiguous run of entries moving exactly its amount, and no
      // entry carries a key that no call with an effect used.
      entriesChecked += KeyedCall.checkAgainstModel(check, a, INITIAL, all, entries, (call, effect) -> {
        long first = effect.get(0).sequence();
        for (int i = 0; i < effect.size(); i++) {
          assertThat(effect.get(i).sequence()).as("entries of %s are contiguous", call.key).isEqualTo(first + i);
        }
        assertThat(store.findIdempotencyRecord(a, call.key)).as("idempotency record of %s", call.key).isPresent();
      });
      BalanceView view = check.balance(a);
      Reconciliation rec = check.reconcile(a);
      assertThat(view.available()).isNotNegative();
      assertThat(view.lots()).allSatisfy(lot -> {
        assertThat(lot.remaining()).isNotNegative();
        assertThat(lot.reserved()).isNotNegative();
      });
      assertThat(rec.expired() + rec.debited()).as("nothing expired or debited on %s", a).isZero();
      assertThat(rec.granted()).as("credits conserved on %s", a)
          .isEqualTo(rec.available() + rec.held() + rec.settled() + rec.expired() + rec.debited());
    }

    long batches = stores.stream().mapToLong(st -> st.groupCommits()[0]).sum();
    long batched = stores.stream().mapToLong(st -> st.groupCommits()[1]).sum();
    long leftOut = stores.stream().mapToLong(st -> st.groupCommits()[2]).sum();
    long batchesFailed = stores.stream().mapToLong(st -> st.groupCommits()[3]).sum();
    System.out.printf("bank test group commits: %d batches of %d changes in all, %d of them left out as stale;"
        + " %d batches failed whole, their changes committed alone%n", batches, batched, leftOut, batchesFailed);
    assertThat(batches).as("group commits of two or more changes").isPositive();
    long durable = all.stream().filter(c -> c.acknowledged && c.tookEffect()).count();
    System.out.printf("bank test: %d ms of traffic and faults, %d ms in all (server start and checks included); calls attempted %d, acknowledged %d (%d before the"
        + " kill -9), refused for credits %d, unknown %d (reported UNKNOWN %d; resolved: %d had committed, %d had not);"
        + " commit answers"
        + " dropped %d (and %d of group commits); same-key resends"
        + " %d (%d failed with a store error); same-key other-parameter probes %d (%d refused with"
        + " IDEMPOTENCY_CONFLICT, %d failed with a store error); replays after restart %d; ledger entries checked %d;"
        + " backends terminated %d (%d attempts found none or failed); pauses %d (%d processes frozen for %d ms);"
        + " kill -9 %d (%d processes), restart took %d ms%n",
        runMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), counts.attempted.get(),
        counts.acknowledged.get(), durable, counts.refused.get(), counts.unknown.get(), counts.reportedUnknown.get(),
        unknownCommitted,
        unknownNotCommitted, counts.answersDropped.get(), counts.groupAnswersDropped.get(), counts.replays.get(), counts.replaysFailed.get(), counts.conflictsProbed.get(),
        counts.conflictsRefused.get(), counts.conflictsFailed.get(), replayedAfterRestart, entriesChecked,
        counts.backendsKilled.get(), counts.killAttemptsFailed.get(), counts.pauses.get(),
        counts.processesFrozen.get(), PAUSE_FOR_MILLIS, counts.crashes.get(), counts.processesKilled.get(),
        counts.restartMillis);
    assertThat(counts.unknown.get()).as("the faults left some outcomes unknown").isPositive();
    assertThat(unknownCommitted).as("unknown outcomes that had committed").isGreaterThanOrEqualTo(
        counts.answersDropped.get());
    assertThat(counts.reportedUnknown.get()).as("failures reported UNKNOWN, every dropped answer among them")
        .isGreaterThanOrEqualTo(counts.answersDropped.get() + counts.groupAnswersDropped.get());
    assertThat(counts.refused.get()).as("holds refused for insufficient credits").isPositive();
    assertThat(counts.replays.get()).isPositive();
    assertThat(counts.conflictsRefused.get()).isPositive();
  }

  /** Resends an acknowledged call with its key: the same result, or a store failure. */
  private static void resend(CreditService credits, KeyedCall call, Counts counts, List<String> failures) {
    counts.replays.incrementAndGet();
    try {
      Object again = call.send.apply(credits);
      if (!again.equals(call.result)) {
        failures.add("resending " + call.key + " gave " + again + " instead of " + call.result);
      }
    } catch (CreditsException e) {
      if (e.code() == ErrorCode.STORE_FAILURE || e.code() == ErrorCode.CONCURRENT_UPDATE) {
        counts.replaysFailed.incrementAndGet();
      } else {
        failures.add("resending " + call.key + " failed: " + e);
      }
    }
  }

  /** Sends an acknowledged grant or hold's key with another amount: an idempotency conflict. */
  private static void probeConflict(CreditService credits, KeyedCall call, Counts counts, List<String> failures) {
    counts.conflictsProbed.incrementAndGet();
    CreditAmount other = CreditAmount.of(call.amount + 1);
    try {
      Object result = call.kind == Kind.GRANT
          ? credits.grant(call.account, LotSource.PACK, other, null, call.key)
          : credits.hold(HoldRequest.of(call.account, other, call.key));
      failures.add("same key " + call.key + " with other parameters was accepted: " + result);
    } catch (IdempotencyConflictException e) {
      if (e.code() == ErrorCode.IDEMPOTENCY_CONFLICT) {
        counts.conflictsRefused.incrementAndGet();
      } else {
        failures.add("conflict with the wrong code: " + e);
      }
    } catch (CreditsException e) {
      if (e.code() == ErrorCode.STORE_FAILURE || e.code() == ErrorCode.CONCURRENT_UPDATE) {
        counts.conflictsFailed.incrementAndGet();
      } else {
        failures.add("same key " + call.key + " with other parameters failed with " + e);
      }
    }
  }

  /**
   * A data source whose connections now and then commit and then fail as if the answer was lost on
   * the network: the change is in the database, the caller sees a connection failure.
   */
  static final class LostAnswers extends DataSourceBase {
    private final DataSource delegate;
    private final Random random;
    private final Counts counts;

    LostAnswers(DataSource delegate, Random random, Counts counts) {
      this.delegate = delegate;
      this.random = random;
      this.counts = counts;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection target = delegate.getConnection();
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            try {
              Object result = method.invoke(target, args);
              if (method.getName().equals("commit")) {
                drop(counts.answersDropped);
              }
              if (method.getName().equals("prepareStatement") && result instanceof PreparedStatement statement) {
                // The group commit's text is the one that locks accounts in order first.
                boolean group = ((String) args[0]).contains("FOR UPDATE) AS locked");
                return committing(target, statement, group ? counts.groupAnswersDropped : counts.answersDropped);
              }
              return result;
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    /**
     * A statement whose {@code execute} on a connection in auto-commit mode (an at-once or group
     * commit, which commits itself) now and then loses its answer after it committed.
     */
    private PreparedStatement committing(Connection connection, PreparedStatement target, AtomicLong dropped) {
      return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
          new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
            try {
              Object result = method.invoke(target, args);
              if (method.getName().equals("execute") && args == null && connection.getAutoCommit()) {
                drop(dropped);
              }
              return result;
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    private void drop(AtomicLong dropped) throws SQLException {
      if (random.nextDouble() < LOST_ANSWER_RATE) {
        dropped.incrementAndGet();
        throw new SQLException("injected: the answer to a commit that committed was lost", "08006");
      }
    }
  }

  private static boolean terminateRandomBackend(String url, Random random) {
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
            + " AND datname = current_database() AND pid <> pg_backend_pid()")) {
      List<Integer> pids = new ArrayList<>();
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
      if (pids.isEmpty()) {
        return false;
      }
      try (ResultSet killed = st.executeQuery(
          "SELECT pg_terminate_backend(" + pids.get(random.nextInt(pids.size())) + ")")) {
        return killed.next() && killed.getBoolean(1);
      }
    } catch (SQLException e) {
      // The server is down or restarting: there is no backend to kill this second.
      return false;
    }
  }

  private static void terminateAllClientBackends(String url) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      while (true) {
        try (ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("client backends would not go away");
        }
        Thread.sleep(50);
      }
    }
  }

  private static List<LedgerEntry> ledger(CreditService credits, AccountId account) {
    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(account, LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT), all::add);
    return all;
  }
}
