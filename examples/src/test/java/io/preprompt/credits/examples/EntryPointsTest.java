package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.RecordingBillingGateway;
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
}
