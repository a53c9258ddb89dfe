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
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Many threads against one account")
class ConcurrentHoldsTest {
  static final int THREADS = 8;
  static final int OPS_PER_THREAD = 500;
  static final long GRANTED = 2_000;

  final CreditsScenario scenario = new CreditsScenario(CreditsConfig.builder().maxCommitAttempts(1000).build());
  final CreditService service = scenario.service();
  final ScenarioAccount shared = scenario.account("shared");
  final AtomicLong settledTotal = new AtomicLong();
  final AtomicLong refusals = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final Map<HoldId, Long> placed = new ConcurrentHashMap<>();
  final Map<HoldId, HoldState> endings = new ConcurrentHashMap<>();

  /** Retries a call with the same key when optimistic retries ran out: it must then take effect once. */
  <T> T withRetry(Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (ConcurrentUpdateException e) {
        retries.incrementAndGet();
      }
    }
  }

  void worker(int thread, CountDownLatch start) throws InterruptedException {
    Random random = new Random(thread * 7919L);
    List<Hold> open = new ArrayList<>();
    start.await();
    for (int op = 0; op < OPS_PER_THREAD; op++) {
      String prefix = "t" + thread + "-" + op;
      if (open.size() < 3 && (open.isEmpty() || random.nextBoolean())) {
        HoldRequest request = HoldRequest.of(shared.id(), CreditAmount.of(1 + random.nextInt(60)),
            IdempotencyKey.of(prefix + "-hold"));
        try {
          Hold hold = withRetry(() -> service.hold(request));
          assertThat(placed.put(hold.id(), hold.amount())).isNull();
          open.add(hold);
        } catch (InsufficientCreditsException e) {
          assertThat(e.available()).isNotNegative().isLessThan(request.amount().value());
          refusals.incrementAndGet();
        }
      } else {
        Hold hold = open.remove(random.nextInt(open.size()));
        IdempotencyKey key = IdempotencyKey.of(prefix + "-end");
        int choice = random.nextInt(6);
        if (choice < 3) {
          withRetry(() -> service.release(shared.id(), hold.id(), "failed", key));
          assertThat(endings.put(hold.id(), HoldState.RELEASED)).isNull();
        } else {
          // Whole settles spend fast; partial ones of up to a quarter keep the account alive longer.
          CreditAmount amount = choice == 3 ? null : CreditAmount.of(1 + random.nextInt((int) hold.amount() / 4 + 1));
          Settlement s = withRetry(() -> amount == null ? service.settleAll(shared.id(), hold.id(), Map.of(), key)
              : service.settle(shared.id(), hold.id(), amount, Map.of(), key));
          // The same key again must replay, never settle twice.
          assertThat(amount == null ? service.settleAll(shared.id(), hold.id(), Map.of(), key)
              : service.settle(shared.id(), hold.id(), amount, Map.of(), key)).isEqualTo(s);
          settledTotal.addAndGet(s.settled());
          assertThat(endings.put(hold.id(), HoldState.SETTLED)).isNull();
        }
      }
      if (op % 50 == 0) {
        // Read the settled total first: it only counts settles already committed, so it cannot
        // overtake the balance read after it.
        long settledSoFar = settledTotal.get();
        BalanceView b = shared.balance();
        assertThat(b.available()).isNotNegative();
        assertThat(b.held()).isNotNegative();
        assertThat(b.available() + b.held() + settledSoFar).isLessThanOrEqualTo(GRANTED);
      }
    }
    for (Hold hold : open) {
      withRetry(() -> service.release(shared.id(), hold.id(), "shutdown", IdempotencyKey.of("close-" + hold.id())));
      assertThat(endings.put(hold.id(), HoldState.RELEASED)).isNull();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("8 threads x 500 holds, settles and releases never overdraw and conserve every credit")
  void manyThreads_neverOverdraw_conserve() throws Exception {
    shared.grant(LotSource.SIGNUP_GRANT, 500);
    shared.grantExpiring(1_000, Duration.ofDays(30));
    shared.grant(LotSource.PACK, 500);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          worker(thread, start);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    BalanceView b = shared.balance();
    assertThat(b.held()).isZero();
    assertThat(b.activeHolds()).isZero();
    assertThat(settledTotal.get()).isLessThanOrEqualTo(GRANTED);
    assertThat(b.available() + settledTotal.get()).isEqualTo(GRANTED);

    Reconciliation r = shared.reconcile();
    assertThat(r.differences()).isEmpty();
    assertThat(r.settled()).isEqualTo(settledTotal.get());
    assertThat(r.granted()).isEqualTo(GRANTED);

    // Every successful hold ended exactly once, as the thread that ended it saw.
    assertThat(endings.keySet()).isEqualTo(placed.keySet());
    List<LedgerEntry> ledger = shared.ledger();
    Map<HoldId, List<LedgerEntry>> byHold = ledger.stream().filter(e -> e.hold() != null)
        .collect(Collectors.groupingBy(LedgerEntry::hold));
    assertThat(byHold.keySet()).isEqualTo(placed.keySet());
    placed.forEach((id, amount) -> {
      List<LedgerEntry> entries = byHold.get(id);
      assertThat(sum(entries, EntryType.HOLD)).isEqualTo(amount);
      assertThat(sum(entries, EntryType.SETTLE) + sum(entries, EntryType.RELEASE)).isEqualTo(amount);
      assertThat(entries.stream().map(LedgerEntry::key).distinct()).hasSize(2);
      assertThat(service.findHold(shared.id(), id)).get().extracting(Hold::state).isEqualTo(endings.get(id));
    });
    // Enough holds got through to make the run meaningful; the rest were refused for lack of credits.
    assertThat(placed).hasSizeGreaterThan(100);
  }

  static long sum(List<LedgerEntry> entries, EntryType type) {
    return entries.stream().filter(e -> e.type() == type).mapToLong(LedgerEntry::amount).sum();
  }
}
