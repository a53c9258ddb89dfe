package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;

/** Refills racing holds on the same account: every credit stays accounted for and each cycle refills once. */
@DisplayName("A refill racing a hold on the same account")
class RefillRaceTest {

  private static final int CYCLES = 24;
  private static final int HOLD_THREADS = 4;
  private static final int HOLDS_PER_THREAD = 150;

  @Nested
  @DisplayName("Holds, settles and releases against concurrent CyclePaid events and their duplicates")
  class Concurrent {

    @RepeatedTest(3)
    @DisplayName("conservation holds, no balance goes negative, each cycle is refilled exactly once")
    void refillRacingHolds() throws Exception {
      PlansFixture f = new PlansFixture(Instant.parse("2026-01-31T10:00:00Z"));
      AccountId account = f.open("racer");
      f.plans.verifyEmail(account, f.key());
      f.subscribePaid(account, "studio_pro");
      f.clock.set(f.cycleStart(account, CYCLES)); // every cycle the deliverers pay has started

      ExecutorService pool = Executors.newFixedThreadPool(HOLD_THREADS + 2);
      CountDownLatch start = new CountDownLatch(1);
      Map<Long, AtomicInteger> applied = new ConcurrentHashMap<>();
      AtomicInteger holdsSettled = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      try {
        for (int t = 0; t < HOLD_THREADS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < HOLDS_PER_THREAD; i++) {
              String id = "t" + thread + "-" + i;
              Hold hold;
              try {
                long amount = random.nextLong(1, 400);
                hold = PlansFixture.retrying(() -> f.credits.hold(HoldRequest.of(account, CreditAmount.of(amount),
                    IdempotencyKey.of("hold-" + id))));
              } catch (InsufficientCreditsException e) {
                continue;
              }
              if (random.nextBoolean()) {
                long settle = random.nextLong(1, hold.amount() + 1);
                PlansFixture.retrying(() -> f.credits.settle(account, hold.id(), CreditAmount.of(settle), IdempotencyKey.of("settle-" + id)));
                holdsSettled.incrementAndGet();
              } else {
                PlansFixture.retrying(() -> f.credits.release(account, hold.id(), "failed", IdempotencyKey.of("release-" + id)));
              }
            }
            return null;
          }));
        }
        // Two deliverers, each in cycle order: the provider's event and a retry under its own id,
        // each of them delivered twice.
        for (String deliverer : List.of("A", "B")) {
          futures.add(pool.submit(() -> {
            start.await();
            for (long cycle = 1; cycle <= CYCLES; cycle++) {
              for (int copy = 0; copy < 2; copy++) {
                long c = cycle;
                BillingOutcome outcome = PlansFixture.retrying(() -> f.plans.handle(
                    new BillingEvent.CyclePaid(deliverer + "-" + c, account, c)));
                if (outcome.effect() == BillingOutcome.Effect.APPLIED) {
                  applied.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet();
                }
                if (copy == 1) {
                  assertThat(outcome.effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
                }
              }
              Thread.yield();
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> future : futures) {
          future.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(applied).hasSize(CYCLES);
      applied.forEach((cycle, count) -> assertThat(count.get()).as("refills of cycle %d", cycle).isEqualTo(1));
      assertThat(f.refilledCycles(account))
          .containsExactlyElementsOf(LongStream.rangeClosed(0, CYCLES).boxed().toList());
      assertThat(f.balance(account).held()).isZero();
      assertThat(f.balance(account).allowanceCredits()).isLessThanOrEqualTo(3_000 + 1_000);
      var r = f.assertConserved(account);
      assertThat(r.granted()).isGreaterThanOrEqualTo(200 + 3_000L * (CYCLES + 1));
      assertThat(holdsSettled.get()).isPositive();
    }
  }
}
