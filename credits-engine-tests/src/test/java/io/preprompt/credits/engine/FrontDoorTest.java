package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One builder gives the three services; a host may wrap the credit service and the rest still works. */
@DisplayName("The front door")
class FrontDoorTest {
  private final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  private final Credits library = Credits.builder().store(new InMemoryCreditStore()).clock(clock).build();

  @Test
  @DisplayName("a credit service wrapped in a host's JDK proxy serves calls while plans and the gate keep working")
  void decoratedCreditService_plansAndGateStillWork() {
    Map<String, Integer> calls = new TreeMap<>();
    CreditService real = library.credits();
    CreditService timed = (CreditService) Proxy.newProxyInstance(CreditService.class.getClassLoader(),
        new Class<?>[] {CreditService.class}, (proxy, method, args) -> {
          calls.merge(method.getName(), 1, Integer::sum); // a host's metrics or tracing would go here
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    AccountId maya = AccountId.of("maya");

    timed.openAccount(maya, IdempotencyKey.of("open"));
    library.plans().verifyEmail(maya, IdempotencyKey.of("verify"));
    Authorization auth = library.gate().authorize(maya, GenerationRequest.image("standard", "720p"),
        IdempotencyKey.of("gen-1"));
    assertThat(auth).isInstanceOf(Authorization.Authorized.class);
    Authorization.Authorized ok = (Authorization.Authorized) auth;
    library.gate().succeeded(maya, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of("gen-1-done"));

    assertThat(timed.balance(maya).available()).isEqualTo(200 - ok.total());
    assertThat(library.plans().overview(maya).balance().available()).isEqualTo(200 - ok.total());
    assertThat(calls).containsEntry("openAccount", 1).containsEntry("balance", 1);
  }

  @Test
  @DisplayName("the three services share one engine: a change made through one is seen by the others at once")
  void servicesShareOneEngine() {
    AccountId theo = AccountId.of("theo");
    library.credits().openAccount(theo, IdempotencyKey.of("open"));
    library.plans().verifyEmail(theo, IdempotencyKey.of("verify"));
    assertThat(library.credits().balance(theo).available()).isEqualTo(200);
    assertThat(library.gate().rateCard().estimate(GenerationRequest.image("standard", "720p")).credits()).isPositive();
  }
}
