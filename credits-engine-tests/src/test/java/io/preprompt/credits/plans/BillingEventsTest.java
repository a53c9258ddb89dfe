package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.testkit.RecordingBillingGateway.PackCharge;
import io.preprompt.credits.testkit.RecordingBillingGateway.SubscriptionCharge;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Billing confirmations that arrive twice, late or out of order never grant twice. */
@DisplayName("Billing events")
class BillingEventsTest {

  private static final Instant ANCHOR = Instant.parse("2026-01-31T10:00:00Z");

  private static BillingEvent.CyclePaid paid(String id, AccountId account, long cycle) {
    return new BillingEvent.CyclePaid(id, account, cycle);
  }

  @Nested
  @DisplayName("Cycle payments")
  class CyclePayments {

    @Test
    @DisplayName("The subscription asks the gateway to charge cycle 0, and the allowance waits for the payment")
    void subscribeChargesCycleZero() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.plans.subscribe(account, "studio", f.key());
      SubscriptionCharge charge = f.gateway.last(SubscriptionCharge.class);
      assertThat(charge.cycle()).isZero();
      assertThat(charge.tierId()).isEqualTo("studio");
      assertThat(charge.cycleStart()).isEqualTo(ANCHOR);
      assertThat(charge.cycleEnd()).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
      assertThat(f.available(account)).isZero();
      assertThat(f.plans.handle(paid("e0", account, charge.cycle())).credits()).isEqualTo(1_000);
      assertThat(f.available(account)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("The same CyclePaid twice: the second is DUPLICATE and changes nothing")
    void sameEventTwice() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.plans.subscribe(account, "studio", f.key());
      assertThat(f.plans.handle(paid("e0", account, 0)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      Map<String, Object> before = f.store.dump(account);

      BillingOutcome again = f.plans.handle(paid("e0", account, 0));

      assertThat(again.effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(again.credits()).isZero();
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.refilledCycles(account)).containsExactly(0L);
      assertThat(f.available(account)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("Two event ids for the same cycle: one grant, the second is IGNORED")
    void twoEventIdsSameCycle() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.plans.subscribe(account, "studio", f.key());
      f.plans.handle(paid("e0", account, 0));
      f.spend(account, 100);

      BillingOutcome second = f.plans.handle(paid("e0-retry", account, 0));

      assertThat(second.effect()).isEqualTo(BillingOutcome.Effect.IGNORED);
      assertThat(f.refilledCycles(account)).containsExactly(0L);
      assertThat(f.available(account)).isEqualTo(900);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Cycle 2 paid before cycle 1: cycle 1 arrives late and is IGNORED, nothing is granted twice")
    void reordered() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.plans.subscribe(account, "studio", f.key());
      f.plans.handle(paid("e0", account, 0));
      f.clock.set(Instant.parse("2026-03-31T10:00:00Z")); // cycle 2 has started; cycle 1's webhook is late

      assertThat(f.plans.handle(paid("e2", account, 2)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      BillingOutcome late = f.plans.handle(paid("e1", account, 1));

      assertThat(late.effect()).isEqualTo(BillingOutcome.Effect.IGNORED);
      assertThat(f.refilledCycles(account)).containsExactly(0L, 2L);
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.plans.renewDue()).isZero();
      assertThat(f.plans.overview(account).cycleStart()).isEqualTo(Instant.parse("2026-03-31T10:00:00Z"));
      f.assertConserved(account);
    }

    @Test
    @DisplayName("PaymentFailed after CyclePaid for the same cycle is IGNORED; the subscription stays active")
    void failureAfterPayment() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio");
      f.clock.set(Instant.parse("2026-02-28T10:00:00Z"));
      f.plans.handle(paid("e1", account, 1));

      BillingOutcome failed = f.plans.handle(new BillingEvent.PaymentFailed("f1", account, 1));

      assertThat(failed.effect()).isEqualTo(BillingOutcome.Effect.IGNORED);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.ACTIVE);
      assertThat(f.available(account)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("PaymentFailed: past due, no refill (not even from the clock), no packs; a later CyclePaid recovers")
    void failedPayment() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio");
      f.spend(account, 400);
      f.clock.set(Instant.parse("2026-02-28T10:00:00Z"));

      assertThat(f.plans.handle(new BillingEvent.PaymentFailed("f1", account, 1)).effect())
          .isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.PAST_DUE);
      assertThat(f.plans.renewDue()).isZero();
      f.clock.set(Instant.parse("2026-03-05T00:00:00Z"));
      assertThat(f.plans.renewDue()).isZero();
      assertThat(f.available(account)).as("balance kept, not refilled").isEqualTo(600);
      assertThatThrownBy(() -> f.plans.buyPack(account, "pack_500", f.key()))
          .isInstanceOfSatisfying(StateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PACKS_REQUIRE_PAID_TIER));

      assertThat(f.plans.handle(paid("e1", account, 1)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.ACTIVE);
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L);
      f.assertConserved(account);
    }
  }

