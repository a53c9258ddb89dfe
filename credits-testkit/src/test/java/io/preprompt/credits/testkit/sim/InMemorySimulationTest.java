package io.preprompt.credits.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.InMemoryCreditStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The simulation on the in-memory store")
class InMemorySimulationTest {

  @Test
  void smoke() {
    SimulationReport report = Simulation.builder().store(InMemoryCreditStore::new).seed(1).operations(20_000)
        .build().run();
    System.out.println(report.summary());
    assertThat(report.operations()).isEqualTo(20_000);
  }

  @Test
  void threads() {
    SimulationReport report = Simulation.builder().store(InMemoryCreditStore::new).seed(2).operations(20_000)
        .threads(true).accounts(2).build().run();
    System.out.println(report.summary());
    assertThat(report.operations()).isEqualTo(20_000);
  }
}
