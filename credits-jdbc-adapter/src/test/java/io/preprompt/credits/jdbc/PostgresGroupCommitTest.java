package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Group commit on PostgreSQL ({@link GroupCommit}): concurrent commits on different accounts share
 * one transaction, and every guarantee of a commit alone holds for each of them. The batches here
 * are made deterministic: a first caller is held inside its commit (the pool keeps it waiting for
 * its connection) while the others queue, with one batch written at a time; released, it lets the
 * queued callers go as one batch.
 */
@DisplayName("Group commit on PostgreSQL")
@Timeout(60)
class PostgresGroupCommitTest {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  /** Nanoseconds that round up to the next microsecond, as the driver rounds a bound instant. */
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456500Z");

  /** A pool over the tests' server that can hold its next borrower, or drop the next group commit's answer. */
  static final class Gate extends DataSourceBase {
    private final DataSource delegate = TestDataSource.pooled(PostgresServer.get().url());
    private volatile @Nullable CountDownLatch holdNext;
    private final AtomicInteger held = new AtomicInteger();
    final AtomicBoolean dropNextGroupAnswer = new AtomicBoolean();

    @Override
    public Connection getConnection() throws SQLException {
      CountDownLatch latch = holdNext;
      if (latch != null) {
        synchronized (this) {
          if (holdNext == latch) {
            holdNext = null;
            held.incrementAndGet();
            await(latch);
          }
        }
      }
      Connection target = delegate.getConnection();
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, method, args) -> {
            try {
              Object result = method.invoke(target, args);
              if (method.getName().equals("prepareStatement") && ((String) args[0]).contains("AS locked")) {
                return dropping((PreparedStatement) result);
              }
              return result;
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    /** A group commit's statement that, when asked to, runs and then loses its answer. */
    private PreparedStatement dropping(PreparedStatement target) {
      return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
          new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
            try {
              Object result = method.invoke(target, args);
              if (method.getName().equals("execute") && dropNextGroupAnswer.compareAndSet(true, false)) {
                throw new SQLException("injected: the answer to a group commit was lost", "08006");
              }
              return result;
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    private static void await(CountDownLatch latch) {
      try {
        if (!latch.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("the held borrower was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** One instance of the host: a store with one batch written at a time, its service, its pool. */
  record Instance(JdbcCreditStore store, CreditService credits, Gate gate) {}

  private static final class World {
    final MutableClock clock = new MutableClock(T0);
    final JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
        .schema("group" + SCHEMAS.incrementAndGet()).groupCommitWriters(1).build();
    final Gate installGate = new Gate();

    World() {
      JdbcCreditStore.install(installGate, config);
    }

    Instance instance() {
      Gate gate = new Gate();
      JdbcCreditStore store = JdbcCreditStore.create(gate, config);
      // Four callers at once would each commit alone: these tests batch every commit.
      store.batchEveryCommit();
      return new Instance(store, CreditService.builder().store(store).clock(clock).build(), gate);
    }

    AccountId open(Instance on, String name, long credits) {
      AccountId id = AccountId.of(name);
      on.credits().openAccount(id, IdempotencyKey.of("open"));
      on.credits().grant(id, LotSource.PACK, CreditAmount.of(credits), null, IdempotencyKey.of("pack"));
      return id;
    }

    /** The transaction id that wrote each of these holds, by hold id. */
    List<String> writers(List<Hold> holds) throws SQLException {
      List<String> out = new ArrayList<>();
      try (Connection c = installGate.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT xmin::text FROM " + config.table("holds")
              + " WHERE account = ? AND hold_id = ?")) {
        for (Hold h : holds) {
          ps.setString(1, h.account().value());
          ps.setString(2, h.id().value());
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("hold %s stored", h.id()).isTrue();
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    }
  }

  /**
   * Runs the first call held inside its commit, then the others, and releases the first once all the
   * others are queued: they are then written as one batch. Returns each call's result or failure.
   */
  private static List<Object> batch(Instance on, List<Supplier<Object>> calls) throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    on.gate().holdNext = release;
    List<Object> results = new ArrayList<>();
    ConcurrentHashMap<Integer, Object> byCall = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      int n = i;
      Thread t = new Thread(() -> {
        try {
          byCall.put(n, calls.get(n).get());
        } catch (RuntimeException e) {
          byCall.put(n, e);
        }
      });
      threads.add(t);
      t.start();
      if (i == 0) {
        waitFor(() -> on.gate().held.get() == 1, "the first call held in its commit");
      }
    }
    waitFor(() -> on.store().groupCommitQueue() == calls.size() - 1, "the other calls queued");
    release.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    for (int i = 0; i < calls.size(); i++) {
      results.add(byCall.get(i));
    }
    return results;
  }

  private static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(2);
    }
  }

  private static Supplier<Object> hold(Instance on, AccountId account, long amount, String key) {
    return () -> on.credits().hold(HoldRequest.of(account, CreditAmount.of(amount), IdempotencyKey.of(key)));
  }

  @Test
  @DisplayName("writes concurrent commits on different accounts in one transaction, each caller getting its own result")
  void sharesOneTransaction() throws Exception {
    World world = new World();
    Instance app = world.instance();
    AccountId first = world.open(app, "first", 100);
    AccountId a = world.open(app, "a", 100);
    AccountId b = world.open(app, "b", 100);
    AccountId c = world.open(app, "c", 100);
    // A hold written alone at the same instant, to compare the stored time with the batch's.
    Hold alone = app.credits().hold(HoldRequest.of(first, CreditAmount.of(1), IdempotencyKey.of("alone")));

    List<Object> results = batch(app, List.of(hold(app, first, 5, "h0"), hold(app, a, 10, "h1"),
        hold(app, b, 20, "h2"), hold(app, c, 30, "h3")));

    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(Hold.class));
    List<Hold> holds = results.stream().map(Hold.class::cast).toList();
    assertThat(holds).extracting(h -> h.account().value()).containsExactly("first", "a", "b", "c");
    assertThat(holds).extracting(Hold::amount).containsExactly(5L, 10L, 20L, 30L);
    assertThat(app.store().groupCommits()).as("batches, changes, left out, failed").containsExactly(1, 3, 0, 0);
    List<String> writers = world.writers(holds);
    assertThat(writers.subList(1, 4)).as("the batch's transaction").containsOnly(writers.get(1));
    assertThat(writers.get(0)).as("the held caller committed alone").isNotEqualTo(writers.get(1));
    assertThat(app.credits().balance(a).available()).isEqualTo(90);
    assertThat(app.credits().balance(c).available()).isEqualTo(70);
    // What a batch stored reads back as the same hold, its times rounded as a commit alone rounds them.
    assertThat(app.store().findHold(b, holds.get(2).id())).contains(holds.get(2));
    assertThat(app.store().findHold(b, holds.get(2).id()).orElseThrow().createdAt())
        .isEqualTo(app.store().findHold(first, alone.id()).orElseThrow().createdAt());
    for (AccountId id : List.of(a, b, c)) {
      assertThat(app.credits().reconcile(id).consistent()).as("reconciles: %s", id).isTrue();
    }
  }

  @Test
  @DisplayName("lets a few commits at once each commit alone, in parallel, without waiting for one another")
  void fewCommitAlone() throws Exception {
    World world = new World();
    Gate gate = new Gate();
    JdbcCreditStore store = JdbcCreditStore.create(gate, world.config);
    CreditService credits = CreditService.builder().store(store).clock(world.clock).build();
    Instance app = new Instance(store, credits, gate);
    AccountId first = world.open(app, "first", 100);
    AccountId a = world.open(app, "a", 100);
    AccountId b = world.open(app, "b", 100);
    CountDownLatch release = new CountDownLatch(1);
    gate.holdNext = release;
    Thread held = new Thread(() -> hold(app, first, 5, "h0").get());
    held.start();
    waitFor(() -> gate.held.get() == 1, "the first call held in its commit");
    // With one commit under way, two more (three in all, at most ALONE_UP_TO) go ahead alone.
    assertThat(hold(app, a, 10, "h1").get()).isInstanceOf(Hold.class);
    assertThat(hold(app, b, 20, "h2").get()).isInstanceOf(Hold.class);
    assertThat(held.isAlive()).as("the first call still held").isTrue();
    release.countDown();
    held.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(store.groupCommits()).containsExactly(0, 0, 0, 0);
    assertThat(credits.balance(first).available()).isEqualTo(95);
  }

  @Test
  @DisplayName("leaves out a change whose account moved on; it commits alone and the others in the batch")
  void staleChangeLeftOut() throws Exception {
    World world = new World();
    Instance app = world.instance();
    Instance other = world.instance();
    AccountId first = world.open(app, "first", 100);
    AccountId a = world.open(app, "a", 100);
    AccountId stale = world.open(app, "stale", 100);
    AccountId c = world.open(app, "c", 100);
    // Another instance moves the account on: this instance's own last commit of it is stale now.
    other.credits().grant(stale, LotSource.PACK, CreditAmount.of(1000), null, IdempotencyKey.of("elsewhere"));

    List<Object> results = batch(app, List.of(hold(app, first, 5, "h0"), hold(app, a, 10, "h1"),
        hold(app, stale, 20, "h2"), hold(app, c, 30, "h3")));

    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(Hold.class));
    List<Hold> holds = results.stream().map(Hold.class::cast).toList();
    assertThat(app.store().groupCommits()).as("batches, changes, left out, failed").containsExactly(1, 3, 1, 0);
    List<String> writers = world.writers(holds);
    assertThat(writers.get(3)).as("the batch committed the fresh changes").isEqualTo(writers.get(1));
    assertThat(writers.get(2)).as("the stale one committed alone").isNotEqualTo(writers.get(1));
    assertThat(app.credits().balance(stale).available()).isEqualTo(1080);
    assertThat(app.credits().reconcile(stale).consistent()).isTrue();
  }

  @Test
  @DisplayName("retries every change alone once when one change's key is taken; the others commit, the resend replays")
  void takenKeyFailsTheBatchNotTheCalls() throws Exception {
    World world = new World();
    Instance app = world.instance();
    AccountId first = world.open(app, "first", 100);
    AccountId a = world.open(app, "a", 100);
    AccountId resent = world.open(app, "resent", 100);
    AccountId c = world.open(app, "c", 100);
    Hold original = app.credits().hold(HoldRequest.of(resent, CreditAmount.of(20), IdempotencyKey.of("k")));

    // The resend runs on this instance's own last commit of the account, which is current: its
    // change is not stale, and only its key, already taken, fails the batch.
    List<Object> results = batch(app, List.of(hold(app, first, 5, "h0"), hold(app, a, 10, "h1"),
        hold(app, resent, 20, "k"), hold(app, c, 30, "h3")));

    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(Hold.class));
    assertThat(results.get(2)).as("the resend replays the first result").isEqualTo(original);
    assertThat(app.store().groupCommits()).as("batches, changes, left out, failed").containsExactly(0, 0, 0, 1);
    assertThat(app.credits().balance(resent).available()).isEqualTo(80);
    assertThat(app.credits().balance(a).available()).isEqualTo(90);
    assertThat(app.credits().balance(c).available()).isEqualTo(70);
    assertThat(app.credits().history(resent, LedgerQuery.firstPage(1000)).entries())
        .filteredOn(e -> e.type() == EntryType.HOLD).hasSize(1);
  }

  @Test
  @DisplayName("reports a lost answer as UNKNOWN to every caller of the batch; resending each with its key resolves it")
  void lostAnswerIsUnknownForEveryCaller() throws Exception {
    World world = new World();
    Instance app = world.instance();
    AccountId first = world.open(app, "first", 100);
    AccountId a = world.open(app, "a", 100);
    AccountId b = world.open(app, "b", 100);
    app.gate().dropNextGroupAnswer.set(true);

    List<Object> results = batch(app, List.of(hold(app, first, 5, "h0"), hold(app, a, 10, "h1"),
        hold(app, b, 20, "h2")));

    assertThat(results.get(0)).isInstanceOf(Hold.class);
    for (Object r : results.subList(1, 3)) {
      assertThat(r).isInstanceOfSatisfying(StoreException.class,
          e -> assertThat(e.outcome()).isEqualTo(StoreException.Outcome.UNKNOWN));
    }
    // It had committed: the resends replay, and each account holds once.
    Hold againA = (Hold) hold(app, a, 10, "h1").get();
    Hold againB = (Hold) hold(app, b, 20, "h2").get();
    assertThat(againA.amount()).isEqualTo(10);
    assertThat(againB.amount()).isEqualTo(20);
    assertThat(app.credits().balance(a).available()).isEqualTo(90);
    assertThat(app.credits().balance(b).available()).isEqualTo(80);
    assertThat(world.writers(List.of(againA, againB))).as("one transaction wrote both").hasSize(2)
        .satisfies(w -> assertThat(w.get(0)).isEqualTo(w.get(1)));
  }

  @Nested
  @DisplayName("under load")
  class UnderLoad {
    @Test
    @DisplayName("batches the commits of many threads on their own accounts; every balance and ledger adds up")
    void manyThreads() throws Exception {
      World world = new World();
      JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
          .schema(world.config.schema().orElseThrow()).build();
      assertThat(config.groupCommitWriters()).isEqualTo(JdbcStoreConfig.DEFAULT_GROUP_COMMIT_WRITERS);
      JdbcCreditStore store = JdbcCreditStore.create(new Gate(), config);
      // Twelve threads are close to the number that commit alone; here every commit is batched.
      store.batchEveryCommit();
      CreditService credits = CreditService.builder().store(store).clock(world.clock).build();
      int threads = 12;
      int pairs = 40;
      List<AccountId> accounts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        AccountId id = AccountId.of("load-" + t);
        credits.openAccount(id, IdempotencyKey.of("open"));
        credits.grant(id, LotSource.PACK, CreditAmount.of(10_000), null, IdempotencyKey.of("pack"));
        accounts.add(id);
      }
      List<Thread> workers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (AccountId id : accounts) {
        Thread w = new Thread(() -> {
          try {
            go.await();
            for (int i = 0; i < pairs; i++) {
              Hold h = credits.hold(HoldRequest.of(id, CreditAmount.of(7), IdempotencyKey.of("h" + i)));
              credits.settle(id, h.id(), IdempotencyKey.of("s" + i));
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        workers.add(w);
        w.start();
      }
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
      assertThat(failures).isEmpty();
      long[] counts = store.groupCommits();
      assertThat(counts[0]).as("batches of two or more").isPositive();
      assertThat(counts[1]).as("changes they carried").isGreaterThanOrEqualTo(2 * counts[0]);
      for (AccountId id : accounts) {
        assertThat(credits.balance(id).available()).isEqualTo(10_000 - 7L * pairs);
        assertThat(credits.history(id, LedgerQuery.firstPage(1000)).entries()).as("the grant, then each pair")
            .hasSize(1 + 2 * pairs);
        assertThat(credits.reconcile(id).consistent()).isTrue();
      }
    }

    @Test
    @DisplayName("never batches when turned off, nor inside the host's transactions")
    void offAndHostTransactionsNeverBatch() throws Exception {
      World world = new World();
      JdbcStoreConfig off = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
          .schema(world.config.schema().orElseThrow()).groupCommit(false).build();
      assertThat(off.groupCommit()).isFalse();
      Gate pool = new Gate();
      JdbcCreditStore offStore = JdbcCreditStore.create(pool, off);
      JdbcCreditStore hostStore = JdbcCreditStore.inHostTransaction(new ConnectionProvider() {
        @Override
        public Connection currentConnection() throws SQLException {
          return pool.getConnection();
        }

        @Override
        public void releaseConnection(Connection connection) throws SQLException {
          connection.close();
        }
      }, world.config);
      for (JdbcCreditStore store : List.of(offStore, hostStore)) {
        CreditService credits = CreditService.builder().store(store).clock(world.clock).build();
        List<Thread> workers = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
          AccountId id = AccountId.of("off-" + System.identityHashCode(store) + "-" + t);
          credits.openAccount(id, IdempotencyKey.of("open"));
          credits.grant(id, LotSource.PACK, CreditAmount.of(1_000), null, IdempotencyKey.of("pack"));
          Thread w = new Thread(() -> {
            for (int i = 0; i < 15; i++) {
              credits.hold(HoldRequest.of(id, CreditAmount.of(1), IdempotencyKey.of("h" + i)));
              done.incrementAndGet();
            }
          });
          workers.add(w);
          w.start();
        }
        for (Thread w : workers) {
          w.join();
        }
        assertThat(done.get()).isEqualTo(120);
        assertThat(store.groupCommits()).containsExactly(0, 0, 0, 0);
      }
    }
  }

  @Test
  @DisplayName("writes instants as timestamptz text the way the driver rounds them")
  void instantText() {
    assertThat(Codec.timestampText(Instant.parse("2026-12-02T07:30:22.123456499Z"))).isEqualTo("2026-12-02 07:30:22.123456+00");
    assertThat(Codec.timestampText(Instant.parse("2026-12-02T07:30:22.123456500Z"))).isEqualTo("2026-12-02 07:30:22.123457+00");
    assertThat(Codec.timestampText(Instant.parse("2026-12-31T23:59:59.999999500Z"))).isEqualTo("2027-01-01 00:00:00.000000+00");
    assertThat(Codec.timestampText(Codec.LATEST)).isEqualTo("294276-12-31 23:59:59.999999+00");
    assertThat(Codec.timestampText(Codec.EARLIEST)).isEqualTo("4714-11-24 00:00:00.000000+00 BC");
    assertThat(Codec.timestampText(Instant.parse("0000-06-01T00:00:00Z"))).isEqualTo("0001-06-01 00:00:00.000000+00 BC");
    assertThat(Codec.timestampText(null)).isNull();
    assertThatThrownBy(() -> Codec.timestampText(Codec.LATEST.plusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("reads back the instants it writes, across PostgreSQL's range, as the driver binds them")
  void instantsRoundTrip() throws SQLException {
    List<Instant> instants = List.of(Codec.EARLIEST, Instant.parse("0000-06-01T00:00:00Z"), T0,
        Instant.parse("2026-12-31T23:59:59.999999500Z"), Codec.LATEST);
    try (Connection c = PostgresServer.get().connect();
        PreparedStatement text = c.prepareStatement("SELECT CAST(? AS TIMESTAMPTZ), ?")) {
      for (Instant t : instants) {
        Instant micros = t.plusNanos(500).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        text.setString(1, Codec.timestampText(t));
        text.setObject(2, Codec.timestamp(t));
        try (ResultSet rs = text.executeQuery()) {
          rs.next();
          assertThat(rs.getObject(1, java.time.OffsetDateTime.class).toInstant()).as("%s read back", t)
              .isEqualTo(micros);
          if (!t.equals(Codec.EARLIEST)) {
            // The driver itself binds the earliest instant as -infinity.
            assertThat(rs.getObject(2, java.time.OffsetDateTime.class).toInstant()).as("%s bound", t)
                .isEqualTo(micros);
          }
        }
      }
    }
  }
}
