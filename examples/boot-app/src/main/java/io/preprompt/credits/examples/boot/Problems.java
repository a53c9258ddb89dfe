package io.preprompt.credits.examples.boot;

import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The app's error answers, as RFC 9457 problem details: each carries the library's
 * {@link ErrorCode} name in {@code code}, and a blocked generation carries what the upgrade modal
 * shows.
 */
final class Problems {
  private Problems() {}

  /**
   * The HTTP status of a library error: bad input 400, a missing account, hold or pack 404, an
   * option the tier lacks 403, a state that forbids the call 409, a store that failed 503.
   *
   * @param code the error code
   * @return its status
   */
  static HttpStatus statusOf(ErrorCode code) {
    return switch (code) {
      case INVALID_AMOUNT, AMOUNT_OVERFLOW, INVALID_ACCOUNT_ID, INVALID_IDEMPOTENCY_KEY, INVALID_HOLD_ID,
          INVALID_ARGUMENT, UNKNOWN_TIER, UNKNOWN_MODEL, UNKNOWN_RESOLUTION,
          UNKNOWN_PRICE_DIMENSION, TOP_UP_CAP_BELOW_PACK -> HttpStatus.BAD_REQUEST;
      case ACCOUNT_NOT_FOUND, HOLD_NOT_FOUND, LOT_NOT_FOUND, UNKNOWN_PACK, UNKNOWN_PAYMENT -> HttpStatus.NOT_FOUND;
      case INSUFFICIENT_CREDITS -> HttpStatus.PAYMENT_REQUIRED;
      case PACKS_REQUIRE_PAID_TIER, PACK_NOT_FOR_TIER -> HttpStatus.FORBIDDEN;
      case ACCOUNT_ALREADY_EXISTS, LOT_ENDED, HOLD_ALREADY_SETTLED, HOLD_ALREADY_RELEASED, HOLD_EXPIRED, SETTLE_EXCEEDS_HELD,
          IDEMPOTENCY_CONFLICT, SUBSCRIPTION_REQUIRED, ALREADY_SUBSCRIBED, CYCLE_NOT_STARTED, PAYMENT_MISMATCH,
          TOO_MANY_OPEN_ORDERS, BILLING_PERIOD_MISMATCH, BILLING_PERIOD_NOT_STARTED -> HttpStatus.CONFLICT;
      case CONCURRENT_UPDATE, STORE_FAILURE -> HttpStatus.SERVICE_UNAVAILABLE;
      case INVALID_CONFIGURATION, SCHEMA_NOT_INSTALLED -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /**
   * A library error. The message of a server-side failure stays in the log, not in the answer.
   *
   * @param e the error
   * @return its problem
   */
  static ProblemDetail of(CreditsException e) {
    HttpStatus status = statusOf(e.code());
    String detail = status.is5xxServerError() ? "the credits service failed; try again" : e.getMessage();
    return problem(status, e.code(), detail);
  }

  /**
   * A problem with a status, a library error code and a sentence.
   *
   * @param status the HTTP status
   * @param code the error code
   * @param detail what went wrong, for the caller
   * @return the problem
   */
  static ProblemDetail problem(HttpStatus status, ErrorCode code, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setProperty("code", code.name());
    return p;
  }

  /**
   * A generation the balance does not cover (402): the balance, the estimate, the shortfall, and the
   * offer: every tier (which is current, which would cover it) and the packs the account may buy.
   *
   * @param no the gate's answer
   * @return the problem
   */
  static ProblemDetail insufficientCredits(Authorization.InsufficientCredits no) {
    ProblemDetail p = problem(HttpStatus.PAYMENT_REQUIRED, ErrorCode.INSUFFICIENT_CREDITS, "the generation needs "
        + no.estimate() + " credits, the balance has " + no.available());
    p.setProperty("balance", no.available());
    p.setProperty("estimate", no.estimate());
    p.setProperty("shortfall", no.shortfall());
    p.setProperty("tiers", no.offer().tiers().stream().map(TierOffer::of).toList());
    p.setProperty("packs", no.offer().packs().stream().map(PackOffer::of).toList());
    return p;
  }

  /**
   * A generation option the account's tier does not include (403), with the tiers that do.
   *
   * @param no the gate's answer
   * @param catalog the tier catalog, lowest first
   * @return the problem
   */
  static ProblemDetail notInTier(Authorization.NotInTier no, TierCatalog catalog) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, no.option() + " is not in the "
        + no.currentTier().name() + " tier; " + no.lowestTier().name() + " and above include it");
    p.setProperty("outcome", "not_in_tier");  // a gate outcome, not a library error: no code
    p.setProperty("option", no.option());
    p.setProperty("currentTier", Json.TierView.of(no.currentTier()));
    List<Tier> tiers = catalog.tiers();
    p.setProperty("tiers", tiers.subList(catalog.rank(no.lowestTier()), tiers.size()).stream()
        .map(Json.TierView::of).toList());
    return p;
  }

  /** A tier in an upgrade offer. */
  record TierOffer(String id, String name, long monthlyAllowance, boolean coversShortfall, boolean current) {
    static TierOffer of(UpgradeOffer.TierOption t) {
      return new TierOffer(t.tier().id(), t.tier().name(), t.monthlyAllowance(), t.coversShortfall(), t.current());
    }
  }

  /** A pack in an upgrade offer. */
  record PackOffer(String id, long credits, long priceMinor, String currency, boolean coversShortfall) {
    static PackOffer of(UpgradeOffer.PackOption o) {
      return new PackOffer(o.pack().id(), o.pack().credits(), o.pack().priceMinor(), o.pack().currency(),
          o.coversShortfall());
    }
  }
}
