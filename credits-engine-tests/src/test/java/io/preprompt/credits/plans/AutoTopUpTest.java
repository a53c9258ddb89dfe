package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import io.preprompt.credits.testkit.RecordingBillingGateway.PackCharge;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The automatic top-up: below the threshold a pack is ordered once per crossing, never above the
 * monthly cap, granted once when paid, sent again (under the same reference) when the gateway
 * refused it or its instance vanished.
 */
@DisplayName("Automatic top-up")
class AutoTopUpTest {
  /** Mid-month, so that a month later is another calendar month. */
  private static final Instant T0 = Instant.parse("2026-03-10T09:00:00Z");
  /** Studio grants 1,000 credits a cycle; pack_500 costs 500 (USD cents). */
  private static final AutoTopUp BELOW_200 = new AutoTopUp(200, "pack_500", 1_000);

  private static AccountId subscribed(PlansFixture f) {
    AccountId alice = f.open("alice");
    f.subscribePaid(alice, "studio");
    return alice;
  }

  private static List<PackCharge> charges(PlansFixture f) {
    return f.gateway.packCharges();
  }

  /** Confirms a top-up's payment as the billing system would. */
  private static BillingOutcome pay(PlansFixture f, AccountId account, PackCharge charge, String eventId) {
    return f.plans.handle(new BillingEvent.PackPaid(eventId, account, charge.packId(), charge.reference(),
        charge.priceMinor(), charge.currency()));
  }

  @Nested
  @DisplayName("a fall below the threshold")
  class Crossing {
    @Test
    @DisplayName("orders the pack once, under a reference naming the account, and shows it in the overview")
    void ordersOnce() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      f.spend(alice, 700);
      assertThat(charges(f)).isEmpty();
      f.spend(alice, 150); // 150 left: below 200
      assertThat(charges(f)).singleElement().satisfies(c -> {
        assertThat(c.account()).isEqualTo(alice);
        assertThat(c.packId()).isEqualTo("pack_500");
        assertThat(c.priceMinor()).isEqualTo(500);
        assertThat(c.currency()).isEqualTo("USD");
        assertThat(c.reference()).startsWith("topup:alice:");
      });
      f.spend(alice, 50);
      f.hold(alice, 60);
      assertThat(charges(f)).as("still below, same crossing").hasSize(1);
      TopUpStatus status = f.plans.overview(alice).topUp();
      assertThat(status.setting()).isEqualTo(BELOW_200);
      assertThat(status.armed()).isFalse();
      assertThat(status.spentThisMonthMinor()).isEqualTo(500);
      assertThat(status.monthStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(status.pendingReference()).isEqualTo(charges(f).get(0).reference());
      f.assertConserved(alice);
    }

    @Test
    @DisplayName("is any change that lowers available credits: a hold, or a lot's expiry")
    void anyChange() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      f.hold(alice, 900);
      assertThat(charges(f)).hasSize(1);

      PlansFixture g = new PlansFixture(T0);
      AccountId bob = subscribed(g);
      g.spend(bob, 1_000);
      g.credits.grant(bob, LotSource.PROMOTION, io.preprompt.credits.core.CreditAmount.of(300), T0.plus(Duration.ofDays(1)),
          g.key());
      g.plans.enableAutoTopUp(bob, BELOW_200, g.key());
      assertThat(charges(g)).isEmpty();
      g.clock.advance(Duration.ofDays(2));
      g.credits.sweep();
      assertThat(charges(g)).as("the promotion expired: 0 left").hasSize(1);
    }

