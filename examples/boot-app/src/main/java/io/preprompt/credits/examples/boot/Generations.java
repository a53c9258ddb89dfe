package io.preprompt.credits.examples.boot;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/**
 * One generation, the way the help page tells it: the estimate is held when it starts, settled when
 * it succeeds, released when it fails. The model runs outside any database transaction; only the
 * short steps around it are transactions of their own.
 *
 * <p>The client's {@code Idempotency-Key} makes the request safe to retry: a key the app already
 * finished answers with the stored generation; a key whose first attempt stopped half-way (after
 * the hold, before the charge) reuses the same hold, because every library call's key is derived
 * from it.
 */
@Service
class Generations {
  private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

  private final GenerationGate gate;
  private final GenerationJobs jobs;
  private final FakeGenerator generator;

  Generations(GenerationGate gate, GenerationJobs jobs, FakeGenerator generator) {
    this.gate = gate;
    this.jobs = jobs;
    this.generator = generator;
  }

  /** What a generation request came to. */
  sealed interface Result {}

  /**
   * The generation ran (now, or before under the same key).
   *
   * @param job the generation
   * @param replayed whether an earlier request with the same key ran it
   */
  record Done(GenerationJobs.Job job, boolean replayed) implements Result {}

  /**
   * The gate refused it; nothing was held.
   *
   * @param refusal the gate's answer: insufficient credits, or not in the tier
   */
  record Refused(Authorization refusal) implements Result {}

  /**
   * Runs a generation for an account.
   *
   * @param account the account
   * @param key the client's idempotency key
   * @param request what to generate
   * @param simulate what the fake generator does
   * @return the generation, or the gate's refusal
   * @throws ErrorResponseException with 409 when the key was used for a different request
   */
  Result generate(AccountId account, String key, GenerationRequest request, FakeGenerator.Simulation simulate) {
    IdempotencyKey.of(key);  // the client's key must be well formed itself, not only with a suffix
    IdempotencyKey authorizeKey = IdempotencyKey.of(key + ":authorize");
    Optional<GenerationJobs.Job> earlier = jobs.find(account, key);
    if (earlier.isPresent()) {
      return replay(earlier.get(), request);
    }
    Authorization auth = gate.authorize(account, request, authorizeKey);
    if (!(auth instanceof Authorization.Authorized ok)) {
      return new Refused(auth);
    }
    Hold hold = ok.hold();
    FakeGenerator.Output output = generator.generate(account, key, request, hold.amount(), simulate);
    try {
      if (output instanceof FakeGenerator.Produced produced) {
        try {
          return new Done(jobs.succeeded(account, key, request, hold, produced), false);
        } catch (FakeGenerator.OutputNotSavedException e) {
          LOG.warn("generation {} of {}: {}; its charge rolled back, releasing its hold", key, account,
              e.getMessage());
          return new Done(jobs.failed(account, key, request, hold, "the output could not be saved"), false);
        }
      }
      return new Done(jobs.failed(account, key, request, hold, ((FakeGenerator.Failed) output).reason()), false);
    } catch (DuplicateKeyException e) {
      // The same key ran twice at once; the other request recorded it first, with the same hold.
      return replay(jobs.find(account, key).orElseThrow(() -> e), request);
    }
  }

  private static Result replay(GenerationJobs.Job job, GenerationRequest request) {
    if (!job.request().equals(request)) {
      throw new ErrorResponseException(HttpStatus.CONFLICT, Problems.problem(HttpStatus.CONFLICT,
          ErrorCode.IDEMPOTENCY_CONFLICT, "Idempotency-Key " + job.key() + " was used for another generation"), null);
    }
    return new Done(job, true);
  }
}
