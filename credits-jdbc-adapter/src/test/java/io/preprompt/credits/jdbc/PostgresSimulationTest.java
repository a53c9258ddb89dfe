package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.testkit.sim.FaultKind;
import io.preprompt.credits.testkit.sim.FaultPlan;
import io.preprompt.credits.testkit.sim.Simulation;
import io.preprompt.credits.testkit.sim.SimulationReport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testkit's simulation on a real PostgreSQL server, each run (and each shrinking replay) on a
 * fresh schema: a deterministic run and one with every client on its own thread and connection.
 */
@DisplayName("The simulation on PostgreSQL")
class PostgresSimulationTest {

  private static Simulation.Builder simulation(long seed, int operations) {
    return Simulation.builder().store(() -> Databases.POSTGRESQL.fresh().store()).seed(seed).clients(8).accounts(3)
        .operations(operations).checkpointEvery(1_000).faults(FaultPlan.defaults());
  }

  private static void assertExercised(SimulationReport report, int operations) {
    System.out.println("PostgreSQL " + report.summary());
    assertThat(report.operations()).isEqualTo(operations);
    for (FaultKind kind : FaultKind.values()) {
      assertThat(report.faultsInjected().get(kind)).as("faults of kind %s", kind).isPositive();
    }
    assertThat(report.resolvedByRetry()).isEqualTo(report.unknownOutcomes()).isPositive();
    assertThat(report.replaysVerified()).isPositive();
    assertThat(report.conflictsRefused()).isPositive();
    assertThat(report.invariantChecks()).isGreaterThan(operations);
  }

  @Test
  @Timeout(180)
  @DisplayName("keeps every invariant over 5,000 operations with faults, clients interleaved deterministically")
  void deterministic() {
    assertExercised(simulation(301, 5_000).build().run(), 5_000);
  }

  @Test
  @Timeout(180)
  @DisplayName("keeps every invariant over 3,000 operations with faults, 8 clients racing on threads, commits batched")
  void threads() {
    List<JdbcCreditStore> stores = new CopyOnWriteArrayList<>();
    Simulation.Builder racing = simulation(302, 3_000).threads(true).store(() -> {
      JdbcCreditStore store = Databases.POSTGRESQL.fresh().store();
      // Eight clients are few enough to commit alone; here every commit goes through group commit.
      store.batchEveryCommit();
      stores.add(store);
      return store;
    });
    assertExercised(racing.build().run(), 3_000);
    // The clients share one store, whose group commit batched their commits on different accounts.
    long[] counts = stores.get(0).groupCommits();
    System.out.printf("PostgreSQL simulation group commits: %d batches of %d changes, %d left out as stale,"
        + " %d failed whole%n", counts[0], counts[1], counts[2], counts[3]);
    assertThat(counts[0]).as("group commits of two or more changes").isPositive();
  }
}
