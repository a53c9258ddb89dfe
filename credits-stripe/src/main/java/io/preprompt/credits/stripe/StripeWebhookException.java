package io.preprompt.credits.stripe;

import org.jspecify.annotations.Nullable;

/**
 * A Stripe webhook the library refuses: nothing was applied. Answer Stripe with
 * {@link #httpStatus()} (400: Stripe retries a failed delivery for up to three days, so a payload
 * that may become acceptable, such as one for an account not yet known, is delivered again).
 */
public final class StripeWebhookException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the webhook was refused. */
  public enum Reason {
    /** No {@code Stripe-Signature} header. */
    MISSING_SIGNATURE,
    /** The signature does not match the payload and the endpoint's secret: forged or altered. */
    BAD_SIGNATURE,
    /** The signed timestamp is outside the tolerance: an old payload replayed. */
    STALE,
    /** The payload is not a Stripe event (not JSON, or missing what the event type needs). */
    MALFORMED,
    /** The event names a customer no account is linked to. */
    UNKNOWN_CUSTOMER,
    /** The event names a price that is neither a configured tier nor a configured pack. */
    UNKNOWN_PRICE
  }

  /** Why. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why
   * @param message what, for the log
   * @param cause the SDK's exception, or null
   */
  public StripeWebhookException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  /**
   * Returns why the webhook was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the HTTP status to answer Stripe with.
   *
   * @return 400
   */
  public int httpStatus() {
    return 400;
  }
}
