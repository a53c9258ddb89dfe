package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared assertions for the engine tests. */
final class Expect {
  private Expect() {}

  /** Asserts the call throws a {@link CreditsException} of the given type and code, and returns it. */
  static <E extends CreditsException> E failure(ThrowingCallable call, Class<E> type, ErrorCode code) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(type);
    E e = type.cast(thrown);
    assertThat(e.code()).isEqualTo(code);
    return e;
  }

  /**
   * Asserts the call throws a {@link CreditsException} with the given code and that the stored state
   * of the account is exactly what it was before the call.
   */
  static <E extends CreditsException> E failsWithoutChange(CreditsScenario scenario, ScenarioAccount account,
      ThrowingCallable call, Class<E> type, ErrorCode code) {
    Map<String, Object> before = scenario.store().dump(account.id());
    E e = failure(call, type, code);
    assertThat(scenario.store().dump(account.id())).as("stored state after %s", code).isEqualTo(before);
    return e;
  }
}
