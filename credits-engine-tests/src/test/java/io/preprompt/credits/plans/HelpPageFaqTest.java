package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.testkit.RecordingBillingGateway.Cancellation;
import io.preprompt.credits.testkit.RecordingBillingGateway.PackCharge;
import io.preprompt.credits.testkit.RecordingBillingGateway.PlanChangeNotice;
import io.preprompt.credits.testkit.RecordingBillingGateway.SubscriptionCharge;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The help page's FAQ and its statements about tiers, packs, allowances and billing, as executable
 * scenarios: one test per question, named after it. Numbers come from the default catalog (Studio
 * 1,000 a month, Studio Pro 3,000 rolling over up to 1,000, Studio+ 8,000; packs of 500, 1,500, 5,000).
 */
@DisplayName("Help page: Credits")
class HelpPageFaqTest {

  @Nested
  @DisplayName("FAQ")
  class Faq {

    @Test
    @DisplayName("Do free credits refill every month? No.")
    void freeCreditsNeverRefill() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-01-31T10:00:00Z"));
      AccountId account = f.open("free-user");

      SignupResult first = f.plans.verifyEmail(account, f.key());
      assertThat(first.granted()).isTrue();
      assertThat(first.credits()).isEqualTo(200);
      f.spend(account, 150);

      for (int month = 1; month <= 13; month++) {
        f.clock.set(Instant.parse("2026-01-31T10:00:00Z").atZone(ZoneOffset.UTC).plusMonths(month).toInstant());
        assertThat(f.plans.renewDue()).as("refills in month %d", month).isZero();
        assertThat(f.available(account)).as("balance in month %d", month).isEqualTo(50);
      }

      SignupResult again = f.plans.verifyEmail(account, f.key());
      assertThat(again.granted()).isFalse();
      assertThat(again.credits()).isZero();
      assertThat(again.detail()).contains("already granted");

      AccountOverview overview = f.plans.overview(account);
      assertThat(overview.tier().id()).isEqualTo("free");
      assertThat(overview.status()).isEqualTo(SubscriptionStatus.NONE);
      assertThat(overview.freeCredits()).isEqualTo(50);
      assertThat(overview.allowanceTotal()).isZero();
      assertThat(overview.cycleEnd()).isNull();
      assertThat(f.ledger(account)).filteredOn(e -> e.source() == LotSource.SIGNUP_GRANT && e.type().name().equals("GRANT"))
          .hasSize(1);
      assertThat(f.gateway.requests()).isEmpty();
      f.assertConserved(account);
    }

    @Test
    @DisplayName("What happens to unused credits when I cancel? Credits in your balance stay yours. "
        + "Monthly allowance stops refreshing on your cancellation date.")
    void unusedCreditsStayAfterCancelAndAllowanceStops() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-01-15T12:00:00Z"));
      AccountId account = f.open("canceller");
      f.plans.verifyEmail(account, f.key());
      f.subscribePaid(account, "studio_pro");
      f.buyAndPayPack(account, "pack_500");
      f.spend(account, 1_200); // 200 free, then 1,000 of the allowance
      assertThat(f.available(account)).isEqualTo(2_000 + 500);

      f.clock.set(Instant.parse("2026-01-20T08:00:00Z"));
      PlanChange cancel = f.plans.cancel(account, f.key());
      Instant cycleEnd = Instant.parse("2026-02-15T12:00:00Z");
      assertThat(cancel.effectiveAt()).isEqualTo(cycleEnd);
      assertThat(cancel.immediate()).isFalse();
      assertThat(f.gateway.last(Cancellation.class).effectiveAt()).isEqualTo(cycleEnd);
      // Until the cancellation date the paid tier stays.
      assertThat(f.plans.overview(account).tier().id()).isEqualTo("studio_pro");
      assertThat(f.plans.overview(account).cancelAt()).isEqualTo(cycleEnd);

