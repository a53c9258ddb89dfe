package io.preprompt.credits.examples.boot;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.plans.PlanService;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /accounts/{id}/generations}: runs a generation through the gate. 200 with the
 * generation (succeeded or failed, estimate and charge), 402 with the upgrade offer when the balance
 * does not cover it, 403 with the tiers that include an option the account's tier lacks. The
 * {@code Idempotency-Key} header is required; a replay answers with the first result and the header
 * {@code Idempotent-Replayed: true}.
 */
@RestController
class GenerationController {
  private final Generations generations;
  private final CreditService credits;
  private final PlanService plans;

  GenerationController(Generations generations, CreditService credits, PlanService plans) {
    this.generations = generations;
    this.credits = credits;
    this.plans = plans;
  }

  @PostMapping("/accounts/{id}/generations")
  ResponseEntity<?> generate(@PathVariable String id, @RequestHeader("Idempotency-Key") String key,
      @RequestBody Json.GenerationBody body) {
    AccountId account = AccountId.of(id);
    FakeGenerator.Simulation simulate = FakeGenerator.Simulation.parse(body.simulate());
    Generations.Result result = generations.generate(account, key, body.toRequest(), simulate);
    if (result instanceof Generations.Done done) {
      Json.Generation generation = Json.Generation.of(done.job(), credits.balance(account).available());
      return ResponseEntity.ok().header("Idempotent-Replayed", String.valueOf(done.replayed())).body(generation);
    }
    Authorization refusal = ((Generations.Refused) result).refusal();
    if (refusal instanceof Authorization.InsufficientCredits no) {
      return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(Problems.insufficientCredits(no));
    }
    return ResponseEntity.status(HttpStatus.FORBIDDEN)
        .body(Problems.notInTier((Authorization.NotInTier) refusal, plans.tiers()));
  }
}
