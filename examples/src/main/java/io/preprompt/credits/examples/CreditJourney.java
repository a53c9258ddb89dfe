package io.preprompt.credits.examples;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.CreditAmount;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.InsufficientCreditsException;
import io.preprompt.credits.StateException;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The help page's credit journey, printed as a transcript: sign up, verify, generate with holds,
 * a failed generation refunded, a blocked one, subscribe, refill, buy a pack, upgrade, cancel.
 */
public final class CreditJourney {
  private CreditJourney() {}

  /**
   * Runs the journey.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Runs the journey, printing to {@code out}.
   *
   * @param out where the transcript goes
   */
  public static void run(PrintStream out) {
    MutableClock clock = MutableClock.at("2026-03-10T09:00:00Z");
    CreditService credits = CreditService.builder().store(new InMemoryCreditStore()).clock(clock).build();
    PlanService plans = PlanService.create(credits, TierCatalog.defaults(), PackCatalog.defaults(),
        PlansConfig.defaults(), BillingGateway.none());
    AccountId maya = AccountId.of("user-maya");

    credits.openAccount(maya, IdempotencyKey.of("signup-maya"));
    plans.verifyEmail(maya, IdempotencyKey.of("verify-maya"));
    out.println("1. Maya verifies her email: " + line(credits.balance(maya)));

    int beat = 0;
    for (int cost : new int[] {12, 12, 15, 12, 18, 12, 15, 12}) {
      beat++;
      Hold hold = credits.hold(HoldRequest.of(maya, CreditAmount.of(cost), IdempotencyKey.of("beat-" + beat))
          .withMetadata("kind", "image").withMetadata("beat", Integer.toString(beat)));
      Settlement s = credits.settle(maya, hold.id(), IdempotencyKey.of("beat-" + beat + "-done"));
      out.println("2. Beat " + beat + " storyboard frame: held " + cost + ", settled " + s.settled());
    }
    out.println("   After an 8-beat scene: " + line(credits.balance(maya)));

    Hold failed = credits.hold(HoldRequest.of(maya, CreditAmount.of(40), IdempotencyKey.of("clip-1"))
        .withMetadata("kind", "video"));
    out.println("3. A video clip starts: " + line(credits.balance(maya)));
    credits.release(maya, failed.id(), "generation failed", IdempotencyKey.of("clip-1-failed"));
    out.println("   It fails and is refunded: " + line(credits.balance(maya)));

    try {
      credits.hold(HoldRequest.of(maya, CreditAmount.of(120), IdempotencyKey.of("clip-2")));
    } catch (InsufficientCreditsException e) {
      out.println("4. A 120-credit clip is blocked: balance " + e.available() + ", estimate " + e.requested()
          + ", short by " + e.shortfall() + "; upgrade offer: "
          + plans.tiers().paidTiers().stream().map(t -> t.name() + " (" + t.monthlyAllowance() + "/month)").toList());
    }

    try {
      plans.buyPack(maya, "pack_500", IdempotencyKey.of("pack-try"));
    } catch (StateException e) {
      out.println("5. Packs on the free tier: " + e.code());
    }

    plans.subscribe(maya, "studio", IdempotencyKey.of("sub-studio"));
    plans.handle(new BillingEvent.CyclePaid("evt-1", maya, 0));
    out.println("6. Subscribed to Studio, cycle 0 paid: " + overview(plans.overview(maya)));

    PackOrder order = plans.buyPack(maya, "pack_500", IdempotencyKey.of("pack-1"));
    plans.handle(new BillingEvent.PackPaid("evt-2", maya, "pack_500", order.paymentReference()));
    out.println("7. Bought a 500-credit pack: " + overview(plans.overview(maya)));

    clock.advance(Duration.ofDays(15));
    PlanChange upgrade = plans.changePlan(maya, "studio_pro", IdempotencyKey.of("upgrade-pro"));
    out.println("8. Upgrade to Studio Pro mid-cycle: +" + upgrade.proratedCredits() + " pro-rated credits; "
        + overview(plans.overview(maya)));

    PlanChange cancel = plans.cancel(maya, IdempotencyKey.of("cancel"));
    out.println("9. Cancelled, effective " + cancel.effectiveAt());
    clock.advance(Duration.ofDays(20));
    plans.renewDue();
    out.println("   After the cycle ended: " + overview(plans.overview(maya)));

    out.println("10. History:");
    for (LedgerEntry e : credits.history(maya, LedgerQuery.firstPage(100)).entries()) {
      out.println("   #" + e.sequence() + " " + e.type() + " " + e.amount() + " (" + e.source() + ")"
          + (e.metadata().isEmpty() ? "" : " " + e.metadata()));
    }
    out.println("   Reconciled with the ledger: " + credits.reconcile(maya).consistent());
  }

  private static String line(BalanceView b) {
    return "available " + b.available() + ", held " + b.held();
  }

  private static String overview(AccountOverview o) {
    return o.tier().name() + " (" + o.status() + "), available " + o.balance().available() + " = free "
        + o.freeCredits() + " + allowance " + o.allowanceRemaining() + "/" + o.allowanceTotal() + " + packs "
        + o.packCredits() + ", used this cycle " + o.usedThisCycle();
  }
}
