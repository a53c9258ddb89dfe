package io.preprompt.credits.examples.filestore;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.sim.FaultKind;
import io.preprompt.credits.testkit.sim.FaultPlan;
import io.preprompt.credits.testkit.sim.Simulation;
import io.preprompt.credits.testkit.sim.SimulationReport;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After the contract, the integrator runs the testkit's fault-injecting simulation on the same adapter. */
@DisplayName("FileCreditStore under the testkit's simulation")
class FileCreditStoreSimulationTest {
  @TempDir
  Path directory;

  @Test
  @DisplayName("keeps every invariant over a seeded run of 500 operations with injected faults")
  void simulation() {
    AtomicInteger stores = new AtomicInteger();
    // tag::simulation[]
    SimulationReport report = Simulation.builder()
        .store(() -> FileCreditStore.open(directory.resolve("run-" + stores.incrementAndGet())))
        .seed(42)                      // a failure prints its seed and a shrunk operation history
        .clients(4).accounts(2)        // logical clients contending on shared accounts
        .operations(500)
        .faults(FaultPlan.defaults())  // fail before/after commit, slow commits, stale reads
        .build()
        .run();                        // throws SimulationFailure when an invariant breaks
    // end::simulation[]
    System.out.println(report.summary());
    assertThat(report.operations()).isEqualTo(500);
    assertThat(report.faultsInjected().values().stream().mapToLong(Long::longValue).sum()).isPositive();
    assertThat(report.faultsInjected().get(FaultKind.FAIL_AFTER_COMMIT)).isPositive();
    assertThat(report.resolvedByRetry()).isEqualTo(report.unknownOutcomes());
    assertThat(report.invariantChecks()).isGreaterThan(500);
  }
}
