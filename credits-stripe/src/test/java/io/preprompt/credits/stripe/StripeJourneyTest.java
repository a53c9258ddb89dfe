package io.preprompt.credits.stripe;

import static io.preprompt.credits.stripe.StripeFixtures.SECRET;
import static io.preprompt.credits.stripe.StripeFixtures.epoch;
import static io.preprompt.credits.stripe.StripeFixtures.metadata;
import static io.preprompt.credits.stripe.StripeFixtures.payload;
import static io.preprompt.credits.stripe.StripeFixtures.sign;
import static io.preprompt.credits.stripe.StripeFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.jdbc.PostgresForTests;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole paid journey driven only by Stripe webhooks: subscribe, three renewals, a pack, an
 * upgrade in the customer portal, a failed payment then its retry, a refund, a cancellation. Every
 * event is then delivered again, as Stripe does, and changes nothing.
 */
class StripeJourneyTest {
  private static final AccountId MAYA = AccountId.of("maya");
  private static final Instant MAR = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant APR = Instant.parse("2026-04-01T10:00:00Z");
  private static final Instant MAY = Instant.parse("2026-05-01T10:00:00Z");
  private static final Instant JUN = Instant.parse("2026-06-01T10:00:00Z");
  private static final Instant JUL = Instant.parse("2026-07-01T10:00:00Z");

  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  private final RecordingBillingGateway gateway = new RecordingBillingGateway();
  private final List<String> delivered = new ArrayList<>();
  private Credits credits;
  private StripeWebhooks webhooks;