      f.clock.set(cycleEnd);
      assertThat(f.plans.renewDue()).isZero();
      assertThat(f.payCycle(account, 1).effect()).isEqualTo(BillingOutcome.Effect.IGNORED);
      assertThat(f.available(account)).isEqualTo(2_500);

      AccountOverview after = f.plans.overview(account);
      assertThat(after.status()).isEqualTo(SubscriptionStatus.CANCELLED);
      assertThat(after.tier().id()).isEqualTo("free");
      assertThat(after.tier().entitlements()).isEqualTo(f.plans.tiers().free().entitlements());
      assertThat(after.canBuyPacks()).isFalse();
      assertThat(after.packCredits()).isEqualTo(500);
      assertThat(after.allowanceRemaining()).isEqualTo(2_000);

      for (int month = 1; month <= 6; month++) {
        f.clock.set(cycleEnd.atZone(ZoneOffset.UTC).plusMonths(month).toInstant());
        assertThat(f.plans.renewDue()).isZero();
        assertThat(f.available(account)).as("balance %d months after cancelling", month).isEqualTo(2_500);
      }
      assertThat(f.refilledCycles(account)).containsExactly(0L);
      f.spend(account, 2_500);
      assertThat(f.available(account)).isZero();
      assertThatThrownBy(() -> f.plans.buyPack(account, "pack_500", f.key()))
          .isInstanceOfSatisfying(StateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PACKS_REQUIRE_PAID_TIER));
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Can I buy credits without a subscription? Credit packs are available to paid-tier subscribers. "
        + "The free tier does not include pack purchases.")
    void packsNeedAPaidTier() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-03-01T09:00:00Z"));
      AccountId account = f.open("pack-buyer");
      f.plans.verifyEmail(account, f.key());
      Map<String, Object> before = f.store.dump(account);

      assertThatThrownBy(() -> f.plans.buyPack(account, "pack_500", f.key()))
          .isInstanceOfSatisfying(StateException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PACKS_REQUIRE_PAID_TIER);
            assertThat(e.getMessage()).contains("paid-tier subscribers");
          });
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.gateway.requests()).isEmpty();
      assertThat(f.plans.overview(account).canBuyPacks()).isFalse();

      f.subscribePaid(account, "studio");
      assertThat(f.plans.overview(account).canBuyPacks()).isTrue();
      PackOrder order = f.plans.buyPack(account, "pack_1500", f.key());
      PackCharge charge = f.gateway.last(PackCharge.class);
      assertThat(charge.reference()).isEqualTo(order.paymentReference());
      assertThat(charge.packId()).isEqualTo("pack_1500");
      assertThat(charge.priceMinor()).isEqualTo(1_200);
      assertThat(f.balance(account).packCredits()).as("nothing granted before payment").isZero();

      BillingOutcome paid = f.plans.handle(new BillingEvent.PackPaid("evt-pack", account, "pack_1500", charge.reference(), charge.priceMinor(), charge.currency()));
      assertThat(paid.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(paid.credits()).isEqualTo(1_500);
      assertThat(f.balance(account).packCredits()).isEqualTo(1_500);
      assertThat(f.available(account)).isEqualTo(200 + 1_000 + 1_500);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("If I upgrade mid-month, do I get a full month's credits? No: upgrades pro-rate on the billing cycle.")
    void upgradeMidMonthProRates() {
      // April has 30 days: cycle 0 runs 2026-04-01T00:00Z .. 2026-05-01T00:00Z.
      PlansFixture f = new PlansFixture(Instant.parse("2026-04-01T00:00:00Z"));
      AccountId account = f.open("upgrader");
      f.subscribePaid(account, "studio");
      f.spend(account, 600);

      f.clock.set(Instant.parse("2026-04-16T00:00:00Z")); // exactly half the cycle left
      PlanChange upgrade = f.plans.changePlan(account, "studio_pro", f.key());

      // floor((3,000 - 1,000) * 15 days / 30 days) = 1,000
      assertThat(upgrade.immediate()).isTrue();
      assertThat(upgrade.proratedCredits()).isEqualTo(1_000);
      assertThat(f.available(account)).isEqualTo(400 + 1_000);
      AccountOverview overview = f.plans.overview(account);
      assertThat(overview.tier().id()).as("entitlements switch now").isEqualTo("studio_pro");
      assertThat(overview.allowanceTotal()).isEqualTo(1_000 + 1_000);
      assertThat(overview.allowanceRemaining()).isEqualTo(1_400);
      assertThat(overview.cycleEnd()).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
      PlanChangeNotice notice = f.gateway.last(PlanChangeNotice.class);
      assertThat(notice.fromTier()).isEqualTo("studio");
      assertThat(notice.toTier()).isEqualTo("studio_pro");
      assertThat(notice.effectiveAt()).isEqualTo(Instant.parse("2026-04-16T00:00:00Z"));

      // At the next refill the Studio Pro allowance arrives; of the 1,400 left, the Studio Pro cap lets 1,000 roll over.
      f.clock.set(Instant.parse("2026-05-01T00:00:00Z"));
      assertThat(f.plans.renewDue()).isEqualTo(1);
      assertThat(f.available(account)).isEqualTo(3_000 + 1_000);
      assertThat(f.gateway.last(SubscriptionCharge.class).tierId()).isEqualTo("studio_pro");
      f.assertConserved(account);
    }

    @Test
    @DisplayName("If I upgrade mid-month, the pro-rated credits are rounded down to the millisecond")
    void upgradeProRationRoundsDown() {
      // January has 31 days; at 2026-01-21T00:00:00.001Z, 11 days minus 1 ms are left.
      PlansFixture f = new PlansFixture(Instant.parse("2026-01-01T00:00:00Z"));
      AccountId account = f.open("upgrader-2");
      f.subscribePaid(account, "studio");
      f.clock.set(Instant.parse("2026-01-21T00:00:00.001Z"));

      PlanChange upgrade = f.plans.changePlan(account, "studio_plus", f.key());

      long left = Duration.ofDays(11).toMillis() - 1;
      long length = Duration.ofDays(31).toMillis();
      assertThat(upgrade.proratedCredits())
          .isEqualTo(7_000L * left / length) // independent: 7,000 * 950,399,999 / 2,678,400,000 = 2,483.87...
          .isEqualTo(2_483);
      assertThat(f.available(account)).isEqualTo(1_000 + 2_483);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("How do I see how many credits I've used this month? The overview shows this cycle's remaining and used credits.")
    void usedThisMonth() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-06-10T00:00:00Z"));
      AccountId account = f.open("counter");
      f.subscribePaid(account, "studio");
      f.spend(account, 120);
      f.spend(account, 80);
      AccountOverview june = f.plans.overview(account);
      assertThat(june.usedThisCycle()).isEqualTo(200);
      assertThat(june.allowanceRemaining()).isEqualTo(800);
      assertThat(june.allowanceTotal()).isEqualTo(1_000);
      assertThat(june.cycleStart()).isEqualTo(Instant.parse("2026-06-10T00:00:00Z"));
      assertThat(june.cycleEnd()).isEqualTo(Instant.parse("2026-07-10T00:00:00Z"));

      f.clock.set(Instant.parse("2026-07-10T00:00:00Z"));
      f.plans.renewDue();
      f.spend(account, 30);
      AccountOverview july = f.plans.overview(account);
      assertThat(july.usedThisCycle()).isEqualTo(30);
      assertThat(july.allowanceRemaining()).isEqualTo(970);
      assertThat(july.cycleStart()).isEqualTo(Instant.parse("2026-07-10T00:00:00Z"));
    }

    @Test
    @DisplayName("Can I get a refund if a generation looks bad? Failed and blocked generations are refunded through credit release.")
    void failedGenerationsAreReleased() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-06-10T00:00:00Z"));
      AccountId account = f.open("refunded");
      f.subscribePaid(account, "studio");
      var hold = f.credits.hold(HoldRequest.of(account, CreditAmount.of(300), f.key()));
      assertThat(f.available(account)).isEqualTo(700);
      f.credits.release(account, hold.id(), "generation failed", f.key());
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.plans.overview(account).usedThisCycle()).isZero();
      f.assertConserved(account);
    }
  }

  @Nested
  @DisplayName("Tiers can be upgraded or downgraded at any time; changes take effect at your next billing cycle")
  class TierChanges {

    @Test
    @DisplayName("A downgrade is scheduled: tier and entitlements stay until the next cycle, which refills the lower allowance")
    void downgradeAtNextCycle() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-03-10T09:00:00Z"));
      AccountId account = f.open("downgrader");
      f.subscribePaid(account, "studio_plus");
      Entitlements plus = f.plans.tiers().require("studio_plus").entitlements();

      f.clock.set(Instant.parse("2026-03-25T00:00:00Z"));
      PlanChange change = f.plans.changePlan(account, "studio", f.key());
      Instant nextCycle = Instant.parse("2026-04-10T09:00:00Z");
      assertThat(change.immediate()).isFalse();
      assertThat(change.effectiveAt()).isEqualTo(nextCycle);
      assertThat(change.pendingTier()).isEqualTo("studio");
      assertThat(change.proratedCredits()).isZero();
      assertThat(f.gateway.last(PlanChangeNotice.class).effectiveAt()).isEqualTo(nextCycle);
      assertThat(f.available(account)).isEqualTo(8_000);

      f.clock.set(nextCycle.minusMillis(1));
      AccountOverview before = f.plans.overview(account);
      assertThat(before.tier().id()).isEqualTo("studio_plus");
      assertThat(before.tier().entitlements()).isEqualTo(plus);
      assertThat(before.pendingTier()).isEqualTo("studio");
      assertThat(before.canBuyPacks()).isTrue();
      assertThat(f.plans.renewDue()).isZero();
      f.spend(account, 5_000);

      f.clock.set(nextCycle);
      assertThat(f.plans.renewDue()).isEqualTo(1);
      AccountOverview after = f.plans.overview(account);
      assertThat(after.tier().id()).isEqualTo("studio");
      assertThat(after.pendingTier()).isNull();
      assertThat(after.allowanceTotal()).isEqualTo(1_000);
      // Studio has no rollover: the 3,000 Studio+ credits left expire, 1,000 arrive.
      assertThat(f.available(account)).isEqualTo(1_000);
      SubscriptionCharge charge = f.gateway.last(SubscriptionCharge.class);
      assertThat(charge.tierId()).isEqualTo("studio");
      assertThat(charge.cycle()).isEqualTo(1);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("A downgrade confirmed by CyclePaid refills the lower allowance once")
    void downgradeAppliedByBillingEvent() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-03-10T09:00:00Z"));
      AccountId account = f.open("downgrader-2");
      f.subscribePaid(account, "studio_pro");
      f.plans.changePlan(account, "studio", f.key());
      f.clock.set(Instant.parse("2026-04-10T09:00:00Z"));
      BillingOutcome paid = f.payCycle(account, 1);
      assertThat(paid.credits()).isEqualTo(1_000);
      assertThat(f.plans.overview(account).tier().id()).isEqualTo("studio");
      assertThat(f.plans.renewDue()).isZero();
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L);
    }

    @Test
    @DisplayName("With the upgrade-at-next-cycle policy an upgrade waits like a downgrade and grants nothing now")
    void upgradeAtNextCycle() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-04-01T00:00:00Z"),
          PlansConfig.defaults().withUpgradePolicy(UpgradePolicy.AT_NEXT_CYCLE));
      AccountId account = f.open("patient");
      f.subscribePaid(account, "studio");
      f.clock.set(Instant.parse("2026-04-16T00:00:00Z"));
      PlanChange change = f.plans.changePlan(account, "studio_pro", f.key());
      assertThat(change.immediate()).isFalse();
      assertThat(change.proratedCredits()).isZero();
      assertThat(change.effectiveAt()).isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
      assertThat(f.plans.overview(account).tier().id()).isEqualTo("studio");
      assertThat(f.available(account)).isEqualTo(1_000);

      f.clock.set(Instant.parse("2026-05-01T00:00:00Z"));
      assertThat(f.plans.renewDue()).isEqualTo(1);
      assertThat(f.plans.overview(account).tier().id()).isEqualTo("studio_pro");
      // The new cycle's tier decides the rollover: Studio Pro keeps up to 1,000 of the unspent Studio allowance.
      assertThat(f.available(account)).isEqualTo(3_000 + 1_000);
    }

    @Test
    @DisplayName("A pending change is withdrawn by asking for the current tier or by withdrawPendingChange")
    void pendingChangeWithdrawn() {
      PlansFixture f = new PlansFixture(Instant.parse("2026-03-10T09:00:00Z"));
      AccountId account = f.open("undecided");
      f.subscribePaid(account, "studio_plus");
      f.plans.changePlan(account, "studio", f.key());
      PlanChange back = f.plans.changePlan(account, "studio_plus", f.key());
      assertThat(back.pendingTier()).isNull();
      assertThat(f.plans.overview(account).pendingTier()).isNull();

      f.plans.changePlan(account, "studio_pro", f.key());
      assertThat(f.plans.overview(account).pendingTier()).isEqualTo("studio_pro");
      f.plans.changePlan(account, "studio", f.key());
      assertThat(f.plans.overview(account).pendingTier()).as("a new change replaces the pending one").isEqualTo("studio");
      f.plans.withdrawPendingChange(account, f.key());
      assertThat(f.plans.overview(account).pendingTier()).isNull();

      f.clock.set(Instant.parse("2026-04-10T09:00:00Z"));
      assertThat(f.plans.renewDue()).isEqualTo(1);
      assertThat(f.plans.overview(account).tier().id()).isEqualTo("studio_plus");
    }
  }

  @Nested
  @DisplayName("Packs don't expire: the credits sit in your balance until used")
  class PacksNeverExpire {

    @Test
    @DisplayName("Pack credits are still there 24 cycles later; refills never touch them")
    void packsSurviveRefills() {
      Instant anchor = Instant.parse("2026-01-31T10:00:00Z");
      PlansFixture f = new PlansFixture(anchor);
      AccountId account = f.open("hoarder");
      f.subscribePaid(account, "studio");
      f.buyAndPayPack(account, "pack_1500");
      assertThat(f.balance(account).lots()).filteredOn(l -> l.source() == LotSource.PACK)
          .singleElement().extracting(Lot::expiresAt).isNull();

      for (int cycle = 1; cycle <= 24; cycle++) {
        f.spend(account, 700); // drawn from the allowance first: it is replaced at the refill, the pack is not
        f.clock.set(anchor.atZone(ZoneOffset.UTC).plusMonths(cycle).toInstant());
        assertThat(f.plans.renewDue()).isEqualTo(1);
        assertThat(f.balance(account).packCredits()).as("pack credits after cycle %d", cycle).isEqualTo(1_500);
        assertThat(f.balance(account).allowanceCredits()).isEqualTo(1_000);
      }
      f.spend(account, 1_200); // all the allowance and 200 of the pack
      assertThat(f.balance(account).packCredits()).isEqualTo(1_300);

      f.plans.cancel(account, f.key());
      f.clock.set(anchor.atZone(ZoneOffset.UTC).plusMonths(40).toInstant());
      f.plans.renewDue();
      f.credits.sweep();
      assertThat(f.balance(account).packCredits()).as("packs outlive the subscription").isEqualTo(1_300);
      f.assertConserved(account);
    }
  }
}
