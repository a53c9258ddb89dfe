package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads extend holds and settle above them on one account that may owe at most
 * {@link #MAX_DEBT}, while others grant credits that pay the debt back: the balance never passes the
 * floor, each call takes effect once, and the ledger reconciles.
 */
@DisplayName("Many threads extending and settling above their holds on one account in debt")
class ConcurrentOverageTest {
  static final int THREADS = 8;
  static final int OPS_PER_THREAD = 300;
  static final long MAX_DEBT = 400;

  final CreditsScenario scenario = new CreditsScenario(CreditsConfig.builder().maxCommitAttempts(1000)
      .overagePolicy(OveragePolicy.allowDebt(MAX_DEBT)).build());
  final CreditService service = scenario.service();
  final ScenarioAccount shared = scenario.account("shared");
  final AtomicLong granted = new AtomicLong();
  final AtomicLong charged = new AtomicLong();
  final AtomicLong owed = new AtomicLong();
  final AtomicLong uncollected = new AtomicLong();
  final AtomicLong extensions = new AtomicLong();
  final AtomicLong refusedExtensions = new AtomicLong();

  /** Retries a call with the same key when optimistic retries ran out: it must then take effect once. */
  static <T> T withRetry(Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (ConcurrentUpdateException e) {
        Thread.onSpinWait();
      }
    }
  }

  /**
   * Every path is taken whatever the scheduling: first all threads hold and extend together (the
   * opening balance covers them) and each asks for an extension no balance covers; once all hold,
   * they settle above their holds together, far past the floor; then each runs its own random mix.
   */
  void worker(int thread, CountDownLatch start, CyclicBarrier phase) throws Exception {
    Random random = new Random(thread * 31L + 7);
    start.await();
    Hold placed = withRetry(() -> service.hold(HoldRequest.of(shared.id(), CreditAmount.of(15),
        IdempotencyKey.of("t" + thread + "-opening"))));
    Hold open = withRetry(() -> service.extend(shared.id(), placed.id(), CreditAmount.of(15),
        IdempotencyKey.of("t" + thread + "-opening-extend")));
    assertThat(open.amount()).isEqualTo(30);
    extensions.incrementAndGet();
    try {
      withRetry(() -> service.extend(shared.id(), open.id(), CreditAmount.of(10_000),
          IdempotencyKey.of("t" + thread + "-opening-too-much")));
      throw new AssertionError("an extension past any balance was granted");
    } catch (InsufficientCreditsException e) {
      refusedExtensions.incrementAndGet();
    }
    phase.await(60, TimeUnit.SECONDS);
    Settlement first = withRetry(() -> service.settle(shared.id(), open.id(), CreditAmount.of(open.amount() + 200),
        Map.of(), IdempotencyKey.of("t" + thread + "-opening-settle")));
    charged.addAndGet(first.charged());
    owed.addAndGet(first.debtIncurred());
    uncollected.addAndGet(first.uncollected());
    phase.await(60, TimeUnit.SECONDS);
    for (int op = 0; op < OPS_PER_THREAD; op++) {
      String prefix = "t" + thread + "-" + op;
      if (random.nextInt(5) == 0) {
        long amount = 1 + random.nextInt(80);
        IdempotencyKey key = IdempotencyKey.of(prefix + "-grant");
        withRetry(() -> service.grant(shared.id(), LotSource.PACK, CreditAmount.of(amount), null, key));
        granted.addAndGet(amount);
        continue;
      }
      HoldRequest request = HoldRequest.of(shared.id(), CreditAmount.of(1 + random.nextInt(30)),
          IdempotencyKey.of(prefix + "-hold"));
      Hold hold;
      try {
        hold = withRetry(() -> service.hold(request));
      } catch (InsufficientCreditsException e) {
        assertThat(e.available()).isGreaterThanOrEqualTo(-MAX_DEBT).isLessThan(request.amount().value());
        continue;
      }
      if (random.nextBoolean()) {
        IdempotencyKey key = IdempotencyKey.of(prefix + "-extend");
        CreditAmount more = CreditAmount.of(1 + random.nextInt(40));
        Hold running = hold;
        try {
          hold = withRetry(() -> service.extend(shared.id(), running.id(), more, key));
          assertThat(hold.amount()).isEqualTo(running.amount() + more.value());
          extensions.incrementAndGet();
        } catch (InsufficientCreditsException e) {
          assertThat(e.available()).isGreaterThanOrEqualTo(-MAX_DEBT).isLessThan(more.value());
          refusedExtensions.incrementAndGet();
          hold = service.findHold(shared.id(), hold.id()).orElseThrow();
        }
      }
      Hold settling = hold;
      long cost = settling.amount() + random.nextInt(120);
      IdempotencyKey key = IdempotencyKey.of(prefix + "-settle");
      Settlement s = withRetry(() -> service.settle(shared.id(), settling.id(), CreditAmount.of(cost), Map.of(), key));
      assertThat(service.settle(shared.id(), settling.id(), CreditAmount.of(cost), Map.of(), key))
          .as("replayed").isEqualTo(s);
      assertThat(s.requested()).isEqualTo(cost);
      assertThat(s.charged()).isGreaterThanOrEqualTo(settling.amount());
      charged.addAndGet(s.charged());
      owed.addAndGet(s.debtIncurred());
      uncollected.addAndGet(s.uncollected());
      if (op % 25 == 0) {
        BalanceView b = shared.balance();
        assertThat(b.available()).isGreaterThanOrEqualTo(-MAX_DEBT);
        assertThat(b.debt()).isBetween(0L, MAX_DEBT);
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("8 threads never take the balance past the floor, and every credit is accounted for")
  void manyThreads_neverPassTheFloor_conserve() throws Exception {
    shared.grant(LotSource.SIGNUP_GRANT, 300);
    granted.addAndGet(300);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    CyclicBarrier phase = new CyclicBarrier(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          worker(thread, start, phase);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    BalanceView b = shared.balance();
    assertThat(b.held()).isZero();
    assertThat(b.available()).isGreaterThanOrEqualTo(-MAX_DEBT);
    Reconciliation r = shared.reconcile();
    assertThat(r.differences()).isEmpty();
    assertThat(r.granted()).isEqualTo(granted.get());
    assertThat(r.settled()).isEqualTo(charged.get());
    assertThat(r.available()).isEqualTo(b.available());
    assertThat(r.debt()).isEqualTo(b.debt());
    assertThat(granted.get()).isEqualTo(b.available() + charged.get());

    // Replayed entry by entry, the debt never passes the bound: the floor held at every commit.
    List<LedgerEntry> ledger = shared.ledger();
    long debt = 0;
    long incurred = 0;
    long repaid = 0;
    for (LedgerEntry e : ledger) {
      if (e.type() == EntryType.DEBT_INCURRED) {
        debt += e.amount();
        incurred += e.amount();
      } else if (e.type() == EntryType.DEBT_REPAID) {
        debt -= e.amount();
        repaid += e.amount();
      }
      assertThat(debt).as("debt after entry %d", e.sequence()).isBetween(0L, MAX_DEBT);
    }
    assertThat(incurred).isEqualTo(owed.get());
    assertThat(incurred - repaid).isEqualTo(b.debt());
    // The run went through debt, repayment, refusals and uncollected rests, not just the easy path.
    assertThat(incurred).isGreaterThanOrEqualTo(MAX_DEBT);
    assertThat(repaid).isPositive();
    assertThat(uncollected.get()).isPositive();
    assertThat(extensions.get()).isPositive();
    assertThat(refusedExtensions.get()).isPositive();
  }
}