    @Test
    @DisplayName("when the top-up is enabled below the threshold, orders at once")
    void enabledBelow() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.spend(alice, 900);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      assertThat(charges(f)).hasSize(1);
    }

    @Test
    @DisplayName("buys nothing once the top-up is disabled")
    void disabled() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      TopUpStatus off = f.plans.disableAutoTopUp(alice, f.key());
      assertThat(off.setting()).isNull();
      f.spend(alice, 900);
      assertThat(charges(f)).isEmpty();
      assertThat(f.plans.overview(alice).topUp().setting()).isNull();
    }

    @Test
    @DisplayName("buys nothing after the subscription ended (the free tier buys no packs)")
    void cancelled() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      f.plans.cancel(alice, f.key());
      f.clock.advance(Duration.ofDays(40));
      f.spend(alice, 900);
      assertThat(charges(f)).isEmpty();
    }
  }

  @Nested
  @DisplayName("the payment")
  class Payment {
    @Test
    @DisplayName("grants the pack once however often the webhook is retried, and re-arms the top-up")
    void grantsOnceAndReArms() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      f.spend(alice, 900);
      PackCharge charge = charges(f).get(0);
      assertThat(pay(f, alice, charge, "evt-1").effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(pay(f, alice, charge, "evt-1").effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(pay(f, alice, charge, "evt-2").effect()).as("another event, same payment")
          .isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(f.available(alice)).isEqualTo(600);
      List<LedgerEntry> packs = f.ledger(alice).stream()
          .filter(e -> e.type() == EntryType.GRANT && e.source() == LotSource.PACK).toList();
      assertThat(packs).singleElement().satisfies(e -> {
        assertThat(e.amount()).isEqualTo(500);
        assertThat(e.metadata()).containsEntry("autoTopUp", "true").containsEntry("paymentReference", charge.reference());
      });
      TopUpStatus status = f.plans.overview(alice).topUp();
      assertThat(status.armed()).isTrue();
      assertThat(status.pendingReference()).isNull();

      f.spend(alice, 450); // 150 left: the second crossing
      assertThat(charges(f)).hasSize(2);
      assertThat(charges(f).get(1).reference()).isNotEqualTo(charge.reference());
      f.assertConserved(alice);
    }

    @Test
    @DisplayName("of a pack that leaves the account below the threshold does not re-arm it")
    void stillBelow() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, new AutoTopUp(800, "pack_500", 5_000), f.key());
      f.spend(alice, 900); // 100 left
      pay(f, alice, charges(f).get(0), "evt-1"); // 600: still below 800
      f.spend(alice, 10);
      assertThat(charges(f)).hasSize(1);
      assertThat(f.plans.overview(alice).topUp().armed()).isFalse();
    }
  }

  @Nested
  @DisplayName("the monthly cap")
  class Cap {
    @Test
    @DisplayName("stops the second top-up in a month, records the skip, and a new month buys it")
    void capAndNewMonth() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, new AutoTopUp(200, "pack_500", 900), f.key());
      f.spend(alice, 900);
      pay(f, alice, charges(f).get(0), "evt-1"); // 600
      f.spend(alice, 500); // 100: the cap (900) leaves no room for another 500
      assertThat(charges(f)).hasSize(1);
      TopUpStatus status = f.plans.overview(alice).topUp();
      assertThat(status.skippedAt()).isEqualTo(f.clock.instant());
      assertThat(status.spentThisMonthMinor()).isEqualTo(500);

      f.clock.set(Instant.parse("2026-04-01T00:00:00Z"));
      assertThat(f.plans.overview(alice).topUp().spentThisMonthMinor()).isZero();
      f.spend(alice, 1);
      assertThat(charges(f)).as("a new month: the crossing that waited buys").hasSize(2);
      assertThat(f.plans.overview(alice).topUp().spentThisMonthMinor()).isEqualTo(500);
    }

    @Test
    @DisplayName("is kept across disabling and enabling again")
    void keptAcrossDisable() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, new AutoTopUp(200, "pack_500", 500), f.key());
      f.spend(alice, 900);
      pay(f, alice, charges(f).get(0), "evt-1");
      f.plans.disableAutoTopUp(alice, f.key());
      f.plans.enableAutoTopUp(alice, new AutoTopUp(200, "pack_500", 500), f.key());
      f.spend(alice, 500);
      assertThat(charges(f)).hasSize(1);
    }
  }

  @Nested
  @DisplayName("the charge request")
  class Sending {
    @Test
    @DisplayName("refused by the gateway is asked again by renewDue after a back-off, under the same reference")
    void refusedThenRetried() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      f.plans.enableAutoTopUp(alice, BELOW_200, f.key());
      f.gateway.refuseNext(1);
      f.spend(alice, 900); // the spend succeeds though the gateway refused
      assertThat(f.available(alice)).isEqualTo(100);
      assertThat(charges(f)).isEmpty();
      assertThat(f.gateway.refused()).hasSize(1);
      String reference = ((PackCharge) f.gateway.refused().get(0)).reference();
      f.plans.renewDue();
      assertThat(charges(f)).as("before the back-off").isEmpty();
      f.clock.advance(Duration.ofMinutes(1));
      f.plans.renewDue();
      assertThat(charges(f)).singleElement().extracting(PackCharge::reference).isEqualTo(reference);
      f.clock.advance(Duration.ofHours(1));
      f.plans.renewDue();
      f.spend(alice, 10);
      assertThat(charges(f)).hasSize(1);
    }

    @Test
    @DisplayName("lost with its instance after the commit is sent after the claim timeout, once")
    void crashAfterCommit() {
      MutableClock clock = new MutableClock(T0);
      RecordingBillingGateway gateway = new RecordingBillingGateway();
      AtomicBoolean crash = new AtomicBoolean();
      ForwardingCreditStore store = new ForwardingCreditStore(new InMemoryCreditStore()) {
        @Override
        public void whenDurable(Runnable action) {
          if (!crash.get()) {
            super.whenDurable(action);
          }
        }
      };
      Credits all = Credits.builder().store(store).clock(clock).billing(gateway).build();
      AccountId alice = AccountId.of("alice");
      all.credits().openAccount(alice, IdempotencyKey.of("open"));
      all.plans().subscribe(alice, "studio", IdempotencyKey.of("sub"));
      all.plans().handle(new BillingEvent.CyclePaid("evt-0", alice, 0));
      all.plans().enableAutoTopUp(alice, BELOW_200, IdempotencyKey.of("top-up"));
      crash.set(true); // the instance dies between the commit and the gateway call
      all.credits().hold(io.preprompt.credits.balance.HoldRequest.of(alice,
          io.preprompt.credits.core.CreditAmount.of(900), IdempotencyKey.of("spend")));
      crash.set(false);
      assertThat(gateway.packCharges()).isEmpty();
      all.plans().renewDue();
      assertThat(gateway.packCharges()).as("another instance may still be sending it").isEmpty();
      clock.advance(PlanService.CHARGE_CLAIM_TIMEOUT);
      all.plans().renewDue();
      all.plans().renewDue();
      assertThat(gateway.packCharges()).hasSize(1);
      clock.advance(PlanService.CHARGE_CLAIM_TIMEOUT.multipliedBy(2));
      all.plans().renewDue();
      assertThat(gateway.packCharges()).as("accepted: never asked again").hasSize(1);
    }
  }

  @Nested
  @DisplayName("enabling")
  class Enabling {
    @Test
    @DisplayName("is exactly-once per key: the same call replays, another setting conflicts")
    void idempotent() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      IdempotencyKey key = f.key();
      TopUpStatus first = f.plans.enableAutoTopUp(alice, BELOW_200, key);
      assertThat(f.plans.enableAutoTopUp(alice, BELOW_200, key)).isEqualTo(first);
      assertThatThrownBy(() -> f.plans.enableAutoTopUp(alice, new AutoTopUp(300, "pack_500", 1_000), key))
          .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    @DisplayName("refuses a cap below the pack, the free tier and an unknown pack, changing nothing")
    void badInput() {
      PlansFixture f = new PlansFixture(T0);
      AccountId alice = subscribed(f);
      AccountId bob = f.open("bob");
      assertThatThrownBy(() -> f.plans.enableAutoTopUp(alice, new AutoTopUp(200, "pack_500", 499), f.key()))
          .isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code()).isEqualTo(ErrorCode.TOP_UP_CAP_BELOW_PACK);
      assertThatThrownBy(() -> f.plans.enableAutoTopUp(bob, BELOW_200, f.key()))
          .isInstanceOf(StateException.class)
          .extracting(e -> ((StateException) e).code()).isEqualTo(ErrorCode.PACKS_REQUIRE_PAID_TIER);
      assertThatThrownBy(() -> f.plans.enableAutoTopUp(alice, new AutoTopUp(200, "pack_1m", 10_000), f.key()))
          .isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code()).isEqualTo(ErrorCode.UNKNOWN_PACK);
      assertThatThrownBy(() -> new AutoTopUp(0, "pack_500", 1_000))
          .isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code()).isEqualTo(ErrorCode.INVALID_AMOUNT);
      assertThat(f.plans.overview(alice).topUp().setting()).isNull();
      f.spend(alice, 900);
      assertThat(charges(f)).isEmpty();
    }
  }

  @Test
  @DisplayName("an account whose tier was retired from the catalog keeps spending; its top-up buys nothing")
  void retiredTier() {
    PlansFixture f = new PlansFixture(T0);
    AccountId alice = subscribed(f);
    f.plans.enableAutoTopUp(alice, new AutoTopUp(f.available(alice) - 5, "pack_500", 100_000), f.key());
    TierCatalog.Builder without = TierCatalog.builder();
    TierCatalog.defaults().tiers().stream().filter(t -> !t.id().equals("studio")).forEach(without::tier);
    Credits retired = Credits.builder().store(f.store).clock(f.clock).tiers(without.build()).billing(f.gateway)
        .build();
    long before = f.available(alice);
    Hold hold = retired.credits().hold(HoldRequest.of(alice, CreditAmount.of(10), f.key()));
    assertThat(retired.credits().balance(alice).available()).isEqualTo(before - 10);
    retired.credits().settle(alice, hold.id(), f.key());
    assertThat(charges(f)).isEmpty();
  }

  @Test
  @DisplayName("16 threads spending at once cross the threshold together: the gateway is asked once")
  void sixteenThreadsBuyOnce() throws Exception {
    PlansFixture f = new PlansFixture(T0);
    AccountId alice = subscribed(f);
    f.plans.enableAutoTopUp(alice, new AutoTopUp(900, "pack_500", 100_000), f.key());
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < 3; i++) {
            PlansFixture.retrying(() -> {
              f.spend(alice, 10);
              return null;
            });
          }
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
    assertThat(f.available(alice)).isEqualTo(1_000 - 16 * 3 * 10);
    assertThat(charges(f)).hasSize(1);
    f.assertConserved(alice);
  }
}
