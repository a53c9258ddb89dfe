package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EntryPointsTest {
  @Test
  @DisplayName("the entry points' javadoc examples run: 200 - 32 + 1,000 + 500 - 8 = 1,660 credits")
  void javadocExamples_run() {
    RecordingBillingGateway billing = new RecordingBillingGateway();
    assertThat(EntryPoints.run(new InMemoryCreditStore(), billing)).isEqualTo(new EntryPoints.Balances(168, 32, true, 1_660));
    assertThat(billing.subscriptionCharges()).hasSize(1);
    assertThat(billing.packCharges()).hasSize(1);
  }

  @Test
  @DisplayName("the payment system example runs without the gateway: 1,000 + 2,000 pro-rated - 500 refunded = 2,500 credits")
  void paymentSystemExample_runs() {
    RecordingBillingGateway billing = new RecordingBillingGateway();
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-03-01T09:00:00Z"));
    assertThat(EntryPoints.runWithPaymentSystem(new InMemoryCreditStore(), billing, clock)).isEqualTo(2_500);
    assertThat(billing.requests()).isEmpty();
  }
}
