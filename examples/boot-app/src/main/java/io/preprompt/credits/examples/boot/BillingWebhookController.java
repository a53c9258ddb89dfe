package io.preprompt.credits.examples.boot;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanService;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /billing/webhook}: the billing system tells the app that a payment went through or
 * failed, or that a subscription ended. The body is this app's own small format (a real provider's
 * comes later); it is signed with HMAC-SHA256 over the raw body, hex in the header
 * {@code Billing-Signature: sha256=...}, and an unsigned or wrongly signed event is refused with 401
 * before anything is read. {@link PlanService#handle} is idempotent by event id, so a redelivered
 * event changes nothing.
 *
 * <pre>
 * {"id": "evt-1", "type": "cycle.paid",             "account": "maya", "cycle": 0}
 * {"id": "evt-2", "type": "cycle.payment_failed",   "account": "maya", "cycle": 1}
 * {"id": "evt-3", "type": "pack.paid",              "account": "maya", "pack": "pack_500",
 *  "paymentReference": "...", "amountMinor": 500, "currency": "USD"}
 * {"id": "evt-4", "type": "subscription.cancelled", "account": "maya", "effectiveAt": "2026-04-01T00:00:00Z"}
 * </pre>
 */
@RestController
class BillingWebhookController {
  /** The header that carries the signature. */
  static final String SIGNATURE_HEADER = "Billing-Signature";

  private final PlanService plans;
  private final JsonMapper json;
  private final SecretKeySpec key;

  BillingWebhookController(PlanService plans, JsonMapper json, WebhookProperties properties) {
    this.plans = plans;
    this.json = json;
    this.key = new SecretKeySpec(properties.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /**
   * The webhook's settings, from {@code billing.webhook.*}.
   *
   * @param secret the HMAC key shared with the billing system; required, never blank
   */
  @ConfigurationProperties("billing.webhook")
  record WebhookProperties(String secret) {
    WebhookProperties {
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException("billing.webhook.secret must be set: the webhook grants credits");
      }
    }
  }

  /**
   * An event in the app's own format; which fields it needs depends on its type.
   *
   * @param id the billing system's event id, unique per event
   * @param type {@code cycle.paid}, {@code cycle.payment_failed}, {@code pack.paid} or {@code subscription.cancelled}
   * @param account the account
   * @param cycle the subscription cycle, for cycle events
   * @param pack the pack, for {@code pack.paid}
   * @param paymentReference the reference of the pack order, for {@code pack.paid}
   * @param amountMinor the amount paid in minor units, for {@code pack.paid}
   * @param currency the currency paid, for {@code pack.paid}
   * @param effectiveAt when a cancellation takes effect
   */
  record WebhookEvent(@Nullable String id, @Nullable String type, @Nullable String account, @Nullable Long cycle,
      @Nullable String pack, @Nullable String paymentReference, @Nullable Long amountMinor, @Nullable String currency,
      @Nullable Instant effectiveAt) {

    BillingEvent toBillingEvent() {
      String eventId = require(id, "id");
      AccountId a = AccountId.of(require(account, "account"));
      return switch (require(type, "type")) {
        case "cycle.paid" -> new BillingEvent.CyclePaid(eventId, a, require(cycle, "cycle"));
        case "cycle.payment_failed" -> new BillingEvent.PaymentFailed(eventId, a, require(cycle, "cycle"));
        case "pack.paid" -> new BillingEvent.PackPaid(eventId, a, require(pack, "pack"),
            require(paymentReference, "paymentReference"), require(amountMinor, "amountMinor"),
            require(currency, "currency"));
        case "subscription.cancelled" -> new BillingEvent.SubscriptionCancelled(eventId, a,
            require(effectiveAt, "effectiveAt"));
        default -> throw Json.badRequest("unknown event type " + type);
      };
    }

    private <T> T require(@Nullable T value, String field) {
      if (value == null) {
        throw Json.badRequest("the billing event needs " + field);
      }
      return value;
    }
  }

  @PostMapping("/billing/webhook")
  Json.BillingOutcomeView receive(@RequestBody String body,
      @RequestHeader(name = SIGNATURE_HEADER, required = false) @Nullable String signature) {
    if (signature == null || !MessageDigest.isEqual(signature.getBytes(StandardCharsets.UTF_8),
        sign(body).getBytes(StandardCharsets.UTF_8))) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, SIGNATURE_HEADER + " is missing or wrong");
    }
    WebhookEvent event;
    try {
      event = json.readValue(body, WebhookEvent.class);
    } catch (JacksonException e) {
      throw Json.badRequest("not a billing event: " + e.getOriginalMessage());
    }
    return Json.BillingOutcomeView.of(plans.handle(event.toBillingEvent()));
  }

  /**
   * Signs a body the way the billing system does.
   *
   * @param body the raw body
   * @return the header's value, {@code sha256=} and the HMAC in lower-case hex
   */
  String sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
