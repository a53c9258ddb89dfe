package io.preprompt.credits.examples.boot;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.PlanService;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An account's credits as JSON: open it, read its balance, overview and cost history, estimate a
 * generation, subscribe to a tier, order a pack, turn the automatic top-up on and off, set the
 * overage policy. Calls that change money need an
 * {@code Idempotency-Key} header, so a retried request never subscribes or orders twice.
 */
@RestController
@RequestMapping("/accounts/{id}")
class AccountController {
  /** The history's default period: the last 31 days, so a whole month always fits. */
  static final Duration DEFAULT_HISTORY = Duration.ofDays(31);

  private final Onboarding onboarding;
  private final CreditService credits;
  private final PlanService plans;
  private final GenerationGate gate;
  private final InstantSource clock;

  AccountController(Onboarding onboarding, CreditService credits, PlanService plans, GenerationGate gate,
      InstantSource clock) {
    this.onboarding = onboarding;
    this.credits = credits;
    this.plans = plans;
    this.gate = gate;
    this.clock = clock;
  }

  /** Opens the account and verifies its email (the signup grant): 201 the first time, 200 after. */
  @PostMapping
  ResponseEntity<Json.AccountOpened> open(@PathVariable String id) {
    Json.AccountOpened opened = onboarding.open(AccountId.of(id));
    return ResponseEntity.status(opened.opened() ? HttpStatus.CREATED : HttpStatus.OK).body(opened);
  }

  @GetMapping("/balance")
  Json.Balance balance(@PathVariable String id) {
    return Json.Balance.of(credits.balance(AccountId.of(id)));
  }

  @GetMapping("/overview")
  Json.Overview overview(@PathVariable String id) {
    return Json.Overview.of(plans.overview(AccountId.of(id)));
  }

  /** Prices a generation with the rate card, itemized, and says whether the balance covers it. Holds nothing. */
  @PostMapping("/estimate")
  Json.EstimateView estimate(@PathVariable String id, @RequestBody Json.GenerationBody body) {
    long available = credits.balance(AccountId.of(id)).available();
    GenerationRequest request = body.toRequest();
    Estimate estimate = gate.rateCard().estimate(request);
    return Json.EstimateView.of(estimate, available);
  }

  /**
   * The per-generation cost history (estimate against charge) of a period, {@code from} inclusive,
   * {@code to} exclusive, by default the last 31 days.
   */
  @GetMapping("/history")
  Json.History history(@PathVariable String id,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to) {
    AccountId account = AccountId.of(id);
    credits.balance(account);  // 404 for an unknown account, rather than an empty history
    Instant end = to != null ? to : clock.instant();
    Instant start = from != null ? from : end.minus(DEFAULT_HISTORY);
    return new Json.History(account.value(), start, end, gate.history().generations(account, start, end).stream()
        .map(Json.HistoryItem::of).toList());
  }

  /** Subscribes to a paid tier; the first cycle's allowance comes when the billing system confirms payment. */
  @PostMapping("/subscription")
  Json.PlanChangeView subscribe(@PathVariable String id, @RequestHeader("Idempotency-Key") String key,
      @RequestBody Json.SubscriptionBody body) {
    if (body.tier() == null) {
      throw Json.badRequest("tier is required");
    }
    return Json.PlanChangeView.of(plans.subscribe(AccountId.of(id), body.tier(), IdempotencyKey.of(key)));
  }

  /**
   * Turns the automatic top-up on (or changes it): when the available credits fall below the
   * threshold, the pack is ordered, within the monthly cap; its credits come when paid. Only an
   * active paid subscriber whose tier sells the pack may (403 otherwise).
   */
  @PutMapping("/auto-top-up")
  Json.TopUpView enableAutoTopUp(@PathVariable String id, @RequestHeader("Idempotency-Key") String key,
      @RequestBody Json.AutoTopUpBody body) {
    return Json.TopUpView.of(plans.enableAutoTopUp(AccountId.of(id), body.toSetting(), IdempotencyKey.of(key)));
  }

  /** Turns the automatic top-up off; a top-up already ordered is still granted when paid. */
  @DeleteMapping("/auto-top-up")
  Json.TopUpView disableAutoTopUp(@PathVariable String id, @RequestHeader("Idempotency-Key") String key) {
    return Json.TopUpView.of(plans.disableAutoTopUp(AccountId.of(id), IdempotencyKey.of(key)));
  }

  /** Sets the account's own overage policy, over its tier's and the configured one. */
  @PutMapping("/overage-policy")
  Json.OveragePolicyView setOveragePolicy(@PathVariable String id, @RequestHeader("Idempotency-Key") String key,
      @RequestBody Json.OveragePolicyBody body) {
    AccountId account = AccountId.of(id);
    return new Json.OveragePolicyView(account.value(),
        Json.name(credits.setOveragePolicy(account, body.toPolicy(), IdempotencyKey.of(key))));
  }

  /** Orders a credit pack; its credits come when the billing system confirms payment. */
  @PostMapping("/packs/{pack}")
  Json.PackOrderView buyPack(@PathVariable String id, @PathVariable String pack,
      @RequestHeader("Idempotency-Key") String key) {
    return Json.PackOrderView.of(plans.buyPack(AccountId.of(id), pack, IdempotencyKey.of(key)));
  }
}
