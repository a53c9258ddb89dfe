package io.preprompt.credits.stripe;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Charge;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceLineItem;
import com.stripe.model.InvoicePayment;
import com.stripe.model.StripeObject;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import com.stripe.net.Webhook;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PlanService;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes Stripe's webhooks: verifies each payload's {@code Stripe-Signature} with the SDK, maps the
 * events below to the library's billing events and hands them to {@link PlanService#handle},
 * exactly once per Stripe event id (the event id is the billing event's id, so a redelivery is a
 * duplicate). Every other event type is answered 2xx and logged, as Stripe expects.
 *
 * <table>
 *   <caption>Stripe event → billing event</caption>
 *   <tr><th>Stripe event</th><th>Billing event</th></tr>
 *   <tr><td>{@code invoice.paid}</td><td>{@link BillingEvent.PeriodPaid}: the tier of the line's
 *     price, the line's period, the amount paid; the payment reference is the invoice's default
 *     payment's PaymentIntent (else the invoice id)</td></tr>
 *   <tr><td>{@code invoice.payment_failed}</td><td>{@link BillingEvent.PeriodPaymentFailed}</td></tr>
 *   <tr><td>{@code checkout.session.completed}, mode {@code payment}</td><td>{@link BillingEvent.PackPaid}
 *     for the order named by the session's {@code credits_reference} metadata; a subscription
 *     checkout is left to its {@code invoice.paid}</td></tr>
 *   <tr><td>{@code customer.subscription.updated}</td><td>{@link BillingEvent.SubscriptionCancelled} at
 *     the period end when {@code cancel_at_period_end} turned on; else {@link BillingEvent.PlanChanged}
 *     when the item's price changed (a change made in the customer portal)</td></tr>
 *   <tr><td>{@code customer.subscription.deleted}</td><td>{@link BillingEvent.SubscriptionCancelled}
 *     when it ended</td></tr>
 *   <tr><td>{@code charge.refunded}</td><td>{@link BillingEvent.Refunded}: the payment named by the
 *     charge's {@code credits_reference} metadata (a pack's order), else its PaymentIntent; the amount
 *     is what this refund added to the charge's {@code amount_refunded}</td></tr>
 * </table>
 *
 * <p>The account is the {@code credits_account} metadata of the event's object (the library's
 * checkout sessions set it on the session, the subscription and the PaymentIntent; Stripe copies a
 * subscription's metadata to its invoices' lines and a PaymentIntent's to its charge), else the
 * {@link CustomerDirectory}'s answer for the object's customer.
 */
