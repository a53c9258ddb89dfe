package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.ShardedCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many writers on accounts spread over three PostgreSQL servers through
 * {@link ShardedCreditStore}: every account stays conserved and reconciles, and the sweeps find and
 * end the overdue holds and expired lots on every server.
 */
@DisplayName("ShardedCreditStore over three PostgreSQL servers under concurrent writers")
class PostgresShardedConcurrencyTest {
  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 80;
  private static final int ACCOUNTS_PER_SERVER = 4;
  private static final long INITIAL = 500;
  private static final long EXPIRING = 40;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  @Timeout(120)
  @DisplayName("accounts on every server are conserved, and sweeps end overdue holds and lots on all of them")
  void manyWritersAllShards() throws Exception {
    List<JdbcCreditStore> stores = ShardServers.freshStores();
    ShardedCreditStore router = ShardServers.freshRouter(stores);
    MutableClock clock = new MutableClock(T0);
    CreditsConfig config = CreditsConfig.builder().maxCommitAttempts(1000).build();
    CreditService credits = CreditService.builder().store(router).clock(clock).config(config).build();

    List<AccountId> accounts = new ArrayList<>();
    int[] perServer = new int[stores.size()];
    for (int i = 0; accounts.size() < ACCOUNTS_PER_SERVER * stores.size(); i++) {
      AccountId id = AccountId.of("user-" + i);
      int server = stores.indexOf(router.storeOf(id));
      if (perServer[server] < ACCOUNTS_PER_SERVER) {
        perServer[server]++;
        accounts.add(id);
        credits.openAccount(id, IdempotencyKey.of("open"));
        credits.grant(id, LotSource.SIGNUP_GRANT, CreditAmount.of(INITIAL), null, IdempotencyKey.of("initial"));
      }
    }

    Map<AccountId, AtomicLong> granted = new ConcurrentHashMap<>();
    accounts.forEach(a -> granted.put(a, new AtomicLong(INITIAL + EXPIRING)));
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong leftOpen = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      threads.add(new Thread(() -> {
        Random random = new Random(2000 + thread);
        List<Hold> mine = new ArrayList<>();
        try {
          start.await();
          for (int i = 0; i < OPS_PER_THREAD; i++) {
            IdempotencyKey k = IdempotencyKey.of("t" + thread + "-" + i);
            double r = random.nextDouble();
            if (r < 0.15) {
              AccountId a = accounts.get(random.nextInt(accounts.size()));
              long amount = 1 + random.nextInt(30);
              credits.grant(a, LotSource.PACK, CreditAmount.of(amount), null, k);
              granted.get(a).addAndGet(amount);
            } else if (r < 0.6 || mine.isEmpty()) {
              AccountId a = accounts.get(random.nextInt(accounts.size()));
              HoldRequest request = HoldRequest.of(a, CreditAmount.of(1 + random.nextInt(40)), k)
                  .withTtl(Duration.ofMinutes(10));
              try {
                mine.add(credits.hold(request));
              } catch (InsufficientCreditsException e) {
                // refused: nothing changed
              }
            } else {
              Hold hold = mine.remove(random.nextInt(mine.size()));
              if (random.nextBoolean()) {
                credits.settle(hold.account(), hold.id(), CreditAmount.of(1 + random.nextInt((int) hold.amount())), k);
              } else {
                credits.release(hold.account(), hold.id(), "cancelled", k);
              }
            }
          }
          leftOpen.addAndGet(mine.size());
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "sharded-writer-" + t));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).as("unexpected failures").isEmpty();
    assertThat(leftOpen.get()).as("holds left to the sweep").isPositive();
    // A lot that expires untouched on every account (drawdown takes the soonest-expiring lot first).
    for (AccountId a : accounts) {
      credits.grant(a, LotSource.PROMOTION, CreditAmount.of(EXPIRING), T0.plus(Duration.ofHours(1)),
          IdempotencyKey.of("promo"));
    }

    // Two hours on, every server has overdue holds or expired lots, and the sweep ends them all.
    clock.advance(Duration.ofHours(2));
    for (CreditStore store : stores) {
      assertThat(store.findAccountsWithExpiredLots(clock.instant(), 100)).as("expired lots on %s", store)
          .hasSize(ACCOUNTS_PER_SERVER);
    }
    List<HoldRef> overdue = router.findHoldsPastDeadline(clock.instant(), 10_000);
    assertThat(overdue).hasSize((int) leftOpen.get());
    long holdsExpired = 0;
    long lotsExpired = 0;
    for (SweepReport report = credits.sweep(); report.accountsTouched() > 0; report = credits.sweep()) {
      holdsExpired += report.holdsExpired();
      lotsExpired += report.lotsExpired();
    }
    assertThat(holdsExpired).isEqualTo(leftOpen.get());
    assertThat(lotsExpired).isEqualTo(accounts.size());
    for (CreditStore store : stores) {
      assertThat(store.findHoldsPastDeadline(clock.instant(), 100)).isEmpty();
      assertThat(store.findAccountsWithExpiredLots(clock.instant(), 100)).isEmpty();
    }

    for (AccountId a : accounts) {
      BalanceView view = credits.balance(a);
      Reconciliation rec = credits.reconcile(a);
      assertThat(rec.consistent()).as("reconciliation of %s: %s", a, rec.differences()).isTrue();
      assertThat(view.available()).isNotNegative();
      assertThat(view.held()).isZero();
      assertThat(rec.granted()).isEqualTo(granted.get(a).get());
      assertThat(rec.granted()).as("credits conserved on %s", a)
          .isEqualTo(rec.available() + rec.held() + rec.settled() + rec.expired() + rec.debited());
      assertThat(router.storeOf(a).load(a, io.preprompt.credits.spi.HoldSelection.allActive())).isPresent();
      for (CreditStore other : stores) {
        if (other != router.storeOf(a)) {
          assertThat(other.load(a, io.preprompt.credits.spi.HoldSelection.allActive()))
              .as("%s on a server not its own", a).isEmpty();
        }
      }
    }
  }
}
