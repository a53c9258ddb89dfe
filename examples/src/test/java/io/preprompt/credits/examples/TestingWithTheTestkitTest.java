package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's "testing with the testkit" snippets, as a host's own tests would use them. */
class TestingWithTheTestkitTest {

  // tag::testkit-scenario[]
  @Test
  @DisplayName("an unanswered hold expires at its deadline and every credit comes back")
  void unansweredHold_expiresAndRefunds() {
    CreditsScenario scenario = new CreditsScenario();          // in-memory store, MutableClock, service
    CreditsScenario.ScenarioAccount maya = scenario.account("maya");
    maya.grant(LotSource.SIGNUP_GRANT, 200);
    Hold hold = maya.hold(30, Duration.ofMinutes(2));
    assertThat(maya.available()).isEqualTo(170);

    scenario.advance(Duration.ofMinutes(3));                   // time moves only when the test says so
    assertThat(maya.find(hold)).map(Hold::state).contains(HoldState.EXPIRED);
    assertThat(maya.available()).isEqualTo(200);
    assertThat(maya.reconcile().consistent()).isTrue();
  }
  // end::testkit-scenario[]

  // tag::testkit-billing[]
  @Test
  @DisplayName("a subscription is charged for its first cycle and refilled when the payment is confirmed")
  void subscription_chargedThenRefilled() {
    MutableClock clock = MutableClock.at("2026-01-31T10:00:00Z");
    RecordingBillingGateway billing = new RecordingBillingGateway();   // records charges, moves no money
    Credits library = Credits.builder().store(new InMemoryCreditStore()).clock(clock).billing(billing).build();
    CreditService credits = library.credits();
    PlanService plans = library.plans();
    AccountId sam = AccountId.of("sam");
    credits.openAccount(sam, IdempotencyKey.of("open"));

    plans.subscribe(sam, "studio", IdempotencyKey.of("subscribe"));
    RecordingBillingGateway.SubscriptionCharge charge = billing.subscriptionCharges().get(0);
    assertThat(charge.cycleEnd()).isEqualTo("2026-02-28T10:00:00Z");  // Jan 31 + 1 month, clamped
    plans.handle(new BillingEvent.CyclePaid("evt-1", sam, charge.cycle()));
    assertThat(credits.balance(sam).available()).isEqualTo(1_000);
  }
  // end::testkit-billing[]
}
