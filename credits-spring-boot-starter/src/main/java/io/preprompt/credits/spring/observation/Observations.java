package io.preprompt.credits.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.StoreException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs one call inside one {@code credits.operation} observation, and names its outcome. Every
 * observation carries the same three low-cardinality keys, whatever happened, because a meter
 * registry such as Prometheus refuses one meter name with different tag keys.
 */
final class Observations {
  /** The observation's name, and so the timer's. */
  static final String NAME = "credits.operation";
  /** Low-cardinality key: what was called, in snake case. */
  static final String OPERATION = "operation";
  /** Low-cardinality key: {@link #SUCCESS}, {@link #REFUSED}, {@link #FAILURE} or {@link #BLOCKED}. */
  static final String OUTCOME = "outcome";
  /** Low-cardinality key: the {@link io.preprompt.credits.core.ErrorCode} name, or {@link #NONE}. */
  static final String ERROR_CODE = "error.code";
  /** High-cardinality key: the account the call named. */
  static final String ACCOUNT = "credits.account";

  /** The call did what was asked. */
  static final String SUCCESS = "success";
  /** The library refused the call (a {@link CreditsException} other than a {@link StoreException}). */
  static final String REFUSED = "refused";
  /** The store failed, or something other than the library threw. */
  static final String FAILURE = "failure";
  /** An authorization answered insufficient credits or not in tier. */
  static final String BLOCKED = "blocked";
  /** The error code of a call that threw no {@link CreditsException}. */
  static final String NONE = "none";

  private final ObservationRegistry registry;

  Observations(ObservationRegistry registry) {
    this.registry = registry;
  }

  /**
   * Runs a call whose every normal return is a success.
   *
   * @param operation the operation's name
   * @param account the account the call names, or {@code null} for a call that names none
   * @param call the call
   * @return what the call returned
   */
  <T> T observe(String operation, @Nullable AccountId account, Supplier<T> call) {
    return observe(operation, account, call, result -> SUCCESS);
  }

  /**
   * Runs a call, naming the outcome of a normal return with {@code outcomeOf}.
   *
   * @param operation the operation's name
   * @param account the account the call names, or {@code null} for a call that names none
   * @param call the call
   * @param outcomeOf names the outcome of what the call returned
   * @return what the call returned
   */
  <T> T observe(String operation, @Nullable AccountId account, Supplier<T> call,
      Function<? super T, String> outcomeOf) {
    Observation observation = Observation.createNotStarted(NAME, registry)
        .contextualName("credits " + operation)
        .lowCardinalityKeyValue(OPERATION, operation);
    if (account != null) {
      observation.highCardinalityKeyValue(ACCOUNT, account.value());
    }
    observation.start();
    Observation.Scope scope = observation.openScope();
    try {
      T result = call.get();
      observation.lowCardinalityKeyValue(OUTCOME, outcomeOf.apply(result))
          .lowCardinalityKeyValue(ERROR_CODE, NONE);
      return result;
    } catch (Throwable e) {
      observation.lowCardinalityKeyValue(OUTCOME, outcome(e))
          .lowCardinalityKeyValue(ERROR_CODE, e instanceof CreditsException c ? c.code().name() : NONE)
          .error(e);
      throw e;
    } finally {
      scope.close();
      observation.stop();
    }
  }

  private static String outcome(Throwable e) {
    return e instanceof CreditsException && !(e instanceof StoreException) ? REFUSED : FAILURE;
  }
}
