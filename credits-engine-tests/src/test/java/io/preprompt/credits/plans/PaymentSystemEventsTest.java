package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Events as a payment system reports them: paid periods named by their start and end, plan changes
 * it already made, refunds. None of them calls the billing gateway.
 */
@DisplayName("Payment system events")
class PaymentSystemEventsTest {

  /** Jan 31: the cycles are clamped at month end (Feb 28, Mar 31, Apr 30, May 31). */
  private static final Instant P0 = Instant.parse("2026-01-31T10:00:00Z");
  private static final Instant P1 = Instant.parse("2026-02-28T10:00:00Z");
  private static final Instant P2 = Instant.parse("2026-03-31T10:00:00Z");
  private static final Instant P3 = Instant.parse("2026-04-30T10:00:00Z");
  private static final Instant P4 = Instant.parse("2026-05-31T10:00:00Z");

  private static BillingEvent.PeriodPaid period(String eventId, AccountId account, String tier, Instant start,
      Instant end) {
    return new BillingEvent.PeriodPaid(eventId, account, tier, start, end, "in_" + eventId, 1_200, "USD");
  }

  /** An account whose subscription the payment system started with a paid first period. */
  private static AccountId startedByPayment(PlansFixture f, String id, String tier) {
    AccountId account = f.open(id);
    assertThat(f.plans.handle(period("first-" + id, account, tier, P0, P1)).effect())
        .isEqualTo(BillingOutcome.Effect.APPLIED);
    return account;
  }

  private static void assertRefused(Runnable call, Class<? extends CreditsException> type, ErrorCode code) {
    assertThatThrownBy(call::run).isInstanceOf(type).extracting(e -> ((CreditsException) e).code()).isEqualTo(code);
  }

  @Nested
  @DisplayName("Paid periods")
  class PaidPeriods {

    @Test
    @DisplayName("A first PeriodPaid starts the subscription without the gateway; three renewals by period refill as the help page says")
    void subscriptionStartedByPayment() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = f.open("acct");
      f.plans.verifyEmail(account, f.key());

      BillingOutcome first = f.plans.handle(period("e0", account, "studio", P0, P1));

      assertThat(first.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(first.credits()).isEqualTo(1_000);
      assertThat(f.available(account)).isEqualTo(1_200);
      assertThat(f.plans.currentTier(account).id()).isEqualTo("studio");
      assertThat(f.plans.mayBuyPacks(account)).isTrue();
      assertThat(f.plans.overview(account).cycleEnd()).isEqualTo(P1);
      f.spend(account, 700);

      Instant[] starts = {P1, P2, P3};
      Instant[] ends = {P2, P3, P4};
      for (int n = 0; n < 3; n++) {
        f.clock.set(starts[n]);
        BillingOutcome renewal = f.plans.handle(period("e" + (n + 1), account, "studio", starts[n], ends[n]));
        assertThat(renewal.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
        assertThat(renewal.credits()).isEqualTo(1_000);
        // The allowance refreshes each month; the signup credits never refill and stay until spent.
        assertThat(f.balance(account).allowanceCredits()).isEqualTo(1_000);
        assertThat(f.plans.overview(account).cycleStart()).isEqualTo(starts[n]);
        assertThat(f.plans.overview(account).cycleEnd()).isEqualTo(ends[n]);
        assertThat(f.plans.renewDue()).isZero();
      }
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L, 2L, 3L);
      assertThat(f.available(account)).isEqualTo(1_000); // the 700 spent drew the signup credits first
      assertThat(f.gateway.requests()).isEmpty();
      f.assertConserved(account);
    }

    @Test
    @DisplayName("The ledger's allowance grant names the payment, its amount and currency")
    void grantRemembersPayment() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");

      LedgerEntry grant = f.ledger(account).stream()
          .filter(e -> e.type() == EntryType.GRANT && e.source() == LotSource.MONTHLY_ALLOWANCE).findFirst().orElseThrow();

      assertThat(grant.metadata()).containsEntry("paymentReference", "in_first-acct").containsEntry("amountMinor", "1200")
          .containsEntry("currency", "USD").containsEntry("cycle", "0");
    }

