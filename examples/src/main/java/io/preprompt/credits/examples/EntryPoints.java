package io.preprompt.credits.examples;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.CreditStore;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;

/**
 * The examples in the javadoc of the entry points ({@code Credits}, {@code CreditService},
 * {@code PlanService}, {@code GenerationGate}) and of the ledger package, compiled here and run by a
 * test, so they cannot rot.
 */
public final class EntryPoints {
  private EntryPoints() {}

  /**
   * What the user had after the settle of the credit service's example, and at the end.
   *
   * @param afterSettle available credits after the settle
   * @param spent credits the ledger shows settled after the credit service's example
   * @param consistent whether the ledger replays to the stored balance
   * @param atEnd available credits after every example
   */
  public record Balances(long afterSettle, long spent, boolean consistent, long atEnd) {}

  /**
   * Runs every entry point's example, one after the other, for one user.
   *
   * @param store an empty store
   * @param billing the billing gateway
   * @return the user's available credits after the settle and at the end
   */
  public static Balances run(CreditStore store, BillingGateway billing) {
    AccountId user = AccountId.of("user-42");
    // tag::front-door[]
    Credits credits = Credits.builder()
        .store(store)                   // JdbcCreditStore.create(dataSource, config) in production
        .billing(billing)               // your payment provider's gateway
        .build();                       // once, at startup; thread-safe
    credits.credits().openAccount(user, IdempotencyKey.of("signup-42"));
    credits.plans().verifyEmail(user, IdempotencyKey.of("verify-42"));   // +200 free credits
    // end::front-door[]

    // tag::credit-service[]
    CreditService service = credits.credits();
    Hold hold = service.hold(HoldRequest.of(user, CreditAmount.of(40), IdempotencyKey.of("job-7")));
    // ... the job succeeded and cost 32 credits: the other 8 return to the balance
    service.settle(user, hold.id(), CreditAmount.of(32), IdempotencyKey.of("job-7-done"));
    long available = service.balance(user).available();                  // 168
    // end::credit-service[]

    // tag::ledger[]
    LedgerPage page = service.history(user, LedgerQuery.firstPage(100));   // oldest entry first
    long spent = page.entries().stream()
        .filter(e -> e.type() == EntryType.SETTLE).mapToLong(LedgerEntry::amount).sum();   // 32
    boolean consistent = service.reconcile(user).consistent();            // true
    // end::ledger[]

    // tag::plan-service[]
    PlanService plans = credits.plans();
    plans.subscribe(user, "studio", IdempotencyKey.of("sub-42"));         // asks the gateway to charge
    plans.handle(new BillingEvent.CyclePaid("evt_1", user, 0));           // webhook: cycle 0 paid, +1,000
    PackOrder order = plans.buyPack(user, "pack_500", IdempotencyKey.of("order-9"));
    plans.handle(BillingEvent.PackPaid.of("evt_2", order));               // webhook: the pack is paid, +500
    // end::plan-service[]

    // tag::gate[]
    GenerationGate gate = credits.gate();
    GenerationRequest frame = GenerationRequest.image("standard", "720p");
    Authorization auth = gate.authorize(user, frame, IdempotencyKey.of("gen-1"));
    if (auth instanceof Authorization.Authorized ok) {                    // the estimate is held
      gate.succeeded(user, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of("gen-1-done"));
    }
    // end::gate[]
    return new Balances(available, spent, consistent, credits.credits().balance(user).available());
  }

  /**
   * Runs the example of a payment system that runs the subscription itself (checkout, portal,
   * refunds), for one user: a month paid for Studio, an upgrade to Studio Pro made in the portal at
   * the start of the month, and half the month's payment refunded.
   *
   * @param store an empty store
   * @param billing the billing gateway (the example never calls it)
   * @param clock the time: the paid month starts now
   * @return the user's available credits at the end
   */
  public static long runWithPaymentSystem(CreditStore store, BillingGateway billing, InstantSource clock) {
    AccountId user = AccountId.of("user-43");
    Credits credits = Credits.builder().store(store).billing(billing).clock(clock).build();
    credits.credits().openAccount(user, IdempotencyKey.of("signup-43"));
    PlanService plans = credits.plans();
    Instant periodStart = clock.instant();
    Instant periodEnd = periodStart.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
    Instant changedAt = periodStart;
    // tag::payment-system[]
    plans.handle(new BillingEvent.PeriodPaid("evt_3", user, "studio", periodStart, periodEnd,
        "in_1", 1_200, "USD"));                                            // invoice paid: starts or renews
    plans.handle(new BillingEvent.PlanChanged("evt_4", user, "studio_pro", changedAt)); // portal upgrade
    plans.handle(new BillingEvent.Refunded("evt_5", user, "in_1", 600, 1_200));          // half refunded
    // end::payment-system[]
    return credits.credits().balance(user).available();
  }
}