public final class StripeWebhooks {
  private static final Logger LOG = LoggerFactory.getLogger(StripeWebhooks.class);
  /** Stripe's own default tolerance for a signature's timestamp. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  static final String ACCOUNT = "credits_account";
  static final String REFERENCE = "credits_reference";
  static final String PACK = "credits_pack";

  private final PlanService plans;
  private final String secret;
  private final StripePrices prices;
  private final CustomerDirectory customers;
  private final InstantSource clock;
  private final Duration tolerance;

  /**
   * Creates the handler.
   *
   * @param plans the plan service the events go to
   * @param secret the endpoint's signing secret ({@code whsec_...})
   * @param prices which price is which tier or pack
   * @param customers the host's customer → account link, for objects without metadata
   * @param clock the clock a signature's age is measured with
   * @param tolerance the oldest a signature may be ({@link #DEFAULT_TOLERANCE})
   */
  public StripeWebhooks(PlanService plans, String secret, StripePrices prices, CustomerDirectory customers,
      InstantSource clock, Duration tolerance) {
    this.plans = Objects.requireNonNull(plans, "plans");
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("the webhook signing secret is required");
    }
    this.secret = secret;
    this.prices = Objects.requireNonNull(prices, "prices");
    this.customers = Objects.requireNonNull(customers, "customers");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (tolerance == null || tolerance.isNegative() || tolerance.isZero()) {
      throw new IllegalArgumentException("the tolerance must be positive, was " + tolerance);
    }
    this.tolerance = tolerance;
  }

  /**
   * What became of a webhook that was accepted (answer Stripe 200).
   *
   * @param eventId Stripe's event id
   * @param type Stripe's event type
   * @param outcome what the plan service did, or empty for an event type the library does not take
   *     (or a subscription checkout, which its invoice pays)
   */
  public record Result(String eventId, String type, Optional<BillingOutcome> outcome) {}

  /**
   * Verifies and handles one webhook delivery.
   *
   * @param payload the request body, exactly as received
   * @param signatureHeader the {@code Stripe-Signature} header, or null when absent
   * @return what became of it
   * @throws StripeWebhookException when the delivery is refused (nothing applied): unsigned, forged,
   *     stale, malformed, an unknown customer or price
   * @throws io.preprompt.credits.core.CreditsException when the library refuses the billing event
   *     (for example a period that has not started): answer non-2xx so that Stripe delivers it again
   */
  public Result handle(String payload, @Nullable String signatureHeader) {
    Event event = verified(payload, signatureHeader);
    String type = String.valueOf(event.getType());
    BillingEvent billing = switch (type) {
      case "invoice.paid" -> periodPaid(event, object(event, Invoice.class));
      case "invoice.payment_failed" -> periodFailed(event, object(event, Invoice.class));
      case "checkout.session.completed" -> packPaid(event, object(event, Session.class));
      case "customer.subscription.updated" -> subscriptionUpdated(event, object(event, Subscription.class));
      case "customer.subscription.deleted" -> subscriptionDeleted(event, object(event, Subscription.class));
      case "charge.refunded" -> refunded(event, object(event, Charge.class));
      default -> {
        LOG.info("Stripe event {} of type {} ignored: the library does not take this type", event.getId(), type);
        yield null;
      }
    };
    if (billing == null) {
      return new Result(event.getId(), type, Optional.empty());
    }
    BillingOutcome outcome = plans.handle(billing);
    LOG.debug("Stripe event {} ({}) → {}: {}", event.getId(), type, billing.getClass().getSimpleName(), outcome);
    return new Result(event.getId(), type, Optional.of(outcome));
  }

  private Event verified(String payload, @Nullable String header) {
    if (header == null || header.isBlank()) {
      throw new StripeWebhookException(StripeWebhookException.Reason.MISSING_SIGNATURE,
          "no Stripe-Signature header", null);
    }
    if (payload == null) {
      throw new StripeWebhookException(StripeWebhookException.Reason.MALFORMED, "no payload", null);
    }
    Event event;
    try {
      // Tolerance 0: the SDK checks the signature only; its age is checked below, on our clock, and
      // only once the signature is known to be Stripe's (a forged payload is BAD_SIGNATURE, whatever
      // its timestamp).
      event = Webhook.constructEvent(payload, header, secret, 0);
    } catch (SignatureVerificationException e) {
      throw new StripeWebhookException(StripeWebhookException.Reason.BAD_SIGNATURE, String.valueOf(e.getMessage()), e);
    } catch (RuntimeException e) {
      // The SDK parses the payload with Gson once the signature matched: its errors are unchecked.
      throw new StripeWebhookException(StripeWebhookException.Reason.MALFORMED, "not a Stripe event: " + e.getMessage(), e);
    }
    Instant now = clock.instant();
    Long signedAt = signedAt(header);
    if (signedAt == null
        || Duration.between(Instant.ofEpochSecond(signedAt), now).abs().compareTo(tolerance) > 0) {
      throw new StripeWebhookException(StripeWebhookException.Reason.STALE, "signed at "
          + (signedAt == null ? "no time" : Instant.ofEpochSecond(signedAt)) + ", more than " + tolerance
          + " from now (" + now + ")", null);
    }
    return event;
  }

  /** The {@code t=} of a signature header, or null when there is none (the SDK then refuses it). */
  private static @Nullable Long signedAt(String header) {
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.startsWith("t=")) {
        try {
          return Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static <T extends StripeObject> T object(Event event, Class<T> type) {
    StripeObject object;
    try {
      object = event.getDataObjectDeserializer().deserializeUnsafe();
    } catch (EventDataObjectDeserializationException | RuntimeException e) {
      throw malformed(event, "its object cannot be read: " + e.getMessage());
    }
    if (!type.isInstance(object)) {
      throw malformed(event, "its object is not a " + type.getSimpleName());
    }
    return type.cast(object);
  }

  private static StripeWebhookException malformed(Event event, String what) {
    return new StripeWebhookException(StripeWebhookException.Reason.MALFORMED,
        "event " + event.getId() + " (" + event.getType() + "): " + what, null);
  }

  private AccountId account(Event event, @Nullable Map<String, String> metadata, @Nullable String customer) {
    String id = metadata == null ? null : metadata.get(ACCOUNT);
    if (id != null) {
      return AccountId.of(id);
    }
    if (customer != null) {
      Optional<AccountId> linked = customers.account(customer);
      if (linked.isPresent()) {
        return linked.get();
      }
    }
    throw new StripeWebhookException(StripeWebhookException.Reason.UNKNOWN_CUSTOMER, "event " + event.getId()
        + ": customer " + customer + " is linked to no account (no " + ACCOUNT + " metadata either)", null);
  }

  private static InvoiceLineItem subscriptionLine(Event event, Invoice invoice) {
    List<InvoiceLineItem> lines = invoice.getLines() == null ? null : invoice.getLines().getData();
    if (lines == null) {
      throw malformed(event, "the invoice has no lines");
    }
    for (InvoiceLineItem line : lines) {
      if (line.getPeriod() != null && line.getPricing() != null && line.getPricing().getPriceDetails() != null) {
        return line;
      }
    }
    throw malformed(event, "the invoice has no line with a price and a period");
  }

  private AccountId invoiceAccount(Event event, Invoice invoice, InvoiceLineItem line) {
    Map<String, String> metadata = line.getMetadata();
    if ((metadata == null || !metadata.containsKey(ACCOUNT)) && invoice.getParent() != null
        && invoice.getParent().getSubscriptionDetails() != null) {
      metadata = invoice.getParent().getSubscriptionDetails().getMetadata();
    }
    return account(event, metadata, invoice.getCustomer());
  }

  private BillingEvent periodPaid(Event event, Invoice invoice) {
    InvoiceLineItem line = subscriptionLine(event, invoice);
    String tier = prices.tier(line.getPricing().getPriceDetails().getPrice());
    AccountId account = invoiceAccount(event, invoice, line);
    String reference = invoice.getId();
    if (invoice.getPayments() != null && invoice.getPayments().getData() != null) {
      for (InvoicePayment payment : invoice.getPayments().getData()) {
        if (Boolean.TRUE.equals(payment.getIsDefault()) && payment.getPayment() != null
            && payment.getPayment().getPaymentIntent() != null) {
          reference = payment.getPayment().getPaymentIntent();
        }
      }
    }
    if (reference == null || invoice.getAmountPaid() == null || invoice.getCurrency() == null) {
      throw malformed(event, "the invoice lacks its id, amount paid or currency");
    }
    return new BillingEvent.PeriodPaid(event.getId(), account, tier, instant(line.getPeriod().getStart(), event),
        instant(line.getPeriod().getEnd(), event), reference, invoice.getAmountPaid(),
        invoice.getCurrency().toUpperCase(java.util.Locale.ROOT));
  }

  private BillingEvent periodFailed(Event event, Invoice invoice) {
    InvoiceLineItem line = subscriptionLine(event, invoice);
    prices.tier(line.getPricing().getPriceDetails().getPrice());
    AccountId account = invoiceAccount(event, invoice, line);
    return new BillingEvent.PeriodPaymentFailed(event.getId(), account, instant(line.getPeriod().getStart(), event),
        instant(line.getPeriod().getEnd(), event));
  }

  private @Nullable BillingEvent packPaid(Event event, Session session) {
    if (!"payment".equals(session.getMode())) {
      LOG.info("Stripe event {}: a {} checkout completed; its invoice pays the period", event.getId(),
          session.getMode());
      return null;
    }
    Map<String, String> metadata = session.getMetadata();
    String reference = metadata == null ? null : metadata.get(REFERENCE);
    String pack = metadata == null ? null : metadata.get(PACK);
    if (reference == null || pack == null || session.getAmountTotal() == null || session.getCurrency() == null) {
      throw malformed(event, "a pack checkout needs its " + REFERENCE + " and " + PACK
          + " metadata, amount and currency (the library's checkout sets them)");
    }
    AccountId account = account(event, metadata, session.getCustomer());
    return new BillingEvent.PackPaid(event.getId(), account, pack, reference, session.getAmountTotal(),
        session.getCurrency().toUpperCase(java.util.Locale.ROOT));
  }

  private @Nullable BillingEvent subscriptionUpdated(Event event, Subscription subscription) {
    AccountId account = account(event, subscription.getMetadata(), subscription.getCustomer());
    Map<String, Object> before = event.getData().getPreviousAttributes();
    SubscriptionItem item = item(event, subscription);
    if (Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()) && before != null
        && before.containsKey("cancel_at_period_end")) {
      return new BillingEvent.SubscriptionCancelled(event.getId(), account, instant(item.getCurrentPeriodEnd(), event));
    }
    if (before != null && before.containsKey("items")) {
      String tier = prices.tier(item.getPrice() == null ? null : item.getPrice().getId());
      return new BillingEvent.PlanChanged(event.getId(), account, tier, instant(event.getCreated(), event));
    }
    LOG.info("Stripe event {}: subscription {} changed in nothing the library follows", event.getId(),
        subscription.getId());
    return null;
  }

  private static SubscriptionItem item(Event event, Subscription subscription) {
    if (subscription.getItems() == null || subscription.getItems().getData() == null
        || subscription.getItems().getData().isEmpty()) {
      throw malformed(event, "the subscription has no item");
    }
    return subscription.getItems().getData().get(0);
  }

  private BillingEvent subscriptionDeleted(Event event, Subscription subscription) {
    AccountId account = account(event, subscription.getMetadata(), subscription.getCustomer());
    Long ended = subscription.getEndedAt() != null ? subscription.getEndedAt() : subscription.getCanceledAt();
    return new BillingEvent.SubscriptionCancelled(event.getId(), account,
        instant(ended != null ? ended : event.getCreated(), event));
  }

  private BillingEvent refunded(Event event, Charge charge) {
    AccountId account = account(event, charge.getMetadata(), charge.getCustomer());
    String reference = charge.getMetadata() == null ? null : charge.getMetadata().get(REFERENCE);
    if (reference == null) {
      reference = charge.getPaymentIntent();
    }
    if (reference == null || charge.getAmountRefunded() == null || charge.getAmount() == null) {
      throw malformed(event, "the charge lacks its payment, amount or amount refunded");
    }
    // amount_refunded adds up a charge's refunds; this event's refund is what it added.
    long before = 0;
    Map<String, Object> previous = event.getData().getPreviousAttributes();
    if (previous != null && previous.get("amount_refunded") instanceof Number n) {
      before = n.longValue();
    }
    return new BillingEvent.Refunded(event.getId(), account, reference, charge.getAmountRefunded() - before,
        charge.getAmount());
  }

  private static Instant instant(@Nullable Long epochSeconds, Event event) {
    if (epochSeconds == null) {
      throw malformed(event, "a time is missing");
    }
    return Instant.ofEpochSecond(epochSeconds);
  }
}
