package io.preprompt.credits.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.model.StripeSearchResult;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.SubscriptionSearchParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.BillingGateway;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan service's billing gateway on Stripe, through the SDK:
 *
 * <ul>
 *   <li>{@code chargePack}: a Checkout Session in {@code payment} mode for the pack's price, carrying
 *       the account, the order's reference and the pack as metadata on the session and on its
 *       PaymentIntent (Stripe copies the latter to the charge, so a refund names the order);</li>
 *   <li>{@code chargeSubscription} for a subscription's first cycle: a Checkout Session in
 *       {@code subscription} mode for the tier's price, with the account on the subscription's
 *       metadata (Stripe copies it to every invoice's lines). Later cycles are billed by Stripe on its
 *       own, and their {@code invoice.paid} webhooks pay them: nothing is sent;</li>
 *   <li>{@code changePlan} and {@code cancelSubscription}: the account's active subscription (found
 *       by its metadata) gets the new tier's price, or {@code cancel_at_period_end}.</li>
 * </ul>
 *
 * <p>Each request carries the library's reference as Stripe's {@code Idempotency-Key}, so a retried
 * call creates nothing twice. The checkout page's address goes to the {@link CheckoutListener}, which
 * sends the user there.
 */
public final class StripeBillingGateway implements BillingGateway {
  private static final Logger LOG = LoggerFactory.getLogger(StripeBillingGateway.class);

  /** Hears of each Checkout Session created, to send the user to its page. */
  @FunctionalInterface
  public interface CheckoutListener {
    /**
     * A checkout page is ready.
     *
     * @param account the account paying
     * @param reference the library's reference of the order or subscription
     * @param checkoutUrl where to send the user
     */
    void checkoutCreated(AccountId account, String reference, URI checkoutUrl);
  }

  /** A Stripe call failed: the plan service keeps its order or charge open, as when Stripe is down. */
  public static final class StripeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StripeUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final StripeClient client;
  private final StripePrices prices;
  private final URI successUrl;
  private final URI cancelUrl;
  private final CheckoutListener listener;

  /**
   * Creates the gateway.
   *
   * @param client the SDK's client, with the secret key
   * @param prices which price is which tier or pack
   * @param successUrl where Stripe sends the user after paying
   * @param cancelUrl where Stripe sends the user who gives up
   * @param listener hears of each checkout page
   */
  public StripeBillingGateway(StripeClient client, StripePrices prices, URI successUrl, URI cancelUrl,
      CheckoutListener listener) {
    this.client = Objects.requireNonNull(client, "client");
    this.prices = Objects.requireNonNull(prices, "prices");
    this.successUrl = Objects.requireNonNull(successUrl, "successUrl");
    this.cancelUrl = Objects.requireNonNull(cancelUrl, "cancelUrl");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  private static RequestOptions keyed(String reference) {
    return RequestOptions.builder().setIdempotencyKey(reference).build();
  }

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    if (cycle > 0) {
      LOG.debug("cycle {} of {}: Stripe bills it on its own", cycle, account);
      return;
    }
    String price = prices.priceOfTier(tierId).orElseThrow(() -> new IllegalStateException(
        "no Stripe price is configured for tier " + tierId));
    SessionCreateParams params = SessionCreateParams.builder()
        .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
        .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
        .setClientReferenceId(reference)
        .putMetadata(StripeWebhooks.ACCOUNT, account.value())
        .putMetadata(StripeWebhooks.REFERENCE, reference)
        .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
            .putMetadata(StripeWebhooks.ACCOUNT, account.value()).build())
        .setSuccessUrl(successUrl.toString())
        .setCancelUrl(cancelUrl.toString())
        .build();
    checkout(account, reference, params);
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    String price = prices.priceOfPack(packId).orElseThrow(() -> new IllegalStateException(
        "no Stripe price is configured for pack " + packId));
    Map<String, String> metadata = Map.of(StripeWebhooks.ACCOUNT, account.value(), StripeWebhooks.REFERENCE,
        reference, StripeWebhooks.PACK, packId);
    SessionCreateParams params = SessionCreateParams.builder()
        .setMode(SessionCreateParams.Mode.PAYMENT)
        .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
        .setClientReferenceId(reference)
        .putAllMetadata(metadata)
        .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder().putAllMetadata(metadata).build())
        .setSuccessUrl(successUrl.toString())
        .setCancelUrl(cancelUrl.toString())
        .build();
    checkout(account, reference, params);
  }

  private void checkout(AccountId account, String reference, SessionCreateParams params) {
    Session session;
    try {
      session = client.v1().checkout().sessions().create(params, keyed(reference));
    } catch (StripeException e) {
      throw new StripeUnavailableException("Stripe refused the checkout for " + reference + ": " + e.getMessage(), e);
    }
    listener.checkoutCreated(account, reference, URI.create(session.getUrl()));
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    String price = prices.priceOfTier(toTier).orElseThrow(() -> new IllegalStateException(
        "no Stripe price is configured for tier " + toTier));
    Subscription subscription = activeSubscription(account);
    String item = subscription.getItems().getData().get(0).getId();
    SubscriptionUpdateParams params = SubscriptionUpdateParams.builder()
        .addItem(SubscriptionUpdateParams.Item.builder().setId(item).setPrice(price).build())
        .putMetadata(StripeWebhooks.REFERENCE, reference)
        .build();
    update(subscription, params, reference);
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    Subscription subscription = activeSubscription(account);
    update(subscription, SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(true).build(), reference);
  }

  private Subscription activeSubscription(AccountId account) {
    StripeSearchResult<Subscription> found;
    try {
      found = client.v1().subscriptions().search(SubscriptionSearchParams.builder()
          .setQuery("status:'active' AND metadata['" + StripeWebhooks.ACCOUNT + "']:'" + account.value() + "'")
          .build());
    } catch (StripeException e) {
      throw new StripeUnavailableException("Stripe could not search the subscription of " + account, e);
    }
    if (found.getData() == null || found.getData().isEmpty()) {
      throw new IllegalStateException("Stripe has no active subscription of account " + account);
    }
    return found.getData().get(0);
  }

  private void update(Subscription subscription, SubscriptionUpdateParams params, String reference) {
    try {
      client.v1().subscriptions().update(subscription.getId(), params, keyed(reference));
    } catch (StripeException e) {
      throw new StripeUnavailableException("Stripe refused the change " + reference + ": " + e.getMessage(), e);
    }
  }
}
