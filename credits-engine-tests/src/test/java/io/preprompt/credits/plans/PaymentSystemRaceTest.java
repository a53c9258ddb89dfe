package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/** Eight deliverers racing the same payment system events on one account: each period and refund applies once. */
@DisplayName("Payment system events delivered by 8 threads at once")
class PaymentSystemRaceTest {

  private static final int THREADS = 8;
  private static final int PERIODS = 6;
  private static final Instant ANCHOR = Instant.parse("2026-01-31T10:00:00Z");

  private static Instant start(long period) {
    return ANCHOR.atZone(ZoneOffset.UTC).plusMonths(period).toInstant();
  }

  /** Runs {@code THREADS} copies of the task at once; each gets its thread number. */
  private static void race(TaskOf task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          go.await();
          task.run(thread);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A deliverer's work. */
  private interface TaskOf {
    void run(int thread);
  }

  @RepeatedTest(3)
  @DisplayName("Periods 0..6 under two event ids each, from no subscription: one subscription, each period refilled once, no gateway call")
  void periods() throws Exception {
    PlansFixture f = new PlansFixture(ANCHOR);
    AccountId account = f.open("racer");
    f.clock.set(start(PERIODS));
    Map<Long, AtomicInteger> applied = new ConcurrentHashMap<>();

    // Each deliverer goes in period order, as a payment system sends them; half use the event's id,
    // half its retry's, and every event is delivered by four threads.
    race(thread -> {
      String id = thread % 2 == 0 ? "A" : "B";
      for (long p = 0; p <= PERIODS; p++) {
        long n = p;
        BillingOutcome outcome = PlansFixture.retrying(() -> f.plans.handle(new BillingEvent.PeriodPaid(id + "-" + n, account,
            "studio", start(n), start(n + 1), "in_" + n, 1_200, "USD")));
        if (outcome.effect() == BillingOutcome.Effect.APPLIED) {
          applied.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
        }
      }
    });

    assertThat(applied).hasSize(PERIODS + 1);
    applied.forEach((period, count) -> assertThat(count.get()).as("refills of period %d", period).isEqualTo(1));
    assertThat(f.refilledCycles(account)).containsExactlyElementsOf(LongStream.rangeClosed(0, PERIODS).boxed().toList());
    assertThat(f.balance(account).allowanceCredits()).isEqualTo(1_000);
    assertThat(f.plans.overview(account).cycleStart()).isEqualTo(start(PERIODS));
    assertThat(f.gateway.requests()).isEmpty();
    f.assertConserved(account);
  }

  @RepeatedTest(3)
  @DisplayName("Four partial refunds of a pack, each delivered by two threads, racing its renewals: each refund applies once")
  void refunds() throws Exception {
    PlansFixture f = new PlansFixture(ANCHOR);
    AccountId account = f.open("racer");
    f.plans.handle(new BillingEvent.PeriodPaid("first", account, "studio", start(0), start(1), "in_0", 1_200, "USD"));
    String reference = f.buyAndPayPack(account, "pack_1500"); // 1,500 credits for 1,200
    f.clock.set(start(PERIODS));
    Map<String, AtomicInteger> refundsApplied = new ConcurrentHashMap<>();
    AtomicLong taken = new AtomicLong();

    race(thread -> {
      String refund = "re-" + (thread % 4);
      for (long p = 1; p <= PERIODS; p++) {
        long n = p;
        PlansFixture.retrying(() -> f.plans.handle(new BillingEvent.PeriodPaid("evt-" + n, account, "studio", start(n), start(n + 1),
            "in_" + n, 1_200, "USD")));
        if (n == thread % PERIODS + 1) {
          BillingOutcome outcome = PlansFixture.retrying(() -> f.plans.handle(new BillingEvent.Refunded(refund, account, reference,
              300, 1_200)));
          if (outcome.effect() == BillingOutcome.Effect.APPLIED) {
            refundsApplied.computeIfAbsent(refund, k -> new AtomicInteger()).incrementAndGet();
            taken.addAndGet(outcome.credits());
          }
        }
      }
    });

    assertThat(refundsApplied).hasSize(4);
    refundsApplied.forEach((id, count) -> assertThat(count.get()).as("applications of %s", id).isEqualTo(1));
    assertThat(taken.get()).isEqualTo(4 * 375); // floor(1,500 * 300 / 1,200) each
    List<LedgerEntry> refundDebits = f.ledger(account).stream()
        .filter(e -> e.type() == EntryType.DEBIT && "refund".equals(e.metadata().get("reason"))).toList();
    assertThat(refundDebits).hasSize(4).allMatch(e -> e.amount() == 375 && e.source() == LotSource.PACK);
    assertThat(f.balance(account).lots()).noneMatch(l -> l.source() == LotSource.PACK);
    assertThat(f.refilledCycles(account)).containsExactlyElementsOf(LongStream.rangeClosed(0, PERIODS).boxed().toList());
    f.assertConserved(account);
  }

  @RepeatedTest(3)
  @DisplayName("Eight different refunds of 500 each racing on a payment of 1,200: two apply, six are refused, nothing above what was paid")
  void refundsNeverPassWhatWasPaid() throws Exception {
    PlansFixture f = new PlansFixture(ANCHOR);
    AccountId account = f.open("racer");
    f.plans.handle(new BillingEvent.PeriodPaid("first", account, "studio", start(0), start(1), "in_0", 1_200, "USD"));
    String reference = f.buyAndPayPack(account, "pack_1500"); // 1,500 credits for 1,200
    AtomicInteger applied = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();

    race(thread -> {
      try {
        PlansFixture.retrying(() -> f.plans.handle(new BillingEvent.Refunded("over-" + thread, account, reference, 500,
            1_200)));
        applied.incrementAndGet();
      } catch (InvalidRequestException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.PAYMENT_MISMATCH);
        refused.incrementAndGet();
      }
    });

    assertThat(applied.get()).isEqualTo(2);
    assertThat(refused.get()).isEqualTo(6);
    List<LedgerEntry> refundDebits = f.ledger(account).stream()
        .filter(e -> e.type() == EntryType.DEBIT && "refund".equals(e.metadata().get("reason"))).toList();
    assertThat(refundDebits).hasSize(2).allMatch(e -> e.amount() == 625);  // floor(1,500 * 500 / 1,200)
    f.assertConserved(account);
  }
}
