package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.sim.FaultKind;
import io.preprompt.credits.testkit.sim.FaultPlan;
import io.preprompt.credits.testkit.sim.Simulation;
import io.preprompt.credits.testkit.sim.SimulationReport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The testkit's simulation on the embedded H2 database, a fresh database per run. */
@DisplayName("The simulation on H2")
class H2SimulationTest {

  @Test
  @Timeout(120)
  @DisplayName("keeps every invariant over 2,000 operations with faults, clients interleaved deterministically")
  void threads() {
    SimulationReport report = Simulation.builder().store(() -> Databases.H2.fresh().store()).seed(404).clients(8)
        .accounts(3).operations(2_000).checkpointEvery(1_000).faults(FaultPlan.defaults()).build().run();
    System.out.println("H2 " + report.summary());
    assertThat(report.operations()).isEqualTo(2_000);
    for (FaultKind kind : FaultKind.values()) {
      assertThat(report.faultsInjected().get(kind)).as("faults of kind %s", kind).isPositive();
    }
    assertThat(report.resolvedByRetry()).isEqualTo(report.unknownOutcomes()).isPositive();
    assertThat(report.conflictsRefused()).isPositive();
  }
}
