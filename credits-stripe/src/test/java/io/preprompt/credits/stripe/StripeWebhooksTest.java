package io.preprompt.credits.stripe;

import static io.preprompt.credits.stripe.StripeFixtures.SECRET;
import static io.preprompt.credits.stripe.StripeFixtures.epoch;
import static io.preprompt.credits.stripe.StripeFixtures.metadata;
import static io.preprompt.credits.stripe.StripeFixtures.payload;
import static io.preprompt.credits.stripe.StripeFixtures.sign;
import static io.preprompt.credits.stripe.StripeFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StripeWebhooksTest {
  static final AccountId MAYA = AccountId.of("maya");
  static final Instant MARCH = Instant.parse("2026-03-01T10:00:00Z");
  static final Instant APRIL = Instant.parse("2026-04-01T10:00:00Z");

  final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  final RecordingBillingGateway gateway = new RecordingBillingGateway();
  final Credits credits = Credits.builder().store(new InMemoryCreditStore()).clock(clock).billing(gateway).build();
  final StripePrices prices = StripePrices.builder().tier("price_studio", "studio")
      .tier("price_studio_pro", "studio_pro").pack("price_pack_500", "pack_500").build();
  final StripeWebhooks webhooks = new StripeWebhooks(credits.plans(), SECRET, prices,
      customer -> "cus_maya".equals(customer) ? Optional.of(MAYA) : Optional.empty(), clock,
      StripeWebhooks.DEFAULT_TOLERANCE);

  StripeWebhooksTest() {
    credits.credits().openAccount(MAYA, IdempotencyKey.of("open"));
  }

  static String invoice(String event, String type, Instant start, Instant end, String price, String meta) {
    return payload("invoice.paid.json", values("event", event, "type", type, "created", epoch(start),
        "invoice", "in_" + event, "customer", "cus_maya", "status", type.equals("invoice.paid") ? "paid" : "open",
        "amount", "1500", "paid", type.equals("invoice.paid") ? "1500" : "0", "metadata", meta,
        "start", epoch(start), "end", epoch(end), "price", price));
  }

  BillingOutcome deliver(String payload) {
    StripeWebhooks.Result result = webhooks.handle(payload, sign(payload, SECRET, clock.instant()));
    return result.outcome().orElseThrow();
  }

  long available() {
    return credits.credits().balance(MAYA).available();
  }

  int ledgerSize() {
    return credits.credits().history(MAYA, LedgerQuery.firstPage(1_000)).entries().size();
  }

  @Test
  void invoicePaid_startsTheSubscription_withoutCallingStripeBack_andOncePerEvent() {
    String paid = invoice("evt_paid_1", "invoice.paid", MARCH, APRIL, "price_studio", metadata("credits_account", "maya"));
    assertThat(deliver(paid).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(available()).isEqualTo(1_000);
    assertThat(credits.plans().currentTier(MAYA).id()).isEqualTo("studio");
    assertThat(gateway.requests()).as("nothing asked of Stripe").isEmpty();
    assertThat(deliver(paid).effect()).as("Stripe's redelivery").isEqualTo(BillingOutcome.Effect.DUPLICATE);
    assertThat(available()).isEqualTo(1_000);
  }

  @Test
  void aPeriodThatHasNotStarted_isRefused_andApplied_whenStripeDeliversItAgainLater() {
    String early = invoice("evt_early", "invoice.paid", APRIL, APRIL.plus(Duration.ofDays(30)), "price_studio",
        metadata("credits_account", "maya"));
    assertThatThrownBy(() -> deliver(early)).isInstanceOfSatisfying(StateException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.BILLING_PERIOD_NOT_STARTED));
    assertThat(available()).isZero();
    assertThat(credits.plans().currentTier(MAYA).paid()).isFalse();
    clock.set(APRIL);
    assertThat(deliver(early).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(available()).isEqualTo(1_000);
  }

  @Test
  void packCheckout_paysTheOrder_andItsRefundTakesBackTheUnspent() {
    deliver(invoice("evt_paid_1", "invoice.paid", MARCH, APRIL, "price_studio", metadata("credits_account", "maya")));
    PackOrder order = credits.plans().buyPack(MAYA, "pack_500", IdempotencyKey.of("buy"));
    String completed = payload("checkout.session.completed.json", values("event", "evt_cs_1", "created",
        epoch(clock.instant()), "mode", "payment", "customer", "cus_maya", "reference", order.paymentReference(),
        "amount", "500", "metadata", metadata("credits_account", "maya", "credits_reference", order.paymentReference(),
            "credits_pack", "pack_500")));
    assertThat(deliver(completed).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(available()).isEqualTo(1_500);
    String refund = payload("charge.refunded.json", values("event", "evt_refund_1", "created", epoch(clock.instant()),
        "amount", "500", "refunded", "500", "refundedBefore", "0", "fully", "true", "customer", "cus_maya",
        "paymentIntent", "pi_evt_cs_1", "metadata", metadata("credits_account", "maya", "credits_reference",
            order.paymentReference())));
    assertThat(deliver(refund).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(available()).isEqualTo(1_000);
    assertThat(deliver(refund).effect()).isEqualTo(BillingOutcome.Effect.DUPLICATE);
    assertThat(available()).isEqualTo(1_000);
  }

  @Test
  void portalChanges_areRecordedAsDone_cancelAtPeriodEnd_andDeletion() {
    deliver(invoice("evt_paid_1", "invoice.paid", MARCH, APRIL, "price_studio", metadata("credits_account", "maya")));
    String upgraded = subscription("evt_sub_up", "customer.subscription.updated", "price_studio_pro", "false",
        "null", "null", "\"items\": {\"object\": \"list\", \"data\": []}");
    assertThat(deliver(upgraded).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(credits.plans().currentTier(MAYA).id()).isEqualTo("studio_pro");
    assertThat(gateway.planChanges()).as("Stripe is not asked to make the change it made").isEmpty();
    String cancelling = subscription("evt_sub_cancel", "customer.subscription.updated", "price_studio_pro", "true",
        epoch(clock.instant()), "null", "\"cancel_at_period_end\": false");
    assertThat(deliver(cancelling).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    assertThat(gateway.cancellations()).isEmpty();
    String deleted = subscription("evt_sub_deleted", "customer.subscription.deleted", "price_studio_pro", "true",
        epoch(APRIL), epoch(APRIL), "");
    assertThat(deliver(deleted).effect()).isIn(BillingOutcome.Effect.APPLIED, BillingOutcome.Effect.IGNORED);
    clock.set(APRIL.plus(Duration.ofDays(1)));
    assertThat(credits.plans().currentTier(MAYA).paid()).isFalse();
  }

  String subscription(String event, String type, String price, String cancelAtPeriodEnd, String canceledAt,
      String endedAt, String previous) {
    return payload("customer.subscription.json", values("event", event, "type", type, "created",
        epoch(clock.instant()), "customer", "cus_maya", "status", type.endsWith("deleted") ? "canceled" : "active",
        "cancelAtPeriodEnd", cancelAtPeriodEnd, "canceledAt", canceledAt, "endedAt", endedAt,
        "metadata", metadata("credits_account", "maya"), "start", epoch(MARCH), "end", epoch(APRIL),
        "price", price, "amount", "1500", "previous", previous));
  }

  @Test
  void anUnknownEventType_isAcceptedAndIgnored() {
    String created = payload("customer.created.json", values("event", "evt_cus", "created", epoch(clock.instant())));
    StripeWebhooks.Result result = webhooks.handle(created, sign(created, SECRET, clock.instant()));
    assertThat(result.type()).isEqualTo("customer.created");
    assertThat(result.outcome()).isEmpty();
  }

  /** The bad-webhook catalogue: each is refused with its reason, and nothing changes. */
  enum Bad {
    UNSIGNED(StripeWebhookException.Reason.MISSING_SIGNATURE),
    SIGNED_WITH_ANOTHER_SECRET(StripeWebhookException.Reason.BAD_SIGNATURE),
    ALTERED_AFTER_SIGNING(StripeWebhookException.Reason.BAD_SIGNATURE),
    REPLAYED_AN_HOUR_LATER(StripeWebhookException.Reason.STALE),
    FORGED_AND_OLD(StripeWebhookException.Reason.BAD_SIGNATURE),
    MALFORMED_JSON(StripeWebhookException.Reason.MALFORMED),
    NOT_AN_INVOICE(StripeWebhookException.Reason.MALFORMED),
    UNKNOWN_CUSTOMER(StripeWebhookException.Reason.UNKNOWN_CUSTOMER),
    UNKNOWN_PRICE(StripeWebhookException.Reason.UNKNOWN_PRICE);

    final StripeWebhookException.Reason reason;

    Bad(StripeWebhookException.Reason reason) {
      this.reason = reason;
    }
  }

  @ParameterizedTest
  @EnumSource(Bad.class)
  void badWebhooks_areRefusedWithTheirReason_andChangeNothing(Bad bad) {
    String good = invoice("evt_bad", "invoice.paid", MARCH, APRIL, "price_studio", metadata("credits_account", "maya"));
    String body = good;
    String header = sign(good, SECRET, clock.instant());
    switch (bad) {
      case UNSIGNED -> header = null;
      case SIGNED_WITH_ANOTHER_SECRET -> header = sign(good, "whsec_someone_else", clock.instant());
      case ALTERED_AFTER_SIGNING -> body = good.replace("\"amount_paid\": 1500", "\"amount_paid\": 15");
      case REPLAYED_AN_HOUR_LATER -> clock.advance(Duration.ofHours(1));
      case FORGED_AND_OLD -> {
        header = sign(good, "whsec_someone_else", clock.instant());
        clock.advance(Duration.ofHours(1));
      }
      case MALFORMED_JSON -> {
        body = "{\"id\": \"evt_bad\", \"type\": \"invoice.paid\", \"data\": {";
        header = sign(body, SECRET, clock.instant());
      }
      case NOT_AN_INVOICE -> {
        body = good.replace("\"object\": \"invoice\"", "\"object\": \"customer\"");
        header = sign(body, SECRET, clock.instant());
      }
      case UNKNOWN_CUSTOMER -> {
        body = invoice("evt_bad", "invoice.paid", MARCH, APRIL, "price_studio", "").replace("cus_maya", "cus_nobody");
        header = sign(body, SECRET, clock.instant());
      }
      case UNKNOWN_PRICE -> {
        body = invoice("evt_bad", "invoice.paid", MARCH, APRIL, "price_unknown", metadata("credits_account", "maya"));
        header = sign(body, SECRET, clock.instant());
      }
    }
    int before = ledgerSize();
    String b = body;
    String h = header;
    assertThatThrownBy(() -> webhooks.handle(b, h)).isInstanceOfSatisfying(StripeWebhookException.class, e -> {
      assertThat(e.reason()).isEqualTo(bad.reason);
      assertThat(e.httpStatus()).isEqualTo(400);
    });
    assertThat(ledgerSize()).isEqualTo(before);
    assertThat(credits.plans().currentTier(MAYA).paid()).isFalse();
    assertThat(available()).isZero();
  }

  @Test
  void settings_areChecked() {
    assertThatThrownBy(() -> new StripeWebhooks(credits.plans(), " ", prices, CustomerDirectory.none(), clock,
        StripeWebhooks.DEFAULT_TOLERANCE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StripeWebhooks(credits.plans(), SECRET, prices, CustomerDirectory.none(), clock,
        Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StripePrices.builder().tier("price_a", "studio").pack("price_a", "pack_500"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(prices.priceOfTier("studio")).contains("price_studio");
    assertThat(prices.priceOfPack("pack_500")).contains("price_pack_500");
  }
}