    @Test
    @DisplayName("A period paid after subscribe() refills that subscription's cycle 0")
    void afterSubscribe() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = f.open("acct");
      f.plans.subscribe(account, "studio", f.key());

      assertThat(f.plans.handle(period("e0", account, "studio", P0, P1)).credits()).isEqualTo(1_000);
      assertThat(f.refilledCycles(account)).containsExactly(0L);
      assertThat(f.plans.renewDue()).isZero();
      assertThat(f.gateway.subscriptionCharges()).hasSize(1); // subscribe's own request, and no other
    }

    @Test
    @DisplayName("A period that has not started is refused with BILLING_PERIOD_NOT_STARTED, nothing written; it applies once started")
    void futurePeriod() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.clock.set(P1.minusSeconds(1));
      Map<String, Object> before = f.store.dump(account);
      BillingEvent.PeriodPaid next = period("e1", account, "studio", P1, P2);

      assertRefused(() -> f.plans.handle(next), StateException.class, ErrorCode.BILLING_PERIOD_NOT_STARTED);
      assertThat(f.store.dump(account)).isEqualTo(before);

      f.clock.set(P1);
      assertThat(f.plans.handle(next).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L);
    }

    @Test
    @DisplayName("A first period that has not started does not start a subscription")
    void futureFirstPeriod() {
      PlansFixture f = new PlansFixture(P0.minusSeconds(60));
      AccountId account = f.open("acct");
      Map<String, Object> before = f.store.dump(account);

      assertRefused(() -> f.plans.handle(period("e0", account, "studio", P0, P1)), StateException.class,
          ErrorCode.BILLING_PERIOD_NOT_STARTED);

      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.plans.currentTier(account).paid()).isFalse();
    }

    @Test
    @DisplayName("The same event twice is DUPLICATE; the same period under another event id is IGNORED")
    void duplicates() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = f.open("acct");
      f.plans.handle(period("e0", account, "studio", P0, P1));
      f.spend(account, 100);
      Map<String, Object> before = f.store.dump(account);

      assertThat(f.plans.handle(period("e0", account, "studio", P0, P1)).effect())
          .isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.plans.handle(period("e0-again", account, "studio", P0, P1)).effect())
          .isEqualTo(BillingOutcome.Effect.IGNORED);

      assertThat(f.refilledCycles(account)).containsExactly(0L);
      assertThat(f.available(account)).isEqualTo(900);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Period 3 paid before periods 1 and 2: they arrive late and are IGNORED, as CyclePaid does")
    void reordered() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.clock.set(P3);

      assertThat(f.plans.handle(period("e3", account, "studio", P3, P4)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.plans.handle(period("e2", account, "studio", P2, P3)).effect()).isEqualTo(BillingOutcome.Effect.IGNORED);
      assertThat(f.plans.handle(period("e1", account, "studio", P1, P2)).effect()).isEqualTo(BillingOutcome.Effect.IGNORED);

      assertThat(f.refilledCycles(account)).containsExactly(0L, 3L);
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(f.plans.overview(account).cycleStart()).isEqualTo(P3);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Periods delivered in order, each twice under two ids: every cycle refilled exactly once")
    void inOrderTwice() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = f.open("acct");
      Instant[] bounds = {P0, P1, P2, P3, P4};
      for (int n = 0; n < 4; n++) {
        f.clock.set(bounds[n]);
        for (String id : List.of("a", "b")) {
          f.plans.handle(period(id + n, account, "studio", bounds[n], bounds[n + 1]));
          f.plans.handle(period(id + n, account, "studio", bounds[n], bounds[n + 1]));
        }
      }
      assertThat(f.refilledCycles(account)).containsExactly(0L, 1L, 2L, 3L);
      assertThat(f.gateway.requests()).isEmpty();
      f.assertConserved(account);
    }

    @Test
    @DisplayName("A period whose end is not its cycle's end, or whose start is no cycle's start, is refused with BILLING_PERIOD_MISMATCH")
    void mismatchedPeriod() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.clock.set(P2);
      Map<String, Object> before = f.store.dump(account);

      assertRefused(() -> f.plans.handle(period("e1", account, "studio", P1, P1.plusSeconds(30 * 86_400L))),
          InvalidRequestException.class, ErrorCode.BILLING_PERIOD_MISMATCH);
      assertRefused(() -> f.plans.handle(period("e1", account, "studio", P1.plusSeconds(1), P2)),
          InvalidRequestException.class, ErrorCode.BILLING_PERIOD_MISMATCH);
      assertRefused(() -> f.plans.handle(period("e1", account, "studio_plus", P1, P2)),
          InvalidRequestException.class, ErrorCode.BILLING_PERIOD_MISMATCH);

      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.plans.handle(period("e1", account, "studio", P1, P2)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    }

    @Test
    @DisplayName("A first period that is not a calendar month is refused; an unknown tier too; nothing starts")
    void badFirstPeriod() {
      PlansFixture f = new PlansFixture(P1);
      AccountId account = f.open("acct");
      Map<String, Object> before = f.store.dump(account);

      assertRefused(() -> f.plans.handle(period("e0", account, "studio", P0, P0.plusSeconds(86_400L * 365))),
          InvalidRequestException.class, ErrorCode.BILLING_PERIOD_MISMATCH);
      assertRefused(() -> f.plans.handle(period("e0", account, "studio_max", P0, P1)),
          InvalidRequestException.class, ErrorCode.UNKNOWN_TIER);
      assertRefused(() -> f.plans.handle(period("e0", account, "free", P0, P1)),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);

      assertThat(f.store.dump(account)).isEqualTo(before);
    }

    @Test
    @DisplayName("A cancelled subscription's late period is IGNORED; a period after it starts a new subscription")
    void afterCancellation() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.plans.handle(new BillingEvent.SubscriptionCancelled("c1", account, P1));
      f.clock.set(P2);

      assertThat(f.plans.handle(period("late", account, "studio", P0, P1)).effect())
          .isEqualTo(BillingOutcome.Effect.IGNORED);
      BillingOutcome again = f.plans.handle(period("new", account, "studio_pro", P2, P3));

      assertThat(again.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(again.credits()).isEqualTo(3_000);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.ACTIVE);
      assertThat(f.plans.currentTier(account).id()).isEqualTo("studio_pro");
      assertThat(f.gateway.requests()).isEmpty();
    }

    @Test
    @DisplayName("PeriodPaymentFailed makes the subscription past due until the period is paid; after it is paid it is IGNORED")
    void periodPaymentFailed() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.clock.set(P1);

      BillingOutcome failed = f.plans.handle(new BillingEvent.PeriodPaymentFailed("f1", account, P1, P2));

      assertThat(failed.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.PAST_DUE);
      assertThat(f.plans.handle(new BillingEvent.PeriodPaymentFailed("f1", account, P1, P2)).effect())
          .isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(f.plans.handle(period("e1", account, "studio", P1, P2)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(f.plans.overview(account).status()).isEqualTo(SubscriptionStatus.ACTIVE);
      assertThat(f.plans.handle(new BillingEvent.PeriodPaymentFailed("f1-late", account, P1, P2)).effect())
          .isEqualTo(BillingOutcome.Effect.IGNORED);
      assertRefused(() -> f.plans.handle(new BillingEvent.PeriodPaymentFailed("f2", account, P2.plusSeconds(1), P3)),
          InvalidRequestException.class, ErrorCode.BILLING_PERIOD_MISMATCH);
      AccountId nobody = f.open("free");
      assertThat(f.plans.handle(new BillingEvent.PeriodPaymentFailed("f3", nobody, P1, P2)).effect())
          .isEqualTo(BillingOutcome.Effect.IGNORED);
    }
  }

  @Nested
  @DisplayName("Plan changes the payment system made")
  class PlanChanges {

    @Test
    @DisplayName("An upgrade switches now and pro-rates exactly as changePlan does, without calling the gateway")
    void upgradeProrates() {
      PlansFixture f = new PlansFixture(P0);
      AccountId byEvent = startedByPayment(f, "by-event", "studio");
      AccountId byHost = startedByPayment(f, "by-host", "studio");
      f.clock.set(Instant.parse("2026-02-14T10:00:00Z")); // 14 of the cycle's 28 days left

      BillingOutcome outcome = f.plans.handle(new BillingEvent.PlanChanged("pc1", byEvent, "studio_pro", f.clock.instant()));

      assertThat(outcome.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(outcome.credits()).isEqualTo(1_000); // floor((3,000 - 1,000) * 14 / 28)
      assertThat(f.plans.currentTier(byEvent).id()).isEqualTo("studio_pro");
      assertThat(f.available(byEvent)).isEqualTo(2_000);
      assertThat(f.gateway.requests()).isEmpty();
      PlanChange byChangePlan = f.plans.changePlan(byHost, "studio_pro", f.key());
      assertThat(byChangePlan.proratedCredits()).isEqualTo(outcome.credits());
      assertThat(f.available(byHost)).isEqualTo(f.available(byEvent));
      assertThat(f.gateway.planChanges()).hasSize(1); // the host's own request only
      f.assertConserved(byEvent);
    }

    @Test
    @DisplayName("A downgrade waits for the next cycle, then the next period paid for the new tier refills it")
    void downgradeAtNextCycle() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio_pro");
      f.clock.set(Instant.parse("2026-02-10T10:00:00Z"));

      BillingOutcome outcome = f.plans.handle(new BillingEvent.PlanChanged("pc1", account, "studio", f.clock.instant()));

      assertThat(outcome.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(outcome.credits()).isZero();
      assertThat(f.plans.currentTier(account).id()).isEqualTo("studio_pro");
      assertThat(f.plans.overview(account).pendingTier()).isEqualTo("studio");
      f.clock.set(P1);
      assertThat(f.plans.handle(period("e1", account, "studio", P1, P2)).credits()).isEqualTo(1_000);
      assertThat(f.plans.currentTier(account).id()).isEqualTo("studio");
      assertThat(f.gateway.requests()).isEmpty();
    }

    @Test
    @DisplayName("Replays are DUPLICATE; the current tier is IGNORED; unknown, free, or no subscription are refused")
    void exactlyOnceAndRefusals() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      f.clock.set(Instant.parse("2026-02-14T10:00:00Z"));
      BillingEvent.PlanChanged up = new BillingEvent.PlanChanged("pc1", account, "studio_pro", f.clock.instant());
      f.plans.handle(up);
      Map<String, Object> before = f.store.dump(account);

      assertThat(f.plans.handle(up).effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(f.plans.handle(new BillingEvent.PlanChanged("pc2", account, "studio_pro", f.clock.instant())).effect())
          .isEqualTo(BillingOutcome.Effect.IGNORED);
      assertRefused(() -> f.plans.handle(new BillingEvent.PlanChanged("pc3", account, "studio_max", f.clock.instant())),
          InvalidRequestException.class, ErrorCode.UNKNOWN_TIER);
      assertRefused(() -> f.plans.handle(new BillingEvent.PlanChanged("pc4", account, "free", f.clock.instant())),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      AccountId free = f.open("free");
      assertRefused(() -> f.plans.handle(new BillingEvent.PlanChanged("pc5", free, "studio", f.clock.instant())),
          StateException.class, ErrorCode.SUBSCRIPTION_REQUIRED);
      assertThat(f.available(account)).isEqualTo(2_000);
      assertThat(f.gateway.requests()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Refunds")
  class Refunds {

    private long packLotRemaining(PlansFixture f, AccountId account) {
      return f.balance(account).lots().stream().filter(l -> l.source() == LotSource.PACK).mapToLong(Lot::remaining).sum();
    }

    private LedgerEntry lastDebit(PlansFixture f, AccountId account) {
      List<LedgerEntry> debits = f.ledger(account).stream().filter(e -> e.type() == EntryType.DEBIT).toList();
      return debits.get(debits.size() - 1);
    }

    @Test
    @DisplayName("A full refund of an unspent pack takes the whole pack back, as a DEBIT with reason refund")
    void fullRefund() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_500");
      assertThat(f.available(account)).isEqualTo(1_500);

      BillingOutcome outcome = f.plans.handle(new BillingEvent.Refunded("r1", account, reference, 500, 500));

      assertThat(outcome.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(outcome.credits()).isEqualTo(500);
      assertThat(f.available(account)).isEqualTo(1_000);
      assertThat(packLotRemaining(f, account)).isZero();
      LedgerEntry debit = lastDebit(f, account);
      assertThat(debit.amount()).isEqualTo(500);
      assertThat(debit.source()).isEqualTo(LotSource.PACK);
      assertThat(debit.metadata()).containsEntry("reason", "refund").containsEntry("paymentReference", reference)
          .containsEntry("notTaken", "0");
      assertThat(f.assertConserved(account).debited()).isEqualTo(500);
    }

    @Test
    @DisplayName("A partial refund takes the refunded share, rounded down; a second partial refund takes its own share")
    void partialRefund() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_1500"); // 1,500 credits for 1,200 minor units

      assertThat(f.plans.handle(new BillingEvent.Refunded("r1", account, reference, 333, 1_200)).credits())
          .isEqualTo(416); // floor(1,500 * 333 / 1,200) = floor(416.25)
      assertThat(f.plans.handle(new BillingEvent.Refunded("r2", account, reference, 400, 1_200)).credits())
          .isEqualTo(500);

      assertThat(packLotRemaining(f, account)).isEqualTo(1_500 - 416 - 500);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("Refunds that would total more than was paid are refused as PAYMENT_MISMATCH and take nothing")
    void refundsAbovePaid() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_1500"); // 1,500 credits for 1,200 minor units
      assertThat(f.plans.handle(new BillingEvent.Refunded("r1", account, reference, 800, 1_200)).credits())
          .isEqualTo(1_000);
      long before = f.available(account);
      int entries = f.ledger(account).size();

      InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
          () -> f.plans.handle(new BillingEvent.Refunded("r2", account, reference, 401, 1_200)));
      assertThat(e.code()).isEqualTo(ErrorCode.PAYMENT_MISMATCH);
      assertThat(e.getMessage()).contains("1201", "1200 paid");
      assertThat(f.available(account)).isEqualTo(before);
      assertThat(f.ledger(account)).hasSize(entries);

      // The rest of the payment can still be refunded, exactly.
      assertThat(f.plans.handle(new BillingEvent.Refunded("r3", account, reference, 400, 1_200)).credits())
          .isEqualTo(500);
      assertThat(packLotRemaining(f, account)).isZero();
      f.assertConserved(account);
    }

    @Test
    @DisplayName("A refund after part was spent takes only the unspent part and reports the spent part; no debt")
    void refundAfterSpending() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_500");
      f.spend(account, 1_300); // more than the allowance: part of the pack is spent
      long unspent = packLotRemaining(f, account);
      assertThat(unspent).isLessThan(500);

      BillingOutcome outcome = f.plans.handle(new BillingEvent.Refunded("r1", account, reference, 500, 500));

      assertThat(outcome.credits()).isEqualTo(unspent);
      assertThat(outcome.detail()).contains((500 - unspent) + " already spent");
      assertThat(lastDebit(f, account).metadata()).containsEntry("notTaken", Long.toString(500 - unspent));
      assertThat(packLotRemaining(f, account)).isZero();
      assertThat(f.available(account)).isEqualTo(1_500 - 1_300 - unspent);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("A refund of a fully spent pack takes nothing and says so")
    void refundOfSpentPack() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_500");
      f.spend(account, 1_500);

      BillingOutcome outcome = f.plans.handle(new BillingEvent.Refunded("r1", account, reference, 500, 500));

      assertThat(outcome.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(outcome.credits()).isZero();
      assertThat(outcome.detail()).contains("500 already spent");
      assertThat(f.ledger(account)).noneMatch(e -> e.type() == EntryType.DEBIT);
      assertThat(f.available(account)).isZero();
    }

    @Test
    @DisplayName("A refund of a paid period takes back its share of that period's allowance")
    void refundOfPeriod() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");

      BillingOutcome outcome = f.plans.handle(new BillingEvent.Refunded("r1", account, "in_first-acct", 600, 1_200));

      assertThat(outcome.credits()).isEqualTo(500);
      assertThat(f.balance(account).allowanceCredits()).isEqualTo(500);
      assertThat(lastDebit(f, account).source()).isEqualTo(LotSource.MONTHLY_ALLOWANCE);
      f.assertConserved(account);
    }

    @Test
    @DisplayName("A replayed refund is DUPLICATE and changes nothing")
    void replay() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      String reference = f.buyAndPayPack(account, "pack_500");
      BillingEvent.Refunded refund = new BillingEvent.Refunded("r1", account, reference, 100, 500);
      f.plans.handle(refund);
      Map<String, Object> before = f.store.dump(account);

      BillingOutcome again = f.plans.handle(refund);

      assertThat(again.effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(again.credits()).isZero();
      assertThat(f.store.dump(account)).isEqualTo(before);
      assertThat(packLotRemaining(f, account)).isEqualTo(400);
    }

    @Test
    @DisplayName("An unknown or another account's payment reference is refused with UNKNOWN_PAYMENT, nothing changed")
    void unknownReference() {
      PlansFixture f = new PlansFixture(P0);
      AccountId account = startedByPayment(f, "acct", "studio");
      AccountId other = startedByPayment(f, "other", "studio");
      String othersPack = f.buyAndPayPack(other, "pack_500");
      PackOrder unpaid = f.plans.buyPack(account, "pack_500", f.key());
      Map<String, Object> before = f.store.dump(account);

      assertRefused(() -> f.plans.handle(new BillingEvent.Refunded("r1", account, "ch_made_up", 500, 500)),
          InvalidRequestException.class, ErrorCode.UNKNOWN_PAYMENT);
      assertRefused(() -> f.plans.handle(new BillingEvent.Refunded("r2", account, othersPack, 500, 500)),
          InvalidRequestException.class, ErrorCode.UNKNOWN_PAYMENT);
      assertRefused(() -> f.plans.handle(new BillingEvent.Refunded("r3", account, unpaid.paymentReference(), 500, 500)),
          InvalidRequestException.class, ErrorCode.UNKNOWN_PAYMENT);

      assertThat(f.store.dump(account)).isEqualTo(before);
    }

    @Test
    @DisplayName("A refund of more than was paid, of nothing, or of a payment of nothing is refused when built")
    void badAmounts() {
      AccountId account = AccountId.of("acct");
      for (long[] amounts : new long[][] {{501, 500}, {0, 500}, {-1, 500}, {1, 0}}) {
        assertRefused(() -> new BillingEvent.Refunded("r1", account, "ref", amounts[0], amounts[1]),
            InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      }
    }
  }

  @Nested
  @DisplayName("Malformed events")
  class Malformed {

    @Test
    @DisplayName("Each new event checks its fields when it is built")
    void checkedWhenBuilt() {
      AccountId a = AccountId.of("acct");
      List<Runnable> bad = List.of(
          () -> new BillingEvent.PeriodPaid("e", a, "studio", P1, P1, "ref", 1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, "studio", P1, P0, "ref", 1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, "studio", null, P1, "ref", 1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, " ", P0, P1, "ref", 1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, "studio", P0, P1, "", 1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, "studio", P0, P1, "ref", -1, "USD"),
          () -> new BillingEvent.PeriodPaid("e", a, "studio", P0, P1, "ref", 1, "US"),
          () -> new BillingEvent.PeriodPaid("", a, "studio", P0, P1, "ref", 1, "USD"),
          () -> new BillingEvent.PeriodPaymentFailed("e", a, P1, P0),
          () -> new BillingEvent.PeriodPaymentFailed("e", a, P0, null),
          () -> new BillingEvent.PlanChanged("e", a, null, P0),
          () -> new BillingEvent.PlanChanged("e", a, "studio", null),
          () -> new BillingEvent.PlanChanged("e 1", a, "studio", P0),
          () -> new BillingEvent.Refunded("e", a, "bad ref", 1, 1));
      for (Runnable call : bad) {
        assertRefused(call, InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      }
      assertRefused(() -> new BillingEvent.PlanChanged("e", null, "studio", P0), InvalidRequestException.class,
          ErrorCode.INVALID_ACCOUNT_ID);
    }
  }
}