  private static CreditStore store(String kind) throws Exception {
    if (kind.equals("memory")) {
      return new InMemoryCreditStore();
    }
    String url = PostgresForTests.newDatabase("stripe_journey");
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setURL(url);
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.POSTGRESQL);
    JdbcCreditStore.install(ds, config);
    DriverManager.getConnection(url).close();
    return JdbcCreditStore.create(ds, config);
  }

  private BillingOutcome deliver(String payload) {
    delivered.add(payload);
    return webhooks.handle(payload, sign(payload, SECRET, clock.instant())).outcome().orElseThrow();
  }

  private String invoice(String event, String type, Instant start, Instant end, String price, long amount) {
    return payload("invoice.paid.json", values("event", event, "type", type, "created", epoch(clock.instant()),
        "invoice", "in_" + start.getEpochSecond(), "customer", "cus_maya",
        "status", type.equals("invoice.paid") ? "paid" : "open", "amount", Long.toString(amount),
        "paid", type.equals("invoice.paid") ? Long.toString(amount) : "0",
        "metadata", metadata("credits_account", "maya"), "start", epoch(start), "end", epoch(end), "price", price));
  }

  private String subscription(String event, String type, String price, boolean cancelAtPeriodEnd, String previous,
      Instant periodStart, Instant periodEnd) {
    boolean deleted = type.endsWith("deleted");
    return payload("customer.subscription.json", values("event", event, "type", type, "created",
        epoch(clock.instant()), "customer", "cus_maya", "status", deleted ? "canceled" : "active",
        "cancelAtPeriodEnd", Boolean.toString(cancelAtPeriodEnd), "canceledAt", deleted ? epoch(clock.instant()) : "null",
        "endedAt", deleted ? epoch(clock.instant()) : "null", "metadata", metadata("credits_account", "maya"),
        "start", epoch(periodStart), "end", epoch(periodEnd), "price", price, "amount", "1500", "previous", previous));
  }

  private void spend(long amount, String key) {
    var hold = credits.credits().hold(new HoldRequest(MAYA, CreditAmount.of(amount), IdempotencyKey.of(key),
        Duration.ofMinutes(5), Map.of()));
    credits.credits().settle(MAYA, hold.id(), IdempotencyKey.of(key + "-settle"));
  }

  private BalanceView balance() {
    return credits.credits().balance(MAYA);
  }

  /** Month starts; with the housekeeping's renewals on, the clock renews before Stripe's webhook arrives. */
  private void monthStarts(Instant at, boolean renewals) {
    clock.set(at);
    if (renewals) {
      credits.plans().renewDue();
    }
  }

  @ParameterizedTest(name = "{0}, renewals by the clock too: {1}")
  @CsvSource({"memory, false", "memory, true", "postgresql, false", "postgresql, true"})
  void thePaidJourney_drivenByStripeWebhooks(String kind, boolean renewals) throws Exception {
    credits = Credits.builder().store(store(kind)).clock(clock).billing(gateway).build();
    webhooks = new StripeWebhooks(credits.plans(), SECRET, StripePrices.builder().tier("price_studio", "studio")
        .tier("price_studio_pro", "studio_pro").pack("price_pack_500", "pack_500").build(),
        customer -> "cus_maya".equals(customer) ? Optional.of(MAYA) : Optional.empty(), clock,
        StripeWebhooks.DEFAULT_TOLERANCE);
    credits.credits().openAccount(MAYA, IdempotencyKey.of("open"));
    credits.plans().verifyEmail(MAYA, IdempotencyKey.of("verify"));
    assertThat(balance().available()).as("signup grant").isEqualTo(200);

    // Subscribed in Stripe's checkout: the first invoice starts the subscription.
    assertThat(deliver(invoice("evt_1", "invoice.paid", MAR, APR, "price_studio", 1_500)).effect())
        .isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(balance().available()).isEqualTo(1_200);
    spend(300, "gen-1");

    // Renewal 1.
    monthStarts(APR, renewals);
    deliver(invoice("evt_2", "invoice.paid", APR, MAY, "price_studio", 1_500));
    long afterRenewal1 = balance().available();
    assertThat(afterRenewal1).as("March's 900 unused expire (Studio rolls nothing over); April's 1,000").isEqualTo(1_000);

    // A pack, bought through the library, paid in Stripe's checkout.
    PackOrder order = credits.plans().buyPack(MAYA, "pack_500", IdempotencyKey.of("buy"));
    deliver(payload("checkout.session.completed.json", values("event", "evt_3", "created", epoch(clock.instant()),
        "mode", "payment", "customer", "cus_maya", "reference", order.paymentReference(), "amount", "500",
        "metadata", metadata("credits_account", "maya", "credits_reference", order.paymentReference(),
            "credits_pack", "pack_500"))));
    assertThat(balance().available()).isEqualTo(afterRenewal1 + 500);

    // An upgrade in Stripe's customer portal, half-way through the cycle.
    clock.set(APR.plus(Duration.ofDays(15)));
    deliver(subscription("evt_4", "customer.subscription.updated", "price_studio_pro", false,
        "\"items\": {\"object\": \"list\", \"data\": []}", APR, MAY));
    assertThat(credits.plans().currentTier(MAYA).id()).isEqualTo("studio_pro");
    long afterUpgrade = balance().available();
    assertThat(afterUpgrade).as("pro-rated: half of 3,000 - 1,000").isEqualTo(afterRenewal1 + 500 + 1_000);

    // Renewal 2: the payment fails, then Stripe's retry succeeds.
    monthStarts(MAY, renewals);
    deliver(invoice("evt_5", "invoice.payment_failed", MAY, JUN, "price_studio_pro", 4_500));
    deliver(invoice("evt_6", "invoice.paid", MAY, JUN, "price_studio_pro", 4_500));
    long afterRenewal2 = balance().available();
    assertThat(afterRenewal2).as("3,000 of Studio Pro, 1,000 kept (its rollover cap), the pack's 500")
        .isEqualTo(4_500);

    // Renewal 3.
    monthStarts(JUN, renewals);
    deliver(invoice("evt_7", "invoice.paid", JUN, JUL, "price_studio_pro", 4_500));
    long afterRenewal3 = balance().available();
    assertThat(afterRenewal3).as("again 3,000 + 1,000 rolled over + 500").isEqualTo(4_500);

    // Half of the pack's payment refunded: half its credits leave (none of them was spent).
    clock.set(JUN.plus(Duration.ofDays(1)));
    deliver(payload("charge.refunded.json", values("event", "evt_8", "created", epoch(clock.instant()),
        "amount", "500", "refunded", "250", "refundedBefore", "0", "fully", "false", "customer", "cus_maya",
        "paymentIntent", "pi_evt_3", "metadata", metadata("credits_account", "maya", "credits_reference",
            order.paymentReference()))));
    assertThat(balance().available()).isEqualTo(afterRenewal3 - 250);

    // Cancelled in the portal at the period's end, then the subscription ends.
    clock.set(JUN.plus(Duration.ofDays(10)));
    deliver(subscription("evt_9", "customer.subscription.updated", "price_studio_pro", true,
        "\"cancel_at_period_end\": false", JUN, JUL));
    clock.set(JUL);
    deliver(subscription("evt_10", "customer.subscription.deleted", "price_studio_pro", true, "", JUN, JUL));
    clock.set(JUL.plus(Duration.ofDays(1)));
    assertThat(credits.plans().currentTier(MAYA).paid()).as("free tier after the cancellation").isFalse();
    long end = balance().available();
    assertThat(end).as("credits already in the balance stay usable after the cancellation").isEqualTo(4_250);
    assertThat(balance().available()).isEqualTo(afterRenewal3 - 250);

    if (renewals) {
      // The clock renewed first and asked for each later cycle's charge: StripeBillingGateway sends
      // nothing for those (Stripe bills them itself), and Stripe's invoice.paid did not refill twice.
      assertThat(gateway.subscriptionCharges()).extracting(c -> c.cycle()).containsExactly(1L, 2L, 3L);
    } else {
      assertThat(gateway.subscriptionCharges()).as("Stripe is never asked to charge what it bills itself").isEmpty();
    }
    assertThat(gateway.planChanges()).isEmpty();
    assertThat(gateway.cancellations()).isEmpty();

    // Stripe delivers every event again: nothing changes.
    for (String payload : List.copyOf(delivered)) {
      assertThat(webhooks.handle(payload, sign(payload, SECRET, clock.instant())).outcome().orElseThrow().effect())
          .isNotEqualTo(BillingOutcome.Effect.APPLIED);
    }
    assertThat(balance().available()).isEqualTo(end);
    assertThat(credits.credits().reconcile(MAYA).consistent()).isTrue();

    List<LedgerEntry> ledger = credits.credits().history(MAYA, LedgerQuery.firstPage(1_000)).entries();
    System.out.printf("%s journey (clock renewals %s): renewal 1 %d, after upgrade %d, renewal 2 %d, renewal 3 %d, end %d%n", kind, renewals,
        afterRenewal1, afterUpgrade, afterRenewal2, afterRenewal3, end);
    ledger.forEach(e -> System.out.printf("  %3d %-12s %6d %-17s %s%n", e.sequence(), e.type(), e.amount(),
        e.source(), e.at()));
  }
}