  @Nested
  @DisplayName("Pack payments")
  class PackPayments {

    @Test
    @DisplayName("PackPaid twice with different event ids but the same payment reference grants one pack")
    void samePaymentTwice() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio");
      f.plans.buyPack(account, "pack_500", f.key());
      String reference = f.gateway.last(PackCharge.class).reference();

      BillingOutcome first = f.plans.handle(new BillingEvent.PackPaid("p-1", account, "pack_500", reference, 500, "USD"));
      Map<String, Object> before = f.store.dump(account);
      BillingOutcome second = f.plans.handle(new BillingEvent.PackPaid("p-2", account, "pack_500", reference, 500, "USD"));
      BillingOutcome third = f.plans.handle(new BillingEvent.PackPaid("p-1", account, "pack_500", reference, 500, "USD"));

      assertThat(first.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(second.effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(third.effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.balance(account).packCredits()).isEqualTo(500);
      assertThat(f.balance(account).lots()).filteredOn(l -> l.source() == LotSource.PACK).hasSize(1);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Two orders are two payments: each grants its own pack")
    void twoOrders() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio");
      f.buyAndPayPack(account, "pack_500");
      f.buyAndPayPack(account, "pack_500");
      assertThat(f.balance(account).packCredits()).isEqualTo(1_000);
      assertThat(f.gateway.packCharges()).extracting(PackCharge::reference).doesNotHaveDuplicates().hasSize(2);
    }
  }

  @Nested
  @DisplayName("Rollover")
  class Rollover {

    @Test
    @DisplayName("Studio Pro rolls over at most 1,000 unused credits into the next cycle")
    void studioProCap() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio_pro");
      f.spend(account, 500); // 2,500 unused

      f.payCycle(account, 1);
      assertThat(f.available(account)).isEqualTo(3_000 + 1_000);
      assertThat(f.plans.overview(account).allowanceTotal()).isEqualTo(4_000);

      f.payCycle(account, 2); // nothing spent: still only 1,000 rolls over, not 4,000
      assertThat(f.available(account)).isEqualTo(3_000 + 1_000);

      f.spend(account, 3_800);
      f.payCycle(account, 3); // 200 unused: all of it rolls over
      assertThat(f.available(account)).isEqualTo(3_000 + 200);
      assertThat(f.assertConserved(account).expired()).isEqualTo(1_500 + 3_000);
    }

    @Test
    @DisplayName("Studio has no rollover: unused allowance expires at the refill")
    void studioNoRollover() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio");
      f.spend(account, 300);
      f.payCycle(account, 1);
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.assertConserved(account).expired()).isEqualTo(700);
    }

    @Test
    @DisplayName("Credits held across a refill and released afterwards do not roll over beyond the cap")
    void heldCreditsDoNotBypassTheCap() {
      PlansFixture f = new PlansFixture(ANCHOR);
      AccountId account = f.open("acct");
      f.subscribePaid(account, "studio_pro");
      f.clock.set(Instant.parse("2026-02-28T09:55:00Z"));
      var hold = f.hold(account, 2_500); // a generation is running when the cycle turns

      f.clock.set(Instant.parse("2026-02-28T10:00:00Z"));
      f.payCycle(account, 1);
      f.credits.release(account, hold, "generation failed", f.key());

      long oldAllowanceLeft = f.balance(account).lots().stream()
          .filter(l -> l.source() == LotSource.MONTHLY_ALLOWANCE && l.granted() == 3_000 && l.grantedAt().equals(ANCHOR))
          .mapToLong(Lot::remaining).sum();
      assertThat(oldAllowanceLeft).as("credits of cycle 0 still available in cycle 1").isLessThanOrEqualTo(1_000);
      assertThat(f.available(account)).isLessThanOrEqualTo(3_000 + 1_000);
      // 500 were available at the refill and all roll over; the 2,500 returned later belong to the old cycle and expire.
      assertThat(f.available(account)).isEqualTo(3_000 + 500);
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L);
      f.assertConserved(account);
    }
  }
}
