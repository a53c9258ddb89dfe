package io.preprompt.credits.examples.studio;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * One generate action, as the help page tells it: the estimate is held when it starts, settled when
 * it succeeds (for what it actually cost, which may be less), released when it fails or is blocked.
 * The fake model runs outside any transaction.
 *
 * <p>The page sends one idempotency key per action. A second request with the same key (a double
 * click, a retry after a dropped connection) gets the same hold from the gate, finds the first
 * request's claim, and waits for its result instead of running the model again: one charge.
 */
@Service
class Generations {
  private final GenerationGate gate;
  private final GenerationClaims claims;
  private final StudioProperties properties;

  Generations(GenerationGate gate, GenerationClaims claims, StudioProperties properties) {
    this.gate = gate;
    this.claims = claims;
    this.properties = properties;
  }

  /** What the fake model does. */
  enum FakeOutcome {
    /** It produces the output, for the estimate. */
    SUCCEEDS,
    /** It produces the output for less: half the estimate, rounded up (a clip that came out shorter). */
    COSTS_LESS,
    /** It fails; nothing is charged. */
    FAILS;

    static FakeOutcome parse(String value) {
      try {
        return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new StudioController.BadRequestException("outcome must be succeeds, costs-less or fails; was " + value);
      }
    }
  }

  /** What a generate action came to. */
  sealed interface Result {}

  /**
   * The generation ran (by this request or by an earlier one with the same key).
   *
   * @param claim how it ended
   * @param replayed whether an earlier request with the same key ran it
   */
  record Ran(GenerationClaims.Claim claim, boolean replayed) implements Result {}

  /**
   * The gate refused it; nothing was held.
   *
   * @param refusal insufficient credits, or an option the tier lacks
   */
  record Refused(Authorization refusal) implements Result {}

  /**
   * Runs a generate action.
   *
   * @param account the account
   * @param key the page's idempotency key for this action
   * @param request what to generate
   * @param outcome what the fake model does
   * @return how it ended, or the gate's refusal
   */
  Result generate(AccountId account, String key, GenerationRequest request, FakeOutcome outcome) {
    IdempotencyKey.of(key);  // the page's key must be well formed on its own
    String fingerprint = fingerprint(request, outcome);
    Optional<GenerationClaims.Claim> earlier = claims.find(account, key);
    if (earlier.isPresent()) {
      return new Ran(awaitEnd(account, key, fingerprint), true);
    }
    Authorization auth = gate.authorize(account, request, IdempotencyKey.of(key + ":authorize"));
    if (!(auth instanceof Authorization.Authorized ok)) {
      return new Refused(auth);
    }
    Hold hold = ok.holds().get(0);
    if (!claims.claim(account, key, fingerprint, hold)) {
      // The same action is running in another request, with the same hold: wait for it.
      return new Ran(awaitEnd(account, key, fingerprint), true);
    }
    sleep(properties.generationTime());  // the model at work; the header shows the held credits meanwhile
    return new Ran(switch (outcome) {
      case SUCCEEDS -> claims.succeeded(account, key, fingerprint, hold, hold.amount());
      case COSTS_LESS -> claims.succeeded(account, key, fingerprint, hold, (hold.amount() + 1) / 2);
      case FAILS -> claims.failed(account, key, fingerprint, hold, "the model timed out");
    }, false);
  }

  /**
   * What an action asked for, to tell a repeated action from another one sent under its key.
   *
   * @param request the generation
   * @param outcome what the fake model was told to do
   * @return the request's description
   */
  static String fingerprint(GenerationRequest request, FakeOutcome outcome) {
    return request + " " + outcome;
  }

  /** The key was already used for another generation: 409, and nothing changed. */
  static final class KeyReusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyReusedException(String key) {
      super("the key " + key + " was used for another generation");
    }
  }

  private GenerationClaims.Claim awaitEnd(AccountId account, String key, String fingerprint) {
    if (!claims.find(account, key).orElseThrow().request().equals(fingerprint)) {
      throw new KeyReusedException(key);
    }
    long deadline = System.nanoTime() + properties.generationTime().plusSeconds(30).toNanos();
    while (true) {
      GenerationClaims.Claim claim = claims.find(account, key).orElseThrow();
      if (claim.ended() || System.nanoTime() > deadline) {
        return claim;
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while generating", e);
    }
  }
}
